"""Scenarios (planning/scenarios.py) over the published offers, their store in the workspace, and the Szenarien page
(the store on both backends: tests/test_scenario_store.py)."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from planning import queries
from planning import scenarios as sc
from planning.db import Database
from workspace import WorkspaceScenarioStore, store_for

KREIS = "99001"


@pytest.fixture(scope="module")
def db(demo_db: Path) -> Database:
    return Database(str(demo_db), os.path.getmtime(demo_db))


def test_changes_are_applied_in_memory_and_marked(db):
    published = queries.offers(db, KREIS)
    kitas = published[published["offer_type"] == "kita"]
    first, second, third = kitas["offer_id"].iloc[:3]
    gemeinden = queries.gemeinde_geometry(db, KREIS)
    target = gemeinden["area_id"].iloc[0]
    lon, lat = sc.gemeinde_place(gemeinden, target)
    scenario = sc.Scenario("Plan A", KREIS, (
        sc.Change(sc.ADD, "neu-1", "kita", "Kita am Markt", lon, lat, 60),
        sc.Change(sc.CLOSE, first), sc.Change(sc.CAPACITY, second, capacity=99), sc.Change(sc.MOVE, third, lon=lon, lat=lat),
    ))  # fmt: skip
    changed = sc.apply(published, scenario, gemeinden).set_index("offer_id")
    assert changed.loc["neu-1", "status"] == sc.NEW and changed.loc["neu-1", "gemeinde_id"] == target
    assert changed.loc[first, "status"] == sc.CLOSED and first not in sc.active(changed.reset_index())["offer_id"].tolist()
    assert changed.loc[second, "kapazitaet"] == 99 and changed.loc[second, "status"] == sc.CHANGED
    assert changed.loc[third, "gemeinde_id"] == target
    assert len(queries.offers(db, KREIS)) == len(published)  # the published offers are untouched
    with pytest.raises(ValueError):
        sc.apply(published, sc.Scenario("x", KREIS, (sc.Change(sc.CLOSE, "gibt-es-nicht"),)), gemeinden)


def test_added_offer_changes_only_areas_within_its_catchment(db):
    gemeinden = queries.gemeinde_geometry(db, KREIS)
    site = gemeinden["area_id"].iloc[len(gemeinden) // 2]
    lon, lat = sc.gemeinde_place(gemeinden, site)
    scenario = sc.Scenario("Plan B", KREIS, (sc.Change(sc.ADD, "neu-1", "kita", "Kita Neu", lon, lat, 80),))
    comparison = sc.compare(db, KREIS, scenario, "kita")
    table = comparison.table.set_index("area_id")
    assert table.loc[site, "offers_after"] == table.loc[site, "offers_before"] + 1
    assert table.loc[site, "capacity_after"] == pytest.approx(table.loc[site, "capacity_before"] + 80)
    point = gpd_point(lon, lat, gemeinden.crs)
    near = set(gemeinden.loc[gemeinden.distance(point) <= 5000, "area_id"])
    assert site in comparison.changed_areas and set(comparison.changed_areas) <= near
    assert (table.loc[comparison.changed_areas, "access_after"] >= table.loc[comparison.changed_areas, "access_before"] - 1e-9).all()
    shown = sc.comparison_table(comparison)
    assert len(shown) == len(comparison.changed_areas) and "Erreichbarkeit nachher" in shown.columns
    assert (table.loc[comparison.changed_areas, "share_after"] >= table.loc[comparison.changed_areas, "share_before"] - 1e-9).all()
    assert table.loc[site, "share_after"] == pytest.approx(100.0), "everyone of the new site's Gemeinde lives within 5 km of it"


def test_closed_offer_lowers_its_area(db):
    kitas = queries.offers(db, KREIS).query("offer_type == 'kita' and kapazitaet > 0")
    offer = kitas.iloc[0]
    comparison = sc.compare(db, KREIS, sc.Scenario("Plan C", KREIS, (sc.Change(sc.CLOSE, offer["offer_id"]),)), "kita")
    row = comparison.table.set_index("area_id").loc[offer["gemeinde_id"]]
    assert row["offers_after"] == row["offers_before"] - 1
    assert row["access_after"] < row["access_before"]


def gpd_point(lon: float, lat: float, crs):
    import geopandas as gpd

    return gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs="EPSG:4326").to_crs(crs).iloc[0]


def test_workspace_store_keeps_several_scenarios_per_kreis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("PLANUNGSATLAS_WORKSPACE_URL", raising=False)
    store = store_for(tmp_path / "musterland.duckdb")
    assert isinstance(store, WorkspaceScenarioStore) and store.db_name == "musterland"  # was: a JSON file (issue 13)
    plan = sc.Scenario("Plan A", KREIS, (sc.Change(sc.ADD, "neu-1", "kita", "Kita „Am Bach“", 7.1, 50.2, 60),))
    store.save(plan)
    store.save(sc.Scenario("Plan B", KREIS))
    store.save(sc.Scenario("Plan A", "07235"))
    assert store.names(KREIS) == ["Plan A", "Plan B"] and store.names("07235") == ["Plan A"]
    assert store.load(KREIS, "Plan A") == plan
    store.duplicate(KREIS, "Plan A", "Plan A (Kopie)")
    store.rename(KREIS, "Plan B", "Plan C")
    store.delete(KREIS, "Plan A")
    assert store.names(KREIS) == ["Plan A (Kopie)", "Plan C"]
    assert store.load(KREIS, "Plan A (Kopie)").changes == plan.changes
    with pytest.raises(ValueError):
        store.duplicate(KREIS, "Plan C", "Plan A (Kopie)")
    assert (tmp_path / "workspace.sqlite").is_file() and not list(tmp_path.glob("*szenarien*"))  # no JSON file any more


# --- the page ---------------------------------------------------------------------------------------------------------

PAGE = "pages/szenarien.py"


@pytest.fixture
def page_db(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo database in a folder of its own: the page writes its scenario file beside it."""
    import shutil

    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copy2(demo_db, folder / demo_db.name)
    return folder


