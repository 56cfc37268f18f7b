// Swift-level tests: every exported kernel against a plain scalar reference,
// for Float64 and Float32, lengths 0...3*lanes+1 (every SIMD tail), unit,
// strided, negative and zero strides, special values, one and many threads.

import SnakeABI
import SnakeKernels
import Foundation
import XCTest

/// The exported kernels of one element type, as the C glue sees them.
protocol KernelSet: SnakeFloat {
    static var sumSq: (Int, Int, UnsafePointer<Self>, Int, Int, UnsafeMutablePointer<Self>, Int, Int) -> Void { get }
    static var dot: (Int, Int, UnsafePointer<Self>, Int, Int, UnsafePointer<Self>, Int, Int,
                     UnsafeMutablePointer<Self>, Int, Int) -> Void { get }
    static var argmax: (Int, Int, UnsafePointer<Self>, Int, Int, UnsafeMutablePointer<Int>, Int, Int) -> Void { get }
    static var clip: (Int, UnsafePointer<Self>, Int, UnsafePointer<Self>, Int, UnsafePointer<Self>, Int,
                      UnsafeMutablePointer<Self>, Int, Int) -> Void { get }
    static var relu: (Int, UnsafePointer<Self>, Int, UnsafeMutablePointer<Self>, Int, Int) -> Void { get }
    static var variance: (Int, Int, UnsafePointer<Self>, Int, Int, UnsafeMutablePointer<Self>, Int, Int) -> Void { get }
    static var scale: (Int, UnsafePointer<Self>, Int, UnsafePointer<Self>, Int,
                       UnsafeMutablePointer<Self>, Int, Int) -> Void { get }
    static var saxpy: (Int, UnsafePointer<Self>, Int, UnsafePointer<Self>, Int, UnsafePointer<Self>, Int,
                       UnsafeMutablePointer<Self>, Int, Int) -> Void { get }
}

extension Double: KernelSet {
    static var sumSq: (Int, Int, UnsafePointer<Double>, Int, Int, UnsafeMutablePointer<Double>, Int, Int) -> Void { snake_sum_sq_f64 }
    static var dot: (Int, Int, UnsafePointer<Double>, Int, Int, UnsafePointer<Double>, Int, Int,
                     UnsafeMutablePointer<Double>, Int, Int) -> Void { snake_dot_f64 }
    static var argmax: (Int, Int, UnsafePointer<Double>, Int, Int, UnsafeMutablePointer<Int>, Int, Int) -> Void { snake_argmax_f64 }
    static var clip: (Int, UnsafePointer<Double>, Int, UnsafePointer<Double>, Int, UnsafePointer<Double>, Int,
                      UnsafeMutablePointer<Double>, Int, Int) -> Void { snake_clip_f64 }
    static var relu: (Int, UnsafePointer<Double>, Int, UnsafeMutablePointer<Double>, Int, Int) -> Void { snake_relu_f64 }
    static var variance: (Int, Int, UnsafePointer<Double>, Int, Int, UnsafeMutablePointer<Double>, Int, Int) -> Void { snake_variance_f64 }
    static var scale: (Int, UnsafePointer<Double>, Int, UnsafePointer<Double>, Int,
                       UnsafeMutablePointer<Double>, Int, Int) -> Void { snake_scale_f64 }
    static var saxpy: (Int, UnsafePointer<Double>, Int, UnsafePointer<Double>, Int, UnsafePointer<Double>, Int,
                       UnsafeMutablePointer<Double>, Int, Int) -> Void { snake_saxpy_f64 }
}

