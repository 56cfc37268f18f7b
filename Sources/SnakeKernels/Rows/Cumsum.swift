// cumsum: (n)->(n) running sum, accumulated in Float64.
//
// Single-threaded it is NumPy's sequential sum (bit-identical for float64).
// `_mt` on a long row: pass 1 sums the chunks before the last (in vectors),
// an exclusive prefix of those totals gives each chunk its starting offset,
// pass 2 scans every chunk from its offset (two reads of the input, both
// parallel). Float32 rows, and float64 chunks of `_mt` below the streaming
// size, are scanned in blocks of eight runs side by side.

import SnakeABI

/// Σ x[0..<n] in Float64 from -0.0 (a chunk of -0.0 totals -0.0, so
/// cumsum_mt keeps the sign as np.cumsum): `_mt`'s first pass, which reads
/// the row before the last chunk. Contiguous rows in vectors (vectorSum);
/// strided rows and the last < 16 with four scalar accumulators.
@inline(__always)
func rowSum<T: SnakeFloat>(_ n: Int, _ x: UnsafePointer<T>, _ step: Int) -> Double {
    var i = 0, s = -0.0
    if isUnit(step, T.self) {
        (i, s) = vectorSum(n, UnsafeRawPointer(x), float32: T.self == Float.self)
    }
    var s0 = -0.0, s1 = -0.0, s2 = -0.0, s3 = -0.0
    while i &+ 4 <= n {
        s0 += Double(x.at(i, step: step))
        s1 += Double(x.at(i &+ 1, step: step))
        s2 += Double(x.at(i &+ 2, step: step))
        s3 += Double(x.at(i &+ 3, step: step))
        i &+= 4
    }
    while i < n { s0 += Double(x.at(i, step: step)); i &+= 1 }
    return s + ((s0 + s1) + (s2 + s3))
}

/// Σ of the first n & ~15 elements at p (Float32 or Float64) in Float64,
/// 32 a step in four 8-lane accumulators from -0.0, then a last 16 if
/// there is one: `_mt`'s first pass (rowSum) and the Σ of each run of the
/// Float64 blocks (scanDoubleBlocks). Returns (elements summed, Σ).
@inline(never)
func vectorSum(_ n: Int, _ p: UnsafeRawPointer, float32: Bool) -> (count: Int, total: Double) {
    var a0 = SIMD8<Double>(repeating: -0.0), a1 = a0, a2 = a0, a3 = a0
    let end = n & ~31, count = n & ~15
    var i = 0
    if float32 {
        while i < end {
            let u = p.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            let v = p.loadUnaligned(fromByteOffset: i &* 4 &+ 64, as: SIMD16<Float>.self)
            a0 += SIMD8<Double>(u.lowHalf)
            a1 += SIMD8<Double>(u.highHalf)
            a2 += SIMD8<Double>(v.lowHalf)
            a3 += SIMD8<Double>(v.highHalf)
            i &+= 32
        }
        if i < count {
            let u = p.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            a0 += SIMD8<Double>(u.lowHalf)
            a1 += SIMD8<Double>(u.highHalf)
        }
    } else {
        while i < end {
            a0 += p.loadUnaligned(fromByteOffset: i &* 8, as: SIMD8<Double>.self)
            a1 += p.loadUnaligned(fromByteOffset: i &* 8 &+ 64, as: SIMD8<Double>.self)
            a2 += p.loadUnaligned(fromByteOffset: i &* 8 &+ 128, as: SIMD8<Double>.self)
            a3 += p.loadUnaligned(fromByteOffset: i &* 8 &+ 192, as: SIMD8<Double>.self)
            i &+= 32
        }
        if i < count {
            a0 += p.loadUnaligned(fromByteOffset: i &* 8, as: SIMD8<Double>.self)
            a1 += p.loadUnaligned(fromByteOffset: i &* 8 &+ 64, as: SIMD8<Double>.self)
        }
    }
    return (count, laneSum((a0 + a1) + (a2 + a3), from: -0.0))
}

/// Float32 runs: eight per block, 272 elements each. The block's Float64
/// copy (17 KiB) and its input and output stay in L1. 272, not 256: runs
/// 2 KiB apart would put the eight chains' loads and stores on the same
/// 4 KiB offsets, which the CPU's store-to-load alias check stalls on.
let scanRun = 272

