"""What a call costs a row in the caches: the bench's numba sum_sq loop on a
row of n float64, timed alone and with a one-element call of something else
after each of its calls. With nothing between its calls, a row up to the
size of L2 stays there; what the call in between executes and touches
(code and data) evicts part of it, and the next numba call reads that part
from L3. The excess (the pair's time minus the two calls timed alone) is
that cost: near zero while the row leaves room in L2, growing once it fills
it. Measures the reductions-at-1e5 rows of the README.

    python bench/call_interference.py [--sizes 25000 50000 100000 130000]

Needs numba (pip install .[bench]).
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import timeit

import numpy as np

import snake

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import numba_kernels  # noqa: E402


def best_ns(call, number):
    """Best of 7 repeats of `number` calls, in ns per call."""
    return min(timeit.repeat(call, number=number, repeat=7)) / number * 1e9


def best_of_rounds(calls, number, rounds=5):
    """Each call's best_ns, the calls taken in turn for several rounds (so a
    noisy moment does not land on one of them only)."""
    times = {name: float("inf") for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            times[name] = min(times[name], best_ns(call, number))
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 50_000, 100_000, 130_000])
    args = parser.parse_args()

    numba_sum_sq = numba_kernels.compiled(False).sum_sq
    one, one_out = np.ones(1), np.ones(1)
    between = {  # one-element calls made between the numba calls
        "numba sum_sq": lambda: numba_sum_sq(one),
        "snake.sum_sq": lambda: snake.sum_sq(one),
        "np.vecdot": lambda: np.vecdot(one, one),
        "np.negative out=": lambda: np.negative(one, out=one_out),
        "snake.relu out=": lambda: snake.relu(one, out=one_out),
    }
    numba_sum_sq(one)
    alone = best_of_rounds(between, 20000)
    print("one-element call alone, ns: " + ", ".join(f"{name} {t:.0f}" for name, t in alone.items()))
    print()
    print("| n | numba sum_sq(x) | snake.sum_sq(x) | " + " | ".join(f"+ {name}" for name in between) + " |")
    print("|---:" * (3 + len(between)) + "|")
    rng = np.random.default_rng(1)
    for n in args.sizes:
        x = rng.random(n)
        calls = {"numba": lambda: numba_sum_sq(x), "snake": lambda: snake.sum_sq(x)}
        for name, call in between.items():
            calls[name] = lambda call=call: (numba_sum_sq(x), call())
        t = best_of_rounds(calls, max(200, 20_000_000 // n))
        excess = [t[name] - t["numba"] - alone[name] for name in between]
        print(f"| {n} | {t['numba']:.0f} | {t['snake']:.0f} | " + " | ".join(f"{e:+.0f}" for e in excess) + " |")
    print("\nExcess: ns per pair beyond the two calls alone (about +100 is the tuple and lambda).")


if __name__ == "__main__":
    main()
