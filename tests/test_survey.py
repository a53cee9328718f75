"""Family survey import (issue 14): reader, bad input named by sheet/row/column, Wilson intervals by hand, suppression
below the minimum base everywhere a value could show, open text skipped, the demo survey in the demo database."""
from __future__ import annotations

import io
import math
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from etl.config import REPO_ROOT, load_config
from etl.errors import EtlError
from etl.own_indicators import catalogue_topics
from etl.sources.survey import check_areas, read_survey
from etl.survey import indicator_id
from page_helpers import demo_context
from planning import area_values
from reports import tables

DEMO_SURVEY = REPO_ROOT / "data" / "demo" / "befragung" / "familienbefragung_musterland_demodaten.xlsx"
NOTE = "Basis n < 30: nicht ausgewiesen"
Z95 = 1.959963984540054  # the 97.5 % quantile of the standard normal distribution
QUESTION_HEADER = ["Frage", "Bezeichnung", "Fragetext", "Typ", "Antwortkategorien", "Anteil", "Polarität", "Handlungsfeld",
                   "Feldzeit", "Stichprobe", "Gewichtung", "Quelle", "Lizenz"]  # fmt: skip
GOOD_QUESTION = ["Q1", "Zufrieden", "Wie zufrieden sind Sie?", "geschlossen", "1 = sehr zufrieden; 2 = eher zufrieden; 3 = unzufrieden",
                 "1; 2", "höher ist besser", "Familie und Arbeitswelt/Betreuung", "03/2024–05/2024", "n = 500", "ungewichtet",
                 "Kreisverwaltung: Familienbefragung 2024", "dl-de/by-2-0"]  # fmt: skip
OPEN_QUESTION = ["Q9", "", "Was fehlt Ihnen?", "offen", "", "", "", "", "03/2024–05/2024", "n = 500", "ungewichtet", "Kreis", "dl-de/by-2-0"]


def workbook(path: Path, questions: list[list], results: list[list], header: list[str] | None = None) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Ergebnisse"
    ws.append(header or ["Gebietsschlüssel", "Frage", "Antwort", "Anzahl", "Basis"])
    for row in results:
        ws.append(row)
    meta = book.create_sheet("Fragen")
    meta.append(QUESTION_HEADER)
    for row in questions:
        meta.append(row)
    book.save(path)
    return path


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    """Wilson score interval (95 %, no continuity correction) in percent:
    (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n), p = k/n."""
    p = k / n
    denominator = 1 + Z95**2 / n
    centre = p + Z95**2 / (2 * n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2))
    return (centre - half) / denominator * 100, (centre + half) / denominator * 100


def _problem_text(table) -> str:
    with pytest.raises(EtlError) as caught:
        table.raise_for_problems()
    return str(caught.value)


# --- reader ---------------------------------------------------------------------------------------------------------

def test_aggregated_rows_give_counted_categories_over_the_base(tmp_path):
    path = workbook(tmp_path / "b.xlsx", [GOOD_QUESTION], [
        ["99001001", "Q1", "sehr zufrieden", 10, 40], ["99001001", "Q1", "2", 12, 40], ["99001001", "Q1", "unzufrieden", 18, 40],
        [99001002, "Q1", "1", 3, 8],  # a key Excel made a number
    ])  # fmt: skip
    table = read_survey(path, catalogue_topics())
    assert table.problems == [] and table.skipped == []
    got = table.results.set_index("area_id")
    assert (got.at["99001001", "count"], got.at["99001001", "base"]) == (22, 40)  # categories 1 and 2, by wording or code
    assert (got.at["99001002", "count"], got.at["99001002", "base"]) == (3, 8)
    q = table.questions[0]
    assert q.counted == ("sehr zufrieden", "eher zufrieden") and q.year == 2024 and indicator_id(q.question_id) == "umfrage_q1"


