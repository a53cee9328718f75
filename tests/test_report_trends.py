"""The Kreistag report states each indicator's trend as the Indikatoren page does (issue 11, items 5, 6 and 10).

For every area of the indicator's table – the chosen ones, Kreis, Land and Bund – the verdict over its last five
years with values, in the screen's words and by the screen's rule (the expected texts come from the page's own
code path, ``planning.area_values.series_view``); the years once in the column heading; the break in the source
and the test used below the table. A single year or too few years: one sentence, no column. An indicator the
chosen areas have no value of: Kreis, Land and Bund instead of an empty page, such sections sharing a page.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard import explorer_view
from etl.db import connect
from page_helpers import DEMO_KREIS as KREIS
from page_helpers import DEMO_KREIS_NAME as KREIS_NAME
from planning import area_values, queries
from planning.context import Context
from reports import data, kreistag
from reports import document as d

CHOSEN = ["99001-SR01", "99001-SR03"]
LAND, BUND = "99", "DG"


def _add_references(path: Path) -> None:
    """Germany (area 'DG', level 'bund'); Land and Bund shares of children under 6 for 2019–2023, constant (5.1 %
    and 5.3 %); the Kreis' own areas without that share in 2021 (a year the source lacks)."""
    with connect(path) as con:
        con.execute(
            """INSERT INTO areas (area_id, level, name, area_km2, geom, geom_display)
               SELECT 'DG', 'bund', 'Deutschland', area_km2, geom, geom_display FROM areas WHERE area_id = '99'"""
        )
        for area_id, share, denominator in ((LAND, 5.1, 1_000_000), (BUND, 5.3, 80_000_000)):
            for year in range(2019, 2024):
                con.execute(
                    """INSERT INTO observations (area_id, indicator_id, year, value, status, numerator, denominator, derivation, source_id)
                       VALUES (?, 'anteil_u6', ?, ?, 'ok', ?, ?, 'source', 'S03')""",
                    [area_id, year, share, share * denominator / 100, denominator],
                )  # fmt: skip
        con.execute("""DELETE FROM observations WHERE indicator_id = 'anteil_u6' AND year = 2021
                       AND area_id IN (SELECT area_id FROM areas WHERE kreis_id = ?)""", [KREIS])  # fmt: skip


@pytest.fixture(scope="module")
def references_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report_trends") / "demo_musterland.duckdb"
    shutil.copy(demo_db, path)
    _add_references(path)
    return path


def _section(doc: d.Document, number: int) -> list[d.Block]:
    """The blocks of the report's section ``number`` (from its heading to the next section's)."""
    starts = [i for i, b in enumerate(doc.blocks) if isinstance(b, d.Heading) and b.level == 1]
    first = next(i for i in starts if doc.blocks[i].text.startswith(f"{number}. "))
    following = [i for i in starts if i > first]
    return doc.blocks[first : following[0] if following else len(doc.blocks)]


def _table_and_note(blocks: list[d.Block]) -> tuple[pd.DataFrame, str]:
    at = next(i for i, b in enumerate(blocks) if isinstance(b, d.Table))
    return blocks[at].frame, blocks[at + 1].text


def _screen(path: Path, indicator_id: str, area_ids: list[str]) -> dict[str, str]:
    """Name as the report's table prints it → the trend verdict the Indikatoren page computes for that line."""
    ctx = Context(queries.Database(str(path), path.stat().st_mtime), KREIS, KREIS_NAME, 2023, True)
    view = explorer_view.build_view(ctx, indicator_id, 2023, "sozialraum")
    names = explorer_view.series_names(ctx, view, indicator_id)
    found = area_values.series_view(ctx, indicator_id, area_ids, names, view.meta)
    with connect(path, read_only=True) as con:  # the report names areas as the database does, the Land '… (Land)'
        printed = {a: data.area(con, a).name + (" (Land)" if a == LAND else "") for a in found.trends}
    return {printed[a]: t.verdict for a, t in found.trends.items()}


