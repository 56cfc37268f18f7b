// clip: elementwise min(max(x, lo), hi), bit-for-bit as np.clip, which has
// two loops that differ in ties and NaN payloads:
// - array bounds:   t = isnan(x) ? x : (x > lo ? x : lo)
//                   r = isnan(t) ? t : (t < hi ? t : hi)
// - constant bounds (lo and hi both stride 0): a NaN bound fills the output
//   (lo's NaN if lo is NaN, else hi's); otherwise t = x < lo ? lo : x,
//   r = t > hi ? hi : t, so -0.0 vs +0.0 ties keep x.
// Either way a NaN anywhere gives NaN and lo > hi gives hi. The SIMD path compares
// floats (SnakeFloat.clip) and clears the "invalid" flag NaN lanes may raise;
// the scalar paths compare integer order keys and raise none.

import SnakeABI

@inline(__always)
func clipBits<T: SnakeFloat>(_ x: T.Bits, _ lo: T.Bits, _ hi: T.Bits, _: T.Type) -> T.Bits {
    let t = T.isNaN(bits: x) || (!T.isNaN(bits: lo) && T.orderKey(bits: x) > T.orderKey(bits: lo)) ? x : lo
    return T.isNaN(bits: t) || (!T.isNaN(bits: hi) && T.orderKey(bits: t) < T.orderKey(bits: hi)) ? t : hi
}

@inline(__always)
func clipConstantBits<T: SnakeFloat>(_ x: T.Bits, _ lo: T.Bits, _ hi: T.Bits, _: T.Type) -> T.Bits {
    let t = !T.isNaN(bits: x) && T.orderKey(bits: x) < T.orderKey(bits: lo) ? lo : x
    return !T.isNaN(bits: t) && T.orderKey(bits: t) > T.orderKey(bits: hi) ? hi : t
}

struct ClipOp<T: SnakeFloat>: ElementwiseOp {
    static var clearsInvalid: Bool { true }
    @inline(__always) static func vector(_ x: T.V, _ lo: T.V, _ hi: T.V) -> T.V { T.clip(x, lo, hi) }
    @inline(__always) static func scalar(_ x: T, _ lo: T, _ hi: T) -> T {
        T(bits: clipBits(x.bits, lo.bits, hi.bits, T.self))
    }
}

struct ClipConstantOp<T: SnakeFloat>: ElementwiseOp {
    static var clearsInvalid: Bool { true }
    @inline(__always) static func vector(_ x: T.V, _ lo: T.V, _ hi: T.V) -> T.V { T.clipConstant(x, lo, hi) }
    @inline(__always) static func scalar(_ x: T, _ lo: T, _ hi: T) -> T {
        T(bits: clipConstantBits(x.bits, lo.bits, hi.bits, T.self))
    }
}

/// Writes the second operand (a NaN bound) everywhere.
struct FillOp<T: SnakeFloat>: ElementwiseOp {
    static var clearsInvalid: Bool { false }
    @inline(__always) static func vector(_: T.V, _ fill: T.V, _: T.V) -> T.V { fill }
    @inline(__always) static func scalar(_: T, _ fill: T, _: T) -> T { fill }
}

@inline(__always)
func clip<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ lo: UnsafePointer<T>, _ ls: Int,
    _ hi: UnsafePointer<T>, _ hs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ grain: Int
) {
    guard ls == 0 && hs == 0 else {
        mapChunks(ClipOp<T>.self, n, grain, x, xs, lo, ls, hi, hs, out, os)
        return
    }
    if T.isNaN(bits: lo.pointee.bits) || T.isNaN(bits: hi.pointee.bits) {
        let fill = T.isNaN(bits: lo.pointee.bits) ? lo : hi
        mapChunks(FillOp<T>.self, n, grain, x, xs, fill, 0, fill, 0, out, os)
        return
    }
    mapChunks(ClipConstantOp<T>.self, n, grain, x, xs, lo, 0, hi, 0, out, os)
}

@c @implementation
public func snake_clip_f64(
    _ n: Int, _ x: UnsafePointer<Double>, _ xs: Int, _ lo: UnsafePointer<Double>, _ ls: Int,
    _ hi: UnsafePointer<Double>, _ hs: Int, _ out: UnsafeMutablePointer<Double>, _ os: Int, _ grain: Int
) { clip(n, x, xs, lo, ls, hi, hs, out, os, grain) }

@c @implementation
public func snake_clip_f32(
    _ n: Int, _ x: UnsafePointer<Float>, _ xs: Int, _ lo: UnsafePointer<Float>, _ ls: Int,
    _ hi: UnsafePointer<Float>, _ hs: Int, _ out: UnsafeMutablePointer<Float>, _ os: Int, _ grain: Int
) { clip(n, x, xs, lo, ls, hi, hs, out, os, grain) }
