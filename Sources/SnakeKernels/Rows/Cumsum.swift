// cumsum: (n)->(n) running sum, accumulated in Float64.
//
// Single-threaded it is NumPy's sequential sum (bit-identical for float64).
// `_mt` on a long row: pass 1 sums each chunk, an exclusive prefix of the
// chunk totals gives each chunk its starting offset, pass 2 scans every
// chunk from its offset (two reads of the input, both parallel).

import SnakeABI

/// Σ x[0..<n] in Float64, four independent accumulators.
@inline(__always)
func rowSum<T: SnakeFloat>(_ n: Int, _ x: UnsafePointer<T>, _ step: Int) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var i = 0
    while i &+ 4 <= n {
        s0 += Double(x.at(i, step: step))
        s1 += Double(x.at(i &+ 1, step: step))
        s2 += Double(x.at(i &+ 2, step: step))
        s3 += Double(x.at(i &+ 3, step: step))
        i &+= 4
    }
    while i < n { s0 += Double(x.at(i, step: step)); i &+= 1 }
    return (s0 + s1) + (s2 + s3)
}

/// out[i] = start + Σ x[0...i]; returns the final total.
@inline(__always)
func scan<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, from start: Double
) -> Double {
    var acc = start
    if isUnit(xs, T.self) && isUnit(os, T.self) {
        for i in 0..<n {
            acc += Double(x[i])
            out[i] = T(acc)
        }
    } else {
        for i in 0..<n {
            acc += Double(x.at(i, step: xs))
            out.advanced(bytes: i &* os).pointee = T(acc)
        }
    }
    return acc
}

@inline(__always)
func cumsum<T: SnakeFloat>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ os: Int, _ grain: Int
) {
    // -0.0, the identity of IEEE addition: cumsum([-0.0]) is -0.0.
    scanRows(
        rows: rows, n: n, grain: grain, zero: -0.0, add: +,
        total: { r, s, c in rowSum(c, x.advanced(bytes: r &* xRow &+ s &* xs), xs) },
        scan: { r, s, c, from in
            _ = scan(c, x.advanced(bytes: r &* xRow &+ s &* xs), xs,
                     out.advanced(bytes: r &* outRow &+ s &* os), os, from: from)
        })
}

@c @implementation
public func snake_cumsum_f64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Double>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Double>, _ outRow: Int, _ os: Int, _ grain: Int
) { cumsum(rows, n, x, xRow, xs, out, outRow, os, grain) }

@c @implementation
public func snake_cumsum_f32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Float>, _ outRow: Int, _ os: Int, _ grain: Int
) { cumsum(rows, n, x, xRow, xs, out, outRow, os, grain) }
