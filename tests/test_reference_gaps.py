"""A missing Land or Deutschland value said in words, not only as "–" (issue 11, item 6): the rule of
planning/reference_gaps.py on fixtures, the Indikatoren and Steckbrief pages on the demo (no Land/Bund rows at all)
and on the shipped Trier-Saarburg build (population with Land and Bund; childcare, migration and more without)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard import explorer_view
from page_helpers import open_page
from planning import queries
from planning import reference_gaps as r
from planning.context import Context
from reports import document as d
from reports import profile
from test_shipped_config_references import shipped  # noqa: F401 – the module's build of the shipped configs

EXPLORER, STECKBRIEF = "pages/indikatoren.py", "pages/steckbrief.py"
NONE = pd.DataFrame({"year": [], "value": [], "status": []})
BOTH_NO_TABLE = "Land und Deutschland: für diese Kennzahl ist keine landes-/bundesweite Tabelle geladen."


def _rows(values: dict[int, float | None], status: str = "ok") -> pd.DataFrame:
    return pd.DataFrame({"year": list(values), "value": list(values.values()),
                         "status": [status if v is not None else "unknown" for v in values.values()]})  # fmt: skip


# --- the rule ----------------------------------------------------------------------------------------------------------

def test_each_reason_is_read_from_the_rows():
    years = _rows({2013: 1.0, 2014: 1.1, 2015: 1.2})
    assert r.reference_gaps(2015, years, years) == []
    assert r.reference_gaps(2015, NONE, NONE) == [r.Gap(r.LAND, r.NO_TABLE), r.Gap(r.BUND, r.NO_TABLE)]
    assert r.reference_gaps(2016, years, NONE) == [r.Gap(r.LAND, r.NO_YEAR, (2013, 2014, 2015)), r.Gap(r.BUND, r.NO_TABLE)]
    assert r.reference_gaps(2015, _rows({2014: 1.0, 2015: None}), years) == [r.Gap(r.LAND, r.NO_VALUE, status="unknown")]
    assert r.reference_gaps(2015, NONE, None) == [r.Gap(r.LAND, r.NO_TABLE)], "no Germany in the build: not a gap"


def test_the_sentences_name_what_is_missing_and_why():
    years = _rows({2013: 1.0, 2014: 1.1, 2015: 1.2})
    assert r.gap_note(r.reference_gaps(2015, NONE, NONE), 2015) == BOTH_NO_TABLE
    assert r.gap_note(r.reference_gaps(2015, NONE, years), 2015) == "Land: für diese Kennzahl ist keine landesweite Tabelle geladen."
    assert r.gap_note(r.reference_gaps(2016, years, years), 2016) == (
        "Land und Deutschland: die landes-/bundesweite Tabelle ist geladen, hat aber keinen Wert für 2016 "
        "(Jahre mit Werten: 2013–2015)."
    )
    assert r.gap_note(r.reference_gaps(2015, _rows({2015: None}), years), 2015) == (
        "Land: die landesweite Tabelle hat für 2015 keinen Wert (unbekannt oder geheim (.))."
    )
    assert r.gap_note([], 2015) is None


def test_steckbrief_footnote_per_indicator_and_for_a_dropped_column():
    years = _rows({2015: 1.0})
    rows = [("Einwohner", 2015, []), ("Zuzüge je 1.000", 2015, r.reference_gaps(2015, NONE, NONE)),
            ("Anteil U6", 2016, r.reference_gaps(2016, years, years))]  # fmt: skip
    assert r.gaps_footnote(rows, [r.LAND, r.BUND]) == (
        "„–“ bei Land/Deutschland – Zuzüge je 1.000 (Land und Deutschland): keine landes-/bundesweite Tabelle geladen; "
        "Anteil U6 (Land und Deutschland): die landes-/bundesweite Tabelle ist geladen, hat aber keinen Wert für 2016 "
        "(Jahre mit Werten: 2015)."
    )
    only_land = [("Einwohner", 2015, r.reference_gaps(2015, NONE, None))]
    assert r.gaps_footnote(only_land, []) == "Ohne Spalte Land: für keine dieser Kennzahlen ist eine landesweite Tabelle geladen."
    assert r.gaps_footnote([("Einwohner", 2015, [])], [r.LAND]) is None


# --- demo: no Land or Bund rows at all --------------------------------------------------------------------------------

def _captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_demo_indikatoren_says_there_is_no_land_table(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(demo_db.parent, monkeypatch, EXPLORER)
    metrics = {m.label: m.value for m in at.metric}
    assert [v for k, v in metrics.items() if k.startswith("Land ")] == ["–"], metrics
    assert "Land: für diese Kennzahl ist keine landesweite Tabelle geladen." in _captions(at)
    assert not any("Deutschland" in c for c in _captions(at)), "the demo holds no Germany: nothing to explain"


def test_demo_steckbrief_says_why_there_is_no_land_column(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(demo_db.parent, monkeypatch, STECKBRIEF)
    assert "Ohne Spalte Land: für keine dieser Kennzahlen ist eine landesweite Tabelle geladen." in _captions(at)


# --- the shipped Trier-Saarburg build ---------------------------------------------------------------------------------

def _ctx(db: queries.Database, year: int) -> Context:
    return Context(db, "07235", "Landkreis Trier-Saarburg", year, False)


def test_trier_saarburg_childcare_has_no_table_population_has_its_values(shipped):  # noqa: F811
    db = shipped("07235")
    for childcare in ("betreuungsquote_u3", "kita_kinder_u3"):  # Kreis values only: not on the Indikatoren page
        assert explorer_view._reference_note(_ctx(db, 2015), childcare) == BOTH_NO_TABLE
    assert explorer_view._reference_note(_ctx(db, 2015), "bev_insgesamt") is None
    assert explorer_view._reference_note(_ctx(db, 2016), "bev_insgesamt") == (
        "Land und Deutschland: die landes-/bundesweite Tabelle ist geladen, hat aber keinen Wert für 2016 "
        "(Jahre mit Werten: 2008–2015)."
    )


@pytest.mark.parametrize(
    ("indicator", "year", "said"),
    [
        ("bev_insgesamt", 2015, None),
        ("zuzuege_je_1000_ew", 2015, BOTH_NO_TABLE),  # the migration table is at hand for the four counties only
        ("bev_zensus2022", 2022, "Land: für diese Kennzahl ist keine landesweite Tabelle geladen."),  # Germany's row only
    ],
)
def test_trier_saarburg_indikatoren_says_why_a_reference_is_missing(
    shipped, monkeypatch: pytest.MonkeyPatch, indicator: str, year: int, said: str | None  # noqa: F811
):
    db = shipped("07235")
    at = open_page(Path(db.path).parent, monkeypatch, EXPLORER, {"kennzahl": indicator, "jahr": str(year)})
    assert at.selectbox(key="explorer_indicator").value == indicator
    metrics = {m.label: m.value for m in at.metric}
    notes = [c for c in _captions(at) if c.startswith(("Land:", "Land und Deutschland:", "Deutschland:"))]
    if said is None:
        assert notes == [] and "–" not in (metrics[f"Rheinland-Pfalz {year}"], metrics[f"Deutschland {year}"]), metrics
    else:
        assert notes == [said]
        assert [v for k, v in metrics.items() if k.startswith(f"Land {year}")] == ["–"], metrics


def test_trier_saarburg_steckbrief_footnote_only_where_a_value_is_missing(shipped):  # noqa: F811
    db = shipped("07235")
    gemeinde = queries.area_shapes(db, "07235", "gemeinde")["area_id"].iloc[0]

    def footnotes(ids: tuple[str, ...]) -> list[str]:
        doc = profile.steckbrief_document(db.path, gemeinde, indicator_ids=ids)
        return [b.text for b in doc.blocks if isinstance(b, d.Paragraph) and "Land/Deutschland" in b.text or
                isinstance(b, d.Paragraph) and b.text.startswith("Ohne Spalte")]  # fmt: skip

    assert footnotes(("bev_insgesamt", "anteil_u18")) == [], "population: Land and Bund values in every row"
    assert footnotes(("bev_insgesamt", "zuzuege_je_1000_ew")) == [
        "„–“ bei Land/Deutschland – Zuzüge je 1.000 Einwohner (Land und Deutschland): keine landes-/bundesweite "
        "Tabelle geladen."
    ]
