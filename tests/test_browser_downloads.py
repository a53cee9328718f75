"""Downloads, shared links and presentation mode in a real headless Chromium: the files a click delivers (PNG at
the chosen width and 300 dpi, German CSV with the database's values, the Steckbrief PDF), a link from 'Link zu
dieser Ansicht' opened in a fresh browser shows the same view, and ?praesentation=1 collapses the sidebar,
enlarges the type, puts a headline and the map first and fits one screen."""
from __future__ import annotations

import io
import urllib.parse
from pathlib import Path

import pytest
from PIL import Image
from browser_helpers import MAP_FRAME, legend_with
from playwright.sync_api import expect
from pypdf import PdfReader

from etl.db import connect
from reports import tables

SOZIALRAUM = "99001-SR03"
pytestmark = pytest.mark.browser


def _open(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=60_000)


def _settle(page) -> None:
    """Wait until the script (or fragment) run a widget change started has finished: a button drawn by the
    previous run would point at a download the new run has replaced."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=30_000)


def _download(page, button: str, timeout_ms: int = 90_000):
    with page.expect_download(timeout=timeout_ms) as info:
        page.get_by_role("button", name=button, exact=True).click()
    return info.value


def _db_values(demo_db: Path, level: str, indicator_id: str, year: int) -> dict[str, float]:
    with connect(demo_db, read_only=True) as con:
        rows = con.execute(
            "SELECT o.area_id, o.value FROM observations o JOIN areas a USING (area_id) "
            "WHERE o.indicator_id = ? AND o.year = ? AND (a.level = ? OR a.area_id = '99001')",
            [indicator_id, year, level],
        ).fetchall()
    return dict(rows)


def test_map_png_and_table_csv_downloads(browser_page, streamlit_server, demo_db, artifacts_dir):
    page = browser_page
    _open(page, f"{streamlit_server}/indikatoren?kennzahl=anteil_u18&ebene=sozialraum")
    page.get_by_role("button", name="Karte").click()
    page.get_by_role("combobox", name="Breite").click()
    page.get_by_role("option", name="12 cm", exact=True).click()
    _settle(page)
    png = _download(page, "PNG (Bild)")
    assert png.suggested_filename == "anteil-u18_sozialraum_2023_landkreis-musterland-demodaten_karte.png"
    image = Image.open(io.BytesIO(Path(png.path()).read_bytes()))
    assert image.format == "PNG" and image.width == round(12 / 2.54 * 300), "the chosen width at 300 dpi"
    assert [round(v) for v in image.info["dpi"]] == [300, 300]
    image.save(artifacts_dir / "download_map.png")

    csv = _download(page, "CSV (Semikolon, Dezimalkomma)")
    assert csv.suggested_filename == "anteil-u18_sozialraum_2023_landkreis-musterland-demodaten.csv"
    raw = Path(csv.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8-sig").startswith("Anteil Minderjährige\r\n")
    table = tables.read_csv_table(raw).set_index("Schlüssel")
    expected = _db_values(demo_db, "sozialraum", "anteil_u18", 2023)
    assert set(table.index) == set(expected), "the five Sozialräume and the Kreis"
    assert table.loc["99001", "Ebene"] == "Kreis"
    for area_id, value in expected.items():
        assert table.loc[area_id, "Wert"] == value, area_id


def test_steckbrief_pdf_download(browser_page, streamlit_server):
    page = browser_page
    page.goto(f"{streamlit_server}/steckbrief?ebene=sozialraum&gebiet={SOZIALRAUM}", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Steckbrief Sozialraum Musterstadt/Rabenbach")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Steckbrief als PDF").click()
    pdf = _download(page, "PDF herunterladen")
    assert pdf.suggested_filename == "steckbrief_sozialraum_musterstadt-rabenbach_landkreis-musterland-demodaten.pdf"
    reader = PdfReader(io.BytesIO(Path(pdf.path()).read_bytes()))
    assert 1 <= len(reader.pages) <= 2
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Musterstadt/Rabenbach" in text and "Kennzahlen im Vergleich zum Kreis" in text and "Quellen und Lizenzen" in text


def test_a_shared_link_opens_the_same_view(browser_page, streamlit_server, artifacts_dir):
    page = browser_page
    _open(page, f"{streamlit_server}/")
    page.get_by_text("Sozialräume", exact=True).click()
    _settle(page)
    box = page.get_by_role("combobox", name="Kennzahl")
    box.click()
    box.fill("Altenquotient")
    page.get_by_role("option", name="Altenquotient (Senioren und Generationen)", exact=True).click()
    legend_with(page, "Altenquotient 2023")
    _settle(page)  # the link is filled at the end of the run
    page.get_by_role("button", name="Link zu dieser Ansicht").click()
    link = page.locator("[data-testid='stPopoverBody'] code").inner_text().replace("\n", "")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    assert query["ebene"] == ["sozialraum"] and query["kennzahl"] == ["altenquotient"], link
    assert link.startswith(streamlit_server), "an absolute link to copy"
    assert "ebene=sozialraum" in page.url and "kennzahl=altenquotient" in page.url, "the address bar follows too"

    fresh = page.context.browser.new_context(viewport={"width": 1400, "height": 1100}, locale="de-DE")
    try:  # another context: no cookies, no storage, a new Streamlit session – only the link carries the view
        other = fresh.new_page()
        _open(other, link)
        legend = legend_with(other, "Altenquotient 2023")
        assert legend == legend_with(page, "Altenquotient 2023"), "same map, same classes"
        expect(other.get_by_role("radio", name="Sozialräume")).to_be_checked()
        expect(other.get_by_role("combobox", name="Kennzahl")).to_have_value("Altenquotient (Senioren und Generationen)")
        other.screenshot(path=str(artifacts_dir / "shared_link.png"))
    finally:
        fresh.close()


def test_presentation_mode(browser_page, streamlit_server, artifacts_dir):
    """One screen at 1400×1000 and 1920×1080 (issue 11, item 9): headline with indicator, level and year, the map and
    its legend (type ≥ 18 px) inside the screen, the controls folded into "Einstellungen", "Grafik" on one line."""
    page = browser_page
    for width, height in ((1400, 1000), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        _open(page, f"{streamlit_server}/indikatoren?praesentation=1&kennzahl=anteil_u18&ebene=sozialraum")
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_have_attribute("data-collapsed", "true")
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "21px", "large type"
        expect(page.locator("[data-testid='stMain'] h1").first).to_have_text("Anteil Minderjährige · Sozialräume · 2023")
        map_box = page.locator(MAP_FRAME).bounding_box()
        search_top = page.get_by_text("Suche in Bezeichnung und Definition").bounding_box()["y"]
        assert map_box["y"] < search_top, "the map comes first"
        assert map_box["y"] + map_box["height"] <= height, "map and legend fit the screen"
        legend = page.frame_locator(MAP_FRAME).locator(".pa-legend")
        assert float(legend.evaluate("n => parseFloat(getComputedStyle(n).fontSize)")) >= 18, "legend readable from the back"
        settings = page.locator("[data-testid='stExpander'] summary").first
        expect(settings).to_contain_text("Einstellungen")
        assert not page.get_by_role("combobox", name="Klassenbildung").is_visible(), "controls folded away"
        grafik = page.get_by_role("button", name="Grafik").first
        assert grafik.evaluate(
            "b => { const p = b.querySelector('p'); const r = document.createRange(); r.selectNodeContents(p);"
            " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"
        ) == 1, "'Grafik' on one line"
        page.screenshot(path=str(artifacts_dir / f"presentation_mode_{width}x{height}.png"))

    _open(page, f"{streamlit_server}/indikatoren?kennzahl=anteil_u18&ebene=sozialraum")
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "false")
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "16px"
