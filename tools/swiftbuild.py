"""Drive SwiftPM for snake: one place for the flags every build uses.

    python tools/swiftbuild.py build   # release build of lib_snake, prints its path
    python tools/swiftbuild.py inplace # build and copy it to python/snake/ (dev loop)
    python tools/swiftbuild.py test    # `swift test` of the kernels, same flags
    python tools/swiftbuild.py flags   # show the flags

setup.py imports this module for `pip install .`. The CPU level defaults to
the best one the build machine has, read from /proc/cpuinfo (x86-64: v4 =
AVX-512, v3 = AVX2+FMA, v2; other architectures, and systems without
/proc/cpuinfo: the baseline, NEON on aarch64); SNAKE_MARCH=x86-64|x86-64-v2|
x86-64-v3|x86-64-v4|none overrides it. Python and NumPy include directories
come from the running interpreter, never from hard-coded paths.
"""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARCHES = ("none", "x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4")


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def default_march() -> str:
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return "none"
    flags = _cpu_flags()
    if {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"} <= flags:
        return "x86-64-v4"
    if {"avx2", "fma", "bmi2", "f16c", "movbe"} <= flags:
        return "x86-64-v3"
    if {"sse4_2", "popcnt", "ssse3"} <= flags:
        return "x86-64-v2"
    return "x86-64"


def march() -> str:
    value = os.environ.get("SNAKE_MARCH", "").strip() or default_march()
    if value not in MARCHES:
        raise SystemExit(f"SNAKE_MARCH={value!r}: expected one of {', '.join(MARCHES)}")
    return value


def has_fma(level: str) -> bool:
    arch = platform.machine().lower()
    return level in ("x86-64-v3", "x86-64-v4") or arch in ("arm64", "aarch64")


def include_dirs() -> list[str]:
    import numpy

    return [sysconfig.get_paths()["include"], numpy.get_include()]


def swift_flags(level: str | None = None, link: bool = True) -> list[str]:
    """SwiftPM flags; link=False leaves out the extension's link options
    (static runtime, export list), which the test executable must not get."""
    level = level or march()
    flags = ["-c", "release"]
    for d in include_dirs():
        flags += ["-Xcc", f"-I{d}"]
    flags += ["-Xcc", f'-DSNAKE_MARCH="{level}"']
    if level != "none":
        flags += ["-Xcc", f"-march={level}"]
    if has_fma(level):
        flags += ["-Xswiftc", "-DSNAKE_FMA"]
    if level == "x86-64-v4":
        # swift-frontend 6.3.1 can crash vectorising runtime-stride loops for
        # AVX-512 (../shared/field-notes.md); this LLVM option avoids it.
        flags += ["-Xswiftc", "-Xllvm", "-Xswiftc", "-enable-mem-access-versioning=false"]
    if not link:
        return flags
    if sys.platform == "darwin":
        # Apple platforms ship the Swift runtime with the OS (and swiftc
        # rejects -static-stdlib there).
        flags += ["-Xlinker", "-undefined", "-Xlinker", "dynamic_lookup",
                  "-Xlinker", "-exported_symbol", "-Xlinker", "_PyInit__snake"]
    else:
        # The Swift runtime goes inside the extension: nothing Swift at run time.
        flags += ["-Xswiftc", "-static-stdlib"]
    if sys.platform.startswith("linux"):
        flags += ["-Xlinker", f"--version-script={ROOT / 'Sources/_snake/exports.map'}"]
    return flags


def scratch(kind: str, level: str) -> Path:
    # SwiftPM does not relink when only flags change: one folder per config.
    return ROOT / f".build-{kind}-{level}"


def _run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def build() -> Path:
    """Release-build lib_snake and return the path of the shared library."""
    level = march()
    path = scratch("release", level)
    _run(["swift", "build", "--product", "_snake", "--scratch-path", str(path), *swift_flags(level)])
    suffix = {"darwin": ".dylib", "win32": ".dll"}.get(sys.platform, ".so")
    lib = path / "release" / f"lib_snake{suffix}"
    if not lib.exists():
        raise SystemExit(f"swift build finished but {lib} is missing")
    return lib


def install_library(lib: Path, target: Path) -> None:
    """Copy the built library to `target` through a temporary file and an
    atomic rename: a process that has the old file mapped keeps its copy
    (writing over it in place would crash that process with SIGBUS)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    shutil.copyfile(lib, tmp)
    os.replace(tmp, target)


def inplace() -> Path:
    """Build and place the extension next to the sources (PYTHONPATH=python)."""
    target = ROOT / "python" / "snake" / f"_snake{sysconfig.get_config_var('EXT_SUFFIX')}"
    install_library(build(), target)
    return target


def test(extra: list[str]) -> None:
    level = march()
    _run(["swift", "test", "--scratch-path", str(scratch("test", level)), *swift_flags(level, link=False), *extra])


def main(argv: list[str]) -> None:
    cmd = argv[0] if argv else "build"
    if cmd == "build":
        print(build())
    elif cmd == "inplace":
        print(inplace())
    elif cmd == "test":
        test(argv[1:])
    elif cmd == "flags":
        print(" ".join(swift_flags()))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
