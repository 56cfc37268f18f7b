// rolling_sum: (n),()->(n) moving-window sums with partial windows at the
// start, accumulated in Float64.
//
// No running "add the new, subtract the old" sum (its error grows with the
// row, and one inf or NaN poisons every later window). Instead the row is cut
// into blocks of w (van Herk / Gil-Werman): for i in block k,
//     out[i] = suffix(block k-1, from i-w+1) + prefix(block k, up to i),
// a sum of at most 2w - 1 terms with no subtraction, so the error is that of
// summing one window and an inf or NaN only reaches the windows that hold it.
// One loop walks block k forwards (its prefixes) and block k+1 backwards
// (its suffixes, kept for block k+2); long rows run two such streams, the
// row's halves, in lockstep: four independent add chains (see rollingRange).
//
// Windows of 3-256 over contiguous rows run 8 stretches of a long row, or
// 8 short rows, side by side as the lanes of SIMD8<Double> (rollingLanes,
// transposed 8 x 8 tiles); windows up to 6-7 over other contiguous rows
// compute 8 consecutive outputs from vector loads (rollingDirect). Both add
// the same terms in the same order as the walk: every path gives the same
// bits.
//
// Accumulators start at -0.0, the identity of IEEE addition, so signed zeros
// come out as the exact sum's (rolling_sum([-0.0], 1) is -0.0).
//
// `_mt`: overlapping chunks. A chunk starting inside block k first rebuilds
// block k-1's suffixes and block k's prefix up to its start, in the same
// order single-threaded code does, so results are bit-identical. Rows
// computed in place, or whose window is long against the chunks (w >= n
// included), run single-threaded.

import SnakeABI
import SnakeRuntime

/// Suffix sums of the `w` elements at `x` (byte step `xs`) into s[0...w]
/// (s[u] at s[u * step]): s[u] = x[u] + ... + x[w-1], s[w] = -0.0 (the
/// empty suffix).
@inline(__always)
func suffixSums<T: SnakeFloat>(_ w: Int, _ x: UnsafePointer<T>, _ xs: Int, _ s: UnsafeMutablePointer<Double>, step: Int = 1) {
    var acc = -0.0
    s[w &* step] = acc
    var u = w
    while u > 0 {
        u &-= 1
        acc += Double(x.at(u, step: xs))
        s[u &* step] = acc
    }
}

/// Prefetch elements [from, to) of a contiguous row, one request per cache
/// line. The suffix pass walks each block backwards, which the hardware
/// prefetchers do not follow once the row no longer fits in cache.
@inline(__always)
func prefetchElements<T>(_ x: UnsafePointer<T>, from: Int, to: Int) {
    var p = UnsafeRawPointer(x + from)
    let stop = UnsafeRawPointer(x + to)
    while p < stop {
        snake_prefetch(p)
        p += 64
    }
}

/// The block scheme over outputs [i, end) of one row: `cur` is block b's
/// prefix; `prev` holds the suffix sums of block b - w (all -0.0 for block
/// 0, which changes no sum), `this` those of block b (for block b + w), and
/// `next` receives those of block b + w, walked backwards while block b is
/// written. Reading one block ahead, never behind, keeps `out` == `x` (in
/// place) correct: block b's writes come after its reads.
struct RollingStream<T: SnakeFloat> {
    let w: Int, x: UnsafePointer<T>, xs: Int, out: UnsafeMutablePointer<T>, os: Int, end: Int
    let hint: Bool, lead: Int
    var prev: UnsafeMutablePointer<Double>, this: UnsafeMutablePointer<Double>, next: UnsafeMutablePointer<Double>
    var b: Int, i: Int, cur = -0.0
    var back = -0.0, ahead = false
    var xp: UnsafePointer<T>, op: UnsafeMutablePointer<T>, pp: UnsafeMutablePointer<Double>
    var ap: UnsafePointer<T>, np: UnsafeMutablePointer<Double>

    /// Ready for output `start`; `scratch` holds 3 * (w + 1) doubles. Reads
    /// up to 2w elements before `start`, as single-threaded code summed them.
    @inline(__always)
    init(
        _ w: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int,
        start: Int, end: Int, _ scratch: UnsafeMutablePointer<Double>
    ) {
        (self.w, self.x, self.xs, self.out, self.os, self.end) = (w, x, xs, out, os, end)
        (prev, this, next) = (scratch, scratch + (w &+ 1), scratch + 2 &* (w &+ 1))
        b = (start / w) &* w  // start of the block holding `start`
        i = start
        (xp, op, pp, ap, np) = (x.advanced(bytes: start &* xs), out.advanced(bytes: start &* os), prev, x, next)
        // Blocks of at most 16 KiB (longer ones are long backward streams,
        // which the prefetchers do follow) are requested `lead` blocks
        // ahead of the suffix pass: about 2 KiB, at least two blocks.
        hint = xs == MemoryLayout<T>.stride && w <= 16384 / MemoryLayout<T>.stride
        lead = max(2, 2048 / (w &* MemoryLayout<T>.stride))
        if b > 0 {
            suffixSums(w, x.advanced(bytes: (b &- w) &* xs), xs, prev)
        } else {
            prev.update(repeating: -0.0, count: w &+ 1)
        }
        if b &+ w < end { suffixSums(w, x.advanced(bytes: b &* xs), xs, this) }
        if hint { prefetchElements(x, from: min(b &+ 2 &* w, end), to: min(b &+ (lead &+ 1) &* w, end)) }
        for j in b..<start { cur += Double(x.at(j, step: xs)) }
        beginBlock()
    }

