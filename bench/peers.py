"""The peers bench.py times snake against: one table of expressions per package.

A peer is one way of running a package: its column in the tables, which
comparisons it takes part in (single-threaded peers in both: with snake,
"st", and with the `_mt` twin, "mt", since on all cores a user may still pick
a one-thread expression; multi-threaded ones only in "mt"), how its threads
are pinned while it runs, and its expression per kernel. An expression takes the
case's arguments (python/snake/_bench.py CASES) and, for kernels that return
an array of the input's shape, `out=`: a preallocated output it writes into
where the package can (else it returns a new array and ignores `out`). A
kernel missing from a table has no equivalent in that package. Every package
is optional: `load()` reports the ones that are not installed.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import os
from dataclasses import dataclass
from typing import Callable

import numpy as np

from snake._bench import CASES, GELU_C, GELU_K

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _output(out, like):
    return np.empty_like(like) if out is None else out


# --- NumPy: the expressions of the cases themselves --------------------------

def _numpy_table(np_module):
    return {name: case["numpy"] for name, case in CASES.items()}


def _blas_threads(n):
    from threadpoolctl import threadpool_limits  # required by bench.py (pip install .[bench])
    return lambda: threadpool_limits(limits=n, user_api="blas")


# --- numexpr -----------------------------------------------------------------

def _numexpr_table(ne):
    def ev(expr, out=None, **names):
        return ne.evaluate(expr, local_dict=names, out=out)

    def softmax(x, out=None):
        e = ev("exp(x - m)", out, x=x, m=x.max())
        return ev("e / s", e, e=e, s=ev("sum(e)", e=e))

    def gelu(x, out=None):
        t = x.dtype.type  # constants in x's dtype: float32 stays float32
        return ev("h * x * (1 + tanh(c * (x + k * x**3)))", out, x=x, h=t(0.5), c=t(GELU_C), k=t(GELU_K))

    return {
        "sum_sq": lambda x: ev("sum(x * x)", x=x),
        "dot": lambda a, b: ev("sum(a * b)", a=a, b=b),
        "variance": lambda x: ev("sum((x - m) ** 2)", x=x, m=ev("sum(x)", x=x) / x.size) / x.size,
        "normalize": lambda x, out=None: ev("x / r", out, x=x, r=np.sqrt(ev("sum(x * x)", x=x))),
        "softmax": softmax,
        "clip": lambda x, lo, hi, out=None: ev("where(x < lo, lo, where(x > hi, hi, x))", out, x=x, lo=lo, hi=hi),
        "relu": lambda x, out=None: ev("where(x <= 0, 0, x)", out, x=x),
        "gelu": gelu,
        "scale": lambda x, s, out=None: ev("x * s", out, x=x, s=s),
        "saxpy": lambda a, b, s, out=None: ev("a + s * b", out, a=a, b=b, s=s),
    }


def _numexpr_threads(n):
    @contextlib.contextmanager
    def pinned():
        import numexpr
        previous = numexpr.set_num_threads(n)
        try:
            yield
        finally:
            numexpr.set_num_threads(previous)
    return pinned


# --- numba -------------------------------------------------------------------

def _numba_table(parallel: bool):
    def table(numba):
        import numba_kernels  # bench/numba_kernels.py; imports numba
        k = numba_kernels.compiled(parallel)
        chunks = CORES if parallel else 1

        def gelu(x, out=None):
            t = x.dtype.type
            return k.gelu(x, t(0.5), t(GELU_C), t(GELU_K), _output(out, x))

        def histogram(x, n_bins, lo, hi):
            edges = np.linspace(lo, hi, n_bins + 1, dtype=np.result_type(lo, hi, x))  # as np.histogram's
            return k.histogram(x, n_bins, lo, hi, edges, chunks)

        return {
            "sum_sq": k.sum_sq,
            "dot": k.dot,
            "variance": k.variance,
            "cumsum": lambda x, out=None: k.cumsum(x, _output(out, x), chunks),
            "normalize": lambda x, out=None: k.normalize(x, _output(out, x)),
            "softmax": lambda x, out=None: k.softmax(x, _output(out, x), chunks),
            "argmax": lambda x: k.argmax(x, chunks),
            "clip": lambda x, lo, hi, out=None: k.clip(x, lo, hi, _output(out, x)),
            "relu": lambda x, out=None: k.relu(x, _output(out, x)),
            "gelu": gelu,
            "scale": lambda x, s, out=None: k.scale(x, s, _output(out, x)),
            "saxpy": lambda a, b, s, out=None: k.saxpy(a, b, s, _output(out, a)),
            "rolling_sum": lambda x, w, out=None: k.rolling_sum(x, w, _output(out, x), chunks),
            "histogram": histogram,
        }
    return table


def _numba_threads(n):
    @contextlib.contextmanager
    def pinned():
        import numba
        previous = numba.get_num_threads()
        numba.set_num_threads(n)
        try:
            yield
        finally:
            numba.set_num_threads(previous)
    return pinned


# --- bottleneck, NumKong, SciPy: single-threaded packages ---------------------

def _bottleneck_table(bn):
    return {
        "sum_sq": bn.ss,
        "variance": bn.nanvar,  # ddof=0, as snake
        "argmax": bn.nanargmax,
        "rolling_sum": lambda x, w, out=None: bn.move_sum(x, w, min_count=1),  # partial first windows
    }


def _numkong_table(nk):
    def into(out, fn, *args, **kwargs):
        """NumKong writes into `out` and returns None, or returns a new Tensor."""
        if out is None:
            return np.asarray(fn(*args, **kwargs))
        fn(*args, out=out, **kwargs)
        return out

    def variance(x):
        total, squares = nk.moments(x)
        mean = total / x.size
        return squares / x.size - mean * mean

    return {
        "sum_sq": lambda x: nk.dot(x, x),
        "dot": nk.dot,
        "variance": variance,
        "argmax": nk.argmax,
        "normalize": lambda x, out=None: into(out, nk.scale, x, alpha=1.0 / nk.norm(x)),
        "scale": lambda x, s, out=None: into(out, nk.scale, x, alpha=float(s)),
        "saxpy": lambda a, b, s, out=None: into(out, nk.blend, a, b, alpha=1.0, beta=float(s)),
    }


def _scipy_table(special):
    return {"softmax": lambda x, out=None: special.softmax(x)}


def _unpinned():
    return contextlib.nullcontext()


@dataclass(frozen=True)
class Peer:
    key: str            # JSON key and table column
    label: str          # column header
    module: str         # what to import
    dist: str           # the distribution whose version is reported
    modes: tuple        # "st": compared with snake, "mt": with its _mt twin
    threads: Callable   # () -> context manager pinning the peer's threads while it runs
    table: Callable     # imported module -> {kernel: expression}
    floats_only: bool = True  # integer rows: NumPy only


PEERS = (
    Peer("numpy_1t", "NumPy 1t", "numpy", "numpy", ("st", "mt"), _blas_threads(1), _numpy_table, floats_only=False),
    Peer("numpy", "NumPy default", "numpy", "numpy", ("mt",), _unpinned, _numpy_table, floats_only=False),
    Peer("numexpr_1t", "numexpr 1t", "numexpr", "numexpr", ("st", "mt"), _numexpr_threads(1), _numexpr_table),
    Peer("numexpr", f"numexpr {CORES}t", "numexpr", "numexpr", ("mt",), _numexpr_threads(CORES), _numexpr_table),
    Peer("numba", "numba", "numba", "numba", ("st", "mt"), _unpinned, _numba_table(parallel=False)),
    Peer("numba_par", "numba parallel", "numba", "numba", ("mt",), _numba_threads(CORES), _numba_table(parallel=True)),
    Peer("bottleneck", "bottleneck", "bottleneck", "bottleneck", ("st", "mt"), _unpinned, _bottleneck_table),
    Peer("numkong", "NumKong", "numkong", "numkong", ("st", "mt"), _unpinned, _numkong_table),
    Peer("scipy", "SciPy", "scipy.special", "scipy", ("st", "mt"), _unpinned, _scipy_table),
)


@dataclass
class Loaded:
    peer: Peer
    version: str | None              # None: not installed
    expressions: dict                # kernel -> expression ({} when not installed)
    problem: str = ""                # why it is missing

    def expression(self, kernel: str, dtype):
        """The peer's expression for this kernel and dtype, or None."""
        if self.peer.floats_only and np.dtype(dtype).kind != "f":
            return None
        return self.expressions.get(kernel)


def load(peers=PEERS) -> list[Loaded]:
    """Import every peer that is installed; the others come back with version None."""
    loaded = []
    for p in peers:
        try:
            module = importlib.import_module(p.module)
            expressions = p.table(module)
        except ImportError as e:
            loaded.append(Loaded(p, None, {}, f"not installed ({e})"))
            continue
        loaded.append(Loaded(p, importlib.metadata.version(p.dist), expressions))
    return loaded
