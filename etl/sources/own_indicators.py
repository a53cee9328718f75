"""The county's own indicator tables: the Excel template the app offers (etl/own_indicator_template.py).

Sheet "Metadaten": one row per indicator – id, Bezeichnung, Einheit, Definition, Polarität, Quelle, Lizenz,
Handlungsfeld (all required), optionally Art (Quote | Anzahl), je (the factor of a rate, 100 for %) and
Nachkommastellen. Sheet "Werte": one row per indicator, area and year – Indikator (the id), Gebietsschlüssel, Jahr,
Wert, optionally Zähler and Nenner.

Rules a planner can check: an id is new (not in the catalogue, not twice); every indicator names its licence;
every value row names an indicator of the sheet "Metadaten", an area of the Kreis (Gemeinde, Verbandsgemeinde,
Sozialraum or the Kreis itself, as listed in the sheet "Gebiete" of the template) and a year between 1990 and this
year; a value is a number; Zähler and Nenner come together, the Zähler is not larger than the Nenner, and a value
given with both fits them. Every problem is listed with sheet, row and column; a table with a problem is not
loaded at all (a half-loaded table would show wrong gaps), so the previous database stays as it was.
"""
from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd

from etl.errors import EtlError
from etl.sources.text import require_file

VALUES_SHEET, META_SHEET, AREAS_SHEET = "Werte", "Metadaten", "Gebiete"
FIRST_YEAR = 1990
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
POLARITIES = {
    "höher ist besser": "higher_is_better", "hoeher ist besser": "higher_is_better", "higher_is_better": "higher_is_better",
    "höher ist schlechter": "higher_is_worse", "hoeher ist schlechter": "higher_is_worse", "higher_is_worse": "higher_is_worse",
    "neutral": "neutral",
}  # fmt: skip
KINDS = {"quote": "rate", "anzahl": "count"}
# header text (lower case, without spaces/underscores) -> field; the template writes the first German name
META_COLUMNS = {
    "id": "id", "indikator": "id", "bezeichnung": "label", "label": "label", "einheit": "unit", "unit": "unit",
    "definition": "definition", "polarität": "polarity", "polaritaet": "polarity", "polarity": "polarity",
    "quelle": "source", "source": "source", "lizenz": "licence", "licence": "licence", "license": "licence",
    "handlungsfeld": "topic", "topic": "topic", "art": "kind", "je": "per", "nachkommastellen": "decimals",
}  # fmt: skip
VALUE_COLUMNS = {
    "indikator": "indicator", "id": "indicator", "gebietsschlüssel": "area", "gebietsschluessel": "area", "schlüssel": "area",
    "ags": "area", "areaid": "area", "gebiet": "area_name", "jahr": "year", "wert": "value", "zähler": "numerator",
    "zaehler": "numerator", "nenner": "denominator",
}  # fmt: skip
META_REQUIRED = ("id", "label", "unit", "definition", "polarity", "source", "licence", "topic")
VALUES_REQUIRED = ("indicator", "area", "year", "value")
GERMAN = {
    "id": "id", "label": "Bezeichnung", "unit": "Einheit", "definition": "Definition", "polarity": "Polarität",
    "source": "Quelle", "licence": "Lizenz", "topic": "Handlungsfeld", "kind": "Art", "per": "je",
    "decimals": "Nachkommastellen", "indicator": "Indikator", "area": "Gebietsschlüssel", "area_name": "Gebiet",
    "year": "Jahr", "value": "Wert", "numerator": "Zähler", "denominator": "Nenner",
}  # fmt: skip
FIX_HINT = {
    "licence": "Lizenz der Daten eintragen, z. B. „dl-de/by-2-0“ oder „nur für die interne Planung“.",
    "source": "Wer die Zahlen erhebt, z. B. „Kreisverwaltung, Jugendamt: Fallstatistik“.",
}


@dataclass
class Problem:
    """One thing wrong in the file, where it is and what would be right."""

    sheet: str
    row: int | None
    column: str | None
    problem: str
    expected: str = ""
    fix: str = ""

    def error(self, file: str) -> EtlError:
        return EtlError(self.problem, file=f"{file}, Blatt „{self.sheet}“", line=self.row, column=self.column,
                        expected=self.expected or None, fix=self.fix or None)  # fmt: skip