def _frame(at, key: str) -> pd.DataFrame:
    """The page's tables in order: suggested sites (if any), then before/after (AppTest shows no keys)."""
    frames = [d.value for d in at.dataframe]
    if key == "sz_sites":
        return next(f for f in frames if "Standort" in f.columns)
    return next(f for f in frames if "Erreichbarkeit nachher" in f.columns)


def test_page_suggests_sites_and_compares_an_added_offer(page_db: Path, monkeypatch: pytest.MonkeyPatch):
    from page_helpers import open_page, rerun

    at = open_page(page_db, monkeypatch, PAGE)
    sites = _frame(at, "sz_sites")
    assert 1 <= len(sites) <= 3 and list(sites.columns)[:2] == ["Standort", "Art"]
    assert "MCLP" in " ".join(m.value for m in at.markdown)
    next(b for b in at.button if b.label == "Hinzufügen").click()
    rerun(at)
    compared = _frame(at, "sz_compare")
    assert len(compared) >= 1 and "Erreichbarkeit nachher" in compared.columns
    at.text_input(key="sz_name").input("Neue Kita <b>Nord</b>")
    at.button(key="sz_save").click()
    rerun(at)
    store = store_for(next(page_db.glob("*.duckdb")))
    assert store.names(KREIS) == ["Neue Kita <b>Nord</b>"]
    assert len(store.load(KREIS, "Neue Kita <b>Nord</b>").changes) == 1
    assert "\\<b>" in at.success[0].value  # the name is shown as text (markdown.plain), not as HTML


def test_page_opens_a_saved_scenario_by_link_and_takes_suggestions(page_db: Path, monkeypatch: pytest.MonkeyPatch):
    from page_helpers import open_page, rerun

    store = store_for(next(page_db.glob("*.duckdb")))
    offer = queries.offers(Database(str(next(page_db.glob("*.duckdb"))), 0.0), KREIS).query("offer_type == 'kita'").iloc[0]
    store.save(sc.Scenario("Schließung", KREIS, (sc.Change(sc.CLOSE, offer["offer_id"], "kita"),)))
    at = open_page(page_db, monkeypatch, PAGE, {"szenario": "Schließung", "art": "kita"})
    assert at.selectbox(key="sz_saved").value == "Schließung"
    compared = _frame(at, "sz_compare")
    assert len(compared) >= 1
    at.button(key="sz_take").click()
    rerun(at)
    assert sum("Vorschlag" in m.value for m in at.markdown) >= 1


def test_page_refuses_unknown_link_values(page_db: Path, monkeypatch: pytest.MonkeyPatch):
    from page_helpers import open_page

    query = {"szenario": "<img src=x>", "art": "gibt_es_nicht", "km": "999", "anzahl": "99", "sozial": "**fett**"}
    at = open_page(page_db, monkeypatch, PAGE, query)
    assert at.selectbox(key="sz_saved").value == "" and at.selectbox(key="sz_type").value == "kita"
    assert at.selectbox(key="sz_k").value in range(1, 6)


