"""Adversarial input arrays: lengths, memory layouts and values.

Lengths 0..3*16+1 walk every SIMD boundary (8 float64 lanes, 16 float32
lanes, 4x unrolled bodies and their scalar tails; uint8, with 64 lanes, also
gets the lengths around 64, 128, ..., 512); a few large sizes cover
blocked accumulation and odd remainders. Layouts cover every stride NumPy
can hand a loop (contiguous, strided, negative, zero) plus inputs NumPy must
copy first (unaligned, byte-swapped). Values mix in NaN, ±inf, -0.0,
subnormals and extreme magnitudes.

Tests always compute references from the array they pass in (not from the
values it was built from), so a layout may change values (broadcast_to
repeats one element) without breaking the comparison.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

SMALL_LENGTHS = list(range(0, 3 * 16 + 2))
LARGE_LENGTHS = [1000, 4099, 100_003]


# ---- values -----------------------------------------------------------------


def finite_specials(dtype, for_sums: bool) -> np.ndarray:
    """Zeros of both signs, subnormals, tiny and huge normals, ±1.

    For sums the huge value is sqrt(max)/1e3, so that squares and products
    (and sums of 1e5 of them) stay finite in `dtype`: a product overflowing
    while the exact sum is finite is a range problem, not a rounding one.
    """
    fi = np.finfo(dtype)
    huge = np.sqrt(fi.max) / 1e3 if for_sums else fi.max
    vals = [0.0, -0.0, fi.smallest_subnormal, -fi.smallest_subnormal,
            fi.smallest_normal, -fi.smallest_normal, huge, -huge, 1.0, -1.0, fi.eps]
    return np.array(vals, dtype=dtype)


NONFINITE = [np.nan, -np.nan, np.inf, -np.inf]


def integer_specials(dtype) -> np.ndarray:
    """The extremes of an integer type and the values next to 0."""
    info = np.iinfo(dtype)
    vals = {info.min, info.min + 1, info.max, info.max - 1, 0, 1, 2}
    if info.min < 0:
        vals |= {-1, -2}
    return np.array(sorted(vals), dtype=dtype)


def make_integers(n: int, dtype, flavor: str, rng: np.random.Generator) -> np.ndarray:
    """Integer flavors: small values, ties, ~30% extremes, or the full range
    (the "nonfinite" slot: where float data gets NaN/inf, integer data gets
    values whose sums and products wrap)."""
    info = np.iinfo(dtype)
    if flavor == "normal":
        return rng.integers(max(info.min, -100), min(info.max, 100), n, endpoint=True).astype(dtype)
    if flavor == "ties":
        return rng.choice(integer_specials(dtype)[:3], n).astype(dtype)
    if flavor == "extremes":
        v = rng.integers(max(info.min, -100), min(info.max, 100), n, endpoint=True).astype(dtype)
        mask = rng.random(n) < 0.3
        v[mask] = rng.choice(integer_specials(dtype), mask.sum())
        return v
    if flavor == "nonfinite":
        return rng.integers(info.min, info.max, n, endpoint=True, dtype=dtype)
    raise ValueError(flavor)


def make_values(n: int, dtype, flavor: str, rng: np.random.Generator, for_sums=False) -> np.ndarray:
    """A fresh contiguous 1-D array of `n` values of one flavor."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        return make_integers(n, dtype, flavor, rng)
    if flavor == "normal":
        return (rng.standard_normal(n) * 10).astype(dtype)
    if flavor == "ties":  # few distinct values: equal maxima, -0.0 vs 0.0, lo == x
        return rng.choice(np.array([-1.0, -0.0, 0.0, 1.0, 2.0], dtype=dtype), n)
    if flavor == "extremes":  # ~30% finite specials at random positions
        v = (rng.standard_normal(n) * 10).astype(dtype)
        mask = rng.random(n) < 0.3
        v[mask] = rng.choice(finite_specials(dtype, for_sums), mask.sum())
        return v
    if flavor == "nonfinite":  # one or two NaN/inf, often in the SIMD tail
        v = (rng.standard_normal(n) * 10).astype(dtype)
        if n:
            spots = {int(rng.integers(n)), n - 1 - int(rng.integers(min(n, 3)))}
            for i in list(spots)[: int(rng.integers(1, 3))]:
                v[i] = rng.choice(np.array(NONFINITE, dtype=dtype))
        return v
    raise ValueError(flavor)


