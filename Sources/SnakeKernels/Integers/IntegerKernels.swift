// Native integer loops (uint8, int32, int64) for the kernels whose dtype set
// is NUM or NUM_WIDE (kernels.def). NumPy's integer semantics: arithmetic
// wraps (two's complement, as NumPy's integer ufuncs), sums and running sums
// accumulate in int64 (NUM_WIDE), no floating-point anywhere except
// histogram, which bins in float64 exactly as np.histogram does.
//
// Most loops are plain scalar loops over concrete types (each @c entry
// point specialises them): LLVM vectorises the contiguous ones (maps, sums,
// the block maxima of argmax). Running sums (cumsum, rolling_sum) it cannot
// vectorise; their contiguous rows go eight at a time by hand
// (scanIntVectors). Wrapping addition is associative, so `_mt` results are
// bit-identical to single-threaded ones for every kernel here.

import SnakeABI
import SnakeRuntime

/// The integer element types with native loops.
protocol SnakeInt: FixedWidthInteger {
    /// x[i ..< i + 8] widened to 64 bits (sign- or zero-extended: the bits
    /// of Int64(x)), by C helpers (snake_abi.h): Swift's SIMD conversions
    /// came out as byte loads and lane inserts.
    static func wide8(_ x: UnsafePointer<Self>, _ i: Int) -> SIMD8<UInt64>
}

/// Whether running sums of T go eight at a time (scanIntVectors). Not for
/// uint8 and int32 on the x86-64 baseline: SSE2 widens them with unpack
/// chains, slower there than the scalar loop (cumsum 0.28 -> 0.32-0.35
/// ns/element in cache).
@inline(__always)
func scansInVectors<T: SnakeInt>(_: T.Type) -> Bool {
    #if arch(x86_64) && !SNAKE_FMA
    T.self == Int64.self
    #else
    true
    #endif
}

extension UInt8: SnakeInt {
    @inline(__always) static func wide8(_ x: UnsafePointer<UInt8>, _ i: Int) -> SIMD8<UInt64> {
        snake_widen_u8x8(x + i)
    }
}

extension Int32: SnakeInt {
    @inline(__always) static func wide8(_ x: UnsafePointer<Int32>, _ i: Int) -> SIMD8<UInt64> {
        snake_widen_i32x8(x + i)
    }
}

extension Int64: SnakeInt {
    @inline(__always) static func wide8(_ x: UnsafePointer<Int64>, _ i: Int) -> SIMD8<UInt64> {
        UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<UInt64>.self)
    }
}

@inline(__always) func wide<T: SnakeInt>(_ v: T) -> Int64 { Int64(truncatingIfNeeded: v) }

// MARK: - elementwise: relu, clip, scale, saxpy

/// One integer elementwise kernel (a type, so it inlines; see ElementwiseOp).
protocol IntegerOp {
    associatedtype T: SnakeInt
    static func apply(_ x: T, _ y: T, _ z: T) -> T
}

struct ReluInt<T: SnakeInt>: IntegerOp {  // uint8: the identity
    @inline(__always) static func apply(_ x: T, _: T, _: T) -> T { x > 0 ? x : 0 }
}

struct ClipInt<T: SnakeInt>: IntegerOp {  // np.clip: min(max(x, lo), hi)
    @inline(__always) static func apply(_ x: T, _ lo: T, _ hi: T) -> T { min(max(x, lo), hi) }
}

struct ScaleInt<T: SnakeInt>: IntegerOp {
    @inline(__always) static func apply(_ x: T, _ s: T, _: T) -> T { x &* s }
}

struct SaxpyInt<T: SnakeInt>: IntegerOp {  // a + s * b, each step wrapping
    @inline(__always) static func apply(_ a: T, _ b: T, _ s: T) -> T { a &+ s &* b }
}

