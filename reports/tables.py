"""Tables of values for chosen areas with their Kreis, Land and Bund, as .xlsx and as German CSV.

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
- Next to each value (an area's; in the area table also the Kreis', the Land's and the Bund's): Status, Zähler and Nenner
  (the counts it was computed from; empty for a withheld value) and the 95-% interval (Wilson, as
  ``planning.comparison`` uses it; only for a proportion in % with its counts, else empty).
- Text cells go through ``etl.spreadsheet``: a name that starts like a formula stays text (CSV: leading apostrophe;
  xlsx: string cell), characters XML forbids are dropped.

The .xlsx holds numbers as numbers with a number format of the indicator's decimals (German Excel shows
1.234,5); openpyxl writes 16 significant digits, one more than Excel computes with.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from planning import comparison, trend
from planning.formatting import value_text
from etl.markers import STATUS_LABELS_DE
from etl.spreadsheet import csv_number, german_csv, xlsx_append
from reports import credits, data, trend_text
from reports.render import export_name

FLAG_TEXT = {"p": "vorläufig", "r": "berichtigt", "s": "geschätzt"}
LOW, HIGH = "95-%-Intervall unten", "95-%-Intervall oben"
# next to every value: its status, the counts it was computed from and the interval of a proportion
DETAIL = ("Status", "Zähler", "Nenner", LOW, HIGH)
COLUMNS = ["Gebiet", "Schlüssel", "Ebene", "Jahr", "Einheit", "Wert", *DETAIL, "Kennzeichen", "Hinweis"]
COMPARATORS = ("Kreis", "Land", "Bund")  # Bund: Germany, where the build has it (a Kreis from the national tables)
AREA_COLUMNS = ["Kennzahl", "Kennung", "Einheit", "Jahr", "Wert", *DETAIL,
                *(f"{who}{'' if c == '' else ' ' + c}" for who in COMPARATORS for c in ("", *DETAIL)),
                "Kennzeichen", "Hinweis"]  # fmt: skip
KEY_COLUMNS = ("Schlüssel", "Kennung")  # text, never numbers (keys keep leading zeros)
COUNT_COLUMNS = tuple(c for c in AREA_COLUMNS if c.endswith(("Zähler", "Nenner")))  # whole numbers
VALUE_COLUMNS = tuple(c for c in AREA_COLUMNS if c in ("Wert", *COMPARATORS) or c.endswith(("unten", "oben")))
PRODUCT = "Planungsatlas Familie"
INTERVAL_NOTE = ("Zähler und Nenner: die Anzahlen, aus denen der Wert berechnet ist (bei zurückgehaltenen Werten "
                 "leer). 95-%-Intervall: Konfidenzintervall nach Wilson, nur für Anteile in % mit Zähler und "
                 "Nenner, sonst leer.")  # fmt: skip
_WIDTHS = {"Gebiet": 34, "Kennzahl": 40, "Schlüssel": 14, "Kennung": 22, "Ebene": 16, "Jahr": 8, "Einheit": 14,
           "Status": 30, "Kennzeichen": 12, "Hinweis": 40}  # fmt: skip


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

    @property
    def summary(self) -> str:
        return f"{len(self.rows)} Zeilen: die Gebiete, dazu Kreis, Land und Bund (wo vorhanden) als Vergleich, {self.period}"

    @property
    def row_decimals(self) -> list[int]:
        return [self.indicator.decimals] * len(self.rows)


@dataclass(frozen=True)
class AreaTable:
    """Every listed indicator of one area in one year next to its Kreis, Land and Bund; ``rows`` has AREA_COLUMNS.

    'Wert', 'Kreis', 'Land' and 'Bund' are numbers (empty where missing; the area's reason in 'Status').
    """

    area: data.Area
    kreis_name: str
    year: int
    rows: pd.DataFrame
    row_decimals: list[int]
    header: list[tuple[str, str]]
    credits: list[credits.Credit]

    @property
    def summary(self) -> str:
        return f"{len(self.rows)} Kennzahlen von {self.area.name}, je mit Kreis, Land und Bund als Vergleich, {self.year}"

    @property
    def title(self) -> str:
        return f"Kennzahlen {data.LEVEL_SINGULAR.get(self.area.level, self.area.level)} {self.area.name} {self.year}"

    @property
    def name_parts(self) -> tuple[object, ...]:
        return "kennzahlen", self.area.level, self.area.name, self.year, self.kreis_name


def widths(table: ValueTable | AreaTable) -> list[int]:
    """Column widths of the .xlsx in characters."""
    return [_WIDTHS.get(c, 30 if c.endswith("Status") else 12) for c in table.rows.columns]


def _status_text(status: object) -> str:
    if not isinstance(status, str):
        return ""
    return "" if status == "ok" else STATUS_LABELS_DE.get(status, status)


# counts are shown where the value may be shown, and for 'x' (a zero denominator); never for withheld values
_COUNTS_SHOWN = ("ok", "zero", "locked")


def details(frame: pd.DataFrame, ind_unit: pd.Series | str, per: pd.Series | float | None, prefix: str = "") -> pd.DataFrame:
    """Status, Zähler, Nenner and the 95-% Wilson interval of each row of observations (value, status, numerator,
    denominator): the interval only for a proportion in % with its counts (``planning.comparison``), the counts
    only where the value is not withheld."""
    units = ind_unit if isinstance(ind_unit, pd.Series) else pd.Series(ind_unit, index=frame.index)
    pers = per if isinstance(per, pd.Series) else pd.Series(per, index=frame.index)
    status = frame["status"].where(frame["status"].notna(), "absent")
    shown = status.isin(_COUNTS_SHOWN)
    intervals = [
        _interval(v, st, k, n, u, p)
        for v, st, k, n, u, p in zip(frame["value"], status, frame["numerator"], frame["denominator"], units, pers)
    ]  # fmt: skip
    name = (lambda c: f"{prefix} {c}") if prefix else (lambda c: c)
    return pd.DataFrame({
        name("Status"): status.map(_status_text),
        name("Zähler"): frame["numerator"].where(shown).astype(float),
        name("Nenner"): frame["denominator"].where(shown).astype(float),
        name(LOW): [i[0] if i else float("nan") for i in intervals],
        name(HIGH): [i[1] if i else float("nan") for i in intervals],
    }, index=frame.index)  # fmt: skip


def _interval(value, status: str, numerator, denominator, unit: str, per) -> tuple[float, float] | None:
    """The Wilson interval in the indicator's unit, where ``planning.comparison`` would judge the value."""
    if comparison.not_assessed_reason(value=value, status=status, numerator=numerator, denominator=denominator,
                                      unit=unit or "", benchmark=value) is not None:  # fmt: skip
        return None
    scale = float(per) if per is not None and not pd.isna(per) and per else 100.0
    low, high = comparison.wilson_interval(numerator, denominator)
    return low * scale, high * scale


def value_table(
    db: data.Db, area_ids: Sequence[str], indicator_id: str, *, years: Sequence[int] | None = None,
    comparators: bool = True,
) -> ValueTable:  # fmt: skip
    """Rows per area and year (areas in the given order, then Kreis, Land and Bund where the build has them); the
    header says the trend of each area's last five years with values, as the screen does.

    ``years``: None for the latest year with a value for the areas, or the years wanted.
    """
    with data.connection(db) as con:
        ind = data.indicator(con, indicator_id)
        first = data.area(con, area_ids[0])  # the level and Kreis of the choice (one query, not one per area)
        kreis_id = first.kreis_id or first.area_id
        ids = list(dict.fromkeys([*area_ids, *(data.reference_ids(con, kreis_id) if comparators else [])]))
        every_year = data.series(con, ids, indicator_id)
        frame = every_year
        wanted = list(years) if years else [max(data.years(con, indicator_id, area_ids), default=None)]
        frame = frame[frame["year"].isin(wanted)]
        frame = frame.assign(order=frame["area_id"].map({a: i for i, a in enumerate(ids)}))
        frame = frame.sort_values(["order", "year"])
        extra = credits.extra_source_ids(con, kreis_id, frame["level"].unique())
        found = credits.credits(con, credits.source_ids_of(frame) | set(extra), years=frame["year"].unique())
        header = _header(ind, found, [int(y) for y in sorted(frame["year"].unique())], data.is_demo(con))
        header += trend_lines(every_year, ind, ids)
        kreis_name = data.area(con, kreis_id).name
    rows = pd.concat([pd.DataFrame({
        "Gebiet": frame["name"],
        "Schlüssel": frame["area_id"],
        "Ebene": frame["level"].map(data.LEVEL_SINGULAR).fillna(frame["level"]),
        "Jahr": frame["year"].astype(int),
        "Einheit": ind.unit,
        "Wert": frame["value"].where(frame["status"].isin(("ok", "zero"))).astype(float),
    }), details(frame, ind.unit, ind.per), pd.DataFrame({
        "Kennzeichen": frame["flag"].map(FLAG_TEXT).fillna(""),
        "Hinweis": frame["note"].fillna(""),
    })], axis=1).reset_index(drop=True)[COLUMNS]  # fmt: skip
    years_found = sorted(int(y) for y in rows["Jahr"].unique())
    return ValueTable(ind, rows, header, found, kreis_name, first.level, years_found)


def trend_lines(series: pd.DataFrame, ind: data.Indicator, area_ids: Sequence[str]) -> list[tuple[str, str]]:
    """('Trend', 'Kreis X: steigend – ungünstig (+0,4 Prozentpunkte pro Jahr; p = 0,003), letzte 5 Jahre …; …') and
    ('Trendtest', the method) for the areas whose last five years with values could be tested (as on the screen,
    ``reports.trend_text``); where none could, why ('zu wenige Jahre für einen Trend (höchstens 3 von 5 Jahren mit
    Werten)'). ``area_ids``: the chosen areas, then Kreis, Land and Bund."""
    every = trend_text.series_trends(series, ind, area_ids, untested=True)
    found = [(name, t) for _, name, t in every if t.method]
    if not found:
        return [("Trend", trend_text.too_few_text(every))] if any(t.years for _, _, t in every) else []
    return [("Trend", "; ".join(f"{name}: {t.text}" for name, t in found)), ("Trendtest", trend.method_note([t.method for _, t in found]))]


def _unique(values) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))


