#!/usr/bin/env bash
# Runs the test suite. Extra arguments go to pytest, e.g. scripts/test.sh -m "not browser" -x
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh --with-browser  # the browser tests and the PNG/PDF export tests drive Debian's chromium

# The workspace tests run against SQLite and against PostgreSQL: Debian's server, started here (as root) unless a
# URL of your own is set. Without one the PostgreSQL variants are skipped with the reason; CI
# (PLANUNGSATLAS_REQUIRE_POSTGRES=1) stops here instead.
if [ -z "${PLANUNGSATLAS_TEST_POSTGRES_URL:-}" ]; then
    if url=$(bash scripts/postgres.sh | tail -n 1) && [ -n "$url" ]; then
        export PLANUNGSATLAS_TEST_POSTGRES_URL="$url"
        printf 'setup: PostgreSQL for the workspace tests: %s\n' "$url"
    elif [ "${PLANUNGSATLAS_REQUIRE_POSTGRES:-}" = "1" ]; then
        printf 'setup: ERROR: PostgreSQL is required (PLANUNGSATLAS_REQUIRE_POSTGRES=1) but could not be started\n' >&2
        exit 1
    else
        printf 'setup: PostgreSQL not available: the PostgreSQL variants of the workspace tests are skipped\n'
    fi
else
    printf 'setup: PostgreSQL for the workspace tests: PLANUNGSATLAS_TEST_POSTGRES_URL as set\n'
fi

exec .venv/bin/python -m pytest "$@"
