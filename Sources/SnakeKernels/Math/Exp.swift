// Vectorised e^x for the concrete vector types (the end of
// Support/SnakeFloat.swift says why the lane code is concrete, not generic).
//
// x = k ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2, so r is exact to
// a few ulps), e^r by a polynomial (degree 11 for Float64, degree 7 for
// Float32), times 2^k. Two paths, chosen per vector by one test of all
// lanes (`exceeds`):
// - expCore, every lane with |x| <= 708 (Float32: 87): the result is
//   normal, so 2^k is added to the exponent field.
// - expAnyRange (out of line), a vector with any other lane: +inf and 0 by
//   selection past the ends (no spurious "overflow" flag), subnormal results
//   built by integer rounding (no microcode assist), NaN passed through,
//   and underflow reported to the caller, which raises the flag once.
// Within 1.0 ulp (Float64) and 1.17 ulp (Float32) of the correctly rounded
// result on both paths (KernelTests.testExp*, baseline tier).

/// min(max(x, lo), hi) per lane by integer-key compare and select (NaN
/// lanes kept), on each concrete type gelu clamps: SIMD's own `clamped`
/// called the stdlib's pointwiseMin/Max out of line, passing the vector in
/// four xmm registers.
@_transparent @usableFromInline
func clampDouble(_ x: SIMD8<Double>, _ lo: Double, _ hi: Double) -> SIMD8<Double> {
    let k = orderKeys(x)
    let num = .!nanLanes(x)
    let low = (k .< orderKeys(SIMD8(repeating: lo))) .& num
    let high = (k .> orderKeys(SIMD8(repeating: hi))) .& num
    return select(low, SIMD8(repeating: lo), select(high, SIMD8(repeating: hi), x))
}

/// The NaN lanes of x, as |bits| > bits(inf) written as inf - |bits| < 0:
/// LLVM turns the direct form into an unsigned 64-bit compare, which AVX2
/// does not have, and compiled it lane by lane (gelu 4x slower on the avx2
/// tier than on avx512). A wrapping subtraction cannot be folded back.
@_transparent @usableFromInline
func nanLanes(_ x: SIMD8<Double>) -> SIMDMask<SIMD8<Int64>> {
    let magnitude = unsafeBitCast(x, to: SIMD8<Int64>.self) & SIMD8(repeating: .max)
    return SIMD8(repeating: 0x7FF0_0000_0000_0000) &- magnitude .< SIMD8(repeating: 0)
}

@_transparent @usableFromInline
func nanLanes(_ x: SIMD16<Float>) -> SIMDMask<SIMD16<Int32>> {
    let magnitude = unsafeBitCast(x, to: SIMD16<Int32>.self) & SIMD16(repeating: 0x7FFF_FFFF)
    return SIMD16(repeating: 0x7F80_0000) &- magnitude .< SIMD16(repeating: 0)
}

/// Double order keys (see the Float version below for why).
@_transparent @usableFromInline
func orderKeys(_ x: SIMD8<Double>) -> SIMD8<Int64> {
    let b = unsafeBitCast(x, to: SIMD8<Int64>.self)
    return b ^ ((b &>> 63) & SIMD8(repeating: 0x7FFF_FFFF_FFFF_FFFF))
}

/// `body` given v in a 64-byte-aligned stack slot, and v as it left it:
/// the out-of-line range paths (expAnyRange, geluAnyRange) take their
/// vector in memory, and a `var` of a SIMD8<Double> or SIMD16<Float> is
/// only 16-byte aligned (Swift aligns no type beyond 16, and a temporary
/// allocation aligned to 64 goes to the heap: 12.7 ms for what takes 3).
/// Where its 64 bytes crossed a cache line (decided by where the thread's
/// stack happened to lie), the store before the call and the load in it
/// stalled: gelu of 1e6 values past its fast range took 7.1 ms in some
/// processes and 2.6-3.2 in others, and `_mt`'s worker threads always had
/// the slow slot. So: 128 bytes of 16-byte-aligned stack, and the 64 of
/// them that start on a 64-byte boundary.
@_transparent @usableFromInline
func inAlignedSlot<V: SIMD, R>(_ v: V, _ body: (inout V) -> R) -> (V, R) {
    assert(MemoryLayout<V>.size == 64)
    return withUnsafeTemporaryAllocation(byteCount: 128, alignment: 16) { raw in
        let start = (64 &- Int(bitPattern: UInt(bitPattern: raw.baseAddress!) & 63)) & 63
        let slot = (raw.baseAddress! + start).bindMemory(to: V.self, capacity: 1)
        slot.initialize(to: v)
        let r = body(&slot.pointee)
        return (slot.move(), r)
    }
}

