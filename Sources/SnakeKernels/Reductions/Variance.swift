// variance: population variance (ddof = 0) in one pass over memory.
//
// The row is cut into blocks of 2048 elements. The first block (and every
// block of a strided row) gets an exact two-pass mean and sum of squared
// deviations, the second pass reading L1; each later block of a contiguous
// row gets one-pass sums of x - c and (x - c)², c the previous block's mean,
// so memory is read once. Blocks are combined with Chan et al.'s pairwise
// update. Accurate where E[x²] - E[x]² is not: data like 1e9 + N(0, 1)
// keeps its variance. `_mt` merges per-chunk moments the same way, left to
// right. Empty -> NaN (quietly); NaN propagates; inf gives NaN with NumPy's
// "invalid value" warning (inf - inf), and a variance that overflows gives
// inf with an "overflow" warning, as np.var does.

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

/// Σ of a block's elements (the first pass): summed in T's lanes, the lanes
/// added in Float64.
@inline(__always)
func blockSum<T: SnakeFloat>(_ p: UnsafePointer<T>, _ step: Int, _ count: Int) -> Double {
    let lanes = T.lanes
    var i = 0, sum = 0.0
    if isUnit(step, T.self) {
        var s0 = T.V(), s1 = T.V()
        while count &- i >= 2 &* lanes {
            s0 += T.load(p, i)
            s1 += T.load(p, i &+ lanes)
            i &+= 2 &* lanes
        }
        sum = laneSum(s0 + s1)
    }
    while i < count { sum += Double(p.at(i, step: step)); i &+= 1 }
    return sum
}

