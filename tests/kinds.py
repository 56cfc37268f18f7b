"""What the tests know about each kernel *kind* (loop shape).

A kind says how many inputs a kernel takes, its gufunc signature, how to
build inputs for it from the adversarial generator, and how to compare a
result with the reference. Kernels are tested through their kind, so a new
kernel of an existing kind needs only a reference; a new kind needs an entry
here (tests fail for kinds missing from KINDS).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from arrays import make_values
from references import apply_index, apply_map, apply_rows, apply_sum, apply_window, wrap

# Sums must satisfy |got - exact| <= K * n * (eps * Σ|term| + smallest_subnormal)
# in the loop's dtype. The eps term is the classic bound for any summation
# order with chains of length <= n (SIMD lanes, blocks and thread partials are
# all shorter); the subnormal term covers products that underflow (float32
# products are formed in float32 lanes). It also absorbs the final rounding
# to the output dtype. K = 4 leaves headroom without hiding real bugs: an
# off-by-one element or a dropped tail is off by a whole term.
SUM_K = 4


def sum_tolerance(n, dtype, abs_sum):
    fi = np.finfo(dtype)
    return SUM_K * max(n, 1) * (fi.eps * abs_sum + fi.smallest_subnormal)


def as_float(dtype, value):
    """float64 -> dtype the way the kernel's result is rounded (inf on overflow)."""
    with np.errstate(over="ignore"):
        return np.asarray(value, dtype=np.float64).astype(dtype)


def is_integer(dtype) -> bool:
    return np.dtype(dtype).kind in "iu"


def _rows_of(arrays):
    """Broadcast the outer axes; yield (index, [row as Python ints, ...])."""
    arrays = [np.asarray(a) for a in arrays]
    outer = np.broadcast_shapes(*(a.shape[:-1] for a in arrays))
    rows = [np.broadcast_to(a, outer + a.shape[-1:]) for a in arrays]
    for idx in np.ndindex(outer):
        yield idx, [[int(v) for v in r[idx]] for r in rows]


def check_exact_rows(ref, arrays, got, out_dtype, label, extra=()):
    """Integer loops: exactly the wrapped value of ref.integer, row by row
    (a scalar per row for reductions, a row for (n)->(n) kinds)."""
    got = np.asarray(got)
    assert got.dtype == out_dtype, f"{label}: dtype {got.dtype} != {out_dtype}"
    for idx, rows in _rows_of(arrays):
        want = ref.integer(*rows, *(int(np.broadcast_to(e, got.shape[:len(idx)])[idx]) for e in extra))
        want = [wrap(v, out_dtype) for v in want] if isinstance(want, list) else wrap(want, out_dtype)
        assert np.array_equal(got[idx], want), f"{label} {idx}: got {got[idx]!r}, want {want!r}"


def check_sums(ref, inputs, got, out_dtype, label=""):
    if is_integer(inputs[0].dtype):
        return check_exact_rows(ref, inputs, got, out_dtype, label)
    got = np.asarray(got)
    assert got.dtype == out_dtype, f"{label}: dtype {got.dtype} != {out_dtype}"
    values, scales = apply_sum(ref, [np.asarray(a) for a in inputs])
    assert got.shape == values.shape, label
    n = inputs[0].shape[-1]
    want = as_float(out_dtype, values)
    for idx in np.ndindex(got.shape):
        g, v, w = float(got[idx]), float(values[idx]), float(want[idx])
        if np.isnan(v) or np.isinf(w):  # nan / overflow: exact class and sign
            assert (np.isnan(g) and np.isnan(w)) or g == w, f"{label} {idx}: got {g!r}, want {w!r}"
        else:
            tol = sum_tolerance(n, out_dtype, float(scales[idx]))
            assert abs(g - v) <= tol, f"{label} {idx}: got {g!r}, exact {v!r}, tol {tol:.3g}"


