// The loop every elementwise kernel runs (clip, relu, gelu, scale, saxpy).
//
// Up to three inputs; kernels with fewer pass a dummy broadcast input. The
// SIMD path applies when the output and the first input are contiguous and
// every other input is contiguous or a broadcast scalar (stride 0), the
// common shapes of `f(x)`, `f(x, s)` and `f(x, y, s)`. Anything else (strided,
// negative or mixed layouts) goes through the same loop in gathered blocks
// (mapStrided). Chunks are independent, so `_mt` results are bit-identical
// to single-threaded ones.

import SnakeABI
import SnakeRuntime

/// One elementwise kernel: its vector and scalar forms. A type, not a pair
/// of closures, so every use is specialised and inlined (a closure argument
/// was left as an indirect call per vector: clip float32 ran at 0.4x NumPy).
protocol ElementwiseOp {
    associatedtype T: SnakeFloat
    static func vector(_ x: T.V, _ y: T.V, _ z: T.V) -> T.V
    static func scalar(_ x: T, _ y: T, _ z: T) -> T
    /// The vector form only compares and selects; clear the "invalid" flag
    /// its compares raise on NaN lanes (it cannot raise one legitimately).
    static var clearsInvalid: Bool { get }
}

/// The contiguous SIMD loop of `mapElements`, `body` a multiple of the lane
/// count; `streaming`: stores around the caches, `out` 64-byte aligned. Its
/// own function (never inlined): inlined into the driver, next to the
/// strided and tail loops, the 16-lane Float32 gelu body was compiled as
/// 4-lane pieces (LLVM re-vectorises Swift's lane-by-lane SIMD code, and did
/// it narrowly in the large function): 2.5 -> 0.6 ns/element on AVX-512.
/// One loop per layout, chosen here: left to LLVM, the flags were tested
/// (three branches) in every iteration of clip's loop, not unswitched.
@inline(never)
func mapVectors<Op: ElementwiseOp>(
    _ op: Op.Type, _ body: Int,
    _ x: UnsafePointer<Op.T>,
    _ y: UnsafePointer<Op.T>, _ yScalar: Bool,
    _ z: UnsafePointer<Op.T>, _ zScalar: Bool,
    _ out: UnsafeMutablePointer<Op.T>, streaming: Bool = false
) {
    switch (yScalar, zScalar, streaming) {
    case (true, true, false): mapLoop(op, body, x, y, true, z, true, out, false)
    case (true, false, false): mapLoop(op, body, x, y, true, z, false, out, false)
    case (false, true, false): mapLoop(op, body, x, y, false, z, true, out, false)
    case (false, false, false): mapLoop(op, body, x, y, false, z, false, out, false)
    case (true, true, true): mapLoop(op, body, x, y, true, z, true, out, true)
    case (true, false, true): mapLoop(op, body, x, y, true, z, false, out, true)
    case (false, true, true): mapLoop(op, body, x, y, false, z, true, out, true)
    case (false, false, true): mapLoop(op, body, x, y, false, z, false, out, true)
    }
}

/// `mapVectors`' loop for one layout (constant flags once inlined).
@inline(__always)
func mapLoop<Op: ElementwiseOp>(
    _: Op.Type, _ body: Int,
    _ x: UnsafePointer<Op.T>,
    _ y: UnsafePointer<Op.T>, _ yScalar: Bool,
    _ z: UnsafePointer<Op.T>, _ zScalar: Bool,
    _ out: UnsafeMutablePointer<Op.T>, _ streaming: Bool
) {
    typealias T = Op.T
    let yFixed = T.V(repeating: y.pointee), zFixed = T.V(repeating: z.pointee)
    var i = 0
    while i < body {
        let yv = yScalar ? yFixed : T.load(y, i)
        let zv = zScalar ? zFixed : T.load(z, i)
        let v = Op.vector(T.load(x, i), yv, zv)
        if streaming { T.storeStreaming(v, out, i) } else { T.store(v, out, i) }
        i &+= T.lanes
    }
}

