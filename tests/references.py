"""Obviously-correct scalar references for every snake kernel.

Each reference takes 1-D NumPy arrays (one per ufunc input; MAP3 references
take scalars) and uses plain Python loops, so it shares no code and no
accumulation order with the Swift kernels.

* Sums (REDUCE, REDUCE2) return ``Sum(value, abs_sum)``: ``value`` is the
  correctly rounded float64 sum of the float64 products (exact for float32
  input, whose products are exact in float64); ``abs_sum`` is Σ|term|, which
  scales the error bound the tests allow.
* INDEX references return a Python int, MAP3 references return the index of
  the operand whose bits the result must carry (so NaN payloads and the sign
  of zero are compared exactly, with no float conversion in between).

REFERENCES maps a kernel's *base* name (``sum_sq_mt`` -> ``sum_sq``) to its
reference; tests fail for any kernel in ``snake.kernels()`` missing here.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable, NamedTuple

import numpy as np

from snake._bench import base_name  # noqa: F401  (re-exported for the tests)


class Sum(NamedTuple):
    value: float  # exact sum, rounded once to float64 (may be inf / nan)
    abs_sum: float  # Σ|term|: the scale of the allowed rounding error


def _exact_sum(terms: list[float]) -> Sum:
    """Sum of Python floats, rounded once; handles inf/nan and overflow."""
    if any(math.isnan(t) for t in terms):
        return Sum(math.nan, math.inf)
    infs = {t for t in terms if math.isinf(t)}
    if infs:  # inf - inf is nan, otherwise the infinity wins
        return Sum(math.nan if len(infs) == 2 else infs.pop(), math.inf)
    try:
        abs_sum = math.fsum(abs(t) for t in terms)
    except OverflowError:
        abs_sum = math.inf
    try:
        return Sum(math.fsum(terms), abs_sum)
    except OverflowError:  # finite terms whose partial sums overflow
        exact = sum(map(Fraction, terms), Fraction(0))
        try:
            return Sum(float(exact), abs_sum)
        except OverflowError:
            return Sum(math.copysign(math.inf, exact), math.inf)


# ---- references, one per base kernel name ---------------------------------


def ref_sum_sq(x: np.ndarray) -> Sum:
    return _exact_sum([float(v) * float(v) for v in x])


def ref_dot(a: np.ndarray, b: np.ndarray) -> Sum:
    assert len(a) == len(b)
    return _exact_sum([float(u) * float(v) for u, v in zip(a, b)])


def ref_variance(x: np.ndarray) -> Sum:
    """Population variance: fsum for the mean, then fsum of squared
    deviations (each rounded once). `abs_sum` scales the tolerance: the
    variance itself plus the second-order term n·eps·(mean² + var) that any
    floating-point method pays when data sit far from zero."""
    xs = [float(v) for v in x]
    n = len(xs)
    if n == 0 or any(math.isnan(v) or math.isinf(v) for v in xs):
        return Sum(math.nan, math.inf)
    mean = math.fsum(xs) / n
    try:
        var = math.fsum((v - mean) ** 2 for v in xs) / n
    except OverflowError:
        return Sum(math.inf, math.inf)
    eps = float(np.finfo(x.dtype).eps)
    return Sum(var, var + n * eps * (mean * mean + var))


def ref_cumsum(x: np.ndarray):
    """Running sum in Python floats; scales: running Σ|x| (error scale)."""
    acc, mag, values, scales = 0.0, 0.0, [], []
    for v in x:
        acc += float(v)
        mag += abs(float(v))
        values.append(acc)
        scales.append(mag)
    return values, scales


def ref_normalize(x: np.ndarray):
    """x / ‖x‖ with ‖x‖ from math.hypot (no overflow, correctly rounded-ish);
    zero row unchanged; NaN anywhere -> all NaN; an inf -> x / inf."""
    xs = [float(v) for v in x]
    if any(math.isnan(v) for v in xs):
        return [math.nan] * len(xs), [0.0] * len(xs)
    if any(math.isinf(v) for v in xs):
        values = [math.nan if math.isinf(v) else v / math.inf for v in xs]
        return values, [0.0] * len(xs)
    m = max((abs(v) for v in xs), default=0.0)
    if m == 0:
        return xs, [0.0] * len(xs)
    ys = [v / m for v in xs]  # scaled first: a subnormal norm would be quantized
    r = math.hypot(*ys)
    values = [y / r for y in ys]
    return values, [abs(v) for v in values]


def ref_softmax(x: np.ndarray):
    """exp(x - max) / Σ exp(x - max) in Python floats; a NaN, or a row of
    all -inf, gives NaN; empty gives empty."""
    xs = [float(v) for v in x]
    if not xs:
        return [], []
    if any(math.isnan(v) for v in xs) or all(v == -math.inf for v in xs):
        return [math.nan] * len(xs), [0.0] * len(xs)
    m = max(xs)
    es = [math.exp(v - m) for v in xs]
    total = math.fsum(es)
    values = [e / total for e in es]
    # exp amplifies the rounding of x - max by |x - max| (its condition number).
    return values, [abs(v) * (1 + abs(u - m)) if v else 0.0 for v, u in zip(values, xs)]


def _fixed(v: float) -> int:
    """A finite float as an exact integer multiple of 2**-1074."""
    p, q = v.as_integer_ratio()
    return p * (1 << 1074) // q


def _to_float(fixed: int) -> float:
    try:
        return fixed / (1 << 1074)  # int / int is correctly rounded
    except OverflowError:
        return math.copysign(math.inf, fixed)


def ref_rolling_sum(x: np.ndarray, w: int):
    """Exact window sums Σ x[max(0, i-w+1) .. i] (exact prefix sums in
    fixed point, so long rows stay O(n)); a window holding NaN, or +inf and
    -inf, is NaN; scales: Σ|x| over the window (error scale)."""
    xs = [float(v) for v in x]
    pre, mag, nan, pinf, ninf = [0], [0], [0], [0], [0]
    for v in xs:
        finite = math.isfinite(v)
        pre.append(pre[-1] + (_fixed(v) if finite else 0))
        mag.append(mag[-1] + (_fixed(abs(v)) if finite else 0))
        nan.append(nan[-1] + math.isnan(v))
        pinf.append(pinf[-1] + (v == math.inf))
        ninf.append(ninf[-1] + (v == -math.inf))
    values, scales = [], []
    for i in range(len(xs)):
        a, b = max(0, i - w + 1), i + 1
        n_nan, n_pinf, n_ninf = nan[b] - nan[a], pinf[b] - pinf[a], ninf[b] - ninf[a]
        if n_nan or (n_pinf and n_ninf):
            values.append(math.nan)
        elif n_pinf or n_ninf:
            values.append(math.inf if n_pinf else -math.inf)
        else:
            exact = pre[b] - pre[a]
            # -0.0 only when every term is -0.0 (IEEE sums of zeros)
            neg_zero = exact == 0 and all(math.copysign(1, v) < 0 and v == 0 for v in xs[a:b])
            values.append(-0.0 if neg_zero else _to_float(exact))
        scales.append(_to_float(mag[b] - mag[a]) if not (n_nan or n_pinf or n_ninf) else 0.0)
    return values, scales


def ref_histogram(x: np.ndarray, n_bins: int, lo: float, hi: float):
    """The specification itself: np.histogram's counts for one row."""
    return np.histogram(x, n_bins, (lo, hi))[0]


