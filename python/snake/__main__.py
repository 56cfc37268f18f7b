"""`python -m snake`: what this build is, and a live side-by-side run.

Prints the version, the SIMD tier the kernels run at and the
thread count, then times every kernel on this machine against the NumPy
expression a user would write and a pure-Python loop (float64, n = 100 000,
best of 5). The full benchmark is bench/bench.py.
"""
import argparse
import platform

import numpy as np

import snake
from snake._bench import CASES, base_name, best_time, fmt_time, matches, python_args


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m snake", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, default=100_000, help="array length (default 100000)")
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args(argv)
    info = snake.build_info()
    print(f"snake {info['version']}  (NumPy {info['numpy']}, Python {platform.python_version()})")
    print(f"SIMD tier:  {info['simd']} (best of this CPU unless SNAKE_SIMD forces one; snake.show_config())")
    print(f"threads:    {info['threads']} (_mt kernels; snake.set_num_threads / SNAKE_NUM_THREADS)")
    print(f"kernels:    {', '.join(k.name for k in snake.kernels())}")
    print(f"\nfloat64, n = {a.n}, best of {a.repeat}, this machine, now:\n")
    print(f"{'kernel':<10}{'snake':>12}{'NumPy':>12}{'Python loop':>14}{'vs NumPy':>10}{'vs Python':>11}")
    rng = np.random.default_rng(0)
    for name in dict.fromkeys(base_name(k.name) for k in snake.kernels()):
        case = CASES[name]
        args = case["inputs"](a.n, np.float64, rng)
        fn = getattr(snake, name)
        got, want = fn(*args), case["reference"](*args)
        if not matches(got, want, case["exact"], np.float64):
            raise SystemExit(f"{name}: snake gave {got!r}, the reference {want!r}")
        t_snake = best_time(lambda: fn(*args), a.repeat)
        t_numpy = best_time(lambda: case["numpy"](*args), a.repeat)
        py = python_args(args)
        t_py = best_time(lambda: case["python"](*py), 2, min_time=0.0)
        print(f"{name:<10}{fmt_time(t_snake):>12}{fmt_time(t_numpy):>12}{fmt_time(t_py):>14}"
              f"{t_numpy / t_snake:>9.2f}x{t_py / t_snake:>10.0f}x")


if __name__ == "__main__":
    main()
