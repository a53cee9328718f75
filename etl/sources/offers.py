"""One reader for offer lists (CSV or Excel): the county's own lists, the NRW school directory, scraped
school lists. Which column feeds which field is metadata (etl/metadata/offer_formats.toml).

Row problems do not stop the import: each is written to the import report with row, column, what is wrong
and what happened to the row; valid rows still load. That includes a CSV line with more fields than the header
(an unquoted delimiter in a name), an Excel formula without a stored value, control characters in a cell (replaced
by a space), a number that is not finite or outside its plausible range (`[ranges]` in offer_formats.toml) and a
detail for the public finder that does not fit its kind (`[details]`, etl/sources/offer_details.py). A
file that cannot be read at all (missing, wrong format, required columns absent, a NUL byte) stops the build with an
EtlError.
"""
from __future__ import annotations

import csv
import io
import math
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

import openpyxl
import pandas as pd

from etl.errors import EtlError
from etl.offer_keys import offer_keys
from etl.offers_taxonomy import offer_types, type_by_label
from etl.sources.offer_details import check_detail
from etl.sources.text import (
    AUTO, CONTROL, control_characters, control_problem, read_text, require_file, split_lines, without_control_characters,
)  # fmt: skip

FORMATS_FILE = Path(__file__).resolve().parent.parent / "metadata" / "offer_formats.toml"
FIELDS = [
    "source_id", "name", "angebotsart", "traeger", "strasse", "plz", "ort", "gemeinde_ags", "x", "y", "crs",
    "kapazitaet", "alter_von", "alter_bis", "gueltig_ab", "gueltig_bis",
]  # fmt: skip
# the public finder's columns (etl/metadata/offer_formats.toml [details]; kontakt_intern is never published)
DETAIL_FIELDS = [
    "oeffentlich", "kontakt", "telefon", "email", "webseite", "zeiten", "kosten", "sprachen", "barrierefrei",
    "beschreibung", "kontakt_intern",
]  # fmt: skip
FIELDS += DETAIL_FIELDS
REQUIRED = ("name", "angebotsart")
SKIP = "!skip"
LOADED, DROPPED, SKIPPED = "geladen", "verworfen", "übersprungen"
_NULLS = {"", "null", "none", "nan", "null/null"}


@dataclass
class ReportRow:
    row: int  # line in a CSV, row in a spreadsheet
    column: str | None
    problem: str
    action: str  # geladen (with a remark) | verworfen | übersprungen


@dataclass
class OfferList:
    file: Path
    format: str
    title: str
    attribution: str | None
    offers: pd.DataFrame  # FIELDS + row + offer_type + offer_key
    report: list[ReportRow] = field(default_factory=list)
    encoding: str | None = None  # of a CSV as read_text detected it (None for Excel), for the source record


@dataclass
class _Sheet:
    """A list as read: every cell as text, and what could not be read into the cells."""

    frame: pd.DataFrame  # one column per header name
    rows: list[int]  # the file row of each frame row
    header_row: int
    report: list[ReportRow] = field(default_factory=list)  # rows that do not fit the header: not in the frame
    lost: dict[tuple[int, str], str] = field(default_factory=dict)  # (row, column) -> why an Excel cell has no value
    encoding: str | None = None  # of a CSV


@cache
def _metadata() -> dict:
    return tomllib.loads(FORMATS_FILE.read_text(encoding="utf-8"))


def offer_formats() -> dict:
    return _metadata()["formats"]


def value_ranges() -> dict[str, dict]:
    """Field -> plausible range of a numeric field (min or above, max), the same in every format."""
    return _metadata()["ranges"]


def detail_rules() -> dict[str, dict]:
    """Detail field -> its kind, length limit and whether the finder may publish it, the same in every format."""
    return _metadata()["details"]


