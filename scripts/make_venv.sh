#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the pinned dependency set.
set -euo pipefail
cd "$(dirname "$0")/.."
PY310=$(scripts/find_python310.sh)
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  rm -rf .venv
  "$PY310" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade "pip==24.0"
# constraints.txt pins every transitive dependency: without it pip
# backtracks for minutes through tensorflow/jax versions.
.venv/bin/python -m pip install --quiet -c constraints.txt -r requirements.txt -r requirements-dev.txt
.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
