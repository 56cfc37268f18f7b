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

@inlinable public func clearFPFlags(_ flags: Int32) { feclearexcept(flags) }
@inlinable public func raiseFPFlags(_ flags: Int32) { feraiseexcept(flags) }
@inlinable public func testFPFlags(_ flags: Int32) -> Int32 { fetestexcept(flags) }
