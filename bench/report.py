"""Markdown from a benchmark result (the dict bench.py writes as JSON).

Shared by bench.py (while it runs, and for bench/results/bench*.md) and
readme_table.py (from a saved JSON), so both read the numbers the same way.
"""
from __future__ import annotations

from typing import NamedTuple

from snake._bench import fmt_time

import bandwidth

SNAKE = {"st": "snake", "mt": "snake_mt"}


class Best(NamedTuple):
    key: str
    label: str
    seconds: float


def size(n) -> str:
    return f"{n:.0e}".replace("e+0", "e")


def labels(data) -> dict:
    return {c["key"]: c["label"] for c in data["contenders"]}


def peer_keys(data, mode: str) -> list[str]:
    """Installed peers compared in this mode ("st" with snake, "mt" with snake_mt)."""
    return [c["key"] for c in data["contenders"]
            if mode in c["modes"] and not c["key"].startswith("snake")]


def fastest_peer(row, data, mode: str) -> Best | None:
    timed = [(row[k], k) for k in peer_keys(data, mode) if row.get(k)]
    if not timed:
        return None
    seconds, key = min(timed)
    return Best(key, labels(data)[key], seconds)


def vs_fastest(row, data, mode: str) -> tuple[float, Best] | None:
    """snake's (mode "st") or snake_mt's ("mt") speed-up over the fastest peer."""
    best, own = fastest_peer(row, data, mode), row.get(SNAKE[mode])
    return (best.seconds / own, best) if best and own else None


def bandwidth_share(row, data, key: str, threaded: bool) -> tuple[float, float] | None:
    """(GB/s, % of this machine's limit) of one contender on a memory-bound
    row at n >= 1e7; None elsewhere (in cache, the DRAM limit does not apply)."""
    if row["kernel"] not in bandwidth.MEMORY_BOUND or row["n"] < 10**7 or not row.get(key):
        return None
    gbs = row["bytes"] / row[key] / 1e9
    return gbs, 100 * gbs / bandwidth.limit_for(data["bandwidth"], row["writes"], threaded)


def ratio_cell(result) -> str:
    return f"{result[0]:.2f}x {result[1].label}" if result else "—"


def cell(row, key: str, data) -> str:
    if row.get(key) is not None:
        return fmt_time(row[key])
    if key in row.get("wrong", {}):
        return "wrong"
    missing = next((p for p in data["peers"] if p["key"] == key and p["version"] is None), None)
    return "not installed" if missing else "—"


# --- the sections -------------------------------------------------------------

def preamble(data) -> str:
    installed = ", ".join(f"{p['dist']} {p['version']}" for p in _unique_dists(data) if p["version"])
    missing = ", ".join(p["dist"] for p in _unique_dists(data) if not p["version"]) or "none"
    output = ("a new output every call (--fresh-output)" if data["fresh_output"]
              else "kernels returning an array write into a preallocated out= (every contender that takes one)")
    return (f"snake benchmark, {data['when']}\n\n{data['machine']}; best of {data['repeat']}\n\n"
            f"Peers: {installed}; not installed: {missing}. Outputs: {output}.")


def _unique_dists(data):
    return list({p["dist"]: p for p in data["peers"]}.values())


def bandwidth_section(data) -> str:
    b = data["bandwidth"]
    line = "| stream | 1 thread | {} threads |".format(data["cores"])
    rows = [f"| read-only ({b['read_1t'][1]} / {b['read_mt'][1]}) | {b['read_1t'][0]:.1f} GB/s | "
            f"{b['read_mt'][0]:.1f} GB/s |",
            f"| read-write (np.copyto, read + write counted) | {b['copy_1t'][0]:.1f} GB/s | {b['copy_mt'][0]:.1f} GB/s |"]
    if "write_1t" in b:  # runs before 2026-12-06 did not measure it
        rows.append(f"| write-only through the caches (ndarray.fill) | {b['write_1t'][0]:.1f} GB/s | "
                    f"{b['write_mt'][0]:.1f} GB/s |")
    text = (f"Memory bandwidth, {data['stream_n']:.0e} float64, best of repeats (bench/bandwidth.py):\n\n"
            + "\n".join([line, "|---|---:|---:|", *rows]))
    measured = data.get("bandwidth_measured")  # absent in runs that measured once
    if measured:
        parts = [f"{when}: " + ", ".join(f"{key.replace('_', ' ')} {value[0]:.1f}" for key, value in m.items())
                 for when, m in measured.items()]
        text += ("\n\nMeasured before and after the rows, the faster of the two above (GB/s): "
                 + "; ".join(parts) + ".")
    return text


