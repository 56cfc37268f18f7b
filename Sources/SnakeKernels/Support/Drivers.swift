// Loop drivers shared by every kernel of a kind (see snake_abi.h).
//
// A kernel supplies the math over one contiguous-or-strided range; the
// driver walks NumPy's outer rows and decides how to split the work:
//   - single-threaded when grain == 0 or the work is below 2 * grain;
//   - at least as many rows as tasks: each thread takes a block of whole
//     rows (results bit-identical to single-threaded);
//   - fewer, long rows: split each row into chunks, one per thread, and
//     merge the partials left to right (deterministic for a thread count);
//     running sums: scanRows' two passes, or blocks dealt out alternately
//     where the sums are exact and the row memory-bound.
// Nothing here allocates: partials live in a stack buffer (column sweeps'
// scratch too, up to 32 KiB, plus normalize's divisors; Swift moves a
// temporary allocation to the heap only where the stack is short).

import SnakeRuntime

/// Driver for reductions (n)->(): `chunk(row, start, count)` reduces
/// elements [start, start+count) of a row to a partial, `merge` combines two
/// adjacent partials (left first), `finish` turns a row's partial into its result.
@inline(__always)
func reduceRows<A, P>(
    rows: Int, n: Int, grain: Int,
    out: UnsafeMutablePointer<A>, outRow: Int,
    chunk: (_ row: Int, _ start: Int, _ count: Int) -> P,
    merge: (P, P) -> P,
    finish: (P) -> A,
    grouped: Int = 0, columns: (_ first: Int, _ count: Int) -> Int = { _, _ in 0 }
) {
    let tasks = taskCount(work: rows &* n, grain: grain)
    let rowTasks = rows >= tasks ? 1 : taskCount(work: n, grain: grain)
    if rowTasks > 1 {
        // Few long rows: every row is split across the pool.
        withUnsafeTemporaryAllocation(of: P.self, capacity: rowTasks) { partials in
            let base = partials.baseAddress!
            for r in 0..<rows {
                parallelFor(rowTasks) { t in
                    let (s, c) = split(n, rowTasks, t)
                    (base + t).initialize(to: chunk(r, s, c))
                }
                var acc = base.move()
                for t in 1..<rowTasks { acc = merge(acc, (base + t).move()) }
                out.advanced(bytes: r &* outRow).pointee = finish(acc)
            }
        }
        return
    }
    // Many rows (or one thread): blocks of whole rows, each computed exactly
    // as single-threaded. `columns` first: the rows it takes are finished.
    let rowBlocks = blockCount(rows, tasks, grouped: grouped)
    parallelFor(rowBlocks) { t in
        let (first, count) = rowBlock(rows, rowBlocks, t, grouped: grouped)
        for r in (first &+ columns(first, count))..<(first &+ count) {
            out.advanced(bytes: r &* outRow).pointee = finish(chunk(r, 0, n))
        }
    }
}

// MARK: - Columns: adjacent rows

// Rows whose elements are adjacent in memory (row stride = element size,
// element stride anything else: a reduction along axis 0 of a C-ordered
// array, or along the last axis of a Fortran-ordered one) are strided rows,
// one element per cache line. A kernel's `columns(first, count)` computes
// rows first..<first + k (k <= count; see columnGroups) in groups of
// `columnLanes`, one vector of adjacent elements a step, each lane doing the
// strided path's arithmetic in the same order: the same bits, at vector
// speed. It returns how many rows it took; the driver runs the rest as usual.

/// Rows a column step takes: one SIMD8<Double> accumulator's lanes.
let columnLanes = 8

/// Whether rows with these strides take the column path: adjacent rows
/// (row stride = element size) that are not themselves contiguous.
@inline(__always)
func areColumns<T>(_ rowStep: Int, _ step: Int, _: T.Type) -> Bool {
    isUnit(rowStep, T.self) && !isUnit(step, T.self)
}

/// 8 adjacent elements of a column step: element i of rows r..<r + 8.
@inline(__always)
func columnLoad<T: SnakeFloat>(_ p: UnsafePointer<T>, _ i: Int, _ step: Int) -> SIMD8<T> {
    UnsafeRawPointer(p).loadUnaligned(fromByteOffset: i &* step, as: SIMD8<T>.self)
}