/// e^x per lane; sets `underflow` when a lane's result is subnormal or 0
/// (the caller raises the flag once: raising it per vector doubled the
/// time of exp-heavy rows).
///
/// Lanes with |x| <= 708 (every lane, in softmax and gelu's usual inputs)
/// take `expCore`, which needs ~20 constants and one scaling; a vector with
/// any other lane (large, infinite, NaN) goes to `expAnyRange`. With the
/// range handling inline, the loop needed more constants than the 32 zmm
/// registers and LLVM rotated ~30 of them through `vmovapd` every iteration.
@_transparent @usableFromInline
func vectorExp(_ x: SIMD8<Double>, underflow: inout Bool) -> SIMD8<Double> {
    if exceeds(x, Double.expInRangeBound.bits) {  // 708.0
        let (v, below) = inAlignedSlot(x) { expAnyRange(&$0) }
        if below { underflow = true }
        return v
    }
    return expCore(x, forFloat32: false).e
}

/// Whether any lane has |x| above the float whose bits are `limit`, by an
/// OR of (limit - |x| bits) sign bits: not `any(mask)` or `max()`, which
/// the stdlib built lane by lane or called out of line.
@_transparent @usableFromInline
func exceeds(_ x: SIMD8<Double>, _ limit: Int64) -> Bool {
    let over = SIMD8(repeating: limit) &- (unsafeBitCast(x, to: SIMD8<Int64>.self) & SIMD8(repeating: .max))
    let r4 = over.lowHalf | over.highHalf, r2 = r4.lowHalf | r4.highHalf
    return r2[0] | r2[1] < 0
}

@_transparent @usableFromInline
func exceeds(_ x: SIMD16<Float>, _ limit: Int32) -> Bool {
    let over = SIMD16(repeating: limit) &- (unsafeBitCast(x, to: SIMD16<Int32>.self) & SIMD16(repeating: .max))
    let r8 = over.lowHalf | over.highHalf, r4 = r8.lowHalf | r8.highHalf, r2 = r4.lowHalf | r4.highHalf
    return r2[0] | r2[1] < 0
}

/// e^x for |x| <= 708 as e, with the parts the any-range path scales itself:
/// p = e^r and kShifted, the sum that carries k. For |x| <= 708 the result
/// is a normal number, so 2^k is applied by adding k to p's exponent field.
/// `forFloat32`: a degree-7 polynomial (relative error < 1e-8, plenty for
/// a result rounded to Float32) instead of degree 11.
@_transparent @usableFromInline
func expCore(_ x: SIMD8<Double>, forFloat32: Bool) -> (e: SIMD8<Double>, p: SIMD8<Double>, kShifted: SIMD8<Double>) {
    typealias V = SIMD8<Double>
    typealias K = SIMD8<Int64>
    // k = round(x / ln2) by the 1.5·2^52 trick: adding it rounds to an
    // integer (to nearest even) in the low mantissa bits, which also gives
    // k as an integer below. SSE2 (the baseline tier) has no roundpd, and
    // `rounded` there was a libm call per lane.
    let magic = V(repeating: 0x1.8p52)
    let kShifted = madd(magic, x, V(repeating: 1.4426950408889634))
    let k = kShifted - magic
    let r = madd(madd(x, k, V(repeating: -0.693147180369123816490)), k, V(repeating: -1.90821492927058770002e-10))
    // Horner, coefficients written out (an array literal here was a heap
    // allocation per call wherever the function was not inlined). Float64:
    // degree 11, a Chebyshev fit to e^r on |r| <= ln2/2 (mpmath chebyfit,
    // max error 3.2e-18; measured with FMA rounding: within 1.02·2^-53
    // relative, as the degree-13 Taylor polynomial it replaced). Float32
    // results: degree 7 Taylor.
    var p: V
    if forFloat32 {
        p = V(repeating: 1.0 / 5040.0)
        p = madd(V(repeating: 1.0 / 720.0), p, r)
        p = madd(V(repeating: 1.0 / 120.0), p, r)
        p = madd(V(repeating: 1.0 / 24.0), p, r)
        p = madd(V(repeating: 1.0 / 6.0), p, r)
        p = madd(V(repeating: 0.5), p, r)
    } else {
        p = V(repeating: 2.511003876579685e-08)
        p = madd(V(repeating: 2.7632641147321496e-07), p, r)
        p = madd(V(repeating: 2.755724091544448e-06), p, r)
        p = madd(V(repeating: 2.4801485478252324e-05), p, r)
        p = madd(V(repeating: 0.00019841269890050043), p, r)
        p = madd(V(repeating: 0.0013888888952318583), p, r)
        p = madd(V(repeating: 0.0083333333333196), p, r)
        p = madd(V(repeating: 0.04166666666648808), p, r)
        p = madd(V(repeating: 0.1666666666666668), p, r)
        p = madd(V(repeating: 0.5000000000000019), p, r)
    }
    p = madd(V(repeating: 1.0), p, r)
    p = madd(V(repeating: 1.0), p, r)
    // k << 52 straight from kShifted's bits: they are bits(magic) + k, and
    // bits(magic) << 52 wraps to 0 (no per-lane float-to-int conversion;
    // the stdlib's generic one converted lane by lane, 30% of softmax).
    let e = unsafeBitCast(
        unsafeBitCast(p, to: K.self) &+ (unsafeBitCast(kShifted, to: K.self) &<< 52), to: V.self)
    return (e, p, kShifted)
}

