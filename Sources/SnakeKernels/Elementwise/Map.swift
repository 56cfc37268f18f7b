// The loop every elementwise kernel runs (clip, relu, scale, saxpy).
//
// Up to three inputs; kernels with fewer pass a dummy broadcast input. The
// SIMD path applies when the output and the first input are contiguous and
// every other input is contiguous or a broadcast scalar (stride 0), the
// common shapes of `f(x)`, `f(x, s)` and `f(x, y, s)`; it is specialised per
// combination so a broadcast scalar is loaded once. Anything else (strided,
// negative or mixed layouts) runs the scalar loop. Chunks are independent,
// so `_mt` results are bit-identical to single-threaded ones.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always)
func mapElements<T: SnakeFloat>(
    _ n: Int,
    _ x: UnsafePointer<T>, _ xs: Int,
    _ y: UnsafePointer<T>, _ ys: Int,
    _ z: UnsafePointer<T>, _ zs: Int,
    _ out: UnsafeMutablePointer<T>, _ os: Int,
    clearsInvalid: Bool,
    vector: (T.V, T.V, T.V) -> T.V,
    scalar: (T, T, T) -> T
) {
    let unit = MemoryLayout<T>.stride
    guard xs == unit, os == unit, ys == 0 || ys == unit, zs == 0 || zs == unit else {
        for i in 0..<n {
            out.advanced(bytes: i &* os).pointee = scalar(x.at(i, step: xs), y.at(i, step: ys), z.at(i, step: zs))
        }
        return
    }
    let body = n / T.lanes &* T.lanes
    @inline(__always) func run(_ yAt: (Int) -> T.V, _ zAt: (Int) -> T.V) {
        var i = 0
        while i < body {
            T.store(vector(T.load(x, i), yAt(i), zAt(i)), out, i)
            i &+= T.lanes
        }
    }
    let yFixed = T.V(repeating: y.pointee), zFixed = T.V(repeating: z.pointee)
    let yLoad = { T.load(y, $0) }, zLoad = { T.load(z, $0) }
    switch (ys == 0, zs == 0) {  // one specialised loop per layout
    case (true, true): run({ _ in yFixed }, { _ in zFixed })
    case (true, false): run({ _ in yFixed }, zLoad)
    case (false, true): run(yLoad, { _ in zFixed })
    case (false, false): run(yLoad, zLoad)
    }
    // Compares of NaN lanes may have raised "invalid"; a kernel that does no
    // arithmetic cannot raise it legitimately, so drop it (as NumPy's clip
    // loop does) rather than let NumPy turn it into a RuntimeWarning.
    if clearsInvalid { feclearexcept(FE_INVALID) }
    for i in body..<n {
        out[i] = scalar(x[i], y[ys == 0 ? 0 : i], z[zs == 0 ? 0 : i])
    }
}

/// Splits an elementwise call into `_mt` chunks and runs `mapElements` on each.
@inline(__always)
func mapChunks<T: SnakeFloat>(
    _ n: Int, _ grain: Int,
    _ x: UnsafePointer<T>, _ xs: Int,
    _ y: UnsafePointer<T>, _ ys: Int,
    _ z: UnsafePointer<T>, _ zs: Int,
    _ out: UnsafeMutablePointer<T>, _ os: Int,
    clearsInvalid: Bool,
    vector: (T.V, T.V, T.V) -> T.V,
    scalar: (T, T, T) -> T
) {
    mapRange(n: n, grain: grain) { s, c in
        mapElements(c, x.advanced(bytes: s &* xs), xs, y.advanced(bytes: s &* ys), ys,
                    z.advanced(bytes: s &* zs), zs, out.advanced(bytes: s &* os), os,
                    clearsInvalid: clearsInvalid, vector: vector, scalar: scalar)
    }
}
