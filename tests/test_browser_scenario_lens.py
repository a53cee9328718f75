"""The scenario lens in a real headless Chromium: a shared link with ?szenario=<name> opens the Präventionskette with
the scenario – the banner is shown and the changed cell reads 'vorher → nachher' in the grid (screenshot at
1400 × 1000 in tests/artifacts)."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import serve_app
from page_helpers import DEMO_KREIS as KREIS
from page_helpers import writable_db_dir
from playwright.sync_api import expect
from test_scenario_lens import _without

from planning import queries
from planning import scenarios as sc
from planning.db import Database
from workspace import store_for

pytestmark = pytest.mark.browser
NAME = "Familienzentrum für alle"


def test_a_link_with_a_scenario_opens_the_chain_with_banner_and_changed_cell(browser_page, demo_db, tmp_path: Path, artifacts_dir):
    folder = writable_db_dir(tmp_path, demo_db)
    path = folder / demo_db.name
    db = Database(str(path), path.stat().st_mtime)
    area_id, gemeinde = _without(path, "familienzentrum")
    lon, lat = sc.gemeinde_place(queries.gemeinde_geometry(db, KREIS), area_id)
    store_for(db.path).save(sc.Scenario(NAME, KREIS, (sc.Change(sc.ADD, "neu-1", "familienzentrum", "FZ Mitte", lon, lat, 40),)))
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    with serve_app(folder, tmp_path) as url:
        # areas as columns: the first Gemeinde's column and the Familienzentrum row are in view without scrolling
        page.goto(f"{url}/praeventionskette?szenario={NAME.replace(' ', '+')}&ebene=gemeinde&zeilen=angebotsart&gebiete_als_zeilen=0")
        expect(page.get_by_text(f"Szenario „{NAME}“ – nicht veröffentlicht: 1 Änderung")).to_be_visible(timeout=90_000)
        grid = page.locator("[data-testid='stDataFrame']").first
        grid.wait_for(state="visible", timeout=30_000)
        # the grid draws on a canvas; its accessible cells carry the texts of the cells in view
        changed = page.locator("[role='gridcell']", has_text="→")
        changed.first.wait_for(state="attached", timeout=30_000)
        assert changed.all_inner_texts() == [changed.first.inner_text()], "one cell changes its status"
        assert changed.first.inner_text().startswith("0 ✕ → "), "empty before, an offer after"
        row = changed.first.locator("xpath=..")
        assert "Familienzentrum" in row.locator("[aria-colindex='2']").inner_text()
        column = changed.first.get_attribute("aria-colindex")
        assert page.locator(f"[role='columnheader'][aria-colindex='{column}']").inner_text() == gemeinde
        grid.scroll_into_view_if_needed()  # the changed cell in the screenshot
        page.wait_for_timeout(500)
        page.screenshot(path=str(artifacts_dir / "scenario_lens_chain.png"))
