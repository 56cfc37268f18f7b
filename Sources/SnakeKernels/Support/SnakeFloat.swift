import SnakeABI

/// The floating-point element types snake kernels are generic over.
///
/// `V` is the SIMD vector a kernel works in (64 bytes: one AVX-512 register,
/// two AVX2 registers, four SSE/NEON registers).
public protocol SnakeFloat: BinaryFloatingPoint, SIMDScalar, Codable {
    associatedtype Bits: FixedWidthInteger & SignedInteger & SIMDScalar
    associatedtype V: SIMD where V.Scalar == Self
    /// Half of V (32 bytes): sum_sq and dot's loads from memory (Reductions/Sums.swift).
    associatedtype Half: SIMD where Half.Scalar == Self
    /// Bit pattern of +infinity as a signed integer: |x| bits above it are NaN.
    static var infinityBits: Bits { get }
    init(bits: Bits)
    var bits: Bits { get }

    // Vector operations that compare or select. They are requirements,
    // implemented on the concrete vector types (see the end of this file);
    // the float compares may raise "invalid" on NaN lanes, so their callers
    // clear that flag (see mapElements).

    /// np.clip: t = isnan(x) ? x : (x > lo ? x : lo), then
    /// isnan(t) ? t : (t < hi ? t : hi).
    static func clip(_ x: V, _ lo: V, _ hi: V) -> V
    /// np.clip with constant, non-NaN bounds (NumPy's separate loop for
    /// that case): t = x < lo ? lo : x, then t > hi ? hi : t.
    static func clipConstant(_ x: V, _ lo: V, _ hi: V) -> V
    /// x > 0 || isnan(x) ? x : +0.0
    static func relu(_ x: V) -> V
    /// e^x per lane (Math/Exp.swift): within 1.2 ulp; +inf above the
    /// overflow threshold without raising "overflow", 0 below underflow
    /// with `underflow` set (the caller raises the flag once); NaN stays NaN.
    static func exp(_ x: V, underflow: inout Bool) -> V
    /// `exp` for lanes with |x| <= `expInRangeBound` (708; Float32: 87),
    /// the same bits without the range test: the caller has checked it.
    static func expInRange(_ x: V) -> V
    static var expInRangeBound: Self { get }
    /// gelu, tanh approximation (Math/Exp.swift).
    static func gelu(_ x: V) -> V
    /// Stores `v` at `p + i` around the caches (snake_abi.h); `p + i` must
    /// be 64-byte aligned. See `Streaming` in Support/Drivers.swift.
    static func storeStreaming(_ v: V, _ p: UnsafeMutablePointer<Self>, _ i: Int)
    /// Greatest non-NaN element of p[0..<count] (count a positive multiple
    /// of lanes; -inf if all are NaN) and whether any element is NaN.
    static func blockMax(_ p: UnsafePointer<Self>, _ count: Int) -> (max: Self, nan: Bool)
    /// As blockMax, with the least non-NaN element too (+inf if all are
    /// NaN): softmax's block scan (Rows/Softmax.swift).
    static func blockRange(_ p: UnsafePointer<Self>, _ count: Int) -> (min: Self, max: Self, nan: Bool)
    /// Index of the first element of p[0..<count] (count a multiple of
    /// lanes) that compares equal to `value`; count if none does.
    static func firstEqual(_ p: UnsafePointer<Self>, _ count: Int, _ value: Self) -> Int
    /// argmax of 8 adjacent rows of n >= 1 elements (Reductions/Argmax.swift).
    static func columnArgmax(_ n: Int, _ p: UnsafePointer<Self>, _ step: Int) -> SIMD8<Int>
    /// Eight lanes converted to Float64 (exact): the column paths' sums.
    static func widen(_ v: SIMD8<Self>) -> SIMD8<Double>
    /// Eight Float64 lanes rounded to Self, as Self(Double) does.
    static func narrow(_ v: SIMD8<Double>) -> SIMD8<Self>
}

