// argmax: (n)->() intp, np.argmax semantics.
//
// Contiguous rows go block by block: each block's maximum in float compares
// (four accumulators, NaN lanes never selected, a NaN noted per lane), then,
// only when it beats the maximum so far, its first position in a second
// pass over the block in L1. A block holding a NaN ends the scan: the first
// NaN is the answer, as NumPy. -0.0 == +0.0, so the first zero of either
// sign wins, as NumPy. Strided rows and the tail compare integer order keys
// (SnakeFloat.orderKey), which never see a NaN as a float.

import SnakeABI
import SnakeRuntime

/// A candidate maximum: its key and its index in the row.
typealias ArgmaxPartial<B> = (key: B, index: Int)

@inline(__always)
func argmaxKey<T: SnakeFloat>(_ b: T.Bits, _: T.Type) -> T.Bits {
    T.isNaN(bits: b) ? T.Bits.max : T.orderKey(bits: b)
}

/// Later candidates replace earlier ones only if strictly greater.
@inline(__always)
func argmaxMerge<B: Comparable>(_ l: ArgmaxPartial<B>, _ r: ArgmaxPartial<B>) -> ArgmaxPartial<B> {
    r.key > l.key ? r : l
}

/// Elements per block of the contiguous scan: its maximum is found, then,
/// only if it beats the maximum so far, its first position (a second pass
/// over a block still in L1).
let argmaxBlock = 2048

/// First maximum of x[0..<n] (byte step `step`), index offset by `origin`.
/// For n == 0 returns key Bits.min, which any element beats. A NaN in a
/// contiguous row may raise "invalid" (the block scan's float compares):
/// callers clear it (argmax).
@inline(__always)
func argmaxRange<T: SnakeFloat>(
    _ n: Int, _ x: UnsafePointer<T>, _ step: Int, origin: Int
) -> ArgmaxPartial<T.Bits> {
    var best: ArgmaxPartial<T.Bits> = (T.Bits.min, origin)
    var i = 0
    if isUnit(step, T.self) {
        let lanes = T.lanes
        var top = -T.infinity, at = -1
        while n &- i >= lanes {
            let count = min(argmaxBlock, (n &- i) / lanes &* lanes)
            let (m, nan) = T.blockMax(x + i, count)
            if nan {  // the first NaN is the answer: no later element matters
                var j = i
                while !x[j].isNaN { j &+= 1 }
                return (T.Bits.max, origin &+ j)
            }
            // Only a strictly greater block maximum moves the answer, so
            // the first of equal maxima (-0.0 == +0.0 included) stays.
            if at < 0 || m > top {
                top = m
                at = i &+ T.firstEqual(x + i, count, m)
            }
            i &+= count
        }
        if at >= 0 { best = (argmaxKey(top.bits, T.self), origin &+ at) }
    }
    while i < n {
        let k = argmaxKey(x.at(i, step: step).bits, T.self)
        if k > best.key { best = (k, origin &+ i) }
        i &+= 1
    }
    return best
}

/// reduceRows' `columns` for argmax: 8 adjacent rows at once (Support/
/// Drivers.swift, "Columns"), each lane comparing the strided path's order
/// keys (SnakeFloat.columnArgmax).
@inline(__always)
func argmaxTakesColumns<T>(_ n: Int, _ xRow: Int, _ xStep: Int, _: T.Type) -> Bool {
    areColumns(xRow, xStep, T.self) && n <= Int32.max  // float32 lanes count in Int32
}

@inline(__always)
func argmaxColumns<T: SnakeFloat>(
    _ first: Int, _ count: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xStep: Int,
    _ out: UnsafeMutablePointer<Int>, _ outRow: Int
) -> Int {
    guard argmaxTakesColumns(n, xRow, xStep, T.self) else { return 0 }
    let regroup = !spansOverlap(x, xRow, xStep, MemoryLayout<T>.size, out, outRow, 0, MemoryLayout<Int>.size,
                                rows: first &+ count, n: n)
    return columnGroups(first, count, lead: columnLead(x + first), regroup: regroup) { r in
        let at = T.columnArgmax(n, x.advanced(bytes: r &* xRow), xStep)
        for j in 0..<columnLanes { out.advanced(bytes: (r &+ j) &* outRow).pointee = at[j] }
    }
}