/// x[0..<count] widened to Float64 into t; returns their Σ. Not inlined:
/// inlined where the count is a constant, LLVM rebuilt the widening from
/// 2-lane pieces (Variance.swift met the same).
@inline(never)
func widenRun(_ count: Int, _ x: UnsafePointer<Float>, _ t: UnsafeMutablePointer<Double>) -> Double {
    let src = UnsafeRawPointer(x), dst = UnsafeMutableRawPointer(t)
    // From -0.0, the identity of IEEE addition: a run of -0.0 sums to -0.0,
    // as the sequential scan keeps it.
    var s0 = SIMD8<Double>(repeating: -0.0), s1 = s0
    var j = 0
    while j < count {
        let v = src.loadUnaligned(fromByteOffset: j &* 4, as: SIMD16<Float>.self)
        let lo = SIMD8<Double>(v.lowHalf), hi = SIMD8<Double>(v.highHalf)
        dst.storeBytes(of: lo, toByteOffset: j &* 8, as: SIMD8<Double>.self)
        dst.storeBytes(of: hi, toByteOffset: (j &+ 8) &* 8, as: SIMD8<Double>.self)
        s0 += lo
        s1 += hi
        j &+= 16
    }
    return laneSum(s0 + s1, from: -0.0)
}

/// out[0..<count] = Float32(t[0..<count]), count a multiple of 16.
@inline(never)
func narrowRun(_ count: Int, _ t: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Float>) {
    let src = UnsafeRawPointer(t), dst = UnsafeMutableRawPointer(out)
    var j = 0
    while j < count {
        let v = src.loadUnaligned(fromByteOffset: j &* 8, as: SIMD8<Double>.self)
        dst.storeBytes(of: SIMD8<Float>(v), toByteOffset: j &* 4, as: SIMD8<Float>.self)
        j &+= 8
    }
}

/// narrowRun for outputs past `streamingBytes`, with streaming stores: out
/// + head is on a 64-byte line, the whole lines from there are written
/// around the caches (no read of each line before it is overwritten), and
/// the `head` elements before and the few after them are stored normally.
/// The same conversions, so the same bits. snake-bench avx512 float32 1e7
/// (aligned output): 6.9-7.1 -> 4.6-4.9 ms.
@inline(never)
func narrowRunStreaming(_ count: Int, _ t: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Float>, head: Int) {
    let src = UnsafeRawPointer(t)
    for k in 0..<head { out[k] = Float(t[k]) }
    var j = head
    while count &- j >= 16 {
        let lo = src.loadUnaligned(fromByteOffset: j &* 8, as: SIMD8<Double>.self)
        let hi = src.loadUnaligned(fromByteOffset: (j &+ 8) &* 8, as: SIMD8<Double>.self)
        Float.storeStreaming(SIMD16(lowHalf: SIMD8<Float>(lo), highHalf: SIMD8<Float>(hi)), out, j)
        j &+= 16
    }
    while j < count {
        out[j] = Float(t[j])
        j &+= 1
    }
}

/// Two steps of a running sum from x into out (the same pointer in place),
/// written back with one store (the stores, one per element, were the
/// scan's limit).
@inline(__always)
func pairStep(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ a: inout Double) {
    let v = UnsafeRawPointer(x).loadUnaligned(as: SIMD2<Double>.self)
    let first = a + v[0]
    a = first + v[1]
    UnsafeMutableRawPointer(out).storeBytes(of: SIMD2(first, a), as: SIMD2<Double>.self)
}

/// One block: eight runs of `run` elements from src scanned into dst (the
/// same pointer in place), side by side as eight independent add chains;
/// run k starts from `start` plus total(0) + ... + total(k - 1), the Σ of
/// the runs before it. total(k) is called for k = 0...7 in order before any
/// chain runs (float32 widens each run there, and from memory the block's
/// runs must be read in order: widening run 7 first made 1e7 rows 1.5x
/// slower); total(7)'s value is not used. Returns the block's running total.
@inline(__always)
func scanEightRuns(
    _ run: Int, _ src: UnsafePointer<Double>, _ dst: UnsafeMutablePointer<Double>, from start: Double,
    total: (Int) -> Double
) -> Double {
    var a0 = start
    var a1 = a0 + total(0)
    var a2 = a1 + total(1)
    var a3 = a2 + total(2)
    var a4 = a3 + total(3)
    var a5 = a4 + total(4)
    var a6 = a5 + total(5)
    var a7 = a6 + total(6)
    _ = total(7)
    var j = 0
    while j < run {
        pairStep(src + j, dst + j, &a0)
        pairStep(src + (run &+ j), dst + (run &+ j), &a1)
        pairStep(src + (2 &* run &+ j), dst + (2 &* run &+ j), &a2)
        pairStep(src + (3 &* run &+ j), dst + (3 &* run &+ j), &a3)
        pairStep(src + (4 &* run &+ j), dst + (4 &* run &+ j), &a4)
        pairStep(src + (5 &* run &+ j), dst + (5 &* run &+ j), &a5)
        pairStep(src + (6 &* run &+ j), dst + (6 &* run &+ j), &a6)
        pairStep(src + (7 &* run &+ j), dst + (7 &* run &+ j), &a7)
        j &+= 2
    }
    return a7
}

