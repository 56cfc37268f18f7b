// variance: population variance (ddof = 0) in one pass over memory.
//
// The row is cut into blocks small enough to stay in L1 (2048 elements);
// each block gets an exact two-pass mean and sum of squared deviations
// (the second pass reads L1, not memory), and blocks are combined with Chan
// et al.'s pairwise update. Accurate where E[x²] - E[x]² is not: data like
// 1e9 + N(0, 1) keeps its variance. `_mt` merges per-chunk moments the same
// way, left to right. Empty -> NaN (quietly); NaN propagates; inf gives NaN
// with NumPy's "invalid value" warning (inf - inf), and a variance that
// overflows gives inf with an "overflow" warning, as np.var does.

import SnakeABI
import SnakeRuntime

/// Count, mean and sum of squared deviations (M2) of a run of elements.
/// The mean is kept as `shift + mean`, with `shift` an element of the data:
/// block means of data like 1e9 + noise then differ in small, exactly
/// representable offsets, and Chan's `delta` keeps its accuracy (a plain
/// mean near 1e9 carries a rounding of 6e-8 into every delta).
struct Moments {
    var count: Double
    var shift: Double
    var mean: Double
    var m2: Double

    static let empty = Moments(count: 0, shift: 0, mean: 0, m2: 0)

    /// Chan, Golub & LeVeque's combination of two adjacent runs.
    @inline(__always)
    static func merge(_ a: Moments, _ b: Moments) -> Moments {
        if a.count == 0 { return b }
        if b.count == 0 { return a }
        let count = a.count + b.count
        let delta = (b.shift - a.shift) + (b.mean - a.mean)
        return Moments(count: count, shift: a.shift,
                       mean: a.mean + delta * (b.count / count),
                       m2: a.m2 + b.m2 + delta * delta * (a.count * b.count / count))
    }
}

let varianceBlock = 2048

/// Exact two-pass moments of `count` elements at `p` (contiguous or strided),
/// mean relative to `shift`.
@inline(__always)
func blockMoments<T: SnakeFloat>(_ p: UnsafePointer<T>, _ step: Int, _ count: Int, shift: Double) -> Moments {
    let lanes = T.lanes
    var i = 0, sum = 0.0
    let contiguous = isUnit(step, T.self)
    if contiguous {
        var s0 = T.V(), s1 = T.V()
        while count &- i >= 2 &* lanes {
            s0 += T.load(p, i)
            s1 += T.load(p, i &+ lanes)
            i &+= 2 &* lanes
        }
        sum = laneSum(s0 + s1)
    }
    while i < count { sum += Double(p.at(i, step: step)); i &+= 1 }
    let mean = sum / Double(count)
    // Deviations from the mean rounded to T, corrected below to the exact mean.
    let center = T(mean)
    var m2 = 0.0, dsum = 0.0
    i = 0
    if contiguous {
        let c = T.V(repeating: center)
        var a0 = T.V(), a1 = T.V(), d0 = T.V(), d1 = T.V()
        while count &- i >= 2 &* lanes {
            let e0 = T.load(p, i) - c, e1 = T.load(p, i &+ lanes) - c
            a0 = madd(a0, e0, e0)
            a1 = madd(a1, e1, e1)
            d0 += e0
            d1 += e1
            i &+= 2 &* lanes
        }
        m2 = laneSum(a0 + a1)
        dsum = laneSum(d0 + d1)
    }
    while i < count {
        let e = Double(p.at(i, step: step) - center)
        m2 += e * e
        dsum += e
        i &+= 1
    }
    // Σ(x - c)² = Σ(x - mean)² + n (mean - c)², and Σ(x - c) = n (mean - c).
    // Rounding can leave a tiny negative: clamp it, but let NaN through
    // (tested on the bits: a float compare could raise "invalid" on NaN).
    // The mean is refined the same way: c + Σ(x - c)/n is accurate even when
    // the first pass's sum rounded (Chan's merge needs accurate block means).
    let v = m2 - dsum * dsum / Double(count)
    let negative = v.bits < 0 && !Double.isNaN(bits: v.bits)
    return Moments(count: Double(count), shift: shift,
                   mean: (Double(center) - shift) + dsum / Double(count), m2: negative ? 0 : v)
}

/// Moments of x[0..<n] (byte step `step`), block by block.
@inline(__always)
func moments<T: SnakeFloat>(_ n: Int, _ x: UnsafePointer<T>, _ step: Int) -> Moments {
    guard n > 0 else { return .empty }
    let shift = Double(x.pointee)
    var acc = Moments.empty
    var start = 0
    while start < n {
        let count = min(varianceBlock, n &- start)
        acc = Moments.merge(acc, blockMoments(x.advanced(bytes: start &* step), step, count, shift: shift))
        start &+= count
    }
    return acc
}

@inline(__always)
func variance<T: SnakeFloat>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xStep: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ grain: Int
) {
    reduceRows(
        rows: rows, n: n, grain: grain, out: out, outRow: outRow,
        chunk: { r, start, count in moments(count, x.advanced(bytes: r &* xRow &+ start &* xStep), xStep) },
        merge: Moments.merge,
        // max(count, 1): the compiler may compute both arms of the select,
        // and 0 / 0 would raise a spurious "invalid" for an empty row.
        finish: { $0.count == 0 ? T.nan : T($0.m2 / max($0.count, 1)) })
    // LLVM keeps m2 and the deviation sum in one vector register and may
    // square both lanes to get one square: m2² can overflow in a lane whose
    // value is then dropped, raising a spurious "overflow" (seen for data
    // near 1e77). Report overflow exactly when a result overflowed, as np.var.
    clearFPFlags(fpOverflow)
    for r in 0..<rows where out.advanced(bytes: r &* outRow).pointee.isInfinite {
        raiseFPFlags(fpOverflow)
        break
    }
}

@c @implementation
public func snake_variance_f64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Double>, _ xRow: Int, _ xStep: Int,
    _ out: UnsafeMutablePointer<Double>, _ outRow: Int, _ grain: Int
) { variance(rows, n, x, xRow, xStep, out, outRow, grain) }

@c @implementation
public func snake_variance_f32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, _ xRow: Int, _ xStep: Int,
    _ out: UnsafeMutablePointer<Float>, _ outRow: Int, _ grain: Int
) { variance(rows, n, x, xRow, xStep, out, outRow, grain) }
