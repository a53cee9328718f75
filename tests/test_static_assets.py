"""Leaflet is installed by scripts/setup.sh and served by the app itself, so maps work offline."""

from __future__ import annotations

import urllib.request

import pytest

LEAFLET_VERSION = "1.9.4"
LEAFLET_URL_PATH = "/app/static/vendor/leaflet/leaflet.js"
SETUP_HINT = "run scripts/setup.sh (it fetches Leaflet from the npm registry)"


@pytest.fixture(scope="module")
def leaflet_dir(repo_root):
    return repo_root / "dashboard" / "static" / "vendor" / "leaflet"


def test_leaflet_files_are_installed(leaflet_dir):
    js = leaflet_dir / "leaflet.js"
    css = leaflet_dir / "leaflet.css"
    for path in (js, css, leaflet_dir / "images" / "marker-icon.png"):
        assert path.is_file(), f"{path} is missing – {SETUP_HINT}"
    assert f"Leaflet {LEAFLET_VERSION}" in js.read_text(encoding="utf-8")[:500]
    assert ".leaflet-container" in css.read_text(encoding="utf-8")


@pytest.mark.browser
def test_app_serves_leaflet(streamlit_server, leaflet_dir):
    assert (leaflet_dir / "leaflet.js").is_file(), SETUP_HINT
    with urllib.request.urlopen(streamlit_server + LEAFLET_URL_PATH, timeout=10) as response:
        assert response.status == 200
        # The server sends nosniff, so a browser runs the script only with a JavaScript content type.
        assert "javascript" in response.headers.get("Content-Type", "")
        body = response.read().decode("utf-8")
    assert f"Leaflet {LEAFLET_VERSION}" in body[:500]
    assert body == (leaflet_dir / "leaflet.js").read_text(encoding="utf-8")
