// sum_sq and dot: sums of products.
//
// Contiguous path: four SIMD accumulators (enough independent chains to
// hide add/FMA latency), in blocks after which every accumulator lane has
// added 64 products (128 in the two-stream loop for long rows); each block's
// lanes are added into a Float64 total. Blocking keeps every accumulator's
// run short, so float32 input loses far less than a sequential float32 sum
// would.
// Strided path: four scalar Float64 accumulators.
// Every path forms the products in the element type and sums them in
// Float64, so a result never depends on where an element sits (a float32
// product that overflows is inf in the SIMD body and in the tail alike).

import SnakeABI

/// Elements from which the contiguous path reads two streams (8 MB of Float64).
let twoStreamMinimum = 1 << 20

/// Bytes read (a and b together, by one call of `sumOfProducts`: under
/// `_mt`, by one thread's chunk) from which the two streams are loaded in
/// half-width vectors (32 bytes). From memory, past what the L3 cache keeps,
/// 32-byte loads streamed 3-5% faster than 64-byte ones on the Zen 4
/// development machine; at 40 MB, partly served by L3, 64-byte loads were
/// 10% faster (bench/README.md, "sum_sq and dot from memory").
let halfWidthMinimumBytes = 64 << 20

/// Σ a[i]·b[i] + a[half + i]·b[half + i] for i in 0..<half (half a multiple
/// of 2 · W.scalarCount): the row's two halves as two interleaved streams,
/// loaded W at a time, the accumulators' lanes added into the Float64 total
/// every 256 · W.scalarCount elements of each half, so that every lane adds
/// 128 products before it is flushed, whatever the width.
@inline(__always)
func twoStreams<T: SnakeFloat, W: SIMD>(
    _ half: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _: W.Type
) -> Double where W.Scalar == T {
    let lanes = W.scalarCount, block = 256 &* lanes
    let a2 = a + half, b2 = b + half
    @inline(__always) func ld(_ p: UnsafePointer<T>, _ i: Int) -> W {
        UnsafeRawPointer(p + i).loadUnaligned(as: W.self)
    }
    var total = 0.0
    var i = 0
    while i < half {
        let end = i &+ min(block, half &- i)
        var acc0 = W(), acc1 = W(), acc2 = W(), acc3 = W()
        while i < end {
            acc0 = madd(acc0, ld(a, i), ld(b, i))
            acc1 = madd(acc1, ld(a2, i), ld(b2, i))
            acc2 = madd(acc2, ld(a, i &+ lanes), ld(b, i &+ lanes))
            acc3 = madd(acc3, ld(a2, i &+ lanes), ld(b2, i &+ lanes))
            i &+= 2 &* lanes
        }
        total += laneSum((acc0 + acc1) + (acc2 + acc3))
    }
    return total
}

/// The lanes of one block's accumulator, added in order in Float64 from
/// `start` (cumsum's sums start from -0.0, so that lanes of -0.0 sum to -0.0).
@inline(__always)
func laneSum<V: SIMD>(_ v: V, from start: Double = 0.0) -> Double where V.Scalar: SnakeFloat {
    var s = start
    for j in 0..<V.scalarCount { s += Double(v[j]) }
    return s
}

/// Σ a[i]·b[i] for i in 0..<n, accumulated in Float64.
@inline(__always)
func sumOfProducts<T: SnakeFloat>(
    _ n: Int, _ a: UnsafePointer<T>, _ aStep: Int, _ b: UnsafePointer<T>, _ bStep: Int
) -> Double {
    guard isUnit(aStep, T.self), isUnit(bStep, T.self) else {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        while i &+ 4 <= n {
            s0 += Double(a.at(i, step: aStep) * b.at(i, step: bStep))
            s1 += Double(a.at(i &+ 1, step: aStep) * b.at(i &+ 1, step: bStep))
            s2 += Double(a.at(i &+ 2, step: aStep) * b.at(i &+ 2, step: bStep))
            s3 += Double(a.at(i &+ 3, step: aStep) * b.at(i &+ 3, step: bStep))
            i &+= 4
        }
        while i < n {
            s0 += Double(a.at(i, step: aStep) * b.at(i, step: bStep))
            i &+= 1
        }
        return (s0 + s1) + (s2 + s3)
    }
    let lanes = T.lanes, unroll = 4 &* lanes, block = 64 &* unroll
    var total = 0.0
    var i = 0
    if n >= twoStreamMinimum {
        // Far beyond L2: read the two halves as two interleaved streams.
        // Two hardware prefetch streams per core kept DRAM busier: about 6%
        // faster at 1e7 here (bench/README.md).
        let half = (n / 2) / unroll &* unroll
        let bytes = (a == b ? 1 : 2) &* n &* MemoryLayout<T>.stride
        if bytes >= halfWidthMinimumBytes {
            total = twoStreams(half, a, b, T.Half.self)
        } else {
            total = twoStreams(half, a, b, T.V.self)
        }
        i = 2 &* half
    }
    while n &- i >= unroll {
        let end = i &+ min(block, (n &- i) / unroll &* unroll)
        var acc0 = T.V(), acc1 = T.V(), acc2 = T.V(), acc3 = T.V()
        while i < end {
            acc0 = madd(acc0, T.load(a, i), T.load(b, i))
            acc1 = madd(acc1, T.load(a, i &+ lanes), T.load(b, i &+ lanes))
            acc2 = madd(acc2, T.load(a, i &+ 2 &* lanes), T.load(b, i &+ 2 &* lanes))
            acc3 = madd(acc3, T.load(a, i &+ 3 &* lanes), T.load(b, i &+ 3 &* lanes))
            i &+= unroll
        }
        total += laneSum((acc0 + acc1) + (acc2 + acc3))
    }
    while i < n {
        total += Double(a[i] * b[i])
        i &+= 1
    }
    return total
}