@dataclass
class OwnIndicatorTable:
    """What one template holds: the indicators (catalogue rows) and their values as given, plus every problem."""

    file: Path
    indicators: pd.DataFrame  # catalogue columns (etl.catalogue.COLUMNS) with topic = Handlungsfeld
    values: pd.DataFrame  # indicator_id, area_id, year, value, numerator, denominator, row
    problems: list[Problem] = field(default_factory=list)

    def raise_for_problems(self) -> None:
        """Stop with the first problem (and how many more there are): nothing of a faulty table is loaded."""
        if self.problems:
            error = self.problems[0].error(self.file.name)
            if len(self.problems) > 1:
                error.problem += f" (und {len(self.problems) - 1} weitere Probleme in dieser Datei)"
            raise error


def _key(text: object) -> str:
    return re.sub(r"[\s_]", "", str(text or "").strip().lower())


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet_rows(book, name: str, file: Path, columns: dict[str, str], required: tuple[str, ...]) -> list[tuple[int, dict]]:
    """(row number, {field: cell}) of the non-empty rows below the header; a missing sheet or column stops here."""
    if name not in book.sheetnames:
        raise EtlError(
            f"Blatt „{name}“ fehlt (vorhanden: {', '.join(book.sheetnames)})",
            file=file,
            expected=f"die Blätter „{META_SHEET}“ und „{VALUES_SHEET}“ der Vorlage",
            fix="Die Vorlage „Eigene Indikatoren“ aus der App (Seite Daten) herunterladen und die Zahlen dort eintragen.",
        )
    rows = list(book[name].iter_rows(values_only=True))
    header = [columns.get(_key(h)) for h in (rows[0] if rows else [])]
    missing = [GERMAN[f] for f in required if f not in header]
    if missing:
        raise EtlError(
            f"Spalten {', '.join(missing)} fehlen",
            file=f"{file.name}, Blatt „{name}“",
            line=1,
            expected="Kopfzeile " + ", ".join(GERMAN[f] for f in required),
            fix="Kopfzeile wie in der Vorlage lassen (Seite Daten → Vorlage herunterladen).",
        )
    out = []
    for number, cells in enumerate(rows[1:], start=2):
        record = {f: cells[i] for i, f in enumerate(header) if f and i < len(cells) and f not in ()}
        if any(_cell_text(v) for v in record.values()):
            out.append((number, record))
    return out


