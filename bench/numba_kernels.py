"""The numba peer: plain loops, as a numba user writes them.

Each loop is written once with `prange` and compiled twice by `compiled()`:
`@njit(fastmath=True)` (prange runs as range) and `@njit(fastmath=True,
parallel=True)`. Loops whose parallel form needs partial results (argmax,
cumsum, softmax's maximum, rolling_sum's first window, histogram) split the
row into `chunks` pieces: 1 for the serial build, the thread count for the
parallel one. Sums accumulate in float64, as snake's do. Compiled code is
cached (cache=True) in bench/__pycache__, so only the first run pays for
compilation.
"""
from __future__ import annotations

import types

import numpy as np
from numba import njit, prange


def sum_sq(x):
    acc = 0.0
    for i in prange(x.size):
        acc += x[i] * x[i]
    return acc


def dot(a, b):
    acc = 0.0
    for i in prange(a.size):
        acc += a[i] * b[i]
    return acc


def variance(x):
    total = 0.0
    for i in prange(x.size):
        total += x[i]
    mean = total / x.size
    acc = 0.0
    for i in prange(x.size):
        d = x[i] - mean
        acc += d * d
    return acc / x.size


def cumsum(x, out, chunks):
    n = x.size
    totals = np.zeros(chunks)
    for c in prange(chunks):
        acc = 0.0
        for i in range(c * n // chunks, (c + 1) * n // chunks):
            acc += x[i]
            out[i] = acc
        totals[c] = acc
    for c in prange(1, chunks):
        offset = totals[:c].sum()
        for i in range(c * n // chunks, (c + 1) * n // chunks):
            out[i] += offset
    return out


def normalize(x, out):
    acc = 0.0
    for i in prange(x.size):
        acc += x[i] * x[i]
    norm = np.sqrt(acc)
    for i in prange(x.size):
        out[i] = x[i] / norm
    return out


def softmax(x, out, chunks):
    n = x.size
    maxima = np.empty(chunks, dtype=x.dtype)
    for c in prange(chunks):
        m = x[c * n // chunks]
        for i in range(c * n // chunks, (c + 1) * n // chunks):
            m = max(m, x[i])
        maxima[c] = m
    m = maxima.max()
    total = 0.0
    for i in prange(n):
        e = np.exp(x[i] - m)
        out[i] = e
        total += e
    for i in prange(n):
        out[i] /= total
    return out


def argmax(x, chunks):
    n = x.size
    best = np.empty(chunks, dtype=np.int64)
    for c in prange(chunks):
        b = c * n // chunks
        for i in range(b + 1, (c + 1) * n // chunks):
            if x[i] > x[b]:
                b = i
        best[c] = b
    b = best[0]
    for c in range(1, chunks):
        if x[best[c]] > x[b]:
            b = best[c]
    return b


def clip(x, lo, hi, out):
    for i in prange(x.size):
        out[i] = min(max(x[i], lo), hi)
    return out


def relu(x, out):
    for i in prange(x.size):
        v = x[i]
        out[i] = 0 if v <= 0 else v
    return out


def gelu(x, half, c, k, out):
    """The constants come in x's dtype, so float32 stays float32."""
    for i in prange(x.size):
        v = x[i]
        out[i] = half * v * (1 + np.tanh(c * (v + k * v * v * v)))
    return out


def scale(x, s, out):
    for i in prange(x.size):
        out[i] = x[i] * s
    return out


def saxpy(a, b, s, out):
    for i in prange(a.size):
        out[i] = a[i] + s * b[i]
    return out


def rolling_sum(x, w, out, chunks):
    n = x.size
    for c in prange(chunks):
        lo = c * n // chunks
        acc = 0.0
        for j in range(max(0, lo - w), lo):  # the sum before step lo: x[lo-w .. lo-1]
            acc += x[j]
        for i in range(lo, (c + 1) * n // chunks):
            acc += x[i]
            if i >= w:
                acc -= x[i - w]
            out[i] = acc
    return out


def histogram(x, n_bins, lo, hi, edges, chunks):
    """np.histogram's arithmetic: the bin from the scaled offset, then
    corrected against the edges (np.linspace(lo, hi, n_bins + 1)) as NumPy does."""
    n = x.size
    counts = np.zeros((chunks, n_bins), dtype=np.int64)
    for c in prange(chunks):
        for i in range(c * n // chunks, (c + 1) * n // chunks):
            v = x[i]
            if v >= lo and v <= hi:
                b = min(int((v - lo) / (hi - lo) * n_bins), n_bins - 1)
                if v < edges[b]:
                    b -= 1
                elif v >= edges[b + 1] and b != n_bins - 1:
                    b += 1
                counts[c, b] += 1
    return counts.sum(axis=0)


LOOPS = (sum_sq, dot, variance, cumsum, normalize, softmax, argmax, clip, relu, gelu, scale, saxpy,
         rolling_sum, histogram)


def _renamed(fn, suffix: str):
    """A copy of `fn` with its own qualified name: numba's cache files are
    named by it, so the serial and parallel builds do not overwrite each other."""
    copy = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + suffix, fn.__defaults__,
                              fn.__closure__)
    copy.__qualname__ = fn.__qualname__ + suffix
    copy.__doc__ = fn.__doc__
    return copy


def compiled(parallel: bool) -> types.SimpleNamespace:
    """Every loop as a numba dispatcher (compiled lazily, per dtype, on first call)."""
    jit = njit(fastmath=True, parallel=parallel, cache=True)
    suffix = "_parallel" if parallel else "_serial"
    return types.SimpleNamespace(**{f.__name__: jit(_renamed(f, suffix)) for f in LOOPS})
