"""One reader for every GENESIS export: Regionalstatistik, IT.NRW Landesdatenbank, Zensus database.

Two physical layouts exist, the classic table CSV and the flat file (ffcsv); everything that differs between
tables (header lines, where the period is, which column means which indicator) is metadata in
etl/metadata/genesis_tables.toml. The reader returns long records and never turns a marker into a number.
Two quirks beyond labels are metadata too: a column a table prints twice (`repeated_columns`, checked cell by
cell) and '-' printed where a value was not collected rather than zero (`dash_means_unknown`).
Whether a value may be negative is the indicator catalogue's word: a count (kind "count", a head count) never is,
a rate such as a Wanderungssaldo je 10.000 Einwohner may be.
"""
from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

from etl import keys
from etl.catalogue import load_catalogue
from etl.errors import EtlError
from etl.markers import UNKNOWN, ZERO, Cell, NotAValue, parse_cell
from etl.sources.text import AUTO, read_text, split_lines

METADATA_FILE = Path(__file__).resolve().parent.parent / "metadata" / "genesis_tables.toml"
FOOTER_MARK = "__________"
LEAD_FIELDS = ("period", "key", "name")  # any other lead column is a row dimension looked up in `codes`
SKIP = "!skip"
BUND = "bund"  # level of Germany's row (the key DG): reference values beside Kreis and Land
GERMANY_KEY = "DG"
RECORD_COLUMNS = [
    "level", "area_id", "name", "indicator_id", "year", "reference_date",
    "value", "status", "flag", "line", "column",
]  # fmt: skip

