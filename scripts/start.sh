#!/usr/bin/env bash
# Starts the dashboard on the demo county. Extra arguments go to `streamlit run`,
# e.g. scripts/start.sh --server.port 8600
set -euo pipefail

# Streamlit reads .streamlit/config.toml from the working directory, not from the script's.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh  # without --with-browser: the dashboard itself needs no browser on the server

if [ ! -x /usr/bin/chromium ]; then
    echo "start: PNG/PDF exports need Debian's chromium, which is missing: sudo apt-get install chromium fonts-liberation (or, as root, bash scripts/setup.sh --with-browser)"
fi

DEMO_DB=data/db/demo_musterland.duckdb
# Rebuild when missing or older than the code and data it is built from (e.g. after a git pull).
if [ ! -f "$DEMO_DB" ] || [ -n "$(find etl config/demo_musterland.toml data/demo -newer "$DEMO_DB" -type f -print -quit)" ]; then
    echo "start: building the demo database $DEMO_DB"
    mkdir -p "$(dirname "$DEMO_DB")"
    .venv/bin/python -m etl build --config config/demo_musterland.toml --out "$DEMO_DB"
fi

echo "start: starting the dashboard; the server is headless: open the URL it prints below in a browser (Ctrl+C stops it)"
exec .venv/bin/streamlit run dashboard/app.py "$@"