def test_one_row_per_answer_is_counted_per_respondent(tmp_path):
    header = ["Befragte", "Gebietsschlüssel", "Frage", "Antwort"]
    rows = [
        [1, "99001001", "Q1", "sehr zufrieden"], [2, "99001001", "Q1", "unzufrieden"], [3, "99001001", "Q1", "eher zufrieden"],
        [3, "99001001", "Q1", "sehr zufrieden"],  # two answers of one respondent: counted once
        [4, "99001001", "Q1", None],  # left out: not in the base
        [5, "99001001", "Q9", "mehr Busse, Frau M. aus der Nachbarschaft fragen"],  # open question: skipped
        [6, "99001001", "Q1", "weiß ich nicht so genau"],  # free text in a closed question: skipped
        [7, "99001007", "Q1", "3"],
    ]  # fmt: skip
    table = read_survey(workbook(tmp_path / "a.xlsx", [GOOD_QUESTION, OPEN_QUESTION], rows, header), catalogue_topics())
    assert table.problems == []
    got = table.results.set_index("area_id")
    assert (got.at["99001001", "count"], got.at["99001001", "base"]) == (2, 3)
    assert (got.at["99001007", "count"], got.at["99001007", "base"]) == (0, 1)
    skipped = " | ".join(table.skipped)
    assert "Zeile 7" in skipped and "„Q9“ ist offen" in skipped and "Zeile 8, Spalte Antwort: Freitext" in skipped
    assert "Frau M." not in skipped and "weiß ich" not in skipped, "the report never repeats the free text"


@pytest.mark.parametrize(("questions", "results", "where", "words"), [
    ([GOOD_QUESTION], [["99001001", "Q1", "1", 41, 40]], ("Ergebnisse", "Zeile 2", "Spalte Anzahl"), "größer als die Basis"),
    ([GOOD_QUESTION], [["99001001", "Q1", "1", 5, 40], ["99001001", "Q1", "2", 40, 40]], ("Ergebnisse", "Zeile 2", "Spalte Anzahl"),
     "ergeben zusammen 45"),
    ([GOOD_QUESTION], [["99001001", "Q1", "1", -3, 40]], ("Ergebnisse", "Zeile 2", "Spalte Anzahl"), "negativ"),
    ([GOOD_QUESTION], [["99001001", "Q1", "1", 3, -40]], ("Ergebnisse", "Zeile 2", "Spalte Basis"), "negativ"),
    ([GOOD_QUESTION], [["99001001", "Q1", "1", 3, 40], ["99001001", "Q1", "2", 3, 41]], ("Ergebnisse", "Zeile 3", "Spalte Basis"),
     "weicht von Zeile 2 ab"),
    ([GOOD_QUESTION], [["99001001", "Q2", "1", 3, 40]], ("Ergebnisse", "Zeile 2", "Spalte Frage"), "„Q2“ steht nicht im Blatt „Fragen“"),
    ([GOOD_QUESTION, GOOD_QUESTION], [], ("Fragen", "Zeile 3", "Spalte Frage"), "„Q1“ steht doppelt (auch Zeile 2)"),
    ([GOOD_QUESTION[:12] + [""]], [], ("Fragen", "Zeile 2", "Spalte Lizenz"), "Lizenz fehlt"),
    ([GOOD_QUESTION[:8] + [""] + GOOD_QUESTION[9:]], [], ("Fragen", "Zeile 2", "Spalte Feldzeit"), "Feldzeit fehlt"),
    ([GOOD_QUESTION[:8] + ["Frühjahr"] + GOOD_QUESTION[9:]], [], ("Fragen", "Zeile 2", "Spalte Feldzeit"), "nennt kein Jahr"),
    ([GOOD_QUESTION[:5] + ["4"] + GOOD_QUESTION[6:]], [], ("Fragen", "Zeile 2", "Spalte Anteil"), "keine Antwortkategorie"),
    ([GOOD_QUESTION[:7] + ["Sport"] + GOOD_QUESTION[8:]], [], ("Fragen", "Zeile 2", "Spalte Handlungsfeld"), "unbekannt"),
])  # fmt: skip
def test_bad_input_is_named_by_sheet_row_and_column(tmp_path, questions, results, where, words):
    message = _problem_text(read_survey(workbook(tmp_path / "bad.xlsx", questions, results), catalogue_topics()))
    sheet, row, column = where
    assert f"Blatt „{sheet}“" in message and f"{row}, {column}" in message and words in message, message
    assert "Erwartet:" in message and "Abhilfe:" in message, message