/// Threads' blocks of rows: one per task, at most one per row. With
/// `grouped` (the size of an element, where the kernel's `columns` takes
/// these rows; 0 where it does not), at most one per whole group of rows
/// and per 128 bytes of a step across them: a block of rows short of a
/// group would run on the strided path, slower than the single-threaded
/// call runs them all, and two threads reading the halves of the same
/// lines (or of adjacent lines, which the hardware fetches in pairs) move
/// each line twice. Measured with rows split evenly (as other layouts), 2
/// threads against 1: sum_sq along axis 0 of (500 000, 16) float64 0.45x,
/// float32 0.82x; of (1e6, 8), two blocks of 4 strided rows.
@inline(__always)
func blockCount(_ rows: Int, _ tasks: Int, grouped elementSize: Int) -> Int {
    guard elementSize > 0 else { return min(rows, tasks) }
    return max(1, min(tasks, rows / columnLanes, rows &* elementSize / 128))
}

/// Rows of block t of `blocks`: an even split, or, `grouped`, an even split
/// of whole groups, the last block also taking the rows short of a group.
@inline(__always)
func rowBlock(_ rows: Int, _ blocks: Int, _ t: Int, grouped: Int) -> (start: Int, count: Int) {
    guard grouped > 0 else { return split(rows, blocks, t) }
    let (s, c) = split(rows / columnLanes, blocks, t)
    let start = s &* columnLanes
    return (start, t == blocks &- 1 ? rows &- start : c &* columnLanes)
}

/// Runs `group(r)`, which computes rows r..<r + 8, over rows start..<first
/// + count (start: where the caller's own groups left off, first if none);
/// returns how many rows from first were taken. The last rows short of a
/// group are left to the strided path (as slow per row as 8 rows here)
/// unless `regroup`: then one more group ends at the last row, recomputing
/// a few rows already done and writing their results again, with the same
/// bits. Callers pass `regroup` only when the output does not overlap the
/// input.
/// `lead` (columnLead of row `first`; without `start`): the groups start
/// that many rows on, where they lie in cache lines (alignedColumnStart,
/// with `alone`).
@inline(__always)
func columnGroups(
    _ first: Int, _ count: Int, from start: Int? = nil, lead: Int = 0, regroup: Bool, alone: ((Int) -> Void)? = nil,
    _ group: (_ r: Int) -> Void
) -> Int {
    let end = first &+ count
    var r = start ?? alignedColumnStart(first, count, lead: lead, regroup: regroup, alone: alone, group)
    while end &- r >= columnLanes {
        group(r)
        r &+= columnLanes
    }
    if r < end && regroup && count >= columnLanes {
        group(end &- columnLanes)
        return count
    }
    return r &- first
}

/// Rows from `p` (row `first` of adjacent rows) to the first row whose
/// group of 8 lies in one cache line, 0-7: NumPy's large arrays start 16
/// bytes past a line, so that every group of 8 float64 rows read two lines
/// a step. Walks of groups that straddle lines measured 1.2-1.7x slower in
/// the caches (float64 sum_sq, dot and cumsum along axis 0 of (1000, 1000)
/// and (100, 10 000), rolling_sum of (20 000, 1000); float32 1.1-1.3x).
/// Sweeps, which read each step's lines in order, measured the same.
@inline(__always)
func columnLead<T>(_ p: UnsafePointer<T>) -> Int {
    let address = Int(bitPattern: p), size = MemoryLayout<T>.stride
    return address % size == 0 ? ((0 &- address) & (columnLanes &* size &- 1)) / size : 0
}

/// Where a walk of groups over rows first..<first + count starts so that
/// its groups lie in lines (columnLead's `lead` rows on): the rows before
/// it run first, as one group that the next partly redoes (`regroup`: the
/// same bits written again), or each through `alone`; with neither, or
/// under two groups, at `first`.
@inline(__always)
func alignedColumnStart(
    _ first: Int, _ count: Int, lead: Int, regroup: Bool, alone: ((Int) -> Void)? = nil, _ group: (_ r: Int) -> Void
) -> Int {
    guard lead > 0 && count >= 2 &* columnLanes else { return first }
    if regroup {
        group(first)
    } else if let alone {
        for r in first..<(first &+ lead) { alone(r) }
    } else {
        return first
    }
    return first &+ lead
}