def check_index(ref, inputs, got, out_dtype, label=""):
    got = np.asarray(got)
    assert got.dtype == out_dtype, f"{label}: dtype {got.dtype} != {out_dtype}"
    want = apply_index(ref, [np.asarray(a) for a in inputs])
    assert np.array_equal(got, want), f"{label}: got {got!r}, want {want!r}"


def check_rows(ref, inputs, got, out_dtype, label=""):
    """VEC: every element within K * n * eps * scale of the reference."""
    x = np.asarray(inputs[0])
    if is_integer(x.dtype):
        return check_exact_rows(ref, [x], got, out_dtype, label)
    _check_close(got, x.shape, *apply_rows(ref, x), x.shape[-1], out_dtype, label)


def check_window(ref, inputs, got, out_dtype, label=""):
    """WINDOW: like VEC, against exact window sums."""
    x, w = np.asarray(inputs[0]), np.asarray(inputs[1])
    if is_integer(x.dtype):
        return check_exact_rows(ref, [x], got, out_dtype, label, extra=(w,))
    values, scales = apply_window(ref, x, w)
    _check_close(got, values.shape, values, scales, x.shape[-1], out_dtype, label)


def _check_close(got, shape, values, scales, n, out_dtype, label):
    got = np.asarray(got)
    assert got.dtype == out_dtype, f"{label}: dtype {got.dtype} != {out_dtype}"
    assert got.shape == shape, label
    fi = np.finfo(out_dtype)
    want = as_float(out_dtype, values)
    special = np.isnan(values) | np.isinf(want)
    assert np.array_equal(got[special], want[special], equal_nan=True), f"{label}: NaN/inf mismatch"
    tol = SUM_K * max(n, 1) * (fi.eps * scales + fi.smallest_subnormal)
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf: masked below
        err = np.abs(got.astype(np.float64) - values)
    bad = ~special & ~(err <= tol)
    assert not bad.any(), (f"{label}: {bad.sum()} elements off, first at {np.argwhere(bad)[0]}: "
                           f"got {got[bad][:3]!r}, want {values[bad][:3]!r}")


def bits(a):
    a = np.ascontiguousarray(a)
    return a.view(np.dtype(f"u{a.dtype.itemsize}"))


def check_map(ref, inputs, got, out_dtype, label=""):
    got = np.asarray(got)
    assert got.dtype == out_dtype, f"{label}: dtype {got.dtype} != {out_dtype}"
    if is_integer(out_dtype):  # exact, wrapped like NumPy's integer ufuncs
        args = np.broadcast_arrays(*(np.asarray(a) for a in inputs))
        want = np.empty(got.shape, dtype=out_dtype)
        for idx in np.ndindex(got.shape):
            want[idx] = wrap(ref.integer(*(int(a[idx]) for a in args)), out_dtype)
        bad = got != want
        assert not bad.any(), (f"{label}: {bad.sum()} mismatches, first at {np.argwhere(bad)[0]}: "
                               f"got {got[bad][:3]!r}, want {want[bad][:3]!r}")
        return
    want = apply_map(ref, inputs, out_dtype)
    assert got.shape == want.shape, label
    if hasattr(ref, "rtol"):  # approximations: NaN where NaN, else relative
        rtol, tiny = ref.rtol[np.dtype(out_dtype)], np.finfo(out_dtype).smallest_normal
        nan = np.isnan(want)
        assert np.array_equal(np.isnan(got), nan), f"{label}: NaN positions differ"
        with np.errstate(invalid="ignore", over="ignore"):
            ok = (got[~nan] == want[~nan]) | (np.abs(got[~nan].astype(np.float64) - want[~nan])
                                              <= rtol * np.abs(want[~nan].astype(np.float64)) + tiny)
        assert ok.all(), f"{label}: got {got[~nan][~ok][:3]!r}, want {want[~nan][~ok][:3]!r}"
        return
    bad = bits(got) != bits(want)  # compares NaN payloads and the sign of zero
    if getattr(ref, "arithmetic", False):
        # Which NaN payload an arithmetic op returns depends on operand order
        # in the hardware (NumPy's own loops differ from its scalars here);
        # any NaN is the right answer where the reference gives NaN.
        bad &= ~(np.isnan(got) & np.isnan(want))
    assert not bad.any(), (
        f"{label}: {bad.sum()} mismatches, first at {np.argwhere(bad)[0]}: "
        f"inputs {[np.broadcast_to(a, got.shape)[tuple(np.argwhere(bad)[0])] for a in inputs]}, "
        f"got {got[bad][:3]!r}, want {want[bad][:3]!r}")