def test_places_per_100_stay_unknown_where_no_offer_states_places(db):
    offers = queries.offers(db, KREIS)
    without = [t for t, g in offers.groupby("offer_type") if g["kapazitaet"].isna().all()]
    assert without, "the demo has an Angebotsart without places"
    comparison = sc.compare(db, KREIS, sc.Scenario("leer", KREIS), without[0])
    assert comparison.table["per_100_before"].isna().all() and comparison.unit.startswith("Angebote")
    assert not comparison.changed_areas  # an empty scenario changes nothing


def test_page_renames_and_deletes_a_saved_scenario(page_db: Path, monkeypatch: pytest.MonkeyPatch):
    from page_helpers import open_page, rerun

    store = store_for(next(page_db.glob("*.duckdb")))
    store.save(sc.Scenario("Plan A", KREIS, (sc.Change(sc.ADD, "neu-1", "kita", "", 7.0, 50.0, 10),)))
    store.save(sc.Scenario("Plan B", KREIS))
    at = open_page(page_db, monkeypatch, PAGE, {"szenario": "Plan A"})
    at.text_input(key="sz_name").input("Plan B")
    rerun(at)
    at.button(key="sz_rename").click()
    rerun(at)
    assert "gibt es schon" in at.error[0].value and store.names(KREIS) == ["Plan A", "Plan B"]
    at.text_input(key="sz_name").input("Plan C")
    rerun(at)
    at.button(key="sz_rename").click()
    rerun(at)
    assert store.names(KREIS) == ["Plan B", "Plan C"]
    at.selectbox(key="sz_saved").select("Plan B")
    rerun(at)
    at.button(key="sz_delete").click()
    rerun(at)
    assert store.names(KREIS) == ["Plan C"] and at.selectbox(key="sz_saved").value == ""


# --- population points with their stored positions -------------------------------------------------------------------


def test_population_points_carry_their_stored_positions(db):
    """The build stores x/y (EPSG:25832) per point; they match the lattice laid again, and no centre fallback is used."""
    from planning import accessibility as acc

    points = queries.population_points(db, KREIS)
    assert points["x"].notna().all() and points["y"].notna().all()
    gemeinden = queries.gemeinde_geometry(db, KREIS)
    relaid, note = acc.located_points(points.assign(x=float("nan"), y=float("nan")), gemeinden)  # as an old database
    assert note == ""  # the demo lattice is laid again exactly
    assert relaid["x"].to_numpy() == pytest.approx(points["x"].to_numpy(), abs=0.1)
    assert relaid["y"].to_numpy() == pytest.approx(points["y"].to_numpy(), abs=0.1)
    _, basis = acc.demand_points(db, KREIS, "kita")
    assert acc.AT_GEMEINDE_CENTRE not in basis


def test_old_databases_without_positions_still_place_grid_cells_at_the_centre(db):
    from planning import accessibility as acc

    points = queries.population_points(db, KREIS).assign(basis="Zensus-2011-Gitter (1 km)")
    gemeinden = queries.gemeinde_geometry(db, KREIS)
    stored, note = acc.located_points(points, gemeinden)
    assert note == "" and stored["x"].equals(points["x"])  # stored positions are used as they are
    missing = points.assign(x=float("nan"), y=float("nan"))
    placed, note = acc.located_points(missing, gemeinden)
    assert note == acc.AT_GEMEINDE_CENTRE and placed["x"].notna().all()


# --- clicking the map, the difference map, shared links ----------------------------------------------------------------


def _click_map(at, lon: float, lat: float) -> None:
    """What the browser does on a click into the first map: streamlit-folium returns last_clicked (see
    tests/test_app_overview.py for the component key)."""
    from page_helpers import rerun

    component_key = at.get("component_instance")[0].proto.id.split("-", 2)[-1]
    at.session_state[component_key] = {"last_clicked": {"lat": lat, "lng": lon}}
    rerun(at)


def _scripts(at) -> list[str]:
    import json

    return [json.loads(c.proto.json_args)["script"] for c in at.get("component_instance")]