def read_offer_list(path: Path, format_name: str, encoding: str = AUTO, public: bool = False) -> OfferList:
    """The offers of one list and its import report. ``public``: whether an offer whose 'oeffentlich' cell is empty
    (or a list without that column) is shown in the public finder (config [[offers]] public; default: no)."""
    formats = offer_formats()
    if format_name not in formats:
        raise EtlError(
            f"Format '{format_name}' für Angebotslisten ist nicht beschrieben",
            file=path,
            expected="eines von " + ", ".join(sorted(formats)),
            fix="Format in der Kreis-Konfiguration korrigieren oder in etl/metadata/offer_formats.toml beschreiben.",
        )
    meta = formats[format_name]
    require_file(path, "Angebotsliste")
    sheet = _read_table(path, meta, encoding)
    raw = sheet.frame
    columns = meta["columns"]
    wanted = {c for v in columns.values() for c in ([v] if isinstance(v, str) else v)}
    missing = sorted(c for f, v in columns.items() for c in ([v] if isinstance(v, str) else v) if f in REQUIRED and c not in raw.columns)
    if missing:
        raise EtlError(
            f"Spalten {', '.join(missing)} fehlen",
            file=path,
            line=sheet.header_row,
            expected=f"Kopfzeile mit den Spalten des Formats '{format_name}': " + ", ".join(sorted(wanted)),
            fix="Spalten wie in der Vorlage benennen (docs/OFFERS.md) oder das passende Format angeben.",
        )
    controls = _replace_control_characters(raw, sheet.rows, wanted)
    # a ranged number keeps 'nan'/'null' as text: not a value, reported like any other text there
    offers = pd.DataFrame({f: _field(raw, columns.get(f), nulls=f not in value_ranges()) for f in FIELDS})
    offers["row"] = sheet.rows
    if "crs" not in columns:
        offers["crs"] = meta.get("crs", "EPSG:4326")
    report: list[ReportRow] = list(sheet.report)
    offers = _map_types(offers, meta, report, str(columns["angebotsart"]))
    offers = _report_lost_cells(offers, sheet.lost, columns, report)
    offers = _parse_numbers(offers, report, columns)
    offers = _check_details(offers, report, columns, public)
    offers = _drop_duplicates(offers, meta.get("duplicate_key", []), report)
    missing_name = offers["name"] == ""
    for row in offers[missing_name].itertuples():
        report.append(ReportRow(row.row, _column(columns, "name"), "Name fehlt", f"{LOADED} als „(ohne Namen)“"))
    offers.loc[missing_name, "name"] = "(ohne Namen)"
    kept = set(offers["row"])
    report += [ReportRow(row, column, control_problem(found), LOADED) for (row, column), found in sorted(controls.items()) if row in kept]
    offers = offers.reset_index(drop=True)
    offers["offer_key"] = offer_keys(path.name, offers)  # what planners' edits and duplicate decisions are keyed by
    return OfferList(path, format_name, meta["title"], meta.get("attribution"), offers, report, sheet.encoding)


def _replace_control_characters(raw: pd.DataFrame, rows: list[int], wanted: set[str]) -> dict[tuple[int, str], str]:
    """Replace control characters in the mapped columns by a space, in place; (row, column) -> the characters."""
    found: dict[tuple[int, str], str] = {}
    for column in raw.columns.intersection(sorted(wanted)):
        hit = raw[column].str.contains(CONTROL.pattern, regex=True)
        for i in hit[hit].index:
            found[(rows[i], column)] = control_characters(raw.at[i, column])
        raw.loc[hit, column] = raw.loc[hit, column].map(without_control_characters)
    return found


def _column(columns: dict, name: str) -> str | None:
    value = columns.get(name)
    return value if isinstance(value, str) or value is None else "+".join(value)


def _field(raw: pd.DataFrame, source: str | list[str] | None, nulls: bool = True) -> pd.Series:
    if source is None:
        return pd.Series([""] * len(raw), index=raw.index, dtype=str)
    parts = [source] if isinstance(source, str) else source
    present = [raw[c] if c in raw.columns else pd.Series([""] * len(raw), index=raw.index) for c in parts]
    joined = present[0].astype(str)
    for extra in present[1:]:
        joined = joined.str.cat(extra.astype(str), sep=" ")
    cleaned = joined.str.replace(r"\s+", " ", regex=True).str.strip()
    if len(parts) > 1:  # a name split over columns keeps its hyphenation: "Gemeinschaftsgrundschu- le"
        cleaned = cleaned.str.replace(r"([a-zäöüß])- ([a-zäöüß])", r"\1\2", regex=True)
    return cleaned.where(~cleaned.str.lower().isin(_NULLS), "") if nulls else cleaned


def _read_table(path: Path, meta: dict, encoding: str) -> _Sheet:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_excel(path)
    text, used = read_text(path, encoding)
    lines = split_lines(text)
    skipped = 0
    while skipped < len(lines) and any(lines[skipped].startswith(p) for p in meta.get("skip_prefix_lines", [])):
        skipped += 1
    header = lines[skipped] if skipped < len(lines) else ""
    # the header's most frequent candidate; a header without any is one column, and the mapping says what is missing
    delimiter = max(";,\t", key=header.count)
    reader = csv.reader(io.StringIO("\n".join(lines[skipped:])), delimiter=delimiter, quotechar='"')
    names = next(reader, [])
    records, rows, report = [], [], []
    end = reader.line_num
    for fields in reader:
        row, end = skipped + end + 1, reader.line_num  # a quoted field may span lines: the record starts after the last
        if not fields:
            continue
        if len(fields) > len(names):
            report.append(ReportRow(
                row, None, f"Zeile hat {len(fields)} Felder statt {len(names)} wie die Kopfzeile – ein '{delimiter}' im Text "
                f"ohne Anführungszeichen? (solchen Text in \"…\" setzen)", DROPPED,
            ))  # fmt: skip
            continue
        records.append(fields + [""] * (len(names) - len(fields)))
        rows.append(row)
    return _Sheet(_frame(names, records), rows, skipped + 1, report, encoding=used)