# ---- input builders: (n, dtype, layout, flavor, rng) -> ufunc inputs ---------


def reduce_inputs(n, dtype, layout, flavor, rng):
    return (layout(make_values(n, dtype, flavor, rng, for_sums=True)),)


def reduce2_inputs(n, dtype, layout, flavor, rng):
    return tuple(layout(make_values(n, dtype, flavor, rng, for_sums=True)) for _ in range(2))


def index_inputs(n, dtype, layout, flavor, rng):
    return (layout(make_values(n, dtype, flavor, rng)),)


def vec_inputs(n, dtype, layout, flavor, rng):
    return (layout(make_values(n, dtype, flavor, rng, for_sums=True)),)


def map1_inputs(n, dtype, layout, flavor, rng):
    return (layout(make_values(n, dtype, flavor, rng)),)


def map2_inputs(n, dtype, layout, flavor, rng):
    """x in the layout; the second operand a scalar, a same-layout array or 0-d."""
    x = layout(make_values(n, dtype, flavor, rng))
    y = make_values(n, dtype, flavor, rng)
    how = rng.integers(3) if n else 1
    if how == 0:
        return x, np.dtype(dtype).type(y[0])
    if how == 1:
        return x, layout(y)
    return x, np.asarray(y[-1])


def map3_inputs(n, dtype, layout, flavor, rng):
    """x in the layout; lo/hi as scalars, same-layout arrays, or a row + 0-d."""
    x = layout(make_values(n, dtype, flavor, rng))
    lo, hi = (make_values(n, dtype, flavor, rng) for _ in range(2))
    if rng.random() < 0.5:  # mostly lo <= hi, so clipping happens on both sides
        lo, hi = np.fmin(lo, hi), np.fmax(lo, hi)
    how = rng.integers(3) if n else 1
    if how == 0:  # scalars of the loop dtype (NEP 50 keeps the loop)
        return x, np.dtype(dtype).type(lo[0]), np.dtype(dtype).type(hi[-1])
    if how == 1:
        return x, layout(lo), layout(hi)
    return x, lo, np.asarray(hi[0])  # lo broadcast along outer rows, hi 0-d


def window_inputs(n, dtype, layout, flavor, rng):
    """x in the layout; w a Python int (often < n, sometimes >= n) or a
    per-row array when the layout has outer axes."""
    x = layout(make_values(n, dtype, flavor, rng, for_sums=True))
    return (x, window_for(x, rng))


def window_for(x, rng):
    n = x.shape[-1]
    ws = [1, 2, 3, 7, 16, 17, max(n, 1), n + 5, int(rng.integers(1, n + 2))]
    if x.ndim > 1:
        return rng.choice(ws, size=x.shape[:-1])
    return int(rng.choice(ws))


def hist_inputs(n, dtype, layout, flavor, rng):
    x = layout(make_values(n, dtype, flavor, rng))
    return (x,) + hist_operands(x, rng)


