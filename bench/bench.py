"""snake benchmark: every kernel against NumPy and a pure-Python loop.

    python bench/bench.py            # sizes 1e2..1e8, float64 and float32
    python bench/bench.py --quick    # sizes 1e3, 1e5, 1e7, fewer repeats

For each kernel of the kernel table (snake.kernels()), each size and dtype:
snake single-threaded, its `_mt` twin where the table has one, NumPy with
BLAS pinned to one thread (threadpoolctl) and with its default threads, and
a pure-Python loop (sizes up to 1e6; beyond that a full run takes too long).
snake's and the Python loop's results are checked against an accurate
reference (float64 accumulation) before they are timed; NumPy is the peer.
Times are best-of-repeats in this one process, so the ratios compare like
with like. Output: a markdown table on stdout and in bench/results/, plus
the raw numbers as JSON.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
from pathlib import Path

import numpy as np

import snake
from snake._bench import CASES, INTEGER_CASES, base_name, best_time, fmt_time, matches, python_args

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # optional extra: pip install .[bench]
    threadpool_limits = None

PYTHON_MAX_N = 10**6
INTEGER_SIZES = (10**3, 10**5, 10**7)  # integer rows: these sizes only


def check(name: str, got, want, exact: bool, dtype) -> None:
    if not matches(got, want, exact, dtype):
        raise SystemExit(f"{name}: result {got!r} does not match the reference {want!r}")


def blas_one_thread():
    if threadpool_limits is None:
        raise SystemExit("the benchmark needs threadpoolctl: pip install .[bench]")
    return threadpool_limits(limits=1, user_api="blas")


def run(sizes, dtypes, repeat, names):
    rows = []
    rng = np.random.default_rng(0)
    table = {k.name: k.function for k in snake.kernels()}
    missing = sorted({base_name(n) for n in table} - CASES.keys())
    if missing:
        raise SystemExit(f"bench/bench.py has no case for kernels {missing}")
    for name in names:
        case = CASES[name]
        st, mt = table[name], table.get(name + "_mt")
        for dt in dtypes:
            integer = np.dtype(dt).kind in "iu"
            if integer and name not in INTEGER_CASES:
                continue  # no native integer loop: NumPy casts to float64
            for n in sizes:
                if integer and n not in INTEGER_SIZES:
                    continue
                args = case["inputs"](n, dt, rng)
                want = case["reference"](*args)
                row = dict(kernel=name, dtype=np.dtype(dt).name, n=n)
                for label, fn in (("snake", st), ("snake_mt", mt)):
                    if fn is None:
                        continue
                    check(label + "." + name, fn(*args), want, case["exact"], dt)
                    row[label] = best_time(lambda: fn(*args), repeat)
                with blas_one_thread():
                    row["numpy_1t"] = best_time(lambda: case["numpy"](*args), repeat)
                row["numpy"] = best_time(lambda: case["numpy"](*args), repeat)
                if n <= PYTHON_MAX_N and not integer:
                    py = python_args(args)
                    call = lambda: case["python"](*py)  # noqa: E731
                    # Python loops compute in float64: exact only against float64.
                    check("python." + name, call(), want, case["exact"] and dt == np.float64, dt)
                    row["python"] = best_time(call, max(1, repeat // 2 + 1), min_time=0.0)
                rows.append(row)
                print(fmt_row(row), flush=True)
    return rows


HEADER = ("| kernel | dtype | n | snake | snake_mt | NumPy 1 thread | NumPy default | pure Python "
          "| snake vs NumPy 1t | _mt vs NumPy default | snake vs Python |\n"
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def ratio(a, b):
    return f"{a / b:.2f}x" if a is not None and b is not None else "—"


def fmt_row(r):
    g = r.get
    return (f"| {r['kernel']} | {r['dtype']} | {r['n']:.0e} | {fmt_time(g('snake'))} | {fmt_time(g('snake_mt'))} "
            f"| {fmt_time(g('numpy_1t'))} | {fmt_time(g('numpy'))} | {fmt_time(g('python'))} "
            f"| {ratio(g('numpy_1t'), g('snake'))} | {ratio(g('numpy'), g('snake_mt'))} "
            f"| {ratio(g('python'), g('snake'))} |")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = snake.build_info()
    return (f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, NumPy {np.__version__}, "
            f"snake {info['version']} SIMD tier {info['simd']}, {info['threads']} snake threads")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="sizes 1e3, 1e5, 1e7 and 3 repeats")
    p.add_argument("--kernels", nargs="*", default=list(CASES), help="base kernel names")
    p.add_argument("--dtypes", nargs="*", default=["float64", "float32", "int64", "int32", "uint8"],
                   help="integer dtypes run the kernels with native integer loops, at 1e3/1e5/1e7")
    p.add_argument("--sizes", nargs="*", type=float, help="override the sizes")
    p.add_argument("--repeat", type=int, help="repeats per timing (best counts)")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    a = p.parse_args(argv)
    sizes = [int(s) for s in a.sizes] if a.sizes else (
        [10**3, 10**5, 10**7] if a.quick else [10**k for k in range(2, 9)])
    repeat = a.repeat or (3 if a.quick else 7)
    dtypes = [np.dtype(d).type for d in a.dtypes]
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"snake benchmark, {when}\n{machine()}\nbest of {repeat}\n\n{HEADER}", flush=True)
    rows = run(sizes, dtypes, repeat, a.kernels)
    a.out.mkdir(parents=True, exist_ok=True)
    stem = "bench-quick" if a.quick else "bench"
    (a.out / f"{stem}.md").write_text(
        f"snake benchmark, {when}\n\n{machine()}; best of {repeat}\n\n{HEADER}\n"
        + "\n".join(fmt_row(r) for r in rows) + "\n")
    (a.out / f"{stem}.json").write_text(json.dumps(dict(when=when, machine=machine(), rows=rows), indent=1))
    print(f"\nwritten: {a.out / (stem + '.md')}")


if __name__ == "__main__":
    main()