def _number(value: object) -> float | None:
    """A finite number from a cell (German '12,5' or '1.234,5' as text too); None if it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    text = _cell_text(value).replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", text):
        text = text.replace(".", "")
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def read_own_indicators(path: Path, known_ids: set[str] | frozenset[str] = frozenset(), topics: tuple[str, ...] = ()) -> OwnIndicatorTable:
    """Read a filled template; ``known_ids`` are the ids already taken (the catalogue, other tables),
    ``topics`` the Handlungsfelder allowed. Only an unreadable file raises; every other problem is collected."""
    require_file(path, "Tabelle eigener Indikatoren")
    try:
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is no xlsx  # noqa: BLE001
        raise EtlError(
            f"Datei ist keine lesbare Excel-Datei (.xlsx): {type(exc).__name__}",
            file=path,
            expected="die Vorlage „Eigene Indikatoren“ als .xlsx",
            fix="In Excel „Speichern unter → Excel-Arbeitsmappe (.xlsx)“ wählen.",
        ) from exc
    try:
        meta_rows = _sheet_rows(book, META_SHEET, path, META_COLUMNS, META_REQUIRED)
        value_rows = _sheet_rows(book, VALUES_SHEET, path, VALUE_COLUMNS, VALUES_REQUIRED)
    finally:
        book.close()
    problems: list[Problem] = []
    indicators = _indicators(meta_rows, known_ids, topics, problems)
    described = {_cell_text(cells.get("id")) for _, cells in meta_rows}
    values = _values(value_rows, indicators, described, problems)
    return OwnIndicatorTable(path, indicators, values, problems)


def _indicators(rows: list[tuple[int, dict]], known_ids, topics: tuple[str, ...], problems: list[Problem]) -> pd.DataFrame:
    from etl.catalogue import COLUMNS  # the catalogue's columns, so own indicators join it as rows

    topic_by_key = {t.lower(): t for t in topics}
    seen: dict[str, int] = {}
    out = []
    for number, cells in rows:
        text = {f: _cell_text(cells.get(f)) for f in GERMAN}
        here = len(problems)
        for name in META_REQUIRED:
            if not text[name]:
                problems.append(Problem(META_SHEET, number, GERMAN[name], f"{GERMAN[name]} fehlt",
                                        f"ein Eintrag in „{GERMAN[name]}“", FIX_HINT.get(name, f"{GERMAN[name]} eintragen.")))  # fmt: skip
        ident = text["id"]
        if ident and not ID_PATTERN.match(ident):
            problems.append(Problem(META_SHEET, number, "id", f"id „{ident}“ ist ungültig",
                                    "2–40 Zeichen: Kleinbuchstaben a–z, Ziffern und _, am Anfang ein Buchstabe",
                                    f"z. B. „{_suggest_id(ident)}“"))  # fmt: skip
        elif ident in known_ids:
            problems.append(Problem(META_SHEET, number, "id", f"id „{ident}“ gibt es schon im Indikatorenkatalog",
                                    "eine neue id, die kein anderer Indikator trägt", f"z. B. „kreis_{ident}“ wählen."))  # fmt: skip
        elif ident in seen:
            problems.append(Problem(META_SHEET, number, "id", f"id „{ident}“ steht doppelt (auch Zeile {seen[ident]})",
                                    "jede id nur einmal", "Zweite Zeile löschen oder umbenennen."))  # fmt: skip
        polarity = POLARITIES.get(text["polarity"].lower())
        if text["polarity"] and polarity is None:
            problems.append(Problem(META_SHEET, number, "Polarität", f"Polarität „{text['polarity']}“ ist unbekannt",
                                    "„höher ist besser“, „höher ist schlechter“ oder „neutral“", "Einen der drei Einträge wählen."))  # fmt: skip
        topic = topic_by_key.get(text["topic"].lower(), text["topic"] if not topics else None)
        if text["topic"] and topic is None:
            problems.append(Problem(META_SHEET, number, "Handlungsfeld", f"Handlungsfeld „{text['topic']}“ ist unbekannt",
                                    "eines von: " + ", ".join(topics), "Handlungsfeld aus der Liste wählen."))  # fmt: skip
        kind = KINDS.get(text["kind"].lower() or "quote")
        if kind is None:
            problems.append(Problem(META_SHEET, number, "Art", f"Art „{text['kind']}“ ist unbekannt",
                                    "„Quote“ (Anteil, Rate, Mittelwert) oder „Anzahl“ (Personen, Fälle)", "Art leer lassen oder Quote/Anzahl eintragen."))  # fmt: skip
        per = _number(cells.get("per")) if text["per"] else (100.0 if "%" in text["unit"] else 1.0)
        decimals = _number(cells.get("decimals")) if text["decimals"] else (0.0 if kind == "count" else 1.0)
        for name, value, ok in (("per", per, per is not None and per > 0), ("decimals", decimals, decimals is not None and decimals in range(0, 5))):
            if not ok:
                problems.append(Problem(META_SHEET, number, GERMAN[name], f"{GERMAN[name]} „{text[name]}“ ist ungültig",
                                        "eine Zahl über 0 (z. B. 100 für Prozent, 1000 für je 1.000)" if name == "per" else "eine ganze Zahl von 0 bis 4",
                                        f"{GERMAN[name]} korrigieren oder leer lassen."))  # fmt: skip
        if ident and ident not in seen:
            seen[ident] = number
        if len(problems) > here:
            continue
        out.append({
            "indicator_id": ident, "label": text["label"], "unit": text["unit"], "kind": kind, "topic": topic,
            "polarity": polarity, "definition": text["definition"], "source": text["source"], "licence": text["licence"],
            "vintage": "", "sum_of": [], "numerator": [], "denominator": [], "per": float(per), "listed": True,
            "decimals": int(decimals), "position": 0, "suppress_small": False, "conversion": "population", "row": number,
        })  # fmt: skip
    return pd.DataFrame(out, columns=[*COLUMNS, "row"])


def _suggest_id(text: str) -> str:
    plain = text.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    plain = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")
    return plain if ID_PATTERN.match(plain) else "kreis_" + (plain or "indikator")[:30]


def _values(rows: list[tuple[int, dict]], indicators: pd.DataFrame, described: set[str], problems: list[Problem]) -> pd.DataFrame:
    """The value rows; those of an indicator whose Metadaten row has a problem are not checked again (its problem
    is listed once, and the table does not load until it is fixed)."""
    kinds = dict(zip(indicators["indicator_id"], indicators["kind"]))
    pers = dict(zip(indicators["indicator_id"], indicators["per"]))
    this_year = date.today().year
    seen: dict[tuple, int] = {}
    out = []
    for number, cells in rows:
        here = len(problems)
        ident = _cell_text(cells.get("indicator"))
        if ident in described and ident not in kinds:
            continue
        if ident not in kinds:
            problems.append(Problem(VALUES_SHEET, number, "Indikator",
                                    f"Indikator „{ident}“ steht nicht im Blatt „{META_SHEET}“" if ident else "Indikator fehlt",
                                    f"eine id aus dem Blatt „{META_SHEET}“" + (f": {', '.join(kinds)}" if kinds else ""),
                                    "id korrigieren oder den Indikator im Blatt „Metadaten“ beschreiben."))  # fmt: skip
        area = cells.get("area")
        area_text = str(int(area)) if isinstance(area, float | int) and not isinstance(area, bool) and float(area).is_integer() else _cell_text(area)
        if not area_text:
            problems.append(Problem(VALUES_SHEET, number, "Gebietsschlüssel", "Gebietsschlüssel fehlt",
                                    "ein Schlüssel aus dem Blatt „Gebiete“", "Schlüssel eintragen."))  # fmt: skip
        year_number = _number(cells.get("year"))
        year = int(year_number) if year_number is not None and year_number.is_integer() else None
        if year is None or not FIRST_YEAR <= year <= this_year:
            problems.append(Problem(VALUES_SHEET, number, "Jahr", f"Jahr „{_cell_text(cells.get('year'))}“ ist ungültig",
                                    f"ein Jahr von {FIRST_YEAR} bis {this_year} als Zahl, z. B. {this_year - 1}",
                                    "Das Jahr des Stichtags eintragen (bei Schuljahren 2023/24 das erste Jahr: 2023)."))  # fmt: skip
        value, numerator, denominator = (_cell_value(cells, name, number, problems) for name in ("value", "numerator", "denominator"))
        _check_rate(ident, kinds.get(ident), pers.get(ident, 1.0), cells, number, value, numerator, denominator, problems)
        if value is None and numerator is not None and denominator:
            value = numerator / denominator * pers.get(ident, 1.0)
        if len(problems) == here and value is None:
            problems.append(Problem(VALUES_SHEET, number, "Wert", "Wert fehlt", "eine Zahl (oder Zähler und Nenner)",
                                    "Wert eintragen oder die Zeile löschen."))  # fmt: skip
        key = (ident, area_text, year)
        if len(problems) == here and key in seen:
            problems.append(Problem(VALUES_SHEET, number, "Gebietsschlüssel",
                                    f"{ident}, {area_text}, {year} steht doppelt (auch Zeile {seen[key]})",
                                    "je Indikator, Gebiet und Jahr eine Zeile", "Eine der Zeilen löschen."))  # fmt: skip
        seen.setdefault(key, number)
        if len(problems) == here:
            out.append({"indicator_id": ident, "area_id": area_text, "year": year, "value": value,
                        "numerator": numerator, "denominator": denominator, "row": number})  # fmt: skip
    return pd.DataFrame(out, columns=["indicator_id", "area_id", "year", "value", "numerator", "denominator", "row"])


def _cell_value(cells: dict, name: str, number: int, problems: list[Problem]) -> float | None:
    raw = cells.get(name)
    if not _cell_text(raw):
        return None
    value = _number(raw)
    if value is None:
        problems.append(Problem(VALUES_SHEET, number, GERMAN[name], f"„{_cell_text(raw)}“ ist keine Zahl",
                                "eine Zahl wie 12,5 (ohne Einheit, ohne Text)",
                                "Nur die Zahl eintragen; fehlende Werte: Zeile löschen."))  # fmt: skip
    return value


def _check_rate(ident, kind, per, cells, number, value, numerator, denominator, problems) -> None:
    """Zähler and Nenner together, Zähler ≤ Nenner, and a value that fits them."""
    given = [n for n in ("numerator", "denominator") if _cell_text(cells.get(n))]
    if not given:
        return
    if kind == "count":
        problems.append(Problem(VALUES_SHEET, number, GERMAN[given[0]], f"{ident} ist eine Anzahl: Zähler und Nenner passen nicht dazu",
                                "Zähler und Nenner nur bei Art „Quote“", "Zähler/Nenner leeren oder im Blatt „Metadaten“ Art = Quote setzen."))  # fmt: skip
        return
    if len(given) == 1:
        missing = "Nenner" if given == ["numerator"] else "Zähler"
        problems.append(Problem(VALUES_SHEET, number, missing, f"{missing} fehlt", "Zähler und Nenner zusammen (oder beide leer)",
                                f"{missing} eintragen oder beide leeren."))  # fmt: skip
        return
    if numerator is None or denominator is None:
        return  # not a number: reported already
    if numerator < 0 or denominator <= 0:
        problems.append(Problem(VALUES_SHEET, number, "Nenner" if denominator <= 0 else "Zähler", "Zähler unter 0 oder Nenner nicht über 0",
                                "Zähler ab 0, Nenner über 0", "Zahlen prüfen."))  # fmt: skip
    elif numerator > denominator:
        problems.append(Problem(VALUES_SHEET, number, "Zähler", f"Zähler {numerator:g} ist größer als der Nenner {denominator:g}",
                                "Zähler (Teilmenge) höchstens so groß wie der Nenner (Gesamtheit)",
                                "Zähler und Nenner vertauscht? Spalten prüfen."))  # fmt: skip
    elif value is not None and not math.isclose(value, numerator / denominator * per, rel_tol=0.01, abs_tol=0.05):
        problems.append(Problem(VALUES_SHEET, number, "Wert", f"Wert {value:g} passt nicht zu Zähler/Nenner × {per:g} = "
                                f"{numerator / denominator * per:.4g}", "Wert = Zähler ÷ Nenner × je (Blatt „Metadaten“)",
                                "Wert leer lassen (er wird dann berechnet) oder Zähler, Nenner bzw. „je“ korrigieren."))  # fmt: skip


def check_areas(table: OwnIndicatorTable, areas: pd.DataFrame, kreis_id: str) -> None:
    """Every Gebietsschlüssel must be an area of the Kreis (not a Land); a number that lost its leading zero in
    Excel (7235001 for 07235001) is taken with it. Problems are added to ``table.problems``."""
    prefix = "" if kreis_id == "DE" else kreis_id  # a config for a Land or all of Germany: every Kreis in it
    mine = areas[(areas["kreis_id"].fillna("").str.startswith(prefix) & (areas["level"] != "land")) | (areas["area_id"] == kreis_id)]
    known = set(mine["area_id"])
    fixed = []
    for row in table.values.itertuples():
        key = row.area_id if row.area_id in known else "0" + row.area_id if "0" + row.area_id in known else None
        if key is None:
            table.problems.append(Problem(VALUES_SHEET, row.row, "Gebietsschlüssel", f"„{row.area_id}“ ist kein Gebiet des Kreises {kreis_id}",
                                          "ein Schlüssel aus dem Blatt „Gebiete“ (Gemeinde 8-stellig, Verbandsgemeinde, Sozialraum, Kreis)",
                                          "Schlüssel als Text eintragen (führende Null!) oder die Zeile löschen."))  # fmt: skip
        fixed.append(key)
    table.values = table.values.assign(area_id=fixed).dropna(subset=["area_id"])