/// Σ(x - c)² and Σ(x - c) over a block, in Float64: the second pass of a
/// two-pass block (c its own mean), or the one-pass sums of a later block
/// of a contiguous row (c the previous block's mean). For those, exact
/// algebra gives M2 = Σ(x - c)² - (Σ(x - c))²/n, and the rounding it adds
/// is eps times n (mean - c)², the part of the two blocks' spread that
/// Chan's merge adds anyway, so the row's M2 keeps its relative accuracy.
/// No software prefetch: the loop is one load and three FP operations per
/// vector, and the hardware prefetchers keep up (avx512 float64 1e7:
/// 1.91-1.96 ms without, 2.43-2.60 ms requesting lines 8 KiB ahead).
@inline(never)
func blockDeviations<T: SnakeFloat>(_ p: UnsafePointer<T>, _ step: Int, _ count: Int, _ center: T) -> (Double, Double) {
    let lanes = T.lanes
    var i = 0, m2 = 0.0, dsum = 0.0
    if isUnit(step, T.self) {
        let c = T.V(repeating: center)
        var a0 = T.V(), a1 = T.V(), d0 = T.V(), d1 = T.V()
        #if SNAKE_AVX512
        // Four of each accumulator fit AVX-512's 32 registers (T.V is one).
        var a2 = T.V(), a3 = T.V(), d2 = T.V(), d3 = T.V()
        while count &- i >= 4 &* lanes {
            let e0 = T.load(p, i) - c, e1 = T.load(p, i &+ lanes) - c
            let e2 = T.load(p, i &+ 2 &* lanes) - c, e3 = T.load(p, i &+ 3 &* lanes) - c
            a0 = madd(a0, e0, e0)
            a1 = madd(a1, e1, e1)
            a2 = madd(a2, e2, e2)
            a3 = madd(a3, e3, e3)
            d0 += e0
            d1 += e1
            d2 += e2
            d3 += e3
            i &+= 4 &* lanes
        }
        a0 += a2
        a1 += a3
        d0 += d2
        d1 += d3
        #endif
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
    return (m2, dsum)
}

/// A block's moments from its sum and its deviations from `center`, mean
/// relative to `shift`.
@inline(__always)
func blockMoments<T: SnakeFloat>(_ count: Int, _ center: T, _ m2: Double, _ dsum: Double, shift: Double) -> Moments {
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

/// Moments of x[0..<n] (byte step `step`), block by block, blocks merged
/// left to right. The first block, every block of a strided row, and any
/// block whose one-pass sums are not finite (NaN or inf in the data, or a
/// square that overflowed the element type) get an exact two-pass mean and
/// M2, the second pass reading L1. Later blocks of a contiguous row take
/// the one-pass sums around the previous block's mean, so memory is read
/// once (the two-pass blocks read each block twice: bench/README.md).
@inline(__always)
func moments<T: SnakeFloat>(_ n: Int, _ x: UnsafePointer<T>, _ step: Int) -> Moments {
    guard n > 0 else { return .empty }
    let shift = Double(x.pointee)
    let unit = isUnit(step, T.self)
    var acc = Moments.empty
    var start = 0
    var center = T.zero
    while start < n {
        let count = min(varianceBlock, n &- start)
        let p = x.advanced(bytes: start &* step)
        var block = Moments.empty
        if unit && start > 0 {
            let (m2, dsum) = blockDeviations(p, step, count, center)
            // isFinite tests the bits: no FP flag.
            if m2.isFinite && dsum.isFinite { block = blockMoments(count, center, m2, dsum, shift: shift) }
        }
        if block.count == 0 {
            let c = T(blockSum(p, step, count) / Double(count))
            let (m2, dsum) = blockDeviations(p, step, count, c)
            block = blockMoments(count, c, m2, dsum, shift: shift)
        }
        acc = Moments.merge(acc, block)
        center = T(shift + block.mean)
        start &+= count
    }
    return acc
}

/// `moments` of 8 adjacent strided rows at once (Support/Drivers.swift,
/// "Columns"): every block two-pass as a strided row's, each lane's sums in
/// the same order, the blocks' moments merged per lane: the strided path's
/// bits. The block's second pass reads 2048 lines the first just read, from
/// L2.
@inline(__always)
func columnMoments<T: SnakeFloat>(_ n: Int, _ x: UnsafePointer<T>, _ step: Int, into acc: UnsafeMutablePointer<Moments>) {
    let shifts = T.widen(columnLoad(x, 0, step))
    for k in 0..<columnLanes { (acc + k).initialize(to: .empty) }
    var start = 0
    while start < n {
        let count = min(varianceBlock, n &- start)
        let p = x.advanced(bytes: start &* step)
        var sum = SIMD8<Double>()
        for i in 0..<count { sum += T.widen(columnLoad(p, i, step)) }
        var center = SIMD8<T>()
        for k in 0..<columnLanes { center[k] = T(sum[k] / Double(count)) }
        var m2 = SIMD8<Double>(), dsum = SIMD8<Double>()
        for i in 0..<count {
            let e = T.widen(columnLoad(p, i, step) - center)
            m2 += e * e
            dsum += e
        }
        for k in 0..<columnLanes {
            acc[k] = Moments.merge(acc[k], blockMoments(count, center[k], m2[k], dsum[k], shift: shifts[k]))
        }
        start &+= count
    }
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
        finish: { $0.count == 0 ? T.nan : T($0.m2 / max($0.count, 1)) },
        grouped: n > 0 && areColumns(xRow, xStep, T.self) ? MemoryLayout<T>.size : 0,
        columns: { first, count in
            guard n > 0 && areColumns(xRow, xStep, T.self) else { return 0 }
            let regroup = !spansOverlap(x, xRow, xStep, MemoryLayout<T>.size, out, outRow, 0, MemoryLayout<T>.size,
                                        rows: first &+ count, n: n)
            return withUnsafeTemporaryAllocation(of: Moments.self, capacity: columnLanes) { lanes in
                let acc = lanes.baseAddress!
                return columnGroups(first, count, lead: columnLead(x + first), regroup: regroup) { r in
                    columnMoments(n, x.advanced(bytes: r &* xRow), xStep, into: acc)
                    for j in 0..<columnLanes {
                        out.advanced(bytes: (r &+ j) &* outRow).pointee = T(acc[j].m2 / acc[j].count)
                    }
                }
            }
        })
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
