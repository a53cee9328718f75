"""The overview map in a real headless Chromium: it renders offline, a click selects a Gemeinde."""
from __future__ import annotations

import re

import pytest

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
pytestmark = pytest.mark.browser


def _open_map(page, base_url: str):
    page.goto(base_url, wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=60_000)
    return frame


def test_map_renders_offline_with_legend_and_attribution(browser_page, streamlit_server, artifacts_dir):
    failed_requests: list[str] = []
    browser_page.on("requestfailed", lambda r: failed_requests.append(r.url))
    frame = _open_map(browser_page, streamlit_server)

    # 61 Gemeinden of the demo county plus the county outline
    assert frame.locator("path.leaflet-interactive").count() >= 60
    legend = frame.locator(".pa-legend")
    assert "Anteil Kinder unter 6 Jahren" in legend.inner_text()
    assert re.search(r"\d,\d bis \d,\d", legend.inner_text()), "legend classes use German decimal commas"
    assert "Demodaten" in frame.locator(".leaflet-control-attribution").inner_text()
    assert browser_page.get_by_text("Demodaten – erfundener Landkreis").first.is_visible()
    assert not [u for u in failed_requests if not u.startswith("http://127.0.0.1")], f"requests left the machine: {failed_requests}"


def test_click_selects_gemeinde_and_shows_its_figures(browser_page, streamlit_server, artifacts_dir):
    frame = _open_map(browser_page, streamlit_server)
    target = frame.locator("path.leaflet-interactive").nth(10)
    target.hover()
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    name = tooltip.inner_text().split("\n")[0].split(":", 1)[-1].strip()
    name = re.sub(r"^Gemeinde\s*", "", name).strip()
    assert name
    target.click()

    heading = browser_page.get_by_role("heading", name=name)
    heading.wait_for(timeout=30_000)
    browser_page.get_by_text("Sozialraum:").first.wait_for(timeout=10_000)
    browser_page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=10_000)
    # the selected Gemeinde is outlined on the map by an extra, non-interactive layer
    frame.locator(f"path[stroke='#d7301f'][stroke-width='4']").first.wait_for(timeout=10_000)
    browser_page.screenshot(path=str(artifacts_dir / "overview_selected_gemeinde.png"))
