"""Print the README's per-kernel ratio table from a bench.py JSON result.

    python bench/readme_table.py bench/results/bench-quick.json

Ratios > 1: snake faster. Columns: single-threaded snake vs the NumPy
expression on one BLAS thread at 1e3 / 1e5 / 1e7, `_mt` vs NumPy with its
default threads at 1e7, `_mt` vs single-threaded snake at 1e7.
"""
import json
import sys


def main(path):
    data = json.load(open(path))
    rows = {(r["kernel"], r["dtype"], r["n"]): r for r in data["rows"]}
    print(f"<!-- {data['when']}; {data['machine']} -->")
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
