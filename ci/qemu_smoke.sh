#!/usr/bin/env bash
# Proof that the default build runs on a CPU without AVX: the installed
# package imports and passes the kernel tests under qemu-user emulating an
# Intel Nehalem (SSE4.2, no AVX), where snake must pick its baseline tier.
#   PYTHON=.venv/bin/python ci/qemu_smoke.sh   # the interpreter snake is installed in
# Needs qemu-user (Debian: apt-get install qemu-user); .ci/run installs it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
CPU=${QEMU_CPU:-Nehalem}

# qemu needs the real interpreter binary (a venv's python is a symlink that
# finds its venv through argv[0]; give it the venv's paths instead).
REAL=$("$PY" -c "import os, sys; print(os.path.realpath(sys.executable))")
SITE=$("$PY" -c "import site; print(':'.join(site.getsitepackages()))")
# NumPy's bundled OpenBLAS misreads qemu's Nehalem and picks a kernel with
# AVX instructions (SIGILL inside NumPy, before snake runs): name its core.
run() { OPENBLAS_CORETYPE=Nehalem PYTHONPATH="$SITE" qemu-x86_64 -cpu "$CPU" "$REAL" "$@"; }

echo "== qemu-x86_64 -cpu $CPU: import, tier, a kernel"
run - <<'PY'
import numpy as np, snake
info = snake.show_config(mode="dicts")["simd"]
print("features:", info["cpu features"])
print("tier:", info["tier"])
assert "avx" not in info["cpu features"], info
assert info["tier"] == "baseline" and info["cpu supports"] == ["baseline"], info
x = np.linspace(-3, 3, 1001)
assert np.array_equal(snake.relu(x), np.maximum(x, 0))
PY
echo "== qemu-x86_64 -cpu $CPU: kernel tests (grid and API)"
cd tests
run -m pytest -q -p no:cacheprovider -x test_kernels.py test_api.py test_window_hist.py -k "not hypothesis"
