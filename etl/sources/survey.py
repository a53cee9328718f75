"""A family survey as a workbook: sheet "Ergebnisse" (the answers) and sheet "Fragen" (what was asked and how).

Sheet "Fragen": one row per question – Frage (the question's id), Fragetext, Antwortkategorien (each category's
wording, separated by ";", optionally with a code: "1 = sehr zufrieden; 2 = eher zufrieden; …"), Anteil (the
category or categories that count for the share: codes or wordings, separated by ";"), Polarität, Handlungsfeld,
Feldzeit (e.g. "04.09.2023–10.11.2023": the last year named is the year of the values), Stichprobe (sample size),
Gewichtung ("ungewichtet" or how the answers were weighted), Quelle, Lizenz; optionally Bezeichnung (a short label
for pickers; default the question text) and Typ ("geschlossen", the default, or "offen" for free-text questions).

Sheet "Ergebnisse" in one of two forms:
- aggregated: Gebietsschlüssel, Frage, Antwort (category), Anzahl, Basis – one row per area, question and answer
  category; Basis = the respondents in that area who answered the question (the same on every category row);
- one row per answer: Befragte (respondent id), Gebietsschlüssel, Frage, Antwort – the reader counts: Basis = the
  respondents in the area who gave an answer of the question's categories, Anzahl = those of them who gave a counted one.

The sheet "Ergebnisse" may also come as a CSV file of its own (config ``results``; `;`, `,` or tab separated, as
Excel or a survey tool saves it): then its problems name that file and its line instead of the sheet.

Rules a planner can check: the share of a question in an area is Anzahl of the counted categories ÷ Basis. Answers
to an open question, and answers in a closed question that are none of its categories (free text), are not
imported: the rows are reported as skipped (without their text, which may name people), never silently lost. Every
other problem (question not described in "Fragen", a question twice, missing licence or field period, a negative
number, Anzahl above Basis, a key that is no area of the Kreis) is listed with sheet, row and column; a survey with
a problem is not loaded at all.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

from etl.errors import EtlError
from etl.sources.own_indicators import POLARITIES, Problem
from etl.sources.own_indicators import _cell_text as cell_text
from etl.sources.own_indicators import _key as header_key
from etl.sources.own_indicators import _number as number
from etl.sources.text import read_text, require_file

RESULTS_SHEET, QUESTIONS_SHEET = "Ergebnisse", "Fragen"
OPEN_TYPES = {"offen", "freitext", "open"}
CLOSED_TYPES = {"", "geschlossen", "closed"}
QUESTION_COLUMNS = {
    "frage": "question", "frageid": "question", "id": "question", "fragetext": "text", "text": "text",
    "bezeichnung": "label", "typ": "type", "antwortkategorien": "categories", "kategorien": "categories",
    "anteil": "counted", "zähltalsanteil": "counted", "zaehltalsanteil": "counted", "polarität": "polarity",
    "polaritaet": "polarity", "handlungsfeld": "topic", "feldzeit": "field_period", "stichprobe": "sample",
    "stichprobengröße": "sample", "gewichtung": "weighting", "quelle": "source", "lizenz": "licence",
}  # fmt: skip
RESULT_COLUMNS = {
    "befragte": "respondent", "befragter": "respondent", "befragtenid": "respondent", "befragtennummer": "respondent",
    "gebietsschlüssel": "area", "gebietsschluessel": "area", "schlüssel": "area", "ags": "area", "frage": "question",
    "antwort": "answer", "antwortkategorie": "answer", "kategorie": "answer", "anzahl": "count", "basis": "base",
}  # fmt: skip
GERMAN = {
    "question": "Frage", "text": "Fragetext", "label": "Bezeichnung", "type": "Typ", "categories": "Antwortkategorien",
    "counted": "Anteil", "polarity": "Polarität", "topic": "Handlungsfeld", "field_period": "Feldzeit",
    "sample": "Stichprobe", "weighting": "Gewichtung", "source": "Quelle", "licence": "Lizenz",
    "respondent": "Befragte", "area": "Gebietsschlüssel", "answer": "Antwort", "count": "Anzahl", "base": "Basis",
}  # fmt: skip
QUESTIONS_REQUIRED = ("question", "text", "categories", "counted", "polarity", "topic", "field_period", "source", "licence")
OPEN_REQUIRED = ("question", "text")  # an open question is skipped: it needs no more than to be named
AGGREGATED_REQUIRED = ("area", "question", "answer", "count", "base")
ANSWERS_REQUIRED = ("respondent", "area", "question", "answer")
FIX = {
    "licence": "Lizenz der Befragungsdaten eintragen, z. B. „dl-de/by-2-0“ oder „nur für die interne Planung“.",
    "field_period": "Feldzeit eintragen, z. B. „04.09.2023–10.11.2023“ oder „Herbst 2023“.",
    "source": "Wer befragt hat, z. B. „Kreisverwaltung, Familienbüro: Familienbefragung 2023“.",
    "counted": "Die Kategorien eintragen, die den Anteil bilden, z. B. „sehr zufrieden; eher zufrieden“ (oder ihre Codes).",
}


@dataclass(frozen=True)
class Question:
    """One closed question of the survey as the sheet "Fragen" describes it."""

    question_id: str
    text: str
    label: str
    categories: dict[str, str]  # code or wording (lower case) -> wording
    counted: tuple[str, ...]  # wordings of the counted categories
    polarity: str
    topic: str
    field_period: str
    year: int
    sample: str
    weighting: str
    source: str
    licence: str
    row: int


@dataclass
class SurveyTable:
    """What one survey workbook holds: its closed questions, the shares' counts per area, what was skipped, problems."""

    file: Path
    questions: list[Question]
    results: pd.DataFrame  # question_id, area_id, count, base, row (first row of the area's answers)
    skipped: list[str] = field(default_factory=list)  # rows not imported (open text): "<file>, Blatt …, Zeile …: why"
    problems: list[Problem] = field(default_factory=list)
    results_file: Path | None = None  # the CSV file the answers came from, where not the sheet "Ergebnisse"

    def raise_for_problems(self) -> None:
        """Stop with the first problem (and how many more there are): nothing of a faulty survey is loaded."""
        if self.problems:
            first = self.problems[0]
            if first.sheet == RESULTS_SHEET and self.results_file is not None:
                error = EtlError(first.problem, file=self.results_file.name, line=first.row, column=first.column,
                                 expected=first.expected or None, fix=first.fix or None)  # fmt: skip
            else:
                error = first.error(self.file.name)
            if len(self.problems) > 1:
                error.problem += f" (und {len(self.problems) - 1} weitere Probleme in dieser Datei)"
            raise error


