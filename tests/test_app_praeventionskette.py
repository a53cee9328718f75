"""The Präventionskette page with Streamlit's AppTest on the demo database: default view, level, metric and row
switches, empty and weak cells marked as the rule says, and the offers behind a selected cell.

Expected markings are computed here from the database with SQL, independently of planning.chain."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from planning import chain, coverage_dimensions
from reports import coverage_tables
from etl.db import connect
from page_helpers import DEMO_KREIS as KREIS
from page_helpers import DEMO_KREIS_NAME as KREIS_NAME
from page_helpers import demo_context, open_page, rerun
from test_offer_capture import senior_list_missing

PAGE = "pages/praeventionskette.py"


@pytest.fixture
def app(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(demo_db.parent, monkeypatch, PAGE)


def _matrix(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def _expected_marks(demo_db: Path, level: str, dimension: str, share: float = 0.5) -> dict[tuple[str, str], str]:
    """(area name, category label) → '✕' (no offer) or '▼' (per 1,000 below share × Kreis), straight from SQL."""
    with connect(demo_db, read_only=True) as con:
        rows = con.execute(
            f"""
            SELECT a.name, coalesce(p.label, t.label) AS label,
                   CASE WHEN c.target_population IS NULL OR c.target_population <= 0 THEN ''
                        WHEN c.offers = 0 THEN '✕'
                        WHEN c.offers_per_1000 < ? * k.offers_per_1000 THEN '▼' ELSE '' END AS mark
            FROM coverage c JOIN areas a USING (area_id)
            JOIN coverage k ON k.area_id = ? AND k.dimension = c.dimension AND k.category = c.category
            LEFT JOIN lebensphasen p ON p.phase_id = c.category LEFT JOIN offer_types t ON t.offer_type = c.category
            WHERE a.kreis_id = ? AND a.level = ? AND c.dimension = ?
            """,
            [share, KREIS, KREIS, level, dimension],
        ).fetchall()
    return {(name, label): mark for name, label, mark in rows if mark}


def _marks(table: pd.DataFrame, label_column: str, areas_as_rows: bool = False) -> dict[tuple[str, str], str]:
    """The marks the page shows, keyed like ``_expected_marks`` (footnote marks stripped from labels)."""
    out = {}
    for _, row in table.iterrows():
        for column, text in row.items():
            if column in (label_column, "Handlungsfeld", chain.KREIS_COLUMN) or row[label_column] == chain.KREIS_COLUMN:
                continue
            mark = text[-1] if isinstance(text, str) and text[-1:] in ("✕", "▼") else ""
            if mark:
                area, label = (row[label_column], column) if areas_as_rows else (column, row[label_column])
                out[(area, label.rstrip(" " + chain.FOOTNOTE_MARKS))] = mark
    return out


def test_default_view_is_the_chain_of_sozialraeume_with_gaps_marked(app: AppTest, demo_db: Path):
    assert app.title[0].value == f"Präventionskette {KREIS_NAME}"
    assert app.radio(key="chain_level").value == "sozialraum"
    assert app.radio(key="chain_dimension").value == "lebensphase"
    assert app.selectbox(key="chain_metric").value == "offers_per_1000"
    table = _matrix(app)
    with connect(demo_db, read_only=True) as con:
        phases = [r[0] for r in con.execute("SELECT label FROM lebensphasen ORDER BY position").fetchall()]
        areas = [r[0] for r in con.execute("SELECT name FROM areas WHERE level = 'sozialraum' ORDER BY name").fetchall()]
    assert [label.rstrip(" " + chain.FOOTNOTE_MARKS) for label in table["Lebensphase"]] == phases, "rows in chain order"
    assert table.columns.tolist() == ["Lebensphase", chain.KREIS_COLUMN, *areas], "the Kreis as reference first"
    expected = _expected_marks(demo_db, "sozialraum", "lebensphase")
    assert expected, "the demo county has gaps to show"
    assert _marks(table, "Lebensphase") == expected
    empty = sum(m == "✕" for m in expected.values())
    weak = sum(m == "▼" for m in expected.values())
    assert any(f"**{empty} leere** und **{weak} schwache** Zellen" in m.value for m in app.markdown)
    captions = " ".join(c.value for c in app.caption)
    assert "liegt unter 50 % des Kreiswerts" in captions, "the rule is shown"
    assert "Altersgruppe 10 bis unter 15 Jahre der Statistik" in captions, "approximations are footnoted"
    assert "Zielgruppen: Bevölkerung am 31.12.2023" in captions
    assert "Demodaten (erfundene Angebote), Stand 31.12.2023" in captions
    assert any("Zelle der Tabelle anklicken" in c.value for c in app.caption)


def test_threshold_changes_what_is_weak(app: AppTest, demo_db: Path):
    app.select_slider(key="chain_weak").set_value(0.75)
    rerun(app)
    assert _marks(_matrix(app), "Lebensphase") == _expected_marks(demo_db, "sozialraum", "lebensphase", 0.75)
    assert any("unter 75 % des Kreiswerts" in c.value for c in app.caption)


def test_gemeinden_are_rows_and_marked_alike(app: AppTest, demo_db: Path):
    app.radio(key="chain_level").set_value("gemeinde")
    rerun(app)
    assert app.toggle(key="chain_rows_gemeinde").value is True, "many Gemeinden: areas as rows by default"
    table = _matrix(app)
    assert table.columns[0] == "Gebiet" and len(table) == 61 + 1 and table["Gebiet"].iloc[0] == chain.KREIS_COLUMN
    assert _marks(table, "Gebiet", areas_as_rows=True) == _expected_marks(demo_db, "gemeinde", "lebensphase")


def test_count_metric_shows_numbers_of_offers(app: AppTest, demo_db: Path):
    app.selectbox(key="chain_metric").set_value("offers")
    rerun(app)
    table = _matrix(app).set_index("Lebensphase")
    with connect(demo_db, read_only=True) as con:
        kreis_0_3 = con.execute("SELECT offers FROM coverage WHERE area_id = ? AND category = '0-3'", [KREIS]).fetchone()[0]
    assert table.loc["0 bis 3 Jahre", chain.KREIS_COLUMN] == str(kreis_0_3)
    assert _marks(_matrix(app), "Lebensphase") == _expected_marks(demo_db, "sozialraum", "lebensphase")


def test_angebotsarten_offer_the_share_within_reach(app: AppTest):
    app.radio(key="chain_dimension").set_value("angebotsart")
    rerun(app)
    assert chain.METRICS["share_within"].label in app.selectbox(key="chain_metric").options
    app.selectbox(key="chain_metric").set_value("share_within")
    rerun(app)
    table = _matrix(app)
    assert table.columns[:2].tolist() == ["Handlungsfeld", "Angebotsart"]
    assert app.slider(key="chain_distance").value == coverage_dimensions.DEFAULT_DISTANCE_KM
    assert any("im Umkreis von 5 km eines Angebots" in c.value for c in app.caption)
    app.slider(key="chain_distance").set_value(20)
    rerun(app)
    wide = _matrix(app)
    kita = wide.set_index("Angebotsart").loc["Kindertageseinrichtung (Kita)", chain.KREIS_COLUMN]
    assert kita == "100", "everyone lives within 20 km of a Kita"
    assert any("Wohnorte für die Entfernungen" in c.value for c in app.caption)


def test_selected_cell_lists_its_offers(app: AppTest, demo_db: Path):
    table = _matrix(app)
    row = [label.rstrip(" " + chain.FOOTNOTE_MARKS) for label in table["Lebensphase"]].index("0 bis 3 Jahre")
    app.session_state["chain_matrix_sozialraum_lebensphase_0"] = {"selection": {"rows": [], "columns": [], "cells": [[row, "Steiningen"]]}}
    rerun(app)
    with connect(demo_db, read_only=True) as con:
        offers, target = con.execute(
            "SELECT c.offers, c.target_population FROM coverage c JOIN areas a USING (area_id) "
            "WHERE a.name = 'Steiningen' AND a.level = 'sozialraum' AND c.category = '0-3'"
        ).fetchone()
    title = next(m.value for m in app.markdown if m.value.startswith("**0 bis 3 Jahre in Steiningen"))
    assert f"{offers} Angebote" in title and f"Zielgruppe {int(target)} Kinder unter 3 Jahren" in title
    listed = app.dataframe[1].value
    assert len(listed) == offers
    assert set(listed.columns) == {"Name", "Angebotsart", "Träger", "Adresse", "Gemeinde", "Kapazität"}
    assert listed["Angebotsart"].isin(["Kindertageseinrichtung (Kita)", "Kindertagespflege", "Frühe Hilfen", "Familienzentrum", "Sozialraumzentrum"]).all()


def test_a_link_restores_the_view(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(demo_db.parent, monkeypatch, PAGE, {"ebene": "gemeinde", "kennzahl": "offers", "schwelle": "0.75", "gebiete_als_zeilen": "0"})
    assert at.radio(key="chain_level").value == "gemeinde"
    assert at.selectbox(key="chain_metric").value == "offers"
    assert at.select_slider(key="chain_weak").value == 0.75
    assert at.toggle(key="chain_rows_gemeinde").value is False
    table = _matrix(at)
    assert table.columns[0] == "Lebensphase" and len(table.columns) == 1 + 61 + 1, "Gemeinden as columns, as linked"
    assert _marks(table, "Lebensphase") == _expected_marks(demo_db, "gemeinde", "lebensphase", 0.75)
    at.radio(key="chain_dimension").set_value("angebotsart")
    rerun(at)
    assert at.query_params["zeilen"] == "angebotsart" and at.query_params["ebene"] == "gemeinde", "the URL follows the view"


def test_matrix_download_as_xlsx_and_german_csv(app: AppTest, demo_db: Path):
    buttons = {b.proto.label: b for b in app.get("download_button")}
    assert {"Excel (.xlsx)", "CSV (Semikolon, Dezimalkomma)"} <= set(buttons)
    ctx = demo_context(demo_db)
    shown = chain.build_matrix(ctx, "sozialraum", "lebensphase", "offers_per_1000")
    export = coverage_tables.matrix_export(ctx, "sozialraum", "lebensphase", "offers_per_1000", 0.5, 5, shown)

    raw = coverage_tables.csv_bytes(export).decode("utf-8-sig")
    lines = raw.splitlines()
    assert lines[0] == "Präventionskette" and "Demodaten – keine amtlichen Zahlen" in raw
    assert any(line.startswith("Quellen;") and "12411-02-03-5" in line and "Angebotsliste" in line for line in lines)
    start = next(i for i, line in enumerate(lines) if line.startswith("Gebiet;"))
    table = pd.read_csv(io.StringIO("\n".join(lines[start:])), sep=";", decimal=",")
    assert len(table) == 9 * (5 + 1), "every phase for five Sozialräume and the Kreis"
    expected = _expected_marks(demo_db, "sozialraum", "lebensphase")
    assert (table["Bewertung"] == chain.STATUS_LABELS[chain.EMPTY]).sum() == sum(m == "✕" for m in expected.values())
    with connect(demo_db, read_only=True) as con:
        per_1000 = con.execute("SELECT offers_per_1000 FROM coverage WHERE area_id = '99001-SR05' AND category = '0-3'").fetchone()[0]
    row = table[(table["Schlüssel"] == "99001-SR05") & (table["Lebensphase"] == "0 bis 3 Jahre")]
    assert row["Angebote je 1.000"].item() == pytest.approx(per_1000, rel=1e-12), "full precision, decimal comma"

    book = openpyxl.load_workbook(io.BytesIO(coverage_tables.xlsx_bytes(export)))
    assert book.sheetnames == ["Daten", "Matrix"]
    sheet = book["Matrix"]
    empty_fill = chain.STATUS_COLOURS[chain.EMPTY].lstrip("#").upper()
    filled = [c.value for row in sheet.iter_rows() for c in row if c.fill.fgColor.rgb and c.fill.fgColor.rgb.endswith(empty_fill)]
    assert filled and all(str(v).endswith("✕") for v in filled)


def test_a_database_without_offer_tables_gets_a_clear_hint(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    old = tmp_path / "demo_musterland.duckdb"
    shutil.copy(demo_db, old)
    with connect(old) as con:
        con.execute("DROP TABLE coverage")
    at = open_page(tmp_path, monkeypatch, PAGE)
    assert any("älteren Version ohne Angebotstabellen" in i.value and "python -m etl build" in i.value for i in at.info)
    assert not at.main.dataframe  # the sidebar's Datenqualität popover has its own tables


def test_the_demo_captures_every_category_so_nothing_is_nicht_erfasst(app: AppTest, demo_db: Path):
    table = _matrix(app)
    assert not table.isin([chain.NOT_CAPTURED_TEXT]).any().any(), "the demo list holds every Angebotsart"
    assert not any("Nicht erfasst" in i.value for i in app.info)
    assert not any("nicht erfasst" in m.value for m in app.markdown), "no legend chip, no count of uncaptured categories"
    assert _marks(table, "Lebensphase") == _expected_marks(demo_db, "sozialraum", "lebensphase"), "marks as before"


def test_a_category_no_list_captures_is_grey_nicht_erfasst_not_red(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    senior_list_missing(demo_db, tmp_path / "demo_musterland.duckdb")
    at = open_page(tmp_path, monkeypatch, PAGE)
    table = _matrix(at).set_index("Lebensphase")
    seniors = table.loc["65 Jahre und älter"]
    assert set(seniors) == {chain.NOT_CAPTURED_TEXT}, "every Sozialraum and the Kreis column"
    assert "65 Jahre und älter" not in {label for _, label in _marks(_matrix(at), "Lebensphase")}, "no ✕ or ▼ in that row"
    assert any("**1 von 9 Lebensphasen nicht erfasst**" in m.value for m in at.markdown)
    assert any("nicht erfasst – keine Angebotsliste" in m.value for m in at.markdown), "the legend names the grey"
    hint = next(i.value for i in at.info if i.value.startswith("Nicht erfasst"))
    assert "65 Jahre und älter" in hint and "offers" in hint and "docs/OFFERS.md" in hint
    row = list(table.index).index("65 Jahre und älter")
    at.session_state["chain_matrix_sozialraum_lebensphase_0"] = {"selection": {"rows": [], "columns": [], "cells": [[row, "Steiningen"]]}}
    rerun(at)
    assert any(m.value.startswith("**65 Jahre und älter in Steiningen: nicht erfasst") for m in at.markdown)
    assert any(i.value.startswith("Nicht erfasst: keine geladene Angebotsliste") for i in at.info)
    assert not any("Kein Angebot in diesem Gebiet" in i.value for i in at.info)
