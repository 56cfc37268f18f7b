// clip: elementwise min(max(x, lo), hi), bit-for-bit as np.clip:
//   t = isnan(x) ? x : (x > lo ? x : lo)
//   r = isnan(t) ? t : (t < hi ? t : hi)
// so a NaN anywhere gives NaN, lo > hi gives hi, and ties between -0.0 and
// +0.0 pick lo (then hi), as NumPy's loop does. Compares go through integer
// order keys, so NaN input raises no floating-point flag.

import SnakeABI

@inline(__always)
func clipBits<T: SnakeFloat>(_ x: T.Bits, _ lo: T.Bits, _ hi: T.Bits, _: T.Type) -> T.Bits {
    let t = T.isNaN(bits: x) || (!T.isNaN(bits: lo) && T.orderKey(bits: x) > T.orderKey(bits: lo)) ? x : lo
    return T.isNaN(bits: t) || (!T.isNaN(bits: hi) && T.orderKey(bits: t) < T.orderKey(bits: hi)) ? t : hi
}

@inline(__always)
func clipBits<T: SnakeFloat>(_ x: T.K, _ lo: T.K, _ hi: T.K, _: T.Type) -> T.K {
    let xNaN = T.isNaN(x)
    let t = lo.replacing(with: x, where: xNaN .| (.!T.isNaN(lo) .& (T.orderKey(x) .> T.orderKey(lo))))
    let tNaN = T.isNaN(t)
    return hi.replacing(with: t, where: tNaN .| (.!T.isNaN(hi) .& (T.orderKey(t) .< T.orderKey(hi))))
}

/// Vector body shared by the fast paths; `lo(i)`/`hi(i)` either load or
/// return a loop-invariant broadcast.
@inline(__always)
func clipContiguous<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>,
    lo: (Int) -> T.K, hi: (Int) -> T.K, loScalar: (Int) -> T, hiScalar: (Int) -> T
) {
    let lanes = T.lanes
    var i = 0
    while n &- i >= lanes {
        T.store(T.float(clipBits(T.bits(T.load(x, i)), lo(i), hi(i), T.self)), out, i)
        i &+= lanes
    }
    while i < n {
        out[i] = T(bits: clipBits(x[i].bits, loScalar(i).bits, hiScalar(i).bits, T.self))
        i &+= 1
    }
}

@inline(__always)
func clipRange<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ lo: UnsafePointer<T>, _ ls: Int,
    _ hi: UnsafePointer<T>, _ hs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int
) {
    if isUnit(xs, T.self) && isUnit(os, T.self) {
        if ls == 0 && hs == 0 {
            let l = lo.pointee, h = hi.pointee
            let lv = T.K(repeating: l.bits), hv = T.K(repeating: h.bits)
            clipContiguous(n, x, out, lo: { _ in lv }, hi: { _ in hv },
                           loScalar: { _ in l }, hiScalar: { _ in h })
            return
        }
        if isUnit(ls, T.self) && isUnit(hs, T.self) {
            clipContiguous(n, x, out, lo: { T.bits(T.load(lo, $0)) }, hi: { T.bits(T.load(hi, $0)) },
                           loScalar: { lo[$0] }, hiScalar: { hi[$0] })
            return
        }
    }
    for i in 0..<n {
        let r = clipBits(x.at(i, step: xs).bits, lo.at(i, step: ls).bits, hi.at(i, step: hs).bits, T.self)
        out.advanced(bytes: i &* os).pointee = T(bits: r)
    }
}

@inline(__always)
func clip<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ lo: UnsafePointer<T>, _ ls: Int,
    _ hi: UnsafePointer<T>, _ hs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ grain: Int
) {
    mapRange(n: n, grain: grain) { s, c in
        clipRange(c, x.advanced(bytes: s &* xs), xs, lo.advanced(bytes: s &* ls), ls,
                  hi.advanced(bytes: s &* hs), hs, out.advanced(bytes: s &* os), os)
    }
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
