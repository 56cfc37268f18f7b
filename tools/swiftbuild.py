"""Drive SwiftPM for snake: one place for the flags every build uses.

    python tools/swiftbuild.py build   # release build of lib_snake, prints its path
    python tools/swiftbuild.py inplace # build and copy it to python/snake/ (dev loop)
    python tools/swiftbuild.py test    # `swift test` of the kernels, same flags
    python tools/swiftbuild.py flags   # show the flags

setup.py imports this module for `pip install .`. CPU flags live in
Package.swift: every build compiles the kernels for each SIMD tier of the
target (x86-64: baseline, avx2, avx512) and the extension picks one at
import. Python and NumPy include directories come from the running
interpreter, never from hard-coded paths.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def include_dirs() -> list[str]:
    import numpy

    return [sysconfig.get_paths()["include"], numpy.get_include()]


def compiler_version() -> str:
    try:
        out = subprocess.run(["swift", "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.strip().splitlines()[0] if out.strip() else "unknown"


def swift_flags(link: bool = True) -> list[str]:
    """SwiftPM flags; link=False leaves out the extension's link options
    (static runtime, export list), which the test executable must not get.
    CPU flags are per SIMD tier, in Package.swift."""
    flags = ["-c", "release"]
    for d in include_dirs():
        flags += ["-Xcc", f"-I{d}"]
    flags += ["-Xcc", f'-DSNAKE_BUILD_COMPILER="{compiler_version()}"']
    if link:
        flags += link_flags()
    summary = " ".join(f.replace(f"{ROOT}{os.sep}", "") for f in flags
                       if not f.startswith(("-I", "-DSNAKE_")) and f != "-Xcc")
    return flags + ["-Xcc", f'-DSNAKE_BUILD_FLAGS="{summary}"']


def link_flags() -> list[str]:
    if sys.platform == "darwin":
        # Apple platforms ship the Swift runtime with the OS (and swiftc
        # rejects -static-stdlib there). Python symbols resolve at load time.
        return ["-Xlinker", "-undefined", "-Xlinker", "dynamic_lookup",
                "-Xlinker", "-exported_symbol", "-Xlinker", "_PyInit__snake"]
    # The Swift runtime goes inside the extension: nothing Swift at run time.
    flags = ["-Xswiftc", "-static-stdlib"]
    if sys.platform.startswith("linux"):
        flags += ["-Xlinker", f"--version-script={ROOT / 'Sources/_snake/exports.map'}"]
    elif sys.platform == "win32":
        # pyconfig.h names pythonXY.lib (#pragma comment); the linker needs its
        # folder. PyMODINIT_FUNC marks PyInit__snake dllexport.
        flags += ["-Xlinker", f"-libpath:{Path(sys.base_prefix) / 'libs'}"]
    return flags


def scratch(kind: str) -> Path:
    # SwiftPM does not relink when only flags change: one folder per config.
    return ROOT / f".build-{kind}"


def _run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def build() -> Path:
    """Release-build lib_snake and return the path of the shared library."""
    path = scratch("release")
    _run(["swift", "build", "--product", "_snake", "--scratch-path", str(path), *swift_flags()])
    name = {"darwin": "lib_snake.dylib", "win32": "_snake.dll"}.get(sys.platform, "lib_snake.so")
    lib = path / "release" / name
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
    _run(["swift", "test", "--scratch-path", str(scratch("test")), *swift_flags(link=False), *extra])


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
