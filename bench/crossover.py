"""Measure where each `_mt` kernel starts to beat its single-threaded twin.

    python bench/crossover.py [--threads N]

For every `_mt` ufunc in the kernel table, forces it parallel at every size
(grain 1, through the private hook snake._snake._set_mt_grain), times it and
the single-threaded ufunc over sizes 2^10..2^23 and the midpoints between
them (best of repeats), and
reports the smallest size from which the threaded version is at least 10%
faster at every larger size. The suggested table value `mt_grain` is half
of that size (float32 sizes counted as half as many float64 elements, as
the table counts them): the `_mt` ufunc goes parallel once every thread
gets at least `mt_grain` float64-sized elements. Copy the suggestion into kernels.def.
"""
from __future__ import annotations

import argparse
import numpy as np

import snake
from snake import _snake
from snake._bench import CASES, base_name, best_time, fmt_time

WIN = 1.10
# 2^10..2^23 and the midpoints 1.5 * 2^k between them.
SIZES = sorted({1 << k for k in range(10, 24)} | {3 << k for k in range(9, 22)})


def measure(name: str, dtype, repeat: int):
    st = getattr(snake, base_name(name))
    mt = getattr(snake, name)
    rng = np.random.default_rng(1)
    old = _snake._set_mt_grain(name, 1)
    rows = []
    try:
        for n in SIZES:
            args = CASES[base_name(name)]["inputs"](n, dtype, rng)
            t_st = best_time(lambda: st(*args), repeat)
            t_mt = best_time(lambda: mt(*args), repeat)
            rows.append((n, t_st, t_mt))
            print(f"  {name:<12} {np.dtype(dtype).name:<8} n={n:<8} st {fmt_time(t_st):>9}  "
                  f"mt {fmt_time(t_mt):>9}  speedup {t_st / t_mt:5.2f}x", flush=True)
    finally:
        _snake._set_mt_grain(name, old)
    crossover = None
    for n, t_st, t_mt in reversed(rows):
        if t_st / t_mt < WIN:
            break
        crossover = n
    return crossover, old


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=snake.get_num_threads())
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--kernels", nargs="*", help="_mt names (default: all)")
    a = p.parse_args(argv)
    snake.set_num_threads(a.threads)
    print(f"{snake.build_info()}; threads={a.threads}")
    for k in snake.kernels():
        if k.mt_grain == 0 or (a.kernels and k.name not in a.kernels):
            continue
        found = [measure(k.name, dt, a.repeat) for dt in (np.float64, np.float32)]
        # The table counts float64-sized elements; float32 loops get twice
        # the table's elements per thread (module.c SNAKE_GRAIN_FOR).
        points = [c // scale for (c, _), scale in zip(found, (1, 2)) if c is not None]
        if not points:
            print(f"{k.name}: threads never won by {WIN:.2f}x up to 2^23; keep the table value {k.mt_grain}")
            continue
        suggestion = max(points) // 2
        print(f"{k.name}: parallel wins from n = {[c for c, _ in found]} (float64, float32); "
              f"suggested mt_grain = {suggestion} (table has {k.mt_grain})")


if __name__ == "__main__":
    main()
