// softmax: (n)->(n), exp(x - max(x)) / Σ exp(x - max(x)) per row.
//
// Two passes, the second over the output only. The first walks the row in
// blocks of `softmaxBlock`: the block's maximum (argmax's kernel, so a NaN
// anywhere wins and the row becomes NaN) updates a running shift s, the sum
// so far is rescaled by e^(s_old - s), and e^(x - s) is written to out and
// summed. The second multiplies each block by e^(s_block - max) / sum. So x
// is read from memory once (a separate max pass read it twice), and the
// output is rescaled by a multiply, not a division. -inf entries give 0; a row of all -inf gives
// NaN, as the NumPy formula does (-inf - -inf). `_mt` on a long row runs
// both passes in parallel chunks (the maxima and sums merged in chunk order).

import SnakeABI
import SnakeRuntime

/// out[i] = exp(x[i] - m); returns Σ out[i] in Float64.
/// Not inlined into softmax's row closures: inside them (argmax, exp and the
/// division together) the optimizer stopped inlining, and the float32 loop
/// called the stdlib's vector load and store out of line, in xmm pieces.
@inline(never)
func expShifted<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ m: T
) -> Double {
    var total = 0.0
    var i = 0
    var underflow = false
    if isUnit(xs, T.self) && isUnit(os, T.self) {
        let mv = T.V(repeating: m)
        // Blocks of 64 vectors summed in T, then added in Float64: a float32
        // running sum over millions of terms would lose ~1e-5.
        while n &- i >= T.lanes {
            let end = i &+ min(64 &* T.lanes, (n &- i) / T.lanes &* T.lanes)
            var acc = T.V()
            while i < end {
                var e = T.exp(T.load(x, i) - mv, underflow: &underflow)
                // A byte copy, not T.store: here the stdlib's unaligned
                // vector store stayed an out-of-line call for SIMD16<Float>,
                // and the whole float32 loop ran in xmm pieces around it.
                withUnsafeBytes(of: &e) { UnsafeMutableRawPointer(out + i).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                acc += e
                i &+= T.lanes
            }
            total += laneSum(acc)
        }
    }
    while i < n {
        let e = T.exp(T.V(repeating: x.at(i, step: xs) - m), underflow: &underflow)[0]
        out.advanced(bytes: i &* os).pointee = e
        total += Double(e)
        i &+= 1
    }
    if underflow { raiseFPFlags(fpUnderflow) }  // as np.exp does
    return total
}

/// A row whose maximum is NaN (a NaN in it) or -inf (all -inf) is NaN, as
/// the NumPy formula gives; the -inf case warns "invalid" like its
/// -inf - -inf, the NaN case is quiet. Returns whether the row was filled.
@inline(__always)
func fillUndefinedRow<T: SnakeFloat>(_ n: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ m: T) -> Bool {
    let b = m.bits
    let isNaN = T.isNaN(bits: b), isMinusInf = b == (-T.infinity).bits
    guard isNaN || isMinusInf else { return false }
    for i in 0..<n { out.advanced(bytes: i &* os).pointee = T.nan }
    if isMinusInf { raiseFPFlags(fpInvalid) }
    return true
}

/// Elements per block of softmax's first pass. Each block is read twice,
/// for its maximum and then for exp; the second read comes from L1.
let softmaxBlock = 2048

@inline(__always)
func softmaxBlocks(_ n: Int) -> Int { (n &+ softmaxBlock &- 1) / softmaxBlock }

/// e^d for one Float64 (the vector exp, one lane used; no libm call).
@inline(__always)
func expScalar(_ d: Double) -> Double {
    var underflow = false  // a rescaling factor: no flag of its own
    return vectorExp(SIMD8<Double>(repeating: d), underflow: &underflow)[0]
}

/// The first pass over x[0..<n]: each block's maximum updates the running
/// shift s (the sum so far is rescaled by e^(s_old - s_new)), then
/// out[i] = e^(x[i] - s) for the block and shifts[b] = s. Returns the final
/// s (the row maximum; NaN as soon as a block has a NaN, since that row is
/// all NaN) and Σ e^(x[i] - s) in Float64.
@inline(never)
func softmaxFirstPass<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int,
    _ shifts: UnsafeMutablePointer<T>
) -> (shift: T, total: Double) {
    var shift = -T.infinity, total = 0.0
    var start = 0, b = 0
    // maxRange's vector scan (contiguous rows of a vector or more) may
    // raise "invalid" on a NaN; a row holding a NaN is NaN quietly, as
    // NumPy's formula gives it. Other rows never test the flags.
    let quiet = isUnit(xs, T.self) && n >= T.lanes && testFPFlags(fpInvalid) == 0
    while start < n {
        let count = min(softmaxBlock, n &- start)
        let xb = x.advanced(bytes: start &* xs), ob = out.advanced(bytes: start &* os)
        let m = maxRange(count, xb, xs)  // a NaN wins
        if T.isNaN(bits: m.bits) {
            if quiet { clearFPFlags(fpInvalid) }
            return (m, .nan)
        }
        if m > shift {
            // total is 0 while the shift is -inf (so no -inf - -inf here).
            if total != 0 { total *= expScalar(Double(shift) - Double(m)) }
            shift = m
        }
        if shift == -T.infinity {  // all -inf so far: e^(x - max) will be 0
            for i in 0..<count { ob.advanced(bytes: i &* os).pointee = 0 }
        } else {
            total += expShifted(count, xb, xs, ob, os, shift)
        }
        shifts[b] = shift
        start &+= count
        b &+= 1
    }
    return (shift, total)
}

