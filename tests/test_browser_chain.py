"""Präventionskette and Bedarf & Versorgung in a real headless Chromium: the styled matrix, a click on a cell,
the need/supply chart and the ranked gap list render offline."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_browser_explorer import _scroll_main

pytestmark = pytest.mark.browser
KREIS = "Landkreis Musterland (Demodaten)"


def _open(page, base_url: str, path: str, heading: str) -> list[str]:
    """Open a page and wait for its heading; returns the list that collects requests that failed."""
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(f"{base_url}/{path}", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name=f"{heading} {KREIS}")).to_be_visible(timeout=60_000)
    return failed


def _assert_offline(failed: list[str]) -> None:
    left = [u for u in failed if not u.startswith("http://127.0.0.1")]
    assert not left, f"requests left the machine: {left}"


def test_chain_matrix_marks_gaps_and_lists_the_offers_of_a_cell(browser_page, streamlit_server, artifacts_dir):
    page = browser_page
    failed = _open(page, streamlit_server, "praeventionskette", "Präventionskette")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(state="visible", timeout=30_000)
    expect(page.get_by_text("leer – kein Angebot").first).to_be_visible()
    expect(page.get_by_text("Kreis als Referenz")).to_be_visible()
    page.get_by_text("3 leere").first.wait_for(timeout=10_000)
    page.screenshot(path=str(artifacts_dir / "chain_sozialraeume.png"))

    # the grid is a canvas: click the first area's cell (after the Kreis column) in the row "0 bis 3 Jahre" (second
    # row); the page fixes the widths of the label and value columns (chain.column_widths)
    box = grid.bounding_box()
    header, row_height, label_width, value_width = 38, 35, 250, 110
    page.mouse.click(box["x"] + label_width + value_width * 1.5, box["y"] + header + row_height * 1.5)
    expect(page.get_by_text("0 bis 3 Jahre in Altenmühl/Rabeningen/Flachsstein")).to_be_visible(timeout=30_000)
    offers = page.locator("[data-testid='stDataFrame']").nth(1)
    offers.wait_for(state="visible", timeout=10_000)
    _scroll_main(page, "end")
    page.screenshot(path=str(artifacts_dir / "chain_cell_offers.png"))

    _scroll_main(page, 0)
    page.get_by_text("Angebotsarten", exact=True).click()
    expect(page.get_by_text("Sozialräume × Angebotsarten", exact=False)).to_be_visible(timeout=30_000)
    page.screenshot(path=str(artifacts_dir / "chain_angebotsarten.png"))

    page.get_by_text("Gemeinden", exact=True).first.click()
    expect(page.get_by_text("Gemeinden × Angebotsarten", exact=False)).to_be_visible(timeout=30_000)
    expect(page.get_by_role("switch", name="Gebiete als Zeilen")).to_be_checked()
    page.screenshot(path=str(artifacts_dir / "chain_gemeinden.png"))
    _assert_offline(failed)


def test_bedarf_page_draws_need_against_supply_and_the_ranked_gaps(browser_page, streamlit_server, artifacts_dir):
    page = browser_page
    failed = _open(page, streamlit_server, "bedarf_versorgung", "Bedarf & Versorgung")
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(state="visible", timeout=30_000)
    expect(chart.locator(".xtitle")).to_contain_text("SGB-II-Quote")
    assert chart.locator(".scatterlayer .point").count() >= 5, "one point per Sozialraum"
    expect(chart.locator(".legendtext").filter(has_text="Kreis:")).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "bedarf_chart.png"))

    _scroll_main(page, "end")
    expect(page.get_by_role("heading", name="Wo fehlen Angebote?")).to_be_visible()
    page.locator("[data-testid='stDataFrame']").first.wait_for(state="visible", timeout=10_000)
    page.screenshot(path=str(artifacts_dir / "bedarf_ranking.png"))

    _scroll_main(page, 0)
    page.get_by_text("Angebotsarten", exact=True).click()
    expect(page.get_by_role("slider", name="Reichweite (Luftlinie, km)")).to_be_visible(timeout=30_000)
    expect(page.locator(".js-plotly-plot").first.locator(".xtitle")).to_contain_text("SGB-II-Quote")
    page.screenshot(path=str(artifacts_dir / "bedarf_angebotsarten.png"))
    _assert_offline(failed)
