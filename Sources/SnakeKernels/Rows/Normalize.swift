// normalize: (n)->(n), x / ‖x‖₂ per row; an all-zero row is copied as is.
//
// ‖x‖² is summed in Float64 (sum_sq's kernel). When that overflows or
// underflows with finite data, the row is rescaled by its largest
// magnitude m: out = (x / m) / ‖x / m‖, which stays exact to a few ulps for
// rows near 1e300 or 1e-300. `_mt` on a long row: the squares are summed in
// parallel chunks first, then the division runs in parallel. Float64 rows
// divide through the norm's reciprocal on FMA tiers (VectorDivisor), with
// the bits of the division.

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

/// Eight rows' norms when each row's Σx² (`ss`) takes normDivisor's first
/// case (finite, at least T's least normal magnitude · 2^46), in one
/// vector square root (the same bits as lane by lane); nil if a lane does
/// not. Tested on the bits: Σx² is +0 or more or a NaN (of either sign),
/// so the signed integer range holds exactly the plain sums, and no float
/// compare meets a NaN.
@inline(__always)
func plainNorms<T: SnakeFloat>(_ ss: SIMD8<Double>, _: T.Type) -> SIMD8<Double>? {
    let bits = unsafeBitCast(ss, to: SIMD8<Int64>.self)
    let low = SIMD8<Int64>(repeating: Int64((Double(T.leastNormalMagnitude) * 0x1p46).bitPattern))
    let high = SIMD8<Int64>(repeating: Int64(Double.greatestFiniteMagnitude.bitPattern))
    guard !anyLane((bits .< low) .| (bits .> high)) else { return nil }
    return ss.squareRoot()
}

/// x / d for Float64 vectors, correctly rounded (the same bits as vdivpd),
/// from d's reciprocal where the build has FMA: vdivpd's throughput was
/// the whole cost of normalize float64 in cache (0.7x numba's fastmath
/// multiply by the reciprocal, which is not x / d).
///
/// The reciprocal is kept as two doubles, y = RN(1/d) and yLo = (1 - d·y)·y
/// (1/d to about 2^-104), so q = x·y + x·yLo (one multiply, one FMA) is
/// within half an ulp plus a hair of x/d: faithful. By Markstein's theorem
/// (y within half an ulp of 1/d, q within one ulp of x/d, no underflow),
/// x - q·d is then exact and q + (x - q·d)·y, one FMA each, rounds to
/// x/d exactly. (With y alone, x·y can be 1.5 ulp off, outside the
/// theorem.) Checked against x/d on 2e8 random and adversarial pairs (d's
/// and x's significands near 1 and near 2, exponents -60..60): no miss.
/// The proof needs normal numbers throughout, so this runs only for
/// 2^-1000 <= d <= 2^1000, and a vector with a lane 0 < |x| <
/// max(2^-960, d·2^-1000) divides instead (x - q·d could fall below the
/// normal range, or x/d be subnormal). ±0 lanes keep their sign, as ±0 / d
/// does (the correction turns -0.0 into +0.0). Every x is finite here: an
/// inf or NaN makes the norm inf or NaN.
#if SNAKE_FMA
let reciprocalDivision = true
#else
let reciprocalDivision = false  // without FMA the residual x - q·d is not exact
#endif

struct VectorDivisor {
    let d: SIMD8<Double>, y: SIMD8<Double>, yLo: SIMD8<Double>
    let negD: SIMD8<Double>  // -d: fma(q, -d, x) is fma(-q, d, x), and Swift's -q was a 0 - q
    let tinyBits: SIMD8<Int64>  // the bits of the smallest |x| the reciprocal takes, - 1
    let reciprocal: Bool

