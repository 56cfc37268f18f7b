// swift-tools-version:6.0
// snake: Swift SIMD kernels served to Python as NumPy ufuncs.
//
// Targets:
//   SnakeABI      header-only C target: the kernel table (kernels.def) and the
//                 C prototypes of every exported Swift kernel, derived from it.
//   SnakeKernels  the Swift kernels, grouped by family, plus the thread pool.
//   _snake        the C glue: adapts NumPy's loop signature and registers ufuncs.
//
// Python and NumPy include paths are not in this file: the build (setup.py,
// ci/test.sh) passes them with -Xcc -I<dir>. CPU flags are passed the same way.
import PackageDescription

let package = Package(
    name: "snake",
    // The thread pool uses Synchronization.Atomic (macOS 15 on Apple).
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "_snake", type: .dynamic, targets: ["_snake"]),
    ],
    targets: [
        .target(name: "SnakeABI"),
        .target(name: "SnakeKernels", dependencies: ["SnakeABI"]),
        .target(
            name: "_snake",
            dependencies: ["SnakeKernels", "SnakeABI"],
            cSettings: [.unsafeFlags(["-fvisibility=hidden"])]
        ),
        .testTarget(name: "SnakeKernelsTests", dependencies: ["SnakeKernels"]),
    ],
    // Swift 5 mode: the pool shares a non-Sendable closure with its workers
    // by design (see Pool.swift); Swift 6 mode would reject that.
    swiftLanguageModes: [.v5]
)
