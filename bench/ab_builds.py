"""Two builds of snake's extension module timed in one process, calls alternated.

On a shared VM the same call varies by 30% or more from minute to minute;
two builds timed by separate processes minutes apart differ by that much
whatever the change. Here both extension modules are loaded side by side
(as old._snake and new._snake) and each round times one after the other,
the order alternating, so both see the same machine; the best of the
rounds counts.

    git worktree add /tmp/old HEAD && (cd /tmp/old && python tools/swiftbuild.py inplace)
    python bench/ab_builds.py /tmp/old/python/snake normalize 100,10000:float32 1000,1000:float64

Only the ufuncs are used (no Python wrapper): `kernel(x, axis=AXIS, out=out)`,
with `y = x[::-1]` as dot's second operand and `--window` rolling_sum's
window; `--axis -1` times rows,
`--no-out` lets NumPy allocate the output.
"""
import argparse
import glob
import importlib.util
import os
import sys
import time
import types

import numpy as np


def load(tag, folder):
    """The _snake extension module in `folder`, imported as `tag`._snake."""
    pkg = types.ModuleType(tag)
    pkg.__path__ = []
    sys.modules[tag] = pkg
    path = glob.glob(os.path.join(folder, "_snake*.so")) + glob.glob(os.path.join(folder, "_snake*.pyd"))
    if not path:
        sys.exit(f"ab_builds: no built _snake module in {folder}")
    spec = importlib.util.spec_from_file_location(tag + "._snake", path[0])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python", "snake")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", help="folder holding the other build's _snake module")
    ap.add_argument("kernel")
    ap.add_argument("cases", nargs="+", help="SHAPE:DTYPE, e.g. 100,10000:float32")
    ap.add_argument("--new", default=here, help="folder of the build compared (default: this checkout's)")
    ap.add_argument("--axis", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--no-out", action="store_true", help="let NumPy allocate each output")
    ap.add_argument("--window", type=int, default=10, help="rolling_sum's window")
    a = ap.parse_args()
    old, new = load("old", a.old), load("new", a.new)
    for case in a.cases:
        shape_text, dtype = case.split(":")
        shape = tuple(int(s) for s in shape_text.split(","))
        x = np.random.default_rng(1).standard_normal(shape).astype(dtype)
        keeps_shape = a.kernel in ("normalize", "cumsum", "softmax", "relu", "gelu", "rolling_sum")
        out = np.empty_like(x) if keeps_shape else np.empty(np.delete(shape, a.axis), x.dtype)
        args = (x, x[::-1]) if a.kernel == "dot" else (x, a.window) if a.kernel == "rolling_sum" else (x,)
        calls = {"old": getattr(old, a.kernel), "new": getattr(new, a.kernel)}
        # Identical bits first: the builds are meant to compute the same thing.
        o = {} if a.no_out else {"out": out}
        bits = lambda r: np.ascontiguousarray(r).view(np.uint8)
        same = np.array_equal(bits(calls["old"](*args, axis=a.axis, **o)), bits(calls["new"](*args, axis=a.axis, **o)))
        reps = max(1, int(2e7 / x.size))
        best = {"old": float("inf"), "new": float("inf")}
        for r in range(a.rounds):
            for tag in ("old", "new") if r % 2 == 0 else ("new", "old"):
                f = calls[tag]
                t = time.perf_counter()
                for _ in range(reps):
                    f(*args, axis=a.axis, **o)
                best[tag] = min(best[tag], (time.perf_counter() - t) / reps / x.size * 1e9)
        print(f"{a.kernel} {shape} {dtype}: old {best['old']:.3f}, new {best['new']:.3f} ns/element, "
              f"new/old {best['new'] / best['old']:.3f}{'' if same else ', RESULTS DIFFER'}")


if __name__ == "__main__":
    main()
