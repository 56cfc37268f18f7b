"""What a ufunc call and a row of n float64 cost each other in the caches.

The bench's numba sum_sq loop runs on a row of n float64, alternating with
a one-element call of something else (or with nothing: a Python no-op),
and each of the two calls is timed on its own (median of single-call
times, perf_counter_ns; the timer's own cost is in every figure alike).
Compared with the no-op, a rise in the numba call's time means the call in
between evicted part of the row from L2; a rise in that call's time over
its time alone (called back to back) means the row evicted the call's own
code and data. Measures the reductions-at-1e5 rows of the README.

    python bench/call_interference.py [--sizes 25000 50000 100000 130000]

Needs numba (pip install .[bench]).
"""
from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

import numpy as np

import snake

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import numba_kernels  # noqa: E402


def alternate(first, second, count):
    """Median ns of first() and of second(), called alternately."""
    clock = time.perf_counter_ns
    a, b = [], []
    for _ in range(count):
        t0 = clock()
        first()
        t1 = clock()
        second()
        t2 = clock()
        a.append(t1 - t0)
        b.append(t2 - t1)
    return statistics.median(a), statistics.median(b)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 50_000, 100_000, 130_000])
    parser.add_argument("--calls", type=int, default=4000, help="alternations per measurement")
    args = parser.parse_args()

    numba_sum_sq = numba_kernels.compiled(False).sum_sq
    one, one_out = np.ones(1), np.ones(1)
    between = {  # one-element calls made between the numba calls
        "no-op": lambda: None,
        "numba sum_sq": lambda: numba_sum_sq(one),
        "snake.sum_sq": lambda: snake.sum_sq(one),
        "np.vecdot": lambda: np.vecdot(one, one),
        "np.negative out=": lambda: np.negative(one, out=one_out),
        "snake.relu out=": lambda: snake.relu(one, out=one_out),
    }
    numba_sum_sq(one)
    alone = {name: alternate(call, call, args.calls)[1] for name, call in between.items()}
    print("one-element call alone (called back to back), median ns: "
          + ", ".join(f"{name} {t:.0f}" for name, t in alone.items()))
    print("\nEach cell: the numba call's time on the row, then the call in between's time "
          "minus its time alone (ns, medians).\n")
    print("| n | snake.sum_sq(x) | " + " | ".join(f"numba(x) / {name}" for name in between) + " |")
    print("|---:" * (2 + len(between)) + "|")
    rng = np.random.default_rng(1)
    for n in args.sizes:
        x = rng.random(n)
        snake_x, _ = alternate(lambda: snake.sum_sq(x), between["no-op"], args.calls)
        cells = []
        for name, call in between.items():
            row, other = alternate(lambda: numba_sum_sq(x), call, args.calls)
            cells.append(f"{row:.0f} / {other - alone[name]:+.0f}")
        print(f"| {n} | {snake_x:.0f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