extension Float: KernelSet {
    static var sumSq: (Int, Int, UnsafePointer<Float>, Int, Int, UnsafeMutablePointer<Float>, Int, Int) -> Void { snake_sum_sq_f32 }
    static var dot: (Int, Int, UnsafePointer<Float>, Int, Int, UnsafePointer<Float>, Int, Int,
                     UnsafeMutablePointer<Float>, Int, Int) -> Void { snake_dot_f32 }
    static var argmax: (Int, Int, UnsafePointer<Float>, Int, Int, UnsafeMutablePointer<Int>, Int, Int) -> Void { snake_argmax_f32 }
    static var clip: (Int, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                      UnsafeMutablePointer<Float>, Int, Int) -> Void { snake_clip_f32 }
    static var relu: (Int, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, Int) -> Void { snake_relu_f32 }
    static var variance: (Int, Int, UnsafePointer<Float>, Int, Int, UnsafeMutablePointer<Float>, Int, Int) -> Void { snake_variance_f32 }
    static var scale: (Int, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                       UnsafeMutablePointer<Float>, Int, Int) -> Void { snake_scale_f32 }
    static var saxpy: (Int, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                       UnsafeMutablePointer<Float>, Int, Int) -> Void { snake_saxpy_f32 }
}

// MARK: - Scalar references (obviously correct, deliberately naive)

func refSumProducts<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> (sum: Double, scale: Double) {
    var s = 0.0, scale = 0.0
    for i in a.indices {
        s += Double(a[i]) * Double(b[i])
        scale += abs(Double(a[i]) * Double(b[i]))
    }
    return (s, scale)
}

func refArgmax<T: BinaryFloatingPoint>(_ x: [T]) -> Int {
    var best = 0
    for i in x.indices.dropFirst() {
        if x[best].isNaN { break }
        if x[i].isNaN || x[i] > x[best] { best = i }
    }
    return best
}

/// np.clip's loop for array bounds.
func refClip<T: BinaryFloatingPoint>(_ x: T, _ lo: T, _ hi: T) -> T {
    let t = x.isNaN ? x : (x > lo ? x : lo)
    return t.isNaN ? t : (t < hi ? t : hi)
}

/// np.clip's loop for constant bounds (both stride 0).
func refClipConstant<T: BinaryFloatingPoint>(_ x: T, _ lo: T, _ hi: T) -> T {
    if lo.isNaN { return lo }
    if hi.isNaN { return hi }
    let t = x < lo ? lo : x
    return t > hi ? hi : t
}

// MARK: - Layouts: where the n logical elements live in a buffer

struct Layout {
    let name: String
    let step: Int  // in elements; may be negative or zero
}

let layouts = [Layout(name: "unit", step: 1), Layout(name: "stride3", step: 3),
               Layout(name: "negative", step: -2), Layout(name: "zero", step: 0)]

/// Calls `body` with a pointer to logical element 0 and the byte step, after
/// scattering `values` into a buffer according to `layout`.
func withLayout<T: BinaryFloatingPoint, R>(_ values: [T], _ layout: Layout, _ body: (UnsafePointer<T>, Int) -> R) -> R {
    let n = values.count
    let span = max(1, (n - 1) * abs(layout.step) + 1)
    var buffer = [T](repeating: 0, count: span)
    let origin = layout.step < 0 ? span - 1 : 0
    for i in 0..<n { buffer[origin + i * layout.step] = values[i] }
    return buffer.withUnsafeBufferPointer { buf in
        body(buf.baseAddress! + origin, layout.step * MemoryLayout<T>.stride)
    }
}

