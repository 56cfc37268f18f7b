// snake-bench: the kernels timed without Python, for profiling (perf record,
// valgrind --tool=callgrind) and for comparing SIMD tiers on one machine.
//
//   swift run -c release snake-bench                    # every kernel, f64 and f32, n = 1e5, each tier this CPU runs
//   swift run -c release snake-bench relu gelu -n 10000000 --dtype f32 --tier avx2 --mt --repeat 20
//
// Kernels come from the kernel index (the kernel table crossed with dtypes
// and tiers, Sources/SnakeKernelIndex), so every kernel and tier is here
// without a list to keep up to date. Operands that are scalars in Python
// (clip's bounds, scale's factor, saxpy's a) get stride 0, as NumPy passes
// them; arrays are 64-byte aligned, or start `--offset BYTES` past a line
// (NumPy's large arrays sit at 16: glibc's mmap'd chunks). GB/s counts each
// array read once and the output written once. `--mt` runs the `_mt` twin
// with the table's grain. `--probe` first times filling an int64 array of n
// elements with ordinary stores, on one thread and split over the pool's
// threads: the floor under the uint8 running sums, which write their int64
// output that way (bench/README.md).

import Foundation
import SnakeABI
import SnakeKernelIndex
import SnakeRuntime

struct Options {
    var kernels: Set<String> = []
    var dtypes: Set<String> = ["f64", "f32"]
    var tiers: Set<String> = []
    var n = 100_000
    var repeats = 7
    var mt = false
    var threads = 0
    var offset = 0
    var probe = false
}

func usage() -> Never {
    print("usage: snake-bench [KERNEL...] [-n N] [--dtype f64|f32|i64|i32|u8]... [--tier NAME]... [--repeat R] [--mt] [--threads T] [--offset BYTES] [--probe]")
    exit(2)
}

func parse(_ args: [String]) -> Options {
    var o = Options()
    var dtypes: Set<String> = []
    var i = 0
    func value() -> String {
        i += 1
        guard i < args.count else { usage() }
        return args[i]
    }
    while i < args.count {
        switch args[i] {
        case "-n": o.n = Int(Double(value()) ?? -1)
        case "--dtype": dtypes.insert(value())
        case "--tier": o.tiers.insert(value())
        case "--repeat": o.repeats = Int(value()) ?? -1
        case "--mt": o.mt = true
        case "--threads": o.threads = Int(value()) ?? -1
        case "--offset": o.offset = Int(value()) ?? -1
        case "--probe": o.probe = true
        case "-h", "--help": usage()
        case let name where !name.hasPrefix("-"): o.kernels.insert(name)
        default: usage()
        }
        i += 1
    }
    if !dtypes.isEmpty { o.dtypes = dtypes }
    guard o.n >= 1, o.repeats >= 1, o.threads >= 0, (0..<64).contains(o.offset) else { usage() }
    return o
}

/// Operands that are scalars in the Python API, by position.
let scalarOperands: [String: Set<Int>] = ["clip": [1, 2], "scale": [1], "saxpy": [2]]

/// Three input arrays, an output and the small operands, for one dtype.
struct Buffers {
    let n: Int, item: Int
    let inputs: [UnsafeMutableRawPointer]
    let out: UnsafeMutableRawPointer
    let window = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    let lo = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    let hi = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    static let bins = 100

    init(n: Int, code: String, item: Int, offset: Int) {
        func aligned(_ bytes: Int) -> UnsafeMutableRawPointer {
            UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 64) + offset, alignment: 64) + offset
        }
        self.n = n
        self.item = item
        inputs = (0..<3).map { _ in aligned(n * item) }
        out = aligned(max(n, Buffers.bins) * 8)
        for (k, p) in inputs.enumerated() {
            for i in 0..<n {
                let v = sin(Double(i &* 7 &+ k)) * 2  // in [-2, 2]: NaN- and overflow-free
                switch code {
                case "f64": p.storeBytes(of: v, toByteOffset: i * 8, as: Double.self)
                case "f32": p.storeBytes(of: Float(v), toByteOffset: i * 4, as: Float.self)
                case "i64": p.storeBytes(of: Int64(v * 50), toByteOffset: i * 8, as: Int64.self)
                case "i32": p.storeBytes(of: Int32(v * 50), toByteOffset: i * 4, as: Int32.self)
                default: p.storeBytes(of: UInt8(v * 50 + 128), toByteOffset: i, as: UInt8.self)
                }
            }
        }
        window.pointee = 100
        lo.pointee = -2
        hi.pointee = 2
    }
}