    @inline(__always) init(_ d: Double, reciprocal wanted: Bool) {
        self.d = SIMD8(repeating: d)
        negD = SIMD8(repeating: -d)
        // Compared as bits: quiet for a NaN norm (a NaN row divides, and
        // must raise nothing NumPy's division would not).
        reciprocal = reciprocalDivision && wanted
            && (Double(0x1p-1000).bitPattern...Double(0x1p1000).bitPattern).contains(d.bitPattern)
        guard reciprocal else { y = .zero; yLo = .zero; tinyBits = .zero; return }
        let y = 1 / d
        self.y = SIMD8(repeating: y)
        yLo = SIMD8(repeating: (1 as Double).addingProduct(-d, y) * y)
        tinyBits = SIMD8(repeating: Int64((d * 0x1p-1000 > 0x1p-960 ? d * 0x1p-1000 : 0x1p-960).bitPattern) &- 1)
    }

    /// A divisor per lane: the column path's 8 rows (normalizeColumns). The
    /// reciprocal is used only if every lane's norm is in its range; the
    /// range is tested first, on the bits, so that a NaN norm (a NaN in its
    /// row) meets no float operation here that could raise "invalid".
    /// Lane by lane what init(_:reciprocal:) computes, in vector operations
    /// (a column group's 8 divisions and roots, done lane by lane, were a
    /// tenth of normalize along axis 0 of 100 rows). The range test is on
    /// the bits as signed integers: a negative or NaN norm falls outside.
    @inline(__always) init(lanes d: SIMD8<Double>) {
        self.d = d
        negD = -d
        let bits = unsafeBitCast(d, to: SIMD8<Int64>.self)
        let low = SIMD8<Int64>(repeating: Int64(Double(0x1p-1000).bitPattern))
        let high = SIMD8<Int64>(repeating: Int64(Double(0x1p1000).bitPattern))
        let inRange = reciprocalDivision && !anyLane((bits .< low) .| (bits .> high))
        reciprocal = inRange
        guard inRange else { y = .zero; yLo = .zero; tinyBits = .zero; return }
        let one = SIMD8<Double>(repeating: 1)
        let y = one / d
        self.y = y
        yLo = one.addingProduct(negD, y) * y
        let scaled = d * SIMD8(repeating: 0x1p-1000), floor = SIMD8<Double>(repeating: 0x1p-960)
        tinyBits = unsafeBitCast(select(scaled .> floor, scaled, floor), to: SIMD8<Int64>.self) &- 1
    }

    /// Holds float32's reciprocals in d (sweptNormalizeColumns); divides nothing.
    @inline(__always) init(reciprocals: SIMD8<Double>) {
        d = reciprocals
        negD = .zero
        reciprocal = false
        y = .zero; yLo = .zero; tinyBits = .zero
    }

    /// |x|'s bits - 1, as a key below `tinyBits` exactly where 0 < |x| <
    /// tiny. In the integer domain (no float compare), and with no mask
    /// operations (`.&`, `.!` on masks, and `.==` on UInt64 lanes, ran lane
    /// by lane through the stack on AVX2): |x| - 1 wraps to a negative
    /// number for ±0, which the mask with Int64.max sends above every
    /// threshold.
    @inline(__always) func key(_ x: SIMD8<Double>) -> SIMD8<Int64> {
        let magnitude = SIMD8<Int64>(repeating: .max)
        return ((unsafeBitCast(x, to: SIMD8<Int64>.self) & magnitude) &- 1) & magnitude
    }

    /// x / d through the reciprocal, for lanes the reciprocal takes.
    @inline(__always) func reciprocalQuotient(_ x: SIMD8<Double>) -> SIMD8<Double> {
        var q = (x * yLo).addingProduct(x, y)
        q = q.addingProduct(x.addingProduct(q, negD), y)
        // q is +0.0 where x is -0.0: x's sign bit, OR-ed in, is right for
        // every lane (q has x's sign elsewhere).
        let bits = unsafeBitCast(x, to: SIMD8<Int64>.self), sign = SIMD8<Int64>(repeating: .min)
        return unsafeBitCast(unsafeBitCast(q, to: SIMD8<Int64>.self) | bits & sign, to: SIMD8<Double>.self)
    }

    @inline(__always) func quotient(_ x: SIMD8<Double>) -> SIMD8<Double> {
        guard reciprocal, !anyLane(key(x) .< tinyBits) else { return x / d }
        return reciprocalQuotient(x)
    }