/// `mapVectors` with the stores from out's first 64-byte boundary aligned
/// (`body >= T.lanes`, `start` = `streamingStart(out)`); `streaming`: those
/// stores go around the caches (outputs of `streamingBytes` or more).
/// NumPy places a large array's data 16 bytes past a line, so without this
/// every 64-byte store (and load, where the inputs share out's offset)
/// straddles two lines: relu, scale, clip and saxpy at 1e5 ran 5-11% slower
/// at offset 16 than at offset 0 (snake-bench, AVX-512). The unaligned first
/// vector and the one ending at `body` are computed first, since `out` may
/// be one of the inputs, and stored normally at the end, overlapping their
/// neighbours. All three go through `mapVectors` (the first and last on
/// copies in an aligned scratch), so every element is computed by one
/// machine loop: where two NaNs meet, which one survives depends on how
/// LLVM ordered the operands, and a second copy of the loop could differ.
func mapVectorsAligned<Op: ElementwiseOp>(
    _ op: Op.Type, _ body: Int,
    _ x: UnsafePointer<Op.T>,
    _ y: UnsafePointer<Op.T>, _ yScalar: Bool,
    _ z: UnsafePointer<Op.T>, _ zScalar: Bool,
    _ out: UnsafeMutablePointer<Op.T>, start: Int, streaming: Bool
) {
    typealias T = Op.T
    let lanes = T.lanes
    withUnsafeTemporaryAllocation(byteCount: 8 &* 64, alignment: 64) { raw in
        let scratch = raw.baseAddress!.bindMemory(to: T.self, capacity: 8 &* lanes)
        // Vectors at `at`, into scratch slot `slot` (four slots: x, y, z, out).
        func edge(_ at: Int, _ slot: Int) -> UnsafeMutablePointer<T> {
            let s = scratch + slot &* 4 &* lanes
            s.update(from: x + at, count: lanes)
            if !yScalar { (s + lanes).update(from: y + at, count: lanes) }
            if !zScalar { (s + 2 &* lanes).update(from: z + at, count: lanes) }
            let o = s + 3 &* lanes
            mapVectors(op, lanes, s, yScalar ? y : UnsafePointer(s + lanes), yScalar,
                       zScalar ? z : UnsafePointer(s + 2 &* lanes), zScalar, o, streaming: streaming)
            return o
        }
        let last = body &- lanes
        let head = edge(0, 0), tail = edge(last, 1)
        let count = (body &- start) / lanes &* lanes
        mapVectors(op, count, x + start, y + (yScalar ? 0 : start), yScalar,
                   z + (zScalar ? 0 : start), zScalar, out + start, streaming: streaming)
        if streaming { snake_stream_fence() }
        out.update(from: head, count: lanes)
        (out + last).update(from: tail, count: lanes)
    }
}

/// Rows from which `mapVectors` aligns its stores: on the AVX2 and AVX-512
/// tiers (32- and 64-byte vectors; the baseline's 16-byte vectors are aligned
/// at NumPy's offset already, and measured 4-8% slower with the edges
/// computed apart), for 128 KiB and more (at 64 KiB the two edge vectors
/// computed apart cost about what the split stores did).
#if arch(x86_64) && SNAKE_FMA
let alignedStoresMinimum = 128 << 10
#else
let alignedStoresMinimum = Int.max
#endif

/// Whether a contiguous row of `bytes` stores from its output's first
/// 64-byte boundary (streamed rows always do).
@inline(__always)
func alignsStores(bytes: Int, streaming: Bool) -> Bool {
    streaming || bytes >= alignedStoresMinimum
}

