"""PNG plots of a benchmark run: throughput against size, one file per kernel.

One panel per dtype (float64, float32), elements per second against n on
log axes, one line per contender: single-threaded solid, multi-threaded
dashed, the pure-Python loop dotted. Needs matplotlib (Agg backend).
"""
from __future__ import annotations

from pathlib import Path

DTYPES = ("float64", "float32")


def write_all(data, folder: Path) -> str:
    """One PNG per kernel into `folder`; returns a line saying what was written."""
    try:
        import matplotlib
    except ImportError:
        return "plots skipped: matplotlib is not installed (pip install .[bench])"
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    kernels = list(dict.fromkeys(r["kernel"] for r in data["rows"]))
    for kernel in kernels:
        fig, axes = plt.subplots(1, len(DTYPES), figsize=(11, 4), sharey=True)
        for ax, dtype in zip(axes, DTYPES):
            _panel(ax, data, kernel, dtype)
        axes[0].set_ylabel("elements / s")
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="center right", fontsize=8, frameon=False)
        fig.suptitle(f"{kernel}: throughput ({data['when']}, {data['machine'].split(',')[0]})", fontsize=10)
        fig.tight_layout(rect=(0, 0, 0.83, 1))
        fig.savefig(folder / f"{kernel}.png", dpi=80)
        plt.close(fig)
    sizes = sum((folder / f"{k}.png").stat().st_size for k in kernels)
    return f"plots: {len(kernels)} PNGs in {folder} ({sizes / 1024:.0f} KiB)"


def _COLORS(i):
    """The same colour for a contender in every panel and file."""
    import matplotlib
    return matplotlib.colormaps["tab20"](i)


def _panel(ax, data, kernel, dtype):
    rows = sorted((r for r in data["rows"] if r["kernel"] == kernel and r["dtype"] == dtype), key=lambda r: r["n"])
    for i, c in enumerate(data["contenders"]):
        points = [(r["n"], r["n"] / r[c["key"]]) for r in rows if r.get(c["key"])]
        if points:
            style = ":" if not c["modes"] else "--" if c["modes"] == ["mt"] else "-"
            width = 2.5 if c["key"].startswith("snake") else 1.2
            ax.plot(*zip(*points), style, marker="o", markersize=3, linewidth=width,
                    color=_COLORS(i % 20), label=c["label"])
    ax.set(xscale="log", yscale="log", xlabel="n", title=dtype)
    ax.grid(True, which="major", alpha=0.3)