def _frame(names: list[str], records: list[list[str]]) -> pd.DataFrame:
    """Columns with a name; of several with the same name the first."""
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        if name:
            first.setdefault(name, i)
    return pd.DataFrame({name: [r[i] for r in records] for name, i in first.items()}, dtype=str)


def _excel_text(value: object) -> str:
    """A cell value as the text a CSV export of it would hold (whole numbers without '.0', dates as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value == datetime(value.year, value.month, value.day):
        return value.date().isoformat()
    return str(value)


def _first_sheet(path: Path, data_only: bool) -> list[list]:
    """Cells of the first sheet, row by row from A1 (rows and cells in between filled in)."""
    with open(path, "rb") as f:
        sheet = openpyxl.load_workbook(f, read_only=True, data_only=data_only).worksheets[0]
        sheet.reset_dimensions()  # read-only mode trusts the stored dimensions, which some writers get wrong
        return [list(row) for row in sheet.iter_rows()]


def _read_excel(path: Path) -> _Sheet:
    """First sheet as text. Formulas count with the value Excel stored; a cell whose formula has none (a file
    written by a program and never opened in Excel) or whose value is an Excel error is empty and in ``lost``."""
    try:
        cells = _first_sheet(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise EtlError(f"Excel-Datei lässt sich nicht lesen: {exc}", file=path, expected="eine .xlsx-Datei",
                       fix="In Excel öffnen und erneut als .xlsx speichern.") from exc  # fmt: skip
    filled = [i for i, row in enumerate(cells) if any(c.value is not None and str(c.value).strip() for c in row)]
    if not filled:
        return _Sheet(pd.DataFrame(), [], 1)
    header, data = filled[0], filled[1:]
    names = [_excel_text(c.value) for c in cells[header]]
    records = [[""] * len(names) for _ in data]
    lost: dict[tuple[int, str], str] = {}
    formulas = None  # the workbook with formulas instead of values, read only if a cell is empty
    for record, i in zip(records, data):
        for j, cell in enumerate(cells[i][: len(names)]):
            if cell.data_type == "e":
                lost[(i + 1, names[j])] = f"Excel-Fehler {cell.value} in der Zelle"
            elif cell.value is not None:
                record[j] = _excel_text(cell.value)
            else:
                formulas = formulas if formulas is not None else _first_sheet(path, data_only=False)
                stored = formulas[i][j].value if i < len(formulas) and j < len(formulas[i]) else None
                formula = getattr(stored, "text", stored)  # .text: an array formula
                if isinstance(formula, str) and formula.startswith("="):
                    lost[(i + 1, names[j])] = (
                        f"Formel '{formula}' ohne gespeicherten Wert – Datei in Excel öffnen und speichern, damit Excel ihn berechnet"
                    )
    lost = {(row, column): why for (row, column), why in lost.items() if column}
    return _Sheet(_frame(names, records), [i + 1 for i in data], header + 1, lost=lost)


def _report_lost_cells(offers: pd.DataFrame, lost: dict[tuple[int, str], str], columns: dict, report: list[ReportRow]) -> pd.DataFrame:
    """A mapped cell without a value: a coordinate drops the row (like an unreadable number), another field loads
    empty. An empty name is reported as 'Name fehlt' later; rows already dropped are reported already."""
    fields_of: dict[str, list[str]] = {}
    for name, source in columns.items():
        for column in [source] if isinstance(source, str) else source:
            fields_of.setdefault(column, []).append(name)
    by_row = offers.set_index("row")
    dropped = []
    for (row, column), problem in sorted(lost.items()):
        fields = fields_of.get(column, [])
        if not fields or row not in by_row.index or any(f in REQUIRED and by_row.at[row, f] == "" for f in fields):
            continue
        coordinate = bool({"x", "y"} & set(fields))
        report.append(ReportRow(row, column, problem, DROPPED if coordinate else f"{LOADED} ohne diesen Wert"))
        if coordinate:
            dropped.append(row)
    return offers[~offers["row"].isin(dropped)]


def _map_types(offers: pd.DataFrame, meta: dict, report: list[ReportRow], column: str) -> pd.DataFrame:
    codes = meta.get("type_codes", {})
    labels = type_by_label()
    mapped = offers["angebotsart"].map(lambda v: codes.get(v, labels.get(v.strip().lower())) if v else None)
    for row, value in offers.loc[mapped == SKIP, ["row", "angebotsart"]].itertuples(index=False):
        report.append(ReportRow(row, column, f"'{value}' ist kein Angebot (z. B. eine Behörde)", SKIPPED))
    unknown = mapped.isna()
    known = ", ".join(offer_types()["label"].head(6)) + " …"
    for row, value in offers.loc[unknown, ["row", "angebotsart"]].itertuples(index=False):
        problem = "Angebotsart fehlt" if not value else f"unbekannte Angebotsart '{value}'"
        report.append(ReportRow(row, column, f"{problem} (bekannt: {known}; siehe etl/metadata/offer_types.toml)", DROPPED))
    return offers[~unknown & (mapped != SKIP)].assign(offer_type=mapped[~unknown & (mapped != SKIP)])


def _number(text: str) -> float | None:
    """A finite number (decimal point or comma); None for text, inf and nan."""
    try:
        value = float(text.replace(",", ".")) if text else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _outside(values: pd.Series, limits: dict) -> pd.Series:
    low = values <= limits["above"] if "above" in limits else values < limits.get("min", -math.inf)
    return low | (values > limits.get("max", math.inf))


def _range_text(limits: dict) -> str:
    def german(number: float) -> str:
        return f"{number:,}".replace(",", ".")

    low = f"über {german(limits['above'])}" if "above" in limits else german(limits.get("min", 0))
    return f"{low} bis {german(limits['max'])}"


def _parse_numbers(offers: pd.DataFrame, report: list[ReportRow], columns: dict) -> pd.DataFrame:
    """Coordinates must be numbers of at least 0 (else the row goes); a ranged field (capacity, age) a finite number
    in its range of offer_formats.toml (else the offer loads without it)."""
    offers = offers.copy()
    ranges = value_ranges()
    for name in ("x", "y", "kapazitaet", "alter_von", "alter_bis"):
        parsed = offers[name].map(_number).astype(float)
        limits = ranges.get(name)
        bad = ((offers[name] != "") & parsed.isna()) | (_outside(parsed, limits) if limits else parsed < 0)
        expected = f" (erwartet: {_range_text(limits)})" if limits else ""
        for row, value in offers.loc[bad, ["row", name]].itertuples(index=False):
            action = DROPPED if name in ("x", "y") else f"{LOADED} ohne diesen Wert"
            report.append(ReportRow(row, _column(columns, name), f"'{value}' ist keine gültige Zahl{expected}", action))
        offers[name] = parsed.where(~bad)
        if name in ("x", "y"):  # a position that cannot be read is no position: the row goes (not to the Gemeinde centre)
            offers = offers[~bad]
    return offers


def _drop_duplicates(offers: pd.DataFrame, key: list[str], report: list[ReportRow]) -> pd.DataFrame:
    if not key:
        return offers
    keyed = pd.Series(["|".join(values).lower() for values in offers[key].itertuples(index=False)], index=offers.index, dtype=str)
    usable = (offers[key] != "").any(axis=1)
    duplicate = usable & keyed.duplicated(keep="first")
    first_row = dict(zip(keyed[usable & ~duplicate], offers.loc[usable & ~duplicate, "row"]))
    for row, k in zip(offers.loc[duplicate, "row"], keyed[duplicate]):
        report.append(ReportRow(row, "+".join(key), f"Dublette von Zeile {first_row[k]}", DROPPED))
    return offers[~duplicate]


def _check_details(offers: pd.DataFrame, report: list[ReportRow], columns: dict, public: bool) -> pd.DataFrame:
    """The finder's columns by their kind: a value that does not fit is reported and left out (a bad 'oeffentlich'
    makes the offer not public); empty 'oeffentlich' cells take the list's default."""
    offers = offers.copy()
    words = _metadata()["yes_no"]
    for name, rule in detail_rules().items():
        values = []
        for row, text in zip(offers["row"], offers[name]):
            checked = check_detail(text, rule, words, public)
            if checked.problem:
                report.append(ReportRow(row, _column(columns, name), checked.problem, checked.action))
            values.append(checked.value)
        offers[name] = pd.Series(values, index=offers.index, dtype=bool if rule["kind"] == "yes_no" else str)
    return offers
