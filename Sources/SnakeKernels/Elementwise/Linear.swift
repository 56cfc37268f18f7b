// scale (x * s) and saxpy (a + s * b): plain IEEE arithmetic, rounded
// exactly as NumPy's expressions (no fused multiply-add), so results and
// floating-point warnings match NumPy's bit for bit.

import SnakeABI

// MARK: - scale: x * s

@inline(__always)
func scale<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ s: UnsafePointer<T>, _ ss: Int,
    _ out: UnsafeMutablePointer<T>, _ os: Int, _ grain: Int
) {
    mapChunks(n, grain, x, xs, s, ss, s, 0, out, os, clearsInvalid: false,
              vector: { x, s, _ in x * s }, scalar: { x, s, _ in x * s })
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

@inline(__always)
func saxpy<T: SnakeFloat>(
    _ n: Int, _ a: UnsafePointer<T>, _ as: Int, _ b: UnsafePointer<T>, _ bs: Int,
    _ s: UnsafePointer<T>, _ ss: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ grain: Int
) {
    mapChunks(n, grain, a, `as`, b, bs, s, ss, out, os, clearsInvalid: false,
              vector: { a, b, s in a + s * b }, scalar: { a, b, s in a + s * b })
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
