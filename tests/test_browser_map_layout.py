"""The map pages as a meeting sees them, in a real headless Chromium (issue 11, items 1, 3, 4, 9): Übersichtskarte,
Indikatoren and Angebotskarte at 1400×1000 and 1920×1080, normal and in presentation mode, on the demo and on
Trier-Saarburg's real data. Every view is saved as a screenshot in tests/artifacts/.

- the map is at least 60 % of a 1400 px page wide (full width while presenting);
- legend, attribution, scale bar and zoom buttons never overlap and stay inside the map;
- no control label or shown value of the page is cut ("Hintergrundk…", "Grafi/k");
- while presenting, the headline names indicator, level and year, the map with its legend fits the screen and the
  legend type is at least 18 px;
- Trier-Saarburg: the hole of the city of Trier is named, the Angebotskarte opens on a category a list captures, a
  category none captures is grey "nicht erfasst"; a Kennzahl change draws the new map within a second or so.
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from browser_helpers import MAP_FRAME, legend_with
from map_layout_helpers import check_map_page, map_frame

from etl.build import build

pytestmark = pytest.mark.browser
REPO_ROOT = Path(__file__).resolve().parent.parent
SIZES = ((1400, 1000), (1920, 1080))
PAGES = {"uebersichtskarte": "/", "indikatoren": "/indikatoren", "angebotskarte": "/angebotskarte"}
MAP_SHARE = 0.6  # of a 1400 px page
LEGEND_MIN_PX = 18  # presentation mode


@pytest.fixture(scope="module")
def trier_saarburg_server(shared_data: Path, chromium_path: Path, tmp_path_factory: pytest.TempPathFactory):
    from conftest import serve_app

    out = tmp_path_factory.mktemp("ts_maps") / "07235_trier-saarburg.duckdb"
    build([REPO_ROOT / "config" / "07235_trier-saarburg.toml"], out, say=lambda _msg: None)
    with serve_app(out.parent, tmp_path_factory.mktemp("ts_maps_server")) as base_url:
        yield base_url


def _open(page, url: str, size: tuple[int, int]) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(url, wait_until="domcontentloaded")
    page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=90_000)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=60_000)
    page.wait_for_timeout(800)  # names are decluttered and the legend placed after the first frame


def _check_views(page, base_url: str, name: str, artifacts_dir: Path) -> list[str]:
    """Every page × size × mode: the measurements, a screenshot each; returns what failed (all views are seen)."""
    problems = []
    for page_name, path in PAGES.items():
        for size in SIZES:
            for presenting in (False, True):
                url = f"{base_url}{path}{'?praesentation=1' if presenting else ''}"
                _open(page, url, size)
                mode = "praesentation" if presenting else "normal"
                page.screenshot(path=str(artifacts_dir / f"maps_{name}_{page_name}_{mode}_{size[0]}x{size[1]}.png"))
                view = f"{name} {page_name} {mode} {size[0]}x{size[1]}"
                found = check_map_page(page)
                if found["map"]["width"] < MAP_SHARE * 1400:
                    problems.append(f"{view}: map only {found['map']['width']:.0f} px wide")
                if found["overlaps"] or found["outside"]:
                    problems.append(f"{view}: map furniture overlaps {found['overlaps']} or sticks out {found['outside']}")
                if found["truncated"]:
                    problems.append(f"{view}: cut control labels {found['truncated']}")
                if presenting:
                    problems += _presentation_problems(page, found, view, size)
    return problems


def _presentation_problems(page, found: dict, view: str, size: tuple[int, int]) -> list[str]:
    problems = []
    bottom = found["map"]["y"] + found["map"]["height"]
    if bottom > size[1]:
        problems.append(f"{view}: the map ends at {bottom:.0f} px, below the screen")
    if found["legend_px"] is None or found["legend_px"] < LEGEND_MIN_PX:
        problems.append(f"{view}: legend type {found['legend_px']} px")
    if page.get_by_test_id("stSidebar").get_attribute("data-collapsed") != "true":
        problems.append(f"{view}: sidebar open")
    headline = page.locator("[data-testid='stMain'] h1").first.inner_text()
    if headline.count(" · ") < 2 or not any(ch.isdigit() for ch in headline.rsplit(" · ", 1)[-1]):
        problems.append(f"{view}: headline without indicator, level and year: {headline!r}")
    settings = page.locator("[data-testid='stExpander'] summary").first
    if not settings.is_visible() or "Einstellungen" not in settings.inner_text():
        problems.append(f"{view}: controls not folded into 'Einstellungen'")
    return problems


def test_demo_map_pages_are_readable_in_every_size_and_mode(browser_page, streamlit_server, artifacts_dir):
    problems = _check_views(browser_page, streamlit_server, "demo", artifacts_dir)
    assert not problems, "\n".join(problems)


def test_trier_saarburg_map_pages_are_readable_in_every_size_and_mode(browser_page, trier_saarburg_server, artifacts_dir):
    problems = _check_views(browser_page, trier_saarburg_server, "trier-saarburg", artifacts_dir)
    assert not problems, "\n".join(problems)


def test_trier_saarburg_names_the_hole_and_says_nicht_erfasst(browser_page, trier_saarburg_server, artifacts_dir):
    page = browser_page
    _open(page, f"{trier_saarburg_server}/", (1400, 1000))
    frame = page.frame_locator(MAP_FRAME)
    assert frame.locator(".pa-label.pa-hole").inner_text().replace("\n", " ") == "Trier (kreisfreie Stadt)", "the neighbour in the hole"
    assert frame.locator(".pa-label span").filter(has_text="Konz").first.is_visible(), "Gemeinde names on the map"
    _open(page, f"{trier_saarburg_server}/angebotskarte", (1400, 1000))
    legend = frame.locator(".pa-legend").inner_text()
    assert "Grundschule" in legend and "0,00 bis 0,00" not in legend, "opens on a category the school list captures"
    _open(page, f"{trier_saarburg_server}/angebotskarte?versorgung=angebotsart:kita", (1400, 1000))
    legend = legend_with(page, "nicht erfasst")
    assert "Kindertageseinrichtung (Kita)" in legend and "0,00" not in legend
    fills = map_frame(page).evaluate(
        "() => [...new Set([...document.querySelectorAll('path.leaflet-interactive:not(.pa-offer)')].map(p => p.getAttribute('fill')))]"
    )
    assert fills == ["#d9d9d9"], f"every area grey: {fills}"
    page.screenshot(path=str(artifacts_dir / "maps_trier-saarburg_angebotskarte_kita_nicht_erfasst.png"))


def test_trier_saarburg_kennzahl_change_draws_the_new_map_quickly(browser_page, trier_saarburg_server):
    """Browser: a Kennzahl change → the new map with its legend (target ≤ 1 s on this machine; asserted with room
    for a loaded machine, the median is printed)."""
    page = browser_page
    _open(page, f"{trier_saarburg_server}/", (1400, 1000))
    combo = page.get_by_role("combobox", name="Kennzahl")
    times = []
    for option in ("Anteil Einwohner ab 65 Jahren (Senioren und Generationen)", "Anteil Minderjährige (Demografie)", "Jugendquotient (Demografie)"):
        combo.click()
        combo.fill(option.split(" (")[0])
        started = time.perf_counter()
        page.get_by_role("option", name=option, exact=True).click()
        legend_with(page, option.split(" (")[0])
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"Kennzahl change → new map (Trier-Saarburg, median of 3): {median:.2f} s {[round(t, 2) for t in times]}")
    assert median < 3.0, times
