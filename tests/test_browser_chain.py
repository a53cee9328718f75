"""Präventionskette and Bedarf & Versorgung in a real headless Chromium: the styled matrix, a click on a cell,
the need/supply chart and the ranked gap list render offline; on Trier-Saarburg's real data the matrix says
"nicht erfasst" and shows every Sozialraum's full name at 1400 × 1000 (screenshot in tests/artifacts)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO_ROOT, SERVER_START_TIMEOUT_S, _free_port, _health, _stop_process_group
from page_helpers import demo_context
from playwright.sync_api import expect
from test_browser_explorer import _scroll_main

from dashboard import chain_view
from etl.build import build
from planning import chain, queries
from planning.context import Context

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


def _column_left(widths: dict[str, int], column: str) -> int:
    """Left edge of a column in the grid, from the widths the page sets (the columns are wider than the grid here)."""
    names = list(widths)
    return sum(widths[c] for c in names[: names.index(column)])


def test_chain_matrix_marks_gaps_and_lists_the_offers_of_a_cell(browser_page, streamlit_server, demo_db, artifacts_dir):
    page = browser_page
    failed = _open(page, streamlit_server, "praeventionskette", "Präventionskette")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(state="visible", timeout=30_000)
    expect(page.get_by_text("leer – kein Angebot").first).to_be_visible()
    expect(page.get_by_text("Kreis als Referenz")).to_be_visible()
    page.get_by_text("3 leere").first.wait_for(timeout=10_000)
    page.screenshot(path=str(artifacts_dir / "chain_sozialraeume.png"))

    # the grid is a canvas: click the first area's cell (after the Kreis column) in the row "0 bis 3 Jahre" (second
    # row); the page sets every column's width (chain_view.column_widths), wider in sum than the grid here
    widths = chain_view.column_widths(chain.build_matrix(demo_context(demo_db), "sozialraum", "lebensphase", "offers_per_1000"))
    first = "Altenmühl/Rabeningen/Flachsstein"
    assert sum(widths.values()) > grid.bounding_box()["width"], "the demo's five long names scroll sideways"
    box = grid.bounding_box()
    header, row_height = 38, 35
    page.mouse.click(box["x"] + _column_left(widths, first) + widths[first] / 2, box["y"] + header + row_height * 1.5)
    expect(page.get_by_text(f"0 bis 3 Jahre in {first}")).to_be_visible(timeout=30_000)
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


# --- Trier-Saarburg: real school list, "nicht erfasst", full column names -------------------------------------------

@pytest.fixture(scope="module")
def trier_saarburg_server(shared_data: Path, chromium_path: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app on a Trier-Saarburg database built from the real files (as in tests/conftest.streamlit_server)."""
    folder = tmp_path_factory.mktemp("ts_db")
    out = folder / "07235_trier-saarburg.duckdb"
    build([REPO_ROOT / "config" / "07235_trier-saarburg.toml"], out, say=lambda _msg: None)
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
           "--server.headless", "true", "--server.address", "127.0.0.1"]  # fmt: skip
    log_path = folder / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env={**os.environ, "PLANUNGSATLAS_DB_DIR": str(folder)},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while _health(f"http://127.0.0.1:{port}/_stcore/health") != "ok":
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Streamlit server on Trier-Saarburg did not start:\n{log_path.read_text(errors='replace')}", pytrace=False)
            time.sleep(0.25)
        yield f"http://127.0.0.1:{port}", Context(queries.Database(str(out), out.stat().st_mtime), "07235", "", 2015, False)
    finally:
        _stop_process_group(proc)


def test_trier_saarburg_matrix_says_nicht_erfasst_and_shows_full_names(browser_page, trier_saarburg_server, artifacts_dir):
    base_url, ctx = trier_saarburg_server
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{base_url}/praeventionskette", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Präventionskette Landkreis Trier-Saarburg")).to_be_visible(timeout=60_000)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(state="visible", timeout=30_000)
    expect(page.get_by_text("6 von 9 Lebensphasen nicht erfasst")).to_be_visible()
    expect(page.get_by_text("nicht erfasst – keine Angebotsliste")).to_be_visible()
    expect(grid.locator("th")).to_have_count(6, timeout=30_000)  # the grid's accessible copy: drawn once the canvas is
    _scroll_main(page, 0)
    page.screenshot(path=str(artifacts_dir / "chain_trier_saarburg_1400.png"))

    headers = grid.locator("th").all_inner_texts()
    assert headers == ["Lebensphase", chain.KREIS_COLUMN, "Hermeskeil", "Konz", "Ruwer/Schweich/Trier-Land", "Saarburg"]
    # every column fits in the grid (nothing scrolls sideways) and is wider than its name in the grid's header font
    scroll, client = page.evaluate(
        "() => { const s = document.querySelector(\"[data-testid='stDataFrame'] .dvn-scroller\"); return [s.scrollWidth, s.clientWidth]; }"
    )
    assert scroll <= client, f"the matrix scrolls sideways at 1400 px ({scroll} > {client})"
    widths = chain_view.column_widths(chain.build_matrix(ctx, "sozialraum", "lebensphase", "offers_per_1000"))
    drawn = page.evaluate(
        """(texts) => { const c = document.createElement('canvas').getContext('2d');
           c.font = '600 14px ' + getComputedStyle(document.body).fontFamily; return texts.map(t => c.measureText(t).width); }""",
        headers,
    )
    for name, text_px in zip(headers, drawn):
        assert text_px + 16 <= widths[name], f"header {name!r} ({text_px:.0f} px) is cut in a {widths[name]} px column"
