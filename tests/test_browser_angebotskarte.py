"""The Angebotskarte in a real headless Chromium: polygons and clusters render offline, an offer named
``<img src=x onerror=alert(1)>`` shows as text in its popup and runs nothing, a polygon click selects its area."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from etl.db import connect

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
XSS_NAME = "<img src=x onerror=alert(1)>"
pytestmark = pytest.mark.browser

# Zoom the cluster group until the offer's own marker is on the map, then mark its SVG path for a real click.
SHOW_OFFER_JS = """(name) => new Promise((resolve) => {
    const cluster = Object.values(window.map._layers).find(l => typeof l.zoomToShowLayer === 'function');
    const marker = cluster && cluster.getLayers().find(m => m.offer && m.offer[3] === name);
    if (!marker) { resolve(false); return; }
    cluster.zoomToShowLayer(marker, () => { marker._path.id = 'offer-under-test'; resolve(true); });
})"""
# The centre of an area polygon that no cluster or offer point covers (clusters sit on top of the areas).
FREE_POLYGON_JS = """() => {
    for (const path of document.querySelectorAll('path.leaflet-interactive:not(.pa-offer)')) {
        const box = path.getBoundingClientRect(), x = box.x + box.width / 2, y = box.y + box.height / 2;
        if (box.width > 20 && document.elementFromPoint(x, y) === path) { return [x, y]; }
    }
    return null;
}"""


def _open(page, base_url: str):
    page.goto(f"{base_url}/angebotskarte", wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".pa-cluster").first.wait_for(state="visible", timeout=60_000)
    return frame


def _map_frame(page):
    return next(f for f in page.frames if "streamlit_folium" in f.url)


def _offer_count(demo_db: Path) -> int:
    with connect(demo_db, read_only=True) as con:
        return con.execute("SELECT count(*) FROM offers").fetchone()[0]


def test_map_renders_areas_and_clustered_offers_offline(browser_page, streamlit_server, artifacts_dir, demo_db):
    failed: list[str] = []
    browser_page.on("requestfailed", lambda r: failed.append(r.url))
    outside: list[str] = []
    browser_page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:")) else None)
    started = time.perf_counter()
    frame = _open(browser_page, streamlit_server)
    seconds = time.perf_counter() - started

    assert frame.locator("path.leaflet-interactive:not(.pa-offer)").count() >= 61, "61 Gemeinden and the outline"
    clusters = [int(t) for t in frame.locator(".pa-cluster").all_inner_texts()]
    singles = frame.locator("path.pa-offer").count()
    assert clusters and sum(clusters) + singles == _offer_count(demo_db), "every offer is in a cluster or drawn alone"
    legend = frame.locator(".pa-legend").inner_text()
    assert "Kindertageseinrichtung (Kita)" in legend and re.search(r"\d,\d+ bis \d,\d+", legend)
    assert "Beratung und Unterstützung" in frame.locator(".pa-legend-points").inner_text()
    assert frame.locator(".pa-legend").count() == 1 and frame.locator(".pa-legend .pa-legend-points").count() == 1, "one legend"
    frame.locator(".pa-legend summary").click()  # the legend folds away and opens again
    assert not frame.locator(".pa-legend-points").is_visible()
    frame.locator(".pa-legend summary").click()
    assert frame.locator(".pa-legend-points").is_visible()
    assert "Stand 31.12.2023" in frame.locator(".leaflet-control-attribution").inner_text()
    assert not outside, f"requests left the machine: {outside}"
    assert not failed, f"failed requests: {failed}"
    browser_page.screenshot(path=str(artifacts_dir / "angebotskarte.png"))
    print(f"navigation → clusters: {seconds:.1f} s")


def test_html_in_an_offer_name_is_shown_as_text_and_never_runs(browser_page, streamlit_server, artifacts_dir):
    dialogs: list[str] = []
    browser_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    frame = _open(browser_page, streamlit_server)
    assert _map_frame(browser_page).evaluate(SHOW_OFFER_JS, XSS_NAME), "the demo offer with the HTML name is on the map"
    target = frame.locator("#offer-under-test")
    target.hover()
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert XSS_NAME in tooltip.inner_text()
    target.click()
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=10_000)
    assert popup.locator("b").inner_text() == XSS_NAME, "the name as literal text"
    assert "Jugendtreff" in popup.inner_text() and "Träger: Stadt Musterstadt" in popup.inner_text()
    browser_page.wait_for_timeout(1000)  # time for an injected image to fail loading and fire onerror
    assert frame.locator("img[src='x']").count() == 0 and browser_page.locator("img[src='x']").count() == 0
    assert dialogs == [], f"a dialog fired: {dialogs}"
    browser_page.screenshot(path=str(artifacts_dir / "angebotskarte_xss_popup.png"))


def test_click_on_an_area_shows_its_coverage(browser_page, streamlit_server, artifacts_dir):
    frame = _open(browser_page, streamlit_server)
    point = _map_frame(browser_page).evaluate(FREE_POLYGON_JS)
    assert point, "an area centre not covered by offers"
    box = browser_page.locator(MAP_FRAME).bounding_box()
    browser_page.mouse.move(box["x"] + point[0], box["y"] + point[1])
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    name = re.sub(r"^Gemeinde\s*", "", tooltip.inner_text().split("\n")[0]).strip()
    browser_page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    browser_page.get_by_role("heading", name=name).wait_for(timeout=30_000)
    browser_page.get_by_text("Versorgung je Angebotsart").wait_for(timeout=10_000)
    frame.locator("path[stroke='#d7301f'][stroke-width='4']").first.wait_for(timeout=10_000)
    browser_page.screenshot(path=str(artifacts_dir / "angebotskarte_selected_area.png"))
