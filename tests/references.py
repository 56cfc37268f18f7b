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


def base_name(name: str) -> str:
    """`_mt` twins share their single-threaded kernel's reference."""
    return name[: -len("_mt")] if name.endswith("_mt") else name


# ---- references, one per base kernel name ---------------------------------


def ref_sum_sq(x: np.ndarray) -> Sum:
    return _exact_sum([float(v) * float(v) for v in x])


def ref_dot(a: np.ndarray, b: np.ndarray) -> Sum:
    assert len(a) == len(b)
    return _exact_sum([float(u) * float(v) for u, v in zip(a, b)])


def ref_argmax(x: np.ndarray) -> int:
    """np.argmax: first maximum; the first NaN beats everything; -0.0 == 0.0."""
    if len(x) == 0:
        raise ValueError("attempt to get argmax of an empty sequence")
    best = 0
    for i in range(len(x)):
        v = float(x[i])
        if math.isnan(v):
            return i
        if v > float(x[best]):
            best = i
    return best


X, LO, HI = 0, 1, 2


def ref_clip(x: float, lo: float, hi: float) -> int:
    """np.clip's exact formula; returns which operand (X, LO, HI) is the result.

        t = x if isnan(x) else (x if x > lo else lo)
        r = t if isnan(t) else (t if t < hi else hi)
    """
    x, lo, hi = float(x), float(lo), float(hi)
    t, t_which = (x, X) if math.isnan(x) or x > lo else (lo, LO)
    return t_which if math.isnan(t) or t < hi else HI


REFERENCES: dict[str, Callable] = {
    "sum_sq": ref_sum_sq,
    "dot": ref_dot,
    "clip": ref_clip,
    "argmax": ref_argmax,
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


def apply_index(ref, arrays):
    """INDEX: intp array of the outer shape."""
    return _apply_core(ref, arrays, np.intp)


def apply_map3(ref, arrays, dtype):
    """MAP3: elementwise; picks the chosen operand's element, bits untouched."""
    bx = np.broadcast_arrays(*(np.asarray(a, dtype=dtype) for a in arrays))
    out = np.empty(bx[0].shape, dtype=dtype)
    for idx in np.ndindex(out.shape):
        ops = [b[idx] for b in bx]
        out[idx] = ops[ref(*ops)]
    return out
