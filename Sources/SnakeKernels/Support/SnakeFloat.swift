/// The floating-point element types snake kernels are generic over.
///
/// `V` is the SIMD vector a kernel works in (64 bytes: one AVX-512 register,
/// two AVX2 registers, four SSE/NEON registers); `K` is the integer vector of
/// the same shape, used to compare floats through their bit patterns so that
/// NaN input never raises the "invalid" flag (NumPy would turn that flag into
/// a spurious RuntimeWarning).
public protocol SnakeFloat: BinaryFloatingPoint, SIMDScalar, Codable {
    associatedtype Bits: FixedWidthInteger & SignedInteger & SIMDScalar
    associatedtype V: SIMD where V.Scalar == Self
    associatedtype K: SIMD where K.Scalar == Bits
    /// Bit pattern of +infinity as a signed integer: |x| bits above it are NaN.
    static var infinityBits: Bits { get }
    init(bits: Bits)
    var bits: Bits { get }
}

extension Double: SnakeFloat {
    public typealias V = SIMD8<Double>
    public typealias K = SIMD8<Int64>
    @inlinable public static var infinityBits: Int64 { 0x7FF0_0000_0000_0000 }
    @inlinable public init(bits: Int64) { self.init(bitPattern: UInt64(bitPattern: bits)) }
    @inlinable public var bits: Int64 { Int64(bitPattern: bitPattern) }
}

extension Float: SnakeFloat {
    public typealias V = SIMD16<Float>
    public typealias K = SIMD16<Int32>
    @inlinable public static var infinityBits: Int32 { 0x7F80_0000 }
    @inlinable public init(bits: Int32) { self.init(bitPattern: UInt32(bitPattern: bits)) }
    @inlinable public var bits: Int32 { Int32(bitPattern: bitPattern) }
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

    @inline(__always) static func bits(_ v: V) -> K { unsafeBitCast(v, to: K.self) }
    @inline(__always) static func float(_ k: K) -> V { unsafeBitCast(k, to: V.self) }
    @inline(__always) static func orderKey(_ b: K) -> K {
        let m = b & K(repeating: Bits.max)
        return m.replacing(with: K.zero &- m, where: b .< K.zero)
    }
    @inline(__always) static func isNaN(_ b: K) -> SIMDMask<K.MaskStorage> {
        (b & K(repeating: Bits.max)) .> K(repeating: infinityBits)
    }
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
@inline(__always)
func madd<V: SIMD>(_ acc: V, _ a: V, _ b: V) -> V where V.Scalar: FloatingPoint {
    #if SNAKE_FMA
    return acc.addingProduct(a, b)
    #else
    return acc + a * b
    #endif
}