typealias Raw = UnsafeRawPointer
typealias MutRaw = UnsafeMutableRawPointer
typealias ReduceFn = @convention(c) (Int, Int, Raw, Int, Int, MutRaw, Int, Int) -> Void
typealias Reduce2Fn = @convention(c) (Int, Int, Raw, Int, Int, Raw, Int, Int, MutRaw, Int, Int) -> Void
typealias VecFn = @convention(c) (Int, Int, Raw, Int, Int, MutRaw, Int, Int, Int) -> Void
typealias Map1Fn = @convention(c) (Int, Raw, Int, MutRaw, Int, Int) -> Void
typealias Map2Fn = @convention(c) (Int, Raw, Int, Raw, Int, MutRaw, Int, Int) -> Void
typealias Map3Fn = @convention(c) (Int, Raw, Int, Raw, Int, Raw, Int, MutRaw, Int, Int) -> Void
typealias WindowFn = @convention(c) (Int, Int, Raw, Int, Int, Raw, Int, MutRaw, Int, Int, Int) -> Void
typealias HistFn = @convention(c) (Int, Int, Int, Raw, Int, Int, Raw, Int, Raw, Int, MutRaw, Int, Int, Int) -> Void

/// One call of `entry` over `b` (one row of n elements), and the bytes it
/// must move.
func call(_ e: snake_kernel_entry, _ b: Buffers, grain: Int) -> (run: () -> Void, bytes: Int) {
    let name = String(cString: e.name), kind = String(cString: e.kind)
    let item = Int(e.item_size), result = Int(e.result_size), n = b.n
    let scalars = scalarOperands[name] ?? []
    let step = { (k: Int) in scalars.contains(k) ? 0 : item }
    let x = Raw(b.inputs[0]), y = Raw(b.inputs[1]), z = Raw(b.inputs[2]), out = b.out
    func reads(_ operands: Int) -> Int { (0..<operands).filter { !scalars.contains($0) }.count * n * item }
    let fn = e.fn
    switch kind {
    case "REDUCE", "INDEX":  // INDEX writes an intp: the same call shape
        let f = unsafeBitCast(fn, to: ReduceFn.self)
        return ({ f(1, n, x, 0, item, out, 0, grain) }, reads(1))
    case "REDUCE2":
        let f = unsafeBitCast(fn, to: Reduce2Fn.self)
        return ({ f(1, n, x, 0, item, y, 0, item, out, 0, grain) }, reads(2))
    case "VEC":
        let f = unsafeBitCast(fn, to: VecFn.self)
        return ({ f(1, n, x, 0, item, out, 0, result, grain) }, reads(1) + n * result)
    case "MAP1":
        let f = unsafeBitCast(fn, to: Map1Fn.self)
        return ({ f(n, x, step(0), out, item, grain) }, reads(1) + n * item)
    case "MAP2":
        let f = unsafeBitCast(fn, to: Map2Fn.self)
        return ({ f(n, x, step(0), y, step(1), out, item, grain) }, reads(2) + n * item)
    case "MAP3":
        let f = unsafeBitCast(fn, to: Map3Fn.self)
        return ({ f(n, x, step(0), y, step(1), z, step(2), out, item, grain) }, reads(3) + n * item)
    case "WINDOW":
        let f = unsafeBitCast(fn, to: WindowFn.self), w = Raw(b.window)
        return ({ f(1, n, x, 0, item, w, 0, out, 0, result, grain) }, reads(1) + n * result)
    case "HIST":
        let f = unsafeBitCast(fn, to: HistFn.self), lo = Raw(b.lo), hi = Raw(b.hi)
        return ({ f(1, n, Buffers.bins, x, 0, item, lo, 0, hi, 0, out, 0, 8, grain) }, reads(1))
    default:
        fatalError("snake-bench: no call shape for kind \(kind)")
    }
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Seconds per call: best of `repeat` batches of at least 20 ms each.
func bestTime(_ run: () -> Void, repeats: Int) -> Double {
    run()
    var number = 1
    while true {
        let t0 = now()
        for _ in 0..<number { run() }
        if now() - t0 >= 0.02 { break }
        number *= 2
    }
    var best = Double.infinity
    for _ in 0..<repeats {
        let t0 = now()
        for _ in 0..<number { run() }
        best = min(best, (now() - t0) / Double(number))
    }
    return best
}

func format(_ seconds: Double) -> String {
    seconds >= 1e-3 ? String(format: "%.2f ms", seconds * 1e3)
        : seconds >= 1e-6 ? String(format: "%.2f µs", seconds * 1e6) : String(format: "%.1f ns", seconds * 1e9)
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}

let options = parse(Array(CommandLine.arguments.dropFirst()))
if options.threads > 0 { snake_set_num_threads(options.threads) }
let level = Int(snake_cpu_level())
let entries = (0..<Int(snake_kernel_index_count)).map { snake_kernel_at(Int32($0)).pointee }
let known = Set(entries.map { String(cString: $0.name) })
for k in options.kernels where !known.contains(k) {
    print("snake-bench: unknown kernel \(k); the table has \(known.sorted().joined(separator: ", "))")
    exit(2)
}
if options.probe { probeFill(options) }
var buffers: [String: Buffers] = [:]
print("n = \(options.n), \(options.mt ? "_mt, \(snake_get_num_threads()) threads" : "single-threaded"), best of \(options.repeats); CPU tier level \(level)")
print(pad("tier", 9) + pad("kernel", 13) + pad("dtype", 6) + pad("per call", 13) + pad("ns/element", 12) + pad("GB/s", 9))
for e in entries {
    let name = String(cString: e.name), code = String(cString: e.code), tier = String(cString: e.tier)
    guard Int(e.tier_level) <= level,
          options.kernels.isEmpty || options.kernels.contains(name),
          options.dtypes.contains(code),
          options.tiers.isEmpty || options.tiers.contains(tier) else { continue }
    let b = buffers[code] ?? Buffers(n: options.n, code: code, item: Int(e.item_size), offset: options.offset)
    buffers[code] = b
    let grain = options.mt ? snake_kernel_mt_grain(e.name) : 0
    let (run, bytes) = call(e, b, grain: grain)
    let t = bestTime(run, repeats: options.repeats)
    let perElement = t / Double(options.n) * 1e9
    print(pad(tier, 9) + pad(name, 13) + pad(code, 6) + pad(format(t), 13)
          + pad(String(format: "%.3f", perElement), 12) + pad(String(format: "%.1f", Double(bytes) / t / 1e9), 9))
}

/// `--probe`: an int64 array of n elements filled through the caches
/// (ordinary stores), as one task and then split evenly over the pool's
/// threads (the split `_mt` kernels use for a long row).
func probeFill(_ o: Options) {
    let n = o.n
    let raw = UnsafeMutableRawPointer.allocate(byteCount: 8 * n + 64, alignment: 64) + o.offset
    let out = raw.bindMemory(to: Int64.self, capacity: n)
    let fill = { (start: Int, count: Int) in
        let v = Int64(start & 1) &+ 1  // not a constant the compiler could turn into memset
        for i in start..<(start + count) { out[i] = v }
    }
    var line = "fill int64, n = \(n), best of \(o.repeats):"
    let caller = pthread_self()
    for tasks in Set([1, snake_get_num_threads()]).sorted() {
        // The pool lets the caller run a task a late worker has not claimed:
        // count the calls whose last task ran on another thread.
        var calls = 0, elsewhere = 0
        let t = bestTime({
            calls += 1
            parallelFor(tasks) { k in
                let (s, c) = split(n, tasks, k)
                fill(s, c)
                if k == tasks - 1 && pthread_equal(pthread_self(), caller) == 0 { elsewhere += 1 }
            }
        }, repeats: o.repeats)
        line += "  \(tasks) thread\(tasks > 1 ? "s" : ""): " + format(t) + String(format: " (%.1f GB/s)", Double(8 * n) / t / 1e9)
        if tasks > 1 { line += " (last task on a worker in \(elsewhere) of \(calls) calls)" }
    }
    print(line)
}
