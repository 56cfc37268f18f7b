"""Benchmark cases and timing, shared by `python -m snake` and bench/.

One case per base kernel of the kernel table: how to make inputs, the
NumPy expression a user would write instead (writing into `out=` where the
kernel returns an array), and a pure-Python loop. bench/peers.py has the
other packages' expressions.
"""
from __future__ import annotations

import itertools
import math
import time

import numpy as np


def best_time(fn, repeat: int = 7, min_time: float = 0.02, budget: float | None = None) -> float:
    """Seconds per call of `fn()`, best of `repeat` repeats of at least
    `min_time` seconds each. Repeats stop early once `budget` seconds have
    gone (default: 10 x repeat x min_time, at least 0.5 s), so a contender
    stalled by a busy machine cannot hold up a run."""
    fn()  # warm up: page-in, thread-pool start, caches
    budget = budget if budget is not None else max(0.5, 10 * repeat * min_time)
    started = time.perf_counter()
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time or number >= 1 << 20:
            break
        number *= 2 if elapsed <= 0 else max(2, min(10, int(min_time / elapsed) + 1))
    best = elapsed / number
    for _ in range(repeat - 1):
        if time.perf_counter() - started > budget:
            break
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale * 0.9995:  # 999.9 µs prints as 1 ms, not 1e+03 µs
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def python_args(args):
    """Arguments for the pure-Python loop: lists for arrays, Python numbers for scalars."""
    return [a.tolist() if isinstance(a, np.ndarray) else a.item() if isinstance(a, np.generic) else a
            for a in args]


def _softmax_loop(x):
    m = max(x)
    es = [math.exp(v - m) for v in x]
    total = sum(es)
    return [e / total for e in es]


def _rolling_numpy(x, w, out=None):
    """What a NumPy user writes: differences of the cumulative sum."""
    c = np.cumsum(x, dtype=np.int64 if x.dtype.kind in "iu" else None)
    if out is None:
        out = np.empty_like(c)
    out[:w] = c[:w]
    np.subtract(c[w:], c[:-w], out=out[w:])
    return out


def _softmax_numpy(x, out=None):
    """exp(x - max) / sum, in place in the output."""
    e = np.subtract(x, x.max(), out=out)
    np.exp(e, out=e)
    e /= e.sum()
    return e


GELU_C, GELU_K = 0.7978845608028654, 0.044715  # sqrt(2/pi) and the cubic coefficient


def _gelu_numpy(x, out=None):
    """0.5x(1 + tanh(c(x + k x^3))) in x's dtype, in place in the output."""
    c, k = x.dtype.type(GELU_C), x.dtype.type(GELU_K)
    t = np.multiply(x, x, out=out)
    t *= x
    t *= k
    t += x
    t *= c
    np.tanh(t, out=t)
    t += 1
    t *= x
    t *= x.dtype.type(0.5)
    return t


def _rolling_loop(x, w):
    out, acc = [], 0.0
    for i, v in enumerate(x):
        acc += v
        if i >= w:
            acc -= x[i - w]
        out.append(acc)
    return out


WINDOW = 100
HIST_BINS, HIST_LO, HIST_HI = 100, -3.0, 3.0


def _histogram_inputs(n, dt, rng):
    if np.dtype(dt).kind in "iu":  # integers 0..99 in 10 bins of 10 on [0, 100]
        return rng.integers(0, 100, n).astype(dt), 10, 0.0, 100.0
    return _histogram_float_inputs(n, dt, rng)


def _histogram_float_inputs(n, dt, rng):
    """Values in bins -10..109 of 100 on [-3, 3] (some out of range), never
    within 10% of a bin width of an edge: every correct binning agrees, the
    plain loop included, whatever the dtype."""
    width = (HIST_HI - HIST_LO) / HIST_BINS
    k = rng.integers(-10, HIST_BINS + 10, n)
    x = HIST_LO + (k + 0.5 + 0.8 * (rng.random(n) - 0.5)) * width
    return x.astype(dt), HIST_BINS, HIST_LO, HIST_HI