@inline(__always)
func argmax<T: SnakeFloat>(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<T>, _ xRow: Int, _ xStep: Int,
    _ out: UnsafeMutablePointer<Int>, _ outRow: Int, _ grain: Int
) {
    let before = testFPFlags(fpInvalid)
    reduceRows(
        rows: rows, n: n, grain: grain, out: out, outRow: outRow,
        chunk: { r, start, count in
            argmaxRange(count, x.advanced(bytes: r &* xRow &+ start &* xStep), xStep, origin: start)
        },
        merge: argmaxMerge, finish: { $0.index },
        grouped: argmaxTakesColumns(n, xRow, xStep, T.self) ? MemoryLayout<T>.size : 0,
        columns: { first, count in argmaxColumns(first, count, n, x, xRow, xStep, out, outRow) })
    // The contiguous scan compares floats, which may raise "invalid" on a
    // NaN (LLVM selects with maxpd); np.argmax raises nothing.
    // (feclearexcept costs ~80 ns: only when the flag is up.)
    if before == 0 && testFPFlags(fpInvalid) != 0 { clearFPFlags(fpInvalid) }
}

@c @implementation
public func snake_argmax_f64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Double>, _ xRow: Int, _ xStep: Int,
    _ out: UnsafeMutablePointer<Int>, _ outRow: Int, _ grain: Int
) { argmax(rows, n, x, xRow, xStep, out, outRow, grain) }

@c @implementation
public func snake_argmax_f32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, _ xRow: Int, _ xStep: Int,
    _ out: UnsafeMutablePointer<Int>, _ outRow: Int, _ grain: Int
) { argmax(rows, n, x, xRow, xStep, out, outRow, grain) }

// MARK: - Block maximum and first match, per concrete vector type

// SnakeFloat.blockMax / firstEqual. The same text for both vector types:
// in generic code `.>` and `replace(with:where:)` resolve to the stdlib's
// lane-by-lane defaults (the end of Support/SnakeFloat.swift). A generic
// loop over lane requirements (max, NaN mask, lane maximum) was tried: LLVM
// unrolled it differently and chained every NaN mask through `korw`, and
// avx512 float32 ran 6.6-7.0 µs at 1e5 against 5.0 for this text. The
// float compares are quiet, but LLVM may select with `maxpd`, which raises
// "invalid" on a NaN lane: `argmax` clears that flag. Not inlined: inlined
// into the row closure, LLVM's SLP pass rebuilt the float32 loop from
// 128-bit pieces (3x slower); `select` rather than `replace(with:where:)`,
// which compiled to 128-bit pieces for float64 (6x slower).

/// A mask's lanes as the integer vector it is stored in (all ones where
/// true). The NaN lanes are OR-ed in that form: OR-ed as SIMDMask, the AVX2
/// float32 loop packed and widened the masks every iteration (snake-bench
/// 1e5: 10.2 µs, against 8.2 µs this way and 9.2 µs for the key scan it
/// replaced).
@inline(__always)
func maskBits(_ m: SIMDMask<SIMD8<Int64>>) -> SIMD8<Int64> { unsafeBitCast(m, to: SIMD8<Int64>.self) }
@inline(__always)
func maskBits(_ m: SIMDMask<SIMD16<Int32>>) -> SIMD16<Int32> { unsafeBitCast(m, to: SIMD16<Int32>.self) }

@inline(never)
func argmaxBlockMax(_ p: UnsafePointer<Double>, _ count: Int) -> (max: Double, nan: Bool) {
    typealias V = SIMD8<Double>
    let lanes = V.scalarCount
    var m0 = V(repeating: -.infinity), m1 = m0, m2 = m0, m3 = m0
    var nan = V.MaskStorage.zero  // NaN lanes, all ones
    var i = 0
    while count &- i >= 4 &* lanes {
        let a = Double.load(p, i), b = Double.load(p, i &+ lanes)
        let c = Double.load(p, i &+ 2 &* lanes), d = Double.load(p, i &+ 3 &* lanes)
        m0 = select(a .> m0, a, m0)
        m1 = select(b .> m1, b, m1)
        m2 = select(c .> m2, c, m2)
        m3 = select(d .> m3, d, m3)
        nan |= (maskBits(a .!= a) | maskBits(b .!= b)) | (maskBits(c .!= c) | maskBits(d .!= d))
        i &+= 4 &* lanes
    }
    while i < count {
        let a = Double.load(p, i)
        m0 = select(a .> m0, a, m0)
        nan |= maskBits(a .!= a)
        i &+= lanes
    }
    m0 = select(m1 .> m0, m1, m0)
    m2 = select(m3 .> m2, m3, m2)
    m0 = select(m2 .> m0, m2, m0)
    var top = m0[0]  // not m0.max(): that stayed a generic call
    for k in 1..<lanes where m0[k] > top { top = m0[k] }
    return (top, nan != .zero)
}

