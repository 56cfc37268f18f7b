// histogram: (n),(),()->(m) int64 counts of m equal-width bins on [lo, hi].
//
// Bit-for-bit np.histogram(x, m, (lo, hi))[0] (numpy/lib/_histograms_impl.py,
// the equal-bins path), step by step:
//   edges   = np.linspace(lo, hi, m + 1) in float64, then cast to T:
//             edge[i] = T(i * step + lo), step = (hi - lo) / m, edge[m] = T(hi)
//   keep    x >= T(lo) and x <= T(hi)   (compared in T; NaN fails both)
//   guess   Int(Double(x - T(lo)) / (hi - lo) * m), m -> m - 1
//   fix     one down if x < edge[i]; one up if x >= edge[i + 1] unless last
// The guess is clamped to the bins before any edge is read (NumPy would
// index out of range in the absurd float32 cases where T(hi) - T(lo) is many
// times hi - lo, or overflows; here those values land in the last bin, and
// snake.histogram refuses a range that overflows float32 up front).
//
// `_mt`: chunks of a row count into private bins, added in chunk order;
// rows are split between threads when there are enough of them.

import SnakeABI
import SnakeRuntime

/// np.linspace(lo, hi, m + 1) cast to T, into e[0...m].
@inline(__always)
func binEdges<T: SnakeFloat>(_ m: Int, lo: Double, hi: Double, _ e: UnsafeMutablePointer<T>) {
    let delta = hi - lo, div = Double(m)
    let step = delta / div
    for i in 0..<m {
        // NumPy: y = arange(m + 1) * step + lo, or (i / m) * delta when the
        // step underflows to zero; no fused multiply-add either way.
        let y = step == 0 ? (Double(i) / div) * delta : Double(i) * step
        e[i] = T(y + lo)
    }
    e[m] = T(hi)
}

/// An input element and the float type np.histogram bins it in: floats in
/// their own type, integers in float64.
protocol HistogramValue {
    associatedtype Bin: SnakeFloat
    var bin: Bin { get }
}
extension Double: HistogramValue { @inline(__always) var bin: Double { self } }
extension Float: HistogramValue { @inline(__always) var bin: Float { self } }
extension UInt8: HistogramValue { @inline(__always) var bin: Double { Double(self) } }
extension Int32: HistogramValue { @inline(__always) var bin: Double { Double(self) } }
extension Int64: HistogramValue { @inline(__always) var bin: Double { Double(self) } }

