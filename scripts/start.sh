#!/usr/bin/env bash
# Starts the dashboard on the demo county. Extra arguments go to `streamlit run`,
# e.g. scripts/start.sh --server.port 8600
set -euo pipefail

# Streamlit reads .streamlit/config.toml from the working directory, not from the script's.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

DEMO_DB=data/db/demo_musterland.duckdb
# Rebuild when missing or older than the code and data it is built from (e.g. after a git pull).
if [ ! -f "$DEMO_DB" ] || [ -n "$(find etl config/demo_musterland.toml data/demo -newer "$DEMO_DB" -type f -print -quit)" ]; then
    echo "start: building the demo database $DEMO_DB"
    mkdir -p "$(dirname "$DEMO_DB")"
    .venv/bin/python -m etl build --config config/demo_musterland.toml --out "$DEMO_DB"
fi

exec .venv/bin/streamlit run dashboard/app.py "$@"