/// Strided, reversed or mixed layouts in blocks of 256: each block is
/// gathered into a scratch, its whole vectors run through `mapVectors` (the
/// machine loop of contiguous rows) and scattered; the row's last n % lanes
/// elements take the scalar form, as a contiguous row's do, so every layout
/// gets a contiguous row's bits (where two NaNs meet, the two forms may keep
/// different ones). The scalar form per element cost gelu its whole vector
/// evaluation per element: float64 x[::2] of 1e5 ran 7.3 ns/element
/// against 1.3 for a contiguous row (now 2.0-2.9). The scratch is sized to
/// the row and 16-byte aligned: the stdlib puts a temporary allocation on
/// the heap when its alignment is above 16, and a short row (NumPy calls
/// the loop once per row of a 2-D view) would pay that per call. Inputs
/// never overlap the output except exactly (NumPy copies any other
/// overlap), so a block read before it is written is safe in place.
@inline(never)
func mapStrided<Op: ElementwiseOp>(
    _ op: Op.Type, _ n: Int,
    _ x: UnsafePointer<Op.T>, _ xs: Int,
    _ y: UnsafePointer<Op.T>, _ ys: Int,
    _ z: UnsafePointer<Op.T>, _ zs: Int,
    _ out: UnsafeMutablePointer<Op.T>, _ os: Int
) {
    typealias T = Op.T
    let lanes = T.lanes, block = Swift.min(256, (n &+ lanes &- 1) / lanes &* lanes)
    withUnsafeTemporaryAllocation(of: T.self, capacity: 4 &* block) { buffer in
        let bx = buffer.baseAddress!, by = bx + block, bz = by + block, bo = bz + block
        var s = 0
        while s < n {
            let c = Swift.min(block, n &- s), whole = c / lanes &* lanes
            for k in 0..<c { (bx + k).initialize(to: x.at(s &+ k, step: xs)) }
            if ys != 0 { for k in 0..<c { (by + k).initialize(to: y.at(s &+ k, step: ys)) } }
            if zs != 0 { for k in 0..<c { (bz + k).initialize(to: z.at(s &+ k, step: zs)) } }
            mapVectors(op, whole, bx, ys == 0 ? y : UnsafePointer(by), ys == 0,
                       zs == 0 ? z : UnsafePointer(bz), zs == 0, bo)
            for k in whole..<c {
                bo[k] = Op.scalar(bx[k], ys == 0 ? y.pointee : by[k], zs == 0 ? z.pointee : bz[k])
            }
            for k in 0..<c { out.advanced(bytes: (s &+ k) &* os).pointee = bo[k] }
            s &+= c
        }
    }
}

@inline(__always)
func mapElements<Op: ElementwiseOp>(
    _ op: Op.Type, _ n: Int,
    _ x: UnsafePointer<Op.T>, _ xs: Int,
    _ y: UnsafePointer<Op.T>, _ ys: Int,
    _ z: UnsafePointer<Op.T>, _ zs: Int,
    _ out: UnsafeMutablePointer<Op.T>, _ os: Int,
    streaming: Bool
) {
    typealias T = Op.T
    let unit = MemoryLayout<T>.stride
    guard xs == unit, os == unit, ys == 0 || ys == unit, zs == 0 || zs == unit else {
        mapStrided(op, n, x, xs, y, ys, z, zs, out, os)
        if Op.clearsInvalid { clearFPFlags(fpInvalid) }
        return
    }
    let body = n / T.lanes &* T.lanes
    if alignsStores(bytes: body &* unit, streaming: streaming) && body >= T.lanes,
       let start = streamingStart(out), start != 0 || streaming {
        mapVectorsAligned(op, body, x, y, ys == 0, z, zs == 0, out, start: start, streaming: streaming)
    } else {
        mapVectors(op, body, x, y, ys == 0, z, zs == 0, out)
    }
    for i in body..<n {
        out[i] = Op.scalar(x[i], y[ys == 0 ? 0 : i], z[zs == 0 ? 0 : i])
    }
    // Compares of NaN lanes may have raised "invalid"; a kernel that cannot
    // raise it legitimately drops it (as NumPy's clip loop does) rather than
    // let NumPy turn it into a RuntimeWarning.
    if Op.clearsInvalid { clearFPFlags(fpInvalid) }
}

/// Splits an elementwise call into `_mt` chunks and runs `mapElements` on each.
@inline(__always)
func mapChunks<Op: ElementwiseOp>(
    _ op: Op.Type, _ n: Int, _ grain: Int,
    _ x: UnsafePointer<Op.T>, _ xs: Int,
    _ y: UnsafePointer<Op.T>, _ ys: Int,
    _ z: UnsafePointer<Op.T>, _ zs: Int,
    _ out: UnsafeMutablePointer<Op.T>, _ os: Int
) {
    let streaming = n &* MemoryLayout<Op.T>.stride >= streamingBytes
    mapRange(n: n, grain: grain) { s, c in
        mapElements(op, c, x.advanced(bytes: s &* xs), xs, y.advanced(bytes: s &* ys), ys,
                    z.advanced(bytes: s &* zs), zs, out.advanced(bytes: s &* os), os, streaming: streaming)
    }
}