    /// Whether the reciprocal takes every lane of four vectors: one test of
    /// their least key (the per-vector test and its branch were a third of
    /// the loop's instructions).
    @inline(__always) func takesAll(_ a: SIMD8<Double>, _ b: SIMD8<Double>, _ c: SIMD8<Double>, _ e: SIMD8<Double>) -> Bool {
        let ka = key(a), kb = key(b), kc = key(c), ke = key(e)
        let ab = select(ka .< kb, ka, kb), ce = select(kc .< ke, kc, ke)
        return !anyLane(select(ab .< ce, ab, ce) .< tinyBits)
    }
}

/// out[i] = x[i] / d.first / d.second, or a copy of x when d is nil. Long
/// contiguous rows store from out's first 64-byte boundary, the elements
/// before it in the scalar form, which gives the same bits; with
/// `streaming` (rows of `streamingBytes` or more) around the caches.
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
    // Elements before out's first 64-byte boundary, taken one by one (the
    // same bits) so the vector stores are aligned: streamed rows, and rows
    // long enough for split stores to cost (Elementwise/Map.swift).
    let head = contiguous && alignsStores(bytes: n &* MemoryLayout<T>.stride, streaming: streaming) ? streamingStart(out).map { Swift.min($0, n) } : nil
    if d.second == 1 && T.self == Double.self && contiguous {
        let xd = UnsafeRawPointer(x).assumingMemoryBound(to: Double.self)
        let od = UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self)
        // Streamed rows (1e7 elements and up) are bound by memory, and
        // there the reciprocal measured 7% slower on avx512 (6.2-6.3 ms
        // against 5.8 at 1e7): they divide. The bits are the same.
        let divisor = VectorDivisor(d.first, reciprocal: !streaming)
        var i = 0
        if let head {
            while i < head { od[i] = xd[i] / d.first; i &+= 1 }
            if streaming {
                while n &- i >= 8 {
                    Double.storeStreaming(divisor.quotient(Double.load(xd, i)), od, i)
                    i &+= 8
                }
                snake_stream_fence()
            }
        }
        // Four vectors per test where the reciprocal is used; a group with
        // a tiny lane goes vector by vector (the same bits either way).
        // AVX-512 only: its 64-bit minimum is one instruction (vpminuq);
        // AVX2's compare-and-blend made the grouped loop slower than one
        // test per vector.
        #if SNAKE_AVX512
        let grouped = divisor.reciprocal
        #else
        let grouped = false
        #endif
        while grouped && n &- i >= 32 {
            let a = Double.load(xd, i), b = Double.load(xd, i &+ 8)
            let c = Double.load(xd, i &+ 16), e = Double.load(xd, i &+ 24)
            if divisor.takesAll(a, b, c, e) {
                Double.store(divisor.reciprocalQuotient(a), od, i)
                Double.store(divisor.reciprocalQuotient(b), od, i &+ 8)
                Double.store(divisor.reciprocalQuotient(c), od, i &+ 16)
                Double.store(divisor.reciprocalQuotient(e), od, i &+ 24)
            } else {
                Double.store(divisor.quotient(a), od, i)
                Double.store(divisor.quotient(b), od, i &+ 8)
                Double.store(divisor.quotient(c), od, i &+ 16)
                Double.store(divisor.quotient(e), od, i &+ 24)
            }
            i &+= 32
        }
        while n &- i >= 8 {
            Double.store(divisor.quotient(Double.load(xd, i)), od, i)
            i &+= 8
        }
        while i < n { od[i] = xd[i] / d.first; i &+= 1 }
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
                while streaming && n &- i >= 16 {
                    let q0 = SIMD8<Double>(src.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)) * r
                    let q1 = SIMD8<Double>(src.loadUnaligned(fromByteOffset: i &* 4 &+ 32, as: SIMD8<Float>.self)) * r
                    let q = SIMD16<Float>(lowHalf: SIMD8<Float>(q0), highHalf: SIMD8<Float>(q1))
                    Float.storeStreaming(q, dst.assumingMemoryBound(to: Float.self), i)
                    i &+= 16
                }
                if streaming { snake_stream_fence() }
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