/// out[i] = Op(x[i], y[i], z[i]); y, z contiguous or broadcast (stride 0)
/// take the vectorised loops, anything else the strided one.
@inline(__always)
func mapIntegers<Op: IntegerOp>(
    _: Op.Type, _ n: Int, _ x: UnsafePointer<Op.T>, _ xs: Int, _ y: UnsafePointer<Op.T>, _ ys: Int,
    _ z: UnsafePointer<Op.T>, _ zs: Int, _ out: UnsafeMutablePointer<Op.T>, _ os: Int
) {
    let unit = MemoryLayout<Op.T>.stride
    guard xs == unit, os == unit, ys == 0 || ys == unit, zs == 0 || zs == unit else {
        for i in 0..<n {
            out.advanced(bytes: i &* os).pointee = Op.apply(x.at(i, step: xs), y.at(i, step: ys), z.at(i, step: zs))
        }
        return
    }
    let y0 = y.pointee, z0 = z.pointee
    switch (ys == 0, zs == 0) {
    case (true, true): for i in 0..<n { out[i] = Op.apply(x[i], y0, z0) }
    case (true, false): for i in 0..<n { out[i] = Op.apply(x[i], y0, z[i]) }
    case (false, true): for i in 0..<n { out[i] = Op.apply(x[i], y[i], z0) }
    case (false, false): for i in 0..<n { out[i] = Op.apply(x[i], y[i], z[i]) }
    }
}

@inline(__always)
func mapIntegerChunks<Op: IntegerOp>(
    _ op: Op.Type, _ n: Int, _ grain: Int, _ x: UnsafePointer<Op.T>, _ xs: Int,
    _ y: UnsafePointer<Op.T>, _ ys: Int, _ z: UnsafePointer<Op.T>, _ zs: Int,
    _ out: UnsafeMutablePointer<Op.T>, _ os: Int
) {
    mapRange(n: n, grain: grain) { s, c in
        mapIntegers(op, c, x.advanced(bytes: s &* xs), xs, y.advanced(bytes: s &* ys), ys,
                    z.advanced(bytes: s &* zs), zs, out.advanced(bytes: s &* os), os)
    }
}

// MARK: - sums: sum_sq, dot (int64 accumulation, wrapping)

@inline(__always)
func sumOfIntProducts<T: SnakeInt>(_ n: Int, _ a: UnsafePointer<T>, _ as: Int, _ b: UnsafePointer<T>, _ bs: Int) -> Int64 {
    var acc: Int64 = 0
    if isUnit(`as`, T.self) && isUnit(bs, T.self) {
        for i in 0..<n { acc &+= wide(a[i]) &* wide(b[i]) }
    } else {
        for i in 0..<n { acc &+= wide(a.at(i, step: `as`)) &* wide(b.at(i, step: bs)) }
    }
    return acc
}

/// reduceRows' `columns` for integer sum_sq and dot (Support/Drivers.swift,
/// "Columns"): 8 adjacent rows a step, wrapping int64 lanes (exact: the
/// bits of any order).
@inline(__always)
func sumIntColumns<T: SnakeInt>(
    _ first: Int, _ count: Int, _ n: Int, _ a: UnsafePointer<T>, _ aRow: Int, _ as: Int,
    _ b: UnsafePointer<T>, _ bRow: Int, _ bs: Int, _ out: UnsafeMutablePointer<Int64>, _ outRow: Int
) -> Int {
    guard sumsTakeColumns(aRow, `as`, bRow, bs, T.self) else { return 0 }
    let regroup = !spansOverlap(a, aRow, `as`, MemoryLayout<T>.size, out, outRow, 0, 8, rows: first &+ count, n: n)
        && !spansOverlap(b, bRow, bs, MemoryLayout<T>.size, out, outRow, 0, 8, rows: first &+ count, n: n)
    return columnGroups(first, count, lead: columnLead(a + first), regroup: regroup) { r in
        let ar = a.advanced(bytes: r &* aRow), br = b.advanced(bytes: r &* bRow)
        var acc = SIMD8<UInt64>()
        for i in 0..<n { acc &+= T.wide8(ar.advanced(bytes: i &* `as`), 0) &* T.wide8(br.advanced(bytes: i &* bs), 0) }
        for j in 0..<columnLanes { out.advanced(bytes: (r &+ j) &* outRow).pointee = Int64(bitPattern: acc[j]) }
    }
}

