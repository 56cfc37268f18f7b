// The C entry points of the integer loops (snake_abi.h prototypes for the
// NUM / NUM_WIDE dtype sets), one per kernel x integer dtype; the kernels
// are in IntegerKernels.swift.

import SnakeABI

// MARK: - relu

@c @implementation
public func snake_relu_u8(
    _ n: Int, _ x: UnsafePointer<UInt8>, _ xs: Int, _ out: UnsafeMutablePointer<UInt8>, _ os: Int, _ grain: Int
) { mapIntegerChunks(ReluInt<UInt8>.self, n, grain, x, xs, x, 0, x, 0, out, os) }

@c @implementation
public func snake_relu_i32(
    _ n: Int, _ x: UnsafePointer<Int32>, _ xs: Int, _ out: UnsafeMutablePointer<Int32>, _ os: Int, _ grain: Int
) { mapIntegerChunks(ReluInt<Int32>.self, n, grain, x, xs, x, 0, x, 0, out, os) }

@c @implementation
public func snake_relu_i64(
    _ n: Int, _ x: UnsafePointer<Int64>, _ xs: Int, _ out: UnsafeMutablePointer<Int64>, _ os: Int, _ grain: Int
) { mapIntegerChunks(ReluInt<Int64>.self, n, grain, x, xs, x, 0, x, 0, out, os) }

// MARK: - clip

@c @implementation
public func snake_clip_u8(
    _ n: Int, _ x: UnsafePointer<UInt8>, _ xs: Int, _ lo: UnsafePointer<UInt8>, _ ls: Int,
    _ hi: UnsafePointer<UInt8>, _ hs: Int, _ out: UnsafeMutablePointer<UInt8>, _ os: Int, _ grain: Int
) { mapIntegerChunks(ClipInt<UInt8>.self, n, grain, x, xs, lo, ls, hi, hs, out, os) }

@c @implementation
public func snake_clip_i32(
    _ n: Int, _ x: UnsafePointer<Int32>, _ xs: Int, _ lo: UnsafePointer<Int32>, _ ls: Int,
    _ hi: UnsafePointer<Int32>, _ hs: Int, _ out: UnsafeMutablePointer<Int32>, _ os: Int, _ grain: Int
) { mapIntegerChunks(ClipInt<Int32>.self, n, grain, x, xs, lo, ls, hi, hs, out, os) }

@c @implementation
public func snake_clip_i64(
    _ n: Int, _ x: UnsafePointer<Int64>, _ xs: Int, _ lo: UnsafePointer<Int64>, _ ls: Int,
    _ hi: UnsafePointer<Int64>, _ hs: Int, _ out: UnsafeMutablePointer<Int64>, _ os: Int, _ grain: Int
) { mapIntegerChunks(ClipInt<Int64>.self, n, grain, x, xs, lo, ls, hi, hs, out, os) }

// MARK: - scale

@c @implementation
public func snake_scale_u8(
    _ n: Int, _ x: UnsafePointer<UInt8>, _ xs: Int, _ s: UnsafePointer<UInt8>, _ ss: Int,
    _ out: UnsafeMutablePointer<UInt8>, _ os: Int, _ grain: Int
) { mapIntegerChunks(ScaleInt<UInt8>.self, n, grain, x, xs, s, ss, s, 0, out, os) }

@c @implementation
public func snake_scale_i32(
    _ n: Int, _ x: UnsafePointer<Int32>, _ xs: Int, _ s: UnsafePointer<Int32>, _ ss: Int,
    _ out: UnsafeMutablePointer<Int32>, _ os: Int, _ grain: Int
) { mapIntegerChunks(ScaleInt<Int32>.self, n, grain, x, xs, s, ss, s, 0, out, os) }

@c @implementation
public func snake_scale_i64(
    _ n: Int, _ x: UnsafePointer<Int64>, _ xs: Int, _ s: UnsafePointer<Int64>, _ ss: Int,
    _ out: UnsafeMutablePointer<Int64>, _ os: Int, _ grain: Int
) { mapIntegerChunks(ScaleInt<Int64>.self, n, grain, x, xs, s, ss, s, 0, out, os) }

// MARK: - saxpy

@c @implementation
public func snake_saxpy_u8(
    _ n: Int, _ a: UnsafePointer<UInt8>, _ as: Int, _ b: UnsafePointer<UInt8>, _ bs: Int,
    _ s: UnsafePointer<UInt8>, _ ss: Int, _ out: UnsafeMutablePointer<UInt8>, _ os: Int, _ grain: Int
) { mapIntegerChunks(SaxpyInt<UInt8>.self, n, grain, a, `as`, b, bs, s, ss, out, os) }

@c @implementation
public func snake_saxpy_i32(
    _ n: Int, _ a: UnsafePointer<Int32>, _ as: Int, _ b: UnsafePointer<Int32>, _ bs: Int,
    _ s: UnsafePointer<Int32>, _ ss: Int, _ out: UnsafeMutablePointer<Int32>, _ os: Int, _ grain: Int
) { mapIntegerChunks(SaxpyInt<Int32>.self, n, grain, a, `as`, b, bs, s, ss, out, os) }

@c @implementation
public func snake_saxpy_i64(
    _ n: Int, _ a: UnsafePointer<Int64>, _ as: Int, _ b: UnsafePointer<Int64>, _ bs: Int,
    _ s: UnsafePointer<Int64>, _ ss: Int, _ out: UnsafeMutablePointer<Int64>, _ os: Int, _ grain: Int
) { mapIntegerChunks(SaxpyInt<Int64>.self, n, grain, a, `as`, b, bs, s, ss, out, os) }