def ref_argmax(x: np.ndarray) -> int:
    """np.argmax: first maximum; the first NaN beats everything; -0.0 == 0.0."""
    if len(x) == 0:
        raise ValueError("attempt to get argmax of an empty sequence")
    if x.dtype.kind in "iu":  # Python ints: exact beyond 2**53
        xs = [int(v) for v in x]
        return xs.index(max(xs))
    best = 0
    for i in range(len(x)):
        v = float(x[i])
        if math.isnan(v):
            return i
        if v > float(x[best]):
            best = i
    return best


# Elementwise references take and return NumPy scalars of the loop dtype, so
# arithmetic rounds in that dtype and a selected operand keeps its exact bits
# (NaN payload, sign of zero).


def ref_clip(x, lo, hi):
    """np.clip's exact formula; returns the selected operand itself.

        t = x if isnan(x) else (x if x > lo else lo)
        r = t if isnan(t) else (t if t < hi else hi)
    """
    t = x if math.isnan(x) or float(x) > float(lo) else lo
    return t if math.isnan(t) or float(t) < float(hi) else hi


def ref_clip_constant(x, lo, hi):
    """np.clip's loop for constant bounds (both stride 0): a NaN bound fills
    the output (lo first); else t = lo if x < lo else x, then hi if t > hi."""
    if math.isnan(lo):
        return lo
    if math.isnan(hi):
        return hi
    t = lo if not math.isnan(x) and float(x) < float(lo) else x
    return hi if not math.isnan(t) and float(t) > float(hi) else t


