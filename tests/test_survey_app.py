"""The demo family survey on the page Indikatoren (AppTest): its Handlungsfeld and question selectable, the map drawn,
Gemeinden below the minimum base without a number on the map and in the table, their Sozialraum with one."""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from page_helpers import map_script, open_page, rerun

PAGE = "pages/indikatoren.py"
TOPIC = "Familie und Arbeitswelt/Betreuung"
LABEL = "Zufrieden mit der Vereinbarkeit von Familie und Beruf (Befragung, Demodaten)"


def _features(at) -> dict[str, dict]:
    """area_id -> the properties of its map feature, as the browser gets them."""
    found = [json.loads(m) for m in re.findall(r'"properties": (\{[^{}]*\})', map_script(at))]
    return {p["area_id"]: p for p in found if "area_id" in p}


@pytest.fixture(scope="module")
def withheld(demo_db: Path) -> tuple[str, str]:
    """(area_id, name) of a Gemeinde whose answer to F01 is withheld, and of one shown."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        rows = con.execute("""SELECT o.status, min(a.area_id), min(a.name) FROM observations o JOIN areas a USING (area_id)
                              WHERE o.indicator_id = 'umfrage_f01' AND a.level = 'gemeinde' GROUP BY o.status""").fetchall()  # fmt: skip
    by_status = {status: (area, name) for status, area, name in rows}
    return by_status["suppressed"] + by_status["ok"]


def test_the_survey_question_is_found_by_its_topic_and_drawn_on_the_map(demo_db, monkeypatch, withheld):
    at = open_page(demo_db.parent, monkeypatch, PAGE)
    assert TOPIC in at.multiselect(key="explorer_topics").options
    at.multiselect(key="explorer_topics").set_value([TOPIC])
    rerun(at)
    picker = at.selectbox(key="explorer_indicator")
    assert picker.options == [f"{LABEL} (%)", "Betreuungsbedarf für Kinder unter 3 gedeckt (Befragung, Demodaten) (%)"]
    picker.set_value("umfrage_f01")
    rerun(at)
    assert at.radio(key="explorer_level").value == "gemeinde"
    assert any(m.value == f"#### {LABEL}" for m in at.markdown)
    text = " ".join(m.value for m in at.markdown)
    assert "Feldzeit 04.09.2023–10.11.2023" in text and "Demodaten, erfundene Befragung" in text and "Gewichtung: ungewichtet" in text
    features = _features(at)
    assert len(features) == 61, "every Gemeinde is drawn"
    hidden_id, hidden_name, shown_id, _ = withheld
    assert not re.search(r"\d", features[hidden_id]["value_text"]), features[hidden_id]
    assert re.fullmatch(r"\d+,\d %", features[shown_id]["value_text"]), features[shown_id]
    assert features[shown_id]["comparison_text"] in ("besser", "ähnlich", "schlechter")
    table = at.dataframe[1].value.set_index("Gemeinde")
    hidden = table.loc[hidden_name]
    assert "nicht ausgewiesen" in hidden["Hinweis"] and not re.search(r"\d", f"{hidden['Zähler']}{hidden['Nenner']}"), hidden
    assert not re.search(r"\d", str(hidden.filter(like="Wert").iloc[0]))


def test_the_sozialraum_level_shows_every_sozialraum_with_a_value(demo_db, monkeypatch):
    at = open_page(demo_db.parent, monkeypatch, PAGE, {"kennzahl": "umfrage_f06", "ebene": "sozialraum"})
    assert at.selectbox(key="explorer_indicator").value == "umfrage_f06"
    assert at.radio(key="explorer_level").options == ["Sozialräume", "Verbandsgemeinden"], "no Gemeinde answered by 30 carers"
    assert at.radio(key="explorer_level").value == "sozialraum"
    features = _features(at)
    assert len(features) == 5 and all(re.fullmatch(r"\d+,\d %", f["value_text"]) for f in features.values())
