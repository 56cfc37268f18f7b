"""Print the README's tables from a bench.py JSON result.

    python bench/readme_table.py bench/results/bench.json

1. sum_sq float64 at every size against NumPy's `a @ a` and the pure-Python
   loop (the foundation issue's targets);
2. per kernel and dtype, ratios > 1 meaning snake is faster: single-threaded
   snake against the fastest single-threaded peer (named) at 1e3 / 1e5 / 1e7,
   `_mt` against the fastest peer on all cores at 1e7 (single-threaded
   packages included), `_mt` against single-threaded snake at 1e7, and the
   share of the measured memory bandwidth at 1e7 (memory-bound kernels);
3. the targets, evaluated from the same numbers (misses listed up to 8).
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402
import targets  # noqa: E402
from snake._bench import fmt_time  # noqa: E402

SIZES = (10**3, 10**5, 10**7)


def sum_sq_table(data):
    """sum_sq float64 at every size: the foundation issue's targets."""
    lines = ["| n | snake | NumPy `a @ a`, 1 BLAS thread | ratio | pure-Python loop | ratio "
             "| `sum_sq_mt` | NumPy `a @ a`, default threads | ratio |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in data["rows"]:
        if (r["kernel"], r["dtype"]) != ("sum_sq", "float64"):
            continue

        def ratio(a, b):
            return f"{r[a] / r[b]:.2f}x" if r.get(a) and r.get(b) else "—"
        lines.append(f"| {report.size(r['n'])} | {fmt_time(r.get('snake'))} | {fmt_time(r.get('numpy_1t'))} "
                     f"| {ratio('numpy_1t', 'snake')} | {fmt_time(r.get('python'))} | {ratio('python', 'snake')} "
                     f"| {fmt_time(r.get('snake_mt'))} | {fmt_time(r.get('numpy'))} | {ratio('numpy', 'snake_mt')} |")
    return "\n".join(lines) + "\n" if len(lines) > 2 else ""


def kernel_table(data):
    rows = {(r["kernel"], r["dtype"], r["n"]): r for r in data["rows"]}
    lines = ["| kernel | dtype | 1e3 | 1e5 | 1e7 | `_mt`, 1e7 | `_mt` vs snake, 1e7 | % of bandwidth, 1e7 (snake / `_mt`) |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for kernel, dtype in dict.fromkeys((k, d) for k, d, _ in rows):
        large = rows.get((kernel, dtype, 10**7))
        by_size = " | ".join(_vs_fastest(rows.get((kernel, dtype, n)), data, "st") for n in SIZES)
        lines.append(f"| `{kernel}` | {dtype} | {by_size} | {_vs_fastest(large, data, 'mt')} "
                     f"| {_threaded(large)} | {_bandwidth(large, data)} |")
    return "\n".join(lines)


def _vs_fastest(row, data, mode):
    return report.ratio_cell(report.vs_fastest(row, data, mode)) if row else "—"


def _threaded(row):
    return f"{row['snake'] / row['snake_mt']:.2f}x" if row and row.get("snake") and row.get("snake_mt") else "—"


def _bandwidth(row, data):
    shares = [report.bandwidth_share(row, data, report.SNAKE[m], m == "mt") if row else None for m in ("st", "mt")]
    return " / ".join(f"{s[1]:.0f}%" for s in shares) if all(shares) else "—"


def main(path):
    data = json.load(open(path))
    print(f"<!-- {data['when']}; {data['machine']} -->")
    print(report.preamble(data).split("\n\n", 2)[-1] + "\n")
    print(report.bandwidth_section(data) + "\n")
    print(sum_sq_table(data))
    print(kernel_table(data) + "\n")
    print(targets.markdown(data, max_listed=8))


if __name__ == "__main__":
    main(sys.argv[1])