/// Adds the bins of x[0..<n] (byte step xs) to counts[0..<m]; counts[m] is
/// scratch (it collects the values outside [lo, hi]).
@inline(__always)
func countBins<X: HistogramValue>(
    _ n: Int, _ x: UnsafePointer<X>, _ xs: Int, _ m: Int, lo: Double, hi: Double,
    _ e: UnsafePointer<X.Bin>, _ counts: UnsafeMutablePointer<Int64>
) {
    typealias T = X.Bin
    // Ranges the front refuses (float32 overflow of T(hi) or of x - T(lo))
    // would raise FP flags here; counts have no FP result, so leave none.
    let before = testFPFlags(fpNumPyFlags)
    defer { clearFPFlags(fpNumPyFlags & ~before) }
    let loT = T(lo), hiT = T(hi)
    let scale = Double(m), denom = hi - lo, last = m &- 1
    // No branch on the range test (random out-of-range values would
    // mispredict): every value gets a valid bin k, and is counted in it if
    // kept, else in counts[m], a bin nobody reads.
    // NumPy divides by the range, then multiplies by m; one multiplication
    // by their quotient lands within a few ulps of that, and any estimate
    // within one bin of the answer is corrected against the edges below (as
    // NumPy corrects its own). A division per value was the loop's largest
    // cost. A range so narrow that m / range overflows (subnormal bounds)
    // keeps the division.
    let perUnit = scale / denom, lastBin = Double(last)
    let magic: Double = 0x1p52
    @inline(__always) func binOf(_ v: T, divide: Bool) -> Int {
        var f = divide ? (Double(v - loT) / denom) * scale : Double(v - loT) * perUnit
        // Kept values have f >= 0; f >= m goes to the last bin; NaN or
        // negative f (values not kept) take bin 0. In [0, m-1], (f - 0.5) +
        // 2^52 holds floor(f) in its low bits (f itself where f is an exact
        // integer and rounds to an odd one: within one bin): a conversion
        // with no range check to trap on. Round-to-nearest instead sent half
        // of all values through the correction below, whose branches then
        // mispredicted (9 ns/element on random data).
        f = f >= 0 ? f : 0
        f = f <= lastBin ? f : lastBin
        var k = Int(truncatingIfNeeded: ((f - 0.5) + magic).bitPattern &- magic.bitPattern)
        // One step down if v is below k's lower edge, else one up if it
        // reaches k's upper edge, as integer arithmetic: written as `if`s,
        // LLVM emitted branches, which out-of-range values (clamped to bin 0
        // or m-1) sent the wrong way at random.
        let down = (v < e[k] ? 1 : 0) & (k > 0 ? 1 : 0)
        let up = (v >= e[k &+ 1] ? 1 : 0) & (k != last ? 1 : 0) & (1 &- down)
        k = k &- down &+ up
        let keep = (v >= loT ? 1 : 0) & (v <= hiT ? 1 : 0)
        return keep != 0 ? k : m
    }
    if X.self == UInt8.self && n > 1024 {
        // uint8: the bin of each of the 256 values, computed as above, then
        // one table lookup per element.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 256) { table in
            let lut = table.baseAddress!
            for v in 0..<256 { (lut + v).initialize(to: binOf(T(v), divide: true)) }
            let bytes = UnsafeRawPointer(x)
            for i in 0..<n { counts[lut[Int(bytes.load(fromByteOffset: i &* xs, as: UInt8.self))]] &+= 1 }
        }
        return
    }
    if perUnit.isFinite {
        var i = 0
        let vector = (X.self == Double.self || X.self == Float.self) && isUnit(xs, X.self) && denom / scale != 0
        if vector {
            // Counts do not depend on the order values are counted in, so
            // the vectors start at x's first 64-byte boundary, the elements
            // before it counted one by one: at NumPy's 16-byte offset every
            // vector load straddled two lines (histogram_mt float64 1e7 at
            // offset 16: 5.65 ms against 4.1 at offset 0).
            let head = min(n, streamingStart(x) ?? n)
            while i < head {
                counts[binOf(x[i].bin, divide: false)] &+= 1
                i &+= 1
            }
            let raw = UnsafeRawPointer(x + i)
            if X.self == Double.self {
                i &+= countBinsVector(n &- i, raw.assumingMemoryBound(to: Double.self), m, lo: lo, hi: hi, counts)
            } else {
                i &+= countBinsVector(n &- i, raw.assumingMemoryBound(to: Float.self), m, lo: lo, hi: hi, counts)
            }
        }
        while i < n {
            counts[binOf(x.at(i, step: xs).bin, divide: false)] &+= 1
            i &+= 1
        }
    } else {
        for i in 0..<n { counts[binOf(x.at(i, step: xs).bin, divide: true)] &+= 1 }
    }
}

