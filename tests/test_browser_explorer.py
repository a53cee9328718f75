"""The indicator explorer in a real headless Chromium: map, legend, switching indicator and classification."""
from __future__ import annotations

import re

import pytest
from browser_helpers import MAP_FRAME, legend_with
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _open_explorer(page, base_url: str):
    page.goto(f"{base_url}/indikatoren", wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=60_000)
    return frame


def _choose(page, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox the way a user does: open it, type to narrow the (virtualised)
    list, click the option."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(option.split(" (")[0])
    page.get_by_role("option", name=option, exact=True).click()


def _scroll_main(page, to: str) -> None:
    """Streamlit scrolls an inner container, not the window."""
    page.evaluate(
        "(to) => { const m = document.querySelector('[data-testid=\"stMain\"]') || document.querySelector('section.main');"
        " m.scrollTo(0, to === 'end' ? m.scrollHeight : 0); }",
        to,
    )


def test_explorer_switches_indicator_and_classification(browser_page, streamlit_server, artifacts_dir):
    page = browser_page
    failed_requests: list[str] = []
    page.on("requestfailed", lambda r: failed_requests.append(r.url))
    frame = _open_explorer(page, streamlit_server)

    legend = legend_with(page, "Anteil Kinder unter 6 Jahren 2023")
    assert "Klassen: Quantile" in legend
    assert re.search(r"\d,\d bis \d,\d", legend), "German class bounds"
    assert "Demodaten" in frame.locator(".leaflet-control-attribution").inner_text(), "attribution in the map"
    expect(page.get_by_role("heading", name="Indikatoren Landkreis Musterland (Demodaten)")).to_be_visible()
    expect(page.get_by_text("Rangfolge der Gemeinden")).to_be_visible()
    page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=30_000)  # the ranking chart is drawn
    expect(page.locator(".js-plotly-plot").first.locator(".ytick").filter(has_text="Musterstadt")).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "explorer_start.png"))

    _choose(page, "Kennzahl", "Altenquotient (je 100 Personen von 20–64 J.)")
    quantile_legend = legend_with(page, "Altenquotient 2023")
    expect(page.get_by_role("heading", name="Altenquotient")).to_be_visible()
    assert quantile_legend != legend

    _choose(page, "Klassenbildung", "gleiche Intervalle")
    equal_legend = legend_with(page, "Klassen: gleiche Intervalle")
    assert equal_legend.split("\n")[2:] != quantile_legend.split("\n")[2:], "other class bounds"
    _choose(page, "Klassenbildung", "natürliche Unterbrechungen (Fisher-Jenks)")
    legend_with(page, "natürliche Unterbrechungen")
    assert page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive").count() >= 60
    page.screenshot(path=str(artifacts_dir / "explorer_altenquotient_fisher_jenks.png"))

    # the lower half: time series and table with German numbers
    _scroll_main(page, "end")
    table = page.locator("[data-testid='stDataFrame']").last
    table.wait_for(state="visible", timeout=10_000)
    expect(page.get_by_role("heading", name="Zeitreihe")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "explorer_timeseries_table.png"))
    assert not [u for u in failed_requests if not u.startswith("http://127.0.0.1")], f"requests left the machine: {failed_requests}"


def test_explorer_search_and_level_switch(browser_page, streamlit_server, artifacts_dir):
    page = browser_page
    frame = _open_explorer(page, streamlit_server)
    search = page.get_by_role("textbox", name="Suche in Bezeichnung und Definition")
    search.fill("hochbetagte")
    search.press("Enter")
    expect(page.get_by_text(re.compile(r"^2 von \d+ Kennzahlen"))).to_be_visible(timeout=30_000)
    assert page.get_by_role("combobox", name="Kennzahl").input_value().startswith("Hochbetagte")
    legend_with(page, "Hochbetagte: 75 Jahre und älter 2023")

    # a click on a row of the hit list picks that indicator (the grid is a canvas: click the row's checkbox)
    hits = page.locator("[data-testid='stDataFrame']").first
    box = hits.bounding_box()
    row_height, header = 35, 38
    page.mouse.click(box["x"] + 12, box["y"] + header + row_height * 1 + row_height / 2)  # second row
    expect(page.get_by_role("combobox", name="Kennzahl")).to_have_value(re.compile(r"^Anteil Hochbetagte"), timeout=30_000)
    legend_with(page, "Anteil Hochbetagte (75 Jahre und älter) 2023")

    page.get_by_text("Sozialräume", exact=True).click()
    expect(page.get_by_text("Rangfolge der Sozialräume")).to_be_visible(timeout=30_000)
    legend_with(page, "Anteil Hochbetagte")
    expect(page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive")).to_have_count(5, timeout=30_000)  # Sozialräume
    page.screenshot(path=str(artifacts_dir / "explorer_search_sozialraeume.png"))


# --- Trier-Saarburg, real data, 1400×1000 (issue 11: the year, the time series, plain German) -------------------------

@pytest.fixture(scope="module")
def trier_saarburg_url(shared_data, chromium_path, tmp_path_factory):
    """The app on a Trier-Saarburg database built from the real files."""
    from conftest import REPO_ROOT, serve_app
    from etl.build import build

    folder = tmp_path_factory.mktemp("ts_explorer")
    build([REPO_ROOT / "config" / "07235_trier-saarburg.toml"], folder / "07235_trier-saarburg.duckdb", say=lambda _msg: None)
    with serve_app(folder, tmp_path_factory.mktemp("ts_explorer_server")) as url:
        yield url


def test_trier_saarburg_explorer_at_1400_by_1000(browser_page, trier_saarburg_url, artifacts_dir):
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{trier_saarburg_url}/indikatoren?kennzahl=bev_insgesamt", wait_until="domcontentloaded")
    page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=60_000)
    expect(page.get_by_role("heading", name="Indikatoren Landkreis Trier-Saarburg – 2015")).to_be_visible()
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text(re.compile(r"^Voreinstellung 2015: das Jahr mit den meisten Kennzahlen für Gemeinden"))).to_be_visible()
    expect(page.get_by_text("Statistische Ämter des Bundes und der Länder, Bevölkerungsstand 31.12.2015 (Tabelle 12411-02-03-5)")).to_be_visible()
    expect(page.get_by_text("Datenstand: 10.10.2017", exact=False)).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "explorer_trier_saarburg_1400x1000.png"))

    # the time series: every year 2008–2015, the census break marked, a trend with its test
    _scroll_main(page, "end")
    expect(page.get_by_text("Trend der letzten fünf Jahre mit Werten")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(r"^Trendtest: Poisson-Regression der Fallzahlen"))).to_be_visible()
    chart = page.locator(".js-plotly-plot").last
    expect(chart.locator(".annotation-text").filter(has_text="Bruch: Zensus 2011")).to_have_count(1)
    ticks = chart.locator(".xtick text").evaluate_all("els => els.map(e => e.textContent)")
    assert ticks == [str(y) for y in range(2008, 2016)], ticks
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "explorer_trier_saarburg_timeseries_1400x1000.png"))

    # an indicator with a single year: said in words, no loose dots
    _choose(page, "Kennzahl", "Anteil Kinder unter 6 Jahren (%)")
    legend_with(page, "Anteil Kinder unter 6 Jahren 2015")
    _scroll_main(page, "end")
    expect(page.get_by_text(re.compile(r"^Nur ein Jahr vorhanden \(2015\)"))).to_be_visible(timeout=30_000)