/// sumOfProducts' strided path for 8 adjacent rows at once (Support/
/// Drivers.swift, "Columns"): lane k is Σ a[k][i]·b[k][i], the products
/// formed in T and summed in Float64 by the same four accumulators in the
/// same order, so every lane has the strided path's bits.
@inline(__always)
func columnSumsOfProducts<T: SnakeFloat>(
    _ n: Int, _ a: UnsafePointer<T>, _ aStep: Int, _ b: UnsafePointer<T>, _ bStep: Int
) -> SIMD8<Double> {
    @inline(__always) func product(_ i: Int) -> SIMD8<Double> {
        T.widen(columnLoad(a, i, aStep) * columnLoad(b, i, bStep))
    }
    var s0 = SIMD8<Double>(), s1 = s0, s2 = s0, s3 = s0
    var i = 0
    while i &+ 4 <= n {
        s0 += product(i)
        s1 += product(i &+ 1)
        s2 += product(i &+ 2)
        s3 += product(i &+ 3)
        i &+= 4
    }
    while i < n {
        s0 += product(i)
        i &+= 1
    }
    return (s0 + s1) + (s2 + s3)
}

/// columnSumsOfProducts for 16 adjacent rows (two groups of 8): each step
/// reads 64 bytes of float32 from a row, a whole cache line, where one
/// group reads half of one.
@inline(__always)
func columnSumsOfProducts16<T: SnakeFloat>(
    _ n: Int, _ a: UnsafePointer<T>, _ aStep: Int, _ b: UnsafePointer<T>, _ bStep: Int
) -> (SIMD8<Double>, SIMD8<Double>) {
    let a8 = a + columnLanes, b8 = b + columnLanes
    @inline(__always) func product(_ i: Int) -> SIMD8<Double> {
        T.widen(columnLoad(a, i, aStep) * columnLoad(b, i, bStep))
    }
    @inline(__always) func product8(_ i: Int) -> SIMD8<Double> {
        T.widen(columnLoad(a8, i, aStep) * columnLoad(b8, i, bStep))
    }
    var s0 = SIMD8<Double>(), s1 = s0, s2 = s0, s3 = s0
    var t0 = s0, t1 = s0, t2 = s0, t3 = s0
    var i = 0
    while i &+ 4 <= n {
        s0 += product(i)
        t0 += product8(i)
        s1 += product(i &+ 1)
        t1 += product8(i &+ 1)
        s2 += product(i &+ 2)
        t2 += product8(i &+ 2)
        s3 += product(i &+ 3)
        t3 += product8(i &+ 3)
        i &+= 4
    }
    while i < n {
        s0 += product(i)
        t0 += product8(i)
        i &+= 1
    }
    return ((s0 + s1) + (s2 + s3), (t0 + t1) + (t2 + t3))
}

