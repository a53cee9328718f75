#!/usr/bin/env bash
# Familienwegweiser: generate the public offer finder of one county from a built database (docs/FINDER.md).
#
#   bash scripts/finder.sh --db data/db/07235_trier-saarburg.duckdb --kreis 07235 --out /srv/www/familienwegweiser \
#       [--config config/07235_trier-saarburg.toml]
#
# Brings the checkout to a runnable state first (scripts/setup.sh: venv, Leaflet from the npm registry, which the
# site copies), then runs `python -m finder build` with the arguments given. The target folder is replaced as a
# whole; on an error nothing changes and the exit code is 2. Run it after every build of a published database.
set -euo pipefail

# Paths given stay relative to the folder the script is called from.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [ "$#" -eq 0 ]; then
    printf 'usage: bash scripts/finder.sh --db <database.duckdb> --kreis <AGS> --out <folder> [--config <county.toml>]\n' >&2
    exit 2
fi
bash "$repo/scripts/setup.sh"
PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}" exec "$repo/.venv/bin/python" -m finder build "$@"