    @inline(__always)
    mutating func beginBlock() {
        ahead = b &+ 2 &* w < end  // block b + w is full when block b + 2w has outputs here
        back = -0.0
        pp = prev + (i &- b &+ 1)
        ap = x.advanced(bytes: (b &+ 2 &* w) &* xs)
        np = next + w
        if ahead { np.pointee = back }
    }

    /// Output i (in block b) and the next suffix of block b + w. Pointers
    /// step along (`xp` at x[i], `op` at out[i], `pp` at prev[i - b + 1],
    /// `ap` at x[b + w + u], `np` at next[u]) so the loop does no index
    /// arithmetic per element.
    @inline(__always)
    mutating func step() {
        cur += Double(xp.pointee)
        op.pointee = T(cur + pp.pointee)
        xp = xp.advanced(bytes: xs)
        op = op.advanced(bytes: os)
        pp += 1
        suffixStep()
        i &+= 1
    }

    /// The next suffix of block b + w, if block b + w is full.
    @inline(__always)
    mutating func suffixStep() {
        if ahead {
            ap = ap.advanced(bytes: -xs)
            np -= 1
            back += Double(ap.pointee)
            np.pointee = back
        }
    }

    /// Block b's outputs from its prefixes in pre[0..<w] (rollingRange's
    /// two-pass form): pre[t] + prev[t + 1], vector code when `out` is
    /// contiguous.
    @inline(__always)
    mutating func emit(_ pre: UnsafeMutablePointer<Double>) {
        if os == MemoryLayout<T>.stride {
            let o = op
            for t in 0..<w { o[t] = T(pre[t] + pp[t]) }
        } else {
            for t in 0..<w { op.advanced(bytes: t &* os).pointee = T(pre[t] + pp[t]) }
        }
        op = op.advanced(bytes: w &* os)
        pp += w
        i &+= w
    }

    /// After block b's last output, with outputs left: on to block b + w.
    @inline(__always)
    mutating func nextBlock() {
        while ahead && np > next { suffixStep() }
        (prev, this, next) = (this, next, prev)
        b &+= w
        cur = -0.0
        if hint { prefetchElements(x, from: min(b &+ lead &* w, end), to: min(b &+ (lead &+ 1) &* w, end)) }
        beginBlock()
    }

    /// Outputs up to `limit` (<= end).
    @inline(__always)
    mutating func run(to limit: Int) {
        while i < limit {
            let stop = min(b &+ w, limit)
            while i < stop { step() }
            if i == b &+ w && i < end { nextBlock() }
        }
    }
}

/// Outputs [start, end) of one row with window w < n; `scratch` holds
/// 8 * (w + 1) doubles. Each output's sum is a chain of dependent adds, so
/// a long range runs as two streams in lockstep, [start, mid) and [mid, end)
/// with mid on a block boundary: four independent add chains instead of two.
/// The second stream starts as a `_mt` chunk does (same sums, same order,
/// bit-identical), and reads before `mid` only before anything is written.
/// Whole blocks go in two passes: the add chains, prefixes to scratch
/// (`pa`, `pc`), then the outputs as vector code. Measured with snake-bench
/// at 1e5, window 100: float64 0.77 -> 0.59 ns/element, float32 0.80 ->
/// 0.61 (one stream, one pass per element: 0.60 and 0.96; two streams, one
/// pass: 0.72 and 0.69).
@inline(__always)
func rollingRange<T: SnakeFloat>(
    _ w: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int,
    start: Int, end: Int, _ scratch: UnsafeMutablePointer<Double>
) {
    let mid = (start &+ (end &- start) / 2) / w &* w
    guard mid &- start >= 2 &* w && end &- mid >= 2 &* w else {
        var s = RollingStream(w, x, xs, out, os, start: start, end: end, scratch)
        s.run(to: end)
        return
    }
    var a = RollingStream(w, x, xs, out, os, start: start, end: mid, scratch)
    var c = RollingStream(w, x, xs, out, os, start: mid, end: end, scratch + 3 &* (w &+ 1))
    a.run(to: (start &+ w &- 1) / w &* w)  // to a block boundary, like c
    let pa = scratch + 6 &* (w &+ 1), pc = pa + w
    // While both streams have a whole block ahead (all but their last two
    // blocks); `run` finishes them one element at a time.
    while a.ahead && c.ahead {
        // The state in locals (registers; as struct fields it was spilled).
        var (ca, cc, ba, bc) = (a.cur, c.cur, a.back, c.back)
        var (xa, xc, aa, ac) = (a.xp, c.xp, a.ap, c.ap)
        let (na, nc) = (a.np, c.np)  // at next[w]: filled downwards
        var u = w
        for t in 0..<w {
            u &-= 1
            ca += Double(xa.pointee)
            cc += Double(xc.pointee)
            aa = aa.advanced(bytes: -xs)
            ac = ac.advanced(bytes: -xs)
            ba += Double(aa.pointee)
            bc += Double(ac.pointee)
            pa[t] = ca
            pc[t] = cc
            na[u &- w] = ba
            nc[u &- w] = bc
            xa = xa.advanced(bytes: xs)
            xc = xc.advanced(bytes: xs)
        }
        (a.cur, c.cur, a.back, c.back) = (ca, cc, ba, bc)
        (a.xp, c.xp, a.ap, c.ap) = (xa, xc, aa, ac)
        (a.np, c.np) = (na - w, nc - w)
        a.emit(pa)
        c.emit(pc)
        a.nextBlock()
        c.nextBlock()
    }
    a.run(to: mid)
    c.run(to: end)
}

