"""Issue 11, items 2, 5, 6 and 7 on screen: one year for all pages (said in the title, the default explained, kept
across pages), Land and Bund beside the Kreis where the database has them, the time series with its gaps, trends
and breaks, and sources in plain German – on a demo copy with Land/Bund rows and a missing year, and on
Trier-Saarburg's real data (skipped without ../shared/data)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard import explorer_view, indicator_figures
from etl.build import build
from etl.db import connect
from page_helpers import DEMO_KREIS as KREIS
from page_helpers import DEMO_KREIS_NAME as KREIS_NAME
from page_helpers import open_page, rerun
from planning import area_values, indicator_metadata, queries
from planning.context import Context
from reports import document as d
from reports import profile

EXPLORER, STECKBRIEF = "pages/indikatoren.py", "pages/steckbrief.py"
LAND_SHARE, BUND_SHARE = 5.1, 5.3
REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def references_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo plus Germany (area 'DG', level 'bund'), Land and Bund shares of children under 6 for 2019–2023, and
    no value at all of that share in 2021 in the Kreis (a year the source lacks)."""
    path = tmp_path_factory.mktemp("references_db") / "demo_musterland.duckdb"
    shutil.copy(demo_db, path)
    with connect(path) as con:
        con.execute(
            """INSERT INTO areas (area_id, level, name, area_km2, geom, geom_display)
               SELECT 'DG', 'bund', 'Deutschland', area_km2, geom, geom_display FROM areas WHERE area_id = '99'"""
        )
        for area_id, share, denominator in (("99", LAND_SHARE, 1_000_000), ("DG", BUND_SHARE, 80_000_000)):
            for year in range(2019, 2024):
                con.execute(
                    """INSERT INTO observations (area_id, indicator_id, year, value, status, numerator, denominator, derivation, source_id)
                       VALUES (?, 'anteil_u6', ?, ?, 'ok', ?, ?, 'source', 'S03')""",
                    [area_id, year, share, share * denominator / 100, denominator],
                )
        con.execute(
            """DELETE FROM observations WHERE indicator_id = 'anteil_u6' AND year = 2021
               AND area_id IN (SELECT area_id FROM areas WHERE kreis_id = ?)""",
            [KREIS],
        )
    return path


def _ctx(path: Path, year: int = 2023) -> Context:
    return Context(queries.Database(str(path), path.stat().st_mtime), KREIS, KREIS_NAME, year, True)


# --- one year for all pages ------------------------------------------------------------------------------------------

