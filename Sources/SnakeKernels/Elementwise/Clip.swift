// clip: elementwise min(max(x, lo), hi), bit-for-bit as np.clip:
//   t = isnan(x) ? x : (x > lo ? x : lo)
//   r = isnan(t) ? t : (t < hi ? t : hi)
// so a NaN anywhere gives NaN, lo > hi gives hi, and ties between -0.0 and
// +0.0 pick lo (then hi), as NumPy's loop does. The SIMD path compares
// floats and then clears the "invalid" flag NaN lanes may raise (as NumPy's
// clip loop does); the scalar paths compare integer order keys and raise none.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SnakeABI

@inline(__always)
func clipBits<T: SnakeFloat>(_ x: T.Bits, _ lo: T.Bits, _ hi: T.Bits, _: T.Type) -> T.Bits {
    let t = T.isNaN(bits: x) || (!T.isNaN(bits: lo) && T.orderKey(bits: x) > T.orderKey(bits: lo)) ? x : lo
    return T.isNaN(bits: t) || (!T.isNaN(bits: hi) && T.orderKey(bits: t) < T.orderKey(bits: hi)) ? t : hi
}

/// Contiguous x and out; lo/hi contiguous or broadcast scalars.
@inline(__always)
func clipContiguous<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ lo: UnsafePointer<T>, loScalar: Bool,
    _ hi: UnsafePointer<T>, hiScalar: Bool, _ out: UnsafeMutablePointer<T>
) {
    let body = n / T.lanes &* T.lanes
    T.clipScan(x, lo, loScalar: loScalar, hi, hiScalar: hiScalar, out, body)
    feclearexcept(FE_INVALID)  // see clipLoop
    for i in body..<n {
        let l = lo[loScalar ? 0 : i], h = hi[hiScalar ? 0 : i]
        out[i] = T(bits: clipBits(x[i].bits, l.bits, h.bits, T.self))
    }
}

@inline(__always)
func clipRange<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ lo: UnsafePointer<T>, _ ls: Int,
    _ hi: UnsafePointer<T>, _ hs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int
) {
    if isUnit(xs, T.self) && isUnit(os, T.self) {
        let loOK = ls == 0 || isUnit(ls, T.self), hiOK = hs == 0 || isUnit(hs, T.self)
        if loOK && hiOK {
            clipContiguous(n, x, lo, loScalar: ls == 0, hi, hiScalar: hs == 0, out)
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