/// The second pass: block b of out times e^(shifts[b] - m) / total (so out
/// becomes e^(x - m) / total; the factor is 1 / total where the block's
/// shift is the maximum).
@inline(never)
func softmaxScale<T: SnakeFloat>(
    _ n: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ shifts: UnsafePointer<T>, _ m: T, _ total: Double
) {
    var start = 0, b = 0
    while start < n {
        let count = min(softmaxBlock, n &- start)
        let f = T(expScalar(Double(shifts[b]) - Double(m)) / total)
        let ob = out.advanced(bytes: start &* os)
        var i = 0
        if isUnit(os, T.self) {
            let fv = T.V(repeating: f)
            while count &- i >= T.lanes {
                T.store(T.load(UnsafePointer(ob), i) * fv, ob, i)
                i &+= T.lanes
            }
        }
        while i < count {
            let p = ob.advanced(bytes: i &* os)
            p.pointee = p.pointee * f
            i &+= 1
        }
        start &+= count
        b &+= 1
    }
}

@inline(__always)
func softmax<T: SnakeFloat>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ os: Int, _ grain: Int
) {
    vecRows(
        rows: rows, n: n, grain: grain,
        row: { r in
            let xr = x.advanced(bytes: r &* xRow), or = out.advanced(bytes: r &* outRow)
            guard n > 0 else { return }
            withUnsafeTemporaryAllocation(of: T.self, capacity: softmaxBlocks(n)) { shifts in
                let s0 = shifts.baseAddress!
                let (m, total) = softmaxFirstPass(n, xr, xs, or, os, s0)
                if fillUndefinedRow(n, or, os, m) { return }
                softmaxScale(n, or, os, s0, m, total)
            }
        },
        longRow: { r, tasks in
            let xr = x.advanced(bytes: r &* xRow), or = out.advanced(bytes: r &* outRow)
            // Chunk t's block shifts start at first[t] in one scratch array.
            var blocks = 0
            for t in 0..<tasks { blocks &+= softmaxBlocks(split(n, tasks, t).1) }
            withUnsafeTemporaryAllocation(of: T.self, capacity: blocks) { shifts in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: tasks) { first in
            withUnsafeTemporaryAllocation(of: (shift: T, total: Double).self, capacity: tasks) { parts in
                let s0 = shifts.baseAddress!, f0 = first.baseAddress!, p0 = parts.baseAddress!
                var at = 0
                for t in 0..<tasks {
                    (f0 + t).initialize(to: at)
                    at &+= softmaxBlocks(split(n, tasks, t).1)
                }
                parallelFor(tasks) { t in
                    let (s, c) = split(n, tasks, t)
                    (p0 + t).initialize(to: softmaxFirstPass(c, xr.advanced(bytes: s &* xs), xs,
                                                             or.advanced(bytes: s &* os), os, s0 + f0[t]))
                }
                // Merged in chunk order: the maximum (a NaN wins), then the
                // chunks' sums rescaled to it.
                var m = p0[0].shift
                for t in 1..<tasks where !T.isNaN(bits: m.bits) {
                    let c = p0[t].shift
                    if T.isNaN(bits: c.bits) || c > m { m = c }
                }
                if fillUndefinedRow(n, or, os, m) { return }
                var total = 0.0
                for t in 0..<tasks where p0[t].total != 0 {
                    total += p0[t].total * expScalar(Double(p0[t].shift) - Double(m))
                }
                parallelFor(tasks) { t in
                    let (s, c) = split(n, tasks, t)
                    softmaxScale(c, or.advanced(bytes: s &* os), os, s0 + f0[t], m, total)
                }
            }
            }
            }
        })
}

@c @implementation
public func snake_softmax_f64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Double>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Double>, _ outRow: Int, _ os: Int, _ grain: Int
) { softmax(rows, n, x, xRow, xs, out, outRow, os, grain) }

@c @implementation
public func snake_softmax_f32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Float>, _ outRow: Int, _ os: Int, _ grain: Int
) { softmax(rows, n, x, xRow, xs, out, outRow, os, grain) }
