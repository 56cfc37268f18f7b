"""snake: SIMD numeric kernels written in Swift, served to Python as NumPy ufuncs.

Every kernel is a real ``numpy.ufunc`` (generalized where it reduces), so
broadcasting, ``out=``, ``axis=``/``keepdims=``, ``dtype=`` and non-contiguous
input work the NumPy way::

    >>> import numpy as np, snake
    >>> x = np.arange(6.0).reshape(2, 3)
    >>> snake.sum_sq(x)                       # over the last axis
    array([ 5., 50.])
    >>> snake.sum_sq(x, axis=0, keepdims=True)
    array([[ 9., 17., 29.]])

The kernel table (``snake.kernels()``) lists every ufunc; ``_mt`` twins split
large inputs across a persistent thread pool (``snake.set_num_threads``,
``with snake.threads(n):``, the ``SNAKE_NUM_THREADS`` environment variable at
import, or threadpoolctl's ``threadpool_limits``). Each kernel is compiled
for several SIMD tiers (x86-64: baseline, avx2, avx512) and the best one the
CPU supports is bound at import; ``SNAKE_SIMD=baseline|avx2|avx512`` forces
a lower one, and ``snake.show_config()`` shows what was found and chosen.
"""
__version__ = "0.1.0"

from typing import NamedTuple as _NamedTuple

import numpy as _np

from . import _snake
from ._config import show_config
from ._snake import get_num_threads, set_num_threads
from ._threads import register_threadpoolctl as _register_threadpoolctl
from ._threads import threads
from ._threads import threads_from_env as _threads_from_env


class Kernel(_NamedTuple):
    """One kernel as declared in the kernel table."""

    name: str
    kind: str  # loop shape (kernels.def): REDUCE, REDUCE2, INDEX, VEC, MAP1..3, WINDOW, HIST
    mt_grain: int  # 0: single-threaded; else min elements per thread
    ufunc: _np.ufunc  # the registered ufunc (for HIST, the gufunc behind the function)
    types: tuple[str, ...]  # its loops, as ufunc.types writes them ("dl->d")
    function: object  # what snake.<name> is: the ufunc itself, or its Python front


def _edges_collapse(lo, hi, n_bins, dtype):
    """np.histogram's "too many bins" test: equal neighbours in its edges."""
    with _np.errstate(all="ignore"):  # an edge that overflows fails the test
        edges = _np.linspace(lo, hi, n_bins + 1, dtype=dtype)
    return bool((edges[:-1] >= edges[1:]).any())


def _histogram_front(gufunc):
    """snake.histogram(x, n_bins, lo, hi) over the gufunc (n),(),()->(m)."""
    import operator

    def histogram(x, n_bins, lo, hi):
        x = _np.asarray(x)
        n_bins = operator.index(n_bins)
        if n_bins < 1:
            raise ValueError(f"{gufunc.__name__}: n_bins must be >= 1, got {n_bins}")
        lo, hi = float(lo), float(hi)
        if not (lo < hi and _np.isfinite(lo) and _np.isfinite(hi)):
            raise ValueError(f"{gufunc.__name__}: the range needs finite lo < hi (got {lo!r}, {hi!r})")
        if x.ndim == 0:
            raise ValueError(f"{gufunc.__name__}: x must have at least one dimension")
        # np.histogram refuses bins that collapse in the binning dtype.
        bin_dtype = _np.float32 if x.dtype.type is _np.float32 else _np.float64  # any byte order
        top = float(_np.finfo(bin_dtype).max)
        if max(abs(lo), abs(hi), hi - lo) > top:  # NumPy overflows and fails here
            raise ValueError(f"{gufunc.__name__}: the range [{lo!r}, {hi!r}] overflows "
                             f"{bin_dtype.__name__}")
        # Bins wider than 4 ulps of the range's ends cannot collapse (rounding
        # moves each edge by half an ulp): skip building the edges then.
        fi = _np.finfo(bin_dtype)
        ulp = max(abs(lo), abs(hi)) * float(fi.eps) + float(fi.smallest_subnormal)
        if (hi - lo) / n_bins <= 4 * ulp and _edges_collapse(lo, hi, n_bins, bin_dtype):
            raise ValueError(f"{gufunc.__name__}: too many bins for the data range; "
                             f"cannot create {n_bins} finite-sized {bin_dtype.__name__} bins")
        out = _np.empty(x.shape[:-1] + (n_bins,), dtype=_np.int64)
        return gufunc(x, lo, hi, out=out)

    histogram.__name__ = histogram.__qualname__ = gufunc.__name__
    histogram.__module__ = __name__
    # NumPy's docstring starts with the gufunc's call signature: replace it.
    body = gufunc.__doc__.split("\n\n", 1)[1]
    histogram.__doc__ = f"{gufunc.__name__}(x, n_bins, lo, hi)\n\n{body}"
    return histogram


_FRONTS = {"HIST": _histogram_front}


def _kernel(name, kind, mt_grain, types):
    u = getattr(_snake, name)
    front = _FRONTS[kind](u) if kind in _FRONTS else u
    return Kernel(name, kind, mt_grain, u, types, front)


_KERNELS = tuple(_kernel(*row) for row in _snake.kernel_table)


def kernels() -> tuple[Kernel, ...]:
    """Every snake kernel, in kernel-table order."""
    return _KERNELS


globals().update({k.name: k.function for k in kernels()})

__all__ = [k.name for k in kernels()] + [
    "Kernel",
    "kernels",
    "get_num_threads",
    "set_num_threads",
    "threads",
    "build_info",
    "show_config",
]


def build_info() -> dict:
    """Version, the SIMD tier in use, thread count and NumPy version, in
    one line's worth (``show_config()`` has everything)."""
    return {
        "version": __version__,
        "simd": _snake.simd_tier,
        "threads": get_num_threads(),
        "numpy": _np.__version__,
    }


_threads_from_env()
_register_threadpoolctl(__version__)