/// Groups of adjacent rows walked together, one step of all of them at a
/// time (a "sweep"; 8 steps of a group at a time in sweeps of
/// `sweepBandGroups` groups or more), each group's accumulators in a
/// scratch: the bytes of a step are read in memory order, as NumPy's own
/// axis-0 loops read them.
/// A group walked alone (columnGroups) reads a line, or half of one, a
/// step; the next group needs the neighbouring lines, which stay in the
/// caches only while the array does: past the last-level cache every group
/// streams the whole array from memory again. Group k of a sweep covers
/// rows row(k)..<row(k) + 8 of the call.
struct ColumnSweep {
    /// Row of the sweep's group 0, and of the call's last group (the
    /// regroup's, ending at the call's last row, or the last whole group).
    let first: Int, last: Int
    let groups: Int
    @inline(__always) func row(_ k: Int) -> Int { min(first &+ k &* columnLanes, last) }
}

/// Groups one sweep takes at most (1024 rows): a step of 128 groups is 8
/// KiB of float64, and 4 accumulators of 64 bytes a group are a 32 KiB
/// scratch.
let sweepGroups = 128

/// Groups from which a sweep takes `sweepBand` steps of a group at a time
/// (sweptSumsOfProducts), and those steps: one step of every group at a
/// time reads the bytes in memory order, which the prefetchers follow best
/// (8 or 16 steps at a time along axis 0 of (100 000, 100) float64:
/// 0.79-1.03 ns/element, one: 0.32-0.39), but rewrites each accumulator
/// every 4 steps. From 96 groups on, the scratch (24 KiB and more) and the
/// step's data no longer fit the 32 KiB L1 together, and 8 steps at a time
/// measured faster, most for float32, whose scratch is 8 times a step's
/// data (float64: 4 times): along axis 0 of (20 000, 1000) float32 0.26
/// against 0.38 ns/element, of (2000, 10 000) float64 0.43 against 0.88;
/// at 75 groups slower, (20 000, 600) float32 0.36 against 0.28
/// (bench/README.md).
let sweepBandGroups = 96
let sweepBand = 8

/// Bytes of a sweep's scratch: 4 accumulators of 64 bytes for each group.
let sweepScratchBytes: Int = 4 &* 64 &* sweepGroups

/// Whether `count` adjacent rows of n steps, whose walks read `bytes` in
/// all (n steps of |step| bytes, summed over the operands the kernel
/// counts: sum_sq x, dot a and b, cumsum x and out), are swept rather
/// than walked group by group (normalize sweeps from 1 MiB on: its walks
/// write a line of the output each step, normalizeSweepBytes; into output
/// rows that are not adjacent both sweep only from streamingBytes): two
/// groups or more, and either past the size
/// at which an array no longer shares the 32 MiB last-level cache
/// (streamingBytes), or walks of 8192 steps or more (a walk's lines, in
/// the pairs the hardware fetches, fill the 1 MiB L2 before the next
/// group needs its neighbours) over at least 512 bytes a step (a sweep's
/// step costs loop overhead that a few groups do not repay). Elsewhere the
/// walks' neighbouring lines come from the caches and a walk keeps its
/// accumulators in registers. Measured along axis 0 (bench/README.md,
/// "Along axis 0 past the cache"), ns per element walked / swept:
/// sum_sq float64 (1000, 1000) 0.11 / 0.20, (100 000, 16) 0.10 / 0.30,
/// (100 000, 100) 1.23 / 0.32; normalize float64 (10 000, 100), when it
/// took this rule too, 2.0-2.6 / 0.67-0.72.
@inline(__always)
func sweepsColumns(_ count: Int, _ n: Int, bytes: Int, elementSize: Int) -> Bool {
    count >= 2 &* columnLanes && (bytes >= streamingBytes || (n >= 8192 && count &* elementSize >= 512))
}

