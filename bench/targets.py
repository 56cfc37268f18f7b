"""The performance targets of issue 5, evaluated from one run's numbers.

Each target is a function from the run (the dict bench.py writes) to checks:
(what was compared, the measured number, met or not). Nothing here is
hard-coded but the thresholds; a target with no rows in the run (for
example the 1e7 ones in --quick) reads "not measured".
"""
from __future__ import annotations

from typing import NamedTuple

import bandwidth
import report

FLOATS = ("float64", "float32")
LARGE = 10**7
AT_BANDWIDTH = 90.0        # % of the measured limit that counts as "at bandwidth"
NOISE = 0.95               # "never slower": within 5% counts as level (timing noise)
VS_NUMPY = {"softmax": 2.0, "gelu": 2.0, "cumsum": 3.0, "variance": 4.0, "histogram": 4.0}
MT_SPEEDUP = 1.7           # compute-bound _mt at 1e7 on 2 cores


class Check(NamedTuple):
    what: str      # "relu float32 1e7 _mt"
    value: str     # "0.93x vs numba parallel"
    number: float  # for picking the worst
    met: bool


def _what(row, mode="st"):
    return f"{row['kernel']} {row['dtype']} {report.size(row['n'])}{' _mt' if mode == 'mt' else ''}"


def _rows(data, n=None, dtypes=None, kernels=None):
    return [r for r in data["rows"] if (n is None or r["n"] == n) and (dtypes is None or r["dtype"] in dtypes)
            and (kernels is None or r["kernel"] in kernels)]


def vs_fastest_peer(data):
    """float64/float32 at 1e5 and 1e7, snake and _mt: >= 1.0x the fastest peer;
    0.95x where both run at >= 90% of the measured bandwidth."""
    for row in _rows(data, dtypes=FLOATS):
        if row["n"] not in (10**5, LARGE):
            continue
        for mode in ("st", "mt"):
            result = report.vs_fastest(row, data, mode)
            if result is None:
                continue
            ratio, best = result
            both = [report.bandwidth_share(row, data, k, mode == "mt") for k in (report.SNAKE[mode], best.key)]
            need = 0.95 if all(s and s[1] >= AT_BANDWIDTH for s in both) else 1.0
            yield Check(_what(row, mode), f"{ratio:.2f}x vs {best.label}", ratio, ratio >= need)


def at_bandwidth(data):
    """Memory-bound kernels at 1e7: >= 90% of the measured bandwidth."""
    for row in _rows(data, n=LARGE, dtypes=FLOATS, kernels=bandwidth.MEMORY_BOUND):
        for mode in ("st", "mt"):
            share = report.bandwidth_share(row, data, report.SNAKE[mode], mode == "mt")
            if share:
                met = share[1] >= AT_BANDWIDTH
                reason = "" if met else _not_bandwidth_bound(row, data, mode, share[1])
                yield Check(_what(row, mode), f"{share[1]:.0f}% ({share[0]:.1f} GB/s{reason})", share[1], met)


# Kernels whose output depends on the whole row move more than the one read
# and one write the targets count (bench/bandwidth.moved_bytes) once the row
# is larger than the caches: normalize reads x twice (its norm, then the
# division: 2 reads + 1 write), softmax passes over its output twice (e^(x -
# s) written, then read and rescaled once the sum is known: 2 reads + 2
# writes). Factor over the counted bytes, and what it counts.
MOVES_MORE = {"normalize": (1.5, "the second read of x the norm forces"),
              "softmax": (2.0, "the second pass over the output the sum forces")}


def _not_bandwidth_bound(row, data, mode, percent) -> str:
    """For a miss, what the run's own numbers say limits it instead (the
    check stays unmet): a kernel that must read its input twice, measured
    against those bytes; or one whose time per element at 1e7 is no better
    than at 1e5, where the row sits in cache (a dependent chain, not memory)."""
    notes = []
    if row["kernel"] in MOVES_MORE:
        factor, what = MOVES_MORE[row["kernel"]]
        notes.append(f"{percent * factor:.0f}% counting {what}")
    key = report.SNAKE[mode]
    small = next((r for r in _rows(data, n=10**5, dtypes=(row["dtype"],), kernels=(row["kernel"],))), None)
    if small and small.get(key) and row.get(key):
        at_1e7, at_1e5 = row[key] / row["n"] * 1e9, small[key] / small["n"] * 1e9
        if at_1e7 <= 1.1 * at_1e5:
            limit = "bound by its add chain, not memory" if row["kernel"] == "cumsum" else "not memory-bound"
            notes.append(f"{at_1e7:.2f} ns/element, as at 1e5 in cache ({at_1e5:.2f}): {limit}")
    return "".join(f"; {note}" for note in notes)


def vs_numpy(data):
    """At 1e7: softmax and gelu >= 2x NumPy, cumsum >= 3x, variance and histogram >= 4x (float rows)."""
    for row in _rows(data, n=LARGE, dtypes=FLOATS, kernels=VS_NUMPY):
        if row.get("snake") and row.get("numpy_1t"):
            ratio = row["numpy_1t"] / row["snake"]
            yield Check(_what(row), f"{ratio:.2f}x (target {VS_NUMPY[row['kernel']]:g}x)", ratio,
                        ratio >= VS_NUMPY[row["kernel"]])