/// normalize's column path (Support/Drivers.swift, "Columns"): 8 adjacent
/// rows' Σx² as sum_sq's columns (the strided path's bits), then, when
/// every lane's divisor is a plain norm, the division 8 lanes a step with
/// the strided path's formula per type: x / ‖x‖ (float64), x·(1/‖x‖) in
/// Float64 rounded to float32. A group with an all-zero row (copied) or
/// a row divided in two steps (by its largest magnitude, then by the
/// rescaled row's norm) runs its rows one by one (`row`); a NaN or inf
/// norm divides here as the strided path does. Two groups or more of an
/// array of normalizeSweepBytes or more are swept (sweptNormalizeColumns);
/// into output rows that are not adjacent, from streamingBytes.
@inline(__always)
func normalizeColumns<T: SnakeFloat>(
    _ first: Int, _ count: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ os: Int, row: (Int) -> Void
) -> Int {
    guard areColumns(xRow, xs, T.self) else { return 0 }
    // Output rows not adjacent (NumPy's own output: each row contiguous)
    // are written in transposed tiles (float32) or lane by lane (walkGroup);
    // swept only past the caches: in them the sweeps' bands took 2.3-3.0x
    // the walk's time (float64) and 1.15-1.3x (float32; bench/README.md).
    let adjacentOut = isUnit(outRow, T.self)
    let regroup = !spansOverlap(x, xRow, xs, MemoryLayout<T>.size, out, outRow, os, MemoryLayout<T>.size,
                                rows: first &+ count, n: n)
    if count >= 2 &* columnLanes && n &* abs(xs) >= (adjacentOut ? normalizeSweepBytes : streamingBytes) {
        let bandGroups = n &* abs(xs) >= streamingBytes ? sweepBandGroups : divisionBandGroups
        return sweptNormalizeColumns(first, count, n, x, xs, out, outRow, os, regroup: regroup, bandGroups: bandGroups, row: row)
    }
    return columnGroups(first, count, lead: columnLead(x + first), regroup: regroup) { r in
        let xr = x.advanced(bytes: r &* xRow), or = out.advanced(bytes: r &* outRow)
        let ss = columnSumsOfProducts(n, xr, xs, xr, xs)
        let plain = plainNorms(ss, T.self)
        var norms = plain ?? SIMD8<Double>()
        for j in 0..<columnLanes where plain == nil {
            guard let d = normDivisor(ss[j], n, xr + j, xs), d.second == 1 else {
                for j in 0..<columnLanes { row(r &+ j) }
                return
            }
            norms[j] = d.first
        }
        if T.self == Double.self {
            // Through the reciprocals on FMA tiers (VectorDivisor): the bits of x / ‖x‖.
            let divisor = VectorDivisor(lanes: norms)
            walkGroup(0..<n, or, outRow, os) { i in T.narrow(divisor.quotient(T.widen(columnLoad(xr, i, xs)))) }
        } else {
            let reciprocals = 1 / norms
            walkGroup(0..<n, or, outRow, os) { i in T.narrow(T.widen(columnLoad(xr, i, xs)) * reciprocals) }
        }
    }
}

/// Bytes of x (n steps of |xs|) from which normalizeColumns sweeps: past
/// the 1 MiB L2 a walk writes a line of the output at each step, far from
/// the last, and along axis 0 the sweeps measured faster, ns per element
/// walked / swept: float64 (1000, 1000) 1.04-1.44 / 0.47-0.52, (2000,
/// 500) 1.26-2.08 / 0.53-0.59; float32 (1000, 1000) 0.40 / 0.26. In L2
/// the walks are faster, as fast as sum_sq's: float64 (100, 100) 0.51-0.55
/// / 0.78-0.90, (1000, 100) 0.49-0.54 / 0.63-0.65, float32 (1000, 32)
/// 0.29 / 0.36-0.47 (bench/README.md, "normalize along axis 0 in the
/// caches").
let normalizeSweepBytes = 1 << 20

