// rolling_sum: (n),()->(n) moving-window sums with partial windows at the
// start, accumulated in Float64.
//
// No running "add the new, subtract the old" sum (its error grows with the
// row, and one inf or NaN poisons every later window). Instead the row is cut
// into blocks of w (van Herk / Gil-Werman): for i in block k,
//     out[i] = suffix(block k-1, from i-w+1) + prefix(block k, up to i),
// a sum of at most 2w - 1 terms with no subtraction, so the error is that of
// summing one window and an inf or NaN only reaches the windows that hold it.
// One loop walks block k forwards (the prefix, written out) and block k+1
// backwards (its suffixes, kept for block k+2): two independent add chains.
//
// Accumulators start at -0.0, the identity of IEEE addition, so signed zeros
// come out as the exact sum's (rolling_sum([-0.0], 1) is -0.0).
//
// `_mt`: overlapping chunks. A chunk starting inside block k first rebuilds
// block k-1's suffixes and block k's prefix up to its start, in the same
// order single-threaded code does, so results are bit-identical. Rows
// computed in place, or whose window is long against the chunks, run
// single-threaded.

import SnakeABI
import SnakeRuntime

/// Suffix sums of the `w` elements at `x` (byte step `xs`) into s[0...w]:
/// s[u] = x[u] + ... + x[w-1], s[w] = -0.0 (the empty suffix).
@inline(__always)
func suffixSums<T: SnakeFloat>(_ w: Int, _ x: UnsafePointer<T>, _ xs: Int, _ s: UnsafeMutablePointer<Double>) {
    var acc = -0.0
    s[w] = acc
    var u = w
    while u > 0 {
        u &-= 1
        acc += Double(x.at(u, step: xs))
        s[u] = acc
    }
}

/// Outputs [start, end) of one row with window w < n; `scratch` holds
/// 3 * (w + 1) doubles: the suffix sums of block k-1 (used by block k's
/// outputs), of block k (ready for block k+1) and of block k+1 (built while
/// block k is written). Reading one block ahead, never behind, keeps
/// `out` == `x` (in place) correct: block k's writes come after its reads.
@inline(__always)
func rollingRange<T: SnakeFloat>(
    _ w: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int,
    start: Int, end: Int, _ scratch: UnsafeMutablePointer<Double>
) {
    var prev = scratch, this = scratch + (w &+ 1), next = scratch + 2 &* (w &+ 1)
    var b = (start / w) &* w  // start of the block holding `start`
    if b > 0 { suffixSums(w, x.advanced(bytes: (b &- w) &* xs), xs, prev) }
    if b &+ w < end { suffixSums(w, x.advanced(bytes: b &* xs), xs, this) }
    var cur = -0.0
    for j in b..<start { cur += Double(x.at(j, step: xs)) }
    var i = start
    while i < end {
        let stop = min(b &+ w, end)
        // Block b + w is full when block b + 2w has outputs here.
        let ahead = b &+ 2 &* w < end
        let xa = x.advanced(bytes: (b &+ w) &* xs)
        var back = -0.0
        var u = w  // next suffix of block b + w to fill, counting down
        if ahead { next[w] = back }
        if b == 0 {
            while i < stop {
                cur += Double(x.at(i, step: xs))
                out.advanced(bytes: i &* os).pointee = T(cur)
                if ahead {
                    u &-= 1
                    back += Double(xa.at(u, step: xs))
                    next[u] = back
                }
                i &+= 1
            }
        } else {
            while i < stop {
                cur += Double(x.at(i, step: xs))
                out.advanced(bytes: i &* os).pointee = T(cur + prev[i &- b &+ 1])
                if ahead {
                    u &-= 1
                    back += Double(xa.at(u, step: xs))
                    next[u] = back
                }
                i &+= 1
            }
        }
        if i == b &+ w && i < end {
            if ahead {
                while u > 0 {
                    u &-= 1
                    back += Double(xa.at(u, step: xs))
                    next[u] = back
                }
            }
            (prev, this, next) = (this, next, prev)
            b &+= w
            cur = -0.0
        }
    }
}

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
            var acc = -0.0
            for j in 0..<start { acc += Double(xr.at(j, step: xs)) }
            _ = scan(end &- start, xr.advanced(bytes: start &* xs), xs, or.advanced(bytes: start &* os), os, from: acc)
            return
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 &* (w &+ 1)) { buf in
            rollingRange(w, xr, xs, or, os, start: start, end: end, buf.baseAddress!)
        }
    }
    vecRows(
        rows: rows, n: n, grain: grain,
        row: { r in run(r, 0, n) },
        longRow: { r, tasks in
            // Each chunk re-reads up to 2w elements before its start: worth
            // it only while chunks are long against the window.
            // In place (NumPy passes out == x uncopied), a chunk's warm-up
            // would read what its neighbour already wrote.
            let w = window.advanced(bytes: r &* wRow).pointee
            let inPlace = UnsafeRawPointer(x.advanced(bytes: r &* xRow)) == UnsafeRawPointer(out.advanced(bytes: r &* outRow))
            if inPlace || (w < n && w > n / (4 &* tasks)) {
                run(r, 0, n)
                return
            }
            parallelFor(tasks) { t in
                let (s, c) = split(n, tasks, t)
                run(r, s, s &+ c)
            }
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