def hist_operands(x, rng):
    """n_bins, lo, hi: a range inside the data's finite values (so values
    fall outside it and on its edges), or a fixed one."""
    fin = np.asarray(x, dtype=np.float64)
    fin = fin[np.isfinite(fin)]
    n_bins = int(rng.choice([1, 2, 3, 5, 10, 64]))
    top = float(np.finfo(np.float32 if np.asarray(x).dtype.type is np.float32 else np.float64).max)
    if fin.size >= 2 and rng.random() < 0.7:
        lo, hi = sorted(float(v) for v in rng.choice(fin, 2))
        if not lo < hi:
            lo, hi = lo - 1.0, hi + 1.0
        if hi - lo > top / 16:  # NumPy may overflow in linspace; tested apart
            lo, hi = lo / 64, hi / 64
    else:
        lo, hi = -2.5, 7.0
    return n_bins, lo, hi


def edges_collapse(dtype, n_bins, lo, hi):
    """Whether np.histogram's edges have equal neighbours in the binning
    dtype: NumPy 2.4 raises "Too many bins for data range" then (2.1 warns
    and counts into collapsed bins); snake always raises."""
    bin_dtype = np.float32 if np.dtype(dtype).type is np.float32 else np.float64
    with np.errstate(all="ignore"):
        edges = np.linspace(lo, hi, n_bins + 1, dtype=bin_dtype)
    return bool((edges[:-1] >= edges[1:]).any())


def check_hist(ref, inputs, got, out_dtype, label=""):
    """HIST: exactly np.histogram's counts, row by row."""
    x, n_bins, lo, hi = inputs
    x = np.asarray(x)
    want = np.empty(x.shape[:-1] + (n_bins,), dtype=np.int64)
    if edges_collapse(x.dtype, n_bins, lo, hi):  # NumPy 2.4: "Too many bins"
        assert isinstance(got, ValueError), f"{label}: bins collapse, snake did not refuse"
        return
    assert not isinstance(got, Exception), f"{label}: raised {got!r}, np.histogram did not"
    for idx in np.ndindex(x.shape[:-1]):
        want[idx] = ref(x[idx], n_bins, lo, hi)
    got = np.asarray(got)
    assert got.dtype == np.int64 and got.shape == want.shape, label
    assert np.array_equal(got, want), f"{label}: got {got!r}, want {want!r}"


@dataclass(frozen=True)
class Kind:
    nin: int
    signature: str | None  # gufunc core signature; None for plain ufuncs
    make_inputs: Callable
    check: Callable
    empty_raises: bool = False  # n == 0 is a ValueError (no answer exists)
    # inf - inf and 0 * inf are IEEE invalid operations: a sum of products
    # may warn like np.sum(a * b) does, but only when an input holds an inf.
    # NaN input alone must never warn (quiet NaNs raise no flag).
    invalid_on_inf: bool = False
    # All inputs are float arrays of the loop dtype (the generic API and
    # thread tests build inputs that way); WINDOW and HIST take an integer
    # window / bins and a range, and have tests of their own.
    float_operands: bool = True
    # May raise ValueError for some inputs; the check decides whether it should.
    may_raise: bool = False


KINDS = {
    "REDUCE": Kind(1, "(n)->()", reduce_inputs, check_sums, invalid_on_inf=True),
    "REDUCE2": Kind(2, "(n),(n)->()", reduce2_inputs, check_sums, invalid_on_inf=True),
    "INDEX": Kind(1, "(n)->()", index_inputs, check_index, empty_raises=True),
    "VEC": Kind(1, "(n)->(n)", vec_inputs, check_rows, invalid_on_inf=True),
    "MAP1": Kind(1, None, map1_inputs, check_map),
    "MAP2": Kind(2, None, map2_inputs, check_map),
    "MAP3": Kind(3, None, map3_inputs, check_map),
    "WINDOW": Kind(2, "(n),()->(n)", window_inputs, check_window, invalid_on_inf=True,
                   float_operands=False),
    # ValueError where np.histogram raises one (bins too narrow for the dtype)
    "HIST": Kind(1, "(n),(),()->(m)", hist_inputs, check_hist, float_operands=False,
                 may_raise=True),
}


def loop_dtypes(types: str):
    """'ff->f' -> ([float32, float32], float32)."""
    ins, out = types.split("->")
    return [np.dtype(c) for c in ins], np.dtype(out)