extension Double: SnakeFloat {
    public typealias V = SIMD8<Double>
    public typealias Half = SIMD4<Double>
    @inlinable public static var infinityBits: Int64 { 0x7FF0_0000_0000_0000 }
    @inlinable public init(bits: Int64) { self.init(bitPattern: UInt64(bitPattern: bits)) }
    @inlinable public var bits: Int64 { Int64(bitPattern: bitPattern) }
    @inline(__always) public static func clip(_ x: V, _ lo: V, _ hi: V) -> V {
        let t = lo.replacing(with: x, where: (x .!= x) .| (x .> lo))
        return hi.replacing(with: t, where: (t .!= t) .| (t .< hi))
    }
    @inline(__always) public static func clipConstant(_ x: V, _ lo: V, _ hi: V) -> V {
        let t = x.replacing(with: lo, where: x .< lo)
        return t.replacing(with: hi, where: t .> hi)
    }
    @inline(__always) public static func relu(_ x: V) -> V {
        x.replacing(with: 0, where: .!(x .> 0) .& (x .== x))
    }
    @_transparent public static func exp(_ x: V, underflow: inout Bool) -> V { vectorExp(x, underflow: &underflow) }
    @_transparent public static func expInRange(_ x: V) -> V { expCore(x, forFloat32: false).e }
    @inlinable public static var expInRangeBound: Double { 708 }
    @_transparent public static func gelu(_ x: V) -> V { vectorGelu(x) }
    @inline(__always) public static func storeStreaming(_ v: V, _ p: UnsafeMutablePointer<Double>, _ i: Int) {
        snake_stream_f64x8(p + i, v)
    }
    @inline(__always) public static func blockMax(_ p: UnsafePointer<Double>, _ count: Int) -> (max: Double, nan: Bool) {
        argmaxBlockMax(p, count)
    }
    @inline(__always) public static func blockRange(_ p: UnsafePointer<Double>, _ count: Int) -> (min: Double, max: Double, nan: Bool) {
        softmaxBlockRange(p, count)
    }
    @inline(__always) public static func firstEqual(_ p: UnsafePointer<Double>, _ count: Int, _ value: Double) -> Int {
        argmaxFirstEqual(p, count, value)
    }
    @inline(__always) public static func columnArgmax(_ n: Int, _ p: UnsafePointer<Double>, _ step: Int) -> SIMD8<Int> {
        argmaxColumns(n, p, step)
    }
    @inline(__always) public static func widen(_ v: SIMD8<Double>) -> SIMD8<Double> { v }
    @inline(__always) public static func narrow(_ v: SIMD8<Double>) -> SIMD8<Double> { v }
}

extension Float: SnakeFloat {
    public typealias V = SIMD16<Float>
    public typealias Half = SIMD8<Float>
    @inlinable public static var infinityBits: Int32 { 0x7F80_0000 }
    @inlinable public init(bits: Int32) { self.init(bitPattern: UInt32(bitPattern: bits)) }
    @inlinable public var bits: Int32 { Int32(bitPattern: bitPattern) }
    @inline(__always) public static func clip(_ x: V, _ lo: V, _ hi: V) -> V {
        let t = lo.replacing(with: x, where: (x .!= x) .| (x .> lo))
        return hi.replacing(with: t, where: (t .!= t) .| (t .< hi))
    }
    @inline(__always) public static func clipConstant(_ x: V, _ lo: V, _ hi: V) -> V {
        let t = x.replacing(with: lo, where: x .< lo)
        return t.replacing(with: hi, where: t .> hi)
    }
    @inline(__always) public static func relu(_ x: V) -> V {
        x.replacing(with: 0, where: .!(x .> 0) .& (x .== x))
    }
    @_transparent public static func exp(_ x: V, underflow: inout Bool) -> V { vectorExp(x, underflow: &underflow) }
    @_transparent public static func expInRange(_ x: V) -> V { expCore(x, tail: V(repeating: -0.0)).e }
    @inlinable public static var expInRangeBound: Float { 87 }
    @_transparent public static func gelu(_ x: V) -> V { vectorGelu(x) }
    @inline(__always) public static func storeStreaming(_ v: V, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        snake_stream_f32x16(p + i, v)
    }
    @inline(__always) public static func blockMax(_ p: UnsafePointer<Float>, _ count: Int) -> (max: Float, nan: Bool) {
        argmaxBlockMax(p, count)
    }
    @inline(__always) public static func blockRange(_ p: UnsafePointer<Float>, _ count: Int) -> (min: Float, max: Float, nan: Bool) {
        softmaxBlockRange(p, count)
    }
    @inline(__always) public static func firstEqual(_ p: UnsafePointer<Float>, _ count: Int, _ value: Float) -> Int {
        argmaxFirstEqual(p, count, value)
    }
    @inline(__always) public static func columnArgmax(_ n: Int, _ p: UnsafePointer<Float>, _ step: Int) -> SIMD8<Int> {
        argmaxColumns(n, p, step)
    }
    @inline(__always) public static func widen(_ v: SIMD8<Float>) -> SIMD8<Double> { snake_widen_f32x8(v) }
    @inline(__always) public static func narrow(_ v: SIMD8<Double>) -> SIMD8<Float> { snake_narrow_f64x8(v) }
}

