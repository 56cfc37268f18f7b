// argmax: (n)->() intp, np.argmax semantics.
//
// Elements are compared through integer order keys (SnakeFloat.orderKey):
// no float compare ever sees a NaN, so no "invalid" flag and no spurious
// RuntimeWarning; -0.0 and +0.0 get equal keys (first one wins, as NumPy).
// A NaN gets the largest key, so the first NaN is the answer, as NumPy.
// The SIMD path keeps a best key and its position per lane and takes the
// lowest position among equal best keys at the end.

import SnakeABI

/// A candidate maximum: its key and its index in the row.
typealias ArgmaxPartial<B> = (key: B, index: Int)

@inline(__always)
func argmaxKey<T: SnakeFloat>(_ b: T.Bits, _: T.Type) -> T.Bits {
    T.isNaN(bits: b) ? T.Bits.max : T.orderKey(bits: b)
}

/// Later candidates replace earlier ones only if strictly greater.
@inline(__always)
func argmaxMerge<B: Comparable>(_ l: ArgmaxPartial<B>, _ r: ArgmaxPartial<B>) -> ArgmaxPartial<B> {
    r.key > l.key ? r : l
}

/// First maximum of x[0..<n] (byte step `step`), index offset by `origin`.
/// For n == 0 returns key Bits.min, which any element beats.
@inline(__always)
func argmaxRange<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ step: Int, origin: Int
) -> ArgmaxPartial<T.Bits> {
    var best: ArgmaxPartial<T.Bits> = (T.Bits.min, origin)
    var i = 0
    if isUnit(step, T.self) {
        let lanes = T.lanes
        // Positions are stored as T.Bits lanes (Int32 for Float32): work in
        // blocks small enough for them.
        let blockLimit = 1 << 30
        while n &- i >= lanes {
            let count = min(blockLimit, (n &- i) / lanes &* lanes)
            let (keys, at) = T.K.argmaxScan(UnsafeRawPointer(x + i), count)
            for j in 0..<lanes {  // earliest position among equal lane maxima
                let index = origin &+ i &+ Int(at[j]) &+ j
                if keys[j] > best.key || (keys[j] == best.key && index < best.index) {
                    best = (keys[j], index)
                }
            }
            i &+= count
        }
    }
    while i < n {
        let k = argmaxKey(x.at(i, step: step).bits, T.self)
        if k > best.key { best = (k, origin &+ i) }
        i &+= 1
    }
    return best
}

@inline(__always)
func argmax<T: SnakeFloat>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xStep: Int,
    _ out: UnsafeMutablePointer<Int>, _ outRow: Int, _ grain: Int
) {
    reduceRows(
        rows: rows, n: n, grain: grain, out: out, outRow: outRow,
        chunk: { r, start, count in
            argmaxRange(count, x.advanced(bytes: r &* xRow &+ start &* xStep), xStep, origin: start)
        },
        merge: argmaxMerge, finish: { $0.index })
}

@c @implementation
public func snake_argmax_f64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Double>, _ xRow: Int, _ xStep: Int,
    _ out: UnsafeMutablePointer<Int>, _ outRow: Int, _ grain: Int
) { argmax(rows, n, x, xRow, xStep, out, outRow, grain) }

@c @implementation
public func snake_argmax_f32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, _ xRow: Int, _ xStep: Int,
    _ out: UnsafeMutablePointer<Int>, _ outRow: Int, _ grain: Int
) { argmax(rows, n, x, xRow, xStep, out, outRow, grain) }
