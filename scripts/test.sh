#!/usr/bin/env bash
# Runs the test suite. Extra arguments go to pytest, e.g. scripts/test.sh -m "not browser" -x
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

exec .venv/bin/python -m pytest "$@"