/// countBins' multiplying path for contiguous float64 and float32, 8 values
/// at a time in float64 lanes, with the same arithmetic: the bin estimate,
/// the edges it is checked against (computed as binEdges does, not loaded:
/// a gather per lane cost more), the corrections and the range test, all as
/// lane operations (the comparisons on order keys of x + 0.0, so -0.0
/// compares equal to 0.0). Only the counting is scalar. `load(i)` gives
/// values i..<i+8 widened and x - T(lo) computed in T, then widened;
/// `edge` rounds a float64 edge to T (so comparing in float64 is comparing
/// in T). Returns how many values it counted (whole vectors); the caller
/// counts the rest. Needs a nonzero edge step.
@inline(__always)
func countBinLanes(
    _ n: Int, _ m: Int, lo: Double, hi: Double, loT: Double, hiT: Double, roundoff: Double,
    _ counts: UnsafeMutablePointer<Int64>,
    load: (Int) -> (v: SIMD8<Double>, offset: SIMD8<Double>), edge: (SIMD8<Double>) -> SIMD8<Double>
) -> Int {
    typealias V = SIMD8<Double>
    typealias K = SIMD8<Int64>
    let scale = Double(m), denom = hi - lo, step = denom / scale
    let perUnit = V(repeating: scale / denom), loV = V(repeating: lo), stepV = V(repeating: step)
    let magic = V(repeating: 0x1p52), magicBits = K(repeating: 0x4330_0000_0000_0000)
    let last = K(repeating: Int64(m &- 1)), zero = K(repeating: 0), one = K(repeating: 1)
    let loKey = orderKeys(V(repeating: loT) + V(repeating: 0)), hiKey = orderKeys(V(repeating: hiT) + V(repeating: 0))
    let hiV = V(repeating: hiT)
    // A value whose estimate f lies more than `margin` bins inside bin
    // floor(f) is in that bin by the edges too, so it needs no comparison.
    // f's roundings (x - T(lo) in T, m / (hi - lo), the product) and the
    // edges' (step, k·step, + lo, the cast to T) add up to less than
    // 6·roundoff·(m + reach·m/(hi - lo)) bins, reach = max(|lo|, |hi|,
    // hi - lo), roundoff T's unit roundoff; margin takes 8. A vector with a
    // kept value within the margin of an edge (or f outside [0, m)) takes
    // the comparisons. Random data skip them: histogram float32 1e7 2.1 ->
    // 0.88 ns/element on avx512 (bench/README.md).
    let reach = max(abs(lo), abs(hi), denom)
    let margin = 8 * roundoff * (scale + reach * (scale / denom))
    let fast = denom > 0 && margin < 0.25
    let marginV = V(repeating: margin), farV = V(repeating: 1 - margin), mV = V(repeating: scale)
    let loTV = V(repeating: loT), outside = K(repeating: Int64(m))
    /// Counts the values v (estimates f) without edge comparisons if every
    /// kept one is more than `margin` inside its bin; else returns false.
    @inline(__always) func counted(_ v: V, _ f: V) -> Bool {
        // Float compares: NaN is not kept, -0.0 == 0.0 (FP flags are
        // cleared by countBins). For a kept value f >= 0, and
        // (f + 0.5) + 2^52 holds floor(f) + 1 in its low bits (the ties, f
        // an integer, are on an edge and fail `inside`).
        let kept = (v .>= loTV) .& (v .<= hiV)
        let above = (f + V(repeating: 0.5)) + magic
        let frac = f - ((above - magic) - V(repeating: 1))
        let inside = (frac .> marginV) .& (frac .< farV) .& (f .< mV)
        if anyLane(kept .& .!inside) { return false }
        let k = unsafeBitCast(above, to: K.self) &- (magicBits &+ one)
        // k is in [0, m - 1] for every kept lane by the argument above; the
        // range test keeps a broken argument from writing outside the counts.
        let bins = select(kept .& (k .>= zero) .& (k .<= last), k, outside)
        for l in 0..<8 { counts[Int(bins[l])] &+= 1 }
        return true
    }
    /// Counts the values v (estimates f) by the edges, as np.histogram.
    @inline(__always) func compared(_ v: V, _ f: V) {
        // floor(f) for f in [0, m - 1] (see binOf), then clamped as integers:
        // NaN, negative and huge f land on a valid bin (counted in m below
        // when out of range).
        var k = unsafeBitCast((f - V(repeating: 0.5)) + magic, to: K.self) &- magicBits
        k = select(k .< zero, zero, select(k .> last, last, k))
        // edge[i] = T(i * step + lo) (two roundings, as NumPy's linspace),
        // edge[m] = T(hi).
        let kd = unsafeBitCast(k &+ magicBits, to: V.self) - magic
        let lower = edge(kd * stepV + loV)
        let upper = select(k .== last, hiV, edge((kd + V(repeating: 1)) * stepV + loV))
        let vKey = orderKeys(v + V(repeating: 0))
        let down = (vKey .< orderKeys(lower + V(repeating: 0))) .& (k .> zero)
        let up = (vKey .>= orderKeys(upper + V(repeating: 0))) .& (k .!= last) .& .!down
        k = k &- select(down, one, zero) &+ select(up, one, zero)
        let keep = (vKey .>= loKey) .& (vKey .<= hiKey) .& .!nanLanes(v)
        let bins = select(keep, k, K(repeating: Int64(m)))
        for l in 0..<8 { counts[Int(bins[l])] &+= 1 }
    }
    // Runs of 256 vectors. Data with many values on edges (integers binned
    // at integer edges) would pay for both tests and send vectors both ways
    // at random (mispredicted branches): after a run where more than one
    // vector in 8 was unsure, the next run compares throughout, trying only
    // its first 16 vectors the fast way (to switch back).
    var useFast = fast
    var i = 0
    while n &- i >= 8 {
        let end = i &+ min(256 &* 8, (n &- i) & ~7)
        let tried = useFast ? end : (fast ? min(end, i &+ 16 &* 8) : i)
        var unsure = 0
        while i < tried {
            let (v, offset) = load(i)
            let f = offset * perUnit
            if !counted(v, f) {
                unsure &+= 1
                compared(v, f)
            }
            i &+= 8
        }
        while i < end {
            let (v, offset) = load(i)
            compared(v, offset * perUnit)
            i &+= 8
        }
        useFast = fast && unsure &* 8 <= (useFast ? 256 : 16)
    }
    return i
}