/// Windows up to this long over a contiguous row take `rollingDirect`: the
/// longest where it measured faster than the block walk at 1e5
/// (bench/README.md). Its cost grows with w; on AVX-512 float64's 64-byte
/// loads straddle cache lines twice as often as float32's 32.
@inline(__always)
func rollingDirectWindow<T: SnakeFloat>(_: T.Type) -> Int {
    #if SNAKE_AVX512
    return MemoryLayout<T>.size == 8 ? 6 : 7
    #else
    return 5
    #endif
}

/// Windows up to this long over a contiguous row take rollingLanes.
let rollingLanesWindow = 256

/// Output i of the block scheme computed on its own: block k's prefix up to
/// i plus block k-1's suffix from i-w+1, each summed in the block scheme's
/// order (forwards from the block's start; backwards from block k-1's end).
@inline(__always)
func rollingOutput<T: SnakeFloat>(_ w: Int, _ x: UnsafePointer<T>, _ i: Int) -> T {
    let b = i &- i % w
    var p = -0.0
    for j in b...i { p += Double(x[j]) }
    var s = -0.0, j = b
    if b > 0 {
        while j > i &- w &+ 1 {
            j &-= 1
            s += Double(x[j])
        }
    }
    return T(p + s)
}

/// rollingDirect's lane masks for every w <= 8, made once per process
/// (168 vectors, 10.5 KiB). For window w they start at vector
/// (w - 2)(w - 1)w / 3 (the masks of shorter windows before them): w - 1
/// for each t0 in 0..<w, the one for e (1 ..< w) all ones in lane l where
/// (t0 + l) % w < e. Made for each row instead, the allocation and the
/// making cost more than the rows of 20 elements they served (3-5x the
/// block walk's time at w = 5 and 7).
let rollingMasks: UnsafeRawPointer = {
    let p = UnsafeMutableRawPointer.allocate(byteCount: 168 &* 64, alignment: 64)
    var k = 0
    for w in 1...8 {
        for t0 in 0..<w {
            var places = SIMD8<Int64>(), place = t0
            for l in 0..<8 {
                places[l] = Int64(place)
                place &+= 1
                if place == w { place = 0 }
            }
            for e in 1..<w {
                p.storeBytes(of: unsafeBitCast(places .< Int64(e), to: SIMD8<Int64>.self), toByteOffset: k &* 64, as: SIMD8<Int64>.self)
                k &+= 1
            }
        }
    }
    // k is now 168: the sum of w(w - 1) over w = 1...8.
    return UnsafeRawPointer(p)
}()

/// rollingDirect's groups of 8 from output i while 8 are left; returns the
/// first output not written. Out of line: inlined into a closure, Swift
/// once called float32's widen and narrow (C, always_inline) out of line,
/// each call through the stack (3-6x slower).
@inline(never)
func rollingDirectGroups<T: SnakeFloat>(
    _ w: Int, _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ os: Int, _ start: Int, _ end: Int,
    _ masks: UnsafeRawPointer
) -> Int {
    var i = start
    let negBits = SIMD8<Int64>(repeating: Int64.min)
    let neg = SIMD8<Double>(repeating: -0.0)
    @inline(__always) func load(_ j: Int) -> SIMD8<Double> {
        T.widen(UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<T>.self))
    }
    @inline(__always) func bits(_ v: SIMD8<Double>) -> SIMD8<Int64> { unsafeBitCast(v, to: SIMD8<Int64>.self) }
    @inline(__always) func double(_ v: SIMD8<Int64>) -> SIMD8<Double> { unsafeBitCast(v, to: SIMD8<Double>.self) }
    let contiguous = os == MemoryLayout<T>.stride
    let step = 8 % w
    var t0 = i % w
    while end &- i >= 8 {
        let first: Int = t0 &* (w &- 1) &* 64
        let row = masks + (first &- 64)  // row + e * 64: the mask for e
        var p = neg, e = w &- 1
        while e > 0 {
            let m = row.loadUnaligned(fromByteOffset: e &* 64, as: SIMD8<Int64>.self)
            p += double((bits(load(i &- e)) & ~m) | (negBits & m))
            e &-= 1
        }
        p += load(i)
        var s = neg
        e = 1
        while e < w {
            let m = row.loadUnaligned(fromByteOffset: e &* 64, as: SIMD8<Int64>.self)
            s += double((bits(load(i &- e)) & m) | (negBits & ~m))
            e &+= 1
        }
        let v = T.narrow(p + s)
        if contiguous {
            UnsafeMutableRawPointer(out + i).storeBytes(of: v, as: SIMD8<T>.self)
        } else {
            for l in 0..<8 { out.advanced(bytes: (i &+ l) &* os).pointee = v[l] }
        }
        i &+= 8
        t0 &+= step
        if t0 >= w { t0 &-= w }
    }
    return i
}

/// The block scheme for a short window (w <= 8) over a contiguous row that
/// `out` does not overlap: 8 consecutive outputs as the lanes of
/// SIMD8<Double>, each lane's prefix and suffix summed from vector loads at
/// x[i - e], in the block scheme's order: with t the place of output i in
/// its block, a lane adds x[i - e] to its prefix for e = t, t-1, ..., 0 and
/// to its suffix for e = t+1, ..., w-1. A lane left out of a step adds -0.0
/// to its -0.0, which changes no bit and raises no flag.
///
/// Which lanes take part depends on e and on t0, the place of the group's
/// first output (a block starts inside every group when w <= 8), so the
/// masks are loaded from `rollingMasks`. Made in the loop as compares, LLVM
/// turned each masked load into a branch per lane (3-9x slower than the
/// block walk); as shifts of t - e they cost more than the block walk from
/// w = 4 on SSE2.
///
/// The block walk spends its time on per-block bookkeeping at short
/// windows (3.5 ns/element at w = 2, against 0.76 at w = 100). Outputs
/// before w and the last < 8 go one at a time (rollingOutput).
@inline(__always)
func rollingDirect<T: SnakeFloat>(
    _ w: Int, _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ os: Int, start: Int, end: Int
) {
    var i = start
    while i < end && (i < w || end &- i < 8) {
        out.advanced(bytes: i &* os).pointee = rollingOutput(w, x, i)
        i &+= 1
    }
    if i == end { return }
    i = rollingDirectGroups(w, x, out, os, i, end, rollingMasks + (w &- 2) &* (w &- 1) &* w / 3 &* 64)
    while i < end {
        out.advanced(bytes: i &* os).pointee = rollingOutput(w, x, i)
        i &+= 1
    }
}

