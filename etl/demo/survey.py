"""The demo family survey: an invented "Familienbefragung 2023" of the demo county, as a survey workbook.

Written in the aggregated form etl/sources/survey.py reads (sheet "Ergebnisse": Gebietsschlüssel, Gebiet, Frage,
Antwort, Anzahl, Basis per Gemeinde; sheet "Fragen": the questions; sheet "Hinweis": that everything is invented).
Respondents per Gemeinde grow with its population, between 5 and 120, so the smaller villages fall below the
minimum base of 30 and are withheld; each question is answered by a part of them (the U3 childcare question only
by parents of a child under 3, the care question only by carers). Shares follow the demo's Sozialraum profiles:
the poorer Sozialraum has less childcare and more families short of money, the ageing one knows fewer counselling
offers, the towns feel less safe and have more for young people. One open question and one free-text answer in a
closed question show that open text is skipped. Own random stream (SEED, 14): the other demo files stay as they were.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font

from etl.demo.county import SEED, County, poorer_sozialraum
from etl.demo.offer_files import stable_xlsx_bytes
from etl.demo.population import YEARS

SURVEY_DIR = Path("befragung")
XLSX_NAME = "familienbefragung_musterland_demodaten.xlsx"
SURVEY_STREAM = 14  # issue 14: second element of the seed
FIELD_PERIOD = "04.09.2023–10.11.2023"
SOURCE = "Demodaten, erfundene Befragung: Familienbefragung Landkreis Musterland 2023"
LICENCE = "Demodaten, frei verwendbar"
RESPONSE_RATE = 0.04  # respondents per inhabitant, before the limits
MIN_RESPONDENTS, MAX_RESPONDENTS = 5, 120
RESULT_HEADER = ["Gebietsschlüssel", "Gebiet", "Frage", "Antwort", "Anzahl", "Basis"]
QUESTION_HEADER = ["Frage", "Bezeichnung", "Fragetext", "Typ", "Antwortkategorien", "Anteil", "Polarität", "Handlungsfeld",
                   "Feldzeit", "Stichprobe", "Gewichtung", "Quelle", "Lizenz"]  # fmt: skip
OPEN_ANSWERS = ("mehr Kita-Plätze in der Nähe", "ein Bus am Abend", "flexiblere Arbeitszeiten", "ein Treffpunkt für Eltern")


@dataclass(frozen=True)
class DemoQuestion:
    ident: str
    label: str
    text: str
    categories: tuple[str, ...]
    counted: int  # the first ``counted`` categories form the share
    polarity: str
    topic: str
    answered: float  # share of respondents who answer (who the question is for)
    share: float  # share of the counted categories in an average village
    effects: dict[str, float]  # log-odds shifts: "poorer", "young", "ageing", "town"


SCALE = ("sehr zufrieden", "eher zufrieden", "eher unzufrieden", "sehr unzufrieden")
QUESTIONS = (
    DemoQuestion("F01", "Zufrieden mit der Vereinbarkeit von Familie und Beruf (Befragung, Demodaten)",
                 "Wie zufrieden sind Sie mit der Vereinbarkeit von Familie und Beruf?", SCALE, 2, "höher ist besser",
                 "Familie und Arbeitswelt/Betreuung", 0.9, 0.62, {"poorer": -0.4, "young": -0.2}),
    DemoQuestion("F02", "Betreuungsbedarf für Kinder unter 3 gedeckt (Befragung, Demodaten)",
                 "Wird Ihr Bedarf an Betreuung für Ihr Kind unter 3 Jahren gedeckt?", ("ja, vollständig", "teilweise", "nein"), 1,
                 "höher ist besser", "Familie und Arbeitswelt/Betreuung", 0.3, 0.55, {"poorer": -0.8, "young": -0.4, "ageing": 0.3}),
    DemoQuestion("F03", "Kennt die Beratungsangebote für Familien (Befragung, Demodaten)",
                 "Kennen Sie die Beratungsangebote für Familien im Landkreis (z. B. Erziehungsberatung, Frühe Hilfen)?",
                 ("ja", "nein"), 1, "höher ist besser", "Beratung und Unterstützung", 0.97, 0.58, {"ageing": -0.5, "town": 0.3}),
    DemoQuestion("F04", "Fühlt sich im Wohnumfeld sicher (Befragung, Demodaten)", "Wie sicher fühlen Sie sich in Ihrem Wohnumfeld?",
                 ("sehr sicher", "eher sicher", "eher unsicher", "sehr unsicher"), 2, "höher ist besser",
                 "Wohnumfeld und Lebensqualität", 0.98, 0.85, {"town": -0.6, "poorer": -0.3}),
    DemoQuestion("F05", "Genug Freizeitangebote für Jugendliche am Wohnort (Befragung, Demodaten)",
                 "Gibt es an Ihrem Wohnort genug Freizeitangebote für Jugendliche?", ("ja", "eher ja", "eher nein", "nein"), 2,
                 "höher ist besser", "Wohnumfeld und Lebensqualität", 0.8, 0.45, {"town": 0.6, "poorer": -0.3}),
    DemoQuestion("F06", "Bei der Pflege von Angehörigen ausreichend unterstützt (Befragung, Demodaten)",
                 "Fühlen Sie sich bei der Pflege von Angehörigen ausreichend unterstützt?", ("ja", "teilweise", "nein"), 1,
                 "höher ist besser", "Senioren und Generationen", 0.15, 0.40, {"ageing": -0.3}),
    DemoQuestion("F07", "Haushalt kommt nur mit Mühe mit dem Einkommen aus (Befragung, Demodaten)",
                 "Wie gut kommt Ihr Haushalt mit seinem Einkommen aus?", ("sehr gut", "gut", "mit Mühe", "nur mit großer Mühe"), 0,
                 "höher ist schlechter", "Soziale Lage", 0.92, 0.28, {"poorer": 0.6, "town": 0.3}),
)  # fmt: skip
OPEN_QUESTION = ("F08", "Was würde Ihrer Familie im Alltag am meisten helfen?")


def _counted(q: DemoQuestion) -> list[str]:
    """F07 counts the last two categories ("mit Mühe", "nur mit großer Mühe"): ``counted`` 0 means those."""
    return list(q.categories[-2:]) if q.counted == 0 else list(q.categories[: q.counted])


def _effects(county: County) -> list[dict[str, float]]:
    poorer = poorer_sozialraum(county)
    out = []
    for g in county.gemeinden:
        profile = county.profiles.get(g.sozialraum, "mixed")
        out.append({"poorer": float(g.sozialraum == poorer), "young": float(profile == "young"),
                    "ageing": float(profile == "ageing"), "town": float(g.bez == "Stadt")})  # fmt: skip
    return out


def _split(total: int, parts: int, rng: np.random.Generator) -> list[int]:
    """``total`` answers over ``parts`` categories, the first of them the most frequent."""
    if parts == 1:
        return [total]
    weights = np.linspace(1.6, 0.6, parts)
    return [int(n) for n in rng.multinomial(total, weights / weights.sum())]


def result_rows(county: County, counts: np.ndarray) -> tuple[list[list], int]:
    """Rows of the sheet "Ergebnisse" and the number of respondents."""
    rng = np.random.default_rng((SEED, SURVEY_STREAM))
    population = counts[:, YEARS.index(2023)].sum(axis=(1, 2))
    effects = _effects(county)
    rows, respondents = [], 0
    for g, people, effect in zip(county.gemeinden, population, effects):
        if people == 0:
            continue  # the Gutsbezirk: nobody to ask
        asked = int(np.clip(round(people * RESPONSE_RATE * rng.lognormal(0, 0.25)), MIN_RESPONDENTS, MAX_RESPONDENTS))
        respondents += asked
        noise = rng.normal(0, 0.15)
        for q in QUESTIONS:
            base = int(rng.binomial(asked, q.answered))
            if base == 0:
                continue
            logit = np.log(q.share / (1 - q.share)) + sum(q.effects.get(k, 0.0) * v for k, v in effect.items()) + noise
            hits = int(rng.binomial(base, 1 / (1 + np.exp(-logit))))
            counted = _counted(q)
            others = [c for c in q.categories if c not in counted]
            for category, n in [*zip(counted, _split(hits, len(counted), rng)), *zip(others, _split(base - hits, len(others), rng))]:
                rows.append([g.ags, g.genesis_name, q.ident, category, n, base])
    for i, text in enumerate(OPEN_ANSWERS):  # open text: the reader skips these rows and says so
        g = county.gemeinden[i * 7]
        rows.append([g.ags, g.genesis_name, OPEN_QUESTION[0], text, 1, None])
    g = county.gemeinden[3]
    rows.append([g.ags, g.genesis_name, "F03", "habe davon in der Kita gehört", 1, None])  # free text in a closed question
    return rows, respondents


def question_rows(respondents: int) -> list[list]:
    sample = f"n = {respondents} Familien mit Kindern unter 18 Jahren (erfunden; schriftlich und online)"
    rows = []
    for q in QUESTIONS:
        categories = "; ".join(f"{i} = {c}" for i, c in enumerate(q.categories, start=1))
        counted = "; ".join(_counted(q))
        rows.append([q.ident, q.label, q.text, "geschlossen", categories, counted, q.polarity, q.topic, FIELD_PERIOD, sample,
                     "ungewichtet", SOURCE, LICENCE])  # fmt: skip
    rows.append([OPEN_QUESTION[0], "", OPEN_QUESTION[1], "offen", "", "", "", "", FIELD_PERIOD, sample, "ungewichtet", SOURCE, LICENCE])
    return rows


NOTICE = (
    "DEMODATEN – erfundene Befragung, keine echten Antworten",
    "",
    "Diese „Familienbefragung 2023“ gehört zum fiktiven „Landkreis Musterland (Demodaten)“ (AGS 99001; Land 99 gibt",
    "es nicht). Fragen, Befragte, Anzahlen und die Feldzeit sind erfunden und von „python -m etl demo“ (Planungsatlas",
    "Familie) erzeugt. Sie zeigen, wie eine Befragung in den Planungsatlas kommt (config/README.md, [[surveys]]).",
    "",
    "Blatt „Ergebnisse“: je Gemeinde, Frage und Antwortkategorie die Anzahl der so Antwortenden und die Basis",
    "(alle Befragten der Gemeinde, die die Frage beantwortet haben). Blatt „Fragen“: Wortlaut, Kategorien, welche",
    "Kategorien den Anteil bilden, Feldzeit, Stichprobe, Gewichtung, Quelle, Lizenz.",
    "Gemeinden mit weniger als 30 Antwortenden werden im Planungsatlas nicht ausgewiesen.",
    "Frage F08 ist offen (Freitext) und eine Antwort auf F03 ist Freitext: beides wird nicht übernommen.",
)


def survey_workbook(county: County, counts: np.ndarray) -> bytes:
    """The workbook; fixed document and zip times, so regenerating changes no byte with the same libraries."""
    results, respondents = result_rows(county, counts)
    wb = Workbook()
    sheets = (("Ergebnisse", RESULT_HEADER, results), ("Fragen", QUESTION_HEADER, question_rows(respondents)))
    for i, (title, header, rows) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        ws.append(header)
        for row in rows:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    for cell in wb["Ergebnisse"]["A"][1:]:
        cell.number_format = "@"  # keys are text: Excel keeps them as written
    notice = wb.create_sheet("Hinweis")
    for line in NOTICE:
        notice.append([line])
    notice["A1"].font = Font(bold=True, size=14)
    wb.properties.title = "Familienbefragung Landkreis Musterland 2023 (Demodaten)"
    wb.properties.subject = "Demodaten, erfundene Befragung"
    wb.properties.creator = "Planungsatlas Familie (etl/demo/survey.py)"
    return stable_xlsx_bytes(wb)


def write_survey(county: County, counts: np.ndarray, out_dir: Path) -> None:
    """Write befragung/familienbefragung_musterland_demodaten.xlsx into out_dir."""
    folder = Path(out_dir) / SURVEY_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / XLSX_NAME).write_bytes(survey_workbook(county, counts))
