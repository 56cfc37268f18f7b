"""rolling_sum against bottleneck's move_sum at windows other than the bench's 100.

The bench times one window; this sweeps windows and row shapes, snake's
`rolling_sum(x, w, out=o)` against `bottleneck.move_sum(x, w, min_count=1)`
(the same partial windows at the start), float64 and float32, best of
`--repeat` repeats (snake._bench.best_time, 2 ms each) in each of three
rounds, all in one process. With `--old FOLDER` (a folder holding another
build's `_snake*.so`, see ab_builds.py) that build is timed alongside, and
every result is checked against it bit for bit before it is timed.

    python bench/rolling_windows.py
    python bench/rolling_windows.py --shapes 100000 1000,1000 --windows 3 10 100 --old /tmp/old/python/snake

Prints ns per element and snake's speed-up (> 1: snake faster).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", nargs="+", default=["100000", "100,10000", "1000,1000", "10000,100"])
    ap.add_argument("--windows", nargs="+", type=int, default=[2, 3, 5, 7, 10, 20, 30, 50, 100, 256, 1000])
    ap.add_argument("--dtypes", nargs="+", default=["float64", "float32"])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--old", help="folder with another build's _snake module, timed alongside")
    args = ap.parse_args()

    import bottleneck as bn
    import snake
    from snake import _snake as new
    from snake._bench import best_time
    old = None
    if args.old:
        from ab_builds import load
        old = load("old", args.old)
    info = snake.build_info()
    print(f"snake {info['version']} ({info['simd']}), bottleneck {bn.__version__}, NumPy {np.__version__}")
    rng = np.random.default_rng(0)
    for spec in args.shapes:
        shape = tuple(int(float(s)) for s in spec.split(","))
        for dtype in args.dtypes:
            x = rng.standard_normal(shape).astype(dtype)
            out = np.empty_like(x)
            for w in args.windows:
                if w > shape[-1]:
                    continue
                runs = {"snake": lambda: new.rolling_sum(x, w, out=out),
                        "bottleneck": lambda: bn.move_sum(x, w, min_count=1, axis=-1)}
                ref = bn.move_sum(x.astype(np.float64), w, min_count=1, axis=-1)
                got = new.rolling_sum(x, w)
                tol = 1e-9 if dtype == "float64" else 1e-3
                if not np.allclose(got, ref, rtol=tol, atol=tol * w):
                    sys.exit(f"rolling_windows: snake's result differs from bottleneck's at {shape} {dtype} w={w}")
                if old is not None:
                    if not np.array_equal(got.view(np.uint8), old.rolling_sum(x, w).view(np.uint8)):
                        sys.exit(f"rolling_windows: the two builds differ at {shape} {dtype} w={w}")
                    runs["old"] = lambda: old.rolling_sum(x, w, out=out)
                t = {}
                for _ in range(3):  # rounds, the order rotated
                    for name in list(runs):
                        t[name] = min(t.get(name, np.inf), best_time(runs[name], args.repeat, min_time=0.002))
                    runs = dict(list(runs.items())[1:] + list(runs.items())[:1])
                ns = {k: v / x.size * 1e9 for k, v in t.items()}
                line = (f"{spec:>12} {dtype:8} w={w:5d}  snake {ns['snake']:.3f}  bottleneck {ns['bottleneck']:.3f} ns/el"
                        f"  snake/bottleneck {t['bottleneck'] / t['snake']:.2f}x")
                if old is not None:
                    line += f"  old {ns['old']:.3f} (new/old {t['old'] / t['snake']:.2f}x)"
                print(line, flush=True)


if __name__ == "__main__":
    main()