def test_page_adds_an_offer_where_the_map_is_clicked(page_db: Path, monkeypatch: pytest.MonkeyPatch):
    from page_helpers import open_page, rerun

    at = open_page(page_db, monkeypatch, PAGE)
    assert len(_scripts(at)) == 1  # without a change: the map to click in, no difference map
    gemeinden = queries.gemeinde_geometry(Database(str(next(page_db.glob("*.duckdb"))), 0.0), KREIS)
    target = gemeinden["area_id"].iloc[5]
    lon, lat = sc.gemeinde_place(gemeinden, target)
    _click_map(at, lon, lat)
    assert at.selectbox(key="sz_where").value == "klick"
    next(t for t in at.text_input if t.label == "Name").input("Kita {{7*7}} <i>Klick</i>")
    next(n for n in at.number_input if n.label.startswith("Plätze")).set_value(75)
    next(b for b in at.button if b.label == "Hinzufügen").click()
    rerun(at)
    change = at.session_state["sz_current"].changes[-1]
    assert (change.kind, change.lon, change.lat, change.capacity) == (sc.ADD, round(lon, 6), round(lat, 6), 75)
    assert sc.gemeinde_at(change.lon, change.lat, gemeinden) == target
    click_script, difference_script = _scripts(at)
    assert "pa-scenario-neu" in click_script and "pa-scenario-neu" in difference_script  # the new offer is marked
    assert "{{7*7}}" not in click_script and "&#123;&#123;7*7&#125;&#125;" in click_script  # name as text, no template
    assert _shows(difference_script, "Veränderung: Erreichbarkeit (2SFCA)", "je 100 Personen der Zielgruppe", "unverändert", "etwas mehr")
    assert len(_frame(at, "sz_compare")) >= 1
    assert any("Präventionskette: Zellen" in m.value for m in at.markdown) and any("Lückenranking" in m.value for m in at.markdown)
    assert any("Noch nicht gespeichert" in c.value for c in at.caption)
    assert "Alle Unterschiede (.xlsx)" in [b.proto.label for b in at.get("download_button")]
    at.radio(key="sz_measure").set_value("per_100")
    rerun(at)
    assert _shows(_scripts(at)[1], "Veränderung: Plätze je 100 der Zielgruppe")


def _shows(script: str, *texts: str) -> bool:
    """Every text in the map's script, as the legend carries it (a JSON string: non-ASCII as \\u escapes)."""
    import json

    return all(text in script or json.dumps(text)[1:-1] in script for text in texts)


def test_a_link_to_an_unsaved_scenario_says_it_must_be_saved_first(page_db: Path, monkeypatch: pytest.MonkeyPatch):
    from page_helpers import open_page

    at = open_page(page_db, monkeypatch, PAGE, {"szenario": "Mein Plan"})
    assert any("nicht gespeichert" in w.value and "speichert es zuerst" in w.value for w in at.warning)
    assert at.selectbox(key="sz_saved").value == ""


# --- before/after on the planning views -----------------------------------------------------------------------------


def test_a_closed_offer_moves_its_chain_cell_to_kein_angebot(demo_db: Path):
    """Fixture: the only Grundschule of Altenborn (99001001) closes – its cell goes from 'versorgt' to 'leer – kein
    Angebot', the Kreis's offers per 1,000 fall, so other Gemeinden' gaps shrink and Altenborn enters the ranking."""
    from page_helpers import demo_context

    from planning import chain
    from planning import scenario_effects as fx

    ctx = demo_context(demo_db)
    offers = queries.offers(ctx.db, KREIS)
    school = offers[(offers["gemeinde_id"] == "99001001") & (offers["offer_type"] == "grundschule")]
    assert len(school) == 1, "fixture: Altenborn has exactly one Grundschule"
    scenario = sc.Scenario("Schule zu", KREIS, (sc.Change(sc.CLOSE, school["offer_id"].iloc[0]),))
    cells = fx.chain_changes(ctx, scenario)
    cell = cells[(cells["area_id"] == "99001001") & (cells["category"] == "grundschule")]
    assert len(cell) == 1 and cell["status_after"].iloc[0] == chain.EMPTY and cell["status_before"].iloc[0] != chain.EMPTY
    shown = fx.chain_table(cells, {"grundschule": "Grundschule"}, "gemeinde")
    assert shown.loc[cell.index[0], "Zelle nachher"].startswith("leer – kein Angebot")
    assert set(cells["category"]) == {"grundschule"}  # nothing else changes
    moves = fx.gap_moves(ctx, scenario).set_index(["area_id", "category"])
    assert pd.isna(moves.loc[("99001001", "grundschule"), "rank_before"]) and moves.loc[("99001001", "grundschule"), "rank_after"] > 0
    assert fx.chain_changes(ctx, sc.Scenario("leer", KREIS)).empty and fx.gap_moves(ctx, sc.Scenario("leer", KREIS)).empty


