"""Ziele & Maßnahmen under AppTest: a goal entered through the form appears in the Zielübersicht with its state by
the rule, a measure serves it, the xlsx carries both, and a reader without 'edit_goals' gets no form."""
from __future__ import annotations

import io

import duckdb
import openpyxl
import pytest

from page_helpers import writable_db_dir, DEMO_KREIS, open_page, rerun
from planning.goals import Goal
from workspace.goals import GoalStore
from workspace.storage import Workspace, workspace_url

PAGE = "pages/ziele.py"


@pytest.fixture
def db_dir(tmp_path, demo_db):
    return writable_db_dir(tmp_path, demo_db)


def _store(db_dir, monkeypatch) -> GoalStore:
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(db_dir))
    return GoalStore(Workspace.open(workspace_url()))


def _rate_with_years(demo_db) -> tuple[str, str, list[int]]:
    """A listed rate of the demo county with Kreis values in several years."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        row = con.execute(
            """SELECT o.indicator_id, list(o.year ORDER BY o.year) FROM observations o JOIN indicators i USING (indicator_id)
               WHERE o.area_id = ? AND i.kind = 'rate' AND i.listed AND o.value IS NOT NULL GROUP BY 1
               HAVING count(*) >= 3 ORDER BY 1 LIMIT 1""",
            [DEMO_KREIS],
        ).fetchone()  # fmt: skip
    return row[0], DEMO_KREIS, row[1]


def test_without_goals_the_page_says_how_to_start(db_dir, monkeypatch):
    at = open_page(db_dir, monkeypatch, PAGE)
    assert at.title[0].value == "Ziele & Maßnahmen – Landkreis Musterland (Demodaten)"
    assert any("Noch keine Ziele erfasst" in i.value for i in at.info)


def test_a_goal_from_the_form_shows_its_state_and_measures(db_dir, monkeypatch, demo_db):
    indicator, area, years = _rate_with_years(demo_db)
    at = open_page(db_dir, monkeypatch, PAGE)
    at.text_input(key="goal_0_title").set_value("Quote halten")
    at.selectbox(key="goal_0_indicator").set_value(indicator)
    rerun(at)
    at.selectbox(key="goal_0_area").set_value(area)
    rerun(at)
    at.selectbox(key="goal_0_baseline").set_value(years[0])
    at.number_input(key="goal_0_target_year").set_value(years[-1] + 5)
    at.number_input(key="goal_0_value").set_value(10_000.0)  # unreachable upwards: far behind the path
    at.button(key="goal_0_save").click()
    rerun(at)
    assert any("Ziel „Quote halten“ gespeichert" in s.value for s in at.success)
    store = _store(db_dir, monkeypatch)
    [goal] = store.goals("demo_musterland", DEMO_KREIS)
    assert (goal.indicator_id, goal.baseline_year, goal.target_value) == (indicator, years[0], 10_000.0)
    store.save_measure("demo_musterland", DEMO_KREIS, __import__("planning.goals", fromlist=["Measure"]).Measure(
        "Beratung ausbauen", "in Umsetzung", (goal.id,)), "demo")  # fmt: skip
    rerun(at)
    table = at.dataframe[0].value
    assert table.loc[0, "Ziel"] == "Quote halten"
    assert table.loc[0, "Status"] == "gefährdet"
    assert table.loc[0, "Maßnahmen"] == "1 Maßnahme: 1 in Umsetzung"
    download = next(d for d in at.get("download_button"))
    assert download is not None


def test_the_xlsx_carries_goals_and_measures(db_dir, monkeypatch, demo_db):
    from planning import queries
    from planning.goal_overview import overview
    from reports.goal_report import goals_xlsx, measures_frame

    indicator, area, years = _rate_with_years(demo_db)
    goal = Goal("Soziale Lage", "=HYPERLINK(\"x\")", "indikator", years[0], years[-1] + 3, indicator_id=indicator, area_id=area,
                baseline_year=years[0], target_value=0.0, id=1)  # fmt: skip
    db = queries.Database(str(demo_db), demo_db.stat().st_mtime)
    export = goals_xlsx("Musterland", overview(db, DEMO_KREIS, [goal], []), measures_frame([], {}))
    book = openpyxl.load_workbook(io.BytesIO(export.data))
    sheet = book["Zielübersicht"]
    header = [c.value for c in sheet[5]]
    assert header[:3] == ["Handlungsfeld", "Ziel", "Art"]
    cell = sheet.cell(6, 2)
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"x\")", "a title is a text cell, never a formula"
    assert "Regel: Der Zielpfad" in sheet.cell(2, 2).value


def test_a_reader_sees_the_overview_but_no_form(db_dir, monkeypatch):
    monkeypatch.setenv("PLANUNGSATLAS_AUTH", "demo")
    monkeypatch.setattr("dashboard.auth.settings", lambda: {"demo": {"roles": ["lesen"]}})
    at = open_page(db_dir, monkeypatch, PAGE)
    assert any("Ziele pflegt die Rolle „Planung“" in c.value for c in at.caption)
    assert not [b for b in at.button if b.label == "Ziel speichern"]


def test_the_kreistag_report_and_the_steckbrief_carry_the_goals(demo_db):
    """The goal section in the report's PDF (text extracted) and in a Steckbrief of the goal's area."""
    from pypdf import PdfReader

    from planning import queries
    from planning.goal_overview import overview
    from reports import kreistag, profile
    from reports.goal_report import goal_section
    from reports.pdf import pdf_document

    indicator, area, years = _rate_with_years(demo_db)
    goal = Goal("Soziale Lage", "Quote senken", "indikator", years[0], years[-1] + 3, responsible="Jugendamt",
                indicator_id=indicator, area_id=area, baseline_year=years[0], target_value=0.0, id=1)  # fmt: skip
    db = queries.Database(str(demo_db), demo_db.stat().st_mtime)
    blocks = goal_section(overview(db, DEMO_KREIS, [goal], []))
    con = queries.connection(db)
    doc = kreistag.kreistag_document(con, [DEMO_KREIS], [indicator], extra_blocks=blocks)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_document(doc))).pages)
    assert "Ziele und Maßnahmen" in text and "Quote senken" in text and "Regel: Der Zielpfad" in text
    gemeinde = queries.area_shapes(db, DEMO_KREIS, "gemeinde")["area_id"].iloc[0]
    sheet = profile.steckbrief_document(con, gemeinde, extra_blocks=goal_section(overview(db, DEMO_KREIS, [goal], []), "Ziele für dieses Gebiet", 2))
    headings = [b.text for b in sheet.blocks if type(b).__name__ == "Heading"]
    assert headings.index("Ziele für dieses Gebiet") < headings.index("Quellen und Lizenzen")
