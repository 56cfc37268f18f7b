"""snake benchmark: every kernel against the best expression of each peer package.

    python bench/bench.py            # sizes 1e2..1e8, float64 and float32 (+ integer rows)
    python bench/bench.py --quick    # sizes 1e3 and 1e5, fewer repeats: under a minute

For each kernel of the kernel table (snake.kernels()), each size and dtype,
in one process so the ratios compare like with like: snake single-threaded
and its `_mt` twin against every installed peer of bench/peers.py (NumPy with
BLAS on one thread and with its default threads, numexpr on one thread and
on every core, numba serial and parallel, bottleneck, NumKong, SciPy), and a
pure-Python loop up to 1e6 elements. Kernels that return an array of the
input's shape write into a preallocated `out=` (snake and every peer that
takes one; `--fresh-output` times a new output instead). Each result is
checked against an accurate reference before it is timed: snake must match
(else the run stops); a peer that does not is reported as wrong and not
timed. The contenders of a row are timed in rounds, the order rotated each
round, and each one's best repeat counts. The run also measures this
machine's memory bandwidth (bench/bandwidth.py), reports memory-bound
kernels at 1e7 as GB/s and % of it, times the fill of the output beside
rows whose output snake writes through the caches, evaluates the
project's targets (bench/targets.py), and probes each peer's result on
input with a NaN against snake's. Output: bench/results/
bench[-quick].md (tables), .json (raw numbers), plots[-quick]/<kernel>.png.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

import snake
from snake._bench import CASES, INTEGER_CASES, base_name, best_time, matches, python_args

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ modules, also when imported
import bandwidth  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402
import targets  # noqa: E402

PYTHON_MAX_N = 10**6
INTEGER_SIZES = (10**3, 10**5, 10**7)  # integer rows: these sizes only
# Peers agree with the reference to this relative tolerance (on the result's
# scale): float32 sums accumulated in float32 drift by ~1e-4 at 1e7 elements
# (NumPy's pairwise sums) up to 1e-2 (a sequential float32 loop); more than
# 1e-3 counts as wrong. float64: the cases' own tolerance (1e-10).
PEER_RTOL = {"float32": 1e-3}


class Contender:
    """One column: snake, its _mt twin, a peer or the pure-Python loop."""

    def __init__(self, key, label, modes, expression, threads=None):
        self.key, self.label, self.modes = key, label, modes
        self.expression = expression  # (kernel, dtype) -> callable or None
        self.threads = threads or contextlib.nullcontext

    def describe(self):
        return dict(key=self.key, label=self.label, modes=list(self.modes))


def snake_contenders():
    table = {k.name: k.function for k in snake.kernels()}
    missing = sorted({base_name(n) for n in table} - CASES.keys())
    if missing:
        raise SystemExit(f"bench/bench.py has no case for kernels {missing}")
    return (Contender("snake", "snake", ("st",), lambda k, dt: table.get(k)),
            Contender("snake_mt", "snake _mt", ("mt",), lambda k, dt: table.get(k + "_mt")))


def peer_contenders(loaded):
    return [Contender(p.peer.key, p.peer.label, p.peer.modes, p.expression, p.peer.threads)
            for p in loaded if p.version is not None]


def describe_mismatch(got, want) -> str:
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        return f"shape {got.shape}, expected {want.shape}"
    if want.ndim == 0:
        if want.dtype.kind == "f" and np.isfinite(want) and want != 0 and np.isfinite(got):
            return f"{got} instead of {want} (relative error {abs(float(got) / float(want) - 1):.1e})"
        return f"{got} instead of {want}"
    same = (got == want) | (np.isnan(got) & np.isnan(want)) if want.dtype.kind == "f" else got == want
    both = np.isfinite(got) & np.isfinite(want)
    scale = float(np.max(np.abs(want[both]), initial=0.0)) or 1.0
    error = float(np.max(np.abs(got[both].astype(np.float64) - want[both]), initial=0.0)) / scale
    first = int(np.argmin(same))
    return (f"{int((~same).sum())} of {want.size} elements differ (first at {first}: {got[first]} instead of "
            f"{want[first]}), max error {error:.1e} of the largest value")


def poison(out):
    """Fill a reused output buffer with values no correct result has everywhere."""
    out.fill(np.nan if out.dtype.kind == "f" else np.iinfo(out.dtype).max)


def check_contender(c, fn, args, out, want, case, dt, row):
    """Check one contender's result; return the call to time, or None where a
    peer's result is wrong (noted in row["wrong"]; snake's stops the run)."""
    call = (lambda: fn(*args, out=out)) if out is not None else (lambda: fn(*args))
    with c.threads():
        if out is not None:
            poison(out)
        got = call()
    own = c.key.startswith("snake")
    exact = case["exact"] if own else case.get("peer_exact", case["exact"])
    if not matches(got, want, exact, dt, None if own else PEER_RTOL.get(np.dtype(dt).name)):
        if own:
            raise SystemExit(f"{c.key}.{row['kernel']} {row['dtype']} n={row['n']}: "
                             f"{describe_mismatch(got, want)}")
        row.setdefault("wrong", {})[c.key] = describe_mismatch(got, want)
        return None
    return call


# Each contender is timed in ROUNDS rounds, the order rotated each round, and
# its best repeat counts. Timed one after another in a fixed order, a
# contender met whatever cache and memory state its predecessor left: at 1e7
# (rows of 40-80 MB against a 32 MiB L3) the same numba sum_sq loop read
# 1.73 ms after one contender and 2.3 ms after another in one run.
ROUNDS = 3


def time_contenders(calls, repeat, min_time, row, floors=()):
    """Best time of each call over ROUNDS rounds, the order rotated; `floors`
    ((key, timer) with timer(repeat, min_time) -> seconds or None) take
    their turns in the same rotation."""
    per_round = max(1, -(-repeat // ROUNDS))

    def contender(c, call):
        with c.threads():
            return best_time(call, per_round, min_time)

    timers = [(c.key, lambda c=c, call=call: contender(c, call)) for c, call in calls]
    timers += [(key, lambda timer=timer: timer(per_round, min_time)) for key, timer in floors]
    for r in range(ROUNDS):
        for key, timer in timers[r % len(timers):] + timers[:r % len(timers)]:
            t = timer()
            if t is not None:
                row[key] = min(row.get(key, t), t)


def time_python(case, args, want, dt, repeat, row):
    py = python_args(args)
    call = lambda: case["python"](*py)  # noqa: E731
    # Python loops compute in float64: exact only against float64.
    if not matches(call(), want, case["exact"] and dt == np.float64, dt):
        raise SystemExit(f"python.{row['kernel']}: result does not match the reference")
    row["python"] = best_time(call, max(1, repeat // 2 + 1), min_time=0.0)


def measure_row(name, dt, n, rng, contenders, repeat, min_time, fresh_output):
    case = CASES[name]
    args = case["inputs"](n, dt, rng)
    want = case["reference"](*args)
    row = dict(kernel=name, dtype=np.dtype(dt).name, n=n)
    first = getattr(snake, name)(*args)  # snake's result defines the output's type and bytes
    row["bytes"] = bandwidth.moved_bytes(args, first)
    row["writes"] = bandwidth.writes_array(args, first)
    row["written"] = first.nbytes if row["writes"] else 0
    out = np.empty_like(first) if row["writes"] and not fresh_output else None
    calls = []
    for c in contenders:
        fn = c.expression(name, dt)
        if fn is not None:
            call = check_contender(c, fn, args, out, want, case, dt, row)
            if call is not None:
                calls.append((c, call))
    floors = []
    if (name, row["dtype"]) in bandwidth.ORDINARY_STORES and n >= 10**7 and out is not None:
        # what writing this output alone takes, beside the kernel (targets.py),
        # on one thread and on as many as _mt uses
        row["write_floor_threads"] = snake.get_num_threads()
        floors = [(f"write_floor_{k}",
                   lambda repeat, min_time, t=t: bandwidth.best_write_floor(out, t, repeat, min_time))
                  for k, t in (("1t", 1), ("mt", row["write_floor_threads"]))]
    time_contenders(calls, repeat, min_time, row, floors)
    if n <= PYTHON_MAX_N and np.dtype(dt).kind == "f":
        time_python(case, args, want, dt, repeat, row)
    return row


def rows_to_run(names, sizes, dtypes):
    for name in names:
        for dt in dtypes:
            integer = np.dtype(dt).kind in "iu"
            if integer and name not in INTEGER_CASES:
                continue  # no native integer loop: NumPy casts to float64
            for n in sizes:
                if not integer or n in INTEGER_SIZES:
                    yield name, dt, n


def run(data, names, sizes, dtypes, contenders, repeat, min_time, fresh_output):
    rng = np.random.default_rng(0)
    columns = data["contenders"]
    for name, dt, n in rows_to_run(names, sizes, dtypes):
        row = measure_row(name, dt, n, rng, contenders, repeat, min_time, fresh_output)
        data["rows"].append(row)
        print(report.time_row(row, columns, data), flush=True)


def nan_differences(loaded, names):
    """Where a peer's result on float64 input with one NaN differs from snake's:
    {kernel: {peer key: description}}. Informative only (the timed data has no NaN)."""
    notes = {}
    for name in names:
        case = CASES[name]
        args = list(case["inputs"](1000, np.float64, np.random.default_rng(1)))
        args[0] = args[0].copy()
        args[0][10] = np.nan
        want = getattr(snake, name)(*args)
        for p in loaded:
            fn = p.expression(name, np.float64)
            if fn is None:
                continue
            try:
                with p.peer.threads():
                    got = fn(*args)
            except Exception as e:  # noqa: BLE001 -- a peer that refuses NaN is the finding
                notes.setdefault(name, {})[p.peer.key] = f"raises {type(e).__name__}: {e}"
                continue
            if not matches(got, want, case.get("peer_exact", case["exact"]), np.float64):
                notes.setdefault(name, {})[p.peer.key] = describe_mismatch(got, want)
    return notes


def after_table(data) -> str:
    return "\n\n".join([report.bandwidth_table(data), report.wrong_notes(data), report.nan_notes(data),
                         targets.markdown(data), f"Run time: {data['seconds']} s."])


def full_report(data) -> str:
    columns = data["contenders"]
    table = "\n".join([report.time_header(columns, data), *(report.time_row(r, columns, data) for r in data["rows"])])
    return "\n\n".join([report.preamble(data), report.bandwidth_section(data), table, after_table(data)])


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
    simd = info.get("simd") or info.get("march")
    return (f"{cpu}, {peers.CORES} CPUs, Python {platform.python_version()}, NumPy {np.__version__}, "
            f"snake {info['version']} ({simd}), {info['threads']} snake threads")


def require_threadpoolctl():
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        raise SystemExit("the benchmark needs threadpoolctl: pip install .[bench]") from None


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="sizes 1e3 and 1e5, 3 short repeats, a 2e7-element bandwidth stream, no plots")
    p.add_argument("--kernels", nargs="*", default=list(CASES), help="base kernel names")
    p.add_argument("--dtypes", nargs="*", default=["float64", "float32", "int64", "int32", "uint8"],
                   help="integer dtypes run the kernels with native integer loops, at 1e3/1e5/1e7")
    p.add_argument("--sizes", nargs="*", type=float, help="override the sizes")
    p.add_argument("--repeat", type=int, help="repeats per contender, spread over the rounds (best counts)")
    p.add_argument("--fresh-output", action="store_true",
                   help="time kernels that return an array without out= (a new output every call)")
    p.add_argument("--plots", action=argparse.BooleanOptionalAction, default=None,
                   help="write PNG plots (default: yes, except with --quick)")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    a = p.parse_args(argv)
    a.sizes = [int(s) for s in a.sizes] if a.sizes else (
        [10**3, 10**5] if a.quick else [10**k for k in range(2, 9)])
    a.repeat = a.repeat or (3 if a.quick else 7)
    a.min_time = 0.005 if a.quick else 0.02
    a.stream_n = 2 * 10**7 if a.quick else 10**8
    a.plots = not a.quick if a.plots is None else a.plots
    return a


def main(argv=None):
    a = parse_args(argv)
    require_threadpoolctl()
    started = time.perf_counter()
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    loaded = peers.load()
    contenders = [*snake_contenders(), *peer_contenders(loaded)]
    data = dict(when=when, machine=machine(), cores=peers.CORES, repeat=a.repeat,
                fresh_output=a.fresh_output, sizes=a.sizes,
                peers=[dict(key=p.peer.key, label=p.peer.label, dist=p.peer.dist, version=p.version,
                            modes=list(p.peer.modes), problem=p.problem) for p in loaded],
                contenders=[c.describe() for c in contenders] + [dict(key="python", label="Python", modes=[])],
                rows=[])
    print(report.preamble(data) + "\n", flush=True)
    probe_repeat = 3 if a.quick else 5
    data["bandwidth"] = bandwidth.measure(a.stream_n, peers.CORES, repeat=probe_repeat)
    data["stream_n"] = a.stream_n
    print(report.bandwidth_section(data) + "\n\n" + report.time_header(data["contenders"], data), flush=True)
    run(data, a.kernels, a.sizes, [np.dtype(d).type for d in a.dtypes], contenders, a.repeat, a.min_time,
        a.fresh_output)
    # The streams again after the rows: on a shared machine one measurement
    # can fall in a slow spell (the two-thread read ran at 34 and at 63 GB/s
    # in runs minutes apart). The limits are the faster of the two.
    before = data["bandwidth"]
    after = bandwidth.measure(a.stream_n, peers.CORES, repeat=probe_repeat)
    data["bandwidth_measured"] = {"before the rows": before, "after the rows": after}
    data["bandwidth"] = bandwidth.best_of(before, after)
    data["nan_differences"] = nan_differences([p for p in loaded if p.version], a.kernels)
    data["seconds"] = round(time.perf_counter() - started, 1)
    print("\n" + after_table(data))
    a.out.mkdir(parents=True, exist_ok=True)
    stem = "bench-quick" if a.quick else "bench"
    (a.out / f"{stem}.md").write_text(full_report(data) + "\n")
    (a.out / f"{stem}.json").write_text(json.dumps(data, indent=1))
    print(f"written: {a.out / (stem + '.md')}, {a.out / (stem + '.json')}")
    if a.plots:
        import plots
        print(plots.write_all(data, a.out / ("plots-quick" if a.quick else "plots")))


if __name__ == "__main__":
    main()
