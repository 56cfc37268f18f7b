#!/usr/bin/env bash
# The one test command: builds and installs snake with its test extras into
# the current Python environment, runs the Swift kernel tests, then the
# Python suite against the installed package.
#   PYTHON=python3.12 ci/test.sh    # another interpreter
#   ci/test.sh -k argmax            # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

echo "== install (pip install .[test])"
"$PY" -m pip install --quiet --disable-pip-version-check ".[test]"

echo "== swift test (kernels against scalar references)"
"$PY" tools/swiftbuild.py test

echo "== pytest (Python API against references, installed package)"
# Run from tests/ so `import snake` finds the installed package, not python/.
cd tests
"$PY" -m pytest -q -p no:cacheprovider "$@"