def _credit_lines(found: list[credits.Credit], years: list[int], demo: bool, sources: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Quelle, Lizenz, Namensnennung, Zeitraum, Datenstand, Erstellt (and the demo note) of a header block.

    Quelle names each table in plain German ('Statistische Ämter des Bundes und der Länder, Bevölkerungsstand
    31.12.2015 (Tabelle 12411-02-03-5)'); ``sources`` (the catalogue's words) stand in only where the database
    names no source."""
    cited = [c.citation for c in found if c.kind == "statistics"] or [c.citation for c in found]
    header = [
        ("Quelle", _unique(cited or sources)),
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
    return [("Definition", ind.definition), ("Einheit", ind.unit), ("Spalten", INTERVAL_NOTE),
            *_credit_lines(found, years, demo, [ind.source])]  # fmt: skip


def area_table(db: data.Db, area_id: str, year: int) -> AreaTable:
    """Every listed indicator the area has a row for in ``year``, in catalogue order, with Kreis, Land and Bund
    (empty where the build has no Germany), each value with its status, counts and interval (``details``)."""
    with data.connection(db) as con:
        a = data.area(con, area_id)
        kreis_id = a.kreis_id or a.area_id
        germany = data.bund_id(con) or ""
        counts = {alias: _counts(con, alias) for alias in ("o", "k", "l", "b")}
        per = "i.per" if _has_column(con, "indicators", "per") else "NULL::DOUBLE AS per"
        frame = con.execute(
            f"""
            SELECT i.label, i.indicator_id, i.unit, i.kind, i.decimals, {per}, o.value, coalesce(o.status, 'absent') AS status,
                   {counts["o"]}, o.flag, o.note, o.source_id,
                   k.value AS kreis_value, k.status AS kreis_status, {counts["k"]}, k.source_id AS kreis_source,
                   l.value AS land_value, l.status AS land_status, {counts["l"]}, l.source_id AS land_source,
                   b.value AS bund_value, b.status AS bund_status, {counts["b"]}, b.source_id AS bund_source
            FROM indicators i
            JOIN observations o ON o.indicator_id = i.indicator_id AND o.area_id = ? AND o.year = ?
            LEFT JOIN observations k ON k.indicator_id = i.indicator_id AND k.area_id = ? AND k.year = ?
            LEFT JOIN observations l ON l.indicator_id = i.indicator_id AND l.area_id = ? AND l.year = ?
            LEFT JOIN observations b ON b.indicator_id = i.indicator_id AND b.area_id = ? AND b.year = ?
            WHERE i.listed
            ORDER BY i.position
            """,
            [area_id, year, kreis_id, year, data.land_id(kreis_id), year, germany, year],
        ).df()  # fmt: skip
        used = {s for column in ("source_id", "kreis_source", "land_source", "bund_source") for s in frame[column].dropna()}
        found = credits.credits(con, used | set(credits.extra_source_ids(con, kreis_id, [a.level])), years=[year])
        demo = data.is_demo(con)
        kreis_name = data.area(con, kreis_id).name
    per = frame["per"]
    parts = [pd.DataFrame({
        "Kennzahl": frame["label"],
        "Kennung": frame["indicator_id"],
        "Einheit": frame["unit"].fillna(""),
        "Jahr": int(year),
        "Wert": frame["value"].where(frame["status"].isin(("ok", "zero"))).astype(float),
    }), details(frame, frame["unit"].fillna(""), per)]
    for who, prefix in (("Kreis", "kreis_"), ("Land", "land_"), ("Bund", "bund_")):
        theirs = frame[[f"{prefix}{c}" for c in ("value", "status", "numerator", "denominator")]]
        theirs.columns = ["value", "status", "numerator", "denominator"]
        parts.append(pd.DataFrame({who: theirs["value"].where(theirs["status"].isin(("ok", "zero"))).astype(float)}))
        parts.append(details(theirs, frame["unit"].fillna(""), per, prefix=who))
    parts.append(pd.DataFrame({"Kennzeichen": frame["flag"].map(FLAG_TEXT).fillna(""), "Hinweis": frame["note"].fillna("")}))
    rows = pd.concat(parts, axis=1)[AREA_COLUMNS]
    decimals = [int(d) if pd.notna(d) else (1 if k == "rate" else 0) for d, k in zip(frame["decimals"], frame["kind"])]
    members = f"{data.LEVEL_SINGULAR.get(a.level, a.level)} {a.name} ({a.area_id})"
    header = [("Gebiet", members), ("Vergleich", f"{kreis_name}; Land und Bund (Deutschland), wo die Datenbank sie enthält"),
              ("Spalten", INTERVAL_NOTE), *_credit_lines(found, [int(year)], demo)]  # fmt: skip
    return AreaTable(a, kreis_name, int(year), rows, decimals, header, found)


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    sql = "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?"
    return bool(con.execute(sql, [table, column]).fetchone()[0])


def _counts(con: duckdb.DuckDBPyConnection, alias: str) -> str:
    """The numerator and denominator columns of an observations alias (NULL in databases built before them)."""
    prefix = {"o": "", "k": "kreis_", "l": "land_", "b": "bund_"}[alias]
    if _has_column(con, "observations", "numerator"):
        return f"{alias}.numerator AS {prefix}numerator, {alias}.denominator AS {prefix}denominator"
    return f"NULL::DOUBLE AS {prefix}numerator, NULL::DOUBLE AS {prefix}denominator"


Table = ValueTable | AreaTable


def table_name(table: Table, ext: str) -> str:
    """'<indikator>_<ebene>_<jahr>_<kreis>.<ext>' (an area's table: 'kennzahlen_<ebene>_<gebiet>_<jahr>_<kreis>')."""
    return export_name(*table.name_parts, ext=ext)


def wide_text(table: ValueTable, last_years: int = 3, extra: tuple[str, dict[str, str]] | None = None) -> pd.DataFrame:
    """Display table (strings, German numbers): one row per area, one column per year (the last few); ``extra``:
    a last column (title, area_id → text; '–' for an area without), e.g. each area's trend."""
    ind = table.indicator
    shown = table.years[-last_years:]
    rows = table.rows[table.rows["Jahr"].isin(shown)]
    rows = rows.assign(Gebiet=rows["Gebiet"].where(rows["Ebene"] != "Land", rows["Gebiet"] + " (Land)"))
    cells = rows.assign(text=[
        value_text(v, "ok", ind.decimals) if s == "" or pd.notna(v) else s
        for v, s in zip(rows["Wert"], rows["Status"])
    ])  # fmt: skip
    wide = cells.pivot_table(index=["Gebiet", "Schlüssel"], columns="Jahr", values="text", aggfunc="first", sort=False)
    wide = wide.reindex(columns=shown).fillna(STATUS_LABELS_DE.get("absent", "–")).reset_index()
    if extra is not None:
        wide[extra[0]] = wide["Schlüssel"].map(extra[1]).fillna("–")
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
    value_cols = [columns.index(c) + 1 for c in VALUE_COLUMNS if c in columns]
    count_cols = [columns.index(c) + 1 for c in COUNT_COLUMNS if c in columns]
    key_cols = [columns.index(c) + 1 for c in KEY_COLUMNS if c in columns]
    for record, decimals in zip(table.rows.itertuples(index=False), table.row_decimals):
        xlsx_append(ws, record)
        row = ws.max_row
        for col in value_cols:
            ws.cell(row, col).number_format = _number_format(decimals)
        for col in count_cols:  # head counts are whole; a denominator in km² is not
            count = ws.cell(row, col)
            count.number_format = "#,##0" if not isinstance(count.value, float) or count.value.is_integer() else "#,##0.0#"
        for col in key_cols:
            ws.cell(row, col).number_format = "@"  # keys keep leading zeros
    ws.freeze_panes = ws.cell(head_row + 1, 1)
    for i, width in enumerate(widths(table), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(table: Table) -> bytes:
    """German CSV (see the module docstring): title line, header block, empty line, table."""
    columns = list(table.rows.columns)
    numbers = set(VALUE_COLUMNS) | set(COUNT_COLUMNS)
    rows = ([csv_number(record[c]) if c in numbers else record[c] for c in columns] for record in table.rows.to_dict("records"))
    return german_csv(table.title, table.header, columns, rows)


def read_csv_table(raw: bytes) -> pd.DataFrame:
    """The table part of a CSV written by ``csv_bytes`` (keys as text, values as floats): after the first empty line."""
    text = raw.decode("utf-8-sig")
    start = text.splitlines().index("") + 1
    numbers = (*VALUE_COLUMNS, *COUNT_COLUMNS)
    return pd.read_csv(io.StringIO(text), sep=";", decimal=",", skiprows=start, dtype=dict.fromkeys(KEY_COLUMNS, str),
                       keep_default_na=False, na_values=dict.fromkeys(numbers, [""]))  # fmt: skip