def test_difference_classes_are_symmetric_around_zero():
    from planning import scenario_effects as fx

    classes = fx.difference_classes(pd.Series([0.0, 0.4, -1.7, 0.0]), 1)
    assert [classes.index_of(v) for v in (-1.7, -0.2, 0.0, 0.4, 1.5)] == [0, 1, 2, 3, 4]
    assert classes.names[2] == "unverändert" and classes.colours[2] == fx.UNCHANGED_COLOUR
    assert fx.difference_classes(pd.Series([0.0, None]), 1).names == ("unverändert",)


# --- exports ----------------------------------------------------------------------------------------------------------


def test_xlsx_of_all_differences_has_no_formula_cells_with_a_hostile_offer_name(demo_db: Path):
    import io

    from openpyxl import load_workbook
    from page_helpers import demo_context

    from planning.accessibility import TWO_STEP, AccessParams
    from reports import scenario_report, scenario_tables
    from reports.pdf import pdf_document

    ctx = demo_context(demo_db)
    gemeinden = queries.gemeinde_geometry(ctx.db, KREIS)
    lon, lat = sc.gemeinde_place(gemeinden, gemeinden["area_id"].iloc[3])
    hostile = '=HYPERLINK("http://x.example","klick")'
    scenario = sc.Scenario("+SUM(A1:A9)", KREIS, (sc.Change(sc.ADD, "neu-1", "kita", hostile, lon, lat, 50),))
    found = scenario_tables.differences(ctx, scenario, "kita", AccessParams(TWO_STEP, 5000), "keine")
    xlsx, csv = scenario_tables.export_files(found)
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == list(scenario_tables.SHEETS)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "no formula cells"
    texts = [str(c.value) for c in cells]
    assert any(hostile in t for t in texts) and "+SUM(A1:A9)" in texts  # kept exactly, as text
    before_after = book["Vorher-nachher"]
    assert any(row[0].value == "Gemeinde" for row in before_after.iter_rows())
    text = csv.data.decode("utf-8-sig")
    assert "'+SUM(A1:A9)" in text and ";" in text and "Erreichbarkeit Veränderung" in text
    pdf = pdf_document(scenario_report.scenario_document(found, ctx.kreis_name, ctx.demo))
    assert pdf.startswith(b"%PDF") and (b"/Count 1\n" in pdf or b"/Count 1 " in pdf)  # one page
    # the same blocks as a section of the Kreistag report, before its sources page
    from reports import document as d
    from reports import kreistag

    section = scenario_report.scenario_section(found)
    doc = kreistag.kreistag_document(str(demo_db), ["99001001"], ["anteil_u18"], extra_blocks=section)
    headings = [b.text for b in doc.blocks if isinstance(b, d.Heading)]
    assert headings.index(section[0].text) < headings.index("Quellen und Lizenzen")


def test_page_offers_the_downloads_and_the_kreistag_section(page_db: Path, monkeypatch: pytest.MonkeyPatch):
    import io

    from openpyxl import load_workbook
    from page_helpers import open_page
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test

    storages: list[MemoryMediaFileStorage] = []

    class KeptStorage(MemoryMediaFileStorage):  # AppTest drops its media storage after the run: keep it
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            storages.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", KeptStorage)
    store = store_for(next(page_db.glob("*.duckdb")))
    offer = queries.offers(Database(str(next(page_db.glob("*.duckdb"))), 0.0), KREIS).query("offer_type == 'kita'").iloc[0]
    store.save(sc.Scenario("Kita zu", KREIS, (sc.Change(sc.CLOSE, offer["offer_id"], "kita", offer["name"]),)))
    at = open_page(page_db, monkeypatch, PAGE, {"szenario": "Kita zu", "art": "kita"})
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert {"Alle Unterschiede (.xlsx)", "Vorher/nachher (CSV)", "Kreistag-Abschnitt „Szenario“ (PDF)"} <= set(buttons)
    assert buttons["Alle Unterschiede (.xlsx)"].help.endswith(".xlsx")
    stored = storages[-1].get_file(buttons["Alle Unterschiede (.xlsx)"].url.rsplit("/", 1)[-1])  # the downloaded bytes
    book = load_workbook(io.BytesIO(stored.content))
    texts = [str(c.value) for row in book["Änderungen"].iter_rows() for c in row if c.value is not None]
    assert any("schließen" in t and offer["name"] in t for t in texts)