/// A contiguous Float32 row in blocks of eight runs. One Float64 add chain
/// per element waits on the add's latency, and scalar Float32 <-> Float64
/// conversions (two per element) were the other limit (27% of memory
/// bandwidth). Here a block is widened to Float64 with vector conversions,
/// its eight runs are scanned side by side (eight independent chains, each
/// starting from the running total plus the Σ of the runs before it), and
/// the block is narrowed back with vector conversions. Only the order of
/// the Float64 adds changes: results are the Float64 running sum rounded to
/// Float32, equal bit for bit to the sequential one on all but rare
/// rounding ties. Float64 rows stay sequential, bit-identical to np.cumsum.
/// Returns how many elements were scanned (whole blocks) and the total.
@inline(__always)
func scanFloatBlocks(
    _ n: Int, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, from start: Double, streaming: Bool
) -> (Int, Double) {
    let run = scanRun, block = 8 &* run
    guard n >= block else { return (0, start) }
    // A block is 8704 bytes, whole 64-byte lines: every block's output
    // starts the same `head` elements (< 16) before a line.
    let head = streaming ? streamingStart(out) : nil
    return withUnsafeTemporaryAllocation(byteCount: block &* 8, alignment: 64) { buffer in
        let t = buffer.baseAddress!.bindMemory(to: Double.self, capacity: block)
        var acc = start, b = 0
        defer { if head != nil { snake_stream_fence() } }
        while n &- b >= block {
            // Each run widened into t as its Σ is asked for, then scanned
            // in t, in place.
            acc = scanEightRuns(run, t, t, from: acc) { k in widenRun(run, x + (b &+ k &* run), t + k &* run) }
            if let head { narrowRunStreaming(block, t, out + b, head: head) } else { narrowRun(block, t, out + b) }
            b &+= block
        }
        return (b, acc)
    }
}

/// A contiguous Float64 chunk of `_mt`'s rows under `streamingBytes`, in
/// blocks of eight runs, as scanFloatBlocks: each run starts from the
/// running total plus the Σ of the runs before it (summed in vectors), and
/// the eight add chains run side by side, writing the output directly. The
/// sequential chain, which single-threaded float64 keeps to stay
/// bit-identical to np.cumsum, waits on the add's latency (0.83
/// ns/element). Every chunk after the first starts from an offset summed
/// in another order, so its elements were not np.cumsum's bits before
/// either; the first chunk (from -0.0) was, and is now blocked too, so
/// that it does not become the slow thread. At 1e7 elements (80 MB) the
/// blocks measured slower than the chain (bench/README.md), so rows from
/// `streamingBytes` (16 MiB, 2 097 152 elements, the size where outputs
/// stream) keep it: the blocks win up to 1.5e6 elements (2.3x at 1e6,
/// 1.1-1.2x at 1.5e6), run 1-5% slower at 2e6 and lose above the edge
/// (0.69-0.82x at 2.5e6-6e6). Returns the elements scanned (whole blocks)
/// and the total.
@inline(__always)
func scanDoubleBlocks(
    _ n: Int, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, from start: Double
) -> (Int, Double) {
    let run = scanRun, block = 8 &* run
    var acc = start, b = 0
    while n &- b >= block {
        let src = x + b, dst = out + b
        acc = scanEightRuns(run, src, dst, from: acc) { k in
            k == 7 ? 0 : vectorSum(run, UnsafeRawPointer(src + k &* run), float32: false).total
        }
        b &+= block
    }
    return (b, acc)
}

/// out[i] = start + Σ x[0...i]; returns the final total.
@inline(__always)
func scan<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, from start: Double,
    streaming: Bool, chunk: Bool
) -> Double {
    var acc = start
    if isUnit(xs, T.self) && isUnit(os, T.self) {
        var i = 0
        if T.self == Double.self && chunk && !streaming {
            (i, acc) = scanDoubleBlocks(n, UnsafeRawPointer(x).assumingMemoryBound(to: Double.self),
                                        UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self), from: acc)
        } else if T.self == Float.self {
            (i, acc) = scanFloatBlocks(n, UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                                       UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), from: acc,
                                       streaming: streaming)
        }
        for i in i..<n {
            acc += Double(x[i])
            out[i] = T(acc)
        }
    } else {
        for i in 0..<n {
            acc += Double(x.at(i, step: xs))
            out.advanced(bytes: i &* os).pointee = T(acc)
        }
    }
    return acc
}