_TITLE_CODE = re.compile(r"^\ufeff?(?:GENESIS-)?Tabelle:\s*(?P<code>\S+)")
_DATE = re.compile(r"^(?:Stichtag:\s*)?(\d{2})\.(\d{2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YEAR = re.compile(r"^(?:Jahr:\s*)?(\d{4})$")


@dataclass
class GenesisTable:
    """What one export holds for the requested county."""

    table: str
    file: Path
    title: str
    publisher: str
    licence: str
    attribution: str
    stand: str | None
    encoding: str
    records: pd.DataFrame = field(repr=False)


@cache
def _counts() -> dict[str, str]:
    """Indicator id -> label of the head counts: a negative value there is a broken cell, never a value."""
    catalogue = load_catalogue()
    counts = catalogue[catalogue["kind"] == "count"]
    return dict(zip(counts["indicator_id"], counts["label"]))


@cache
def table_metadata() -> dict:
    return tomllib.loads(METADATA_FILE.read_text(encoding="utf-8"))


def known_tables() -> list[str]:
    return sorted(table_metadata()["tables"])


def parse_period(text: str) -> tuple[int, date | None] | None:
    """'31.12.2015', 'Stichtag: 31.12.2018' or '2015-12-31' -> (year, date); '2016' or 'Jahr: 2016' -> (2016, None)."""
    text = text.strip()
    for pattern, order in ((_DATE, (2, 1, 0)), (_ISO_DATE, (0, 1, 2))):
        if match := pattern.match(text):
            y, m, d = (int(match.group(i + 1)) for i in order)
            return y, date(y, m, d)
    if match := _YEAR.match(text):
        return int(match.group(1)), None
    return None


def read_genesis(path: Path, table: str, scope: str | tuple[str, ...], encoding: str = AUTO) -> GenesisTable:
    """Read one export and keep the rows in ``scope`` (a Kreis key, a Land key or "" for Germany, or several key
    prefixes): Gemeinden, Verbände and Kreis rows, the Land rows of the scope and the row of Germany ('DG', level
    'bund': the Bund reference value); Regierungsbezirke are left out."""
    meta = table_metadata()["tables"].get(table)
    if meta is None:
        raise EtlError(
            f"Tabelle '{table}' ist nicht beschrieben",
            file=path,
            expected="eine der Tabellen " + ", ".join(known_tables()),
            fix="Tabellencode in der Kreis-Konfiguration prüfen oder die Tabelle in "
            "etl/metadata/genesis_tables.toml beschreiben.",
        )
    text, used_encoding = read_text(path, encoding)
    publisher = table_metadata()["publishers"][meta["publisher"]]
    reader = _read_flat if meta["layout"] == "flat" else _read_classic
    records, stand, attribution = reader(path, text, table, meta, scope)
    return GenesisTable(
        table=table,
        file=path,
        title=meta["title"],
        publisher=publisher["name"],
        licence=publisher["licence"],
        attribution=attribution or publisher["attribution"],
        stand=stand,
        encoding=used_encoding,
        records=pd.DataFrame(records, columns=RECORD_COLUMNS),
    )


def _indicator_for(meta: dict, labels: dict[str, str], path: Path, lines: dict[str, int], column: str) -> str | None:
    """Fill the indicator template from the code lists; None for columns marked !skip.

    ``lines`` says in which line of the file each role's label stands, for the error message.
    """
    code_lists = table_metadata()["codes"]
    parts = {}
    for role, list_name in meta.get("codes", {}).items():
        label = labels.get(role, "")
        codes = code_lists[list_name]
        if label not in codes:
            raise EtlError(
                f"Unbekannte Spaltenbeschriftung '{label}' (Merkmal '{role}')",
                file=path,
                line=lines[role],
                column=column,
                expected=f"eine der Beschriftungen der Tabelle {meta.get('title', '')}: " + ", ".join(repr(c) for c in codes),
                fix="Prüfen, ob die Datei wirklich diese Tabelle ist (richtiger Tabellencode in der Konfiguration?).",
            )
        parts[role] = codes[label]
    if SKIP in parts.values():
        return None
    return meta["indicator"].format(**parts)


def _keep_row(path: Path, line: int, column: int | str, raw_key: str, name: str, scope: str | tuple[str, ...]) -> keys.AreaKey | None:
    """The row's area if it lies in the scope (one key prefix or several); None for other areas; error for
    malformed keys."""
    stripped = raw_key.strip()
    prefixes = (scope,) if isinstance(scope, str) else scope
    if stripped.isdigit() and not stripped.startswith(prefixes) and len(stripped) >= max(map(len, prefixes)):
        return None
    area = keys.parse_area_key(raw_key, name)
    if area is None:
        raise EtlError(
            f"'{raw_key}' ist kein Gebietsschlüssel",
            file=path,
            line=line,
            column=column,
            expected="AGS (8 Stellen), ARS (12), RLP-Schlüssel (10), Kreis (5) oder DG",
            fix="Datei auf verrutschte Spalten oder eingefügte Zeilen prüfen.",
        )
    if area.level == keys.HIGHER and area.id == GERMANY_KEY:
        return keys.AreaKey(BUND, GERMANY_KEY)  # Germany: the Bund reference value of every build
    return area if area.in_scope(scope) else None


def _footer_info(lines: list[str]) -> tuple[str | None, str | None]:
    stand = attribution = None
    for text in lines:
        clean = text.strip().strip('"').strip()
        if clean.startswith("Stand:"):
            stand = clean.removeprefix("Stand:").strip()
        elif clean.startswith("©") and attribution is None:
            attribution = clean.split(". Dieses Werk")[0].rstrip(".")
    return stand, attribution


def _read_classic(path: Path, text: str, table: str, meta: dict, scope: str):
    lines = split_lines(text)
    match = _TITLE_CODE.match(lines[0]) if lines else None
    if not match or match["code"] != table.removesuffix("-flat"):
        raise EtlError(
            f"Kopfzeile passt nicht zur Tabelle {table}: '{lines[0][:60] if lines else ''}'",
            file=path,
            line=1,
            expected=f"'GENESIS-Tabelle: {table}' oder 'Tabelle: {table}'",
            fix="Richtige Datei bzw. richtigen Tabellencode in der Kreis-Konfiguration angeben.",
        )
    footer_at = next((i for i, t in enumerate(lines) if t.startswith(FOOTER_MARK)), None)
    if footer_at is None:
        raise EtlError(
            "Fußzeile '__________' fehlt: Datei ist abgeschnitten oder kein GENESIS-Export",
            file=path,
            line=len(lines),
            expected="nach den Datenzeilen eine Zeile '__________' mit Quellenangaben",
            fix="Export vollständig neu herunterladen.",
        )
    stand, attribution = _footer_info(lines[footer_at:])
    rows = _rows_in_scope(lines[:footer_at], meta["lead_columns"].index("key"), scope)
    n_lead = len(meta["lead_columns"])

    def is_header(row: list[str] | None) -> bool:
        return row is not None and len(row) > n_lead and not any(c.strip() for c in row[:n_lead]) and any(c.strip() for c in row[n_lead:])

    first_header = next((i for i, row in enumerate(rows) if i > 0 and is_header(row)), None)
    if first_header is None:
        raise EtlError(
            "Keine Spaltenköpfe gefunden",
            file=path,
            line=2,
            expected=f"nach dem Titelblock {len(meta['header_roles'])} Kopfzeilen, die mit {';' * n_lead} beginnen",
            fix="Originalexport verwenden: die Kopfzeilen dürfen nicht gelöscht oder verändert werden.",
        )
    n_header = len(meta["header_roles"])
    header = rows[first_header : first_header + n_header]
    data_start = first_header + n_header
    if len(header) < n_header or not all(is_header(r) for r in header) or (data_start < len(rows) and is_header(rows[data_start])):
        found = sum(1 for _ in _takewhile(is_header, rows[first_header:]))
        raise EtlError(
            f"{found} Kopfzeilen gefunden, Tabelle {table} hat {n_header}",
            file=path,
            line=first_header + 1,
            expected=f"{n_header} Kopfzeilen ({', '.join(meta['header_roles'])})",
            fix="Richtige Tabelle in der Kreis-Konfiguration angeben oder Export ohne geänderte Auswahl wiederholen.",
        )
    width = len(header[0])
    title_period = _title_period(rows[:first_header]) if meta["period"] == "title" else None
    if meta["period"] == "title" and title_period is None:
        raise EtlError(
            "Stichtag/Jahr im Tabellenkopf nicht gefunden",
            file=path,
            expected=f"im Titelblock (Zeilen 2–{first_header}) eine Zeile wie '31.12.2015' oder 'Jahr: 2016'",
            fix="Originalexport verwenden: die Zeile mit Stichtag bzw. Jahr darf nicht gelöscht oder verändert werden.",
        )

    lead = {name: i for i, name in enumerate(meta["lead_columns"])}
    row_roles = [name for name in meta["lead_columns"] if name not in LEAD_FIELDS]  # e.g. Betreuungsart per row
    columns = []  # (index, labels, period, column name) for each value column
    repeats = []  # (index, index of the column it repeats, column name): checked per row, not read
    first_with_header: dict[tuple[str, ...], int] = {}
    role_lines = {role: first_header + i + 1 for i, role in enumerate(meta["header_roles"])}
    for j in range(n_lead, width):
        labels = {role: (row[j].strip() if j < len(row) else "") for role, row in zip(meta["header_roles"], header)}
        column_name = f"{j + 1} ({' / '.join(v for v in labels.values() if v)})"
        signature = tuple(row[j].strip() if j < len(row) else "" for row in header)
        if meta.get("repeated_columns") == "skip" and signature in first_with_header:
            repeats.append((j, first_with_header[signature], column_name))
            continue
        first_with_header.setdefault(signature, j)
        period = title_period
        if meta["period"] == "header":
            period = parse_period(labels["period"])
            if period is None:
                raise _unreadable_period(labels["period"], path, role_lines["period"], column_name, "TT.MM.JJJJ oder JJJJ")
        # without row dimensions a column's indicator is the same in every row: look it up once
        indicator = None if row_roles else _indicator_for(meta, labels, path, role_lines, column_name)
        if row_roles or indicator is not None:
            columns.append((j, labels, period, column_name, indicator))

    dash_unknown = set(meta.get("dash_means_unknown", ()))
    records = []
    for offset, row in enumerate(rows[data_start:]):
        line = data_start + offset + 1
        if row is None or not any(c.strip() for c in row):
            continue
        if len(row) != width:
            raise EtlError(
                f"Zeile hat {len(row)} Spalten statt {width}",
                file=path,
                line=line,
                expected=f"{width} durch ';' getrennte Felder wie in den Kopfzeilen",
                fix="Datei ist beschädigt oder abgeschnitten: Export neu herunterladen.",
            )
        area = _keep_row(path, line, lead["key"] + 1, row[lead["key"]], row[lead["name"]], scope)
        if area is None:
            continue
        row_period = None
        if meta["period"] == "column":
            row_period = parse_period(row[lead["period"]])
            if row_period is None:
                raise _unreadable_period(row[lead["period"]], path, line, lead["period"] + 1, "TT.MM.JJJJ oder JJJJ")
        for j, first, column_name in repeats:
            if row[j].strip() != row[first].strip():
                raise EtlError(
                    f"Spalte {column_name} wiederholt die Beschriftung von Spalte {first + 1}, aber mit anderem Wert "
                    f"('{row[j].strip()}' statt '{row[first].strip()}')",
                    file=path,
                    line=line,
                    column=column_name,
                    expected="in einer wiederholten Spalte dieselben Werte wie in der ersten Spalte mit dieser Beschriftung",
                    fix="Originalexport verwenden oder prüfen, ob die Datei wirklich diese Tabelle ist.",
                )
        name = row[lead["name"]].strip()
        row_labels = {role: row[lead[role]].strip() for role in row_roles}
        for j, labels, period, column_name, indicator in columns:
            if row_roles:
                indicator = _indicator_for(meta, labels | row_labels, path, role_lines | dict.fromkeys(row_labels, line), column_name)
            if indicator is None:
                continue
            year, ref = row_period or period
            cell = _parse_value(row[j], path, line, column_name, indicator)
            if cell.status == ZERO and indicator in dash_unknown:  # '-' where the table has no value, not a zero
                cell = Cell(None, UNKNOWN)
            records.append((area.level, area.id, name, indicator, year, ref, cell.value, cell.status, cell.flag, line, column_name))
    return records, stand, attribution


def _rows_in_scope(lines: list[str], key_at: int, scope: str | tuple[str, ...]) -> list[list[str] | None]:
    """The lines as CSV rows, one per line; a data line whose key lies plainly outside the scope is None, unparsed
    (a Kreis build reads a national file of 14,000 lines for its few hundred)."""
    prefixes = (scope,) if isinstance(scope, str) else scope
    longest = max(map(len, prefixes))

    def outside(line: str) -> bool:
        if '"' in line:
            return False
        fields = line.split(";", key_at + 1)
        key = fields[key_at].strip() if len(fields) > key_at else ""
        return key.isdigit() and len(key) >= longest and not key.startswith(prefixes)

    keep = [i for i, line in enumerate(lines) if not outside(line)]
    rows: list[list[str] | None] = [None] * len(lines)
    for i, row in zip(keep, csv.reader([lines[i] for i in keep], delimiter=";")):
        rows[i] = row
    return rows


def _takewhile(predicate, rows):
    for row in rows:
        if not predicate(row):
            return
        yield row


def _title_period(title_rows: list[list[str]]) -> tuple[int, date | None] | None:
    for row in title_rows:
        if row and (period := parse_period(row[0])):
            return period
    return None


_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")


def _unreadable_period(raw: str, path: Path, line: int, column: int | str, expected: str) -> EtlError:
    return EtlError(
        f"Zeitangabe '{raw}' nicht lesbar",
        file=path,
        line=line,
        column=column,
        expected=expected,
        fix="Originalexport verwenden: Stichtag bzw. Jahr steht dort in jeder Zeile bzw. Spalte; "
        "ein GENESIS-Zeichen wie '.' oder '12p' gehört nur in Wertzellen.",
    )


def _parse_value(raw: str, path: Path, line: int, column: str, indicator: str | None) -> Cell:
    try:
        cell = parse_cell(raw)
    except NotAValue:
        if _THOUSANDS.match(raw.strip()):
            raise EtlError(
                f"Wert '{raw}' enthält einen Tausenderpunkt",
                file=path,
                line=line,
                column=column,
                expected="Zahl ohne Tausendertrennzeichen, Dezimalkomma (z. B. 1234 oder 1234,5)",
                fix="Originalexport verwenden; beim Speichern aus Excel das Zahlenformat ohne Tausenderpunkt wählen.",
            ) from None
        raise EtlError(
            f"Wert '{raw}' ist weder Zahl noch GENESIS-Zeichen",
            file=path,
            line=line,
            column=column,
            expected="Zahl mit Dezimalkomma (z. B. 1234 oder 12,5) oder eines der Zeichen - . x / ...",
            fix="Zelle korrigieren; fehlende Werte mit '.' kennzeichnen statt leer zu lassen oder Text einzutragen.",
        ) from None
    if cell.value is not None and cell.value < 0 and indicator in _counts():
        raise EtlError(
            f"Wert '{raw.strip()}' ist negativ, aber eine Anzahl ({_counts()[indicator]}) kann nicht negativ sein",
            file=path,
            line=line,
            column=column,
            expected="eine Zahl ab 0 oder eines der Zeichen - . x / ...",
            fix="Zelle mit dem Originalexport vergleichen und korrigieren: ein Minus vor einer Anzahl ist ein Tipp- oder "
            "Exportfehler ('-' allein heißt genau null).",
        )
    most = table_metadata()["plausibility"]["max_count"]
    if cell.value is not None and cell.value > most and indicator in _counts():
        raise EtlError(
            f"Wert '{raw.strip()}' ist für eine Anzahl ({_counts()[indicator]}) unplausibel groß",
            file=path,
            line=line,
            column=column,
            expected=f"eine Anzahl von 0 bis {most:,}".replace(",", ".") + " (plausibility.max_count in etl/metadata/genesis_tables.toml)",
            fix="Zelle mit dem Originalexport vergleichen und korrigieren.",
        )
    return cell


def _read_flat(path: Path, text: str, table: str, meta: dict, scope: str):
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    dimension_columns = meta.get("dimension_columns", {})
    required = [meta["key_column"], meta["name_column"], meta["time_column"], meta["value_column"], "statistics_code", *dimension_columns.values()]
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise EtlError(
            f"Spalten fehlen: {', '.join(missing)}",
            file=path,
            line=1,
            expected="Kopfzeile einer GENESIS-Flat-CSV (ffcsv) mit " + ", ".join(required),
            fix="Beim Export das Format „Flat-CSV“ wählen oder den Tabellencode prüfen.",
        )
    records = []
    for row in reader:
        line = reader.line_num
        if row["statistics_code"] != meta["statistics_code"]:
            raise EtlError(
                f"Statistik '{row['statistics_code']}' passt nicht zur Tabelle {table}",
                file=path, line=line, column="statistics_code", expected=meta["statistics_code"],
                fix="Richtige Datei bzw. richtigen Tabellencode in der Kreis-Konfiguration angeben.",
            )  # fmt: skip
        if None in row or any(v is None for v in row.values()):
            raise EtlError("Zeile hat nicht so viele Felder wie die Kopfzeile", file=path, line=line,
                           expected="so viele durch ';' getrennte Felder wie die Kopfzeile", fix="Datei neu exportieren.")  # fmt: skip
        area = _keep_row(path, line, meta["key_column"], row[meta["key_column"]], row[meta["name_column"]], scope)
        if area is None:
            continue
        labels = {role: row[col].strip() for role, col in dimension_columns.items()}
        indicator = _indicator_for(meta, labels, path, dict.fromkeys(labels, line), ", ".join(dimension_columns.values()))
        period = parse_period(row[meta["time_column"]])
        if period is None:
            raise _unreadable_period(row[meta["time_column"]], path, line, meta["time_column"], "JJJJ-MM-TT oder JJJJ")
        cell = _parse_value(row[meta["value_column"]], path, line, meta["value_column"], indicator)
        if indicator is not None:
            records.append((area.level, area.id, row[meta["name_column"]].strip(), indicator, *period, cell.value, cell.status, cell.flag, line, meta["value_column"]))
    return records, None, None