FLAVORS = ["normal", "ties", "extremes", "nonfinite"]


# ---- layouts: 1-D values -> array whose last axis holds them -------------------


def _strided(step: int) -> Callable:
    def lay(v):
        buf = np.full(len(v) * step, 77 if v.dtype.kind in "iu" else 777, dtype=v.dtype)  # junk between elements
        buf[::step] = v
        return buf[::step]
    return lay


def _reversed(v):
    return v[::-1].copy()[::-1]


def _broadcast(v):  # zero stride: one value repeated
    return np.broadcast_to(v[:1], v.shape) if len(v) else v


def _unaligned(v):  # data pointer at odd address: NumPy must copy
    raw = np.zeros(v.nbytes + 1, dtype=np.uint8)
    out = raw[1:].view(v.dtype)
    out[...] = v
    assert not out.flags.aligned or v.nbytes == 0 or v.itemsize == 1  # 1 byte: always aligned
    return out


def _byteswapped(v):
    return v.astype(v.dtype.newbyteorder("S"))  # "S": swap to non-native


def _rows(v):  # three rows with the same length (and same multiset of values)
    return np.stack([v, v[::-1], np.roll(v, 1)])


def _fortran(v):  # 2-D, core axis has stride = rows * itemsize
    return np.asfortranarray(_rows(v))


def _columns(v):  # 2-D, 19 rows adjacent in memory (row stride = itemsize):
    # the kernels' column path, two groups of 8 and a last group that
    # overlaps the second (Support/Drivers.swift, "Columns")
    r = np.stack([np.roll(v if k % 2 else v[::-1], k) for k in range(19)])
    return np.asfortranarray(r)


def _slice_2d(v):  # 2-D view with both strides non-unit and an offset
    r = _rows(v)
    big = np.zeros((2 * r.shape[0], 2 * r.shape[1] + 1), dtype=v.dtype)
    big[::2, 1::2] = r
    return big[::2, 1::2]


LAYOUTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "contiguous": np.ascontiguousarray,
    "stride2": _strided(2),
    "stride3": _strided(3),
    "reversed": _reversed,
    "broadcast0": _broadcast,
    "unaligned": _unaligned,
    "byteswapped": _byteswapped,
    "fortran2d": _fortran,
    "columns2d": _columns,
    "slice2d": _slice_2d,
}

# Large inputs use the layouts that reach distinct code paths cheaply.
LARGE_LAYOUTS = ["contiguous", "stride3", "reversed", "byteswapped"]
HUGE_LAYOUTS = ["contiguous", "reversed"]  # for the 100_003 case


# uint8 has 64 lanes per 512-bit vector (and LLVM unrolls its vectorised
# integer loops 4x): 3 * 64 + 1 and the block edges up to 4 * 64 * 2 too.
BYTE_LENGTHS = [63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256, 257, 511, 512, 513]


def grid(dtype=np.float64):
    """(length, layout name, flavor) triples of the fixed test grid."""
    for n in SMALL_LENGTHS:
        for layout in LAYOUTS:
            for flavor in FLAVORS:
                yield n, layout, flavor
    if np.dtype(dtype).itemsize == 1:
        for n in BYTE_LENGTHS:
            for layout in LAYOUTS:
                for flavor in ("extremes", "nonfinite"):
                    yield n, layout, flavor
    for n in LARGE_LENGTHS:
        layouts = HUGE_LAYOUTS if n > 10_000 else LARGE_LAYOUTS
        for layout in layouts:
            for flavor in ("extremes", "nonfinite"):
                yield n, layout, flavor
