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
