"""Every `_mt` kernel against its single-threaded twin over layouts the
bench's rows do not cover: strided and Fortran-order inputs, many short
rows, few long rows, reductions along axis 0, broadcast operands, windows
as long as the row. Issue 5 asks that `_mt` is never slower than
single-threaded; this lists each case's ratio and marks those under
--below (default 0.9). Outputs are preallocated (`out=`), as in bench.py,
so a ratio compares the kernels, not the allocator.

    python bench/mt_sweep.py [--kernels relu,cumsum] [--below 0.9] [--repeat 9]

A marked case is worth timing again: on a shared 2-vCPU VM a single
measurement is often the second vCPU being busy elsewhere.
"""
import argparse
import timeit

import numpy as np

import snake

FLOATS_ONLY = {"gelu", "variance", "softmax", "normalize"}
DTYPES = (np.float64, np.float32, np.int64, np.int32, np.uint8)
# (shape, layout): C order, every other element of a twice-as-wide array,
# or the transpose of a C array (Fortran order).
SHAPES = [((1_000_000,), "C"), ((1_000_000,), "step2"), ((1000, 1000), "C"), ((1000, 1000), "T"),
          ((100_000, 10), "C"), ((10, 100_000), "C"), ((100_000, 10), "T"), ((200, 5000), "C")]


def make(shape, dtype, layout, rng):
    wide = shape[:-1] + (2 * shape[-1],) if layout == "step2" else shape[::-1] if layout == "T" else shape
    a = rng.standard_normal(wide) * 50
    a = (np.abs(a) if dtype == np.uint8 else a).astype(dtype)
    return a[..., ::2] if layout == "step2" else a.T if layout == "T" else a


def cases(name, x):
    """(tag, call) pairs; call(f) runs kernel f on x with its operands."""
    t = x.dtype.type
    if name in ("relu", "gelu"):
        out = np.empty_like(x)
        return [("", lambda f: f(x, out=out))]
    if name == "clip":
        out = np.empty_like(x)
        return [("", lambda f: f(x, t(1), t(5), out=out))]
    if name == "scale":
        out = np.empty_like(x)
        return [("", lambda f: f(x, t(3), out=out))]
    if name == "saxpy":
        b, out = x.copy(), np.empty_like(x)
        column = x[..., :1]
        return [("", lambda f: f(x, b, t(2), out=out)), ("b[..., :1]", lambda f: f(x, column, t(2), out=out))]
    if name in ("sum_sq", "argmax", "variance"):
        r = [("", lambda f: f(x))]
        if x.ndim == 2:
            r.append(("axis=0", lambda f: f(x, axis=0)))
        return r
    if name == "dot":
        y = x.copy()
        r = [("", lambda f: f(x, y))]
        if x.ndim == 2:
            r.append(("axes 0", lambda f: f(x, y, axes=[(0,), (0,), ()])))
        return r
    if name in ("cumsum", "softmax", "normalize"):
        out = np.empty(x.shape, np.int64 if name == "cumsum" and x.dtype.kind in "iu" else x.dtype)
        r = [("", lambda f: f(x, out=out))]
        if x.ndim == 2:
            out0 = np.empty_like(out)
            r.append(("axis=0", lambda f: f(x, axis=0, out=out0)))
        return r
    if name == "rolling_sum":
        n = x.shape[-1]
        out = np.empty(x.shape, np.int64 if x.dtype.kind in "iu" else x.dtype)
        return [(f"w={w}", lambda f, w=w: f(x, w, out=out)) for w in (7, max(1, n // 3), n)]
    raise KeyError(name)


def best(call, repeat):
    call()
    number = 3
    return min(timeit.repeat(call, number=number, repeat=repeat)) / number


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kernels", default="relu,gelu,clip,scale,saxpy,sum_sq,dot,argmax,variance,cumsum,"
                                        "softmax,normalize,rolling_sum")
    p.add_argument("--below", type=float, default=0.9)
    p.add_argument("--repeat", type=int, default=9)
    args = p.parse_args()
    rng = np.random.default_rng(0)
    print(f"snake {snake.__version__}, {snake.get_num_threads()} threads; single / _mt, best of {args.repeat}")
    marked = 0
    for name in args.kernels.split(","):
        single, mt = getattr(snake, name), getattr(snake, name + "_mt")
        for dtype in DTYPES:
            if name in FLOATS_ONLY and np.dtype(dtype).kind != "f":
                continue
            for shape, layout in SHAPES:
                x = make(shape, dtype, layout, rng)
                for tag, call in cases(name, x):
                    t1 = best(lambda: call(single), args.repeat)
                    t2 = best(lambda: call(mt), args.repeat)
                    mark = "  <" if t1 / t2 < args.below else ""
                    marked += bool(mark)
                    print(f"{name:11s} {np.dtype(dtype).name:7s} {str(shape):13s} {layout:5s} {tag:10s} "
                          f"{t1 * 1e6:9.1f} {t2 * 1e6:9.1f} µs  {t1 / t2:5.2f}x{mark}", flush=True)
    print(f"{marked} case(s) under {args.below}x")


if __name__ == "__main__":
    main()