/// rollingLanes' first `prev`: the suffix sums of the block before each
/// lane's first (lanes from `firstLane`; -0.0 for the others, which start
/// a row), with s[w] = -0.0 (the empty suffix, a full block's output), at
/// scratch + chunk.
@inline(never)
func rollingLanesPrev<T: SnakeFloat>(
    _ w: Int, _ x: UnsafePointer<T>, lane: Int, chunk: Int, firstLane: Int,
    _ scratch: UnsafeMutablePointer<SIMD8<Double>>
) {
    let prev = scratch + chunk
    prev.update(repeating: SIMD8(repeating: -0.0), count: w &+ 1)
    UnsafeMutableRawPointer(prev).withMemoryRebound(to: Double.self, capacity: 8 &* (w &+ 1)) { s in
        for l in firstLane..<8 {
            suffixSums(w, x + (l &* lane &- w), MemoryLayout<T>.stride, s + l, step: 8)
        }
    }
}

/// The spacing of rollingLanes' 8 stretches: `len` plus the number of
/// blocks (0-7, within `room`) that spreads their starts best over the 4 KiB
/// of address bits that pick an L1 set. At a power-of-two window the
/// stretches of 1e5 elements began 4 KiB multiples apart, 16 streams in one
/// set: 1.0-1.2x slower than at the next window.
@inline(__always)
func rollingLaneStride(_ w: Int, _ len: Int, _ size: Int, room: Int) -> Int {
    var best = len, bestGap = -1, g = 0
    while g < 8 && 7 &* g &* w <= room {
        let stride = (len &+ g &* w) &* size
        var offsets = SIMD8<Int64>()
        for l in 0..<8 { offsets[l] = Int64((l &* stride) & 4095) }
        var gap = 4096
        for a in 0..<8 {
            var next = 4096  // the smallest offset above a's, circularly
            for b in 0..<8 where b != a { next = min(next, Int((offsets[b] &- offsets[a]) & 4095)) }
            gap = min(gap, next)
        }
        if gap > bestGap { (best, bestGap) = (len &+ g &* w, gap) }
        g &+= 1
    }
    return best
}