/// Runs `sweep` over the call's rows first..<first + count in sweeps of at
/// most `sweepGroups` groups; returns how many rows were taken (as
/// columnGroups: with `regroup`, one more group ends at the last row).
@inline(__always)
func columnSweeps(_ first: Int, _ count: Int, regroup: Bool, _ sweep: (ColumnSweep) -> Void) -> Int {
    guard count >= columnLanes else { return 0 }
    let whole = count / columnLanes
    let groups = whole &+ (regroup && count % columnLanes != 0 ? 1 : 0)
    let last = first &+ (groups > whole ? count &- columnLanes : (whole &- 1) &* columnLanes)
    var k = 0
    while k < groups {
        let g = min(sweepGroups, groups &- k)
        sweep(ColumnSweep(first: first &+ k &* columnLanes, last: last, groups: g))
        k &+= g
    }
    return groups > whole ? count : whole &* columnLanes
}

/// Stores a column step's 8 results: element i of 8 adjacent output rows.
@inline(__always)
func columnStore<T: SnakeFloat>(_ v: SIMD8<T>, _ p: UnsafeMutablePointer<T>, _ i: Int, _ step: Int) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, toByteOffset: i &* step, as: SIMD8<T>.self)
}

/// Lane k of v to p + k·row + i·step: one vector store (columnStore) where
/// the group's rows are adjacent (row = the element's size), else lane by
/// lane. NumPy allocates the output of an axis-0 call without `out=` with
/// each row contiguous (its core axis last in memory).
@inline(__always)
func groupStore<T: SnakeFloat>(_ v: SIMD8<T>, _ p: UnsafeMutablePointer<T>, _ row: Int, _ i: Int, _ step: Int) {
    guard isUnit(row, T.self) else {
        for k in 0..<8 { p.advanced(bytes: k &* row &+ i &* step).pointee = v[k] }
        return
    }
    columnStore(v, p, i, step)
}

/// 8 steps of a column group: element j holds step i + j's 8 lanes.
typealias GroupTile<T: SIMDScalar> = (SIMD8<T>, SIMD8<T>, SIMD8<T>, SIMD8<T>, SIMD8<T>, SIMD8<T>, SIMD8<T>, SIMD8<T>)

/// One unshuffle of a tile: rows 2m and 2m + 1 side by side, their even
/// elements to row m and their odd ones to row m + 4. Element (r, c) of
/// the tile (bits r2 r1 r0 c2 c1 c0) moves to (c0 r2 r1, r0 c2 c1): three
/// unshuffles rotate the six bits by three, a transpose.
@inline(__always)
func unshuffled<T: SIMDScalar>(_ t: GroupTile<T>) -> GroupTile<T> {
    let a = SIMD16(lowHalf: t.0, highHalf: t.1), b = SIMD16(lowHalf: t.2, highHalf: t.3)
    let c = SIMD16(lowHalf: t.4, highHalf: t.5), d = SIMD16(lowHalf: t.6, highHalf: t.7)
    return (a.evenHalf, b.evenHalf, c.evenHalf, d.evenHalf, a.oddHalf, b.oddHalf, c.oddHalf, d.oddHalf)
}

/// Whether a group's 8 steps are stored as a transposed tile (tileStore):
/// each output row contiguous, the rows not adjacent (NumPy's own output
/// along axis 0), and float32, whose tile is 8 256-bit registers. LLVM
/// compiles float64's (8 512-bit registers) into 7 two-source permutes per
/// output and spills, slower than 8 lane stores a step (bench/README.md,
/// "Along axis 0 without out=").
@inline(__always)
func storesTiles<T: SnakeFloat>(_ row: Int, _ step: Int, _: T.Type) -> Bool {
    T.self == Float.self && !isUnit(row, T.self) && isUnit(step, T.self)
}

