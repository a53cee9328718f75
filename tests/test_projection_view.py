"""The section "Vorausschau: Zielgruppe im Jahr …" on Bedarf & Versorgung (issue 13 point 5): today's places of the
chosen Angebotsart against its projected target group, marked as a projection, on the demo and on a real county."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from etl.db import connect
from page_helpers import demo_context, open_page, rerun
from planning import projection as pr
from planning import projection_outlook as outlook

PAGE = "pages/bedarf_versorgung.py"
KITA = {"sicht": "angebotsart", "auswahl": "kita", "ebene": "sozialraum"}


def _section(at: AppTest) -> pd.DataFrame:
    """The projection table (the page's other table, the ranking, comes first)."""
    tables = [t.value for t in at.dataframe if any(pr.PROJECTION_LABEL in c for c in t.value.columns)]
    assert len(tables) == 1, "one projection table"
    return tables[0]


def _number(text: str) -> float:
    """The value of '1.234,5 (1.230,0–1.240,0)' (a projected value with its range) or of '1.234,5'."""
    return float(text.split(" (")[0].replace(".", "").replace(",", "."))


def _range(text: str) -> tuple[float, float]:
    low, high = text.split(" (")[1].rstrip(")").split("–")
    return _number(low), _number(high)


def test_demo_section_follows_the_year_control(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(demo_db.parent, monkeypatch, PAGE, KITA)
    assert "Vorausschau: Zielgruppe im Jahr 2030" in [s.value for s in at.subheader]
    table = _section(at)
    assert list(table.columns) == [
        "Gebiet", "Plätze heute", "Zielgruppe 2023 (gezählt)", "Zielgruppe 2030 (Projektion)", "Plätze je 100 im Jahr 2030 (Projektion)",
    ]  # fmt: skip
    # the figures are those of projected_supply for the Sozialräume (children under 6 for Kitas)
    expected = pr.projected_supply(demo_context(demo_db).db, "99001", "kita", "sozialraum", 2030).set_index("name")
    first = table.iloc[0]
    assert _number(first["Zielgruppe 2030 (Projektion)"]) == pytest.approx(expected.loc[first["Gebiet"], "target"], abs=0.5)
    assert _number(first["Plätze je 100 im Jahr 2030 (Projektion)"]) == pytest.approx(expected.loc[first["Gebiet"], "per_100"], abs=0.05)
    # the demo has five years of age groups: a range from other base years, in brackets
    assert _range(first["Zielgruppe 2030 (Projektion)"]) == pytest.approx(
        (expected.loc[first["Gebiet"], "target_low"], expected.loc[first["Gebiet"], "target_high"]), abs=0.5)
    captions = " ".join(c.value for c in at.caption)
    assert "Projektion, keine Prognose" in captions and "Kinder unter 6 Jahren" in captions
    assert "Hamilton–Perry" in captions and "Rückrechnung 2019–2022 → 2023: Kinder unter 6 Jahren im Kreis" in captions
    # another year: the projected columns follow, today's do not
    at.select_slider(key="projection_year").set_value(2035)
    rerun(at)
    later = _section(at)
    assert "Vorausschau: Zielgruppe im Jahr 2035" in [s.value for s in at.subheader]
    assert "Zielgruppe 2035 (Projektion)" in later.columns and "Zielgruppe 2030 (Projektion)" not in later.columns
    assert list(later["Plätze heute"]) == list(table["Plätze heute"])
    assert list(later["Zielgruppe 2035 (Projektion)"]) != list(table["Zielgruppe 2030 (Projektion)"])
    assert at.query_params["vorausschau"] == "2035", "the link carries the year"


def test_the_year_comes_from_the_link(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(demo_db.parent, monkeypatch, PAGE, {**KITA, "vorausschau": "2028"})
    assert at.select_slider(key="projection_year").value == 2028
    assert "Zielgruppe 2028 (Projektion)" in _section(at).columns


def test_a_target_group_that_is_not_projected_says_why(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copy(demo_db, folder / demo_db.name)
    with connect(folder / demo_db.name) as con:  # Pflegeberatung for everybody aged 65 and over as one indicator
        con.execute("UPDATE offer_types SET target_population = ['bev_65plus'] WHERE offer_type = 'pflegeberatung'")
    at = open_page(folder, monkeypatch, PAGE, {**KITA, "auswahl": "pflegeberatung"})
    assert not [t for t in at.dataframe if any(pr.PROJECTION_LABEL in c for c in t.value.columns)]
    texts = [i.value for i in at.info]
    assert any("nicht aus den Altersgruppen zusammengesetzt, die projiziert werden" in t for t in texts), texts
    # the Lebensphasen view has no Angebotsart: the section says where to find it
    at = open_page(demo_db.parent, monkeypatch, PAGE)
    assert any("Sicht „Angebotsart“ wählen" in c.value for c in at.caption)


def test_age_span_and_years():
    assert outlook.age_span(["bev_u3"]) == "Kinder unter 3 Jahren"
    assert outlook.age_span(["bev_6_10"]) == "Personen von 6 bis unter 10 Jahren"
    assert outlook.age_span(["bev_65_75", "bev_75plus"]) == "Personen ab 65 Jahren"
    assert outlook.year_choices(2015) == (list(range(2016, 2031)), 2030)
    assert outlook.year_choices(2023)[1] == 2030 and outlook.year_choices(2023)[0][-1] == 2038