def test_default_year_is_explained_beside_the_year_control(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(demo_db.parent, monkeypatch, EXPLORER)
    assert at.selectbox(key="year").value == 2023
    assert any(c.value.startswith("Voreinstellung 2023: das Jahr mit den meisten Kennzahlen für Gemeinden") for c in at.sidebar.caption)


def test_the_sidebar_year_stays_when_moving_between_pages(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(demo_db.parent, monkeypatch, EXPLORER)
    at.selectbox(key="year").set_value(2020)
    rerun(at)
    at.switch_page(STECKBRIEF)
    rerun(at)
    assert at.selectbox(key="year").value == 2020, "another page draws its own sidebar: the year is handed over"
    at.switch_page(EXPLORER)
    rerun(at)
    assert at.selectbox(key="year").value == 2020 and at.title[0].value.endswith("– 2020")


def test_steckbrief_title_names_the_years_of_its_values(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(demo_db.parent, monkeypatch, STECKBRIEF)
    assert at.title[0].value == "Steckbrief – Werte 2023"


# --- Land and Bund -------------------------------------------------------------------------------------------------------

def test_explorer_shows_land_and_bund_beside_the_kreis(references_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(references_db.parent, monkeypatch, EXPLORER)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Demoland 2023"] == "5,1 %" and metrics["Deutschland 2023"] == "5,3 %"
    view = explorer_view.build_view(_ctx(references_db), "anteil_u6", 2023, "gemeinde")
    fig = indicator_figures.ranking_figure(view.frame, view.meta, view.kreis, view.land, view.bund)
    assert [t.name for t in fig.data if t.type == "scatter"] == ["Kreis: 5,6 %", "Land (Demoland): 5,1 %", "Deutschland: 5,3 %"]
    names = explorer_view.series_names(_ctx(references_db), view, "anteil_u6")
    assert names["99"] == "Demoland (Land)" and names["DG"] == "Deutschland (Bund)"


def test_without_bund_rows_no_bund_column(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(demo_db.parent, monkeypatch, EXPLORER)
    assert not [m for m in at.metric if m.label.startswith("Deutschland")]


def test_steckbrief_has_land_and_bund_columns_where_the_database_has_them(references_db: Path, demo_db: Path):
    def key_table(path: Path):
        doc = profile.steckbrief_document(path, "99001-SR03")
        return next(b.frame for b in doc.blocks if isinstance(b, d.Table) and "Kennzahl" in b.frame)

    table = key_table(references_db).set_index("Kennzahl")
    assert list(table.columns) == ["Jahr", "Sozialraum", "Kreis", "Land", "Deutschland", "Vergleich mit dem Kreis"]
    assert (table.loc["Anteil Kinder unter 6 Jahren (%)", "Land"], table.loc["Anteil Kinder unter 6 Jahren (%)", "Deutschland"]) == ("5,1", "5,3")
    assert table.loc["Einwohner insgesamt", "Deutschland"] == "–", "no Bund value of that indicator"
    assert "Land" not in key_table(demo_db), "no column without any value"


# --- the time series -----------------------------------------------------------------------------------------------------

def test_series_leaves_the_missing_year_empty_and_states_trends(references_db: Path):
    ctx = _ctx(references_db)
    view = explorer_view.build_view(ctx, "anteil_u6", 2023, "gemeinde")
    area = view.frame.sort_values("value", ascending=False)["area_id"].iloc[0]
    names = explorer_view.series_names(ctx, view, "anteil_u6")
    found = area_values.series_view(ctx, "anteil_u6", [KREIS, area, "99", "DG"], names, view.meta)
    assert found.years == [2019, 2020, 2021, 2022, 2023], "2021 stays on the axis"
    lines = {line.area_id: line for line in found.lines}
    assert lines[KREIS].values[2] is None and lines[area].values[2] is None and lines["99"].values[2] == LAND_SHARE
    assert [line.level for line in found.lines] == ["kreis", "gemeinde", "land", "bund"]
    fig = explorer_view.series_figure(ctx, view, "anteil_u6", [KREIS, area, "99", "DG"])
    assert fig.data[0].y[2] is None and all(t.connectgaps is False for t in fig.data)
    assert found.trends[KREIS].text == "zu wenige Jahre für einen Trend (4 von 5 Jahren mit Werten)"
    assert found.trends["99"].text.startswith("kein signifikanter Trend (p = 1,00"), "a constant Land share"
    assert "Cochran-Armitage" in area_values.trend_method_note(found)
    assert [b.year for b in found.breaks] == [2022], "population-based: the Zensus 2022 rebase lies inside 2019–2023"
    said = dict(zip([line.area_id for line in found.lines], area_values.trend_lines(found)))
    assert said["99"].endswith("– über den Bruch „Zensus 2022“ hinweg, mit Vorsicht lesen")
    assert "Bruch" not in said[KREIS], "no trend stated, nothing to qualify"


# --- sources and the Sozialraum mapping -------------------------------------------------------------------------------

def test_sozialraum_mapping_is_credited_as_the_config_declares(references_db: Path, tmp_path: Path):
    ctx = _ctx(references_db)
    # the demo config declares its Sozialräume a working assumption; the build credits them so
    assert indicator_metadata.mapping_credit(ctx.db, KREIS).startswith("Sozialräume: Arbeitsannahme"), \
        "credited as the config declares, not to the Kreisverwaltung on trust"
    view = explorer_view.build_view(ctx, "anteil_u6", 2023, "sozialraum")
    assert view.statistics_sources[-1].startswith("Sozialräume: Arbeitsannahme")
    assert indicator_metadata.sozialraum_credit({"attribution": "Sozialräume: Kreisverwaltung"}).startswith(
        "Sozialräume: Status nicht angegeben"), "a database built before the status existed"
    declared = tmp_path / "declared.duckdb"
    shutil.copy(references_db, declared)
    with connect(declared) as con:
        con.execute("ALTER TABLE sources ADD COLUMN status VARCHAR")
        con.execute("ALTER TABLE sources ADD COLUMN source VARCHAR")
        con.execute("UPDATE sources SET status = 'Arbeitsannahme', source = 'Verbandsgemeinden nach Berichterstattung 2018' "
                    "WHERE kind = 'sozialraum_mapping'")  # fmt: skip
    credit = indicator_metadata.mapping_credit(_ctx(declared).db, KREIS)
    assert credit == "Sozialräume: Arbeitsannahme (Verbandsgemeinden nach Berichterstattung 2018)"
    assert indicator_metadata.sozialraum_credit({"attribution": "Sozialräume: amtlich (Jugendhilfeplanung 2020)"}) == \
        "Sozialräume: amtlich (Jugendhilfeplanung 2020)"


# --- Trier-Saarburg, real data -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trier_saarburg(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ts_years") / "07235_trier-saarburg.duckdb"
    build([REPO_ROOT / "config" / "07235_trier-saarburg.toml"], out, say=lambda _msg: None)
    return out


def test_trier_saarburg_opens_on_2015_says_why_and_names_sources_in_plain_german(trier_saarburg: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(trier_saarburg.parent, monkeypatch, EXPLORER)
    assert at.title[0].value == "Indikatoren Landkreis Trier-Saarburg – 2015"
    reason = next(c.value for c in at.sidebar.caption if c.value.startswith("Voreinstellung"))
    assert reason.startswith("Voreinstellung 2015: das Jahr mit den meisten Kennzahlen für Gemeinden") and "2016" in reason
    assert any(i.value.startswith("Nur ein Jahr vorhanden (2015)") for i in at.info), "no loose dots for a single year"
    panel = " ".join(m.value for m in at.markdown if "**Quelle:**" in m.value)
    assert "Statistische Ämter des Bundes und der Länder, Bevölkerungsstand 31.12.2015 (Tabelle 12411-02-03-5)" in panel
    assert "**Datenstand:** 10.10.2017" in panel and "18:42" not in panel and "Berechnet aus 12411" not in panel
    footer = at.caption[-1].value if at.caption else ""
    assert "Bevölkerungsstand 31.12.2015 (Tabelle 12411-02-03-5), Datenstand 10.10.2017" in " ".join(c.value for c in at.caption), footer


def test_trier_saarburg_overview_map_names_its_source_in_plain_german(trier_saarburg: Path, monkeypatch: pytest.MonkeyPatch):
    """The Übersichtskarte's text under the map cites the table as the Indikatoren page does, not the catalogue's
    bare 'Berechnet aus 12411-02-03-5'."""
    at = open_page(trier_saarburg.parent, monkeypatch, "pages/uebersichtskarte.py", {"kennzahl": "anteil_u6"})
    about = " ".join(m.value for m in at.markdown if "*Quelle:*" in m.value)
    assert "Berechnet aus: Statistische Ämter des Bundes und der Länder, Bevölkerungsstand 31.12.2015 (Tabelle 12411-02-03-5)" in about
    assert "Berechnet aus 12411" not in about


def test_trier_saarburg_population_series_marks_the_census_break(trier_saarburg: Path):
    ctx = Context(queries.Database(str(trier_saarburg), trier_saarburg.stat().st_mtime), "07235", "Landkreis Trier-Saarburg", 2015, False)
    view = explorer_view.build_view(ctx, "bev_insgesamt", 2015, "gemeinde")
    top = area_values.default_series_areas(ctx, view)
    found = area_values.series_view(ctx, "bev_insgesamt", top, explorer_view.series_names(ctx, view, "bev_insgesamt"), view.meta)
    assert found.years == list(range(2008, 2016)) and [b.year for b in found.breaks] == [2011]
    assert all(t.method == "poisson" for t in found.trends.values()), "counts: Poisson regression"
    assert all(t.years == (2011, 2012, 2013, 2014, 2015) for t in found.trends.values())