ref_clip.constant_bounds = ref_clip_constant
# Which of the two loops np.clip runs depends on the strides NumPy's iterator
# hands it (both bounds stride 0 -> constant loop), which a per-element
# reference cannot see. np.clip is the specification, so the grid compares
# with np.clip on the very same operands; the two formulas above document
# what it does (and the Swift tests check each loop against them).
ref_clip.numpy = np.clip


def ref_relu(x):
    """x if x > 0 or NaN, else +0.0."""
    return x if math.isnan(x) or float(x) > 0 else type(x)(0.0)


def arithmetic(ref):
    """Marks a reference whose IEEE arithmetic may overflow or be invalid
    (inf * 0): the kernel may then warn exactly as NumPy's own ufuncs do."""
    ref.arithmetic = True
    return ref


def ref_gelu(x):
    """0.5·x·(1 + tanh(z)), z = √(2/π)(x + 0.044715x³), evaluated as
    x / (1 + e^(-2z)) in Python floats (the same function without the
    cancellation of 1 + tanh(z) for negative x); its limits beyond |x| > 1e5."""
    v = float(x)
    if math.isnan(v) or v == -math.inf:
        return math.nan
    if abs(v) > 1e5:
        return v if v > 0 else -0.0
    z = math.sqrt(2 / math.pi) * (v + 0.044715 * v**3)
    try:
        return v / (1 + math.exp(-2 * z))
    except OverflowError:
        return -0.0


# Not exact: relative tolerance per loop dtype (the accuracy bound).
ref_gelu.rtol = {np.dtype(np.float64): 1e-12, np.dtype(np.float32): 1e-6}


@arithmetic
def ref_scale(x, s):
    """x * s, rounded in the loop dtype."""
    return x * s


@arithmetic
def ref_saxpy(a, b, s):
    """a + s * b: the product rounded, then the sum (no fused multiply-add)."""
    return a + s * b


# ---- integer loops: the same kernels on Python ints --------------------------
# Each returns the exact mathematical result; the tests wrap it to the loop's
# output type (two's complement, as NumPy's integer arithmetic does).


def wrap(value: int, dtype) -> int:
    """`value` as the integer type `dtype` stores it (modulo 2**bits)."""
    bits = np.dtype(dtype).itemsize * 8
    value &= (1 << bits) - 1
    if np.dtype(dtype).kind == "i" and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def _prefix(xs):
    out = [0]
    for v in xs:
        out.append(out[-1] + int(v))
    return out


ref_sum_sq.integer = lambda x: sum(int(v) * int(v) for v in x)
ref_dot.integer = lambda a, b: sum(int(p) * int(q) for p, q in zip(a, b))
ref_cumsum.integer = lambda x: _prefix(x)[1:]
ref_rolling_sum.integer = lambda x, w: (lambda p: [p[i + 1] - p[max(0, i - w + 1)] for i in range(len(x))])(
    _prefix(x))