@pytest.mark.parametrize("indicator_id", ["anteil_u6", "bev_insgesamt"])
def test_each_row_carries_its_trend_in_the_screens_words(references_db: Path, indicator_id: str):
    doc = kreistag.kreistag_document(str(references_db), CHOSEN, [indicator_id])
    table, note = _table_and_note(_section(doc, 1))
    expected = _screen(references_db, indicator_id, [*CHOSEN, KREIS, LAND, BUND])
    trend_column = table.columns[-1]
    assert trend_column == "Trend 2019–2023", "the years tested, once"
    assert table.set_index("Gebiet")[trend_column].to_dict() == expected
    assert "reichen über den Bruch „Zensus 2022“ hinweg – mit Vorsicht lesen" in note, "the break inside 2019–2023, as on the screen"
    if indicator_id == "anteil_u6":
        assert list(table["Gebiet"])[-2:] == ["Demoland (Land)", "Deutschland"], "Land and Bund rows"
        assert expected["Deutschland"] == "kein signifikanter Trend (p = 1,00 ≥ 0,05)", "a constant share"
        assert expected[KREIS_NAME] == "zu wenige Jahre für einen Trend (4 von 5 Jahren mit Werten)", "2021 missing"
        assert "Chi-Quadrat-Test auf Trend in Anteilen (Cochran-Armitage)" in note
    else:
        assert expected[KREIS_NAME].startswith("steigend (+"), "the demo Kreis grows steadily"
        assert "Poisson-Regression" in note


def test_one_year_or_too_few_years_say_so_in_one_sentence(references_db: Path):
    doc = kreistag.kreistag_document(str(references_db), CHOSEN, ["bevoelkerungsdichte", "sgb2_quote"])
    for number, said in ((1, "Nur ein Jahr vorhanden (2023) – keine Trendaussage."),
                         (2, "zu wenige Jahre für einen Trend (höchstens 3 von 5 Jahren mit Werten).")):  # fmt: skip
        table, note = _table_and_note(_section(doc, number))
        assert said in note
        assert not any(c.startswith("Trend") for c in table.columns), "no column of equal words"


def test_an_indicator_without_values_for_the_areas_shows_the_references_and_shares_a_page(references_db: Path, tmp_path: Path):
    path = tmp_path / "without.duckdb"
    shutil.copy(references_db, path)
    with connect(path) as con:
        con.execute("DELETE FROM observations WHERE indicator_id IN ('anteil_u6', 'sgb2_quote') AND list_contains(?, area_id)",
                    [CHOSEN])  # fmt: skip
    doc = kreistag.kreistag_document(str(path), CHOSEN, ["anteil_u6", "sgb2_quote", "anteil_u18"])
    first, second = _section(doc, 1), _section(doc, 2)
    assert not any(isinstance(b, d.PageBreak) for b in first), "two short sections share a page"
    assert isinstance(second[-1], d.PageBreak), "the next full section starts a page"
    assert not any(isinstance(b, (d.Figure, d.FigureRow)) for b in first + second)
    table, note = _table_and_note(first)
    assert list(table["Gebiet"]) == [KREIS_NAME, "Demoland (Land)", "Deutschland"]
    assert table.set_index("Gebiet").loc["Deutschland", "Trend 2019–2023"] == "kein signifikanter Trend (p = 1,00 ≥ 0,05)"
    assert "keine Werte" in " ".join(b.text for b in first if isinstance(b, d.Paragraph))
    assert list(_table_and_note(second)[0]["Gebiet"]) == [KREIS_NAME], "the demo has no Land value of the SGB-II-Quote"


def test_xlsx_and_csv_say_why_no_trend_is_stated(references_db: Path):
    import io

    import openpyxl

    from reports import tables

    table = tables.value_table(str(references_db), CHOSEN, "sgb2_quote")
    said = "zu wenige Jahre für einen Trend (höchstens 3 von 5 Jahren mit Werten)"
    assert dict(table.header)["Trend"] == said, "2021–2023 only"
    sheet = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(table)))["Daten"]
    assert ["Trend", said] in [[c.value for c in row[:2]] for row in sheet.iter_rows()]
    assert f"Trend;{said}" in tables.csv_bytes(table).decode("utf-8-sig")
    tested = dict(tables.value_table(str(references_db), CHOSEN, "anteil_u6").header)["Trend"]
    assert "Deutschland: kein signifikanter Trend (p = 1,00 ≥ 0,05), letzte 5 Jahre mit Werten: 2019–2023" in tested
