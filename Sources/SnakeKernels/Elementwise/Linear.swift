// scale (x * s) and saxpy (a + s * b): plain IEEE arithmetic, rounded
// exactly as NumPy's expressions (no fused multiply-add), so results and
// floating-point warnings match NumPy's bit for bit.

import SnakeABI

// MARK: - scale: x * s

struct ScaleOp<T: SnakeFloat>: ElementwiseOp {
    static var clearsInvalid: Bool { false }
    @inline(__always) static func vector(_ x: T.V, _ s: T.V, _: T.V) -> T.V { x * s }
    @inline(__always) static func scalar(_ x: T, _ s: T, _: T) -> T { x * s }
}

@inline(__always)
func scale<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ s: UnsafePointer<T>, _ ss: Int,
    _ out: UnsafeMutablePointer<T>, _ os: Int, _ grain: Int
) {
    mapChunks(ScaleOp<T>.self, n, grain, x, xs, s, ss, s, 0, out, os)
}

@c @implementation
public func snake_scale_f64(
    _ n: Int, _ x: UnsafePointer<Double>, _ xs: Int, _ s: UnsafePointer<Double>, _ ss: Int,
    _ out: UnsafeMutablePointer<Double>, _ os: Int, _ grain: Int
) { scale(n, x, xs, s, ss, out, os, grain) }

@c @implementation
public func snake_scale_f32(
    _ n: Int, _ x: UnsafePointer<Float>, _ xs: Int, _ s: UnsafePointer<Float>, _ ss: Int,
    _ out: UnsafeMutablePointer<Float>, _ os: Int, _ grain: Int
) { scale(n, x, xs, s, ss, out, os, grain) }

// MARK: - saxpy: a + s * b

struct SaxpyOp<T: SnakeFloat>: ElementwiseOp {
    static var clearsInvalid: Bool { false }
    @inline(__always) static func vector(_ a: T.V, _ b: T.V, _ s: T.V) -> T.V { a + s * b }
    @inline(__always) static func scalar(_ a: T, _ b: T, _ s: T) -> T { a + s * b }
}

@inline(__always)
func saxpy<T: SnakeFloat>(
    _ n: Int, _ a: UnsafePointer<T>, _ as: Int, _ b: UnsafePointer<T>, _ bs: Int,
    _ s: UnsafePointer<T>, _ ss: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ grain: Int
) {
    mapChunks(SaxpyOp<T>.self, n, grain, a, `as`, b, bs, s, ss, out, os)
}

@c @implementation
public func snake_saxpy_f64(
    _ n: Int, _ a: UnsafePointer<Double>, _ as: Int, _ b: UnsafePointer<Double>, _ bs: Int,
    _ s: UnsafePointer<Double>, _ ss: Int, _ out: UnsafeMutablePointer<Double>, _ os: Int, _ grain: Int
) { saxpy(n, a, `as`, b, bs, s, ss, out, os, grain) }

@c @implementation
public func snake_saxpy_f32(
    _ n: Int, _ a: UnsafePointer<Float>, _ as: Int, _ b: UnsafePointer<Float>, _ bs: Int,
    _ s: UnsafePointer<Float>, _ ss: Int, _ out: UnsafeMutablePointer<Float>, _ os: Int, _ grain: Int
) { saxpy(n, a, `as`, b, bs, s, ss, out, os, grain) }
