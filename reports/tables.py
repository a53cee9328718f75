"""Tables of values for chosen areas with their Kreis and Land, as .xlsx and as German CSV.

Both files carry the same header block (indicator, definition, unit, source, licence, period, Datenstand) in
front of the table, because dl-de/by asks for the attribution to travel with the data and a second metadata
file gets lost on the way to the Kreistag.

CSV decisions (Excel with German settings opens it by double-click, pandas reads it back exactly):
- UTF-8 with BOM (Excel otherwise assumes Windows-1252 and breaks umlauts), ``;`` between fields, decimal
  comma, no thousands separator, every digit of the stored double (shortest form that reads back identically).
- The first line is the indicator's name, then ``Feld;Inhalt`` lines of the header block, one empty line, then
  the table, whose header line starts with ``Gebiet;``. ``read_csv_table`` finds that line; with pandas
  directly: ``pd.read_csv(f, sep=";", decimal=",", skiprows=<lines before it>, encoding="utf-8-sig")``.
- Area keys are written as they are; Excel shows '07235001' as the number 7235001 (the .xlsx keeps them text).
- A missing value is an empty 'Wert' with its reason in 'Status'; never 0.
- Text cells go through ``etl.spreadsheet``: a name that starts like a formula stays text (CSV: leading apostrophe;
  xlsx: string cell), characters XML forbids are dropped.

The .xlsx holds numbers as numbers with a number format of the indicator's decimals (German Excel shows
1.234,5); openpyxl writes 16 significant digits, one more than Excel computes with.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from planning.formatting import value_text
from etl.markers import STATUS_LABELS_DE
from etl.spreadsheet import csv_number, german_csv, xlsx_append
from reports import credits, data
from reports.render import export_name

FLAG_TEXT = {"p": "vorläufig", "r": "berichtigt", "s": "geschätzt"}
COLUMNS = ["Gebiet", "Schlüssel", "Ebene", "Jahr", "Wert", "Einheit", "Status", "Kennzeichen", "Hinweis"]
AREA_COLUMNS = ["Kennzahl", "Kennung", "Einheit", "Jahr", "Wert", "Kreis", "Land", "Status", "Kennzeichen", "Hinweis"]
KEY_COLUMNS = ("Schlüssel", "Kennung")  # text, never numbers (keys keep leading zeros)
PRODUCT = "Planungsatlas Familie"


@dataclass(frozen=True)
class ValueTable:
    """One indicator for chosen areas and their comparators; ``rows`` has the columns of COLUMNS."""

    indicator: data.Indicator
    rows: pd.DataFrame
    header: list[tuple[str, str]]
    credits: list[credits.Credit]
    kreis_name: str
    level: str
    years: list[int] = field(default_factory=list)

    @property
    def period(self) -> str:
        return data.years_text(self.years)

    # what the writers need (shared with AreaTable)
    @property
    def title(self) -> str:
        return self.indicator.label

    @property
    def name_parts(self) -> tuple[object, ...]:
        return self.indicator.indicator_id, self.level, self.period, self.kreis_name

    number_columns = ("Wert",)
    widths = (34, 14, 16, 8, 14, 14, 34, 12, 40)

    @property
    def summary(self) -> str:
        return f"{len(self.rows)} Zeilen: die Gebiete, dazu Kreis und Land als Vergleich, {self.period}"

    @property
    def row_decimals(self) -> list[int]:
        return [self.indicator.decimals] * len(self.rows)


@dataclass(frozen=True)
class AreaTable:
    """Every listed indicator of one area in one year next to its Kreis and Land; ``rows`` has AREA_COLUMNS.

    'Wert', 'Kreis' and 'Land' are numbers (empty where missing; the area's reason in 'Status').
    """

    area: data.Area
    kreis_name: str
    year: int
    rows: pd.DataFrame
    row_decimals: list[int]
    header: list[tuple[str, str]]
    credits: list[credits.Credit]

    number_columns = ("Wert", "Kreis", "Land")
    widths = (40, 22, 14, 8, 12, 12, 12, 30, 12, 40)

    @property
    def summary(self) -> str:
        return f"{len(self.rows)} Kennzahlen von {self.area.name}, je mit Kreis und Land als Vergleich, {self.year}"

    @property
    def title(self) -> str:
        return f"Kennzahlen {data.LEVEL_SINGULAR.get(self.area.level, self.area.level)} {self.area.name} {self.year}"

    @property
    def name_parts(self) -> tuple[object, ...]:
        return "kennzahlen", self.area.level, self.area.name, self.year, self.kreis_name


def _status_text(status: str) -> str:
    return "" if status == "ok" else STATUS_LABELS_DE.get(status, status)


def value_table(
    db: data.Db, area_ids: Sequence[str], indicator_id: str, *, years: Sequence[int] | None = None,
    comparators: bool = True,
) -> ValueTable:  # fmt: skip
    """Rows per area and year (areas in the given order, then Kreis and Land where the build has them).

    ``years``: None for the latest year with a value for the areas, or the years wanted.
    """
    with data.connection(db) as con:
        ind = data.indicator(con, indicator_id)
        chosen = [data.area(con, a) for a in area_ids]
        kreis_id = chosen[0].kreis_id or chosen[0].area_id
        ids = list(dict.fromkeys([*area_ids, *([kreis_id, data.land_id(kreis_id)] if comparators else [])]))
        frame = data.series(con, ids, indicator_id)
        wanted = list(years) if years else [max(data.years(con, indicator_id, area_ids), default=None)]
        frame = frame[frame["year"].isin(wanted)]
        frame = frame.assign(order=frame["area_id"].map({a: i for i, a in enumerate(ids)}))
        frame = frame.sort_values(["order", "year"])
        extra = credits.extra_source_ids(con, kreis_id, frame["level"].unique())
        found = credits.credits(con, credits.source_ids_of(frame) | set(extra))
        header = _header(ind, found, [int(y) for y in sorted(frame["year"].unique())], data.is_demo(con))
        kreis_name = data.area(con, kreis_id).name
    rows = pd.DataFrame({
        "Gebiet": frame["name"],
        "Schlüssel": frame["area_id"],
        "Ebene": frame["level"].map(data.LEVEL_SINGULAR).fillna(frame["level"]),
        "Jahr": frame["year"].astype(int),
        "Wert": frame["value"].where(frame["status"].isin(("ok", "zero"))).astype(float),
        "Einheit": ind.unit,
        "Status": frame["status"].map(_status_text),
        "Kennzeichen": frame["flag"].map(FLAG_TEXT).fillna(""),
        "Hinweis": frame["note"].fillna(""),
    }).reset_index(drop=True)  # fmt: skip
    years_found = sorted(int(y) for y in rows["Jahr"].unique())
    return ValueTable(ind, rows, header, found, kreis_name, chosen[0].level, years_found)


def _unique(values) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))


def _credit_lines(found: list[credits.Credit], years: list[int], demo: bool, sources: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Quelle, Lizenz, Namensnennung, Zeitraum, Datenstand, Erstellt (and the demo note) of a header block."""
    header = [
        ("Quelle", _unique([*sources, *(f"{c.title} ({c.table_code})" if c.table_code else c.title for c in found)])),
        ("Lizenz", _unique(c.licence for c in found)),
        ("Namensnennung", _unique(c.attribution for c in found)),
        ("Zeitraum", data.years_text(years)),
        ("Datenstand", _unique(s for c in found for s in c.stands)),
        ("Erstellt", f"{PRODUCT}, {date.today():%d.%m.%Y}"),
    ]
    if demo:
        header.append(("Hinweis", "Demodaten – keine amtlichen Zahlen"))
    return header


def _header(ind: data.Indicator, found: list[credits.Credit], years: list[int], demo: bool) -> list[tuple[str, str]]:
    return [("Definition", ind.definition), ("Einheit", ind.unit), *_credit_lines(found, years, demo, [ind.source])]


def area_table(db: data.Db, area_id: str, year: int) -> AreaTable:
    """Every listed indicator the area has a row for in ``year``, in catalogue order, with Kreis and Land."""
    with data.connection(db) as con:
        a = data.area(con, area_id)
        kreis_id = a.kreis_id or a.area_id
        frame = con.execute(
            """
            SELECT i.label, i.indicator_id, i.unit, i.kind, i.decimals, o.value, coalesce(o.status, 'absent') AS status,
                   o.flag, o.note, o.source_id, k.value AS kreis, k.status AS kreis_status, k.source_id AS kreis_source,
                   l.value AS land, l.status AS land_status, l.source_id AS land_source
            FROM indicators i
            JOIN observations o ON o.indicator_id = i.indicator_id AND o.area_id = ? AND o.year = ?
            LEFT JOIN observations k ON k.indicator_id = i.indicator_id AND k.area_id = ? AND k.year = ?
            LEFT JOIN observations l ON l.indicator_id = i.indicator_id AND l.area_id = ? AND l.year = ?
            WHERE i.listed
            ORDER BY i.position
            """,
            [area_id, year, kreis_id, year, data.land_id(kreis_id), year],
        ).df()  # fmt: skip
        used = {s for column in ("source_id", "kreis_source", "land_source") for s in frame[column].dropna()}
        found = credits.credits(con, used | set(credits.extra_source_ids(con, kreis_id, [a.level])))
        demo = data.is_demo(con)
        kreis_name = data.area(con, kreis_id).name
    known = frame["status"].isin(("ok", "zero"))
    rows = pd.DataFrame({
        "Kennzahl": frame["label"],
        "Kennung": frame["indicator_id"],
        "Einheit": frame["unit"].fillna(""),
        "Jahr": int(year),
        "Wert": frame["value"].where(known).astype(float),
        "Kreis": frame["kreis"].where(frame["kreis_status"].isin(("ok", "zero"))).astype(float),
        "Land": frame["land"].where(frame["land_status"].isin(("ok", "zero"))).astype(float),
        "Status": frame["status"].map(_status_text),
        "Kennzeichen": frame["flag"].map(FLAG_TEXT).fillna(""),
        "Hinweis": frame["note"].fillna(""),
    })  # fmt: skip
    decimals = [int(d) if pd.notna(d) else (1 if k == "rate" else 0) for d, k in zip(frame["decimals"], frame["kind"])]
    members = f"{data.LEVEL_SINGULAR.get(a.level, a.level)} {a.name} ({a.area_id})"
    header = [("Gebiet", members), ("Vergleich", f"{kreis_name}; Land, wo die Datenbank es enthält"),
              *_credit_lines(found, [int(year)], demo)]  # fmt: skip
    return AreaTable(a, kreis_name, int(year), rows, decimals, header, found)


Table = ValueTable | AreaTable


def table_name(table: Table, ext: str) -> str:
    """'<indikator>_<ebene>_<jahr>_<kreis>.<ext>' (an area's table: 'kennzahlen_<ebene>_<gebiet>_<jahr>_<kreis>')."""
    return export_name(*table.name_parts, ext=ext)


def wide_text(table: ValueTable, last_years: int = 3) -> pd.DataFrame:
    """Display table (strings, German numbers): one row per area, one column per year (the last few)."""
    ind = table.indicator
    shown = table.years[-last_years:]
    rows = table.rows[table.rows["Jahr"].isin(shown)]
    cells = rows.assign(text=[
        value_text(v, "ok", ind.decimals) if s == "" or pd.notna(v) else s
        for v, s in zip(rows["Wert"], rows["Status"])
    ])  # fmt: skip
    wide = cells.pivot_table(index=["Gebiet", "Schlüssel"], columns="Jahr", values="text", aggfunc="first", sort=False)
    wide = wide.reindex(columns=shown).fillna(STATUS_LABELS_DE.get("absent", "–")).reset_index()
    return wide.drop(columns="Schlüssel").rename(columns={y: str(y) for y in shown})


def _number_format(decimals: int) -> str:
    # Excel number formats are locale-neutral: German Excel shows '#,##0.0' as 1.234,5
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def xlsx_bytes(table: Table) -> bytes:
    """One sheet: header block, an empty row, the table (numbers as numbers, statuses as text), frozen header."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Daten"
    bold = Font(bold=True)
    xlsx_append(ws, [table.title])
    ws["A1"].font = Font(bold=True, size=13)
    for key, value in table.header:
        xlsx_append(ws, [key, value])
        ws.cell(ws.max_row, 1).font = bold
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=False, vertical="top")
    ws.append([])
    columns = list(table.rows.columns)
    xlsx_append(ws, columns)
    head_row = ws.max_row
    fill = PatternFill("solid", fgColor="DDE6EE")
    for cell in ws[head_row]:
        cell.font, cell.fill = bold, fill
    number_cols = [columns.index(c) + 1 for c in table.number_columns]
    key_cols = [columns.index(c) + 1 for c in KEY_COLUMNS if c in columns]
    for record, decimals in zip(table.rows.itertuples(index=False), table.row_decimals):
        xlsx_append(ws, record)
        for col in number_cols:
            ws.cell(ws.max_row, col).number_format = _number_format(decimals)
        for col in key_cols:
            ws.cell(ws.max_row, col).number_format = "@"  # keys keep leading zeros
    ws.freeze_panes = ws.cell(head_row + 1, 1)
    for i, width in enumerate(table.widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(table: Table) -> bytes:
    """German CSV (see the module docstring): title line, header block, empty line, table."""
    columns = list(table.rows.columns)
    rows = ([csv_number(record[c]) if c in table.number_columns else record[c] for c in columns] for record in table.rows.to_dict("records"))
    return german_csv(table.title, table.header, columns, rows)


def read_csv_table(raw: bytes) -> pd.DataFrame:
    """The table part of a CSV written by ``csv_bytes`` (keys as text, values as floats): after the first empty line."""
    text = raw.decode("utf-8-sig")
    start = text.splitlines().index("") + 1
    numbers = ("Wert", "Kreis", "Land")
    return pd.read_csv(io.StringIO(text), sep=";", decimal=",", skiprows=start, dtype=dict.fromkeys(KEY_COLUMNS, str),
                       keep_default_na=False, na_values=dict.fromkeys(numbers, [""]))  # fmt: skip