def small_vs_numpy(data):
    """At n = 1e3, every row: snake and _mt no slower than the NumPy expression."""
    for row in _rows(data, n=10**3):
        for mode in ("st", "mt"):
            own = row.get(report.SNAKE[mode])
            if own and row.get("numpy_1t"):
                ratio = row["numpy_1t"] / own
                yield Check(_what(row, mode), f"{ratio:.2f}x", ratio, ratio >= 1.0)


def mt_speedup(data):
    """Compute-bound kernels at 1e7: _mt >= 1.7x single-threaded on 2 cores."""
    if data["cores"] < 2:
        return
    for row in _rows(data, n=LARGE):
        if row["kernel"] not in bandwidth.MEMORY_BOUND and row.get("snake") and row.get("snake_mt"):
            ratio = row["snake"] / row["snake_mt"]
            yield Check(_what(row, "mt"), f"{ratio:.2f}x{_mt_at_bandwidth(row, data)}", ratio, ratio >= MT_SPEEDUP)


def _mt_at_bandwidth(row, data) -> str:
    """Where a kernel the target counts as compute-bound still runs at the
    memory limit (integer rolling_sum writes int64: 8-16 bytes per element),
    the speed-up is capped by the 2-thread / 1-thread bandwidth ratio, not by
    the cores: say so next to the ratio (the check stays unmet). Bytes as
    the kernel moves them (MOVES_MORE). A row whose output is written
    through the caches is held to the fill of that output timed beside it."""
    if row.get("write_floor_mt") and row.get("write_floor_1t"):
        return _mt_at_write_floor(row, data)
    if not row.get("bytes"):
        return ""
    factor, what = MOVES_MORE.get(row["kernel"], (1.0, ""))
    moved = factor * row["bytes"]
    limits = [bandwidth.limit_for(data["bandwidth"], row["writes"], t) for t in (False, True)]
    shares = [moved / row[k] / 1e9 / lim for k, lim in zip(("snake", "snake_mt"), limits)]
    if max(shares) * 100 < AT_BANDWIDTH:
        return ""
    counting = f" counting {what}" if what else ""
    return (f" (memory-bound here: {100 * shares[0]:.0f}% / {100 * shares[1]:.0f}% of the 1- / 2-thread"
            f" bandwidth{counting}; that limit allows {limits[1] / (moved / row['snake'] / 1e9):.2f}x)")


def _mt_at_write_floor(row, data) -> str:
    """For a row in bandwidth.ORDINARY_STORES: filling its own output with
    ordinary stores, timed beside it (bandwidth.best_write_floor), and the
    speed-up that fill allows. Called bound only where the fill allows less
    than the target and _mt ran at >= AT_BANDWIDTH % of the fill's speed;
    either way the check stays unmet."""
    floor, threads = row["write_floor_mt"], row.get("write_floor_threads", data["cores"])
    allows, share = row["snake"] / floor, floor / row["snake_mt"]
    figures = (f"filling the same {row['written'] / 1e6:.0f} MB output through the caches took"
               f" {row['write_floor_1t'] * 1e3:.2f} ms on 1 thread and {floor * 1e3:.2f} ms on {threads};"
               f" that allows {allows:.2f}x, and _mt ran at {100 * share:.0f}% of the fill's speed")
    if allows < MT_SPEEDUP and 100 * share >= AT_BANDWIDTH:
        return f" (bound by writing its output with ordinary stores in this run: {figures})"
    return f" ({figures})"


def mt_never_slower(data):
    """_mt never slower than single-threaded, any size (within 5% timing noise)."""
    for row in _rows(data):
        if row.get("snake") and row.get("snake_mt"):
            ratio = row["snake"] / row["snake_mt"]
            yield Check(_what(row, "mt"), f"{ratio:.2f}x", ratio, ratio >= NOISE)


TARGETS = (vs_fastest_peer, at_bandwidth, vs_numpy, small_vs_numpy, mt_speedup, mt_never_slower)


def summary(target, data, max_listed: int | None = None) -> str:
    checks = list(target(data))
    text = " ".join(line.strip() for line in target.__doc__.strip().splitlines())
    if not checks:
        return f"- **not measured**: {text}"
    misses = sorted((c for c in checks if not c.met), key=lambda c: c.number)
    met = len(checks) - len(misses)
    if not misses:
        worst = min(checks, key=lambda c: c.number)
        return f"- **met** ({met} of {len(checks)}; lowest: {worst.what} {worst.value}): {text}"
    listed = misses if max_listed is None else misses[:max_listed]
    more = f"; and {len(misses) - len(listed)} more" if len(listed) < len(misses) else ""
    return (f"- **not met** ({met} of {len(checks)} met): {text} Misses: "
            + "; ".join(f"{c.what} {c.value}" for c in listed) + more)


def markdown(data, max_listed: int | None = None) -> str:
    return "Targets (issue 5), from this run's numbers:\n\n" + "\n".join(
        summary(t, data, max_listed) for t in TARGETS)

