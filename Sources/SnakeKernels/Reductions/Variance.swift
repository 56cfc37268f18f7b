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

/// How far ahead of the fused loop's memory stream lines are requested.
/// That loop spends most of its instructions on the block already in L1, so
/// the out-of-order window covers only a few lines of the stream: the
/// hardware prefetchers alone left a 1e7 row at 30 GB/s where a plain sum
/// reads 55. Requesting each line 8 KiB (two pages) ahead, snake-bench
/// avx512, 1e7, offset 16: float32 1.33 -> 0.86 ms, float64 2.61 -> 1.95 ms
/// (bench/README.md has the distances tried).
let prefetchBytes = 8192

/// Prefetch `lines` cache lines starting `prefetchBytes` past `p`. Never
/// faults, so reaching past the row's end is harmless.
@inline(__always)
func prefetchAhead<T>(_ p: UnsafePointer<T>, lines: Int) {
    let r = UnsafeRawPointer(p) + prefetchBytes
    for k in 0..<lines { snake_prefetch(r + 64 &* k) }
}

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

/// Σ(x - c)² and Σ(x - c) over a block (the second pass), in Float64.
@inline(__always)
func blockDeviations<T: SnakeFloat>(_ p: UnsafePointer<T>, _ step: Int, _ count: Int, _ center: T) -> (Double, Double) {
    let lanes = T.lanes
    var i = 0, m2 = 0.0, dsum = 0.0
    if isUnit(step, T.self) {
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
    return (m2, dsum)
}

#if SNAKE_AVX512
/// Twelve accumulators, which fit the 32 registers of AVX-512 (where T.V is
/// one register): four each of Σ(x - c)², Σ(x - c) over the block in L1 and
/// Σx over the next block.
struct FusedSums<V: SIMD> where V.Scalar: SnakeFloat {
    var a0 = V(), a1 = V(), a2 = V(), a3 = V()
    var d0 = V(), d1 = V(), d2 = V(), d3 = V()
    var s0 = V(), s1 = V(), s2 = V(), s3 = V()

    /// Four vectors of the block in L1 (x) and four of the next block (y).
    @inline(__always)
    mutating func add(_ x: (V, V, V, V), _ y: (V, V, V, V), _ c: V) {
        s0 += y.0
        s1 += y.1
        s2 += y.2
        s3 += y.3
        let e0 = x.0 - c, e1 = x.1 - c, e2 = x.2 - c, e3 = x.3 - c
        a0 = madd(a0, e0, e0)
        a1 = madd(a1, e1, e1)
        a2 = madd(a2, e2, e2)
        a3 = madd(a3, e3, e3)
        d0 += e0
        d1 += e1
        d2 += e2
        d3 += e3
    }
}

/// Four vectors at elements i, i + lanes, ... of p: unaligned loads.
@inline(__always)
func fourLoads<T: SnakeFloat>(_ p: UnsafePointer<T>, _ i: Int) -> (T.V, T.V, T.V, T.V) {
    let lanes = T.lanes
    return (T.load(p, i), T.load(p, i &+ lanes), T.load(p, i &+ 2 &* lanes), T.load(p, i &+ 3 &* lanes))
}

/// The same four vectors from a row whose data starts `shift` (2, 4 or 6)
/// 8-byte words past a 64-byte line (`line`, the line itself): five
/// aligned loads, each vector joined from two of them by one permute. The
/// lanes hold the same elements as the unaligned loads, so the sums round
/// the same; no load crosses a cache line (an unaligned 64-byte load always
/// does, and costs a second L1 access). Reads elements i - shift·8/size up
/// to i + 5·lanes - shift·8/size: callers keep that inside the row.
@inline(__always)
func fourJoinedLoads<T: SnakeFloat>(
    _: T.Type, _ line: UnsafeRawPointer, _ i: Int, _ shift: Int
) -> (T.V, T.V, T.V, T.V) {
    let at = i &* MemoryLayout<T>.stride
    @inline(__always) func aligned(_ k: Int) -> SIMD8<UInt64> {
        line.load(fromByteOffset: at &+ 64 &* k, as: SIMD8<UInt64>.self)
    }
    // Lanes listed one by one: LLVM turns these into one valignq (a loop
    // over the lanes stayed lane by lane, 3.5x slower than unaligned loads).
    @inline(__always) func join(_ a: SIMD8<UInt64>, _ b: SIMD8<UInt64>) -> T.V {
        let v: SIMD8<UInt64>
        switch shift {
        case 2: v = SIMD8(a[2], a[3], a[4], a[5], a[6], a[7], b[0], b[1])
        case 4: v = SIMD8(a[4], a[5], a[6], a[7], b[0], b[1], b[2], b[3])
        default: v = SIMD8(a[6], a[7], b[0], b[1], b[2], b[3], b[4], b[5])
        }
        return unsafeBitCast(v, to: T.V.self)
    }
    let l0 = aligned(0), l1 = aligned(1), l2 = aligned(2), l3 = aligned(3), l4 = aligned(4)
    return (join(l0, l1), join(l1, l2), join(l2, l3), join(l3, l4))
}

/// fusedBlockPasses for data `shift` words past a line (0: unaligned
/// loads throughout). The first and last groups of four vectors load
/// unaligned, so no joined load reaches outside [p, q + count); every group
/// adds the same lanes to the same accumulators in the same order.
@inline(__always)
func fusedBlockSums<T: SnakeFloat>(
    _ p: UnsafePointer<T>, _ count: Int, _ c: T.V, shift: Int, ahead: Bool
) -> FusedSums<T.V> {
    let group = 4 &* T.lanes, q = p + count
    var sums = FusedSums<T.V>()
    var i = 0
    if shift != 0 {
        sums.add(fourLoads(p, 0), fourLoads(q, 0), c)
        i = group
        let back = 8 &* shift
        let pl = UnsafeRawPointer(p) - back, ql = UnsafeRawPointer(q) - back
        while count &- i > group {
            if ahead { prefetchAhead(q + i, lines: 4) }
            sums.add(fourJoinedLoads(T.self, pl, i, shift), fourJoinedLoads(T.self, ql, i, shift), c)
            i &+= group
        }
    }
    while count &- i >= group {
        if ahead { prefetchAhead(q + i, lines: 4) }
        sums.add(fourLoads(p, i), fourLoads(q, i), c)
        i &+= group
    }
    return sums
}
#endif

/// The second pass over one full contiguous block and the first pass over
/// the next, in one loop: the next block streams in from memory while this
/// one (in L1) is read again, so memory never waits on the arithmetic.
/// `count` (a full block) is a multiple of every unroll below. It is a
/// parameter, not the constant: with a constant trip count LLVM unrolled the
/// loop and rebuilt the vectors from 128-bit pieces (3x slower). Not
/// inlined: inside variance's row closure the AVX2 and SSE builds kept
/// `snake_prefetch` as a call per vector (2x slower); one call per block
/// costs nothing measurable.
@inline(never)
func fusedBlockPasses<T: SnakeFloat>(
    _ p: UnsafePointer<T>, _ count: Int, _ center: T, ahead: Bool
) -> (Double, Double, Double) {
    let lanes = T.lanes, q = p + count
    let c = T.V(repeating: center)
    #if SNAKE_AVX512
    // NumPy's arrays start 16-byte aligned (malloc), most often 16 bytes
    // past a line (large ones: glibc's mmap'd chunks): one loop per such
    // offset, each with its permute constant (the loop is written once).
    // snake-bench --offset 16, 1e7: float64 3.09 -> 2.75 ms, float32
    // 1.57 -> 1.32 ms (bench/README.md).
    let sums: FusedSums<T.V>
    switch Int(bitPattern: p) & 63 {
    case 16: sums = fusedBlockSums(p, count, c, shift: 2, ahead: ahead)
    case 32: sums = fusedBlockSums(p, count, c, shift: 4, ahead: ahead)
    case 48: sums = fusedBlockSums(p, count, c, shift: 6, ahead: ahead)
    default: sums = fusedBlockSums(p, count, c, shift: 0, ahead: ahead)
    }
    return (laneSum((sums.a0 + sums.a1) + (sums.a2 + sums.a3)), laneSum((sums.d0 + sums.d1) + (sums.d2 + sums.d3)),
            laneSum((sums.s0 + sums.s1) + (sums.s2 + sums.s3)))
    #else
    // T.V spans two (AVX2) or four (SSE) of 16 registers. These tiers fuse
    // only rows from memory (`moments`), so they always prefetch.
    var a0 = T.V(), d0 = T.V(), s0 = T.V()
    var i = 0
    while count &- i >= lanes {
        prefetchAhead(q + i, lines: 1)
        s0 += T.load(q, i)
        let e0 = T.load(p, i) - c
        a0 = madd(a0, e0, e0)
        d0 += e0
        i &+= lanes
    }
    return (laneSum(a0), laneSum(d0), laneSum(s0))
    #endif
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

/// Moments of x[0..<n] (byte step `step`), block by block: each block gets
/// an exact two-pass mean and M2 (the second pass reads L1), blocks merge
/// left to right. For contiguous rows the second pass over a block runs in
/// the same loop as the first pass over the next block.
@inline(__always)
func moments<T: SnakeFloat>(_ n: Int, _ x: UnsafePointer<T>, _ step: Int) -> Moments {
    guard n > 0 else { return .empty }
    let shift = Double(x.pointee)
    #if SNAKE_AVX512
    let fuse = isUnit(step, T.self)
    #else
    // With 16 registers the fused loop has one accumulator of each kind and
    // waits on FMA latency: faster only when memory is the limit (1e7),
    // slower at 1e5 in L2 (bench/README.md).
    let fuse = isUnit(step, T.self) && n >= twoStreamMinimum
    #endif
    // Rows of 2^20 elements and more come from memory (bench/README.md).
    let ahead = n >= twoStreamMinimum
    var acc = Moments.empty
    var start = 0
    var count = min(varianceBlock, n)
    var sum = blockSum(x, step, count)
    while true {
        let p = x.advanced(bytes: start &* step)
        let center = T(sum / Double(count))
        let next = start &+ count, nextCount = min(varianceBlock, n &- next)
        let m2: Double, dsum: Double
        if fuse && nextCount == varianceBlock {
            (m2, dsum, sum) = fusedBlockPasses(p, count, center, ahead: ahead)
        } else {
            (m2, dsum) = blockDeviations(p, step, count, center)
            if nextCount > 0 { sum = blockSum(x.advanced(bytes: next &* step), step, nextCount) }
        }
        acc = Moments.merge(acc, blockMoments(count, center, m2, dsum, shift: shift))
        if nextCount == 0 { return acc }
        start = next
        count = nextCount
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