@inline(never)
func countBinsVector(
    _ n: Int, _ x: UnsafePointer<Double>, _ m: Int, lo: Double, hi: Double,
    _ counts: UnsafeMutablePointer<Int64>
) -> Int {
    let loV = SIMD8<Double>(repeating: lo)
    @inline(__always) func load(_ i: Int) -> (v: SIMD8<Double>, offset: SIMD8<Double>) {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Double>.self)
        return (v, v - loV)
    }
    @inline(__always) func edge(_ e: SIMD8<Double>) -> SIMD8<Double> { e }
    return countBinLanes(n, m, lo: lo, hi: hi, loT: lo, hiT: hi, roundoff: 0x1p-53, counts, load: load, edge: edge)
}

@inline(never)
func countBinsVector(
    _ n: Int, _ x: UnsafePointer<Float>, _ m: Int, lo: Double, hi: Double,
    _ counts: UnsafeMutablePointer<Int64>
) -> Int {
    let loF = SIMD8<Float>(repeating: Float(lo))
    @inline(__always) func load(_ i: Int) -> (v: SIMD8<Double>, offset: SIMD8<Double>) {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        return (widen(v), widen(v - loF))
    }
    @inline(__always) func edge(_ e: SIMD8<Double>) -> SIMD8<Double> { roundToFloat(e) }
    return countBinLanes(n, m, lo: lo, hi: hi, loT: Double(Float(lo)), hiT: Double(Float(hi)), roundoff: 0x1p-24,
                         counts, load: load, edge: edge)
}

/// Float32 lanes as Float64, and Float64 lanes rounded to Float32 and back,
/// lane by lane in the source (LLVM makes one vector conversion of each):
/// the stdlib's SIMD conversion initializers were out-of-line calls.
@_transparent
func widen(_ v: SIMD8<Float>) -> SIMD8<Double> {
    var r = SIMD8<Double>()
    for l in 0..<8 { r[l] = Double(v[l]) }
    return r
}

@_transparent
func roundToFloat(_ v: SIMD8<Double>) -> SIMD8<Double> {
    var r = SIMD8<Double>()
    for l in 0..<8 { r[l] = Double(Float(v[l])) }
    return r
}

