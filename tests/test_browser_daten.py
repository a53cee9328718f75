"""The page "Daten" in a real headless Chromium: a file chosen in the file picker (set_input_files) is checked and
previewed (a faulty one first: its message names sheet, row and column, and it cannot be saved), saved as a draft
and published; the live database then holds the county's indicators. Screenshots: tests/artifacts/daten_bad_input.png,
daten_preview.png (after the check) and daten_published.png (version list)."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect

from tests.conftest import serve_app
from tests.own_indicator_fixtures import GOOD_META, filled, good_values

pytestmark = pytest.mark.browser


def _settle(page) -> None:
    page.wait_for_timeout(300)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=90_000)


def test_upload_preview_and_publish_in_the_browser(browser_page, demo_db: Path, tmp_path: Path, artifacts_dir: Path, monkeypatch):
    folder = tmp_path / "db"
    folder.mkdir()
    live = folder / "demo_musterland.duckdb"
    shutil.copy(demo_db, live)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        gemeinden = [r[0] for r in con.sql("SELECT area_id FROM areas WHERE level = 'gemeinde' ORDER BY area_id").fetchall()]
    table = filled(tmp_path / "eigene_indikatoren.xlsx", GOOD_META, good_values(gemeinden))
    monkeypatch.delenv("PLANUNGSATLAS_AUTH", raising=False)
    monkeypatch.delenv("PLANUNGSATLAS_WORKSPACE_URL", raising=False)
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    with serve_app(folder, tmp_path) as url:
        page.goto(f"{url}/daten", wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Daten – Landkreis Musterland (Demodaten)")).to_be_visible(timeout=60_000)
        page.get_by_text("Eigene Indikatoren", exact=True).click()
        _settle(page)
        bad = filled(tmp_path / "falsch.xlsx", GOOD_META, [["familienbesuche", "07235001", "", 2023, 3, None, None]])
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(bad))
        error = page.locator("[data-testid='stAlert']").filter(has_text="Die Datei kann so nicht geladen werden.")
        expect(error).to_be_visible(timeout=60_000)
        _settle(page)
        assert "Blatt „Werte“, Zeile 2, Spalte Gebietsschlüssel" in error.inner_text()
        expect(page.get_by_role("button", name="Als Entwurf speichern")).to_be_disabled()
        page.screenshot(path=str(artifacts_dir / "daten_bad_input.png"))
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(table))
        expect(page.get_by_text("Zeilen, die geladen werden", exact=True)).to_be_visible(timeout=60_000)
        _settle(page)
        expect(page.get_by_text(f"{3 * len(gemeinden) + 1} Zeilen werden geladen", exact=False)).to_be_visible()
        page.get_by_text("Änderungen gegenüber der veröffentlichten Version").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts_dir / "daten_preview.png"))
        page.get_by_role("button", name="Als Entwurf speichern").click()
        expect(page.get_by_text("Entwurf Nr. 1 gespeichert", exact=False)).to_be_visible(timeout=30_000)
        _settle(page)
        page.get_by_role("button", name="Veröffentlichen").click()
        expect(page.get_by_text("Version 2 veröffentlicht", exact=False)).to_be_visible(timeout=120_000)
        _settle(page)
        page.get_by_role("heading", name="Versionen").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts_dir / "daten_published.png"))
    with duckdb.connect(str(live), read_only=True) as con:
        labels = {r[0] for r in con.sql("SELECT label FROM indicators").fetchall()}
    assert {"Kinder auf der Kita-Warteliste", "Willkommensbesuche"} <= labels