/// The block scheme over 8 rows, or 8 stretches of one row, side by side,
/// one per lane of SIMD8<Double>: lane l's outputs are out[l * oLane + j]
/// for j in [0, steps), from x[l * xLane + j], with x[l * xLane] on a block
/// boundary (strides in elements). `chunk`, 4w for even w and 8w for odd,
/// is a multiple of 8 and of w; the last chunk may be shorter. `scratch`
/// holds rollingLanesScratch(w, chunk) vectors, with the suffix sums of the
/// block before each lane's first at scratch + chunk (rollingLanesPrev).
///
/// Each chunk is loaded 8 x 8 at a time and transposed, so that xs[j] holds
/// step j of every lane; then block by block, one loop makes block k's
/// outputs (its prefixes plus block k-1's suffixes, written over xs[j]) and
/// block k+1's suffixes; then the chunk is transposed back and stored. The
/// same sums in the same order as the block walk, so the same bits; but
/// every add works on 8 outputs, and the per-block bookkeeping that
/// dominates the walk at short windows is paid once for 8 blocks. Like the
/// walk, it sums a block's suffixes only where outputs follow the block
/// (so the floating-point flags are the walk's too). Each lane reads only
/// its own stretch, a chunk's loads all before its stores, so `out` may be
/// `x` (in place; the caller reads what lies between stretches first).
@inline(never)
func rollingLanes<T: SnakeFloat>(
    _ w: Int, _ x: UnsafePointer<T>, xLane: Int, _ out: UnsafeMutablePointer<T>, oLane: Int,
    steps: Int, chunk: Int, _ scratch: UnsafeMutablePointer<SIMD8<Double>>, ahead: Int = 0
) {
    let xs = scratch
    var prev = scratch + chunk, this = prev + (w &+ 1), next = this + (w &+ 1)
    let neg = SIMD8<Double>(repeating: -0.0)
    this[w] = neg
    next[w] = neg
    @inline(__always) func load(_ j: Int) -> SIMD8<Double> {
        T.widen(UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<T>.self))
    }
    @inline(__always) func doubles(_ v: UnsafeMutablePointer<SIMD8<Double>>) -> UnsafeMutablePointer<Double> {
        UnsafeMutableRawPointer(v).assumingMemoryBound(to: Double.self)
    }
    // Steps [c, c + m) transposed into xs: xs[j][l] = x[l * xLane + c + j];
    // a last tile short of 8 steps through a zeroed copy (its other steps
    // are never used).
    @inline(__always) func loadChunk(_ c: Int, _ m: Int) {
        var j = 0
        while j < m {
            let p = c &+ j
            if ahead > 0 {
                // The same tile `ahead` lanes on (the next group of rows).
                // Rows of 100 float64 are 13 cache lines, too few for the
                // prefetchers to follow 8 of them: (10 000, 100) at w = 10
                // ran 1.6-3.1 ns/element, loads missing, and 0.8-1.0 with
                // these. Requesting the outputs' lines too measured the same.
                for l in ahead..<(ahead &+ 8) { snake_prefetch(x + (l &* xLane &+ p)) }
            }
            if m &- j >= 8 {
                snake_transpose_f64x8(load(p), load(p &+ xLane), load(p &+ 2 &* xLane), load(p &+ 3 &* xLane),
                                      load(p &+ 4 &* xLane), load(p &+ 5 &* xLane), load(p &+ 6 &* xLane),
                                      load(p &+ 7 &* xLane), doubles(xs + j))
            } else {
                for l in 0..<8 {
                    var v = SIMD8<Double>()
                    for k in 0..<(m &- j) { v[k] = Double(x[l &* xLane &+ p &+ k]) }
                    xs[j &+ l] = v
                }
                snake_transpose_f64x8(xs[j], xs[j &+ 1], xs[j &+ 2], xs[j &+ 3], xs[j &+ 4], xs[j &+ 5], xs[j &+ 6],
                                      xs[j &+ 7], doubles(xs + j))
            }
            j &+= 8
        }
    }
    // xs transposed back to outputs [c, c + m); a last tile short of 8
    // steps transposed in place and stored element by element.
    @inline(__always) func storeChunk(_ c: Int, _ m: Int) {
        var j = 0
        while j < m {
            let o = out + (c &+ j)
            if m &- j >= 8 {
                if T.self == Double.self {
                    snake_transpose_store_f64(doubles(xs + j), UnsafeMutableRawPointer(o).assumingMemoryBound(to: Double.self), oLane)
                } else {
                    snake_transpose_store_f32(doubles(xs + j), UnsafeMutableRawPointer(o).assumingMemoryBound(to: Float.self), oLane)
                }
            } else {
                snake_transpose_f64x8(xs[j], xs[j &+ 1], xs[j &+ 2], xs[j &+ 3], xs[j &+ 4], xs[j &+ 5], xs[j &+ 6],
                                      xs[j &+ 7], doubles(xs + j))
                for l in 0..<8 {
                    let v = xs[j &+ l]
                    for k in 0..<(m &- j) { o[l &* oLane &+ k] = T(v[k]) }
                }
            }
            j &+= 8
        }
    }
    var c = 0
    while c < steps {
        let m = min(chunk, steps &- c)
        loadChunk(c, m)
        // Whether the block starting at step s of this chunk has its suffix
        // sums made: a full block with outputs after it.
        let more = c &+ m < steps
        @inline(__always) func summed(_ s: Int) -> Bool { s &+ w < m || (s &+ w == m && more) }
        // Block by block: outputs of block k from its prefixes and block
        // k - 1's suffixes (`prev`), in one loop with the suffixes of block
        // k + 1 (into `next`): two independent add chains. The chunk's first
        // block's suffixes go to `this` first.
        if summed(0) {
            var acc = neg, u = w
            while u > 0 {
                u &-= 1
                acc += xs[u]
                this[u] = acc
            }
        }
        var b = 0
        while b < m {
            let v = xs + b
            var p = neg
            if summed(b &+ w) {
                let a = v + w
                var acc = neg, u = w
                for t in 0..<w {
                    u &-= 1
                    acc += a[u]
                    next[u] = acc
                    p += v[t]
                    v[t] = p + prev[t &+ 1]
                }
            } else {
                for t in 0..<min(w, m &- b) {
                    p += v[t]
                    v[t] = p + prev[t &+ 1]
                }
            }
            (prev, this, next) = (this, next, prev)
            b &+= w
        }
        storeChunk(c, m)
        c &+= m
    }
}

/// The block scheme over 8 adjacent rows (the columns of a C-ordered array,
/// along axis 0), one per lane of SIMD8<Double>: step i of the group is one
/// vector load (columnLoad), so no transposes, any window below n, and no
/// chunk buffer. Lane l's outputs go to out + l·oRow + i·os (walkGroup:
/// one vector store a step into adjacent output rows, transposed tiles or
/// lane by lane into others). Block by block, as rollingLanes: block k's
/// outputs (prefixes plus block k-1's suffixes, `prev`) in one loop with
/// block k+1's suffixes (into `next`), summed only where outputs follow
/// that block (as the walk: the same bits and the same flags for each
/// column as passed alone). w = n is a running sum: the prefixes alone,
/// the bits of cumsum's scan, which rows with w >= n take (prefix + -0.0
/// is the prefix). In place (out == x,
/// same strides) each step is read before it is written and later steps
/// only read. `scratch` holds 3(w + 1) vectors, none for w = n.
@inline(never)
func rollingColumns<T: SnakeFloat>(
    _ w: Int, _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ oRow: Int, _ os: Int,
    _ scratch: UnsafeMutablePointer<SIMD8<Double>>
) {
    let neg = SIMD8<Double>(repeating: -0.0)
    if w >= n {
        // One block: the prefixes alone (prev all -0.0 there adds nothing
        // and raises nothing); no scratch.
        var p = neg
        walkGroup(0..<n, out, oRow, os) { i in
            p += T.widen(columnLoad(x, i, xs))
            return T.narrow(p)
        }
        return
    }
    var prev = scratch, this = prev + (w &+ 1), next = this + (w &+ 1)
    prev.update(repeating: neg, count: w &+ 1)
    this[w] = neg
    next[w] = neg
    rollingColumnSuffixes(w, x, xs, this)
    var b = 0
    while b < n {
        rollingColumnBlock(w, n, b, x, xs, out, oRow, os, prev, next)
        (prev, this, next) = (this, next, prev)
        b &+= w
    }
}