/// Steps i..<i + 8 of a group (t.j: step i + j) to the output rows at p
/// (lane k at p + k·row, step i at i·step, storesTiles): transposed in
/// registers, one vector store a row.
@inline(__always)
func tileStore<T: SnakeFloat>(_ t: GroupTile<T>, _ p: UnsafeMutablePointer<T>, _ row: Int, _ i: Int, _ step: Int) {
    let r = unshuffled(unshuffled(unshuffled(t))), w = UnsafeMutableRawPointer(p), o = i &* step
    w.storeBytes(of: r.0, toByteOffset: o, as: SIMD8<T>.self)
    w.storeBytes(of: r.1, toByteOffset: o &+ row, as: SIMD8<T>.self)
    w.storeBytes(of: r.2, toByteOffset: o &+ 2 &* row, as: SIMD8<T>.self)
    w.storeBytes(of: r.3, toByteOffset: o &+ 3 &* row, as: SIMD8<T>.self)
    w.storeBytes(of: r.4, toByteOffset: o &+ 4 &* row, as: SIMD8<T>.self)
    w.storeBytes(of: r.5, toByteOffset: o &+ 5 &* row, as: SIMD8<T>.self)
    w.storeBytes(of: r.6, toByteOffset: o &+ 6 &* row, as: SIMD8<T>.self)
    w.storeBytes(of: r.7, toByteOffset: o &+ 7 &* row, as: SIMD8<T>.self)
}

/// A group's n steps to the output rows at p (lane k at p + k·row, step i
/// at i·step), `value(i)` giving step i's 8 lanes, called in order of i:
/// one vector store a step where the rows are adjacent (a loop of its own:
/// LLVM left groupStore's test in the loop, 1.4x the time of float32
/// cumsum's walk), in tiles of 8 steps where storesTiles, else lane by lane.
/// Only float32 (tiles) calls `value` at more than one site per branch:
/// float64's calls, at nine sites, were compiled out of line, each
/// returning its vector through memory.
@inline(__always)
func walkGroup<T: SnakeFloat>(_ steps: Range<Int>, _ p: UnsafeMutablePointer<T>, _ row: Int, _ step: Int,
                              _ value: (Int) -> SIMD8<T>) {
    if isUnit(row, T.self) {
        for i in steps { columnStore(value(i), p, i, step) }
        return
    }
    var i = steps.lowerBound
    if storesTiles(row, step, T.self) {
        while steps.upperBound &- i >= 8 {
            tileStore((value(i), value(i &+ 1), value(i &+ 2), value(i &+ 3),
                       value(i &+ 4), value(i &+ 5), value(i &+ 6), value(i &+ 7)), p, row, i, step)
            i &+= 8
        }
    }
    while i < steps.upperBound {
        groupStore(value(i), p, row, i, step)
        i &+= 1
    }
}

/// Outputs of at least this many bytes are written with streaming stores
/// (`SnakeFloat.storeStreaming`, where a kernel has a streaming form): at
/// this size output and input no longer share a 32 MiB last-level cache
/// with anything, so caching the output only costs a read of every line
/// before it is overwritten and evicts the input. Smaller outputs stay in
/// the caches for whatever reads them next. Decided from the whole call's
/// size, so `_mt` chunks store as the single-threaded call does.
let streamingBytes = 16 << 20

/// Elements of the row at `p` before its first 64-byte boundary, where
/// streaming stores (or aligned loads) can start; nil when `p` is not
/// aligned to its element size (the boundary is never reached).
@inline(__always)
func streamingStart<T>(_ p: UnsafePointer<T>) -> Int? {
    let address = Int(bitPattern: p), unit = MemoryLayout<T>.stride
    return address % unit == 0 ? ((0 &- address) & 63) / unit : nil
}

/// Driver for elementwise kernels: `body(start, count)` maps elements
/// [start, start+count); chunks are independent, so `_mt` results are
/// bit-identical to single-threaded ones.
@inline(__always)
func mapRange(n: Int, grain: Int, body: (_ start: Int, _ count: Int) -> Void) {
    let tasks = taskCount(work: n, grain: grain)
    if tasks <= 1 { body(0, n); return }
    // Chunks start at multiples of 16 elements (the lane count of both float
    // vector types, SIMD8<Double> and SIMD16<Float>), so each chunk's vectors
    // are the single-threaded call's vectors and only the last chunk has a
    // scalar tail: bit-identical results, NaN signs included (where two NaNs
    // meet, as inf - inf in saxpy, the scalar and the vector code keep
    // different ones). Integer loops are exact whatever the split.
    let align = 16
    let units = (n &+ align &- 1) / align
    parallelFor(tasks) { t in
        let (s, c) = split(units, tasks, t)
        let start = s &* align
        body(start, max(0, min(c &* align, n &- start)))
    }
}