def test_a_key_that_is_no_area_of_the_kreis_is_named(tmp_path, demo_db):
    path = workbook(tmp_path / "k.xlsx", [GOOD_QUESTION], [["99001001", "Q1", "1", 3, 40], ["7235001", "Q1", "1", 3, 40]])
    table = read_survey(path, catalogue_topics())
    with duckdb.connect(str(demo_db), read_only=True) as con:
        areas = con.sql("SELECT area_id, level, kreis_id FROM areas").df()
    check_areas(table, areas, "99001")
    message = _problem_text(table)
    assert "Blatt „Ergebnisse“, Zeile 3, Spalte Gebietsschlüssel" in message and "„7235001“ ist kein Gebiet des Kreises 99001" in message


def test_a_missing_sheet_or_column_stops_with_the_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Ergebnisse"
    book.active.append(["Gebietsschlüssel", "Frage", "Antwort", "Anzahl"])
    book.create_sheet("Fragen").append(QUESTION_HEADER)
    book.save(tmp_path / "c.xlsx")
    with pytest.raises(EtlError, match="Blatt „Ergebnisse“.*Zeile 1: Spalten Basis fehlen"):
        read_survey(tmp_path / "c.xlsx")
    del book["Fragen"]
    book.save(tmp_path / "d.xlsx")
    with pytest.raises(EtlError, match="Blatt „Fragen“ fehlt"):
        read_survey(tmp_path / "d.xlsx")


def test_config_min_base_must_be_a_whole_number(tmp_path):
    text = (REPO_ROOT / "config" / "demo_musterland.toml").read_text(encoding="utf-8").replace("min_base = 30", 'min_base = "dreißig"')
    (tmp_path / "c.toml").write_text(text, encoding="utf-8")
    with pytest.raises(EtlError, match="surveys.min_base"):
        load_config(tmp_path / "c.toml")
    config = load_config(REPO_ROOT / "config" / "demo_musterland.toml")
    assert [(s.path.name, s.min_base) for s in config.surveys] == [(DEMO_SURVEY.name, 30)]


# --- the demo survey in the demo database ------------------------------------------------------------------------

def _workbook_sums() -> dict[tuple[str, str], tuple[int, int]]:
    """(question, Gemeinde) -> (counted, base), read from the demo workbook with openpyxl alone (not the reader)."""
    book = openpyxl.load_workbook(DEMO_SURVEY, read_only=True)
    counted = {}
    for row in list(book["Fragen"].iter_rows(values_only=True))[1:]:
        if row[3] == "geschlossen":
            counted[row[0]] = {c.strip() for c in row[5].split(";")}
    out: dict[tuple[str, str], list[int]] = {}
    for key, _, question, answer, count, base in list(book["Ergebnisse"].iter_rows(values_only=True))[1:]:
        if question in counted and base is not None:
            cell = out.setdefault((question, key), [0, base])
            cell[0] += count if answer in counted[question] else 0
    return {k: (v[0], v[1]) for k, v in out.items()}