/// columnSumsOfProducts for a sweep's groups (Support/Drivers.swift,
/// "ColumnSweep"): one step of every group at a time (from
/// sweepBandGroups groups on, 8 steps of a group at a time while 8 whole
/// steps remain), step i added to each group's accumulator i % 4 (to the
/// first past the last whole four steps), in order, as the strided path
/// adds it: the same bits. The
/// accumulators live in `scratch` (sweepScratchBytes), those of one i % 4
/// together. a and b point at the call's row 0; `result(k, sums)` takes
/// group k's 8 sums.
@inline(__always)
func sweptSumsOfProducts<T: SnakeFloat>(
    _ s: ColumnSweep, _ n: Int, _ a: UnsafePointer<T>, _ aStep: Int, _ b: UnsafePointer<T>, _ bStep: Int,
    _ scratch: UnsafeMutableRawPointer, _ result: (_ k: Int, _ sums: SIMD8<Double>) -> Void
) {
    let groups = s.groups, slab = groups &* 64
    scratch.initializeMemory(as: UInt8.self, repeating: 0, count: 4 &* slab)
    @inline(__always) func load(_ p: UnsafeMutableRawPointer) -> SIMD8<Double> {
        p.loadUnaligned(as: SIMD8<Double>.self)
    }
    let whole = n & ~3
    var i0 = 0
    // A sweep of sweepBandGroups groups or more: the scratch (groups x 256
    // bytes) and the step's data no longer fit the 32 KiB L1 together, and
    // each group takes `sweepBand` steps at a time, its accumulators in
    // registers (the order of the adds per accumulator is unchanged). Each
    // group asks for its lines of the next band first: 8 rows read side by
    // side are more streams than the hardware prefetchers follow (sum_sq
    // float32 along axis 0 of (2000, 10 000) 0.30 -> 0.18-0.20 ns/element,
    // dot float32 of (20 000, 1000) 0.47-0.51 -> 0.34-0.41; bench/README.md).
    if groups >= sweepBandGroups {
        let bandSteps = sweepBand
        @inline(__always) func product(_ i: Int, _ r: Int) -> SIMD8<Double> {
            T.widen(columnLoad(a + r, i, aStep) * columnLoad(b + r, i, bStep))
        }
        while whole &- i0 >= bandSteps {
            var slot = scratch
            let ahead = whole &- i0 >= 2 &* bandSteps
            for k in 0..<groups {
                let r = s.row(k)
                if ahead {
                    for j in (i0 &+ bandSteps)..<(i0 &+ 2 &* bandSteps) {
                        snake_prefetch(UnsafeRawPointer(a + r).advanced(by: j &* aStep))
                        if a != b { snake_prefetch(UnsafeRawPointer(b + r).advanced(by: j &* bStep)) }
                    }
                }
                var s0 = load(slot), s1 = load(slot + slab), s2 = load(slot + 2 &* slab), s3 = load(slot + 3 &* slab)
                var j = i0
                while j < i0 &+ bandSteps {
                    s0 += product(j, r)
                    s1 += product(j &+ 1, r)
                    s2 += product(j &+ 2, r)
                    s3 += product(j &+ 3, r)
                    j &+= 4
                }
                slot.storeBytes(of: s0, as: SIMD8<Double>.self)
                (slot + slab).storeBytes(of: s1, as: SIMD8<Double>.self)
                (slot + 2 &* slab).storeBytes(of: s2, as: SIMD8<Double>.self)
                (slot + 3 &* slab).storeBytes(of: s3, as: SIMD8<Double>.self)
                slot += 64
            }
            i0 &+= bandSteps
        }
    }
    for i in i0..<n {
        var slot = scratch + (i < whole ? (i & 3) &* slab : 0)
        let pa = UnsafeRawPointer(a).advanced(by: i &* aStep), pb = UnsafeRawPointer(b).advanced(by: i &* bStep)
        for k in 0..<groups {
            let r = s.row(k) &* MemoryLayout<T>.stride
            let p = T.widen(pa.loadUnaligned(fromByteOffset: r, as: SIMD8<T>.self) * pb.loadUnaligned(fromByteOffset: r, as: SIMD8<T>.self))
            slot.storeBytes(of: load(slot) + p, as: SIMD8<Double>.self)
            slot += 64
        }
    }
    for k in 0..<groups {
        let slot = scratch + k &* 64
        result(k, (load(slot) + load(slot + slab)) + (load(slot + 2 &* slab) + load(slot + 3 &* slab)))
    }
}

@inline(__always)
func sumsTakeColumns<T>(_ aRow: Int, _ aStep: Int, _ bRow: Int, _ bStep: Int, _: T.Type) -> Bool {
    areColumns(aRow, aStep, T.self) && areColumns(bRow, bStep, T.self)
}