@inline(__always)
func sumSqInt<T: SnakeInt>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ grain: Int
) {
    reduceRows(
        rows: rows, n: n, grain: grain, out: out, outRow: outRow,
        chunk: { r, s, c in
            let p = x.advanced(bytes: r &* xRow &+ s &* xs)
            return sumOfIntProducts(c, p, xs, p, xs)
        },
        merge: { $0 &+ $1 }, finish: { $0 },
        grouped: sumsTakeColumns(xRow, xs, xRow, xs, T.self) ? MemoryLayout<T>.size : 0,
        columns: { first, count in sumIntColumns(first, count, n, x, xRow, xs, x, xRow, xs, out, outRow) })
}

@inline(__always)
func dotInt<T: SnakeInt>(
    _ rows: Int, _ n: Int, _ a: UnsafePointer<T>, _ aRow: Int, _ as: Int,
    _ b: UnsafePointer<T>, _ bRow: Int, _ bs: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ grain: Int
) {
    reduceRows(
        rows: rows, n: n, grain: grain, out: out, outRow: outRow,
        chunk: { r, s, c in
            sumOfIntProducts(c, a.advanced(bytes: r &* aRow &+ s &* `as`), `as`,
                             b.advanced(bytes: r &* bRow &+ s &* bs), bs)
        },
        merge: { $0 &+ $1 }, finish: { $0 },
        grouped: sumsTakeColumns(aRow, `as`, bRow, bs, T.self) ? MemoryLayout<T>.size : 0,
        columns: { first, count in sumIntColumns(first, count, n, a, aRow, `as`, b, bRow, bs, out, outRow) })
}

// MARK: - argmax: first maximum

/// First maximum of x[0..<n], n >= 1, index offset by `origin`. Contiguous
/// rows: the maximum of each block of 512 (a vectorised reduction); only the
/// block that first reached the overall maximum is searched for its index.
@inline(__always)
func argmaxInt<T: SnakeInt>(_ n: Int, _ x: UnsafePointer<T>, _ step: Int, origin: Int) -> (value: T, index: Int) {
    guard isUnit(step, T.self) else {
        var best = x.pointee, at = 0
        for i in 1..<max(n, 1) where x.at(i, step: step) > best { best = x.at(i, step: step); at = i }
        return (best, origin &+ at)
    }
    let block = 512
    var best = x[0], bestBlock = 0
    var b = 0
    while b < n {
        let e = min(b &+ block, n)
        var m = x[b]
        for i in b..<e { m = max(m, x[i]) }
        if m > best || b == 0 { best = m; bestBlock = b }
        b = e
    }
    var i = bestBlock
    while x[i] != best { i &+= 1 }
    return (best, origin &+ i)
}

@inline(__always)
func argmaxIntRows<T: SnakeInt>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Int>, _ outRow: Int, _ grain: Int
) {
    reduceRows(
        rows: rows, n: n, grain: grain, out: out, outRow: outRow,
        chunk: { r, s, c in argmaxInt(c, x.advanced(bytes: r &* xRow &+ s &* xs), xs, origin: s) },
        merge: { l, r in r.value > l.value ? r : l },  // ties: the earlier chunk
        finish: { $0.index },
        grouped: areColumns(xRow, xs, T.self) ? MemoryLayout<T>.size : 0,
        columns: { first, count in
            // 8 adjacent rows a step (Support/Drivers.swift, "Columns"): the
            // values widened to int64 (order kept), a lane's answer moved
            // only by a strictly greater value: the first maximum.
            guard areColumns(xRow, xs, T.self) else { return 0 }
            let regroup = !spansOverlap(x, xRow, xs, MemoryLayout<T>.size, out, outRow, 0, 8, rows: first &+ count, n: n)
            return columnGroups(first, count, lead: columnLead(x + first), regroup: regroup) { r in
                let xr = x.advanced(bytes: r &* xRow)
                var best = SIMD8<Int64>(truncatingIfNeeded: T.wide8(xr, 0)), at = SIMD8<Int64>()
                for i in 1..<max(n, 1) {
                    let v = SIMD8<Int64>(truncatingIfNeeded: T.wide8(xr.advanced(bytes: i &* xs), 0))
                    let up = v .> best
                    best = select(up, v, best)
                    at = select(up, SIMD8(repeating: Int64(i)), at)
                }
                for j in 0..<columnLanes { out.advanced(bytes: (r &+ j) &* outRow).pointee = Int(at[j]) }
            }
        })
}