/// Groups from which sweptNormalizeColumns' float64 division takes
/// `sweepBand` steps of a group at a time, in the caches: each group's
/// VectorDivisor (5 vectors, 336 bytes) is then loaded once per 8 steps,
/// where one step of every group at a time reloads it every step (and 128
/// groups' divisors, 42 KiB, exceed the 32 KiB L1). Past the caches
/// (streamingBytes) bands read 8 rows side by side, which the hardware
/// prefetchers follow worse, and only sweeps of sweepBandGroups groups or
/// more take them. Measured along axis 0 (bench/README.md, "normalize
/// along axis 0 in the caches"), ns per element one step / 8 steps: in the
/// caches (1000, 1000) 1.02-1.09 / 0.47-0.52, (1000, 200) 0.51-0.57 /
/// 0.41-0.45, at 13 groups (10 000, 100) 0.70-0.74 / 0.77-1.22 (so 16);
/// past them (100 000, 100) 0.90 / 1.99, (100 000, 200) 0.89-1.05 /
/// 1.72-1.90, (50 000, 400) 1.07-1.36 / 1.18-1.71, while (40 000, 760),
/// 95 groups, 1.59-1.82 / 1.25-1.34 stays one step (nothing measured
/// between 50 and 95 groups: the threshold is the sums'). Float32's division
/// (one multiply by a vector of reciprocals) measured no faster in bands.
let divisionBandGroups = 16

/// normalizeColumns over sweeps (Support/Drivers.swift, "ColumnSweep"):
/// every group's Σx² (sweptSumsOfProducts), then the division, one step
/// of every group at a time (float64 from `bandGroups` groups on: 8 steps
/// of a group at a time); a group whose divisors are not all plain
/// norms runs its rows one by one (`row`), as in normalizeColumns. Each
/// lane computes what normalizeColumns' lane computes: the same bits.
@inline(__always)
func sweptNormalizeColumns<T: SnakeFloat>(
    _ first: Int, _ count: Int, _ n: Int, _ x: UnsafePointer<T>, _ xs: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ os: Int, regroup: Bool, bandGroups: Int, row: (Int) -> Void
) -> Int {
    let adjacentOut = isUnit(outRow, T.self)
    return withUnsafeTemporaryAllocation(byteCount: sweepScratchBytes, alignment: 16) { scratch in
        withUnsafeTemporaryAllocation(of: VectorDivisor.self, capacity: sweepGroups) { divisors in
            withUnsafeTemporaryAllocation(of: Bool.self, capacity: sweepGroups) { plain in
                let dv = divisors.baseAddress!, ok = plain.baseAddress!
                return columnSweeps(first, count, regroup: regroup) { s in
                    sweptSumsOfProducts(s, n, x, xs, x, xs, scratch.baseAddress!) { k, ss in
                        let r = s.row(k)
                        let plain = plainNorms(ss, T.self)
                        var norms = plain ?? SIMD8<Double>()
                        var whole = true
                        for j in 0..<columnLanes where plain == nil {
                            guard let d = normDivisor(ss[j], n, x + (r &+ j), xs), d.second == 1 else { whole = false; break }
                            norms[j] = d.first
                        }
                        (ok + k).initialize(to: whole)
                        // float32 keeps its reciprocals in the divisor's d.
                        (dv + k).initialize(to: T.self == Double.self ? VectorDivisor(lanes: whole ? norms : SIMD8(repeating: 1))
                                                                      : VectorDivisor(reciprocals: whole ? 1 / norms : .zero))
                        if !whole { for j in 0..<columnLanes { row(r &+ j) } }
                    }
                    if !adjacentOut || (T.self == Double.self && s.groups >= bandGroups) {
                        bandedColumnDivision(s, n, x, xs, out, outRow, os, dv, ok)
                    } else {
                        for i in 0..<n {
                            let px = UnsafeRawPointer(x).advanced(by: i &* xs), po = UnsafeMutableRawPointer(out).advanced(by: i &* os)
                            for k in 0..<s.groups where ok[k] {
                                let r = s.row(k) &* MemoryLayout<T>.stride
                                let v = T.widen(px.loadUnaligned(fromByteOffset: r, as: SIMD8<T>.self))
                                let q = T.self == Double.self ? dv[k].quotient(v) : v * dv[k].d
                                po.storeBytes(of: T.narrow(q), toByteOffset: r, as: SIMD8<T>.self)
                            }
                        }
                    }
                    _ = dv.deinitialize(count: s.groups)
                    _ = ok.deinitialize(count: s.groups)
                }
            }
        }
    }
}

