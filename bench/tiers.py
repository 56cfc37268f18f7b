"""Each SIMD tier's speed on a few kernels: the same build, forced to each
tier this CPU supports with SNAKE_SIMD (the tier is bound at import, so
every tier runs in its own process).

    python bench/tiers.py                  # n = 1e5, float64 and float32
    python bench/tiers.py -n 1000000 --repeat 9

Writes bench/results/tiers.md. The numbers are single-threaded kernels with
out= where the kernel returns an array; ratios are against the baseline tier
of the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from snake._bench import fmt_time

KERNELS = ("sum_sq", "dot", "relu", "clip", "cumsum", "variance", "softmax", "gelu", "histogram")
DTYPES = ("float64", "float32")

# Run inside a child process whose SNAKE_SIMD picks the tier.
CHILD = r"""
import json, sys
import numpy as np
import snake
from snake._bench import CASES, best_time, matches
n, repeat, kernels, dtypes = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4].split(",")
rng = np.random.default_rng(0)
times = {}
for name in kernels:
    case, fn = CASES[name], getattr(snake, name)
    for dt in dtypes:
        args = case["inputs"](n, np.dtype(dt), rng)
        got = fn(*args)
        if not matches(got, case["reference"](*args), case["exact"], np.dtype(dt)):
            raise SystemExit(f"{name} {dt}: wrong result at tier {snake.build_info()['simd']}")
        kw = {"out": np.empty_like(got)} if np.shape(got) == np.shape(args[0]) and name != "histogram" else {}
        times[f"{name} {dt}"] = best_time(lambda: fn(*args, **kw), repeat)
print(json.dumps({"tier": snake.build_info()["simd"], "times": times}))
"""


def supported_tiers() -> list[str]:
    import snake._snake as s
    return list(s.simd_supported)


def run_tier(tier: str, n: int, repeat: int) -> dict:
    env = dict(os.environ, SNAKE_SIMD=tier)
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(repeat), ",".join(KERNELS), ",".join(DTYPES)],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def table(results: dict, n: int) -> str:
    tiers = list(results)
    lines = [f"SIMD tiers, n = {n:.0e}, single-threaded, best of repeats (python bench/tiers.py)", "",
             "| kernel | dtype | " + " | ".join(tiers) + " | " + " | ".join(f"{t} vs baseline" for t in tiers[1:]) + " |",
             "|---|---|" + "---:|" * (2 * len(tiers) - 1)]
    for key in results[tiers[0]]:
        name, dt = key.split()
        base = results[tiers[0]][key]
        cells = [fmt_time(results[t][key]) for t in tiers] + [f"{base / results[t][key]:.2f}x" for t in tiers[1:]]
        lines.append(f"| {name} | {dt} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "tiers.md")
    a = p.parse_args(argv)
    results = {}
    for tier in supported_tiers():
        results[tier] = run_tier(tier, a.n, a.repeat)["times"]
    text = table(results, a.n)
    print(text)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(text)


if __name__ == "__main__":
    main()
