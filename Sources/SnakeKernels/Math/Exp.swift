// Vectorised e^x for the concrete vector types (see KeyVector for why the
// lane code is concrete, not generic).
//
// x = k ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2, so r is exact to
// a few ulps), e^r by a Taylor polynomial (degree 13 for Float64, error
// < 1e-17; degree 7 for Float32, < 1e-8), then scaled by 2^k as two powers
// of two so that k down to the subnormal range and up to the top exponent
// never overflow an intermediate. Inputs past the overflow threshold give
// +inf by selection, not by overflowing arithmetic, so no spurious
// "overflow" flag; NaN lanes are passed through.

/// min(max(x, lo), hi) per lane by integer-key compare and select (NaN
/// lanes kept), on each concrete type gelu clamps: SIMD's own `clamped`
/// called the stdlib's pointwiseMin/Max out of line, passing the vector in
/// four xmm registers.
@_transparent @usableFromInline
func clampDouble(_ x: SIMD8<Double>, _ lo: Double, _ hi: Double) -> SIMD8<Double> {
    var r = x
    let k = orderKeys(x)
    let num = .!nanLanes(x)
    r.replace(with: lo, where: (k .< orderKeys(SIMD8(repeating: lo))) .& num)
    r.replace(with: hi, where: (k .> orderKeys(SIMD8(repeating: hi))) .& num)
    return r
}

