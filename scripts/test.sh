#!/usr/bin/env bash
# Runs the test suite. Extra arguments go to pytest, e.g. scripts/test.sh -m "not browser" -x
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh --with-browser  # the browser tests and the PNG/PDF export tests drive Debian's chromium

exec .venv/bin/python -m pytest "$@"