// MARK: - cumsum, rolling_sum (int64, wrapping: exact modulo 2^64)

/// out[j] = acc &+ d[0] &+ ... &+ d[j] for j in 0 ..< count (a multiple
/// of 8), eight at a time, where d[j] = x[j] &- x[j - back] (rolling_sum's
/// full windows) or x[j] (back == 0); returns the running total. The scalar
/// loop waits on one add per element; here the only chain is one vector
/// add per eight (the carry), and wrapping adds give the same sums in any
/// order. Not inlined: inlined into the row loops, LLVM called
/// snake_prefix_u64x8 out of line even though it is always_inline (2x
/// slower than the scalar loop); in a function of its own it inlines.
@inline(never)
func scanIntVectors<T: SnakeInt>(
    _ count: Int, _ x: UnsafePointer<T>, back: Int, _ out: UnsafeMutablePointer<Int64>, from acc: Int64,
    streaming: Bool
) -> Int64 {
    let dst = UnsafeMutableRawPointer(out).assumingMemoryBound(to: UInt64.self)
    var carry = SIMD8<UInt64>(repeating: UInt64(bitPattern: acc))
    @inline(__always) func loop(_ delta: (Int) -> SIMD8<UInt64>) {
        var j = 0
        if streaming {
            while j < count {
                let p = snake_prefix_u64x8(delta(j))
                snake_stream_u64x8(dst + j, p &+ carry)
                carry &+= SIMD8(repeating: p[7])
                j &+= 8
            }
            snake_stream_fence()
        } else {
            while j < count {
                let p = snake_prefix_u64x8(delta(j))
                UnsafeMutableRawPointer(dst + j).storeBytes(of: p &+ carry, as: SIMD8<UInt64>.self)
                carry &+= SIMD8(repeating: p[7])
                j &+= 8
            }
        }
    }
    if back == 0 {
        loop { j in T.wide8(x, j) }
    } else {
        loop { j in T.wide8(x, j) &- T.wide8(x, j &- back) }
    }
    return Int64(bitPattern: carry[0])
}

/// scanIntVectors' sums element by element, for j in from ..< to.
@inline(__always)
func scanIntScalar<T: SnakeInt>(
    _ from: Int, _ to: Int, _ x: UnsafePointer<T>, back: Int, _ out: UnsafeMutablePointer<Int64>, from start: Int64
) -> Int64 {
    var acc = start, j = from
    if back == 0 {
        while j < to { acc &+= wide(x[j]); out[j] = acc; j &+= 1 }
    } else {
        while j < to { acc &+= wide(x[j]) &- wide(x[j &- back]); out[j] = acc; j &+= 1 }
    }
    return acc
}

/// The running sum of d (as scanIntVectors) over a contiguous segment of
/// any length: element by element up to out's first 64-byte boundary (the
/// vector stores would each straddle two lines: int64 rolling_sum 1e7
/// 4.9-5.5 -> 5.9 ms before this), then in vectors, then the last few.
/// `streaming` (rows of `streamingBytes` and more): the vectors are written
/// around the caches, not read first.
@inline(__always)
func scanIntSegment<T: SnakeInt>(
    _ count: Int, _ x: UnsafePointer<T>, back: Int, _ out: UnsafeMutablePointer<Int64>, from start: Int64,
    streaming: Bool
) -> Int64 {
    guard scansInVectors(T.self) else { return scanIntScalar(0, count, x, back: back, out, from: start) }
    let aligned = streamingStart(out)
    let head = min(count, aligned ?? 0)
    var acc = scanIntScalar(0, head, x, back: back, out, from: start)
    let body = (count &- head) & ~7
    acc = scanIntVectors(body, x + head, back: back, out + head, from: acc, streaming: streaming && aligned != nil)
    return scanIntScalar(head &+ body, count, x, back: back, out, from: acc)
}