@_transparent @usableFromInline
func clampFloat(_ x: SIMD16<Float>, _ lo: Float, _ hi: Float) -> SIMD16<Float> {
    var r = x
    let k = orderKeys(x)
    let num = .!nanLanes(x)
    r.replace(with: lo, where: (k .< orderKeys(SIMD16(repeating: lo))) .& num)
    r.replace(with: hi, where: (k .> orderKeys(SIMD16(repeating: hi))) .& num)
    return r
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

/// e^x per lane. `forFloat32`: a degree-7 polynomial (relative error
/// < 1e-8, plenty for a result rounded to Float32) instead of degree 13.
@_transparent @usableFromInline
func vectorExp(_ x: SIMD8<Double>, forFloat32: Bool = false) -> SIMD8<Double> {
    typealias V = SIMD8<Double>
    typealias K = SIMD8<Int64>
    let hi = 709.782712893384, lo = -745.2
    // NaN lanes are left alone (quiet NaN arithmetic raises no flag; a NaN
    // clamped to lo would raise "underflow" below).
    let isNaN = nanLanes(x)
    let kx = orderKeys(x)
    let above = (kx .> orderKeys(V(repeating: hi))) .& .!isNaN
    let below = (kx .< orderKeys(V(repeating: lo))) .& .!isNaN
    var xc = x
    xc.replace(with: lo, where: below)
    xc.replace(with: hi, where: above)
    // k = round(x / ln2) by the 1.5·2^52 trick: adding it rounds to an
    // integer (to nearest even) in the low mantissa bits, which also gives
    // k as an integer below. SSE2 (the baseline tier) has no roundpd, and
    // `rounded` there was a libm call per lane.
    let magic = V(repeating: 0x1.8p52)
    let kShifted = xc * V(repeating: 1.4426950408889634) + magic
    let k = kShifted - magic
    let r = (xc - k * V(repeating: 0.693147180369123816490)) - k * V(repeating: 1.90821492927058770002e-10)
    // Horner on 1/13! ... 1/0!, written out (an array literal here was a
    // heap allocation per call wherever the function was not inlined).
    var p: V
    if forFloat32 {
        p = V(repeating: 1.0 / 5040.0)
    } else {
        p = V(repeating: 1.0 / 6227020800.0)
        p = madd(V(repeating: 1.0 / 479001600.0), p, r)
        p = madd(V(repeating: 1.0 / 39916800.0), p, r)
        p = madd(V(repeating: 1.0 / 3628800.0), p, r)
        p = madd(V(repeating: 1.0 / 362880.0), p, r)
        p = madd(V(repeating: 1.0 / 40320.0), p, r)
        p = madd(V(repeating: 1.0 / 5040.0), p, r)
    }
    p = madd(V(repeating: 1.0 / 720.0), p, r)
    p = madd(V(repeating: 1.0 / 120.0), p, r)
    p = madd(V(repeating: 1.0 / 24.0), p, r)
    p = madd(V(repeating: 1.0 / 6.0), p, r)
    p = madd(V(repeating: 0.5), p, r)
    p = madd(V(repeating: 1.0), p, r)
    p = madd(V(repeating: 1.0), p, r)
    // k as integers without a per-lane conversion, from the same sum (the
    // stdlib's generic SIMD float-to-int init converted lane by lane: 30% of
    // softmax's time).
    let ki = unsafeBitCast(kShifted, to: K.self) &- unsafeBitCast(magic, to: K.self)
    let k1 = ki &>> 1, k2 = ki &- k1
    let s1 = unsafeBitCast((k1 &+ 1023) &<< 52, to: V.self)
    let s2 = unsafeBitCast((k2 &+ 1023) &<< 52, to: V.self)
    var e = p * s1 * s2
    e.replace(with: .infinity, where: above)
    e.replace(with: 0, where: below)
    return e.replacing(with: x, where: isNaN)
}

/// Float order keys: integers that compare like the floats (NaN aside).
/// SIMD16<Float> compares compiled to a 16-step scalar loop inside exp (the
/// 8-lane Double ones vectorise); SIMD16<Int32> compares vectorise.
@_transparent @usableFromInline
func orderKeys(_ x: SIMD16<Float>) -> SIMD16<Int32> {
    let b = unsafeBitCast(x, to: SIMD16<Int32>.self)
    return b ^ ((b &>> 31) & SIMD16(repeating: 0x7FFF_FFFF))
}

/// e^(x + tail) per lane, for a tail far below x's ulp (gelu's compensated
/// exponent). The default -0.0 is the one constant LLVM may fold away from
/// `r + tail` under IEEE rules (r + -0.0 == r for every r), so callers
/// without a tail pay nothing for it.
@_transparent @usableFromInline
func vectorExp(_ x: SIMD16<Float>, tail: SIMD16<Float> = SIMD16(repeating: -0.0)) -> SIMD16<Float> {
    typealias V = SIMD16<Float>
    typealias K = SIMD16<Int32>
    let hi: Float = 88.72283, lo: Float = -103.9
    let isNaN = nanLanes(x)
    let kx = orderKeys(x)
    let above = (kx .> orderKeys(V(repeating: hi))) .& .!isNaN
    let below = (kx .< orderKeys(V(repeating: lo))) .& .!isNaN
    var xc = x
    xc.replace(with: lo, where: below)
    xc.replace(with: hi, where: above)
    let magic = V(repeating: 0x1.8p23)  // as for Double: |x / ln2| < 2^22
    let kShifted = xc * V(repeating: 1.44269504) + magic
    let k = kShifted - magic
    let r = ((xc - k * V(repeating: 0.693145752)) - k * V(repeating: 1.42860677e-6)) + tail
    var p = V(repeating: 1.0 / 5040.0)
    p = madd(V(repeating: 1.0 / 720.0), p, r)
    p = madd(V(repeating: 1.0 / 120.0), p, r)
    p = madd(V(repeating: 1.0 / 24.0), p, r)
    p = madd(V(repeating: 1.0 / 6.0), p, r)
    p = madd(V(repeating: 0.5), p, r)
    p = madd(V(repeating: 1.0), p, r)
    p = madd(V(repeating: 1.0), p, r)
    let ki = unsafeBitCast(kShifted, to: K.self) &- unsafeBitCast(magic, to: K.self)
    let k1 = ki &>> 1, k2 = ki &- k1
    let s1 = unsafeBitCast((k1 &+ 127) &<< 23, to: V.self)
    let s2 = unsafeBitCast((k2 &+ 127) &<< 23, to: V.self)
    var e = p * s1 * s2
    e.replace(with: .infinity, where: above)
    e.replace(with: 0, where: below)
    return e.replacing(with: x, where: isNaN)
}

// gelu(x) = 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) = x / (1 + e^(-2z)),
// z = √(2/π)(x + 0.044715x³): the sigmoid form has no cancellation for
// negative x. x is clamped to ±1e5 inside z only (x³ would overflow; z is
// already far past where e^(-2z) is 0 or inf), so gelu(x) = x for large x and
// -0.0 for large negative x, finite up to the largest floats.

@_transparent @usableFromInline
func vectorGelu(_ x: SIMD8<Double>, forFloat32: Bool = false) -> SIMD8<Double> {
    typealias V = SIMD8<Double>
    let xc = clampDouble(x, -1e5, 1e5)
    let z = V(repeating: 0.7978845608028654) * madd(xc, V(repeating: 0.044715) * xc, xc * xc)
    return x / (V(repeating: 1) + vectorExp(V(repeating: -2) * z, forFloat32: forFloat32))
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
    typealias V = SIMD16<Float>
    // 2z = C1·x + C3·x³, C1 = 2√(2/π), C3 = 0.044715·C1, each as hi + lo.
    let c1h = V(repeating: 1.5957691669464111), c1l = V(repeating: -4.534068054340423e-08)
    let c3h = V(repeating: 0.07135481387376785), c3l = V(repeating: 2.3988324659995897e-09)
    // Past |x| = 20, e^(-2z) is already 0 or inf in Float32 (|2z| > 600).
    let xc = clampFloat(x, -20, 20)
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
    let u = vectorExp(unsafeBitCast(shBits | sign, to: V.self),
                      tail: unsafeBitCast(slBits ^ ((shBits & sign) ^ sign), to: V.self))
    let numerator = (x * u).replacing(with: x, where: shBits .>= K(repeating: 0))
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
