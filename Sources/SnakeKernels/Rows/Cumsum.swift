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
    vecRows(
        rows: rows, n: n, grain: grain,
        row: { r in
            _ = scan(n, x.advanced(bytes: r &* xRow), xs, out.advanced(bytes: r &* outRow), os, from: -0.0)
        },
        longRow: { r, tasks in
            let xr = x.advanced(bytes: r &* xRow), or = out.advanced(bytes: r &* outRow)
            withUnsafeTemporaryAllocation(of: Double.self, capacity: tasks) { totals in
                let t0 = totals.baseAddress!
                parallelFor(tasks) { t in
                    let (s, c) = split(n, tasks, t)
                    (t0 + t).initialize(to: rowSum(c, xr.advanced(bytes: s &* xs), xs))
                }
                var offset = -0.0  // exclusive prefix, in chunk order (-0.0: the identity)
                for t in 0..<tasks {
                    let total = t0[t]
                    t0[t] = offset
                    offset += total
                }
                parallelFor(tasks) { t in
                    let (s, c) = split(n, tasks, t)
                    _ = scan(c, xr.advanced(bytes: s &* xs), xs, or.advanced(bytes: s &* os), os, from: t0[t])
                }
            }
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