// MARK: - Ordering floats as integers

// key(x) = +bits(x) for x >= +0, -(bits(|x|)) for x <= -0: a signed integer
// that orders like the float value, with -0.0 and +0.0 equal. NaN is not
// ordered by the key; callers test `isNaN` (|bits| > infinity bits) first.

extension SnakeFloat {
    @inline(__always) static func magnitude(_ b: Bits) -> Bits { b & Bits.max }
    @inline(__always) static func orderKey(bits b: Bits) -> Bits {
        let m = magnitude(b)
        return b < 0 ? 0 &- m : m
    }
    @inline(__always) static func isNaN(bits b: Bits) -> Bool { magnitude(b) > infinityBits }

}

// MARK: - Loads and fused multiply-add

extension SnakeFloat {
    @inline(__always) static var lanes: Int { V.scalarCount }
    @inline(__always) static func load(_ p: UnsafePointer<Self>, _ i: Int) -> V {
        UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
    }
    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Self>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: V.self)
    }
}

/// acc + a * b: fused where the build targets FMA hardware (SNAKE_FMA), plain
/// otherwise (without FMA hardware `addingProduct` is a libm call per lane).
@_transparent @usableFromInline
func madd<V: SIMD>(_ acc: V, _ a: V, _ b: V) -> V where V.Scalar: FloatingPoint {
    #if SNAKE_FMA
    return acc.addingProduct(a, b)
    #else
    return acc + a * b
    #endif
}

// MARK: - Lane selects

/// a where m, else b, as bit operations on the lanes: `replace(with:where:)`
/// compiled to 128-bit pieces in exp's any-range path on AVX-512.
@_transparent @usableFromInline
func select(_ m: SIMDMask<SIMD8<Int64>>, _ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> {
    let mi = unsafeBitCast(m, to: SIMD8<Int64>.self)
    let ai = unsafeBitCast(a, to: SIMD8<Int64>.self), bi = unsafeBitCast(b, to: SIMD8<Int64>.self)
    return unsafeBitCast(bi ^ ((ai ^ bi) & mi), to: SIMD8<Double>.self)
}

@_transparent @usableFromInline
func select(_ m: SIMDMask<SIMD16<Int32>>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
    let mi = unsafeBitCast(m, to: SIMD16<Int32>.self)
    let ai = unsafeBitCast(a, to: SIMD16<Int32>.self), bi = unsafeBitCast(b, to: SIMD16<Int32>.self)
    return unsafeBitCast(bi ^ ((ai ^ bi) & mi), to: SIMD16<Float>.self)
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

@_transparent @usableFromInline
func select(_ m: SIMDMask<SIMD8<Int64>>, _ a: SIMD8<Int64>, _ b: SIMD8<Int64>) -> SIMD8<Int64> {
    b ^ ((a ^ b) & unsafeBitCast(m, to: SIMD8<Int64>.self))
}

/// Whether any lane of m is set, as a tree of ORs: the stdlib's `any`
/// stayed an out-of-line generic `min` call, 4-20x slower in a loop
/// (normalize's range test; AVX-512 gets `kortest`).
@inline(__always)
func anyLane(_ m: SIMDMask<SIMD8<Int64>>) -> Bool {
    let b = unsafeBitCast(m, to: SIMD8<Int64>.self)
    let h = b.lowHalf | b.highHalf, q = h.lowHalf | h.highHalf
    return q[0] | q[1] != 0
}

@inline(__always)
func anyLane(_ m: SIMDMask<SIMD16<Int32>>) -> Bool {
    let b = unsafeBitCast(m, to: SIMD16<Int32>.self)
    let h = b.lowHalf | b.highHalf, q = h.lowHalf | h.highHalf, e = q.lowHalf | q.highHalf
    return e[0] | e[1] != 0
}

// MARK: - Why vector loops are requirements

// In generic code, `.>`, `&`, `Self(repeating:)` or `replacing(with:where:)`
// on a generic `SIMD` resolve to the stdlib's lane-by-lane default
// implementations: measured 5-50x slower here than the same source on a
// concrete type. So the loops that compare or select (clip, relu, exp,
// argmax's block maximum) are SnakeFloat requirements, written once per
// concrete vector type with the same text; generic kernels call them.