/// reduceRows' `columns` for sum_sq and dot: rows first..<first + count,
/// when they are adjacent (in a and b alike): swept where sweepsColumns
/// says so, else walked 16 and then 8 at a time, from where groups lie in
/// cache lines (columnLead).
@inline(__always)
func sumColumns<T: SnakeFloat>(
    _ first: Int, _ count: Int, _ n: Int,
    _ a: UnsafePointer<T>, _ aRow: Int, _ aStep: Int,
    _ b: UnsafePointer<T>, _ bRow: Int, _ bStep: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int
) -> Int {
    guard sumsTakeColumns(aRow, aStep, bRow, bStep, T.self) else { return 0 }
    @inline(__always) func put(_ s: SIMD8<Double>, _ r: Int) {
        for j in 0..<columnLanes { out.advanced(bytes: (r &+ j) &* outRow).pointee = T(s[j]) }
    }
    let regroup = !spansOverlap(a, aRow, aStep, MemoryLayout<T>.size, out, outRow, 0, MemoryLayout<T>.size, rows: first &+ count, n: n)
        && !spansOverlap(b, bRow, bStep, MemoryLayout<T>.size, out, outRow, 0, MemoryLayout<T>.size, rows: first &+ count, n: n)
    if sweepsColumns(count, n, bytes: n &* (abs(aStep) &+ (a == b ? 0 : abs(bStep))), elementSize: MemoryLayout<T>.size) {
        return withUnsafeTemporaryAllocation(byteCount: sweepScratchBytes, alignment: 16) { scratch in
            columnSweeps(first, count, regroup: regroup) { s in
                sweptSumsOfProducts(s, n, a, aStep, b, bStep, scratch.baseAddress!) { k, sums in put(sums, s.row(k)) }
            }
        }
    }
    @inline(__always) func group(_ g: Int) {
        put(columnSumsOfProducts(n, a.advanced(bytes: g &* aRow), aStep, b.advanced(bytes: g &* bRow), bStep), g)
    }
    var r = alignedColumnStart(first, count, lead: columnLead(a + first), regroup: regroup, group)
    while first &+ count &- r >= 2 &* columnLanes {
        let (s, t) = columnSumsOfProducts16(n, a.advanced(bytes: r &* aRow), aStep, b.advanced(bytes: r &* bRow), bStep)
        put(s, r)
        put(t, r &+ columnLanes)
        r &+= 2 &* columnLanes
    }
    return columnGroups(first, count, from: r, regroup: regroup, group)
}

// MARK: - sum_sq: (n)->(), Σ x²

@inline(__always)
func sumSq<T: SnakeFloat>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xStep: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ grain: Int
) {
    reduceRows(
        rows: rows, n: n, grain: grain, out: out, outRow: outRow,
        chunk: { r, start, count in
            let p = x.advanced(bytes: r &* xRow &+ start &* xStep)
            return sumOfProducts(count, p, xStep, p, xStep)
        },
        merge: +, finish: { T($0) },
        grouped: sumsTakeColumns(xRow, xStep, xRow, xStep, T.self) ? MemoryLayout<T>.size : 0,
        columns: { first, count in sumColumns(first, count, n, x, xRow, xStep, x, xRow, xStep, out, outRow) })
}

@c @implementation
public func snake_sum_sq_f64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Double>, _ xRow: Int, _ xStep: Int,
    _ out: UnsafeMutablePointer<Double>, _ outRow: Int, _ grain: Int
) { sumSq(rows, n, x, xRow, xStep, out, outRow, grain) }

@c @implementation
public func snake_sum_sq_f32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, _ xRow: Int, _ xStep: Int,
    _ out: UnsafeMutablePointer<Float>, _ outRow: Int, _ grain: Int
) { sumSq(rows, n, x, xRow, xStep, out, outRow, grain) }

// MARK: - dot: (n),(n)->(), Σ a·b

@inline(__always)
func dot<T: SnakeFloat>(
    _ rows: Int, _ n: Int,
    _ a: UnsafePointer<T>, _ aRow: Int, _ aStep: Int,
    _ b: UnsafePointer<T>, _ bRow: Int, _ bStep: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ grain: Int
) {
    reduceRows(
        rows: rows, n: n, grain: grain, out: out, outRow: outRow,
        chunk: { r, start, count in
            sumOfProducts(count,
                          a.advanced(bytes: r &* aRow &+ start &* aStep), aStep,
                          b.advanced(bytes: r &* bRow &+ start &* bStep), bStep)
        },
        merge: +, finish: { T($0) },
        grouped: sumsTakeColumns(aRow, aStep, bRow, bStep, T.self) ? MemoryLayout<T>.size : 0,
        columns: { first, count in sumColumns(first, count, n, a, aRow, aStep, b, bRow, bStep, out, outRow) })
}

@c @implementation
public func snake_dot_f64(
    _ rows: Int, _ n: Int,
    _ a: UnsafePointer<Double>, _ aRow: Int, _ aStep: Int,
    _ b: UnsafePointer<Double>, _ bRow: Int, _ bStep: Int,
    _ out: UnsafeMutablePointer<Double>, _ outRow: Int, _ grain: Int
) { dot(rows, n, a, aRow, aStep, b, bRow, bStep, out, outRow, grain) }

@c @implementation
public func snake_dot_f32(
    _ rows: Int, _ n: Int,
    _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int,
    _ b: UnsafePointer<Float>, _ bRow: Int, _ bStep: Int,
    _ out: UnsafeMutablePointer<Float>, _ outRow: Int, _ grain: Int
) { dot(rows, n, a, aRow, aStep, b, bRow, bStep, out, outRow, grain) }