/// sweptNormalizeColumns' division in bands: 8 steps of a group at a time
/// (float64 from `bandGroups` groups on, and every sweep into output rows
/// that are not adjacent, so that each output line is written whole, as
/// a transposed tile where storesTiles). Out of line: a third division
/// loop inlined made Swift compile sweptSumsOfProducts out of line (a
/// closure-specialized copy), 8-13% slower on float64 (1000, 1000).
@inline(never)
func bandedColumnDivision<T: SnakeFloat>(
    _ s: ColumnSweep, _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ os: Int,
    _ dv: UnsafePointer<VectorDivisor>, _ ok: UnsafePointer<Bool>
) {
    var i0 = 0
    while i0 < n {
        let end = min(i0 &+ sweepBand, n)
        for k in 0..<s.groups where ok[k] {
            let xr = x + s.row(k), or = out.advanced(bytes: s.row(k) &* outRow)
            // No closure here: Swift compiled float64's quotient, passed as
            // one, out of line, each call copying the 321-byte divisor.
            var i = i0
            let divisor = dv[k]
            if storesTiles(outRow, os, T.self) {
                while end &- i >= 8 {
                    tileStore((quotientStep(xr, i, xs, divisor), quotientStep(xr, i &+ 1, xs, divisor),
                               quotientStep(xr, i &+ 2, xs, divisor), quotientStep(xr, i &+ 3, xs, divisor),
                               quotientStep(xr, i &+ 4, xs, divisor), quotientStep(xr, i &+ 5, xs, divisor),
                               quotientStep(xr, i &+ 6, xs, divisor), quotientStep(xr, i &+ 7, xs, divisor)),
                              or, outRow, i, os)
                    i &+= 8
                }
            }
            if isUnit(outRow, T.self) {
                for i in i..<end { columnStore(quotientStep(xr, i, xs, divisor), or, i, os) }
            } else {
                for i in i..<end { groupStore(quotientStep(xr, i, xs, divisor), or, outRow, i, os) }
            }
        }
        i0 = end
    }
}

/// Step i of a group divided by its divisor: x / ‖x‖ (float64), x times
/// the reciprocals (float32, kept in the divisor's d).
@inline(__always)
func quotientStep<T: SnakeFloat>(_ x: UnsafePointer<T>, _ i: Int, _ xs: Int, _ divisor: VectorDivisor) -> SIMD8<T> {
    let v = T.widen(columnLoad(x, i, xs))
    return T.narrow(T.self == Double.self ? divisor.quotient(v) : v * divisor.d)
}

@inline(__always)
func normalize<T: SnakeFloat>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ os: Int, _ grain: Int
) {
    let streaming = n &* MemoryLayout<T>.stride >= streamingBytes
    let row = { (r: Int) in
        let xr = x.advanced(bytes: r &* xRow)
        let d = normDivisor(sumOfProducts(n, xr, xs, xr, xs), n, xr, xs)
        divideRange(n, xr, xs, out.advanced(bytes: r &* outRow), os, d, streaming: streaming)
    }
    vecRows(
        rows: rows, n: n, grain: grain,
        row: row,
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
        },
        grouped: areColumns(xRow, xs, T.self) ? MemoryLayout<T>.size : 0,
        columns: { first, count in normalizeColumns(first, count, n, x, xRow, xs, out, outRow, os, row: row) })
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