/// Driver for row kernels (n)->(n): with at least as many rows as tasks,
/// each thread takes a block of whole rows and `row(r)` runs them exactly
/// as single-threaded (`columns` first, as in reduceRows); fewer, long rows go to `longRow(r, tasks)`, the
/// kernel's own multi-pass parallel algorithm for one row. `splitsRows`
/// false (no row would be split): whole rows however few there are.
@inline(__always)
func vecRows(
    rows: Int, n: Int, grain: Int, splitsRows: Bool = true, row: (Int) -> Void, longRow: (Int, Int) -> Void,
    grouped: Int = 0, columns: (_ first: Int, _ count: Int) -> Int = { _, _ in 0 }
) {
    let tasks = taskCount(work: rows &* n, grain: grain)
    let rowTasks = rows >= tasks || !splitsRows ? 1 : taskCount(work: n, grain: grain)
    if rowTasks > 1 {
        for r in 0..<rows { longRow(r, rowTasks) }
        return
    }
    let blocks = blockCount(rows, tasks, grouped: grouped)
    parallelFor(blocks) { t in
        let (first, count) = rowBlock(rows, blocks, t, grouped: grouped)
        for r in (first &+ columns(first, count))..<(first &+ count) { row(r) }
    }
}

/// Driver for running sums (n)->(n), float or integer: whole rows run
/// `scan(row, 0, n, zero)`, which returns the running sum at its last
/// element; a long row is split in two passes: each chunk's offset (the
/// total of the elements before it, from `total` and `add`), then each
/// chunk's `scan` from its offset.
///
/// The first pass sums only what lies before the last chunk, spread evenly
/// over all tasks (piece t of [0, start of the last chunk), cut in two where
/// a chunk boundary falls inside it): with 2 tasks it reads half the row, not
/// all of it. Pieces are no longer than a chunk once n >= tasks² (always, at
/// a real grain), so a piece holds at most one boundary; below that, the
/// plain way: every chunk's total.
///
/// `interleave`, the caller's promise that `add` is exact (wrapping integer
/// addition: any grouping gives the same bits), that the row is bound by
/// memory and that out does not overlap x (each task writes blocks the
/// other reads): a long row over 2 tasks is instead cut into blocks dealt
/// out alternately, and each task scans its own blocks and only sums the
/// other's into its running offset, so neither waits for the other. A task
/// alternates a slow scan with a fast sum and the other the reverse, so
/// they stay about a block apart and a block's second read comes from the
/// caches: the row crosses the memory bus once, where the first pass reads
/// half of it a second time (int32 cumsum: 14 bytes per element instead of
/// 12). With a busy pool (parallelFor runs the tasks one after the other)
/// x is read twice: slower, never wrong.
@inline(__always)
func scanRows<Acc>(
    rows: Int, n: Int, grain: Int, interleave: Bool = false, zero: Acc, add: (Acc, Acc) -> Acc,
    total: (_ row: Int, _ start: Int, _ count: Int) -> Acc,
    scan: (_ row: Int, _ start: Int, _ count: Int, _ from: Acc) -> Acc,
    grouped: Int = 0, columns: (_ first: Int, _ count: Int) -> Int = { _, _ in 0 }
) {
    vecRows(
        rows: rows, n: n, grain: grain,
        row: { r in _ = scan(r, 0, n, zero) },
        longRow: { r, tasks in
            if interleave && tasks == 2 {
                interleavedLongRow(r, n: n, tasks: tasks, zero: zero, add: add, total: total, scan: scan)
            } else {
                twoPassLongRow(r, n: n, tasks: tasks, zero: zero, add: add, total: total, scan: scan)
            }
        },
        grouped: grouped, columns: columns)
}