@pytest.fixture(scope="module")
def survey_rows(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        return con.sql("SELECT o.*, a.level, a.name FROM observations o JOIN areas a USING (area_id) "
                       "WHERE indicator_id LIKE 'umfrage_%'").df()  # fmt: skip


def test_every_gemeinde_value_is_count_over_base_or_withheld_below_thirty(survey_rows):
    sums = _workbook_sums()
    gemeinden = survey_rows[survey_rows["level"] == "gemeinde"].set_index(["indicator_id", "area_id"])
    assert len(gemeinden) == len(sums)
    shown = withheld = 0
    for (question, key), (count, base) in sums.items():
        row = gemeinden.loc[("umfrage_" + question.lower(), key)]
        if base < 30:
            withheld += 1
            assert row["status"] == "suppressed" and row["note"] == NOTE
            assert math.isnan(row["value"]) and math.isnan(row["numerator"]) and math.isnan(row["denominator"])
        else:
            shown += 1
            assert row["status"] == "ok" and (row["numerator"], row["denominator"]) == (count, base)
            assert row["value"] == pytest.approx(count / base * 100)
    assert shown > 50 and withheld > 50, (shown, withheld)


def test_the_kreis_is_the_sum_of_all_gemeinden_suppressed_ones_included(survey_rows):
    sums = _workbook_sums()
    kreis = survey_rows[survey_rows["area_id"] == "99001"].set_index("indicator_id")
    for question in {q for q, _ in sums}:
        count = sum(c for (q, _), (c, _) in sums.items() if q == question)
        base = sum(b for (q, _), (_, b) in sums.items() if q == question)
        row = kreis.loc["umfrage_" + question.lower()]
        assert (row["numerator"], row["denominator"], row["derivation"]) == (count, base, "sum")


def test_indicators_carry_question_categories_field_period_sample_weighting(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        meta = con.sql("SELECT * FROM indicators WHERE indicator_id LIKE 'umfrage_%' ORDER BY position").df()
        source = con.sql("SELECT * FROM sources WHERE file = ?", params=[DEMO_SURVEY.name]).df().iloc[0]
    assert meta["indicator_id"].tolist() == [f"umfrage_f0{i}" for i in range(1, 8)], "the open question F08 is no indicator"
    assert set(meta["unit"]) == {"%"} and set(meta["kind"]) == {"rate"} and set(meta["per"]) == {100.0}
    assert all("(Befragung, Demodaten)" in label for label in meta["label"])
    f07 = meta.set_index("indicator_id").loc["umfrage_f07"]
    assert f07["topic"] == "Soziale Lage" and f07["polarity"] == "higher_is_worse"
    for words in ("„Wie gut kommt Ihr Haushalt mit seinem Einkommen aus?“", "„mit Mühe“ oder „nur mit großer Mühe“",
                  "Feldzeit: 04.09.2023–10.11.2023", "Stichprobe: n = ", "Gewichtung: ungewichtet"):  # fmt: skip
        assert words in f07["definition"]
    assert source["publisher"] == "Planungsatlas Familie (Demodaten)" and "erfundene Befragung" in source["attribution"]
    assert f07["licence"] == "Demodaten, frei verwendbar" and "Demodaten, erfundene Befragung" in f07["source"]


def test_open_text_is_skipped_reported_and_stored_nowhere(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        log = [m for (m,) in con.execute("SELECT message FROM build_log WHERE kind = 'warning'").fetchall()]
        tables_ = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        for table in tables_:
            for column, kind in con.execute(f"SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '{table}'").fetchall():
                if kind == "VARCHAR":
                    hits = con.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" ILIKE ? OR "{column}" ILIKE ?',
                                       ["%Kita gehört%", "%Bus am Abend%"]).fetchone()[0]  # fmt: skip
                    assert hits == 0, f"free text in {table}.{column}"
    skipped = [m for m in log if DEMO_SURVEY.name in m]
    assert len(skipped) == 2
    assert any("4 Zeilen" in m and "„F08“ ist offen" in m for m in skipped)
    assert any("Spalte Antwort: Freitext" in m and "„F03“" in m for m in skipped)


def test_intervals_and_comparison_equal_the_wilson_formula_by_hand(demo_db, survey_rows):
    ctx = demo_context(demo_db)
    values = area_values.for_year(ctx, "umfrage_f02", 2023, "sozialraum")
    kreis = survey_rows[(survey_rows["area_id"] == "99001") & (survey_rows["indicator_id"] == "umfrage_f02")].iloc[0]
    benchmark = kreis["numerator"] / kreis["denominator"] * 100
    categories = set()
    for row in values.frame.itertuples():
        low, high = wilson_by_hand(int(row.numerator), int(row.denominator))
        assert (row.ci_low, row.ci_high) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9))
        expected = "besser" if low > benchmark else "schlechter" if high < benchmark else "ähnlich"  # higher is better
        assert row.comparison_label == expected
        categories.add(expected)
    assert {"besser", "schlechter"} <= categories, "the demo shows differences the interval can tell"