/// e^x for any x. Lanes past the overflow threshold give +inf and lanes
/// below `lo` give 0 by selection (computed as e^0 meanwhile, so no
/// spurious "overflow" flag). Every other lane gets p · 2^k without
/// floating-point arithmetic on a subnormal: where the result is normal, k
/// is added to p's exponent field as in expCore; where it is subnormal,
/// t = p · 2^(k + 1074) (normal) is rounded to an integer by adding 2^52,
/// and that integer is the subnormal's bit pattern (one rounding, as a
/// multiply would give). A multiply with a subnormal result took a
/// microcode assist, ~10x the whole exp. `flagUnderflow`: lo is -745.2,
/// past the smallest subnormal, and the Bool returned says whether a lane
/// was subnormal or 0 (the caller raises "underflow" as np.exp does);
/// without it lo is -708, below which e^x is lost when added to 1 (gelu),
/// and the Bool is false. NaN lanes are passed through.
///
/// Out of line, with the vector passed in memory: passed by value it came
/// in four xmm registers and LLVM then computed the whole function in
/// 128-bit pieces.
@inline(never) @usableFromInline
func expAnyRange(_ v: inout SIMD8<Double>) -> Bool {
    let (e, below) = expAnyRangeValue(v, forFloat32: false, flagUnderflow: true)
    v = e
    return below
}

@_transparent @usableFromInline
func expAnyRangeValue(_ x: SIMD8<Double>, forFloat32: Bool, flagUnderflow: Bool) -> (SIMD8<Double>, Bool) {
    typealias V = SIMD8<Double>
    typealias K = SIMD8<Int64>
    let hi = 709.782712893384, lo = flagUnderflow ? -745.2 : -708.0
    let isNaN = nanLanes(x)
    let kx = orderKeys(x)
    let above = (kx .> orderKeys(V(repeating: hi))) .& .!isNaN
    let below = (kx .< orderKeys(V(repeating: lo))) .& .!isNaN
    let (normal, p, kShifted) = expCore(select(isNaN .| above .| below, V(repeating: 0), x), forFloat32: forFloat32)
    let ki = unsafeBitCast(kShifted, to: K.self) &- unsafeBitCast(V(repeating: 0x1.8p52), to: K.self)
    // Subnormal where p's exponent field + k <= 0; there k + 1074 >= -1.
    let tiny = (unsafeBitCast(p, to: K.self) &>> 52) &+ ki .<= K(repeating: 0)
    let s = select(tiny, unsafeBitCast((ki &+ (1074 + 1023)) &<< 52, to: V.self), V(repeating: 1))
    let rounded = madd(V(repeating: 0x1p52), p, s)
    let sub = unsafeBitCast(unsafeBitCast(rounded, to: K.self) &- unsafeBitCast(V(repeating: 0x1p52), to: K.self), to: V.self)
    let e = select(tiny, sub, normal)
    let flagged = unsafeBitCast(below .| tiny, to: K.self), f4 = flagged.lowHalf | flagged.highHalf
    let f2 = f4.lowHalf | f4.highHalf
    return (select(isNaN, x, select(below, V(repeating: 0), select(above, V(repeating: .infinity), e))),
            flagUnderflow && f2[0] | f2[1] != 0)
}