/// The row and thread driver: edges in the binning type B, counts (with the
/// scratch bin m) per row or per chunk; `count` bins a run of inputs X.
@inline(__always)
func histogramRows<X, B: SnakeFloat>(
    _ rows: Int, _ n: Int, _ m: Int, _ x: UnsafePointer<X>, _ xRow: Int, _ xs: Int,
    _ lo: UnsafePointer<Double>, _ loRow: Int, _ hi: UnsafePointer<Double>, _ hiRow: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int,
    _ count: (_ n: Int, _ x: UnsafePointer<X>, _ xs: Int, _ lo: Double, _ hi: Double,
              _ edges: UnsafePointer<B>, _ counts: UnsafeMutablePointer<Int64>) -> Void
) {
    typealias T = B
    let tasks = taskCount(work: rows &* n, grain: grain)
    let rowTasks = rows >= tasks ? 1 : taskCount(work: n, grain: grain)
    func store(_ r: Int, _ counts: UnsafeMutablePointer<Int64>) {
        let o = out.advanced(bytes: r &* outRow)
        for k in 0..<m { o.advanced(bytes: k &* os).pointee = counts[k] }
    }
    if rowTasks > 1 {
        // Few long rows: private bins per chunk, summed in chunk order.
        withUnsafeTemporaryAllocation(of: T.self, capacity: m &+ 1) { eb in
            // Each chunk's bins start on their own cache lines (threads
            // counting into one line slowed histogram_mt below one thread).
            let stride = (m &+ 1 &+ 7) / 8 &* 8 &+ 8
            withUnsafeTemporaryAllocation(of: Int64.self, capacity: rowTasks &* stride) { cb in
                let e = eb.baseAddress!, cs = cb.baseAddress!
                for r in 0..<rows {
                    let l = lo.advanced(bytes: r &* loRow).pointee, h = hi.advanced(bytes: r &* hiRow).pointee
                    binEdges(m, lo: l, hi: h, e)
                    let xr = x.advanced(bytes: r &* xRow)
                    parallelFor(rowTasks) { t in
                        let (s, c) = split(n, rowTasks, t)
                        let ct = cs + t &* stride
                        ct.initialize(repeating: 0, count: m &+ 1)
                        count(c, xr.advanced(bytes: s &* xs), xs, l, h, e, ct)
                    }
                    for t in 1..<rowTasks {
                        for k in 0..<m { cs[k] &+= cs[t &* stride &+ k] }
                    }
                    store(r, cs)
                }
            }
        }
        return
    }
    // Many rows (or one thread): blocks of whole rows, scratch per block.
    let blocks = min(rows, tasks)
    parallelFor(blocks) { t in
        let (first, nRows) = split(rows, blocks, t)
        withUnsafeTemporaryAllocation(of: T.self, capacity: m &+ 1) { eb in
            withUnsafeTemporaryAllocation(of: Int64.self, capacity: m &+ 1) { cb in
                let e = eb.baseAddress!, c = cb.baseAddress!
                for r in first..<(first &+ nRows) {
                    let l = lo.advanced(bytes: r &* loRow).pointee, h = hi.advanced(bytes: r &* hiRow).pointee
                    binEdges(m, lo: l, hi: h, e)
                    c.initialize(repeating: 0, count: m &+ 1)
                    count(n, x.advanced(bytes: r &* xRow), xs, l, h, e, c)
                    store(r, c)
                }
            }
        }
    }
}

/// Every loop: x in its own type, binned in X.Bin.
@inline(__always)
func histogram<X: HistogramValue>(
    _ rows: Int, _ n: Int, _ m: Int, _ x: UnsafePointer<X>, _ xRow: Int, _ xs: Int,
    _ lo: UnsafePointer<Double>, _ loRow: Int, _ hi: UnsafePointer<Double>, _ hiRow: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) {
    histogramRows(rows, n, m, x, xRow, xs, lo, loRow, hi, hiRow, out, outRow, os, grain) {
        (c, p, step, l, h, e: UnsafePointer<X.Bin>, counts) in
        countBins(c, p, step, m, lo: l, hi: h, e, counts)
    }
}

@c @implementation
public func snake_histogram_f64(
    _ rows: Int, _ n: Int, _ m: Int, _ x: UnsafePointer<Double>, _ xRow: Int, _ xs: Int,
    _ lo: UnsafePointer<Double>, _ loRow: Int, _ hi: UnsafePointer<Double>, _ hiRow: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) { histogram(rows, n, m, x, xRow, xs, lo, loRow, hi, hiRow, out, outRow, os, grain) }

@c @implementation
public func snake_histogram_f32(
    _ rows: Int, _ n: Int, _ m: Int, _ x: UnsafePointer<Float>, _ xRow: Int, _ xs: Int,
    _ lo: UnsafePointer<Double>, _ loRow: Int, _ hi: UnsafePointer<Double>, _ hiRow: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) { histogram(rows, n, m, x, xRow, xs, lo, loRow, hi, hiRow, out, outRow, os, grain) }
