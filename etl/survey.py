"""Family surveys in the build: each closed question's share becomes a catalogue indicator with observations.

Rules:
- A question becomes the indicator "umfrage_<Frage-ID>" (unit %, a rate per 100, Handlungsfeld as given); its
  definition names the question, the counted categories, the field period, the sample and the weighting, so a
  reader of any table or map can tell what the share means. Publisher: the county (or "Demodaten" for the demo).
- The value of an area is Anzahl ÷ Basis × 100 with Anzahl as Zähler and Basis as Nenner, so the app compares it
  with the Kreis by the 95 % Wilson interval, exactly as an official share.
- An area whose Basis is below the survey's minimum (``min_base``, default 30) gets no value: status "suppressed"
  with the note "Basis n < 30: nicht ausgewiesen" – no number, no Zähler, no Nenner, in no map, table or export.
- Areas the survey does not give are summed from its Gemeinden (Anzahl and Basis each), where it gives Gemeinden:
  a Verbandsgemeinde or Sozialraum from the Gemeinden in it that have answers, the Kreis from all of them. Without
  Gemeinde rows the Kreis is the sum of the Sozialraum rows (else of the Verbandsgemeinde rows). A Kreis row in
  the file is taken as it is. Summing respondents is right for an unweighted survey; for a weighted one the
  weighted counts are summed, which is what the weights are for.
- A withheld Gemeinde must not be recoverable by subtraction: where a shown total has exactly one withheld
  Gemeinde among its Gemeinden, the shown one with the smallest Basis is withheld too (``complementary``).
- Rows skipped as open text are reported as findings of the build.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from etl.catalogue import COLUMNS, load_catalogue
from etl.config import CountyConfig, SurveySource
from etl.own_indicators import catalogue_topics
from etl.sources.own_indicators import Problem
from etl.sources.survey import QUESTIONS_SHEET, Question, SurveyTable, check_areas, read_survey

PREFIX = "umfrage_"
DEMO_PUBLISHER = "Planungsatlas Familie (Demodaten)"
LEVELS_UP = {"verbandsgemeinde": "parent_id", "sozialraum": "sozialraum_id"}


def suppressed_note(min_base: int) -> str:
    return f"Basis n < {min_base}: nicht ausgewiesen"


def indicator_id(question_id: str) -> str:
    """'F 07' -> 'umfrage_f_07': lower case, letters, digits and underscores (ids stand in URLs)."""
    plain = question_id.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    return PREFIX + re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


def read_surveys(config: CountyConfig, taken: set[str]) -> list[tuple[SurveySource, SurveyTable]]:
    """Every survey of the config, read and checked; indicator ids must be new (not in the catalogue, not in ``taken``:
    own indicators and surveys read before, also of other counties); adds them to ``taken``. Raises on the first
    faulty survey."""
    out = []
    for source in config.surveys:
        table = read_survey(source.path, catalogue_topics(), source.results)
        check_ids(table, taken)
        table.raise_for_problems()
        taken.update(indicator_id(q.question_id) for q in table.questions)
        out.append((source, table))
    return out


def check_ids(table: SurveyTable, taken: set[str]) -> None:
    """A question whose indicator id is in the catalogue or in ``taken`` is a problem of its row in "Fragen"."""
    known = set(load_catalogue().index) | taken
    for question in table.questions:
        ident = indicator_id(question.question_id)
        if ident in known:
            table.problems.append(Problem(
                QUESTIONS_SHEET, question.row, "Frage", f"Frage „{question.question_id}“ ergibt die Kennzahl „{ident}“, die es in dieser "
                "Datenbank schon gibt", "eine Frage-ID, die in keiner anderen Befragung oder Tabelle eigener Indikatoren vorkommt",
                "Frage-ID ändern (z. B. mit dem Jahr: „F07_2023“), in „Fragen“ und „Ergebnisse“."))  # fmt: skip


def check_upload(path: Path, areas: pd.DataFrame | None, kreis_id: str, taken: set[str], results: Path | None = None) -> SurveyTable:
    """A survey as an upload is checked before publishing: read, ids against ``taken`` (the catalogue is added
    here) and area keys against ``areas`` (None: not checked), every problem collected in ``table.problems``
    (sheet, row, column, expected, fix), never raised; ``table.skipped`` lists the open text left out."""
    table = read_survey(path, catalogue_topics(), results)
    check_ids(table, taken)
    if areas is not None:
        check_areas(table, areas, kreis_id)
    return table


def definition(question: Question) -> str:
    """What the share means, in one paragraph: question, counted categories, field period, sample, weighting."""
    counted = " oder ".join(f"„{c}“" for c in question.counted)
    categories = "; ".join(dict.fromkeys(question.categories.values()))
    return (f"Anteil der Befragten, die auf die Frage „{question.text}“ {counted} geantwortet haben, an allen Befragten des "
            f"Gebiets mit einer Antwort auf die Frage (Antwortkategorien: {categories}). Feldzeit: {question.field_period}. "
            f"Stichprobe: {question.sample or 'nicht angegeben'}. Gewichtung: {question.weighting or 'nicht angegeben'}.")  # fmt: skip


def source_record(table: SurveyTable, config: CountyConfig) -> dict:
    """The ``sources`` row of one survey: the county (or the demo) as publisher, the licences as entered."""
    publisher = DEMO_PUBLISHER if config.demo else config.name or f"Kreis {config.ags}"
    periods = ", ".join(dict.fromkeys(q.field_period for q in table.questions))
    titles = ", ".join(dict.fromkeys(q.source for q in table.questions))
    return {
        "kind": "statistics", "table_code": None, "title": titles if "befragung" in titles.lower() else f"Befragung: {titles}", "publisher": publisher,
        "licence": "; ".join(dict.fromkeys(q.licence for q in table.questions)),
        "attribution": "Demodaten (erfundene Befragung)" if config.demo else f"{publisher}: {titles}",
        "stand": f"Feldzeit {periods}" if periods else None, "file": table.file.name + (f" + {table.results_file.name}" if table.results_file else ""), "encoding": None, "rows": len(table.results),
    }  # fmt: skip


def indicator_rows(tables: list[SurveyTable], first_position: int) -> pd.DataFrame:
    """Catalogue rows of the survey questions (after the catalogue's, before the own indicators)."""
    rows = []
    for table in tables:
        for q in table.questions:
            rows.append({
                "indicator_id": indicator_id(q.question_id), "label": q.label, "unit": "%", "kind": "rate", "topic": q.topic,
                "polarity": q.polarity, "definition": definition(q), "source": q.source, "licence": q.licence,
                "vintage": q.field_period, "sum_of": [], "numerator": [], "denominator": [], "per": 100.0, "listed": True,
                "decimals": 1, "position": first_position + len(rows), "suppress_small": False, "conversion": "population",
            })  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def observations(table: SurveyTable, min_base: int, areas: pd.DataFrame, kreis_id: str, source_id: str) -> pd.DataFrame:
    """The survey's shares as observations of the Kreis's areas (keys checked here: raises on a key that is no area of
    the Kreis), summed up where the module docstring says, withheld where the Basis is below ``min_base``."""
    check_areas(table, areas, kreis_id)
    table.raise_for_problems()
    given = table.results.assign(derivation="source")
    frame = pd.concat([given, _summed(given, areas, kreis_id)], ignore_index=True)
    years = {indicator_id(q.question_id): q.year for q in table.questions}
    frame["indicator_id"] = frame["question_id"].map(indicator_id)
    frame["year"] = frame["indicator_id"].map(years)
    shown = complementary(frame, frame["base"] >= min_base, areas, kreis_id)
    frame["value"] = (frame["count"] / frame["base"] * 100).where(shown)
    frame["numerator"] = frame["count"].where(shown)
    frame["denominator"] = frame["base"].where(shown)
    frame["status"] = shown.map({True: "ok", False: "suppressed"})
    frame["note"] = shown.map({True: None, False: suppressed_note(min_base)})
    frame = frame.assign(flag=None, reference_date=pd.NaT, source_id=source_id)
    return frame[["area_id", "indicator_id", "year", "value", "numerator", "denominator", "status", "flag",
                  "derivation", "source_id", "note", "reference_date"]]  # fmt: skip


def complementary(frame: pd.DataFrame, shown: pd.Series, areas: pd.DataFrame, kreis_id: str) -> pd.Series:
    """Also withhold a Gemeinde whose withheld neighbour could be worked out by subtraction: wherever a shown total
    (Verbandsgemeinde, Sozialraum, Kreis) has exactly one withheld Gemeinde among the Gemeinden it sums, the shown
    Gemeinde with the smallest Basis is withheld too; repeated until no total has exactly one (the rule statistical
    offices call secondary suppression)."""
    shown = shown.copy()
    gemeinden = areas[areas["level"] == "gemeinde"].set_index("area_id")
    is_gemeinde = frame["area_id"].isin(gemeinden.index) & (frame["derivation"] == "source")
    groups = {column: frame.loc[is_gemeinde, "area_id"].map(gemeinden[column]) for column in LEVELS_UP.values()}
    groups["kreis"] = pd.Series(kreis_id, index=frame.index[is_gemeinde])
    totals = dict(zip(zip(frame["question_id"], frame["area_id"]), frame.index))
    changed = True
    while changed:
        changed = False
        for members in groups.values():
            for (question, group), rows in frame.loc[members.index].groupby([frame.loc[members.index, "question_id"], members]):
                withheld = ~shown[rows.index]
                total = totals.get((question, group))
                if total is not None and shown[total] and withheld.sum() == 1 and (~withheld).any():
                    smallest = rows.loc[~withheld, "base"].idxmin()
                    shown[smallest] = False
                    changed = True
    return shown


def _summed(given: pd.DataFrame, areas: pd.DataFrame, kreis_id: str) -> pd.DataFrame:
    """Verbandsgemeinden, Sozialräume and the Kreis the survey does not give, summed from the rows it gives."""
    level_of = areas.set_index("area_id")["level"]
    given = given.assign(level=given["area_id"].map(level_of))
    have = set(zip(given["question_id"], given["area_id"]))
    gemeinden = areas[areas["level"] == "gemeinde"].set_index("area_id")
    parts = []
    in_gemeinden = given[given["level"] == "gemeinde"]
    for level, column in LEVELS_UP.items():
        groups = in_gemeinden.assign(group=in_gemeinden["area_id"].map(gemeinden[column])).dropna(subset=["group"])
        groups = groups[groups["group"].map(level_of) == level]
        parts.append(groups.groupby(["question_id", "group"], as_index=False)[["count", "base"]].sum().rename(columns={"group": "area_id"}))
    for question, rows in given.groupby("question_id"):
        for level in ("gemeinde", "sozialraum", "verbandsgemeinde"):
            chosen = rows[rows["level"] == level]
            if len(chosen):
                parts.append(pd.DataFrame([{"question_id": question, "area_id": kreis_id, "count": chosen["count"].sum(), "base": chosen["base"].sum()}]))
                break
    summed = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["question_id", "area_id", "count", "base"])
    keep = [(q, a) not in have for q, a in zip(summed["question_id"], summed["area_id"])]
    return summed[keep].assign(derivation="sum", row=None)