/// Float order keys: integers that compare like the floats (NaN aside).
/// SIMD16<Float> compares compiled to a 16-step scalar loop inside exp (the
/// 8-lane Double ones vectorise); SIMD16<Int32> compares vectorise.
@_transparent @usableFromInline
func orderKeys(_ x: SIMD16<Float>) -> SIMD16<Int32> {
    let b = unsafeBitCast(x, to: SIMD16<Int32>.self)
    return b ^ ((b &>> 31) & SIMD16(repeating: 0x7FFF_FFFF))
}

/// e^x per lane, as for Float64: lanes with |x| <= 87 take `expCore`, any
/// other lane sends the vector to `expAnyRangeValue`: inline on the AVX2
/// and AVX-512 tiers, where out of line (`expAnyRange`, the vector passed
/// in memory, as Float64's) float32 softmax of rows whose values spread
/// past 87 (standard normal x 30 and more: most vectors have a lane that
/// underflows) took 1.19-1.49 ns/element against 0.94-1.22 inline on
/// AVX-512 (0.88-0.91x on AVX2); rows in range ran the same (their loops
/// skip the test). On SSE2 inline was 1.05-1.06x slower.
@_transparent @usableFromInline
func vectorExp(_ x: SIMD16<Float>, underflow: inout Bool) -> SIMD16<Float> {
    if exceeds(x, Float.expInRangeBound.bits) {  // 87.0
        #if SNAKE_FMA
        let (v, below) = expAnyRangeValue(x, tail: SIMD16(repeating: -0.0), flagUnderflow: true)
        #else
        let (v, below) = inAlignedSlot(x) { expAnyRange(&$0) }
        #endif
        if below { underflow = true }
        return v
    }
    return expCore(x, tail: SIMD16(repeating: -0.0)).e
}

/// e^(x + tail) for |x| <= 87 (a normal result), for a tail far below x's
/// ulp (gelu's compensated exponent; -0.0 is the one constant LLVM may fold
/// away from `r + tail` under IEEE rules, so callers without a tail pay
/// nothing for it). As for Float64: degree-7
/// Taylor polynomial on |r| <= ln2/2 (relative error < 1e-8), 2^k added to
/// the exponent field.
@_transparent @usableFromInline
func expCore(_ x: SIMD16<Float>, tail: SIMD16<Float>) -> (e: SIMD16<Float>, p: SIMD16<Float>, kShifted: SIMD16<Float>) {
    typealias V = SIMD16<Float>
    typealias K = SIMD16<Int32>
    let magic = V(repeating: 0x1.8p23)  // as for Double: |x / ln2| < 2^22
    let kShifted = madd(magic, x, V(repeating: 1.44269504))
    let k = kShifted - magic
    let r = madd(madd(x, k, V(repeating: -0.693145752)), k, V(repeating: -1.42860677e-6)) + tail
    var p = V(repeating: 1.0 / 5040.0)
    p = madd(V(repeating: 1.0 / 720.0), p, r)
    p = madd(V(repeating: 1.0 / 120.0), p, r)
    p = madd(V(repeating: 1.0 / 24.0), p, r)
    p = madd(V(repeating: 1.0 / 6.0), p, r)
    p = madd(V(repeating: 0.5), p, r)
    p = madd(V(repeating: 1.0), p, r)
    p = madd(V(repeating: 1.0), p, r)
    // bits(magic) << 23 wraps to 0, as for Float64.
    let e = unsafeBitCast(
        unsafeBitCast(p, to: K.self) &+ (unsafeBitCast(kShifted, to: K.self) &<< 23), to: V.self)
    return (e, p, kShifted)
}

/// e^x for any x, out of line, as `expAnyRange` for Float64.
@inline(never) @usableFromInline
func expAnyRange(_ v: inout SIMD16<Float>) -> Bool {
    let (e, below) = expAnyRangeValue(v, tail: SIMD16(repeating: -0.0), flagUnderflow: true)
    v = e
    return below
}

