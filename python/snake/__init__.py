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
import, or threadpoolctl's ``threadpool_limits``).
"""
__version__ = "0.1.0"

from typing import NamedTuple as _NamedTuple

import numpy as _np

from . import _snake
from ._snake import get_num_threads, set_num_threads
from ._threads import register_threadpoolctl as _register_threadpoolctl
from ._threads import threads
from ._threads import threads_from_env as _threads_from_env


class Kernel(_NamedTuple):
    """One registered ufunc, as declared in the kernel table."""

    name: str
    kind: str  # loop shape: REDUCE, REDUCE2, INDEX, MAP3
    mt_grain: int  # 0: single-threaded; else min elements per thread
    ufunc: _np.ufunc


def kernels() -> tuple[Kernel, ...]:
    """Every snake ufunc, in kernel-table order."""
    return tuple(Kernel(n, k, g, getattr(_snake, n)) for n, k, g in _snake.kernel_table)


globals().update({k.name: k.ufunc for k in kernels()})

__all__ = [k.name for k in kernels()] + [
    "Kernel",
    "kernels",
    "get_num_threads",
    "set_num_threads",
    "threads",
    "build_info",
]


def build_info() -> dict:
    """Version, CPU level the kernels were compiled for, and thread count."""
    return {
        "version": __version__,
        "march": _snake.build_march,
        "threads": get_num_threads(),
        "numpy": _np.__version__,
    }


_threads_from_env()
_register_threadpoolctl(__version__)
