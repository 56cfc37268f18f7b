"""Print the README's per-kernel ratio table from a bench.py JSON result.

    python bench/readme_table.py bench/results/bench-quick.json

Ratios > 1: snake faster. Columns: single-threaded snake vs the NumPy
expression on one BLAS thread at 1e3 / 1e5 / 1e7, `_mt` vs NumPy with its
default threads at 1e7, `_mt` vs single-threaded snake at 1e7.
"""
import json
import sys


def fmt(t):
    from snake._bench import fmt_time
    return fmt_time(t)


def sum_sq_table(rows):
    """sum_sq float64 at every size: the foundation issue's targets."""
    print("| n | snake | NumPy `a @ a`, 1 BLAS thread | ratio | pure-Python loop | ratio "
          "| `sum_sq_mt` | NumPy `a @ a`, default threads | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (k, d, n), r in rows.items():
        if (k, d) != ("sum_sq", "float64"):
            continue
        py = r.get("python")
        vs_py = f"{py / r['snake']:.2f}x" if py else "—"
        size = f"{n:.0e}".replace("e+0", "e")
        print(f"| {size} | {fmt(r['snake'])} | {fmt(r['numpy_1t'])} | {r['numpy_1t'] / r['snake']:.2f}x "
              f"| {fmt(py)} | {vs_py} | {fmt(r['snake_mt'])} "
              f"| {fmt(r['numpy'])} | {r['numpy'] / r['snake_mt']:.2f}x |")
    print()


def main(path):
    data = json.load(open(path))
    rows = {(r["kernel"], r["dtype"], r["n"]): r for r in data["rows"]}
    print(f"<!-- {data['when']}; {data['machine']} -->")
    sum_sq_table(rows)
    print("| kernel | dtype | 1e3 | 1e5 | 1e7 | `_mt` vs NumPy default, 1e7 | `_mt` vs single-threaded, 1e7 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for kernel, dtype in dict.fromkeys((k, d) for k, d, _ in rows):
        def ratio(n, a, b):
            r = rows.get((kernel, dtype, n))
            return f"{r[a] / r[b]:.2f}x" if r and r.get(a) and r.get(b) else "—"
        print(f"| `{kernel}` | {dtype} | {ratio(1000, 'numpy_1t', 'snake')} | "
              f"{ratio(100000, 'numpy_1t', 'snake')} | {ratio(10**7, 'numpy_1t', 'snake')} | "
              f"{ratio(10**7, 'numpy', 'snake_mt')} | {ratio(10**7, 'snake', 'snake_mt')} |")


if __name__ == "__main__":
    main(sys.argv[1])