def test_trier_saarburg_build_stores_the_zensus_cells_where_they_lie(shared_data: Path, tmp_path: Path, repo_root: Path):
    """Real data: a Trier-Saarburg build stores every Zensus 1 km cell with its position (EPSG:25832), so the
    capacity-weighted accessibility needs no Gemeinde-centre fallback."""
    from etl.build import build
    from planning import accessibility as acc

    out = tmp_path / "ts.duckdb"
    build([repo_root / "config" / "07235_trier-saarburg.toml"], out, say=lambda text: None)
    db = Database(str(out), os.path.getmtime(out))
    points = queries.population_points(db, "07235")
    assert len(points) > 500 and points["x"].notna().all() and points["basis"].str.contains("Zensus").all()
    # inside Trier-Saarburg in UTM 32N (metres), neighbouring cells 1 km apart (the grid is laid in EPSG:3035)
    assert points["x"].between(290_000, 380_000).all() and points["y"].between(5_460_000, 5_540_000).all()
    from scipy.spatial import cKDTree

    cells = points.drop_duplicates("point_id")[["x", "y"]].to_numpy()
    nearest, _ = cKDTree(cells).query(cells, k=2)
    assert pytest.approx(float(pd.Series(nearest[:, 1]).median()), abs=5) == 1000
    result = acc.county_access(db, "07235", "grundschule", acc.AccessParams(acc.TWO_STEP, 5000))
    assert acc.AT_GEMEINDE_CENTRE not in result.method_text


def test_the_change_form_moves_an_offer_and_changes_its_places(demo_db: Path, tmp_path, monkeypatch):
    """Szenarien page: 'Angebot ändern' – Plätze ändern, then verlegen into another Gemeinde; both become changes of the
    scenario and show in the before/after table."""
    import shutil

    from page_helpers import open_page, rerun

    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copy(demo_db, folder / demo_db.name)
    at = open_page(folder, monkeypatch, "pages/szenarien.py")
    db = Database(str(folder / demo_db.name), (folder / demo_db.name).stat().st_mtime)
    offer_id = next(iter(sc.offer_choices(db, "99001", at.session_state["sz_type"])))
    gemeinde = queries.gemeinde_geometry(db, "99001")["area_id"].iloc[3]
    next(s for s in at.selectbox if s.label == "Angebot").set_value(offer_id)
    next(r for r in at.radio if r.label == "Änderung").set_value(sc.CAPACITY)
    next(n for n in at.number_input if n.label == "Plätze (ändern)").set_value(55)
    next(b for b in at.button if b.label == "Übernehmen").click()
    rerun(at)
    [change] = at.session_state["sz_current"].changes
    assert (change.kind, change.capacity) == (sc.CAPACITY, 55.0)
    next(s for s in at.selectbox if s.label == "Angebot").set_value(offer_id)
    next(r for r in at.radio if r.label == "Änderung").set_value(sc.MOVE)
    next(s for s in at.selectbox if s.label == "Neuer Ort (verlegen)").set_value(gemeinde)
    next(b for b in at.button if b.label == "Übernehmen").click()
    rerun(at)
    kinds = [c.kind for c in at.session_state["sz_current"].changes]
    assert kinds == [sc.CAPACITY, sc.MOVE]
    moved = at.session_state["sz_current"].changes[1]
    assert moved.offer_id == change.offer_id == offer_id and moved.lon is not None
    assert any(df.value is not None for df in at.dataframe)


def test_share_within_reach_by_hand():
    """Gemeinde A: 30 people at 1 km and 10 at 6 km from the only offer → 75 %; Gemeinde B: 5 people at 9 km → 0 %;
    Gemeinde C has nobody → no share."""
    from planning.accessibility import share_within

    demand = pd.DataFrame({"area_id": ["A", "A", "B", "C"], "weight": [30.0, 10.0, 5.0, 0.0],
                           "x": [1000.0, 6000.0, 9000.0, 0.0], "y": [0.0, 0.0, 0.0, 0.0]})  # fmt: skip
    offers = pd.DataFrame({"x": [0.0], "y": [0.0]})
    members = pd.DataFrame({"gemeinde_id": ["A", "B", "C"], "area_id": ["S1", "S2", "S2"]})
    shares = share_within(demand, offers, 5000.0, members)
    assert shares["S1"] == pytest.approx(75.0) and shares["S2"] == pytest.approx(0.0)
    assert share_within(demand, offers, 5000.0, members.assign(area_id=["A", "B", "C"]))["C"] != share_within(
        demand, offers, 5000.0, members.assign(area_id=["A", "B", "C"]))["C"], "C has no target group: NaN"