/// e^(x + tail) for any x, as `expAnyRangeValue` for Float64 (lo: -103.9,
/// or -87 without the underflow flag).
@_transparent @usableFromInline
func expAnyRangeValue(_ x: SIMD16<Float>, tail: SIMD16<Float>, flagUnderflow: Bool) -> (SIMD16<Float>, Bool) {
    typealias V = SIMD16<Float>
    typealias K = SIMD16<Int32>
    let hi: Float = 88.72283, lo: Float = flagUnderflow ? -103.9 : -87
    let isNaN = nanLanes(x)
    let kx = orderKeys(x)
    let above = (kx .> orderKeys(V(repeating: hi))) .& .!isNaN
    let below = (kx .< orderKeys(V(repeating: lo))) .& .!isNaN
    let out = isNaN .| above .| below
    let (normal, p, kShifted) = expCore(select(out, V(repeating: 0), x), tail: select(out, V(repeating: 0), tail))
    let ki = unsafeBitCast(kShifted, to: K.self) &- unsafeBitCast(V(repeating: 0x1.8p23), to: K.self)
    let tiny = (unsafeBitCast(p, to: K.self) &>> 23) &+ ki .<= K(repeating: 0)
    let s = select(tiny, unsafeBitCast((ki &+ (149 + 127)) &<< 23, to: V.self), V(repeating: 1))
    let rounded = madd(V(repeating: 0x1p23), p, s)
    let sub = unsafeBitCast(unsafeBitCast(rounded, to: K.self) &- unsafeBitCast(V(repeating: 0x1p23), to: K.self), to: V.self)
    let e = select(tiny, sub, normal)
    let flagged = unsafeBitCast(below .| tiny, to: K.self), f8 = flagged.lowHalf | flagged.highHalf
    let f4 = f8.lowHalf | f8.highHalf, f2 = f4.lowHalf | f4.highHalf
    return (select(isNaN, x, select(below, V(repeating: 0), select(above, V(repeating: .infinity), e))),
            flagUnderflow && f2[0] | f2[1] != 0)
}

// gelu(x) = 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) = x / (1 + e^(-2z)),
// z = √(2/π)(x + 0.044715x³): the sigmoid form has no cancellation for
// negative x. x is clamped to ±1e5 inside z only (x³ would overflow; z is
// already far past where e^(-2z) is 0 or inf), so gelu(x) = x for large x and
// -0.0 for large negative x, finite up to the largest floats.

@_transparent @usableFromInline
func vectorGelu(_ x: SIMD8<Double>, forFloat32: Bool = false) -> SIMD8<Double> {
    typealias V = SIMD8<Double>
    // |x| <= 20 (|2z| <= 603): no clamp, and e^(-2z) in expCore's range.
    // The clamp's masked selects compiled to xmm pieces; one check per
    // vector (`exceeds`) is cheaper.
    if exceeds(x, 0x4034_0000_0000_0000) {  // bits of 20.0
        return inAlignedSlot(x) { geluAnyRange(&$0, forFloat32: forFloat32) }.0
    }
    let z = V(repeating: 0.7978845608028654) * madd(x, V(repeating: 0.044715) * x, x * x)
    return x / (V(repeating: 1) + expCore(V(repeating: -2) * z, forFloat32: forFloat32).e)
}

/// Out of line and in memory, as expAnyRange.
@inline(never) @usableFromInline
func geluAnyRange(_ v: inout SIMD8<Double>, forFloat32: Bool) {
    typealias V = SIMD8<Double>
    let x = v
    let xc = clampDouble(x, -1e5, 1e5)
    let z = V(repeating: 0.7978845608028654) * madd(xc, V(repeating: 0.044715) * xc, xc * xc)
    v = x / (V(repeating: 1) + expAnyRangeValue(V(repeating: -2) * z, forFloat32: forFloat32, flagUnderflow: false).0)
}

// Float32 gelu needs its exponent -2z to more than Float32 precision: 2z
// reaches ~90 where the result is still a normal float, so a 1-ulp error in
// a Float32 2z (~7.6e-6) would already be a 7.6e-6 relative error in e^(-2z)
// and in the result (the bound is 1e-6).
//
// With FMA, 2z = x·(C1 + C3·x²) is evaluated as an unevaluated sum hi + lo of
// two floats (exact products by FMA, TwoSum for the addition; ~1e-13
// relative), and e^(hi + lo) takes lo into its reduced argument. Everything
// else is Float32 at 16 lanes: 0.6 ns/element on AVX-512, 4x the Float64
// evaluation below, within 3e-7 relative of the formula (3 ulp measured).
//
// Without FMA (the x86-64 baseline tier) exact products would need Dekker's
// splitting; that tier evaluates in Float64 instead (z exact enough there, the
// degree-7 exp within 1e-8).

