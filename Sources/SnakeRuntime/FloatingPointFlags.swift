// The floating-point exception flags NumPy reads after every loop and turns
// into RuntimeWarnings. Kernels clear a flag they raised spuriously, raise
// one a result calls for, and the pool hands workers' flags to the caller,
// all through these helpers (the only place that needs the C fenv API).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public let fpInvalid: Int32 = FE_INVALID
public let fpOverflow: Int32 = FE_OVERFLOW
public let fpUnderflow: Int32 = FE_UNDERFLOW
/// The flags NumPy reports (it ignores "inexact").
public let fpNumPyFlags: Int32 = FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW

/// Clears `flags` where any is raised. Reading them is cheap (fnstsw and
/// stmxcsr); glibc's clear stores and reloads the whole x87 environment
/// (about 60 ns), which relu, clip, gelu and variance would otherwise pay on
/// every call to drop a flag that is raised only for NaN input.
@inlinable public func clearFPFlags(_ flags: Int32) {
    if fetestexcept(flags) != 0 { feclearexcept(flags) }
}
@inlinable public func raiseFPFlags(_ flags: Int32) { feraiseexcept(flags) }
@inlinable public func testFPFlags(_ flags: Int32) -> Int32 { fetestexcept(flags) }