def read_survey(path: Path, topics: tuple[str, ...] = (), results: Path | None = None) -> SurveyTable:
    """Read a survey workbook (``results``: a CSV file with the answers instead of its sheet "Ergebnisse");
    ``topics`` are the Handlungsfelder allowed (all when empty). Only an unreadable file or a missing sheet or
    column raises; every other problem is collected in the table."""
    require_file(path, "Befragung")
    try:
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is no xlsx  # noqa: BLE001
        raise EtlError(f"Datei ist keine lesbare Excel-Datei (.xlsx): {type(exc).__name__}", file=path,
                       expected=f"eine Arbeitsmappe mit den Blättern „{RESULTS_SHEET}“ und „{QUESTIONS_SHEET}“",
                       fix="In Excel „Speichern unter → Excel-Arbeitsmappe (.xlsx)“ wählen.") from exc  # fmt: skip
    try:
        question_header, question_rows = _sheet(book, QUESTIONS_SHEET, path, QUESTION_COLUMNS)
        result_header, result_rows = _csv(results) if results is not None else _sheet(book, RESULTS_SHEET, path, RESULT_COLUMNS)
    finally:
        book.close()
    _require_columns(question_header, OPEN_REQUIRED, QUESTIONS_SHEET, path)
    per_answer = "respondent" in result_header
    _require_columns(result_header, ANSWERS_REQUIRED if per_answer else AGGREGATED_REQUIRED, RESULTS_SHEET, path, results)
    problems: list[Problem] = []
    questions, open_ids, described = _questions(question_rows, topics, problems)
    table = SurveyTable(path, list(questions.values()), pd.DataFrame(), [], problems, results)
    where = results.name if results is not None else f"{path.name}, Blatt „{RESULTS_SHEET}“"  # of skipped rows
    closed = _closed_rows(result_rows, questions, open_ids, described, table, where)
    table.results = (_count_answers if per_answer else _aggregated)(closed, questions, problems)
    return table


