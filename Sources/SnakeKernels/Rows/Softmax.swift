// softmax: (n)->(n), exp(x - max(x)) / Σ exp(x - max(x)) per row.
//
// Two passes, the second over the output only. The first walks the row in
// blocks of `softmaxBlock`: the block's maximum (a NaN anywhere wins and
// the row becomes NaN) updates a running shift s, the sum so far is
// rescaled by e^(s_old - s), and e^(x - s) is written to out and summed.
// The second multiplies each block by e^(s_block - max) / sum. So x
// is read from memory once (a separate max pass read it twice), and the
// output is rescaled by a multiply, not a division. The block scan finds
// the minimum too: a block whose x - s all lie within exp's fast range
// (every block of ordinary data) runs exp without its per-vector range
// test, with the same bits. -inf entries give 0; a row of all -inf gives
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
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ m: T,
    inRange: Bool, prefetch: Bool
) -> Double {
    var total = 0.0
    var i = 0
    var underflow = false
    let unit = MemoryLayout<T>.stride
    if !(isUnit(xs, T.self) && isUnit(os, T.self)) && n >= T.lanes {
        // Strided: each block of up to 64 vectors gathered into a scratch
        // and run through the contiguous loop below (the same blocks and
        // sums, so the same bits as a contiguous row), then scattered. The
        // scalar tail's exp was the whole vector's work per element: float64
        // x[::2] of 1e5 took 5.8-8.5 ns/element against 0.9-1.1 contiguous.
        // The scratch is sized to the row, 16-byte aligned (stack; above 16
        // the stdlib allocates on the heap), as in mapStrided.
        let block = min(64 &* T.lanes, n / T.lanes &* T.lanes)
        withUnsafeTemporaryAllocation(of: T.self, capacity: 2 &* block) { buffer in
            let bx = buffer.baseAddress!, bo = bx + block
            while n &- i >= T.lanes {
                let c = min(block, (n &- i) / T.lanes &* T.lanes)
                for k in 0..<c { bx[k] = x.at(i &+ k, step: xs) }
                total += expShifted(c, bx, unit, bo, unit, m, inRange: inRange, prefetch: false)
                for k in 0..<c { out.advanced(bytes: (i &+ k) &* os).pointee = bo[k] }
                i &+= c
            }
        }
    }
    if isUnit(xs, T.self) && isUnit(os, T.self) {
        let mv = T.V(repeating: m)
        // Blocks of 64 vectors summed in T, then added in Float64: a float32
        // running sum over millions of terms would lose ~1e-5.
        while n &- i >= T.lanes {
            let end = i &+ min(64 &* T.lanes, (n &- i) / T.lanes &* T.lanes)
            var acc = T.V()
            // Two copies of the loop, chosen outside it: with the range test
            // (`T.exp`) and without (`T.expInRange`, same bits).
            if inRange {
                while i < end {
                    if prefetch { snake_prefetch(UnsafeRawPointer(x + i) + softmaxPrefetchDistance) }
                    var e = T.expInRange(T.load(x, i) - mv)
                    // A byte copy, not T.store: here the stdlib's unaligned
                    // vector store stayed an out-of-line call for
                    // SIMD16<Float>, and the whole float32 loop ran in xmm
                    // pieces around it.
                    withUnsafeBytes(of: &e) { UnsafeMutableRawPointer(out + i).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                    acc += e
                    i &+= T.lanes
                }
            } else {
                while i < end {
                    if prefetch { snake_prefetch(UnsafeRawPointer(x + i) + softmaxPrefetchDistance) }
                    var e = T.exp(T.load(x, i) - mv, underflow: &underflow)
                    withUnsafeBytes(of: &e) { UnsafeMutableRawPointer(out + i).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                    acc += e
                    i &+= T.lanes
                }
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

/// Least and greatest element of x[0..<n] (byte step `step`); the greatest
/// is NaN if the row holds one. argmax's scan without the position (the
/// position pass was 4% of softmax float64 at 1e5) and with the minimum. As
/// argmaxRange, a NaN may raise "invalid" (the caller clears it); -0.0 or
/// +0.0 may come out for a zero maximum.
@inline(__always)
func rangeOf<T: SnakeFloat>(_ n: Int, _ x: UnsafePointer<T>, _ step: Int) -> (min: T, max: T) {
    var low = T.infinity, top = -T.infinity
    var i = 0
    if isUnit(step, T.self) && n >= T.lanes {
        let (l, m, nan) = T.blockRange(x, n / T.lanes &* T.lanes)
        if nan { return (l, .nan) }
        (low, top) = (l, m)
        i = n / T.lanes &* T.lanes
    }
    while i < n {
        let v = x.at(i, step: step)
        if v.isNaN { return (low, v) }
        if v > top { top = v }
        if v < low { low = v }
        i &+= 1
    }
    return (low, top)
}

/// softmax's block scan (count a positive multiple of lanes): argmax's
/// blockMax with a minimum beside the maximum, so the exp pass knows
/// whether it may skip exp's range test. Concrete per type, as blockMax.
@inline(__always)
func softmaxBlockRange(_ p: UnsafePointer<Double>, _ count: Int) -> (min: Double, max: Double, nan: Bool) {
    typealias V = SIMD8<Double>
    let lanes = V.scalarCount
    var hi0 = V(repeating: -.infinity), hi1 = hi0, lo0 = V(repeating: .infinity), lo1 = lo0
    var nan = V.MaskStorage.zero  // NaN lanes, all ones
    var i = 0
    while count &- i >= 2 &* lanes {
        let a = Double.load(p, i), b = Double.load(p, i &+ lanes)
        hi0 = select(a .> hi0, a, hi0)
        hi1 = select(b .> hi1, b, hi1)
        lo0 = select(a .< lo0, a, lo0)
        lo1 = select(b .< lo1, b, lo1)
        nan |= maskBits(a .!= a) | maskBits(b .!= b)
        i &+= 2 &* lanes
    }
    if i < count {
        let a = Double.load(p, i)
        hi0 = select(a .> hi0, a, hi0)
        lo0 = select(a .< lo0, a, lo0)
        nan |= maskBits(a .!= a)
    }
    hi0 = select(hi1 .> hi0, hi1, hi0)
    lo0 = select(lo1 .< lo0, lo1, lo0)
    var top = hi0[0], low = lo0[0]  // not .max() / .min(): generic calls
    for k in 1..<lanes {
        if hi0[k] > top { top = hi0[k] }
        if lo0[k] < low { low = lo0[k] }
    }
    return (low, top, nan != .zero)
}

@inline(__always)
func softmaxBlockRange(_ p: UnsafePointer<Float>, _ count: Int) -> (min: Float, max: Float, nan: Bool) {
    typealias V = SIMD16<Float>
    let lanes = V.scalarCount
    var hi0 = V(repeating: -.infinity), hi1 = hi0, lo0 = V(repeating: .infinity), lo1 = lo0
    var nan = V.MaskStorage.zero
    var i = 0
    while count &- i >= 2 &* lanes {
        let a = Float.load(p, i), b = Float.load(p, i &+ lanes)
        hi0 = select(a .> hi0, a, hi0)
        hi1 = select(b .> hi1, b, hi1)
        lo0 = select(a .< lo0, a, lo0)
        lo1 = select(b .< lo1, b, lo1)
        nan |= maskBits(a .!= a) | maskBits(b .!= b)
        i &+= 2 &* lanes
    }
    if i < count {
        let a = Float.load(p, i)
        hi0 = select(a .> hi0, a, hi0)
        lo0 = select(a .< lo0, a, lo0)
        nan |= maskBits(a .!= a)
    }
    hi0 = select(hi1 .> hi0, hi1, hi0)
    lo0 = select(lo1 .< lo0, lo1, lo0)
    var top = hi0[0], low = lo0[0]
    for k in 1..<lanes {
        if hi0[k] > top { top = hi0[k] }
        if lo0[k] < low { low = lo0[k] }
    }
    return (low, top, nan != .zero)
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

/// float64 rows of this many bytes or more come from memory: while a
/// block's exp runs from L1, the line `softmaxPrefetchDistance` bytes (two
/// blocks) ahead of each vector is requested, so memory works while the
/// core computes. snake-bench 1e7 float64: avx512 12.5-13.5 -> 11.1-12.1
/// ms, avx2 16.6 -> 15.5, baseline 33.5-34 -> 32.5 (distances of 16-96 KiB
/// within noise of each other). float32 rows do not: its cheaper exp left
/// memory less behind, and every distance from 4 to 32 KiB was slower
/// (avx512 5.2-5.4 -> 5.3-5.8 ms, avx2 5.8-6.0 -> 6.2-6.5).
let softmaxPrefetchMinimum = 1 << 20
let softmaxPrefetchDistance = 32 << 10

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
    // rangeOf's vector scan (contiguous rows of a vector or more) may
    // raise "invalid" on a NaN; a row holding a NaN is NaN quietly, as
    // NumPy's formula gives it. Other rows never test the flags.
    let quiet = isUnit(xs, T.self) && n >= T.lanes && testFPFlags(fpInvalid) == 0
    // The last blocks prefetch lines past the row's end: harmless, a
    // prefetch never faults.
    let prefetch = T.self == Double.self && isUnit(xs, T.self) && n &* MemoryLayout<T>.stride >= softmaxPrefetchMinimum
    while start < n {
        let count = min(softmaxBlock, n &- start)
        let xb = x.advanced(bytes: start &* xs), ob = out.advanced(bytes: start &* os)
        let (least, m) = rangeOf(count, xb, xs)  // a NaN wins
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
            // e^(x - shift) without exp's range test where every x - shift
            // is within its bound: x - shift >= least - shift (a rounded
            // difference is monotone in x) and <= 0; NaN (+inf - +inf) fails.
            let inRange = least - shift >= -T.expInRangeBound
            total += expShifted(count, xb, xs, ob, os, shift, inRange: inRange, prefetch: prefetch)
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

/// Steps of a column group along which softmax takes the column path: its
/// scratch holds a group's e^(x - s), n vectors of 8 (16 MiB of float64,
/// at most the size of the output of the 8 columns it serves; heap, one
/// per thread and call). Longer columns take the strided path.
let softmaxColumnSteps = 1 << 18

/// e^v for two steps of a group (8 lanes each), through T's vector exp
/// (T.V: one step of float64, two of float32), without its range test
/// where the caller checked it (the same bits).
@inline(__always)
func expSteps<T: SnakeFloat>(_ a: SIMD8<T>, _ b: SIMD8<T>, inRange: Bool, _ underflow: inout Bool) -> (SIMD8<T>, SIMD8<T>) {
    if T.V.scalarCount == 8 {
        let va = unsafeBitCast(a, to: T.V.self), vb = unsafeBitCast(b, to: T.V.self)
        let ea = inRange ? T.expInRange(va) : T.exp(va, underflow: &underflow)
        let eb = inRange ? T.expInRange(vb) : T.exp(vb, underflow: &underflow)
        return (unsafeBitCast(ea, to: SIMD8<T>.self), unsafeBitCast(eb, to: SIMD8<T>.self))
    }
    let v = unsafeBitCast((a, b), to: T.V.self)
    return unsafeBitCast(inRange ? T.expInRange(v) : T.exp(v, underflow: &underflow), to: (SIMD8<T>, SIMD8<T>).self)
}

/// softmax of 8 adjacent rows (columns of x, Support/Drivers.swift,
/// "Columns"), lane k the bits of softmaxFirstPass and softmaxScale on row
/// k: the same blocks of softmaxBlock steps and running shift, e^(x - s)
/// summed in T in the row's vector lanes (a step's position in its run of
/// 64 vectors, modulo T's lane count, picks its accumulator), each run's
/// lanes added in Float64 in order, the block's scalar tail element by
/// element; then each block scaled by e^(s_block - max) / total. The
/// first pass keeps e^(x - s) in `e` (n vectors), the second writes out,
/// so nothing is written before a group is known to be ordinary: a NaN
/// or a shift of -inf in any lane (rows NaN, or all -inf so far) returns
/// false with out untouched and the "invalid" flag as it was, and the
/// caller runs the 8 rows on the row path.
@inline(never)
func softmaxColumnGroup<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ os: Int,
    _ e: UnsafeMutablePointer<SIMD8<T>>, _ shifts: UnsafeMutablePointer<SIMD8<Double>>, _ acc: UnsafeMutablePointer<SIMD8<T>>
) -> Bool {
    // Compares and arithmetic on SIMD8<Double> (T's values widened, which
    // is exact): generic SIMD8<T> compares run lane by lane (SnakeFloat.swift,
    // "Why vector loops are requirements"). float32's sums, differences
    // and products are rounded from Float64's, the bits of Float's own
    // operations (53 >= 2 * 24 + 2 bits: rounding twice is innocuous).
    typealias D = SIMD8<Double>
    let lanes = T.V.scalarCount
    let invalidBefore = testFPFlags(fpInvalid) != 0
    var shift = D(repeating: -.infinity), total = D()
    var underflow = false
    var start = 0, b = 0
    while start < n {
        let count = min(softmaxBlock, n &- start)
        var hi = D(repeating: -.infinity), lo = D(repeating: .infinity)
        var nan = SIMDMask<SIMD8<Int64>>(repeating: false)
        for i in start..<(start &+ count) {
            let v = T.widen(columnLoad(x, i, xs))
            hi = select(v .> hi, v, hi)
            lo = select(v .< lo, v, lo)
            nan .|= v .!= v
        }
        if anyLane(nan) {
            if !invalidBefore { clearFPFlags(fpInvalid) }  // the compares' flag: NaN rows are quiet
            return false
        }
        let up = hi .> shift
        if anyLane(up) {
            // Only the lanes whose row rescales (a higher maximum, a sum
            // not 0: the shift is finite) compute e^(s_old - s_new); the
            // others take e^0 = 1, so no lane raises a flag its row does not
            // (-inf - -inf, or an overflow in a product thrown away).
            let rescale = up .& (total .!= D())
            var ignored = false
            let factor = vectorExp(select(rescale, shift, D()) - select(rescale, hi, D()), underflow: &ignored)
            total = select(rescale, total * factor, total)
            shift = select(up, hi, shift)
        }
        if anyLane(shift .== D(repeating: -.infinity)) {
            if !invalidBefore { clearFPFlags(fpInvalid) }  // as below; the row path raises its own
            return false
        }
        let inRange = !anyLane(.!(T.widen(T.narrow(lo - shift)) .>= D(repeating: -Double(T.expInRangeBound))))
        // The block's sum from 0, then added to the total (as expShifted's).
        var blockTotal = D()
        let vectors = start &+ count / lanes &* lanes
        var i = start
        while i < vectors {
            let end = i &+ min(64 &* lanes, vectors &- i)
            for j in 0..<lanes { acc[j] = SIMD8() }
            var j = 0
            while i < end {
                let (ea, eb) = expSteps(T.narrow(T.widen(columnLoad(x, i, xs)) - shift),
                                        T.narrow(T.widen(columnLoad(x, i &+ 1, xs)) - shift), inRange: inRange, &underflow)
                e[i] = ea
                e[i &+ 1] = eb
                acc[j] = T.narrow(T.widen(acc[j]) + T.widen(ea))
                acc[j &+ 1] = T.narrow(T.widen(acc[j &+ 1]) + T.widen(eb))
                j = j &+ 2 == lanes ? 0 : j &+ 2
                i &+= 2
            }
            var sum = D()
            for j in 0..<lanes { sum += T.widen(acc[j]) }
            blockTotal += sum
        }
        while i < start &+ count {
            let d = T.narrow(T.widen(columnLoad(x, i, xs)) - shift)
            let (ea, _) = expSteps(d, d, inRange: false, &underflow)
            e[i] = ea
            blockTotal += T.widen(ea)
            i &+= 1
        }
        total += blockTotal
        shifts[b] = shift
        start &+= count
        b &+= 1
    }
    if underflow { raiseFPFlags(fpUnderflow) }  // as np.exp does
    start = 0
    b = 0
    while start < n {
        let count = min(softmaxBlock, n &- start)
        var ignored = false
        let f = T.widen(T.narrow(vectorExp(shifts[b] - shift, underflow: &ignored) / total))
        walkGroup(start..<(start &+ count), out, outRow, os) { i in T.narrow(T.widen(e[i]) * f) }
        start &+= count
        b &+= 1
    }
    return true
}

@inline(__always)
func softmax<T: SnakeFloat>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ os: Int, _ grain: Int
) {
    let row = { (r: Int) in
        let xr = x.advanced(bytes: r &* xRow), or = out.advanced(bytes: r &* outRow)
        guard n > 0 else { return }
        withUnsafeTemporaryAllocation(of: T.self, capacity: softmaxBlocks(n)) { shifts in
            let s0 = shifts.baseAddress!
            let (m, total) = softmaxFirstPass(n, xr, xs, or, os, s0)
            if fillUndefinedRow(n, or, os, m) { return }
            softmaxScale(n, or, os, s0, m, total)
        }
    }
    vecRows(
        rows: rows, n: n, grain: grain,
        row: row,
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
        },
        grouped: areColumns(xRow, xs, T.self) && n <= softmaxColumnSteps ? MemoryLayout<T>.size : 0,
        columns: { first, count in
            guard areColumns(xRow, xs, T.self) && n > 0 && n <= softmaxColumnSteps && count >= columnLanes else { return 0 }
            let regroup = !spansOverlap(x, xRow, xs, MemoryLayout<T>.size, out, outRow, os, MemoryLayout<T>.size,
                                        rows: first &+ count, n: n)
            return withUnsafeTemporaryAllocation(of: SIMD8<T>.self, capacity: n &+ 16) { scratch in
            withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: softmaxBlocks(n)) { shiftScratch in
                let e = scratch.baseAddress!, acc = e + n, shifts = shiftScratch.baseAddress!
                return columnGroups(first, count, lead: columnLead(x + first), regroup: regroup) { r in
                    if !softmaxColumnGroup(n, x + r, xs, out.advanced(bytes: r &* outRow), outRow, os, e, shifts, acc) {
                        for j in 0..<columnLanes { row(r &+ j) }
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
