#!/usr/bin/env bash
# Brings a checkout to a runnable state: Python venv, pinned packages, Leaflet served by the app
# itself, and (as root) Debian's chromium for the browser tests. Safe to re-run; does nothing
# expensive when everything is already in place, because start.sh and test.sh call it every time.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=.venv
REQ_STAMP="$VENV/.requirements.sha256"
VENDOR=dashboard/static/vendor
LEAFLET=leaflet@1.9.4
MARKERCLUSTER=leaflet.markercluster@1.5.3

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

scratch=""
trap '[ -z "$scratch" ] || rm -rf "$scratch"' EXIT

apt_updated=""
apt_install() {
    # Package lists in fresh containers are empty or stale; refresh once per run, not per package.
    if [ -z "$apt_updated" ]; then
        apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# --- Python ---------------------------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
    python=$(command -v python3.11 || command -v python3 || true)
    [ -n "$python" ] || die "python3.11 not found; install Python 3.11 or newer."
    # pandas 3 and the pinned stack need 3.11+; failing here beats a pip resolver error later.
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "$python is $("$python" -V 2>&1); Python 3.11 or newer is required."
    say "creating $VENV with $("$python" -V 2>&1)"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
fi

req_hash=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$REQ_STAMP" 2>/dev/null)" != "$req_hash" ]; then
    say "installing requirements.txt into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
    # Written only after pip succeeded, so an interrupted install is retried next time.
    echo "$req_hash" > "$REQ_STAMP"
fi

# --- Leaflet from the npm registry ----------------------------------------------------------------
# The map must not depend on a CDN: county intranets often have no internet access.

ensure_npm() {
    command -v npm >/dev/null && return 0
    is_root || die "npm is needed once to fetch Leaflet from the npm registry. Install it
       (sudo apt-get install npm) or run scripts/setup.sh as root."
    say "installing npm (Debian package)"
    apt_install npm
}

# install_npm_dist SPEC DEST FILE... : copy FILEs from the package's dist/ into DEST.
install_npm_dist() {
    local spec=$1 dest=$2
    shift 2
    local f missing=""
    for f in "$@"; do [ -e "$dest/$f" ] || missing=1; done
    # The stamp makes a version bump in this script replace the old files.
    if [ -z "$missing" ] && [ "$(cat "$dest/.npm-package" 2>/dev/null)" = "$spec" ]; then
        return 0
    fi

    ensure_npm
    say "fetching $spec from the npm registry into $dest"
    [ -n "$scratch" ] || scratch=$(mktemp -d)
    local work="$scratch/${spec%@*}"
    mkdir -p "$work"
    (cd "$work" && npm pack --loglevel=error "$spec" >/dev/null)
    tar -xzf "$work"/*.tgz -C "$work"

    # Assemble beside the target and swap, so a failed download never leaves half a library.
    local staging="$dest.partial"
    rm -rf "$staging"
    mkdir -p "$staging"
    for f in "$@"; do cp -R "$work/package/dist/$f" "$staging/"; done
    # Both licences (BSD-2 / MIT) require the notice to travel with copies we serve.
    cp "$work"/package/*LICEN[CS]E* "$staging/"
    echo "$spec" > "$staging/.npm-package"
    rm -rf "$dest"
    mv "$staging" "$dest"
}

install_npm_dist "$LEAFLET" "$VENDOR/leaflet" leaflet.js leaflet.css images
install_npm_dist "$MARKERCLUSTER" "$VENDOR/leaflet.markercluster" \
    leaflet.markercluster.js MarkerCluster.css MarkerCluster.Default.css

# --- Chromium for the browser tests ---------------------------------------------------------------
# Playwright cannot download its own browsers here; the tests drive Debian's chromium instead.
if [ ! -x /usr/bin/chromium ]; then
    if is_root; then
        say "installing chromium and fonts-liberation (Debian packages)"
        apt_install chromium fonts-liberation
    else
        say "NOTE: /usr/bin/chromium is missing and we are not root, so the browser tests will be"
        say "      skipped. Install it with: sudo apt-get install chromium fonts-liberation"
    fi
fi
