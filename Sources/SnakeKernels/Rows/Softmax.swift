// softmax: (n)->(n), exp(x - max(x)) / Σ exp(x - max(x)) per row.
//
// Three passes, the last two over the output (in cache for rows up to a few
// MB): the row maximum (argmax's kernel, so a NaN anywhere wins and the row
// becomes NaN), then e = exp(x - max) written to out while summing it, then
// out /= sum. -inf entries give 0; a row of all -inf gives NaN, as the NumPy
// formula does (-inf - -inf). `_mt` on a long row runs each pass in parallel
// chunks (the max and the sum merged in chunk order).

import SnakeABI
import SnakeRuntime

/// out[i] = exp(x[i] - m); returns Σ out[i] in Float64.
/// Not inlined into softmax's row closures: inside them (argmax, exp and the
/// division together) the optimizer stopped inlining, and the float32 loop
/// called the stdlib's vector load and store out of line, in xmm pieces.
@inline(never)
func expShifted<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ xs: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ m: T
) -> Double {
    var total = 0.0
    var i = 0
    if isUnit(xs, T.self) && isUnit(os, T.self) {
        let mv = T.V(repeating: m)
        // Blocks of 64 vectors summed in T, then added in Float64: a float32
        // running sum over millions of terms would lose ~1e-5.
        while n &- i >= T.lanes {
            let end = i &+ min(64 &* T.lanes, (n &- i) / T.lanes &* T.lanes)
            var acc = T.V()
            while i < end {
                var e = T.exp(T.load(x, i) - mv)
                // A byte copy, not T.store: here the stdlib's unaligned
                // vector store stayed an out-of-line call for SIMD16<Float>,
                // and the whole float32 loop ran in xmm pieces around it.
                withUnsafeBytes(of: &e) { UnsafeMutableRawPointer(out + i).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                acc += e
                i &+= T.lanes
            }
            total += laneSum(acc)
        }
    }
    while i < n {
        let e = T.exp(T.V(repeating: x.at(i, step: xs) - m))[0]
        out.advanced(bytes: i &* os).pointee = e
        total += Double(e)
        i &+= 1
    }
    return total
}

/// A row whose maximum is NaN (a NaN in it) or -inf (all -inf) is NaN, as
/// the NumPy formula gives; the -inf case warns "invalid" like its
/// -inf - -inf, the NaN case is quiet. Returns whether the row was filled.
@inline(__always)
func fillUndefinedRow<T: SnakeFloat>(_ n: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ m: T) -> Bool {
    let b = m.bits
    let isNaN = T.isNaN(bits: b), isMinusInf = b == (-T.infinity).bits
    guard isNaN || isMinusInf else { return false }
    for i in 0..<n { out.advanced(bytes: i &* os).pointee = T.nan }
    if isMinusInf { raiseFPFlags(fpInvalid) }
    return true
}

/// out[i] /= total
@inline(__always)
func divideBy<T: SnakeFloat>(_ n: Int, _ out: UnsafeMutablePointer<T>, _ os: Int, _ total: Double) {
    let t = T(total)
    var i = 0
    if isUnit(os, T.self) {
        let tv = T.V(repeating: t)
        while n &- i >= T.lanes {
            T.store(T.load(UnsafePointer(out), i) / tv, out, i)
            i &+= T.lanes
        }
    }
    while i < n {
        let p = out.advanced(bytes: i &* os)
        p.pointee = p.pointee / t
        i &+= 1
    }
}

@inline(__always)
func softmax<T: SnakeFloat>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<T>, _ outRow: Int, _ os: Int, _ grain: Int
) {
    vecRows(
        rows: rows, n: n, grain: grain,
        row: { r in
            let xr = x.advanced(bytes: r &* xRow), or = out.advanced(bytes: r &* outRow)
            guard n > 0 else { return }
            let m = xr.at(argmaxRange(n, xr, xs, origin: 0).index, step: xs)  // a NaN wins
            if fillUndefinedRow(n, or, os, m) { return }
            divideBy(n, or, os, expShifted(n, xr, xs, or, os, m))
        },
        longRow: { r, tasks in
            let xr = x.advanced(bytes: r &* xRow), or = out.advanced(bytes: r &* outRow)
            withUnsafeTemporaryAllocation(of: ArgmaxPartial<T.Bits>.self, capacity: tasks) { best in
                let b0 = best.baseAddress!
                parallelFor(tasks) { t in
                    let (s, c) = split(n, tasks, t)
                    (b0 + t).initialize(to: argmaxRange(c, xr.advanced(bytes: s &* xs), xs, origin: s))
                }
                var top = b0[0]
                for t in 1..<tasks { top = argmaxMerge(top, b0[t]) }
                let m = xr.at(top.index, step: xs)
                if fillUndefinedRow(n, or, os, m) { return }
                withUnsafeTemporaryAllocation(of: Double.self, capacity: tasks) { sums in
                    let s0 = sums.baseAddress!
                    parallelFor(tasks) { t in
                        let (s, c) = split(n, tasks, t)
                        (s0 + t).initialize(to: expShifted(c, xr.advanced(bytes: s &* xs), xs,
                                                           or.advanced(bytes: s &* os), os, m))
                    }
                    var total = 0.0
                    for t in 0..<tasks { total += s0[t] }
                    parallelFor(tasks) { t in
                        let (s, c) = split(n, tasks, t)
                        divideBy(c, or.advanced(bytes: s &* os), os, total)
                    }
                }
            }
        })
}

@c @implementation
public func snake_softmax_f64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Double>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Double>, _ outRow: Int, _ os: Int, _ grain: Int
) { softmax(rows, n, x, xRow, xs, out, outRow, os, grain) }

@c @implementation
public func snake_softmax_f32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Float>, _ outRow: Int, _ os: Int, _ grain: Int
) { softmax(rows, n, x, xRow, xs, out, outRow, os, grain) }
