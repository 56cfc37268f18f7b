"""What this build is and what it runs on: ``snake.show_config()``."""
from __future__ import annotations

import os
import platform
import sys

import numpy as np

from . import _snake


def config() -> dict:
    """The configuration as nested dicts (what ``show_config`` prints)."""
    from . import __version__

    forced = os.environ.get("SNAKE_SIMD", "").strip()
    return {
        "snake": {"version": __version__},
        "python": {"version": platform.python_version(), "implementation": sys.implementation.name,
                   "platform": platform.platform()},
        "numpy": {"version": np.__version__},
        "simd": {
            "tier": _snake.simd_tier,
            "forced": f"SNAKE_SIMD={forced}" if forced else "no (best tier of this CPU)",
            "cpu supports": list(_snake.simd_supported),
            "compiled": list(_snake.simd_tiers),
            "cpu features": list(_snake.cpu_features),
            "machine": platform.machine(),
        },
        "threads": {
            "num_threads": _snake.get_num_threads(),
            "cpus available": os.cpu_count() if not hasattr(os, "sched_getaffinity")
            else len(os.sched_getaffinity(0)),
            "SNAKE_NUM_THREADS": os.environ.get("SNAKE_NUM_THREADS", "(not set)"),
        },
        "build": {
            "compiler": _snake.build_compiler,
            "flags": _snake.build_flags,
            "tier flags": _snake.tier_flags,
        },
    }


def show_config(mode: str = "stdout"):
    """Print snake's configuration: version, the CPU features found, the
    SIMD tier in use (and whether ``SNAKE_SIMD`` forced it), thread
    settings, NumPy and Python versions, and the build's compiler and flags.

    ``mode="dicts"`` returns the same as nested dicts instead, like
    ``numpy.show_config``.

    >>> import snake
    >>> info = snake.show_config(mode="dicts")
    >>> info["simd"]["tier"] in info["simd"]["compiled"]
    True
    """
    info = config()
    if mode == "dicts":
        return info
    if mode != "stdout":
        raise ValueError(f"mode must be 'stdout' or 'dicts', got {mode!r}")
    for section, items in info.items():
        print(f"{section}:")
        for key, value in items.items():
            if isinstance(value, list):
                value = ", ".join(map(str, value)) or "(none)"
            print(f"  {key}: {value}")
    return None
