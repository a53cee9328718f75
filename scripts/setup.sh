#!/usr/bin/env bash
# Brings a checkout to a runnable state: Python venv, pinned packages, Leaflet served by the app
# itself, and with --with-browser (or PLANUNGSATLAS_WITH_BROWSER=1; test.sh passes it) Debian's
# chromium for the browser tests and the PNG/PDF exports. Safe to re-run; does nothing expensive
# when everything is already in place, because start.sh and test.sh call it every time.
# Prints one line per step: what it installs and why, or that it is in place.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

with_browser=${PLANUNGSATLAS_WITH_BROWSER:-}
for arg in "$@"; do
    case $arg in
        --with-browser) with_browser=1 ;;
        *) printf 'usage: bash scripts/setup.sh [--with-browser]\n' >&2; exit 2 ;;
    esac
done

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

# Another apt or dpkg (unattended-upgrades on a fresh machine) may hold the locks: wait for it
# instead of failing. DPkg::Lock::Timeout covers dpkg's locks; the package lists' lock that another
# `apt-get update` holds is not covered, so update is retried while that is the reason.
APT_WAIT_S=600
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$APT_WAIT_S" "$@"; }

apt_updated=""
apt_install() {
    # Package lists in fresh containers are empty or stale; refresh once per run, not per package.
    if [ -z "$apt_updated" ]; then
        local waited=0 err
        while ! err=$(apt_get update -qq 2>&1 >/dev/null); do
            case $err in
                *"Could not get lock"*) [ "$waited" -lt "$APT_WAIT_S" ] || die "apt is still busy after ${APT_WAIT_S} s: $err" ;;
                *) die "apt-get update failed: $err" ;;
            esac
            [ "$waited" -gt 0 ] || say "apt: waiting for another package manager to finish (up to ${APT_WAIT_S} s)"
            sleep 10
            waited=$((waited + 10))
        done
        apt_updated=1
    fi
    apt_get install -y -qq "$@"
}

# --- Python ---------------------------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
    python=$(command -v python3.11 || command -v python3 || true)
    [ -n "$python" ] || die "python3.11 not found; install Python 3.11 or newer."
    # pandas 3 and the pinned stack need 3.11+; failing here beats a pip resolver error later.
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "$python is $("$python" -V 2>&1); Python 3.11 or newer is required."
    say "Python: creating $VENV with $("$python" -V 2>&1) (the app and the tests run in it)"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
else
    say "Python: $VENV in place ($("$VENV/bin/python" -V 2>&1))"
fi

req_hash=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$REQ_STAMP" 2>/dev/null)" != "$req_hash" ]; then
    say "packages: installing requirements.txt into $VENV (new or changed; the first time takes a few minutes)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
    # Written only after pip succeeded, so an interrupted install is retried next time.
    echo "$req_hash" > "$REQ_STAMP"
else
    say "packages: requirements.txt installed in $VENV"
fi

# --- Leaflet from the npm registry ----------------------------------------------------------------
# The map must not depend on a CDN: county intranets often have no internet access.

ensure_npm() {
    command -v npm >/dev/null && return 0
    is_root || die "npm is needed once to fetch Leaflet from the npm registry. Install it
       (sudo apt-get install npm) or run scripts/setup.sh as root."
    say "npm: installing Debian's npm (needed once, to fetch Leaflet from the npm registry)"
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
        say "maps: $spec in place in $dest"
        return 0
    fi

    ensure_npm
    say "maps: fetching $spec from the npm registry into $dest (the app serves it: maps need no CDN)"
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

# --- Chromium for the browser tests and print exports ----------------------------------------------
# Playwright cannot download its own browsers here; the tests drive Debian's chromium instead, and
# kaleido renders the PNG/PDF exports with it. Only with --with-browser: the dashboard runs without it.
if [ -x /usr/bin/chromium ]; then
    say "chromium: /usr/bin/chromium in place (browser tests, PNG/PDF exports)"
elif [ -z "$with_browser" ]; then
    say "chromium: not installed (not needed to run the dashboard; setup.sh --with-browser installs it)"
elif is_root; then
    say "chromium: installing Debian's chromium and fonts-liberation (browser tests, PNG/PDF exports; a few minutes)"
    apt_install chromium fonts-liberation
else
    say "chromium: /usr/bin/chromium is missing and we are not root, so the browser tests will be"
    say "          skipped. Install it with: sudo apt-get install chromium fonts-liberation"
fi