def time_header(columns, data) -> str:
    head = " | ".join(c["label"] for c in columns)
    return (f"| kernel | dtype | n | {head} | snake vs fastest peer | _mt vs fastest peer |\n"
            f"|---|---|---:|{'---:|' * len(columns)}---:|---:|")


def time_row(row, columns, data) -> str:
    cells = " | ".join(cell(row, c["key"], data) for c in columns)
    return (f"| {row['kernel']} | {row['dtype']} | {size(row['n'])} | {cells} "
            f"| {ratio_cell(vs_fastest(row, data, 'st'))} | {ratio_cell(vs_fastest(row, data, 'mt'))} |")


def share_cell(row, data, mode: str, peer: bool = False) -> str:
    """snake's (or the fastest peer's) GB/s and % of the limit in this mode."""
    key, suffix = SNAKE[mode], ""
    if peer:
        best = fastest_peer(row, data, mode)
        key, suffix = (best.key, " " + best.label) if best else (None, "")
    s = bandwidth_share(row, data, key, threaded=mode == "mt") if key else None
    return f"{s[0]:.1f} ({s[1]:.0f}%){suffix}" if s else "—"


def bandwidth_table(data) -> str:
    lines = [f"| {row['kernel']} | {row['dtype']} | {size(row['n'])} | {row['bytes'] / row['n']:g} "
             f"| {share_cell(row, data, 'st')} | {share_cell(row, data, 'st', peer=True)} "
             f"| {share_cell(row, data, 'mt')} | {share_cell(row, data, 'mt', peer=True)} |"
             for row in data["rows"] if bandwidth_share(row, data, "snake", False)]
    if not lines:
        return "Bandwidth of memory-bound kernels: needs n >= 1e7 (not in this run)."
    return ("Memory-bound kernels, GB/s (% of the measured limit: read-only for reductions, read-write for "
            "kernels that write an array; 1 thread for single-threaded, all cores for _mt). Bytes: one read "
            "of each input, one write of each output. At 1e7 elements part of the data can stay in the "
            "last-level cache between calls (float32: 40 MB an array), so shares above 100% occur.\n\n"
            "| kernel | dtype | n | bytes/element | snake | fastest peer | snake _mt | fastest peer, _mt |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|\n" + "\n".join(lines))


def wrong_notes(data) -> str:
    names = labels(data)
    lines = [f"- {row['kernel']} {row['dtype']} {size(row['n'])}: {names[k]}: {msg}"
             for row in data["rows"] for k, msg in row.get("wrong", {}).items()]
    tolerance = "float32: 1e-3 relative to the result's largest value; float64: 1e-10"
    if not lines:
        return f"Every peer's result matched the reference ({tolerance})."
    return (f"Peer results that did not match the reference ({tolerance}; not timed):\n\n" + "\n".join(lines))


def nan_notes(data) -> str:
    names = labels(data)
    diffs = data.get("nan_differences") or {}
    if not diffs:
        return "On float64 input with one NaN, every peer's result matched snake's."
    lines = [f"- {kernel}: {names.get(k, k)}: {msg}" for kernel, d in diffs.items() for k, msg in d.items()]
    return ("On float64 input with one NaN (n = 1000, x[10] = NaN), these peers' results differ from snake's "
            "(informative: the timed inputs have no NaN):\n\n" + "\n".join(lines))
