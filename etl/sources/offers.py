"""One reader for offer lists (CSV or Excel): the county's own lists, the NRW school directory, scraped
school lists. Which column feeds which field is metadata (etl/metadata/offer_formats.toml).

Row problems do not stop the import: each is written to the import report with row, column, what is wrong
and what happened to the row; valid rows still load. A file that cannot be read at all (missing, wrong
format, required columns absent) stops the build with an EtlError.
"""
from __future__ import annotations

import io
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from etl.errors import EtlError
from etl.offers_taxonomy import offer_types, type_by_label
from etl.sources.text import AUTO, read_text, require_file

FORMATS_FILE = Path(__file__).resolve().parent.parent / "metadata" / "offer_formats.toml"
FIELDS = [
    "source_id", "name", "angebotsart", "traeger", "strasse", "plz", "ort", "gemeinde_ags", "x", "y", "crs",
    "kapazitaet", "alter_von", "alter_bis", "gueltig_ab", "gueltig_bis",
]  # fmt: skip
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
    offers: pd.DataFrame  # FIELDS + row + offer_type
    report: list[ReportRow] = field(default_factory=list)


@cache
def offer_formats() -> dict:
    return tomllib.loads(FORMATS_FILE.read_text(encoding="utf-8"))["formats"]


def read_offer_list(path: Path, format_name: str, encoding: str = AUTO) -> OfferList:
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
    raw, first_row = _read_table(path, meta, encoding)
    columns = meta["columns"]
    wanted = {c for v in columns.values() for c in ([v] if isinstance(v, str) else v)}
    missing = sorted(c for f, v in columns.items() for c in ([v] if isinstance(v, str) else v) if f in REQUIRED and c not in raw.columns)
    if missing:
        raise EtlError(
            f"Spalten {', '.join(missing)} fehlen",
            file=path,
            line=first_row - 1,
            expected=f"Kopfzeile mit den Spalten des Formats '{format_name}': " + ", ".join(sorted(wanted)),
            fix="Spalten wie in der Vorlage benennen (docs/OFFERS.md) oder das passende Format angeben.",
        )
    offers = pd.DataFrame({f: _field(raw, columns.get(f)) for f in FIELDS})
    offers["row"] = range(first_row, first_row + len(offers))
    if "crs" not in columns:
        offers["crs"] = meta.get("crs", "EPSG:4326")
    report: list[ReportRow] = []
    offers = _map_types(offers, meta, report, str(columns["angebotsart"]))
    offers = _parse_numbers(offers, report, columns)
    offers = _drop_duplicates(offers, meta.get("duplicate_key", []), report)
    missing_name = offers["name"] == ""
    for row in offers[missing_name].itertuples():
        report.append(ReportRow(row.row, _column(columns, "name"), "Name fehlt", f"{LOADED} als „(ohne Namen)“"))
    offers.loc[missing_name, "name"] = "(ohne Namen)"
    return OfferList(path, format_name, meta["title"], meta.get("attribution"), offers.reset_index(drop=True), report)


def _column(columns: dict, name: str) -> str | None:
    value = columns.get(name)
    return value if isinstance(value, str) or value is None else "+".join(value)


def _field(raw: pd.DataFrame, source: str | list[str] | None) -> pd.Series:
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
    return cleaned.where(~cleaned.str.lower().isin(_NULLS), "")


def _read_table(path: Path, meta: dict, encoding: str) -> tuple[pd.DataFrame, int]:
    """All cells as text; returns the frame and the file row number of its first data row."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_excel(path), 2
    text, _ = read_text(path, encoding)
    lines = text.splitlines()
    skipped = 0
    while skipped < len(lines) and any(lines[skipped].startswith(p) for p in meta.get("skip_prefix_lines", [])):
        skipped += 1
    body = "\n".join(lines[skipped:])
    header = lines[skipped] if skipped < len(lines) else ""
    # the header's most frequent candidate; a header without any is one column, and the mapping says what is missing
    delimiter = max(";,\t", key=header.count)
    frame = pd.read_csv(io.StringIO(body), sep=delimiter, dtype=str, keep_default_na=False, quotechar='"')
    frame = frame.loc[:, [c for c in frame.columns if c and not c.startswith("Unnamed:")]]
    return frame, skipped + 2


def _read_excel(path: Path) -> pd.DataFrame:
    """First sheet as text. Formulas count with the value Excel stored; a formula without one is empty."""
    try:
        frame = pd.read_excel(path, dtype=str, engine="openpyxl", keep_default_na=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise EtlError(f"Excel-Datei lässt sich nicht lesen: {exc}", file=path, expected="eine .xlsx-Datei",
                       fix="In Excel öffnen und erneut als .xlsx speichern.") from exc  # fmt: skip
    return frame.loc[:, [c for c in frame.columns if not str(c).startswith("Unnamed:")]]


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
    try:
        return float(text.replace(",", ".")) if text else None
    except ValueError:
        return None


def _parse_numbers(offers: pd.DataFrame, report: list[ReportRow], columns: dict) -> pd.DataFrame:
    offers = offers.copy()
    for name in ("x", "y", "kapazitaet", "alter_von", "alter_bis"):
        parsed = offers[name].map(_number)
        bad = (offers[name] != "") & parsed.isna()
        negative = parsed < 0
        for row, value in offers.loc[bad | negative, ["row", name]].itertuples(index=False):
            action = DROPPED if name in ("x", "y") else f"{LOADED} ohne diesen Wert"
            report.append(ReportRow(row, _column(columns, name), f"'{value}' ist keine gültige Zahl", action))
        offers[name] = parsed.where(~negative)
        if name in ("x", "y"):
            offers = offers[~bad]
    return offers


def _drop_duplicates(offers: pd.DataFrame, key: list[str], report: list[ReportRow]) -> pd.DataFrame:
    if not key:
        return offers
    keyed = offers[key].apply(lambda r: "|".join(r.astype(str).str.lower()), axis=1)
    usable = keyed.str.replace("|", "", regex=False) != ""
    duplicate = usable & keyed.duplicated(keep="first")
    first_row = dict(zip(keyed[usable & ~duplicate], offers.loc[usable & ~duplicate, "row"]))
    for row, k in zip(offers.loc[duplicate, "row"], keyed[duplicate]):
        report.append(ReportRow(row, "+".join(key), f"Dublette von Zeile {first_row[k]}", DROPPED))
    return offers[~duplicate]