ref_relu.integer = lambda x: max(x, 0)
ref_clip.integer = lambda x, lo, hi: min(max(x, lo), hi)
ref_scale.integer = lambda x, s: x * s
ref_saxpy.integer = lambda a, b, s: a + s * b


REFERENCES: dict[str, Callable] = {
    "sum_sq": ref_sum_sq,
    "dot": ref_dot,
    "variance": ref_variance,
    "cumsum": ref_cumsum,
    "normalize": ref_normalize,
    "softmax": ref_softmax,
    "clip": ref_clip,
    "argmax": ref_argmax,
    "relu": ref_relu,
    "gelu": ref_gelu,
    "scale": ref_scale,
    "saxpy": ref_saxpy,
    "rolling_sum": ref_rolling_sum,
    "histogram": ref_histogram,
}


# ---- applying a reference over the outer (broadcast) axes -----------------
# gufunc kinds: the core dimension is the last axis of every input.


def _apply_core(ref, arrays, out_dtype):
    """Broadcast the outer axes, call `ref` on each row of the last axis."""
    outer = np.broadcast_shapes(*(a.shape[:-1] for a in arrays))
    rows = [np.broadcast_to(a, outer + a.shape[-1:]) for a in arrays]
    out = np.empty(outer, dtype=out_dtype)
    for idx in np.ndindex(outer):
        out[idx] = ref(*(r[idx] for r in rows))
    return out


def apply_sum(ref, arrays):
    """REDUCE / REDUCE2: (values, abs_sums) as float64 arrays of the outer shape."""
    res = _apply_core(ref, arrays, object)
    values = np.vectorize(lambda s: s.value, otypes=[np.float64])(res) if res.size else res.astype(float)
    scales = np.vectorize(lambda s: s.abs_sum, otypes=[np.float64])(res) if res.size else res.astype(float)
    return values.reshape(res.shape), scales.reshape(res.shape)


def apply_rows(ref, x):
    """VEC: (values, scales) float64 arrays shaped like x."""
    x = np.asarray(x)
    values = np.empty(x.shape, dtype=np.float64)
    scales = np.empty(x.shape, dtype=np.float64)
    for idx in np.ndindex(x.shape[:-1]):
        v, sc = ref(x[idx])
        values[idx], scales[idx] = v, sc
    return values, scales


def apply_window(ref, x, w):
    """WINDOW: (values, scales) float64 arrays of the broadcast shape."""
    x, w = np.asarray(x), np.asarray(w)
    outer = np.broadcast_shapes(x.shape[:-1], w.shape)
    xb, wb = np.broadcast_to(x, outer + x.shape[-1:]), np.broadcast_to(w, outer)
    values = np.empty(xb.shape, dtype=np.float64)
    scales = np.empty(xb.shape, dtype=np.float64)
    for idx in np.ndindex(outer):
        v, sc = ref(xb[idx], int(wb[idx]))
        values[idx], scales[idx] = v, sc
    return values, scales


def apply_index(ref, arrays):
    """INDEX: intp array of the outer shape."""
    return _apply_core(ref, arrays, np.intp)


def apply_map(ref, arrays, dtype):
    """MAP kinds: elementwise over the broadcast inputs, in the loop dtype
    (or the NumPy function a reference names as its specification)."""
    if hasattr(ref, "numpy"):
        with np.errstate(all="ignore"):
            return np.asarray(ref.numpy(*(np.asarray(a, dtype=dtype) for a in arrays)), dtype=dtype)
    bx = np.broadcast_arrays(*(np.asarray(a, dtype=dtype) for a in arrays))
    out = np.empty(bx[0].shape, dtype=dtype)
    with np.errstate(all="ignore"):
        for idx in np.ndindex(out.shape):
            out[idx] = ref(*(b[idx] for b in bx))
    return out