def test_a_withheld_area_shows_no_number_on_the_map_in_the_table_or_in_the_export(demo_db, survey_rows):
    withheld = survey_rows[(survey_rows["indicator_id"] == "umfrage_f01") & (survey_rows["status"] == "suppressed")]
    shown = survey_rows[(survey_rows["indicator_id"] == "umfrage_f01") & (survey_rows["status"] == "ok") & (survey_rows["level"] == "gemeinde")]
    hidden, visible = withheld.iloc[0], shown.iloc[0]
    count, base = _workbook_sums()[("F01", hidden["area_id"])]
    assert base < 30
    # the map's and the ranking's values (planning.area_values: what the explorer draws)
    frame = area_values.for_year(demo_context(demo_db), "umfrage_f01", 2023, "gemeinde").frame.set_index("area_id")
    row = frame.loc[hidden["area_id"]]
    assert math.isnan(row["value"]) and math.isnan(row["numerator"]) and math.isnan(row["denominator"])
    assert not any(ch.isdigit() for ch in row["value_text"]) and NOTE in row["hint"] and row["comparison_label"] == "nicht bewertet"
    assert math.isnan(row["ci_low"]) and pd_isna(row["rank"])
    assert frame.loc[visible["area_id"], "value"] == pytest.approx(visible["value"])
    # the xlsx export of the table (reports.tables)
    export = tables.value_table(str(demo_db), [hidden["area_id"], visible["area_id"]], "umfrage_f01", years=[2023])
    book = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(export)))
    cells = [list(r) for r in book.active.iter_rows(values_only=True)]
    header = next(r for r in cells if "Schlüssel" in r)
    rows = {r[header.index("Schlüssel")]: dict(zip(header, r)) for r in cells[cells.index(header) + 1:]}
    out = rows[hidden["area_id"]]
    assert all(out[c] in (None, "") for c in header if c in ("Wert", "Zähler", "Nenner") or "95" in str(c)), out
    assert NOTE in out["Hinweis"] and str(count) not in [str(v) for v in out.values()]
    assert rows[visible["area_id"]]["Zähler"] == visible["numerator"] and rows[visible["area_id"]]["Nenner"] == visible["denominator"]


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_observations_sum_gemeinden_up_and_keep_given_areas(tmp_path, demo_db):
    from etl.survey import observations

    with duckdb.connect(str(demo_db), read_only=True) as con:
        areas = con.sql("SELECT area_id, level, parent_id, kreis_id, sozialraum_id FROM areas").df()
    gemeinden = areas[(areas["level"] == "gemeinde") & (areas["sozialraum_id"] == "99001-SR04")].head(3)
    rows = [[g, "Q1", "1", 10 + i, 20 + i] for i, g in enumerate(gemeinden["area_id"])]  # each base below 30
    rows.append(["99001-SR04", "Q1", "2", 50, 100])  # the Sozialraum as the county gives it
    table = read_survey(workbook(tmp_path / "s.xlsx", [GOOD_QUESTION], rows), catalogue_topics())
    got = observations(table, 30, areas, "99001", "S99").set_index("area_id")
    for g in gemeinden["area_id"]:
        assert got.at[g, "status"] == "suppressed" and got.at[g, "note"] == NOTE and math.isnan(got.at[g, "value"])
    assert (got.at["99001-SR04", "numerator"], got.at["99001-SR04", "derivation"]) == (50, "source"), "given, not summed"
    assert (got.at["99001", "numerator"], got.at["99001", "denominator"], got.at["99001", "status"]) == (33, 63, "ok")
    assert got.at["99001", "value"] == pytest.approx(33 / 63 * 100) and set(got["year"]) == {2024}
    given = {r[0]: (r[3], r[4]) for r in rows}
    checked = 0
    for vg, members in gemeinden[gemeinden["parent_id"].isin(set(areas.loc[areas["level"] == "verbandsgemeinde", "area_id"]))].groupby("parent_id"):
        count, base = (sum(given[g][i] for g in members["area_id"]) for i in (0, 1))
        expected = ("ok", count, base) if base >= 30 else ("suppressed", None, None)
        row = got.loc[vg]
        assert (row["status"], *(None if pd_isna(v) else v for v in (row["numerator"], row["denominator"]))) == expected
        checked += 1
    assert checked, "the Gemeinden lie in a Verbandsgemeinde"
    assert set(got["indicator_id"]) == {"umfrage_q1"} and set(got["source_id"]) == {"S99"}