def _sheet(book, name: str, file: Path, columns: dict[str, str]) -> tuple[list[str | None], list[tuple[int, dict]]]:
    if name not in book.sheetnames:
        raise EtlError(f"Blatt „{name}“ fehlt (vorhanden: {', '.join(book.sheetnames)})", file=file,
                       expected=f"die Blätter „{RESULTS_SHEET}“ (Antworten) und „{QUESTIONS_SHEET}“ (Beschreibung der Fragen)",
                       fix="Blätter so benennen, siehe config/README.md, Abschnitt [[surveys]].")  # fmt: skip
    rows = list(book[name].iter_rows(values_only=True))
    header = [columns.get(header_key(h)) for h in (rows[0] if rows else [])]
    out = []
    for number_, cells in enumerate(rows[1:], start=2):
        record = {f: cells[i] for i, f in enumerate(header) if f and i < len(cells)}
        if any(cell_text(v) for v in record.values()):
            out.append((number_, record))
    return header, out


def _csv(path: Path) -> tuple[list[str | None], list[tuple[int, dict]]]:
    """The answers from a CSV file: (header fields, (line, {field: cell}) of the non-empty lines)."""
    require_file(path, "Antworten der Befragung (CSV)")
    text, _ = read_text(path)
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    lines = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [RESULT_COLUMNS.get(header_key(h)) for h in (lines[0] if lines else [])]
    out = []
    for number_, cells in enumerate(lines[1:], start=2):
        record = {f: cells[i] for i, f in enumerate(header) if f and i < len(cells)}
        if any(cell_text(v) for v in record.values()):
            out.append((number_, record))
    return header, out


def _require_columns(header: list, required: tuple[str, ...], sheet: str, file: Path, results: Path | None = None) -> None:
    missing = [GERMAN[f] for f in required if f not in header]
    if missing:
        where = results.name if results is not None and sheet == RESULTS_SHEET else f"{file.name}, Blatt „{sheet}“"
        raise EtlError(f"Spalten {', '.join(missing)} fehlen", file=where, line=1,
                       expected="Kopfzeile mit " + ", ".join(GERMAN[f] for f in required),
                       fix="Spaltenüberschriften wie in config/README.md (Abschnitt [[surveys]]) benennen.")  # fmt: skip


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]


def _categories(text: str) -> dict[str, str]:
    """'1 = sehr zufrieden; 2 = eher zufrieden' -> {'1': …, 'sehr zufrieden': …}: a category by code or wording."""
    out = {}
    for part in _split(text):
        code, _, wording = part.partition("=") if "=" in part else ("", "", part)
        wording = wording.strip()
        out[wording.lower()] = wording
        if code.strip():
            out[code.strip().lower()] = wording
    return out