@inline(__always)
func cumsum<T: SnakeFloat>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ os: Int, _ grain: Int
) {
    // Streaming stores (float32 rows) by the whole row's size, so `_mt`
    // chunks store as the single-threaded call does.
    let streaming = n &* MemoryLayout<T>.stride >= streamingBytes
    // -0.0, the identity of IEEE addition: cumsum([-0.0]) is -0.0.
    scanRows(
        rows: rows, n: n, grain: grain, zero: -0.0, add: +,
        total: { r, s, c in rowSum(c, x.advanced(bytes: r &* xRow &+ s &* xs), xs) },
        scan: { r, s, c, from in
            scan(c, x.advanced(bytes: r &* xRow &+ s &* xs), xs,
                 out.advanced(bytes: r &* outRow &+ s &* os), os, from: from, streaming: streaming,
                 chunk: c < n)
        },
        grouped: areColumns(xRow, xs, T.self) ? MemoryLayout<T>.size : 0,
        columns: { first, count in
            // 8 adjacent rows a step (Support/Drivers.swift, "Columns"),
            // each lane the strided loop's chain from -0.0: the same bits.
            // Output rows not adjacent (NumPy's own output: each row
            // contiguous) are written in transposed tiles (float32) or
            // lane by lane (walkGroup).
            guard areColumns(xRow, xs, T.self) else { return 0 }
            let regroup = !spansOverlap(x, xRow, xs, MemoryLayout<T>.size, out, outRow, os, MemoryLayout<T>.size,
                                        rows: first &+ count, n: n)
            // Output rows not adjacent: swept only past the caches, where
            // a walk reads each group's lines from memory (in the caches
            // bands took 1.4-2.0x the walk's time: bench/README.md).
            let bytes = n &* (abs(xs) &+ abs(os))
            if isUnit(outRow, T.self) ? sweepsColumns(count, n, bytes: bytes, elementSize: MemoryLayout<T>.size)
                                      : count >= 2 &* columnLanes && bytes >= streamingBytes {
                // One step of every group at a time ("ColumnSweep"), each
                // group's running sums in a scratch: the same chains.
                return withUnsafeTemporaryAllocation(byteCount: sweepScratchBytes, alignment: 16) { scratch in
                    let sums = scratch.baseAddress!
                    return columnSweeps(first, count, regroup: regroup) { s in
                        for k in 0..<s.groups {
                            sums.storeBytes(of: SIMD8<Double>(repeating: -0.0), toByteOffset: k &* 64, as: SIMD8<Double>.self)
                        }
                        guard isUnit(outRow, T.self) else {
                            // Output rows not adjacent: 8 steps of a group
                            // at a time, so that each output line is
                            // written whole (a transposed tile where
                            // storesTiles).
                            var i0 = 0
                            while i0 < n {
                                let end = min(i0 &+ sweepBand, n)
                                var slot = sums
                                for k in 0..<s.groups {
                                    let xr = x + s.row(k)
                                    var acc = slot.loadUnaligned(as: SIMD8<Double>.self)
                                    walkGroup(i0..<end, out.advanced(bytes: s.row(k) &* outRow), outRow, os) { i in
                                        acc += T.widen(columnLoad(xr, i, xs))
                                        return T.narrow(acc)
                                    }
                                    slot.storeBytes(of: acc, as: SIMD8<Double>.self)
                                    slot += 64
                                }
                                i0 = end
                            }
                            return
                        }
                        for i in 0..<n {
                            let px = UnsafeRawPointer(x).advanced(by: i &* xs), po = UnsafeMutableRawPointer(out).advanced(by: i &* os)
                            var slot = sums
                            for k in 0..<s.groups {
                                let r = s.row(k) &* MemoryLayout<T>.stride
                                let acc = slot.loadUnaligned(as: SIMD8<Double>.self) + T.widen(px.loadUnaligned(fromByteOffset: r, as: SIMD8<T>.self))
                                slot.storeBytes(of: acc, as: SIMD8<Double>.self)
                                po.storeBytes(of: T.narrow(acc), toByteOffset: r, as: SIMD8<T>.self)
                                slot += 64
                            }
                        }
                    }
                }
            }
            return columnGroups(first, count, lead: columnLead(x + first), regroup: regroup) { r in
                let xr = x.advanced(bytes: r &* xRow), or = out.advanced(bytes: r &* outRow)
                var acc = SIMD8<Double>(repeating: -0.0)
                walkGroup(0..<n, or, outRow, os) { i in
                    acc += T.widen(columnLoad(xr, i, xs))
                    return T.narrow(acc)
                }
            }
        })
}

@c @implementation
public func snake_cumsum_f64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Double>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Double>, _ outRow: Int, _ os: Int, _ grain: Int
) { cumsum(rows, n, x, xRow, xs, out, outRow, os, grain) }

@c @implementation
public func snake_cumsum_f32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Float>, _ outRow: Int, _ os: Int, _ grain: Int
) { cumsum(rows, n, x, xRow, xs, out, outRow, os, grain) }