#if SNAKE_FMA
@_transparent @usableFromInline
func vectorGelu(_ x: SIMD16<Float>) -> SIMD16<Float> {
    // |x| <= 9.5 (|2z| <= 77): no clamp, and e^(-|2z|) in expCore's range.
    if exceeds(x, 0x4118_0000) {  // bits of 9.5
        return inAlignedSlot(x) { geluAnyRange(&$0) }.0
    }
    return geluCompensated(x, anyRange: false)
}

@inline(never) @usableFromInline
func geluAnyRange(_ v: inout SIMD16<Float>) { v = geluCompensated(v, anyRange: true) }

@_transparent @usableFromInline
func geluCompensated(_ x: SIMD16<Float>, anyRange: Bool) -> SIMD16<Float> {
    typealias V = SIMD16<Float>
    // 2z = C1·x + C3·x³, C1 = 2√(2/π), C3 = 0.044715·C1, each as hi + lo.
    let c1h = V(repeating: 1.5957691669464111), c1l = V(repeating: -4.534068054340423e-08)
    let c3h = V(repeating: 0.07135481387376785), c3l = V(repeating: 2.3988324659995897e-09)
    // Past |x| = 20, e^(-2z) is already 0 or inf in Float32 (|2z| > 600).
    let xc = anyRange ? clampFloat(x, -20, 20) : x
    let x2 = xc * xc
    let x2l = (-x2).addingProduct(xc, xc)                           // x² - x2, exact
    let ph = c3h * x2                                               // C3·x² = ph + pl
    let pl = (-ph).addingProduct(c3h, x2) + (c3h * x2l).addingProduct(c3l, x2)
    let qh = c1h + ph                                               // TwoSum: C1 + C3·x²
    let bv = qh - c1h
    let ql = ((c1h - (qh - bv)) + (ph - bv)) + (pl + c1l)
    let sh = xc * qh                                                // 2z = x·q = sh + sl
    let sl = (-sh).addingProduct(xc, qh).addingProduct(xc, ql)
    // x / (1 + e^(-2z)) with e^(-2z) up to FLT_MAX would overflow (a
    // spurious flag) near z = -44, so take u = e^(-|2z|) <= 1 and
    // gelu = x / (1 + u) for z >= 0, x·u / (1 + u) for z < 0. The exponent
    // is -|sh| with sl's sign flipped where sh > 0.
    typealias K = SIMD16<Int32>
    let sign = K(repeating: Int32(bitPattern: 0x8000_0000))
    let shBits = unsafeBitCast(sh, to: K.self), slBits = unsafeBitCast(sl, to: K.self)
    let arg = unsafeBitCast(shBits | sign, to: V.self)
    let tail = unsafeBitCast(slBits ^ ((shBits & sign) ^ sign), to: V.self)
    var u: V
    if anyRange {
        // u down to the subnormals (x·u is the result for z < 0), except
        // where u is subnormal and |x|·u < 2^-126: there the multiply would
        // raise "underflow", and u = 0 gives 0, as NumPy's formula does
        // (within 2^-126). (|x| >= 9.5 wherever u is subnormal.)
        u = expAnyRangeValue(arg, tail: tail, flagUnderflow: true).0
        let absX = unsafeBitCast(unsafeBitCast(xc, to: K.self) & K(repeating: 0x7FFF_FFFF), to: V.self)
        let scaled = unsafeBitCast((u * V(repeating: 0x1p64)) * absX, to: K.self)
        let flush = (unsafeBitCast(u, to: K.self) .< K(repeating: 0x0080_0000))  // u < 2^-126
            .& (scaled .< K(repeating: 0x2080_0000))  // |x|·u·2^64 < 2^-62
        u = select(flush, V(repeating: 0), u)
    } else {
        u = expCore(arg, tail: tail).e
    }
    let numerator = select(shBits .>= K(repeating: 0), x, x * u)
    return numerator / (V(repeating: 1) + u)
}
#else
@_transparent @usableFromInline
func vectorGelu(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let lo = vectorGelu(SIMD8<Double>(x.lowHalf), forFloat32: true)
    let hi = vectorGelu(SIMD8<Double>(x.highHalf), forFloat32: true)
    return SIMD16<Float>(lowHalf: SIMD8<Float>(lo), highHalf: SIMD8<Float>(hi))
}
#endif