def _questions(rows: list[tuple[int, dict]], topics: tuple[str, ...], problems: list[Problem]) -> tuple[dict[str, Question], set[str], set[str]]:
    """The closed questions that are fine, the ids of the open ones, and every id the sheet names."""
    topic_by_key = {t.lower(): t for t in topics}
    seen: dict[str, int] = {}
    questions, open_ids = {}, set()
    for row, cells in rows:
        text = {f: cell_text(cells.get(f)) for f in GERMAN}
        ident = text["question"]
        if ident and ident in seen:
            problems.append(Problem(QUESTIONS_SHEET, row, "Frage", f"Frage „{ident}“ steht doppelt (auch Zeile {seen[ident]})",
                                    "jede Frage-ID nur einmal", "Zweite Zeile löschen oder der Frage eine eigene ID geben."))  # fmt: skip
            continue
        seen[ident] = row
        kind = text["type"].lower()
        if kind in OPEN_TYPES:
            open_ids.add(ident)
            continue
        if not ident:
            problems.append(Problem(QUESTIONS_SHEET, row, "Frage", "Frage-ID fehlt", "eine kurze ID je Frage, z. B. „F07“",
                                    "ID eintragen; im Blatt „Ergebnisse“ dieselbe ID verwenden."))  # fmt: skip
            continue
        here = len(problems)
        if kind not in CLOSED_TYPES:
            problems.append(Problem(QUESTIONS_SHEET, row, "Typ", f"Typ „{text['type']}“ ist unbekannt",
                                    "„geschlossen“ (feste Antwortkategorien) oder „offen“ (Freitext)", "Typ korrigieren oder leer lassen."))  # fmt: skip
        for name in QUESTIONS_REQUIRED:
            if not text[name]:
                problems.append(Problem(QUESTIONS_SHEET, row, GERMAN[name], f"{GERMAN[name]} fehlt", f"ein Eintrag in „{GERMAN[name]}“",
                                        FIX.get(name, f"{GERMAN[name]} eintragen.")))  # fmt: skip
        categories = _categories(text["categories"])
        counted = [categories.get(c.lower()) for c in _split(text["counted"])]
        if text["counted"] and text["categories"] and None in counted:
            wrong = [c for c, w in zip(_split(text["counted"]), counted) if w is None]
            problems.append(Problem(QUESTIONS_SHEET, row, "Anteil", f"„{'; '.join(wrong)}“ ist keine Antwortkategorie der Frage",
                                    "Codes oder Wortlaute aus „Antwortkategorien“: " + "; ".join(dict.fromkeys(categories.values())),
                                    FIX["counted"]))  # fmt: skip
        polarity = POLARITIES.get(text["polarity"].lower())
        if text["polarity"] and polarity is None:
            problems.append(Problem(QUESTIONS_SHEET, row, "Polarität", f"Polarität „{text['polarity']}“ ist unbekannt",
                                    "„höher ist besser“, „höher ist schlechter“ oder „neutral“", "Einen der drei Einträge wählen."))  # fmt: skip
        topic = topic_by_key.get(text["topic"].lower(), text["topic"] if not topics else None)
        if text["topic"] and topic is None:
            problems.append(Problem(QUESTIONS_SHEET, row, "Handlungsfeld", f"Handlungsfeld „{text['topic']}“ ist unbekannt",
                                    "eines von: " + ", ".join(topics), "Handlungsfeld aus der Liste wählen."))  # fmt: skip
        years = re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", text["field_period"])
        if text["field_period"] and not years:
            problems.append(Problem(QUESTIONS_SHEET, row, "Feldzeit", f"Feldzeit „{text['field_period']}“ nennt kein Jahr",
                                    "Zeitraum der Befragung mit Jahr, z. B. „04.09.2023–10.11.2023“", FIX["field_period"]))  # fmt: skip
        if len(problems) > here:
            continue
        questions[ident] = Question(
            ident, text["text"], text["label"] or text["text"], categories, tuple(counted), polarity, topic,
            text["field_period"], int(years[-1]), text["sample"], text["weighting"], text["source"], text["licence"], row,
        )  # fmt: skip
    return questions, open_ids, set(seen)


def _area_text(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))  # Excel made the key a number (and dropped a leading zero: fixed with the areas)
    return cell_text(value)