def _histogram_loop(x, n_bins, lo, hi):
    counts = [0] * n_bins
    for v in x:
        if lo <= v <= hi:
            counts[min(int((v - lo) / (hi - lo) * n_bins), n_bins - 1)] += 1
    return counts


def _data(n, dt, rng, offset=0.0):
    """Benchmark data of dtype dt: standard normal floats (plus `offset`), or
    integers in [0, 100) for integer dtypes (uint8 products still wrap)."""
    if np.dtype(dt).kind in "iu":
        return rng.integers(0, 100, n).astype(dt)
    return (rng.standard_normal(n) + offset).astype(dt)


def _int64(x):
    return x.astype(np.int64) if x.dtype.kind in "iu" else x


def _const(dt, float_value, int_value):
    return np.dtype(dt).type(int_value if np.dtype(dt).kind in "iu" else float_value)


# Kernels with native integer loops (kernels.def dtype sets NUM / NUM_WIDE):
# the benchmark's integer rows. The NumPy side of an integer sum converts to
# int64 first, as snake's int64 accumulation does.
INTEGER_CASES = ("sum_sq", "dot", "cumsum", "clip", "argmax", "relu", "scale", "saxpy",
                 "rolling_sum", "histogram")

# One entry per base kernel: inputs(n, dtype, rng) -> args; numpy(*args
# [, out=]), the expression a NumPy user writes (kernels that return an array
# of the input's shape take `out=`); python(*lists), a plain loop; reference
# (*args), an accurate answer (float64 accumulation: NumPy's float32 `a @ a`
# itself drifts by 0.3% at 1e8); exact: compare snake's result exactly or to
# a tolerance; peer_exact (default: exact): the same for other packages, whose
# arithmetic may round differently (an FMA in saxpy) where a selection
# (clip, relu, argmax, histogram) may not differ at all.
CASES = {
    "sum_sq": dict(
        inputs=lambda n, dt, rng: (_data(n, dt, rng),),
        numpy=lambda x: _int64(x) @ _int64(x),
        python=lambda x: sum(v * v for v in x),
        reference=lambda x: _int64(x) @ _int64(x) if x.dtype.kind in "iu" else np.dot(
            x.astype(np.float64), x.astype(np.float64)),
        exact=False,
    ),
    "dot": dict(
        inputs=lambda n, dt, rng: (_data(n, dt, rng), _data(n, dt, rng)),
        numpy=lambda a, b: _int64(a) @ _int64(b),
        python=lambda a, b: sum(p * q for p, q in zip(a, b)),
        reference=lambda a, b: _int64(a) @ _int64(b) if a.dtype.kind in "iu" else np.dot(
            a.astype(np.float64), b.astype(np.float64)),
        exact=False,
    ),
    "variance": dict(
        inputs=lambda n, dt, rng: ((rng.standard_normal(n) + 3.0).astype(dt),),
        numpy=lambda x: np.var(x),
        python=lambda x: (lambda m: sum((v - m) ** 2 for v in x) / len(x))(sum(x) / len(x)),
        reference=lambda x: np.var(x.astype(np.float64)),
        exact=False,
    ),
    "cumsum": dict(
        inputs=lambda n, dt, rng: (_data(n, dt, rng),),
        numpy=lambda x, out=None: np.cumsum(x, dtype=np.int64 if x.dtype.kind in "iu" else None, out=out),
        python=lambda x: list(itertools.accumulate(x)),
        reference=lambda x: np.cumsum(_int64(x) if x.dtype.kind in "iu" else x.astype(np.float64)),
        exact=False,
    ),
    "normalize": dict(
        inputs=lambda n, dt, rng: (rng.standard_normal(n).astype(dt),),
        numpy=lambda x, out=None: np.divide(x, np.linalg.norm(x), out=out),
        python=lambda x: (lambda r: [v / r for v in x])(sum(v * v for v in x) ** 0.5),
        reference=lambda x: x.astype(np.float64) / np.linalg.norm(x.astype(np.float64)),
        exact=False,
    ),
    "softmax": dict(
        inputs=lambda n, dt, rng: (rng.standard_normal(n).astype(dt),),
        numpy=_softmax_numpy,
        python=lambda x: _softmax_loop(x),
        reference=lambda x: (lambda v: (lambda e: e / e.sum())(np.exp(v - v.max())))(x.astype(np.float64)),
        exact=False,
    ),
    "clip": dict(
        inputs=lambda n, dt, rng: (_data(n, dt, rng), _const(dt, -0.5, 20), _const(dt, 0.5, 60)),
        numpy=lambda x, lo, hi, out=None: np.clip(x, lo, hi, out=out),
        python=lambda x, lo, hi: [min(max(v, lo), hi) for v in x],
        reference=lambda x, lo, hi: np.clip(x, lo, hi),
        exact=True,
    ),
    "argmax": dict(
        inputs=lambda n, dt, rng: (_data(n, dt, rng),),
        numpy=lambda x: np.argmax(x),
        python=lambda x: max(range(len(x)), key=x.__getitem__),
        reference=lambda x: np.argmax(x),
        exact=True,
    ),
    "relu": dict(
        inputs=lambda n, dt, rng: (_data(n, dt, rng, offset=0.0) - _const(dt, 0, 50),),
        numpy=lambda x, out=None: np.maximum(x, 0, out=out),
        python=lambda x: [v if v > 0 else 0.0 for v in x],
        reference=lambda x: np.maximum(x, 0),
        exact=True,
    ),
    "gelu": dict(
        inputs=lambda n, dt, rng: (rng.standard_normal(n).astype(dt),),
        numpy=_gelu_numpy,
        python=lambda x: [0.5 * v * (1 + math.tanh(GELU_C * (v + GELU_K * v**3))) for v in x],
        reference=lambda x: (lambda v: 0.5 * v * (1 + np.tanh(np.sqrt(2 / np.pi) * (v + GELU_K * v**3))))(x.astype(np.float64)),
        exact=False,
    ),
    "scale": dict(
        inputs=lambda n, dt, rng: (_data(n, dt, rng), _const(dt, 1.5, 3)),
        numpy=lambda x, s, out=None: np.multiply(x, s, out=out),
        python=lambda x, s: [v * s for v in x],
        reference=lambda x, s: np.multiply(x, s),
        exact=True,
        peer_exact=False,
    ),
    "saxpy": dict(
        inputs=lambda n, dt, rng: (_data(n, dt, rng), _data(n, dt, rng), _const(dt, 0.5, 3)),
        numpy=lambda a, b, s, out=None: np.add(a, np.multiply(s, b, out=out), out=out),
        python=lambda a, b, s: [p + s * q for p, q in zip(a, b)],
        reference=lambda a, b, s: a + s * b,
        exact=True,
        peer_exact=False,
    ),
    "rolling_sum": dict(
        inputs=lambda n, dt, rng: (_data(n, dt, rng), WINDOW),
        numpy=_rolling_numpy,
        python=_rolling_loop,
        reference=lambda x, w: _rolling_numpy(_int64(x) if x.dtype.kind in "iu" else x.astype(np.float64), w),
        exact=False,
    ),
    "histogram": dict(
        inputs=_histogram_inputs,
        numpy=lambda x, n_bins, lo, hi: np.histogram(x, n_bins, (lo, hi))[0],
        python=_histogram_loop,
        reference=lambda x, n_bins, lo, hi: np.histogram(x, n_bins, (lo, hi))[0],
        exact=True,
    ),
}


def base_name(name: str) -> str:
    """`_mt` twins share their single-threaded kernel's case (and reference)."""
    return name[:-3] if name.endswith("_mt") else name


def matches(got, want, exact: bool, dtype, rtol: float | None = None) -> bool:
    """Exact equality, or relative agreement suited to the dtype (or `rtol`)."""
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        return False
    if exact or np.dtype(dtype).kind in "iu":  # integer results are exact
        return np.array_equal(got, want, equal_nan=True)
    if rtol is None:
        rtol = 1e-5 if np.dtype(dtype) == np.float32 else 1e-10
    # Absolute slack on the result's scale: running sums cross zero.
    finite = np.abs(want[np.isfinite(want)])
    atol = rtol * float(finite.max()) if finite.size else 0.0
    return bool(np.allclose(got.astype(np.float64), want, rtol=rtol, atol=atol, equal_nan=True))