// MARK: - sum_sq

@c @implementation
public func snake_sum_sq_u8(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<UInt8>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ grain: Int
) { sumSqInt(rows, n, x, xRow, xs, out, outRow, grain) }

@c @implementation
public func snake_sum_sq_i32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Int32>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ grain: Int
) { sumSqInt(rows, n, x, xRow, xs, out, outRow, grain) }

@c @implementation
public func snake_sum_sq_i64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Int64>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ grain: Int
) { sumSqInt(rows, n, x, xRow, xs, out, outRow, grain) }

// MARK: - dot

@c @implementation
public func snake_dot_u8(
    _ rows: Int, _ n: Int, _ a: UnsafePointer<UInt8>, _ aRow: Int, _ as: Int,
    _ b: UnsafePointer<UInt8>, _ bRow: Int, _ bs: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ grain: Int
) { dotInt(rows, n, a, aRow, `as`, b, bRow, bs, out, outRow, grain) }

@c @implementation
public func snake_dot_i32(
    _ rows: Int, _ n: Int, _ a: UnsafePointer<Int32>, _ aRow: Int, _ as: Int,
    _ b: UnsafePointer<Int32>, _ bRow: Int, _ bs: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ grain: Int
) { dotInt(rows, n, a, aRow, `as`, b, bRow, bs, out, outRow, grain) }

@c @implementation
public func snake_dot_i64(
    _ rows: Int, _ n: Int, _ a: UnsafePointer<Int64>, _ aRow: Int, _ as: Int,
    _ b: UnsafePointer<Int64>, _ bRow: Int, _ bs: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ grain: Int
) { dotInt(rows, n, a, aRow, `as`, b, bRow, bs, out, outRow, grain) }

// MARK: - argmax

@c @implementation
public func snake_argmax_u8(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<UInt8>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Int>, _ outRow: Int, _ grain: Int
) { argmaxIntRows(rows, n, x, xRow, xs, out, outRow, grain) }

@c @implementation
public func snake_argmax_i32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Int32>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Int>, _ outRow: Int, _ grain: Int
) { argmaxIntRows(rows, n, x, xRow, xs, out, outRow, grain) }

@c @implementation
public func snake_argmax_i64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Int64>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Int>, _ outRow: Int, _ grain: Int
) { argmaxIntRows(rows, n, x, xRow, xs, out, outRow, grain) }

// MARK: - cumsum

@c @implementation
public func snake_cumsum_u8(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<UInt8>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) { cumsumInt(rows, n, x, xRow, xs, out, outRow, os, grain) }

@c @implementation
public func snake_cumsum_i32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Int32>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) { cumsumInt(rows, n, x, xRow, xs, out, outRow, os, grain) }

@c @implementation
public func snake_cumsum_i64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Int64>, _ xRow: Int, _ xs: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) { cumsumInt(rows, n, x, xRow, xs, out, outRow, os, grain) }

// MARK: - rolling_sum

@c @implementation
public func snake_rolling_sum_u8(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<UInt8>, _ xRow: Int, _ xs: Int,
    _ w: UnsafePointer<Int>, _ wRow: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) { rollingSumInt(rows, n, x, xRow, xs, w, wRow, out, outRow, os, grain) }

@c @implementation
public func snake_rolling_sum_i32(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Int32>, _ xRow: Int, _ xs: Int,
    _ w: UnsafePointer<Int>, _ wRow: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) { rollingSumInt(rows, n, x, xRow, xs, w, wRow, out, outRow, os, grain) }

@c @implementation
public func snake_rolling_sum_i64(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Int64>, _ xRow: Int, _ xs: Int,
    _ w: UnsafePointer<Int>, _ wRow: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) { rollingSumInt(rows, n, x, xRow, xs, w, wRow, out, outRow, os, grain) }

// MARK: - histogram

@c @implementation
public func snake_histogram_u8(
    _ rows: Int, _ n: Int, _ m: Int, _ x: UnsafePointer<UInt8>, _ xRow: Int, _ xs: Int,
    _ lo: UnsafePointer<Double>, _ loRow: Int, _ hi: UnsafePointer<Double>, _ hiRow: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) { histogram(rows, n, m, x, xRow, xs, lo, loRow, hi, hiRow, out, outRow, os, grain) }

@c @implementation
public func snake_histogram_i32(
    _ rows: Int, _ n: Int, _ m: Int, _ x: UnsafePointer<Int32>, _ xRow: Int, _ xs: Int,
    _ lo: UnsafePointer<Double>, _ loRow: Int, _ hi: UnsafePointer<Double>, _ hiRow: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) { histogram(rows, n, m, x, xRow, xs, lo, loRow, hi, hiRow, out, outRow, os, grain) }

@c @implementation
public func snake_histogram_i64(
    _ rows: Int, _ n: Int, _ m: Int, _ x: UnsafePointer<Int64>, _ xRow: Int, _ xs: Int,
    _ lo: UnsafePointer<Double>, _ loRow: Int, _ hi: UnsafePointer<Double>, _ hiRow: Int,
    _ out: UnsafeMutablePointer<Int64>, _ outRow: Int, _ os: Int, _ grain: Int
) { histogram(rows, n, m, x, xRow, xs, lo, loRow, hi, hiRow, out, outRow, os, grain) }
