#!/usr/bin/env bash
# The one test command: builds and installs snake with its test extras into
# the current Python environment, runs the Swift kernel tests, then the
# Python suite against the installed package, once per SIMD tier this
# machine supports (SNAKE_SIMD=baseline, avx2, avx512 on x86-64).
#   PYTHON=python3.12 ci/test.sh    # another interpreter
#   ci/test.sh -k argmax            # extra arguments go to pytest
#   SNAKE_TEST_TIERS=avx2 ci/test.sh   # only these tiers
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

echo "== install (pip install .[test])"
"$PY" -m pip install --quiet --disable-pip-version-check ".[test]"

echo "== swift test (kernels against scalar references)"
"$PY" tools/swiftbuild.py test

# Run from tests/ so `import snake` finds the installed package, not python/.
cd tests
TIERS=${SNAKE_TEST_TIERS:-$("$PY" -c "import snake._snake as s; print(' '.join(s.simd_supported))")}
for tier in $TIERS; do
    echo "== pytest, SNAKE_SIMD=$tier (Python API against references, installed package)"
    SNAKE_SIMD=$tier "$PY" -m pytest -q -p no:cacheprovider "$@"
done
