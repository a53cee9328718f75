"""Szenarien in a real headless Chromium: a click into the map places a new offer, which is then marked (+) on the
map, and the difference map appears with its legend around 0 (screenshot in tests/artifacts)."""
from __future__ import annotations

import re
import time

import pytest
from browser_helpers import MAP_FRAME
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
KREIS = "Landkreis Musterland (Demodaten)"
# the centre of a Gemeinde polygon that nothing else covers (offers and legend sit on top of the areas)
FREE_POLYGON_JS = """() => {
    const paths = [...document.querySelectorAll('path.leaflet-interactive')].filter(p => p.getAttribute('fill') !== 'none');
    for (const path of paths) {
        const box = path.getBoundingClientRect(), x = box.x + box.width / 2, y = box.y + box.height / 2;
        if (box.width > 60 && document.elementFromPoint(x, y) === path) { return [x, y]; }
    }
    return null;
}"""


def _map_frames(page, count: int, timeout_s: float = 60) -> list:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if page.locator(MAP_FRAME).count() == count:
            return [page.frame_locator(MAP_FRAME).nth(i) for i in range(count)]
        time.sleep(0.3)
    raise AssertionError(f"expected {count} maps, found {page.locator(MAP_FRAME).count()}")


def test_click_on_the_map_adds_an_offer_and_shows_the_difference_map(browser_page, streamlit_server, artifacts_dir):
    page = browser_page
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{streamlit_server}/szenarien", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name=f"Szenarien {KREIS}")).to_be_visible(timeout=60_000)
    (frame,) = _map_frames(page, 1)
    frame.locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=60_000)
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    inner = next(f for f in page.frames if "streamlit_folium" in f.url)
    x, y = inner.evaluate(FREE_POLYGON_JS)
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page.get_by_role("combobox", name="Ort", exact=True)).to_have_value(re.compile(r"^angeklickte Stelle \(in .+\)$"), timeout=30_000)
    page.get_by_label("Name", exact=True).fill("Kita am Klickpunkt")
    page.get_by_role("button", name="Hinzufügen").click()

    click_map, difference_map = _map_frames(page, 2)
    expect(click_map.locator(".pa-scenario-neu")).to_be_visible(timeout=30_000)
    expect(difference_map.locator(".pa-scenario-neu")).to_be_visible(timeout=30_000)
    legend = difference_map.locator(".pa-legend").inner_text(timeout=30_000)
    assert "Veränderung: Erreichbarkeit (2SFCA)" in legend and "je 100 Personen der Zielgruppe" in legend
    assert "unverändert" in legend and "mehr" in legend
    expect(page.get_by_text("„Kita am Klickpunkt“")).to_be_visible()
    page.locator(MAP_FRAME).nth(1).scroll_into_view_if_needed()
    time.sleep(1.0)  # tiles-free map: let Leaflet finish drawing before the picture
    page.screenshot(path=str(artifacts_dir / "szenarien_click_and_difference.png"), full_page=True)
    left = [u for u in failed if not u.startswith("http://127.0.0.1")]
    assert not left, f"requests left the machine: {left}"