@inline(never)
func argmaxFirstEqual(_ p: UnsafePointer<Double>, _ count: Int, _ value: Double) -> Int {
    let lanes = SIMD8<Double>.scalarCount, v = SIMD8<Double>(repeating: value)
    var i = 0
    while i < count {
        if anyLane(Double.load(p, i) .== v) {
            while p[i] != value { i &+= 1 }
            return i
        }
        i &+= lanes
    }
    return count
}

@inline(never)
func argmaxBlockMax(_ p: UnsafePointer<Float>, _ count: Int) -> (max: Float, nan: Bool) {
    typealias V = SIMD16<Float>
    let lanes = V.scalarCount
    var m0 = V(repeating: -.infinity), m1 = m0, m2 = m0, m3 = m0
    var nan = V.MaskStorage.zero  // NaN lanes, all ones
    var i = 0
    while count &- i >= 4 &* lanes {
        let a = Float.load(p, i), b = Float.load(p, i &+ lanes)
        let c = Float.load(p, i &+ 2 &* lanes), d = Float.load(p, i &+ 3 &* lanes)
        m0 = select(a .> m0, a, m0)
        m1 = select(b .> m1, b, m1)
        m2 = select(c .> m2, c, m2)
        m3 = select(d .> m3, d, m3)
        nan |= (maskBits(a .!= a) | maskBits(b .!= b)) | (maskBits(c .!= c) | maskBits(d .!= d))
        i &+= 4 &* lanes
    }
    while i < count {
        let a = Float.load(p, i)
        m0 = select(a .> m0, a, m0)
        nan |= maskBits(a .!= a)
        i &+= lanes
    }
    m0 = select(m1 .> m0, m1, m0)
    m2 = select(m3 .> m2, m3, m2)
    m0 = select(m2 .> m0, m2, m0)
    var top = m0[0]  // not m0.max(): that stayed a generic call
    for k in 1..<lanes where m0[k] > top { top = m0[k] }
    return (top, nan != .zero)
}

@inline(never)
func argmaxFirstEqual(_ p: UnsafePointer<Float>, _ count: Int, _ value: Float) -> Int {
    let lanes = SIMD16<Float>.scalarCount, v = SIMD16<Float>(repeating: value)
    var i = 0
    while i < count {
        if anyLane(Float.load(p, i) .== v) {
            while p[i] != value { i &+= 1 }
            return i
        }
        i &+= lanes
    }
    return count
}

// SnakeFloat.columnArgmax: the first maximum of each of 8 adjacent rows
// (element i of lane k at p + k + i * step, n >= 1), by the strided path's
// integer order keys (a NaN's key is the greatest, and only a strictly
// greater key moves a lane's answer: the first NaN, or the first of equal
// maxima, -0.0 == +0.0). Integer compares: no FP flag.

@inline(never)
func argmaxColumns(_ n: Int, _ p: UnsafePointer<Double>, _ step: Int) -> SIMD8<Int> {
    typealias K = SIMD8<Int64>
    let magnitude = K(repeating: .max), infinity = K(repeating: Double.infinityBits)
    var best = K(repeating: .min), at = K()
    for i in 0..<n {
        let b = unsafeBitCast(columnLoad(p, i, step), to: K.self)
        let m = b & magnitude
        let key = select(m .> infinity, magnitude, select(b .< K(), K() &- m, m))
        let up = key .> best
        best = select(up, key, best)
        at = select(up, K(repeating: Int64(i)), at)
    }
    return unsafeBitCast(at, to: SIMD8<Int>.self)
}

@inline(never)
func argmaxColumns(_ n: Int, _ p: UnsafePointer<Float>, _ step: Int) -> SIMD8<Int> {
    typealias K = SIMD8<Int32>
    @inline(__always) func select(_ m: SIMDMask<K>, _ a: K, _ b: K) -> K {
        b ^ ((a ^ b) & unsafeBitCast(m, to: K.self))
    }
    let magnitude = K(repeating: .max), infinity = K(repeating: Float.infinityBits)
    var best = K(repeating: .min), at = K()
    for i in 0..<n {
        let b = unsafeBitCast(columnLoad(p, i, step), to: K.self)
        let m = b & magnitude
        let key = select(m .> infinity, magnitude, select(b .< K(), K() &- m, m))
        let up = key .> best
        best = select(up, key, best)
        at = select(up, K(repeating: Int32(truncatingIfNeeded: i)), at)
    }
    return SIMD8<Int>(truncatingIfNeeded: at)
}