/// rollingColumns over `groups` groups at once (a band; group k at row
/// `row(k)` from x, windows below n): each block of every group before the
/// next block, so that the band's groups read the same steps one after the
/// other, their lines side by side in the same pages. Walked whole one
/// group after the other, columns of 20 000 steps 8000 bytes apart touched
/// a new page and a line from memory every step (see rollingBandGroups).
/// `scratch` holds 3(w + 1) vectors a group. A single group keeps its own
/// loop (rollingColumns): through this one's `row` closure the groups in
/// the caches ran 1.1-1.28x slower.
@inline(never)
func rollingColumnBand<T: SnakeFloat>(
    _ w: Int, _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ oRow: Int, _ os: Int,
    _ scratch: UnsafeMutablePointer<SIMD8<Double>>, groups: Int, row: (Int) -> Int
) {
    let neg = SIMD8<Double>(repeating: -0.0)
    let stride = w &+ 1, set = groups &* stride
    var prevSet = scratch, thisSet = prevSet + set, nextSet = thisSet + set
    prevSet.update(repeating: neg, count: set)
    for g in 0..<groups {
        thisSet[g &* stride &+ w] = neg
        nextSet[g &* stride &+ w] = neg
        rollingColumnSuffixes(w, x + row(g), xs, thisSet + g &* stride)
    }
    var b = 0
    while b < n {
        for g in 0..<groups {
            let r = row(g)
            rollingColumnBlock(w, n, b, x + r, xs, out.advanced(bytes: r &* oRow), oRow, os,
                               prevSet + g &* stride, nextSet + g &* stride)
        }
        (prevSet, thisSet, nextSet) = (thisSet, nextSet, prevSet)
        b &+= w
    }
}

/// Block 0's suffix sums of a group into s[0..<w]; callers have w < n
/// (block 1 has outputs).
@inline(__always)
func rollingColumnSuffixes<T: SnakeFloat>(
    _ w: Int, _ x: UnsafePointer<T>, _ xs: Int, _ s: UnsafeMutablePointer<SIMD8<Double>>
) {
    var acc = SIMD8<Double>(repeating: -0.0), u = w
    while u > 0 {
        u &-= 1
        acc += T.widen(columnLoad(x, u, xs))
        s[u] = acc
    }
}

/// Block b of a group: its outputs from its prefixes and `prev` (block
/// b - w's suffix sums), and, where block b + 2w has outputs, block b + w's
/// suffix sums into `next`, walked backwards as the outputs go forwards.
@inline(__always)
func rollingColumnBlock<T: SnakeFloat>(
    _ w: Int, _ n: Int, _ b: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ oRow: Int,
    _ os: Int, _ prev: UnsafeMutablePointer<SIMD8<Double>>, _ next: UnsafeMutablePointer<SIMD8<Double>>
) {
    @inline(__always) func load(_ i: Int) -> SIMD8<Double> { T.widen(columnLoad(x, i, xs)) }
    var p = SIMD8<Double>(repeating: -0.0)
    if b &+ 2 &* w < n {
        let a = b &+ w
        var acc = SIMD8<Double>(repeating: -0.0)
        walkGroup(b..<a, out, oRow, os) { i in
            let t = i &- b
            acc += load(a &+ (w &- 1 &- t))
            next[w &- 1 &- t] = acc
            p += load(i)
            return T.narrow(p + prev[t &+ 1])
        }
    } else {
        walkGroup(b..<min(b &+ w, n), out, oRow, os) { i in
            p += load(i)
            return T.narrow(p + prev[i &- b &+ 1])
        }
    }
}

/// Groups in one band of rollingColumnBand: up to 64 (512 float64 columns,
/// 4 KiB of a step), while their scratch stays within 128 KiB (3(w + 1)
/// vectors a group: 64 groups to w = 10, 22 at w = 30, one from w = 682).
/// Used for arrays past the last-level cache (streamingBytes). Along axis
/// 0 of (20 000, 1000), time new/old: bands of at most 16 groups within
/// 256 KiB against group by group 0.62-0.90 (w = 5-200), then these
/// against those 0.54-0.69 at w = 5, 0.92-1.02 at w = 30-100; 64 groups
/// within 1 MiB were 1.12-1.20x slower at w = 30 (bench/README.md).
@inline(__always)
func rollingBandGroups(_ w: Int) -> Int { max(1, min(64, (128 << 10) / (3 &* (w &+ 1) &* 64))) }

/// rollingLanes' chunk: a multiple of 8 (a tile) and of w, at least 4
/// blocks (two add chains in most of its blocks).
@inline(__always)
func rollingLaneChunk(_ w: Int) -> Int { w &* (w & 1 == 1 ? 8 : 4) }

/// rollingLanes' scratch: a chunk and three blocks' suffix sums, in
/// vectors of 8 doubles.
@inline(__always)
func rollingLanesScratch(_ w: Int, _ chunk: Int) -> Int { chunk &+ 3 &* (w &+ 1) }