def _closed_rows(rows: list[tuple[int, dict]], questions: dict[str, Question], open_ids: set[str], described: set[str],
                 table: SurveyTable, where: str) -> list[dict]:  # fmt: skip
    """The rows of closed questions with their answer as the category's wording; open text is counted as skipped.
    Rows of a question with a problem in "Fragen" are left to that problem (the survey does not load anyway)."""
    open_rows: dict[str, list[int]] = {}
    free_rows: dict[str, list[int]] = {}
    out = []
    for row, cells in rows:
        ident = cell_text(cells.get("question"))
        if ident in open_ids:
            open_rows.setdefault(ident, []).append(row)
            continue
        if ident not in questions:
            if ident not in described or not ident:
                table.problems.append(Problem(RESULTS_SHEET, row, "Frage",
                                              f"Frage „{ident}“ steht nicht im Blatt „{QUESTIONS_SHEET}“" if ident else "Frage fehlt",
                                              f"eine Frage-ID aus dem Blatt „{QUESTIONS_SHEET}“: " + ", ".join(sorted(questions) or ["(keine)"]),
                                              "ID korrigieren oder die Frage im Blatt „Fragen“ beschreiben."))  # fmt: skip
            continue
        area = _area_text(cells.get("area"))
        if not area:
            table.problems.append(Problem(RESULTS_SHEET, row, "Gebietsschlüssel", "Gebietsschlüssel fehlt",
                                          "der Schlüssel einer Gemeinde, eines Sozialraums oder des Kreises", "Schlüssel eintragen."))  # fmt: skip
            continue
        answer = cell_text(cells.get("answer"))
        if not answer:
            if "respondent" not in cells:  # one row per answer: an empty answer is a question left out
                table.problems.append(Problem(RESULTS_SHEET, row, "Antwort", "Antwort fehlt", "eine der Antwortkategorien der Frage",
                                              "Kategorie eintragen oder die Zeile löschen."))  # fmt: skip
            continue
        wording = questions[ident].categories.get(answer.lower())
        if wording is None:
            free_rows.setdefault(ident, []).append(row)
            continue
        out.append({"row": row, "question_id": ident, "area_id": area, "answer": wording, "respondent": cell_text(cells.get("respondent")),
                    "count": cells.get("count"), "base": cells.get("base")})  # fmt: skip
    for ident, numbers in open_rows.items():
        table.skipped.append(f"{where}, {_rows_text(numbers)}: Frage „{ident}“ ist offen (Freitext) – nicht übernommen")
    for ident, numbers in free_rows.items():
        table.skipped.append(f"{where}, {_rows_text(numbers)}, Spalte Antwort: Freitext statt einer Antwortkategorie "
                             f"der Frage „{ident}“ – nicht übernommen")  # fmt: skip
    return out


def _rows_text(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:10])) + (f" und {len(numbers) - 10} weitere" if len(numbers) > 10 else "")
    return f"Zeile {shown}" if len(numbers) == 1 else f"{len(numbers)} Zeilen ({shown})"


RESULT_FRAME = ["question_id", "area_id", "count", "base", "row"]


def _count_answers(rows: list[dict], questions: dict[str, Question], problems: list[Problem]) -> pd.DataFrame:
    """One row per answer → per question and area: Basis = respondents with an answer of the question's categories,
    Anzahl = those of them with a counted one (a respondent counts once, also with several answers)."""
    if not rows:
        return pd.DataFrame(columns=RESULT_FRAME)
    frame = pd.DataFrame(rows)
    for row in frame.loc[frame["respondent"] == "", "row"]:
        problems.append(Problem(RESULTS_SHEET, int(row), "Befragte", "Befragten-Nummer fehlt",
                                "eine Nummer je befragter Person (dieselbe in allen ihren Zeilen)", "Nummer eintragen."))  # fmt: skip
    frame = frame[frame["respondent"] != ""]
    counted = {(q.question_id, w) for q in questions.values() for w in q.counted}
    frame = frame.assign(hit=[(q, a) in counted for q, a in zip(frame["question_id"], frame["answer"])])
    per_person = frame.groupby(["question_id", "area_id", "respondent"], sort=False).agg(hit=("hit", "any"), row=("row", "min"))
    out = per_person.groupby(["question_id", "area_id"], sort=False).agg(count=("hit", "sum"), base=("hit", "size"), row=("row", "min"))
    return out.reset_index().astype({"count": float, "base": float})[RESULT_FRAME]