def test_a_build_with_a_question_id_taken_stops_before_writing(tmp_path):
    from dataclasses import replace

    from etl.build import build
    from etl.config import SurveySource

    config = load_config(REPO_ROOT / "config" / "demo_musterland.toml")
    twice = tmp_path / "zweite_befragung.xlsx"
    twice.write_bytes(DEMO_SURVEY.read_bytes())
    out = tmp_path / "x.duckdb"
    with pytest.raises(EtlError) as caught:
        build([replace(config, surveys=[*config.surveys, SurveySource(twice)])], out, say=lambda _: None)
    message = str(caught.value)
    assert "zweite_befragung.xlsx, Blatt „Fragen“, Zeile 2, Spalte Frage" in message and "„umfrage_f01“" in message, message
    assert not out.exists()


def test_answers_may_come_as_a_csv_file_named_in_its_problems(tmp_path):
    path = workbook(tmp_path / "fragen.xlsx", [GOOD_QUESTION, OPEN_QUESTION], [])
    answers = tmp_path / "antworten.csv"
    answers.write_bytes("\ufeffBefragte;Gebietsschlüssel;Frage;Antwort\r\n1;99001001;Q1;sehr zufrieden\r\n2;99001001;Q1;3\r\n"
                        "3;99001001;Q9;mehr Busse\r\n4;99001002;Q1;2\r\n".encode())  # fmt: skip
    table = read_survey(path, catalogue_topics(), answers)
    assert table.problems == [] and table.skipped == ["antworten.csv, Zeile 4: Frage „Q9“ ist offen (Freitext) – nicht übernommen"]
    got = table.results.set_index("area_id")
    assert (got.at["99001001", "count"], got.at["99001001", "base"], got.at["99001002", "count"]) == (1, 2, 1)
    answers.write_text("Befragte,Gebietsschlüssel,Frage,Antwort\n1,99001001,Q2,ja\n", encoding="utf-8")
    message = _problem_text(read_survey(path, catalogue_topics(), answers))
    assert "Datei antworten.csv, Zeile 2, Spalte Frage: Frage „Q2“ steht nicht im Blatt „Fragen“" in message, message


def test_an_upload_check_collects_every_problem_without_raising(tmp_path, demo_db):
    from etl.survey import check_upload

    with duckdb.connect(str(demo_db), read_only=True) as con:
        areas = con.sql("SELECT area_id, level, kreis_id FROM areas").df()
    path = workbook(tmp_path / "u.xlsx", [GOOD_QUESTION, OPEN_QUESTION], [["99001001", "Q1", "1", 3, 40], ["12345678", "Q1", "1", 3, 40],
                                                                        ["99001001", "Q9", "Spielplatz", 1, None]])  # fmt: skip
    table = check_upload(path, areas, "99001", {"umfrage_q1"})
    assert [(p.sheet, p.row, p.column) for p in table.problems] == [("Fragen", 2, "Frage"), ("Ergebnisse", 3, "Gebietsschlüssel")]
    assert len(table.skipped) == 1 and "Zeile 4" in table.skipped[0]
    assert check_upload(path, None, "99001", set()).problems == []


def test_complementary_suppression_by_hand():
    """VG 'V1' of G1 (base 10, withheld), G2 (base 50) and G3 (base 40): shown VG total 100 would give G1 away, so G3
    (the smaller shown base) is withheld too; VG 'V2' with two withheld Gemeinden stays as it is."""
    from etl.survey import complementary

    areas = pd.DataFrame({
        "area_id": ["K", "V1", "V2", "G1", "G2", "G3", "G4", "G5"], "level": ["kreis", "verbandsgemeinde", "verbandsgemeinde",
                                                                          "gemeinde", "gemeinde", "gemeinde", "gemeinde", "gemeinde"],
        "parent_id": [None, "K", "K", "V1", "V1", "V1", "V2", "V2"], "sozialraum_id": [None] * 8,
    })  # fmt: skip
    frame = pd.DataFrame({
        "question_id": ["F1"] * 8, "area_id": ["G1", "G2", "G3", "G4", "G5", "V1", "V2", "K"],
        "base": [10, 50, 40, 12, 14, 100, 26, 126], "derivation": ["source"] * 5 + ["sum"] * 3,
    })  # fmt: skip
    shown = complementary(frame, frame["base"] >= 30, areas, "K")
    assert dict(zip(frame["area_id"], shown)) == {"G1": False, "G2": True, "G3": False, "G4": False, "G5": False,
                                                   "V1": True, "V2": False, "K": True}  # fmt: skip