/// Deterministic values with specials sprinkled in.
func sample<T: BinaryFloatingPoint>(_ n: Int, seed: UInt64, specials: Bool, _: T.Type) -> [T] {
    var g = SplitMix(seed)
    var out = (0..<n).map { _ in T(g.nextUnit() * 4 - 2) }
    if specials && n > 0 {
        let pool: [T] = [.nan, .infinity, -.infinity, -0.0, 0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for k in 0..<max(1, n / 7) { out[Int(g.next() % UInt64(n))] = pool[k % pool.count] }
    }
    return out
}

struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

// MARK: - Tests

final class KernelTests: XCTestCase {
    /// Lengths covering every tail of the widest SIMD loop (4 x 16 lanes).
    let lengths = Array(0...(3 * 64 + 1)) + [1000, 4099]

    func checkSums<T: KernelSet>(_: T.Type) {
        // The two-stream path starts at 1 << 20 elements.
        for n in lengths + [(1 << 20) - 1, (1 << 20) + 37] {
            for layout in layouts where !(layout.step == 0 && n > 50) {
                let a = sample(n, seed: UInt64(n), specials: false, T.self)
                let b = sample(n, seed: UInt64(n) + 99, specials: false, T.self)
                let xs = layout.step == 0 ? Array(repeating: a.first ?? 0, count: n) : a
                let expSq = refSumProducts(xs, xs), expDot = refSumProducts(xs, b)
                var got: T = -1, gotDot: T = -1
                withLayout(xs, layout) { p, s in T.sumSq(1, n, p, 0, s, &got, 0, 0) }
                withLayout(xs, layout) { p, s in
                    withLayout(b, layouts[0]) { q, t in T.dot(1, n, p, 0, s, q, 0, t, &gotDot, 0, 0) }
                }
                let tol = 4 * Double(max(n, 1)) * Double(T.ulpOfOne) * expSq.scale + Double(T.leastNormalMagnitude)
                XCTAssertLessThanOrEqual(abs(Double(got) - expSq.sum), tol, "sum_sq \(T.self) n=\(n) \(layout.name)")
                let tolDot = 4 * Double(max(n, 1)) * Double(T.ulpOfOne) * expDot.scale + Double(T.leastNormalMagnitude)
                XCTAssertLessThanOrEqual(abs(Double(gotDot) - expDot.sum), tolDot, "dot \(T.self) n=\(n) \(layout.name)")
            }
        }
    }

    /// variance against a plain two-pass formula in Float64, data offset far
    /// from zero (where E[x²] - E[x]² would fail), every layout and tail.
    func checkVariance<T: KernelSet>(_: T.Type) {
        for n in lengths + [5000, 70_001] {
            for layout in layouts where !(layout.step == 0 && n > 50) {
                var xs = sample(n, seed: UInt64(n) + 17, specials: false, T.self)
                if layout.step == 0 { xs = Array(repeating: xs.first ?? 0, count: n) }
                let offset: T = T.self == Double.self ? 1e9 : 1e3
                xs = xs.map { $0 + offset }
                var got: T = -1
                withLayout(xs, layout) { p, s in T.variance(1, n, p, 0, s, &got, 0, 0) }
                if n == 0 { XCTAssertTrue(got.isNaN); continue }
                // Textbook corrected two-pass over one whole row, with a
                // Kahan-summed mean (the kernel blocks and merges instead).
                var sum = 0.0, c = 0.0
                for v in xs { let y = Double(v) - c, t = sum + y; c = (t - sum) - y; sum = t }
                let mean = sum / Double(n)
                var sq = 0.0, dev = 0.0
                for v in xs { let d = Double(v) - mean; sq += d * d; dev += d }
                let want = (sq - dev * dev / Double(n)) / Double(n)
                let tol = 8 * Double(n) * Double(T.ulpOfOne) * (want + Double(offset) * Double(offset) * Double(T.ulpOfOne))
                XCTAssertLessThanOrEqual(abs(Double(got) - want), tol, "variance \(T.self) n=\(n) \(layout.name)")
            }
        }
    }

    func testVarianceFloat64() { checkVariance(Double.self) }
    func testVarianceFloat32() { checkVariance(Float.self) }

    /// Rows of 64 MiB and more (a and b together) load half-width vectors
    /// (Reductions/Sums.swift): just below and above that size, unit steps.
    /// Small integers: every product and partial sum is exact, so the result
    /// must be the integer sum rounded once to T (a lost or repeated element
    /// shows, in Float32 too).
    func checkSumsFromMemory<T: KernelSet>(_: T.Type) {
        for arrays in [1, 2] {
            let edge = (64 << 20) / (arrays * MemoryLayout<T>.stride)
            for n in [edge - 1, edge + 37] {
                var g = SplitMix(UInt64(n))
                let a = (0..<n).map { _ in T(Int(g.next() % 17) - 8) }
                let b = arrays == 1 ? a : (0..<n).map { _ in T(Int(g.next() % 17) - 8) }
                let want = Double(T(refSumProducts(a, b).sum))
                var got: T = -1
                if arrays == 1 {
                    T.sumSq(1, n, a, 0, MemoryLayout<T>.stride, &got, 0, 0)
                } else {
                    T.dot(1, n, a, 0, MemoryLayout<T>.stride, b, 0, MemoryLayout<T>.stride, &got, 0, 0)
                }
                XCTAssertEqual(Double(got), want, "\(arrays == 1 ? "sum_sq" : "dot") \(T.self) n=\(n)")
            }
        }
    }

    func testSumsFromMemoryFloat64() { checkSumsFromMemory(Double.self) }
    func testSumsFromMemoryFloat32() { checkSumsFromMemory(Float.self) }

    func testSumsFloat64() { checkSums(Double.self) }
    func testSumsFloat32() { checkSums(Float.self) }

    func checkSumsSpecials<T: KernelSet>(_: T.Type) {
        for n in [1, 7, 8, 17, 64, 65, 200] {
            for (value, expectNaN) in [(T.nan, true), (T.infinity, false), (-T.infinity, false)] {
                for pos in [0, n / 2, n - 1] {
                    var xs = sample(n, seed: 5, specials: false, T.self)
                    xs[pos] = value
                    var got: T = 0
                    withLayout(xs, layouts[0]) { p, s in T.sumSq(1, n, p, 0, s, &got, 0, 0) }
                    if expectNaN { XCTAssertTrue(got.isNaN) } else { XCTAssertEqual(got, .infinity) }
                }
            }
        }
    }

    func testSumsSpecialsFloat64() { checkSumsSpecials(Double.self) }
    func testSumsSpecialsFloat32() { checkSumsSpecials(Float.self) }

    func checkArgmax<T: KernelSet>(_: T.Type) {
        for n in lengths where n > 0 {
            for specials in [false, true] {
                for layout in layouts where !(layout.step == 0 && n > 50) {
                    var xs = sample(n, seed: UInt64(n) * 3, specials: specials, T.self)
                    if layout.step == 0 { xs = Array(repeating: xs[0], count: n) }
                    if n > 3 && !specials { xs[n - 2] = xs.max()!; xs[1] = xs[n - 2] }  // ties: first wins
                    var got = -1
                    withLayout(xs, layout) { p, s in T.argmax(1, n, p, 0, s, &got, 0, 0) }
                    XCTAssertEqual(got, refArgmax(xs), "argmax \(T.self) n=\(n) \(layout.name) specials=\(specials)")
                }
            }
        }
        // -0.0 and 0.0 are equal: the first wins whichever sign it has.
        for xs: [T] in [[-0.0, 0.0], [0.0, -0.0], [-1, -0.0, 0.0, -0.0]] {
            var got = -1
            withLayout(xs, layouts[0]) { p, s in T.argmax(1, xs.count, p, 0, s, &got, 0, 0) }
            XCTAssertEqual(got, refArgmax(xs))
        }
    }

    func testArgmaxFloat64() { checkArgmax(Double.self) }
    func testArgmaxFloat32() { checkArgmax(Float.self) }

    func checkClip<T: KernelSet>(_: T.Type) {
        let specials: [T] = [.nan, .infinity, -.infinity, -0.0, 0.0, 1, -1, 0.5]
        for n in lengths {
            for layout in layouts.prefix(3) {
                let xs = sample(n, seed: UInt64(n) + 7, specials: true, T.self)
                for (lo, hi) in [(T(-0.5), T(0.5)), (T(0.0), T(-0.0)), (T(1), T(-1)), (T.nan, T(1)), (T(0), T.nan)] {
                    var out = [T](repeating: 42, count: max(n, 1))
                    withLayout(xs, layout) { p, s in
                        withUnsafePointer(to: lo) { l in
                            withUnsafePointer(to: hi) { h in
                                T.clip(n, p, s, l, 0, h, 0, &out, MemoryLayout<T>.stride, 0)
                            }
                        }
                    }
                    for i in 0..<n {
                        XCTAssertEqual(out[i].bits, refClipConstant(xs[i], lo, hi).bits,
                                       "clip \(T.self) n=\(n) \(layout.name) x=\(xs[i]) lo=\(lo) hi=\(hi)")
                    }
                }
                // Array bounds: every pair of specials, elementwise.
                let los = (0..<n).map { specials[$0 % specials.count] }
                let his = (0..<n).map { specials[($0 / specials.count) % specials.count] }
                var out = [T](repeating: 42, count: max(n, 1))
                withLayout(xs, layout) { p, s in
                    T.clip(n, p, s, los, MemoryLayout<T>.stride, his, MemoryLayout<T>.stride, &out, MemoryLayout<T>.stride, 0)
                }
                for i in 0..<n {
                    XCTAssertEqual(out[i].bits, refClip(xs[i], los[i], his[i]).bits, "clip arrays n=\(n)")
                }
            }
        }
    }

    func testClipFloat64() { checkClip(Double.self) }
    func testClipFloat32() { checkClip(Float.self) }

    /// relu, scale and saxpy: every element exactly as the scalar formula
    /// (no fused multiply-add), scalar and array second operands.
    func checkArithmetic<T: KernelSet>(_: T.Type) {
        for n in lengths {
            for layout in layouts.prefix(3) {
                let xs = sample(n, seed: UInt64(n) + 3, specials: true, T.self)
                let ys = sample(n, seed: UInt64(n) + 4, specials: true, T.self)
                let unit = MemoryLayout<T>.stride
                var out = [T](repeating: 42, count: max(n, 1))
                withLayout(xs, layout) { p, s in T.relu(n, p, s, &out, unit, 0) }
                for i in 0..<n {
                    let x = xs[i], want: T = x.isNaN || x > 0 ? x : 0
                    XCTAssertEqual(out[i].bits, want.bits, "relu \(T.self) n=\(n) \(layout.name) x=\(x)")
                }
                for s: T in [2.5, -0.0] {
                    withLayout(xs, layout) { p, st in withUnsafePointer(to: s) { T.scale(n, p, st, $0, 0, &out, unit, 0) } }
                    for i in 0..<n where !(xs[i] * s).isNaN {
                        XCTAssertEqual(out[i].bits, (xs[i] * s).bits, "scale \(T.self) n=\(n) \(layout.name)")
                    }
                    withLayout(xs, layout) { p, st in
                        withUnsafePointer(to: s) { T.saxpy(n, p, st, ys, unit, $0, 0, &out, unit, 0) }
                    }
                    for i in 0..<n {
                        let want = xs[i] + s * ys[i]
                        XCTAssertTrue(want.isNaN ? out[i].isNaN : out[i].bits == want.bits, "saxpy \(T.self) n=\(n)")
                    }
                }
            }
        }
    }

    func testArithmeticFloat64() { checkArithmetic(Double.self) }
    func testArithmeticFloat32() { checkArithmetic(Float.self) }

    /// `_mt` paths (grain > 0) against single-threaded, one long row and many rows.
    func checkThreads<T: KernelSet>(_: T.Type) {
        snake_set_num_threads(4)  // more tasks than cores is fine, and exercises splitting
        defer { snake_set_num_threads(snake_available_cpus()) }
        let n = 100_003
        let xs = sample(n, seed: 11, specials: false, T.self)
        var st: T = 0, mt: T = 0, ist = 0, imt = 0
        withLayout(xs, layouts[0]) { p, s in
            T.sumSq(1, n, p, 0, s, &st, 0, 0)
            T.sumSq(1, n, p, 0, s, &mt, 0, 1000)
            T.argmax(1, n, p, 0, s, &ist, 0, 0)
            T.argmax(1, n, p, 0, s, &imt, 0, 1000)
        }
        XCTAssertLessThanOrEqual(abs(Double(st) - Double(mt)), 1e-12 * abs(Double(st)) + Double(T.ulpOfOne) * abs(Double(st)))
        XCTAssertEqual(ist, imt)
        // 10 rows of 10_000 (more rows than threads): whole rows per thread.
        let rows = 10, len = n / rows
        var outST = [T](repeating: 0, count: rows), outMT = [T](repeating: 0, count: rows)
        withLayout(xs, layouts[0]) { p, s in
            T.sumSq(rows, len, p, len * s, s, &outST, MemoryLayout<T>.stride, 0)
            T.sumSq(rows, len, p, len * s, s, &outMT, MemoryLayout<T>.stride, 1000)
        }
        XCTAssertEqual(outST, outMT)  // same per-row algorithm: identical
    }

    func testThreadsFloat64() { checkThreads(Double.self) }
    func testThreadsFloat32() { checkThreads(Float.self) }

    /// Ulps between a result and a Float64 reference rounded to T (0 when
    /// both are the same special value).
    func ulps<T: SnakeFloat>(_ got: T, _ want: Double, _: T.Type) -> Double {
        let w = T(want)
        if got == w || (got.isNaN && w.isNaN) { return 0 }
        if !got.isFinite || !w.isFinite { return .infinity }
        return abs(Double(got) - want) / Double(max(w.magnitude.ulp, T.leastNonzeroMagnitude))
    }

    /// The vector exp (softmax, gelu) against Foundation's exp, over the
    /// whole range: its fast path (|x| <= 708 / 87), the any-range path
    /// (underflow to subnormals and 0, overflow to inf, NaN), and vectors
    /// that mix both (one large lane sends all lanes down the any-range path).
    func checkExp<T: SnakeFloat>(_: T.Type, bound: Double, limit: Double, underflowBelow: Double) {
        var xs: [Double] = [0, -0.0, .infinity, -.infinity, .nan, 1, -1, limit, -limit, bound, -bound]
        var g = SplitMix(5)
        for i in 0..<20_000 { xs.append(-bound + 2 * bound * Double(i) / 20_000) }
        for _ in 0..<20_000 { xs.append((g.nextUnit() * 2 - 1) * limit) }
        for _ in 0..<2_000 { xs.append((g.nextUnit() * 2 - 1) * 1e-6) }
        var worst = (fast: 0.0, anyRange: 0.0)
        let lanes = T.V.scalarCount
        for start in stride(from: 0, to: xs.count, by: lanes) {
            for mixed in [false, true] {
                var v = T.V(repeating: 0)
                for l in 0..<lanes { v[l] = T(xs[min(start + l, xs.count - 1)]) }
                if mixed { v[lanes - 1] = T(bound) }  // forces the any-range path
                var underflow = false
                let e = T.exp(v, underflow: &underflow)
                // `underflow` reports a lane whose result is subnormal or 0
                // (and only those: lanes >= -700 / -80 never set it).
                let lows = (0..<lanes).map { Double(v[$0]) }.filter { !$0.isNaN }
                if lows.contains(where: { $0 < -underflowBelow - 1 }) { XCTAssertTrue(underflow) }
                if !lows.contains(where: { $0 < -underflowBelow + 8 }) { XCTAssertFalse(underflow) }
                for l in 0..<(mixed ? lanes - 1 : lanes) {
                    let x = Double(v[l]), want = Foundation.exp(x)
                    let u = ulps(e[l], want, T.self)
                    XCTAssertLessThanOrEqual(u, 2, "exp(\(x)) = \(e[l]), want \(want)")
                    if abs(x) <= limit && !mixed { worst.fast = max(worst.fast, u) } else { worst.anyRange = max(worst.anyRange, u) }
                }
            }
        }
        print("exp \(T.self): worst \(worst.fast) ulps on the fast path, \(worst.anyRange) on the any-range path")
    }

    // underflowBelow: -ln of the smallest normal (results below it are subnormal).
    func testExpFloat64() { checkExp(Double.self, bound: 760, limit: 708, underflowBelow: 708.4) }
    func testExpFloat32() { checkExp(Float.self, bound: 110, limit: 87, underflowBelow: 87.3) }
}