def _aggregated(rows: list[dict], questions: dict[str, Question], problems: list[Problem]) -> pd.DataFrame:
    """Aggregated rows → per question and area: Anzahl = sum over the counted categories; Basis as given (the same on
    every category row of the area)."""
    parts: dict[tuple[str, str], dict] = {}
    for r in rows:
        here = len(problems)
        count, base = (_non_negative(r[name], name, r["row"], problems) for name in ("count", "base"))
        if len(problems) > here:
            continue
        if count > base:
            problems.append(Problem(RESULTS_SHEET, r["row"], "Anzahl", f"Anzahl {count:g} ist größer als die Basis {base:g}",
                                    "Anzahl (die so Antwortenden) höchstens so groß wie die Basis (alle, die die Frage beantwortet haben)",
                                    "Spalten vertauscht? Basis = alle Befragten des Gebiets mit einer Antwort auf diese Frage."))  # fmt: skip
            continue
        key = (r["question_id"], r["area_id"])
        part = parts.setdefault(key, {"question_id": key[0], "area_id": key[1], "count": 0.0, "base": base, "row": r["row"]})
        if base != part["base"]:
            problems.append(Problem(RESULTS_SHEET, r["row"], "Basis", f"Basis {base:g} weicht von Zeile {part['row']} ab ({part['base']:g}) "
                                    f"– dieselbe Frage, dasselbe Gebiet", "dieselbe Basis in allen Kategorie-Zeilen eines Gebiets und einer Frage",
                                    "Basis angleichen: Zahl der Befragten des Gebiets, die die Frage beantwortet haben."))  # fmt: skip
            continue
        if r["answer"] in questions[r["question_id"]].counted:
            part["count"] += count
    for part in parts.values():
        if part["count"] > part["base"]:
            problems.append(Problem(RESULTS_SHEET, part["row"], "Anzahl", f"Die gezählten Kategorien ergeben zusammen {part['count']:g}, "
                                    f"mehr als die Basis {part['base']:g} ({part['question_id']}, Gebiet {part['area_id']})",
                                    "Summe der Anzahlen der Anteil-Kategorien höchstens so groß wie die Basis",
                                    "Anzahlen und Basis prüfen (Mehrfachantworten? Dann als eine Zeile je Antwort mit Befragten-Nummer liefern)."))  # fmt: skip
    return pd.DataFrame(list(parts.values()), columns=RESULT_FRAME)


def _non_negative(raw: object, name: str, row: int, problems: list[Problem]) -> float:
    value = number(raw)
    if value is None or value < 0:
        problems.append(Problem(RESULTS_SHEET, row, GERMAN[name], f"{GERMAN[name]} „{cell_text(raw)}“ ist "
                                + ("negativ" if value is not None else "keine Zahl" if cell_text(raw) else "leer"),
                                "eine Zahl ab 0", f"{GERMAN[name]} korrigieren."))  # fmt: skip
        return 0.0
    return value


def check_areas(table: SurveyTable, areas: pd.DataFrame, kreis_id: str) -> None:
    """Every Gebietsschlüssel must be an area of the Kreis (Gemeinde, Verbandsgemeinde, Sozialraum or the Kreis); a key
    that lost its leading zero in Excel is taken with it. Problems are added to ``table.problems``."""
    known = set(areas.loc[(areas["kreis_id"] == kreis_id) | (areas["area_id"] == kreis_id), "area_id"])
    fixed = []
    for row in table.results.itertuples():
        key = row.area_id if row.area_id in known else "0" + row.area_id if "0" + row.area_id in known else None
        if key is None:
            table.problems.append(Problem(RESULTS_SHEET, int(row.row), "Gebietsschlüssel", f"„{row.area_id}“ ist kein Gebiet des Kreises {kreis_id}",
                                          "der Schlüssel einer Gemeinde (8-stellig), Verbandsgemeinde, eines Sozialraums oder des Kreises",
                                          "Schlüssel als Text eintragen (führende Null!) oder die Zeilen des Gebiets löschen."))  # fmt: skip
        fixed.append(key)
    table.results = table.results.assign(area_id=fixed).dropna(subset=["area_id"])