@inline(__always)
func scanInt<T: SnakeInt>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<Int64>, _ os: Int, from start: Int64,
    streaming: Bool
) -> Int64 {
    if isUnit(xs, T.self) && isUnit(os, Int64.self) {
        return scanIntSegment(n, x, back: 0, out, from: start, streaming: streaming)
    }
    var acc = start
    for i in 0..<n {
        acc &+= wide(x.at(i, step: xs))
        out.advanced(bytes: i &* os).pointee = acc
    }
    return acc
}

@inline(__always)
func sumInt<T: SnakeInt>(_ n: Int, _ x: UnsafePointer<T>, _ xs: Int) -> Int64 {
    var acc: Int64 = 0
    if isUnit(xs, T.self) {
        for i in 0..<n { acc &+= wide(x[i]) }
    } else {
        for i in 0..<n { acc &+= wide(x.at(i, step: xs)) }
    }
    return acc
}

/// Whether a row of n running sums is written with streaming stores: from
/// `streamingBytes` of output, by the whole row's size (so `_mt` chunks
/// store as the single-threaded call does), except for uint8 input, whose
/// output is 8x its input: there the writes alone set the pace, and two
/// threads' streaming stores wrote slower than normal ones (snake-bench
/// avx512 1e7 `_mt`: cumsum 2.46-2.62 -> 2.93-2.97 ms, rolling_sum
/// 2.35-2.88 -> 2.83-2.88). int64 1e7: cumsum 4.3-4.5 -> 3.6 ms, `_mt`
/// 4.4-4.6 -> 3.5-3.7; rolling_sum 5.2-5.3 -> 3.7-4.0, `_mt` 3.8-4.0 ->
/// 2.9-3.0. (Rows that scanIntSegment runs element by element, uint8 and
/// int32 on the x86-64 baseline, store normally whatever this says.)
@inline(__always)
func streamsSums<T: SnakeInt>(_: T.Type, _ n: Int) -> Bool {
    T.self != UInt8.self && n &* MemoryLayout<Int64>.stride >= streamingBytes
}

@inline(__always)
func cumsumInt<T: SnakeInt>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) {
    let streaming = streamsSums(T.self, n)
    // Rows it streams are bound by memory (one thread's scan takes what
    // the bus gives two here: bench/README.md), so their _mt may read the
    // row once, interleaved, unless out overlaps x (in place).
    let interleave = streaming && !spansOverlap(x, xRow, xs, MemoryLayout<T>.size,
                                                out, outRow, os, MemoryLayout<Int64>.size, rows: rows, n: n)
    scanRows(
        rows: rows, n: n, grain: grain, interleave: interleave, zero: Int64(0), add: { $0 &+ $1 },
        total: { r, s, c in sumInt(c, x.advanced(bytes: r &* xRow &+ s &* xs), xs) },
        scan: { r, s, c, from in
            scanInt(c, x.advanced(bytes: r &* xRow &+ s &* xs), xs,
                    out.advanced(bytes: r &* outRow &+ s &* os), os, from: from, streaming: streaming)
        },
        grouped: areColumns(xRow, xs, T.self) ? MemoryLayout<T>.size : 0,
        columns: { first, count in
            // 8 adjacent rows a step (Support/Drivers.swift, "Columns").
            guard areColumns(xRow, xs, T.self) else { return 0 }
            let regroup = !spansOverlap(x, xRow, xs, MemoryLayout<T>.size, out, outRow, os, 8, rows: first &+ count, n: n)
            let adjacentOut = isUnit(outRow, Int64.self)
            return columnGroups(first, count, lead: columnLead(x + first), regroup: regroup) { r in
                let xr = x.advanced(bytes: r &* xRow), or = UnsafeMutableRawPointer(out.advanced(bytes: r &* outRow))
                var acc = SIMD8<UInt64>()
                if adjacentOut {
                    for i in 0..<n {
                        acc &+= T.wide8(xr.advanced(bytes: i &* xs), 0)
                        or.storeBytes(of: acc, toByteOffset: i &* os, as: SIMD8<UInt64>.self)
                    }
                } else {
                    // Output rows not adjacent (NumPy's own output along
                    // axis 0: each row contiguous): lane by lane, as the
                    // float kernels' groupStore.
                    for i in 0..<n {
                        acc &+= T.wide8(xr.advanced(bytes: i &* xs), 0)
                        for k in 0..<columnLanes {
                            or.storeBytes(of: acc[k], toByteOffset: k &* outRow &+ i &* os, as: UInt64.self)
                        }
                    }
                }
            }
        })
}