/// scanRows' long row in two passes: the chunks' offsets, then the chunks.
@inline(__always)
func twoPassLongRow<Acc>(
    _ r: Int, n: Int, tasks: Int, zero: Acc, add: (Acc, Acc) -> Acc,
    total: (_ row: Int, _ start: Int, _ count: Int) -> Acc,
    scan: (_ row: Int, _ start: Int, _ count: Int, _ from: Acc) -> Acc
) {
    // offsets[t]: the exclusive prefix before chunk t; sums[2t],
    // sums[2t + 1]: piece t before and from its cut.
    withUnsafeTemporaryAllocation(of: Acc.self, capacity: 3 &* tasks) { buffer in
        let offsets = buffer.baseAddress!, sums = offsets + tasks
        let boundary = { (j: Int) in split(n, tasks, j).start }
        if n < tasks &* tasks {
            parallelFor(tasks) { t in
                let (s, c) = split(n, tasks, t)
                (sums + t).initialize(to: total(r, s, c))
            }
            var offset = zero
            for t in 0..<tasks {
                (offsets + t).initialize(to: offset)
                offset = add(offset, (sums + t).move())
            }
        } else {
            let last = boundary(tasks &- 1)
            // The first chunk boundary after `start`, or `end`.
            let cut = { (start: Int, end: Int) -> Int in
                var j = 1
                while j < tasks && boundary(j) <= start { j &+= 1 }
                return j < tasks ? min(boundary(j), end) : end
            }
            parallelFor(tasks) { t in
                let (s, c) = split(last, tasks, t)
                let m = cut(s, s &+ c)
                (sums + 2 &* t).initialize(to: m > s ? total(r, s, m &- s) : zero)
                (sums + (2 &* t &+ 1)).initialize(to: s &+ c > m ? total(r, m, s &+ c &- m) : zero)
            }
            // Walk the pieces in order; a chunk's offset is the sum
            // reached at its boundary (a piece's cut or its end).
            offsets.initialize(to: zero)
            var running = zero, j = 1
            for t in 0..<tasks {
                let (s, c) = split(last, tasks, t)
                let m = cut(s, s &+ c)
                running = add(running, (sums + 2 &* t).move())
                while j < tasks && boundary(j) == m { (offsets + j).initialize(to: running); j &+= 1 }
                running = add(running, (sums + (2 &* t &+ 1)).move())
                while j < tasks && boundary(j) == s &+ c { (offsets + j).initialize(to: running); j &+= 1 }
            }
        }
        parallelFor(tasks) { t in
            let (s, c) = split(n, tasks, t)
            _ = scan(r, s, c, offsets[t])
        }
        _ = offsets.deinitialize(count: tasks)
    }
}

/// Elements per block of scanRows' interleaved long rows.
let interleavedBlock = 1 << 16

/// scanRows' long row with `interleave`: blocks dealt out alternately.
@inline(__always)
func interleavedLongRow<Acc>(
    _ r: Int, n: Int, tasks: Int, zero: Acc, add: (Acc, Acc) -> Acc,
    total: (_ row: Int, _ start: Int, _ count: Int) -> Acc,
    scan: (_ row: Int, _ start: Int, _ count: Int, _ from: Acc) -> Acc
) {
    // At least two blocks a task; whole vectors of 8 but the last.
    let block = max(8, min(interleavedBlock, n / (2 &* tasks)) & ~7)
    parallelFor(tasks) { t in
        var running = zero, start = 0, j = 0
        while start < n {
            let count = min(block, n &- start)
            running = j % tasks == t ? scan(r, start, count, running) : add(running, total(r, start, count))
            start &+= count
            j &+= 1
        }
    }
}

/// Whether the bytes of two operands of `rows` rows of n elements (row and
/// element strides in bytes, `size`-byte elements) can overlap.
@inline(__always)
func spansOverlap(
    _ a: UnsafeRawPointer, _ aRow: Int, _ aStep: Int, _ aSize: Int,
    _ b: UnsafeRawPointer, _ bRow: Int, _ bStep: Int, _ bSize: Int, rows: Int, n: Int
) -> Bool {
    func span(_ p: UnsafeRawPointer, _ row: Int, _ step: Int, _ size: Int) -> (UnsafeRawPointer, UnsafeRawPointer) {
        let r = (rows &- 1) &* row, e = (n &- 1) &* step
        return (p + (min(0, r) &+ min(0, e)), p + (max(0, r) &+ max(0, e) &+ size))
    }
    let (aLow, aHigh) = span(a, aRow, aStep, aSize), (bLow, bHigh) = span(b, bRow, bStep, bSize)
    return aLow < bHigh && bLow < aHigh
}