@inline(__always)
func rollingSum<T: SnakeFloat>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xs: Int,
    _ window: UnsafePointer<Int>, _ wRow: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ os: Int, _ grain: Int
) {
    // One row, [start, end) of it; w >= n is a plain running sum.
    func run(_ r: Int, _ start: Int, _ end: Int) {
        let w = window.advanced(bytes: r &* wRow).pointee
        let xr = x.advanced(bytes: r &* xRow), or = out.advanced(bytes: r &* outRow)
        if w >= n {
            // Whole rows only (longRow below): cumsum's scan, np.cumsum's
            // bits in float64.
            assert(start == 0 && end == n)
            _ = scan(n, xr, xs, or, os, from: -0.0, streaming: n &* MemoryLayout<T>.stride >= streamingBytes,
                     chunk: false)
            return
        }
        let size = MemoryLayout<T>.stride
        let inPlace = xr == UnsafePointer(or) && xs == os
        let apart = !inPlace && !spansOverlap(xr, 0, xs, size, or, 0, os, size, rows: 1, n: n)
        // Short windows over a contiguous row that `out` does not overlap
        // compute outputs 8 at a time; rows under 2w + 8 are mostly outputs
        // made one at a time, for the block walk.
        let direct = w <= rollingDirectWindow(T.self) && n >= 2 &* w &+ 8 && xs == size && apart
        // From w = 3 (measured faster than rollingDirect from there on every
        // tier) over a contiguous row, 8 stretches of it side by side
        // (rollingLanes), from a0, the first block boundary; the rest (the
        // gaps between stretches, fewer than 8 chunks at the end, and the
        // outputs before a0, a `_mt` chunk's start) by the walk, whose sums,
        // like the lanes', include each block's full backward sum (s[0],
        // which no output uses): rollingDirect never forms it, so where that
        // sum alone overflows or meets inf - inf it raises no warning, and a
        // row would warn by where such a block fell.
        let chunk = rollingLaneChunk(w)
        let a0 = (start &+ w &- 1) / w &* w
        let len = max(0, end &- a0) / (8 &* chunk) &* chunk
        // Each stretch at least a chunk; at least 4096 steps at w = 3 and
        // 1024 where rollingDirect would take the row, and two chunks of
        // windows from 128: on rows of 1000 at w = 3-5, and of 10 000 at
        // w = 256, the lanes' setup made them 0.7-0.9x the direct path and
        // the walk, and rows of 10 000 at w = 3, whose tail the walk takes,
        // 0.88-0.94x rollingDirect.
        let least = w == 3 ? 4096 : w <= rollingDirectWindow(T.self) ? 1024 : w >= 128 ? 2 &* chunk : chunk
        let lanes = w >= 3 && w <= rollingLanesWindow && xs == size && os == size && (inPlace || apart)
            && len > 0 && len >= least
        if !lanes && direct {
            rollingDirect(w, xr, or, os, start: start, end: end)
            return
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 8 &* (w &+ 1)) { buf in
            let scratch = buf.baseAddress!
            guard lanes else {
                rollingRange(w, xr, xs, or, os, start: start, end: end, scratch)
                return
            }
            let lane = rollingLaneStride(w, len, size, room: end &- a0 &- 8 &* len)
            // In place, this order reads everything before it is written:
            // the tail reads from a0 + 7 lane + len - 2w, each lane from its
            // start - w (in the gap before it, read first), each gap from 2w
            // before it (its lane's end), and the head writes before a0.
            let lanesEnd = a0 &+ 7 &* lane &+ len
            if lanesEnd < end { rollingRange(w, xr, xs, or, os, start: lanesEnd, end: end, scratch) }
            withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: rollingLanesScratch(w, chunk)) { v in
                rollingLanesPrev(w, xr + a0, lane: lane, chunk: chunk, firstLane: a0 > 0 ? 0 : 1, v.baseAddress!)
                if lane > len {
                    for l in 0..<7 {
                        let g = a0 &+ l &* lane &+ len
                        rollingRange(w, xr, xs, or, os, start: g, end: g &+ lane &- len, scratch)
                    }
                }
                rollingLanes(w, xr + a0, xLane: lane, or + a0, oLane: lane, steps: len, chunk: chunk, v.baseAddress!)
            }
            if start < a0 { rollingRange(w, xr, xs, or, os, start: start, end: a0, scratch) }
        }
    }
    // Rows whose window covers them are running sums, which `_mt` does not
    // split (below): when every row is one, fewer rows than threads are
    // still dealt out whole.
    var allRunningSums = true
    for r in 0..<rows where window.advanced(bytes: r &* wRow).pointee < n {
        allRunningSums = false
        break
    }
    // Groups of 8 contiguous rows as the lanes (rollingLanes with a row's
    // stride between lanes): rows too short for 8 long stretches of their
    // own (shortRows). In place or apart only; rows past the last group of
    // 8 are run alone, or, apart, regrouped with rows already done (the same
    // bits again). `_mt` then deals out whole groups: only where row 0's
    // window makes its rows short, so that a few long rows still split
    // between threads.
    let size = MemoryLayout<T>.stride
    let inPlace = UnsafeRawPointer(x) == UnsafeRawPointer(out) && xRow == outRow && xs == os
    let w0 = rows > 0 ? window.pointee : 0
    // Short: under 64 chunks. With 16, rows of 1000 at w = 7 took 8
    // stretches of 2 chunks and left 104 elements to the walk, 2.0-2.6
    // ns/element against 0.6 as a group. From w = 4 in float64: at w = 3
    // rollingDirect ran rows of 100 in 0.81-0.92x the groups' time.
    @inline(__always) func shortRows(_ w: Int) -> Bool {
        w >= (size == 8 ? 4 : 3) && w <= rollingLanesWindow && w < n && n < 64 &* rollingLaneChunk(w)
    }
    let rowLanes = rows >= columnLanes && shortRows(w0) && xs == size && os == size
        && xRow % size == 0 && outRow % size == 0
        && (inPlace || !spansOverlap(x, xRow, xs, size, out, outRow, os, size, rows: rows, n: n))
    // Adjacent rows (along axis 0 of a C-ordered array): 8 at a time as
    // lanes (rollingColumns; windows of n or more as w = n, a running sum),
    // in place or apart, the rows past the last group of 8 regrouped
    // (apart) or run alone.
    let columns = rows >= columnLanes && n > 0 && areColumns(xRow, xs, T.self)
        && (inPlace || !spansOverlap(x, xRow, xs, size, out, outRow, os, size, rows: rows, n: n))
    func columnGroup(_ r: Int) {
        let w = min(window.advanced(bytes: r &* wRow).pointee, n)
        var same = true
        for k in 1..<columnLanes where min(window.advanced(bytes: (r &+ k) &* wRow).pointee, n) != w { same = false }
        guard same && w >= 1 else {
            for k in 0..<columnLanes { run(r &+ k, 0, n) }
            return
        }
        withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: w < n ? 3 &* (w &+ 1) : 0) { v in
            rollingColumns(w, n, x + r, xs, out.advanced(bytes: r &* outRow), outRow, os, v.baseAddress!)
        }
    }
    // Past the last-level cache with one window for all columns: bands of
    // groups (rollingColumnBand), from where groups lie in cache lines.
    func columnBands(_ first: Int, _ count: Int) -> Int {
        let w = w0  // < n (`bands`)
        let start = alignedColumnStart(first, count, lead: columnLead(x + first), regroup: !inPlace,
                                       alone: { r in run(r, 0, n) }, columnGroup)
        let band = rollingBandGroups(w)
        return withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: 3 &* band &* (w &+ 1)) { v in
            start &- first &+ columnSweeps(start, first &+ count &- start, regroup: !inPlace) { sweep in
                var k = 0
                while k < sweep.groups {
                    let g = min(band, sweep.groups &- k), base = sweep.row(k)
                    rollingColumnBand(w, n, x + base, xs, out.advanced(bytes: base &* outRow), outRow, os,
                                      v.baseAddress!, groups: g, row: { j in sweep.row(k &+ j) &- base })
                    k &+= g
                }
            }
        }
    }
    let bands = columns && wRow == 0 && w0 >= 1 && w0 < n && n &* abs(xs) >= streamingBytes
    func rowGroup(_ r: Int) {
        let w = window.advanced(bytes: r &* wRow).pointee
        var same = true
        for k in 1..<columnLanes where window.advanced(bytes: (r &+ k) &* wRow).pointee != w { same = false }
        let chunk = rollingLaneChunk(w)
        // Longer rows run alone (at (10, 100 000) the groups were 0.6-0.9x
        // the rows' own stretches).
        guard same && shortRows(w) else {
            for k in 0..<columnLanes { run(r &+ k, 0, n) }
            return
        }
        withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: rollingLanesScratch(w, chunk)) { v in
            let xr = x.advanced(bytes: r &* xRow)
            rollingLanesPrev(w, xr, lane: 0, chunk: chunk, firstLane: columnLanes, v.baseAddress!)
            // Short rows: the next group's, requested tile by tile (below).
            let ahead = n &* size <= 4096 && r &+ 2 &* columnLanes <= rows
            rollingLanes(w, xr, xLane: xRow / size, out.advanced(bytes: r &* outRow), oLane: outRow / size,
                         steps: n, chunk: chunk, v.baseAddress!, ahead: ahead ? columnLanes : 0)
        }
    }
    vecRows(
        rows: rows, n: n, grain: grain, splitsRows: !allRunningSums,
        row: { r in run(r, 0, n) },
        longRow: { r, tasks in
            // Each chunk re-reads up to 2w elements before its start: worth
            // it only while chunks are long against the window. With w >= n
            // (a running sum) a chunk had to re-add everything before it,
            // one element at a time, so the last chunk's thread did the
            // whole row's work: 0.97-0.99x single-threaded in float64, and
            // 0.60-0.64x in float32, whose single-threaded scan runs in
            // blocks (1e5-1e7, 2 threads). Such rows run single-threaded.
            // In place (NumPy passes out == x uncopied), a chunk's warm-up
            // would read what its neighbour already wrote.
            let w = window.advanced(bytes: r &* wRow).pointee
            let inPlace = UnsafeRawPointer(x.advanced(bytes: r &* xRow)) == UnsafeRawPointer(out.advanced(bytes: r &* outRow))
            if inPlace || w > n / (4 &* tasks) {
                run(r, 0, n)
                return
            }
            parallelFor(tasks) { t in
                let (s, c) = split(n, tasks, t)
                run(r, s, s &+ c)
            }
        },
        // Blocks of whole groups (the 128: no minimum of bytes per block,
        // which `grouped` sets for adjacent columns).
        grouped: rowLanes ? 128 : columns ? size : 0,
        columns: { first, count in
            rowLanes ? columnGroups(first, count, regroup: !inPlace, rowGroup)
                : bands && count >= 2 &* columnLanes ? columnBands(first, count)
                : columns ? columnGroups(first, count, lead: columnLead(x + first), regroup: !inPlace,
                                         alone: { r in run(r, 0, n) }, columnGroup) : 0
        })
}

@c @implementation
public func snake_rolling_sum_f64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Double>, _ xRow: Int, _ xs: Int,
    _ w: UnsafePointer<Int>, _ wRow: Int,
    _ out: UnsafeMutablePointer<Double>, _ outRow: Int, _ os: Int, _ grain: Int
) { rollingSum(rows, n, x, xRow, xs, w, wRow, out, outRow, os, grain) }

@c @implementation
public func snake_rolling_sum_f32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, _ xRow: Int, _ xs: Int,
    _ w: UnsafePointer<Int>, _ wRow: Int,
    _ out: UnsafeMutablePointer<Float>, _ outRow: Int, _ os: Int, _ grain: Int
) { rollingSum(rows, n, x, xRow, xs, w, wRow, out, outRow, os, grain) }
