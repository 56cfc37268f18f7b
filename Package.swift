// swift-tools-version:6.0
// snake: Swift SIMD kernels served to Python as NumPy ufuncs.
//
// Targets:
//   SnakeABI       header-only C target: the kernel table (kernels.def) and
//                  the C prototypes of every exported Swift kernel.
//   SnakeRuntime   what exists once per process: the thread pool and the
//                  thread count.
//   SnakeKernels   the Swift kernels, grouped by family, compiled for the
//                  baseline CPU. On x86-64 the same sources are compiled twice
//                  more, SnakeKernelsAVX2 (x86-64-v3) and SnakeKernelsAVX512
//                  (x86-64-v4), whose folders are symlinks to SnakeKernels;
//                  each tier's symbols carry its name (see snake_abi.h).
//   _snake         the C glue: adapts NumPy's loop signature, detects the CPU
//                  at import and registers the ufuncs with the best tier.
//
// Python and NumPy include paths are not in this file: the build
// (tools/swiftbuild.py) passes them with -Xcc -I<dir>.
import PackageDescription

struct Tier {
    let target: String
    let name: String        // SNAKE_SIMD value and symbol suffix
    let swiftFlags: [String]
}

// FMA only where the tier has it: without hardware FMA, Swift's
// addProduct becomes a libm call per element (../shared/field-notes.md).
#if arch(x86_64) && !os(Windows)
let tiers = [
    Tier(target: "SnakeKernels", name: "baseline", swiftFlags: ["-Xcc", "-march=x86-64"]),
    Tier(target: "SnakeKernelsAVX2", name: "avx2",
         swiftFlags: ["-Xcc", "-march=x86-64-v3", "-DSNAKE_FMA"]),
    // swift-frontend 6.3.1 can crash vectorising runtime-stride loops for
    // AVX-512 (field notes); this LLVM option avoids it. SNAKE_AVX512: a
    // T.V is one register and there are 32, so loops may keep more
    // accumulators (Variance.swift).
    Tier(target: "SnakeKernelsAVX512", name: "avx512",
         swiftFlags: ["-Xcc", "-march=x86-64-v4", "-DSNAKE_FMA", "-DSNAKE_AVX512",
                      "-Xllvm", "-enable-mem-access-versioning=false"]),
]
let glueDefines: [CSetting] = [.define("SNAKE_X86_TIERS")]
#elseif arch(arm64)
// NEON and FMA are part of the aarch64 baseline.
let tiers = [Tier(target: "SnakeKernels", name: "baseline", swiftFlags: ["-DSNAKE_FMA"])]
let glueDefines: [CSetting] = []
#else
// Other targets (and Windows, whose checkouts may not have symlinks): one
// portable tier.
let tiers = [Tier(target: "SnakeKernels", name: "baseline", swiftFlags: [])]
let glueDefines: [CSetting] = []
#endif

// For snake.show_config(): each tier and its flags.
let tierFlags = tiers.map { "\($0.name): \($0.swiftFlags.filter { $0 != "-Xcc" }.joined(separator: " "))" }
    .joined(separator: "; ")

func tierSettings(_ tier: Tier) -> [SwiftSetting] {
    [.unsafeFlags(["-Xcc", "-DSNAKE_TIER=\(tier.name)"] + tier.swiftFlags)]
}

let package = Package(
    name: "snake",
    // The thread pool uses Synchronization.Atomic (macOS 15 on Apple).
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "_snake", type: .dynamic, targets: ["_snake"]),
    ],
    targets: [
        .target(name: "SnakeABI"),
        .target(name: "SnakeRuntime", dependencies: ["SnakeABI"]),
    ] + tiers.map { tier in
        .target(name: tier.target, dependencies: ["SnakeABI", "SnakeRuntime"],
                swiftSettings: tierSettings(tier))
    } + [
        .target(
            name: "_snake",
            dependencies: ["SnakeABI", "SnakeRuntime"] + tiers.map { .target(name: $0.target) },
            cSettings: glueDefines + [.define("SNAKE_TIER_FLAGS", to: "\"\(tierFlags)\""),
                                      .unsafeFlags(["-fvisibility=hidden"])]
        ),
        // Every kernel of every tier by name, and a benchmark that calls them
        // without Python: `swift run -c release snake-bench --help`.
        .target(name: "SnakeKernelIndex",
                dependencies: ["SnakeABI"] + tiers.map { .target(name: $0.target) },
                cSettings: glueDefines),
        .executableTarget(name: "snake-bench", dependencies: ["SnakeKernelIndex", "SnakeABI", "SnakeRuntime"]),
        // The kernel tests run against the baseline tier.
        .testTarget(name: "SnakeKernelsTests", dependencies: ["SnakeKernels", "SnakeRuntime"],
                    swiftSettings: tierSettings(tiers[0])),
    ],
    // Swift 5 mode: the pool shares a non-Sendable closure with its workers
    // by design (see Pool.swift); Swift 6 mode would reject that.
    swiftLanguageModes: [.v5]
)
