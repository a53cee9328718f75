"""The scenario lens of Präventionskette, Bedarf & Versorgung and Angebotskarte (dashboard/scenario_lens.py,
planning/scenario_views.py): a saved scenario chosen by link changes the right cell/row and shows the banner;
without a scenario nothing changes. Scenarios are made through ``store_for(db).save`` (works with any store).

The expected cells are taken from the published coverage table with SQL, independently of the lens."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from etl.db import connect
from page_helpers import DEMO_KREIS as KREIS
from page_helpers import demo_context, map_script, open_page, writable_db_dir
from planning import chain, queries, scenario_effects, scenario_views
from planning import scenarios as sc
from planning.db import Database
from reports import coverage_tables
from workspace import store_for

CLOSED_NAME, ADDED_NAME = "Schule schließt", "Neues Familienzentrum"


def _only_offer(db_path: Path) -> tuple[str, str, str, str]:
    """(offer_id, Gemeinde name, offer_type, type label) of an offer that is the only one of its type in its
    Gemeinde, where the Gemeinde has a target group (SQL on the published tables)."""
    with connect(db_path, read_only=True) as con:
        return con.execute(
            """
            SELECT min(o.offer_id), a.name, o.offer_type, any_value(t.label)
            FROM offers o JOIN areas a ON a.area_id = o.gemeinde_id JOIN offer_types t USING (offer_type)
            JOIN coverage c ON c.area_id = o.gemeinde_id AND c.dimension = 'angebotsart' AND c.category = o.offer_type
            WHERE o.kreis_id = ? AND c.target_population > 0 AND o.offer_type = 'grundschule'
            GROUP BY a.name, o.offer_type HAVING count(*) = 1 ORDER BY a.name LIMIT 1
            """,
            [KREIS],
        ).fetchone()


def _without(db_path: Path, offer_type: str) -> tuple[str, str]:
    """(area_id, name) of a Gemeinde with a target group but no offer of the type."""
    with connect(db_path, read_only=True) as con:
        return con.execute(
            """
            SELECT a.area_id, a.name FROM coverage c JOIN areas a USING (area_id)
            WHERE a.kreis_id = ? AND a.level = 'gemeinde' AND c.dimension = 'angebotsart' AND c.category = ?
              AND c.offers = 0 AND c.target_population > 0 ORDER BY a.name LIMIT 1
            """,
            [KREIS, offer_type],
        ).fetchone()


@pytest.fixture
def folder(tmp_path: Path, demo_db: Path) -> Path:
    """A copy of the demo database with two saved scenarios: one closes the only Grundschule of a Gemeinde, one
    adds a Familienzentrum in a Gemeinde without one."""
    out = writable_db_dir(tmp_path, demo_db)
    path = out / demo_db.name
    db = Database(str(path), path.stat().st_mtime)
    offer_id, *_ = _only_offer(path)
    area_id, _ = _without(path, "familienzentrum")
    lon, lat = sc.gemeinde_place(queries.gemeinde_geometry(db, KREIS), area_id)
    store = store_for(db.path)
    store.save(sc.Scenario(CLOSED_NAME, KREIS, (sc.Change(sc.CLOSE, offer_id),)))
    store.save(sc.Scenario(ADDED_NAME, KREIS, (sc.Change(sc.ADD, "neu-1", "familienzentrum", "FZ <b>Mitte</b>", lon, lat, 40),)))
    return out


def _legends(at) -> str:
    """The map's legend boxes as the browser gets them (JSON strings inside the map script)."""
    return "\n".join(json.loads(box) for box in re.findall(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', map_script(at)))


def _banners(at) -> list[str]:
    return [w.value for w in at.warning if "nicht veröffentlicht" in w.value]


def _cell(table: pd.DataFrame, area: str, label: str) -> str:
    column = next(c for c in table.columns if c == label or c.startswith(f"{label} "))  # footnote marks
    return str(table.loc[table["Gebiet"] == area, column].iloc[0])


CHAIN = {"ebene": "gemeinde", "zeilen": "angebotsart", "gebiete_als_zeilen": "1"}


def test_chain_cell_of_a_closed_only_offer_reads_before_arrow_empty(folder, demo_db, monkeypatch):
    _, gemeinde, _, label = _only_offer(demo_db)
    at = open_page(folder, monkeypatch, "pages/praeventionskette.py", {**CHAIN, "szenario": CLOSED_NAME})
    assert _banners(at) and f"Szenario „{CLOSED_NAME}“ – nicht veröffentlicht: 1 Änderung" in _banners(at)[0]
    assert at.selectbox(key="lens_scenario").value == CLOSED_NAME
    table = at.dataframe[0].value
    cell = _cell(table, gemeinde, label)
    before, after = cell.split(" → ")
    assert after == "0" + chain.STATUS_MARKS[chain.EMPTY] and chain.STATUS_MARKS[chain.EMPTY] not in before, cell
    arrows = [(r["Gebiet"], c) for _, r in table.iterrows() for c in table.columns if "→" in str(r[c])]
    assert all(c.startswith(label) for _, c in arrows), arrows  # only the closed offer's Angebotsart changes status
    assert any("leere" in m.value and "ändern **1 Zelle**" in m.value for m in at.markdown)

    plain = open_page(folder, monkeypatch, "pages/praeventionskette.py", CHAIN)  # no scenario: nothing changes
    assert not _banners(plain) and plain.selectbox(key="lens_scenario").value == ""
    published = plain.dataframe[0].value
    assert not published.apply(lambda col: col.astype(str).str.contains("→")).any().any()
    assert _cell(published, gemeinde, label) == before


def test_gap_ranking_shows_rank_before_and_after_for_an_added_offer(folder, demo_db, monkeypatch):
    _, gemeinde = _without(demo_db, "familienzentrum")
    query = {"ebene": "gemeinde", "sicht": "angebotsart", "auswahl": "familienzentrum"}
    at = open_page(folder, monkeypatch, "pages/bedarf_versorgung.py", {**query, "szenario": ADDED_NAME})
    assert f"Szenario „{ADDED_NAME}“ – nicht veröffentlicht: 1 Änderung" in _banners(at)[0]
    assert "FZ <b>Mitte</b>" in _banners(at)[0].replace("\\", "")  # the name as text (escaped), not as markup
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert chart["layout"]["title"]["text"].startswith(f"Szenario „{ADDED_NAME}“ – nicht veröffentlicht"), "a screenshot says so"
    supply = next(d.value for d in at.dataframe if "Angebote vorher" in d.value.columns)
    assert supply["Gebiet"].tolist() == [gemeinde]
    assert supply[["Angebote vorher", "Angebote nachher"]].iloc[0].tolist() == [0, 1]
    moves = next(d.value for d in at.dataframe if "Veränderung" in d.value.columns)
    row = moves[(moves["Gemeinde"] == gemeinde) & (moves["Angebotsart"] == "Familienzentrum")]
    assert len(row) == 1 and row["Rang vorher"].iloc[0] != "keine Lücke", moves
    ranking = next(d.value for d in at.dataframe if "Rang vorher" in d.value.columns and "Begründung" in d.value.columns)
    before = ranking[(ranking["Gemeinde"] == gemeinde) & (ranking["Angebotsart"] == "Familienzentrum")]
    assert before["Rang vorher"].iloc[0] == row["Rang vorher"].iloc[0]
    # one Familienzentrum for a small Gemeinde closes its gap: listed at the end of the ranking, with its figures before
    assert row["Veränderung"].iloc[0] == "keine Lücke mehr" and before["Rang nachher"].iloc[0] == "keine Lücke mehr"
    assert before["Begründung"].iloc[0].startswith("vorher: kein Angebot")

    plain = open_page(folder, monkeypatch, "pages/bedarf_versorgung.py", query)
    assert not _banners(plain)
    assert not any("Angebote vorher" in d.value.columns or "Rang vorher" in d.value.columns for d in plain.dataframe)
    assert "title" not in json.loads(plain.get("plotly_chart")[0].proto.spec)["layout"]
    published = next(d.value for d in plain.dataframe if "Rang" in d.value.columns)
    rank = published.loc[(published["Gemeinde"] == gemeinde) & (published["Angebotsart"] == "Familienzentrum"), "Rang"]
    assert str(int(rank.iloc[0])).replace(".", "") == row["Rang vorher"].iloc[0].replace(".", "")


def test_offer_map_draws_the_scenario_and_colours_the_areas_after_it(folder, demo_db, monkeypatch):
    area_id, gemeinde = _without(demo_db, "familienzentrum")
    query = {"ebene": "gemeinde", "versorgung": "angebotsart:familienzentrum", "kennzahl": "offers"}
    at = open_page(folder, monkeypatch, "pages/angebotskarte.py", {**query, "szenario": ADDED_NAME})
    assert _banners(at)
    assert "pa-scenario-neu" in map_script(at), "the added offer drawn with the Szenarien page's symbol"
    assert "Änderungen des Szenarios" in _legends(at) and f"Szenario „{ADDED_NAME}“" in _legends(at)
    assert any(c.value.startswith(f"Flächen: Szenario „{ADDED_NAME}“") for c in at.caption)
    compare = next(d.value for d in at.dataframe if "Erreichbarkeit nachher" in d.value.columns)
    added = compare[compare["Gebiet"] == gemeinde]
    assert added[["Angebote vorher", "Angebote nachher"]].iloc[0].tolist() == [0, 1]
    assert any(b.disabled and "Szenario" in (b.help or "") for b in at.button)

    diff = open_page(folder, monkeypatch, "pages/angebotskarte.py", {**query, "szenario": ADDED_NAME, "veraenderung": "1"})
    assert f"Veränderung durch Szenario „{ADDED_NAME}“" in _legends(diff) and "unverändert" in _legends(diff)
    assert "+1 (vorher 0, nachher 1)" in map_script(diff), "the added offer's Gemeinde: one offer more"
    assert map_script(diff).count("(vorher ") == len(queries.area_members(demo_context(demo_db).db, KREIS, "gemeinde"))

    plain = open_page(folder, monkeypatch, "pages/angebotskarte.py", query)
    assert not _banners(plain)
    assert "pa-scenario" not in map_script(plain) and "Szenario" not in _legends(plain)
    assert not any("Erreichbarkeit nachher" in d.value.columns for d in plain.dataframe)


def test_a_link_to_an_unsaved_scenario_shows_the_published_data(folder, monkeypatch):
    at = open_page(folder, monkeypatch, "pages/praeventionskette.py", {**CHAIN, "szenario": "Gibt es nicht"})
    assert not _banners(at)
    assert any("„Gibt es nicht“ ist für diesen Kreis nicht gespeichert" in w.value for w in at.warning)
    assert at.selectbox(key="lens_scenario").value == ""


# --- planning/scenario_views without the pages ------------------------------------------------------------------

def test_scenario_coverage_per_lebensphase_counts_the_offer_in_each_of_its_phases(demo_db):
    ctx = demo_context(demo_db)
    offer_id, gemeinde, offer_type, _ = _only_offer(demo_db)
    scenario = sc.Scenario("x", KREIS, (sc.Change(sc.CLOSE, offer_id),))
    before, _, after, _ = scenario_effects.coverage_before_after(ctx, scenario, "gemeinde", "lebensphase")
    phases = set(queries.offer_types(ctx.db).loc[offer_type, "lebensphasen"])
    diff = (before.set_index(["name", "category"])["offers"] - after.set_index(["name", "category"])["offers"])
    assert set(diff[diff != 0].index) == {(gemeinde, p) for p in phases}
    assert (diff[diff != 0] == 1).all()


def test_distances_are_measured_again_by_the_builds_rule(demo_db):
    """A scenario that only changes places keeps every distance (the re-measurement reproduces the build's); closing
    the only offer of a Gemeinde lowers its share within reach."""
    ctx = demo_context(demo_db)
    offer_id, _, offer_type, _ = _only_offer(demo_db)
    published = queries.accessibility(ctx.db, KREIS, "gemeinde", 2000.0)
    resized = sc.Scenario("cap", KREIS, (sc.Change(sc.CAPACITY, offer_id, capacity=99),))
    _, _, access, _ = scenario_views.coverage_after(ctx, resized, "gemeinde", "angebotsart", 2.0)
    key = ["area_id", "offer_type"]
    both = published.merge(access, on=key, suffixes=("", "_after"))
    assert len(both) == len(published)
    assert np.allclose(both["share_within"], both["share_within_after"], atol=1e-6, equal_nan=True)
    assert np.allclose(both["mean_distance_km"], both["mean_distance_km_after"], atol=1e-6, equal_nan=True)
    closed = sc.Scenario("zu", KREIS, (sc.Change(sc.CLOSE, offer_id),))
    _, _, access, _ = scenario_views.coverage_after(ctx, closed, "gemeinde", "angebotsart", 2.0)
    offers = queries.offers(ctx.db, KREIS)
    area = offers.loc[offers["offer_id"] == offer_id, "gemeinde_id"].iloc[0]

    def share(frame: pd.DataFrame) -> float:
        return float(frame.loc[(frame["area_id"] == area) & (frame["offer_type"] == offer_type), "share_within"].iloc[0])

    assert share(access) < share(published)


def test_the_changes_behind_a_cell_name_the_closed_and_the_moved_offer(demo_db):
    ctx = demo_context(demo_db)
    offer_id, gemeinde, offer_type, _ = _only_offer(demo_db)
    offers = queries.offers(ctx.db, KREIS)
    area = offers.loc[offers["offer_id"] == offer_id, "gemeinde_id"].iloc[0]
    closed = sc.Scenario("zu", KREIS, (sc.Change(sc.CLOSE, offer_id),))
    table = scenario_views.cell_changes(ctx, closed, "gemeinde", "angebotsart", area, offer_type)
    assert table.to_dict("records") == [{"Name": offers.set_index("offer_id").loc[offer_id, "name"], "Änderung": "geschlossen",
                                         "Plätze nachher": "–"}]  # fmt: skip
    assert scenario_views.cell_changes(ctx, closed, "gemeinde", "angebotsart", area, "kita").empty  # another Angebotsart
    other, name = _without(demo_db, offer_type)
    lon, lat = sc.gemeinde_place(queries.gemeinde_geometry(ctx.db, KREIS), other)
    moved = sc.Scenario("weg", KREIS, (sc.Change(sc.MOVE, offer_id, lon=lon, lat=lat),))
    for where in (area, other, "kreis"):  # moved out of one Gemeinde, into another, within the Kreis
        table = scenario_views.cell_changes(ctx, moved, "gemeinde", "angebotsart", where, offer_type)
        assert table["Änderung"].tolist() == [f"verlegt nach {name}"], where


def test_the_chosen_scenario_stays_when_the_planner_changes_page(folder, monkeypatch):
    at = open_page(folder, monkeypatch, "pages/praeventionskette.py", {**CHAIN, "szenario": CLOSED_NAME})
    assert _banners(at)
    at.query_params.clear()  # the navigation clears the link's parameters
    at.switch_page("pages/bedarf_versorgung.py")
    at.run()
    assert not at.exception and at.selectbox(key="lens_scenario").value == CLOSED_NAME and _banners(at)
    at.selectbox(key="lens_scenario").set_value("")
    at.run()
    assert not _banners(at)
    at.switch_page("pages/angebotskarte.py")
    at.run()
    assert not at.exception and at.selectbox(key="lens_scenario").value == "" and not _banners(at)


def test_the_banner_stays_in_view_while_presenting(folder, monkeypatch):
    """Presentation mode folds the settings (with the control) away; the banner must not go with them."""
    query = {"ebene": "gemeinde", "versorgung": "angebotsart:grundschule", "szenario": CLOSED_NAME, "praesentation": "1"}
    at = open_page(folder, monkeypatch, "pages/angebotskarte.py", query)
    assert _banners(at)
    folded = next(e for e in at.expander if e.label == "Einstellungen")
    assert folded.selectbox(key="lens_scenario").value == CLOSED_NAME, "the control is among the folded settings"
    assert not [w.value for w in folded.warning if "nicht veröffentlicht" in w.value], "the banner is not"


def test_a_viewer_without_the_page_szenarien_sees_no_scenario(folder, monkeypatch):
    from dashboard import auth

    monkeypatch.setattr(auth, "visible_pages", lambda who=None: {"praeventionskette", "bedarf_versorgung", "angebotskarte"})
    at = open_page(folder, monkeypatch, "pages/praeventionskette.py", {**CHAIN, "szenario": CLOSED_NAME})
    assert not _banners(at) and not [s for s in at.selectbox if s.key == "lens_scenario"]
    assert not at.dataframe[0].value.apply(lambda col: col.astype(str).str.contains("→")).any().any()


def _recorded_downloads(monkeypatch) -> list[tuple]:
    """The tables the pages' download panels would write (the panel itself makes them only on a click)."""
    from dashboard import chain_view

    made: list[tuple] = []
    monkeypatch.setattr(chain_view, "download_panel", lambda key, make, name: made.append((make, name)))
    return made


def test_chain_and_gap_exports_with_a_scenario_say_so(folder, demo_db, monkeypatch):
    _, gemeinde, _, label = _only_offer(demo_db)
    made = _recorded_downloads(monkeypatch)
    open_page(folder, monkeypatch, "pages/praeventionskette.py", {**CHAIN, "szenario": CLOSED_NAME})
    make, name = made[-1]
    export = make()
    assert name[:2] == ("szenario", CLOSED_NAME)
    assert export.title.startswith(f"Szenario „{CLOSED_NAME}“ – nicht veröffentlicht: 1 Änderung – Präventionskette")
    assert dict(export.header)["Änderungen"].startswith("schließen: Grundschule")
    row = export.table[(export.table["Gebiet"] == gemeinde) & (export.table["Angebotsart"] == label)]
    assert row["Angebote"].tolist() == [0] and row["Bewertung"].tolist() == [chain.STATUS_LABELS[chain.EMPTY]]
    book = openpyxl.load_workbook(io.BytesIO(coverage_tables.xlsx_bytes(export)))
    assert book["Daten"]["A1"].value == export.title and book["Matrix"]["A1"].value == export.title
    assert any("→" in str(c.value) for r in book["Matrix"].iter_rows() for c in r)
    assert coverage_tables.csv_bytes(export).decode("utf-8-sig").startswith(f"Szenario „{CLOSED_NAME}“")

    open_page(folder, monkeypatch, "pages/bedarf_versorgung.py", {"ebene": "gemeinde", "sicht": "angebotsart", "szenario": CLOSED_NAME})
    make, name = made[-1]
    export = make()
    assert name[:2] == ("szenario", CLOSED_NAME) and export.title.startswith(f"Szenario „{CLOSED_NAME}“")
    school = export.table[(export.table["Gemeinde"] == gemeinde) & (export.table["Angebotsart"] == label)]
    assert len(school) == 1 and pd.isna(school["Rang ohne Szenario"].iloc[0]), "a new gap: no rank without the scenario"
    moved = export.table[export.table["Rang ohne Szenario"].notna() & (export.table["Rang ohne Szenario"] != export.table["Rang"])]
    assert len(moved), "ranks move"

    _, added_in = _without(demo_db, "familienzentrum")
    open_page(folder, monkeypatch, "pages/bedarf_versorgung.py", {"ebene": "gemeinde", "sicht": "angebotsart", "szenario": ADDED_NAME})
    header = dict(made[-1][0]().header)
    assert f"{added_in} – Familienzentrum (Rang ohne Szenario " in header["Keine Lücke mehr"], "the closed gap is named"

    open_page(folder, monkeypatch, "pages/praeventionskette.py", CHAIN)  # without a scenario: the published export
    make, name = made[-1]
    assert name[0] == "praeventionskette" and make().title == "Präventionskette"
