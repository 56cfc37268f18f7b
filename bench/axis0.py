"""Reductions and row kernels along axis 0 of C-ordered arrays, against
NumPy's own axis-0 expression (rolling_sum: bottleneck's move_sum, window
30), in one process.

Along axis 0 the rows a kernel sees are the columns of the array: adjacent
in memory (row stride = element size), each strided by the array's width.
snake runs them 8 at a time (the column path, Sources/SnakeKernels/Support/
Drivers.swift, "Columns"). Each result is checked before it is timed: the
same bits as the kernel on each column alone (the strided path), and close
to the peer's. Outputs are preallocated where the peer's call takes
`out=` (bottleneck's allocates; snake's rolling_sum still writes into one).

    python bench/axis0.py [--kernels sum_sq,cumsum] [--dtypes float64,int32] [--repeat 7]

Prints a markdown table: ns per element (best of --repeat) and the peer's
time over snake's (> 1: snake is faster).
"""
import argparse
import timeit

try:
    import bottleneck
except ImportError:  # an optional extra: rolling_sum is then left out
    bottleneck = None

import numpy as np

import snake

WINDOW = 30
SHAPES = [(100_000, 8), (10_000, 100), (1000, 1000), (100, 10_000), (100_000, 100), (20_000, 1000)]
FLOATS = ("float64", "float32")


def wide_einsum(x, y):
    # Integer inputs: products summed in int64, as snake's NUM_WIDE loops.
    return np.einsum("ij,ij->j", x, y, dtype=np.int64 if x.dtype.kind in "iu" else None, casting="unsafe")


def cases(x):
    """name -> (snake call, peer call, snake's per-column call) on x."""
    m = x.shape[1]
    acc = np.int64 if x.dtype.kind in "iu" else x.dtype
    o1 = np.empty(m, acc)
    oi = np.empty(m, np.intp)
    oc = np.empty(x.shape, acc)
    y = x[::-1]
    c = {
        "sum_sq": (lambda: snake.sum_sq(x, axis=0, out=o1), lambda: wide_einsum(x, x), lambda j: snake.sum_sq(x[:, j])),
        "dot": (lambda: snake.dot(x, y, axis=0, out=o1), lambda: wide_einsum(x, y), lambda j: snake.dot(x[:, j], y[:, j])),
        "argmax": (lambda: snake.argmax(x, axis=0, out=oi), lambda: np.argmax(x, axis=0, out=oi),
                   lambda j: snake.argmax(x[:, j])),
        "cumsum": (lambda: snake.cumsum(x, axis=0, out=oc), lambda: np.cumsum(x, axis=0, dtype=acc, out=oc),
                   lambda j: snake.cumsum(x[:, j])),
    }
    if x.dtype.name in FLOATS:
        c["variance"] = (lambda: snake.variance(x, axis=0, out=o1), lambda: np.var(x, axis=0, out=o1),
                         lambda j: snake.variance(x[:, j]))
        c["normalize"] = (lambda: snake.normalize(x, axis=0, out=oc),
                          lambda: np.divide(x, np.sqrt(np.einsum("ij,ij->j", x, x)), out=oc),
                          lambda j: snake.normalize(x[:, j]))
        c["softmax"] = (lambda: snake.softmax(x, axis=0, out=oc), lambda: numpy_softmax(x, oc),
                        lambda j: snake.softmax(x[:, j]))
        if bottleneck is not None:
            c["rolling_sum"] = (lambda: snake.rolling_sum(x, WINDOW, axis=0, out=oc),
                                lambda: bottleneck.move_sum(x, WINDOW, axis=0, min_count=1),
                                lambda j: snake.rolling_sum(x[:, j], WINDOW))
    return c


def numpy_softmax(x, out):
    """NumPy's softmax along axis 0 in three passes, into out."""
    np.subtract(x, x.max(axis=0), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=0)
    return out


def best(f, repeat):
    t = timeit.Timer(f)
    number, _ = t.autorange()
    return min(t.repeat(repeat, number)) / number


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernels", default="sum_sq,dot,variance,argmax,normalize,cumsum,softmax,rolling_sum")
    ap.add_argument("--dtypes", default="float64,float32,int64,int32,uint8")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print("| kernel | dtype | shape | snake ns/el | peer ns/el | peer / snake |")
    print("|---|---|---|---|---|---|")
    for name in args.kernels.split(","):
        for dt in args.dtypes.split(","):
            for shape in SHAPES:
                a = rng.standard_normal(shape) * 50
                x = (np.abs(a) if dt == "uint8" else a).astype(dt)
                c = cases(x)
                if name not in c:
                    continue
                ours, numpy_call, column = c[name]
                got = np.array(ours(), copy=True)
                want = np.stack([column(j) for j in range(shape[1])], axis=-1)
                assert np.array_equal(got, want, equal_nan=True), (name, dt, shape, "column bits")
                theirs = np.asarray(numpy_call())
                if x.dtype.kind == "f":
                    # Scaled to the largest result: float32 running sums
                    # (NumPy's in float32, snake's in float64) part near zero.
                    tol = 1e-4 if dt == "float32" else 1e-10
                    np.testing.assert_allclose(got, theirs, rtol=tol, atol=tol * np.max(np.abs(theirs)))
                else:
                    assert np.array_equal(got, theirs), (name, dt, shape, "peer")
                ts, tn = best(ours, args.repeat), best(numpy_call, args.repeat)
                print(f"| {name} | {dt} | {shape[0]} x {shape[1]} | {ts / x.size * 1e9:.3f} | "
                      f"{tn / x.size * 1e9:.3f} | {tn / ts:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
