// relu and gelu.
//
// relu: x > 0 ? x : +0.0, NaN kept. The SIMD path compares floats
// (SnakeFloat.relu) and clears the "invalid" flag NaN lanes may raise; the
// scalar path decides on the bit pattern and raises none.

import SnakeABI

@inline(__always)
func reluScalar<T: SnakeFloat>(_ x: T) -> T {
    let b = x.bits
    return b < 0 && !T.isNaN(bits: b) ? T(bits: 0) : x
}

struct ReluOp<T: SnakeFloat>: ElementwiseOp {
    static var clearsInvalid: Bool { true }
    @inline(__always) static func vector(_ x: T.V, _: T.V, _: T.V) -> T.V { T.relu(x) }
    @inline(__always) static func scalar(_ x: T, _: T, _: T) -> T { reluScalar(x) }
}

@inline(__always)
func relu<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ grain: Int
) {
    mapChunks(ReluOp<T>.self, n, grain, x, xs, x, 0, x, 0, out, os)
}

@c @implementation
public func snake_relu_f64(
    _ n: Int, _ x: UnsafePointer<Double>, _ xs: Int, _ out: UnsafeMutablePointer<Double>, _ os: Int, _ grain: Int
) { relu(n, x, xs, out, os, grain) }

@c @implementation
public func snake_relu_f32(
    _ n: Int, _ x: UnsafePointer<Float>, _ xs: Int, _ out: UnsafeMutablePointer<Float>, _ os: Int, _ grain: Int
) { relu(n, x, xs, out, os, grain) }

// MARK: - gelu (tanh approximation), see Math/Exp.swift for the formula.
// The vector path is the only path: the scalar tail runs the same vector code
// on a splatted lane, so every element gets the same rounding. Its clamps
// raise "invalid" on NaN lanes, which is cleared (gelu(NaN) = NaN quietly;
// gelu(-inf) = -inf / inf = NaN, as the formula gives, also quietly).

struct GeluOp<T: SnakeFloat>: ElementwiseOp {
    static var clearsInvalid: Bool { true }
    @inline(__always) static func vector(_ x: T.V, _: T.V, _: T.V) -> T.V { T.gelu(x) }
    @inline(__always) static func scalar(_ x: T, _: T, _: T) -> T { T.gelu(T.V(repeating: x))[0] }
}

@inline(__always)
func gelu<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ grain: Int
) {
    mapChunks(GeluOp<T>.self, n, grain, x, xs, x, 0, x, 0, out, os)
}

@c @implementation
public func snake_gelu_f64(
    _ n: Int, _ x: UnsafePointer<Double>, _ xs: Int, _ out: UnsafeMutablePointer<Double>, _ os: Int, _ grain: Int
) { gelu(n, x, xs, out, os, grain) }

@c @implementation
public func snake_gelu_f32(
    _ n: Int, _ x: UnsafePointer<Float>, _ xs: Int, _ out: UnsafeMutablePointer<Float>, _ os: Int, _ grain: Int
) { gelu(n, x, xs, out, os, grain) }
