// normalize: (n)->(n), x / ‖x‖₂ per row; an all-zero row is copied as is.
//
// ‖x‖² is summed in Float64 (sum_sq's kernel). When that overflows or
// underflows with finite data, the row is rescaled by its largest
// magnitude m: out = (x / m) / ‖x / m‖, which stays exact to a few ulps for
// rows near 1e300 or 1e-300. `_mt` on a long row: the squares are summed in
// parallel chunks first, then the division runs in parallel.

import SnakeABI
import SnakeRuntime

/// How to divide a row: by `first`, then (if not 1) by `second`.
struct RowDivisor {
    var first: Double
    var second: Double
}

/// The divisor for a row whose Σx² (in Float64) is `ss`; nil: copy the row.
@inline(__always)
func normDivisor<T: SnakeFloat>(_ ss: Double, _ n: Int, _ x: UnsafePointer<T>, _ step: Int) -> RowDivisor? {
    if ss.isNaN { return RowDivisor(first: ss, second: 1) }  // NaN in the row
    // The squares are products in T (sumOfProducts), so they lose precision
    // below T's normal range: Σx² far above it (2^46 x the smallest normal:
    // 2^-80 for Float32, 2^-976 for Float64) is exact enough; below, rescale.
    // (A Float32 row [3.9e-21] came out as 1.00002 with a fixed 2^-900.)
    if ss.isFinite && ss >= Double(T.leastNormalMagnitude) * 0x1p46 {
        return RowDivisor(first: ss.squareRoot(), second: 1)
    }
    // Overflowed, underflowed or zero: rescale by the largest magnitude. The
    // squares' overflow was ours, not the result's: drop that flag.
    clearFPFlags(fpOverflow)
    var m = 0.0
    for i in 0..<n { m = Swift.max(m, Double(x.at(i, step: step).magnitude)) }
    if m == 0 { return nil }
    if m.isInfinite { return RowDivisor(first: m, second: 1) }  // x / inf, as NumPy's formula
    var scaled = 0.0
    for i in 0..<n {
        let v = Double(x.at(i, step: step)) / m
        scaled += v * v
    }
    return RowDivisor(first: m, second: scaled.squareRoot())
}

/// out[i] = x[i] / d.first / d.second, or a copy of x when d is nil. With
/// `streaming` (rows of `streamingBytes` or more), the contiguous loops
/// store around the caches from out's first 64-byte boundary; the elements
/// before it take the scalar form, which gives the same bits.
@inline(__always)
func divideRange<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ d: RowDivisor?,
    streaming: Bool
) {
    guard let d else {
        for i in 0..<n { out.advanced(bytes: i &* os).pointee = x.at(i, step: xs) }
        return
    }
    let contiguous = isUnit(xs, T.self) && isUnit(os, T.self)
    let head = streaming && contiguous ? streamingStart(out).map { Swift.min($0, n) } : nil
    if d.second == 1 && T.self == Double.self && contiguous {
        let v = T.V(repeating: T(d.first))
        var i = 0
        if let head {
            while i < head { out[i] = x[i] / T(d.first); i &+= 1 }
            while n &- i >= T.lanes {
                T.storeStreaming(T.load(x, i) / v, out, i)
                i &+= T.lanes
            }
            snake_stream_fence()
        }
        while n &- i >= T.lanes {
            T.store(T.load(x, i) / v, out, i)
            i &+= T.lanes
        }
        while i < n { out[i] = x[i] / T(d.first); i &+= 1 }
        return
    }
    // Float32 works in Float64 (the norm may not be a finite Float32) and
    // multiplies by the norm's reciprocal: x·(1/‖x‖) is within 2^-52 of
    // x/‖x‖ before the rounding to Float32, so at most a rare 1-ulp
    // difference from dividing, and vdivpd on 8 lanes was the whole cost
    // (0.5x NumPy's float32 division). Strided, contiguous and tail
    // elements use the same formula, so every layout gives the same bits.
    if T.self == Float.self && d.second == 1 {
        let recip = 1 / d.first
        var i = 0
        if contiguous {
            let src = UnsafeRawPointer(x), dst = UnsafeMutableRawPointer(out)
            let r = SIMD8<Double>(repeating: recip)
            if let head {
                while i < head { out[i] = T(Double(x[i]) * recip); i &+= 1 }
                while n &- i >= 16 {
                    let q0 = SIMD8<Double>(src.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)) * r
                    let q1 = SIMD8<Double>(src.loadUnaligned(fromByteOffset: i &* 4 &+ 32, as: SIMD8<Float>.self)) * r
                    let q = SIMD16<Float>(lowHalf: SIMD8<Float>(q0), highHalf: SIMD8<Float>(q1))
                    Float.storeStreaming(q, dst.assumingMemoryBound(to: Float.self), i)
                    i &+= 16
                }
                snake_stream_fence()
            }
            while n &- i >= 8 {
                let q = SIMD8<Double>(src.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)) * r
                dst.storeBytes(of: SIMD8<Float>(q), toByteOffset: i &* 4, as: SIMD8<Float>.self)
                i &+= 8
            }
        }
        for i in i..<n { out.advanced(bytes: i &* os).pointee = T(Double(x.at(i, step: xs)) * recip) }
        return
    }
    // Rescaled rows (d.second != 1; norms beyond Float64's range) divide.
    for i in 0..<n {
        out.advanced(bytes: i &* os).pointee = T(Double(x.at(i, step: xs)) / d.first / d.second)
    }
}

@inline(__always)
func normalize<T: SnakeFloat>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ os: Int, _ grain: Int
) {
    let streaming = n &* MemoryLayout<T>.stride >= streamingBytes
    vecRows(
        rows: rows, n: n, grain: grain,
        row: { r in
            let xr = x.advanced(bytes: r &* xRow)
            let d = normDivisor(sumOfProducts(n, xr, xs, xr, xs), n, xr, xs)
            divideRange(n, xr, xs, out.advanced(bytes: r &* outRow), os, d, streaming: streaming)
        },
        longRow: { r, tasks in
            let xr = x.advanced(bytes: r &* xRow), or = out.advanced(bytes: r &* outRow)
            let ss = withUnsafeTemporaryAllocation(of: Double.self, capacity: tasks) { parts in
                let p0 = parts.baseAddress!
                parallelFor(tasks) { t in
                    let (s, c) = split(n, tasks, t)
                    let xc = xr.advanced(bytes: s &* xs)
                    (p0 + t).initialize(to: sumOfProducts(c, xc, xs, xc, xs))
                }
                var total = 0.0
                for t in 0..<tasks { total += p0[t] }
                return total
            }
            let d = normDivisor(ss, n, xr, xs)
            parallelFor(tasks) { t in
                let (s, c) = split(n, tasks, t)
                divideRange(c, xr.advanced(bytes: s &* xs), xs, or.advanced(bytes: s &* os), os, d, streaming: streaming)
            }
        })
}

@c @implementation
public func snake_normalize_f64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Double>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Double>, _ outRow: Int, _ os: Int, _ grain: Int
) { normalize(rows, n, x, xRow, xs, out, outRow, os, grain) }

@c @implementation
public func snake_normalize_f32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Float>, _ outRow: Int, _ os: Int, _ grain: Int
) { normalize(rows, n, x, xRow, xs, out, outRow, os, grain) }
