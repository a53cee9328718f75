"""The sidebar's select boxes show their values uncut (issue 11 item 3: no truncated control labels): a short label
in the box, the full county names and the database file in the caption under it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from map_layout_helpers import TRUNCATED_JS
from page_helpers import DEMO_KREIS_NAME, open_page

from dashboard import context
from planning import queries

SIDEBAR = '[data-testid="stSidebar"]'


def test_short_names_drop_the_kind_only_where_needed() -> None:
    assert context.short_name("Landkreis Trier-Saarburg") == "Landkreis Trier-Saarburg", "fits: kept as it is"
    assert context.short_name(DEMO_KREIS_NAME) == "Musterland (Demodaten)"
    long = context.short_name("Landkreis Sächsische Schweiz-Osterzgebirge")
    assert long == "Sächsische Schweiz-Osterz…" and len(long) == context.SELECT_CHARS


def _with_counties(monkeypatch: pytest.MonkeyPatch, names: list[str]) -> queries.Database:
    monkeypatch.setattr(queries, "counties", lambda db: pd.DataFrame({"area_id": [f"0{i}" for i in range(len(names))], "name": names}))
    return queries.Database("/data/region_trier_eifel_mosel_hunsrueck.duckdb", 0.0)


def test_database_labels_fit_the_box(monkeypatch: pytest.MonkeyPatch) -> None:
    db = _with_counties(monkeypatch, ["Kreis Düren", "Kreis Siegen-Wittgenstein"])
    assert context.database_label(db) == "Düren, Siegen-Wittgenstein"
    db = _with_counties(monkeypatch, ["Eifelkreis Bitburg-Prüm", "Landkreis Bernkastel-Wittlich", "Landkreis Trier-Saarburg"])
    label = context.database_label(db)
    assert label.startswith("3 Kreise · region_trier") and len(label) <= context.SELECT_CHARS
    assert context.database_caption(db) == ("Eifelkreis Bitburg-Prüm, Landkreis Bernkastel-Wittlich, Landkreis Trier-Saarburg"
                                            " · Datei region_trier_eifel_mosel_hunsrueck.duckdb")  # fmt: skip


def test_sidebar_shows_short_label_and_full_name(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db.parent, monkeypatch, "pages/indikatoren.py")
    assert at.sidebar.selectbox(key="db_path").options == ["Musterland (Demodaten)"]
    assert at.sidebar.selectbox(key="kreis_id").options == ["Musterland (Demodaten)"]
    assert f"{DEMO_KREIS_NAME} · Datei {demo_db.name}" in [c.value for c in at.sidebar.caption]
    assert at.title[0].value.startswith(f"Indikatoren {DEMO_KREIS_NAME}"), "the page keeps the full name"


@pytest.mark.browser
def test_no_sidebar_value_is_cut_in_chromium(demo_db: Path, chromium_path: Path, browser_page, tmp_path: Path, artifacts_dir: Path) -> None:
    from conftest import serve_app

    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copy(demo_db, folder / "landkreis_musterland_demodaten_mit_langem_dateinamen.duckdb")
    with serve_app(folder, tmp_path) as base_url:
        page = browser_page
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.goto(f"{base_url}/indikatoren", wait_until="domcontentloaded")
        page.locator(f"{SIDEBAR} [data-testid='stSelectbox']").first.wait_for(timeout=60_000)
        page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=60_000)
        page.screenshot(path=str(artifacts_dir / "sidebar_labels_demo_1400x1000.png"))
        values = page.evaluate(f"() => [...document.querySelectorAll('{SIDEBAR} [data-testid=stSelectbox] input')].map(n => n.value)")
        assert values[:2] == ["Musterland (Demodaten)"] * 2
        assert page.evaluate(TRUNCATED_JS, SIDEBAR) == []