/// Window sums for outputs [start, end): a running sum, exact in wrapping
/// int64 arithmetic (no drift to avoid), started from the window before
/// `start`. Reads x[i - w] after writing out[i - w]: never in place.
@inline(__always)
func rollingInt<T: SnakeInt>(
    _ w: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<Int64>, _ os: Int,
    start: Int, end: Int, streaming: Bool
) {
    let first = max(0, start &- w)
    var acc = sumInt(start &- first, x.advanced(bytes: first &* xs), xs)  // x[start-w ..< start]
    if isUnit(xs, T.self) && isUnit(os, Int64.self) {
        // Partial windows (nothing leaves yet): a running sum of x; then
        // full windows: a running sum of x[i] - x[i - w].
        let partial = max(min(w, end) &- start, 0)
        acc = scanIntSegment(partial, x + start, back: 0, out + start, from: acc, streaming: streaming)
        _ = scanIntSegment(end &- start &- partial, x + (start &+ partial), back: w, out + (start &+ partial),
                           from: acc, streaming: streaming)
        return
    }
    for i in start..<end {
        acc &+= wide(x.at(i, step: xs))
        if i >= w { acc &-= wide(x.at(i &- w, step: xs)) }
        out.advanced(bytes: i &* os).pointee = acc
    }
}

@inline(__always)
func rollingSumInt<T: SnakeInt>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xs: Int,
    _ window: UnsafePointer<Int>, _ wRow: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) {
    let streaming = streamsSums(T.self, n)
    // In place (int64 input with out=x): run from a copy of the row.
    func run(_ r: Int, _ start: Int, _ end: Int) {
        let w = min(window.advanced(bytes: r &* wRow).pointee, n &+ 1)
        let xr = x.advanced(bytes: r &* xRow), or = out.advanced(bytes: r &* outRow)
        if UnsafeRawPointer(xr) == UnsafeRawPointer(UnsafeMutableRawPointer(or)) {
            withUnsafeTemporaryAllocation(of: T.self, capacity: n) { copy in
                let c = copy.baseAddress!
                for i in 0..<n { (c + i).initialize(to: xr.at(i, step: xs)) }
                rollingInt(w, UnsafePointer(c), MemoryLayout<T>.stride, or, os, start: 0, end: n, streaming: streaming)
            }
            return
        }
        rollingInt(w, xr, xs, or, os, start: start, end: end, streaming: streaming)
    }
    vecRows(
        rows: rows, n: n, grain: grain,
        row: { r in run(r, 0, n) },
        longRow: { r, tasks in
            let xr = x.advanced(bytes: r &* xRow), or = out.advanced(bytes: r &* outRow)
            if UnsafeRawPointer(xr) == UnsafeRawPointer(UnsafeMutableRawPointer(or)) { run(r, 0, n); return }
            parallelFor(tasks) { t in
                let (s, c) = split(n, tasks, t)
                run(r, s, s &+ c)
            }
        })
}

// MARK: - histogram: np.histogram converts integers to float64; the loops
// are Reductions/Histogram.swift's, with UInt8/Int32/Int64 as HistogramValue.
