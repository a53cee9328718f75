"""The Präventionskette rule and the gap ranking on a hand-computed fixture (no database, no Streamlit), and a
plausibility check on the real Kreis Düren (skipped without ../shared/data).

Fixture: a Kreis with four Sozialräume and two Lebensphasen.

    phase p1 (Kreis: 10 offers, 2,000 people → 5,0 per 1,000; 200 places → 10,0 per 100)
      A: 6 offers,   800 people → 7,5 per 1,000; 150 places → 18,75 per 100      → versorgt
      B: 2 offers, 1,000 people → 2,0 per 1,000 (< 0,5 × 5,0); places unknown   → schwach
      C: 0 offers,   200 people → 0                                               → leer
      D: 2 offers,     0 people                                                   → keine Zielgruppe
    phase p2: no offer anywhere (Kreis 0) → every area empty, not ranked as a gap
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard import chain_view, gap_view
from planning import chain, coverage_dimensions, gaps, queries
from planning.context import Context
from etl.build import build
from etl.db import connect

REPO_ROOT = Path(__file__).resolve().parent.parent

NAN = float("nan")


def _coverage(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["area_id", "name", "category", "offers", "capacity", "capacity_known", "target_population"]
    )
    target = frame["target_population"].where(frame["target_population"] > 0)
    frame["offers_per_1000"] = 1000 * frame["offers"] / target
    frame["capacity_per_100"] = 100 * frame["capacity"] / target
    return frame


AREAS = _coverage(
    [
        ("A", "Aue", "p1", 6, 150.0, 6, 800.0),
        ("B", "Berg", "p1", 2, NAN, 0, 1000.0),
        ("C", "Cleve", "p1", 0, NAN, 0, 200.0),
        ("D", "Dorf", "p1", 2, NAN, 0, 0.0),
        ("A", "Aue", "p2", 0, NAN, 0, 100.0),
        ("B", "Berg", "p2", 0, NAN, 0, 300.0),
        ("C", "Cleve", "p2", 0, NAN, 0, 100.0),
        ("D", "Dorf", "p2", 0, NAN, 0, 0.0),
    ]
)
KREIS = _coverage([("K", "Kreis", "p1", 10, 200.0, 6, 2000.0), ("K", "Kreis", "p2", 0, NAN, 0, 500.0)])
ROWS = pd.DataFrame(
    {"category": ["p1", "p2"], "label": ["Phase eins", "Phase zwei"], "group": "", "approximation": [None, "Altersgruppe 1 bis 2"]}
)
ACCESS = pd.DataFrame(
    {
        "area_id": ["A", "B", "C", "D"],
        "offer_type": "p1",
        "share_within": [100.0, 80.0, 0.0, NAN],
        "mean_distance_km": [1.0, 3.0, 9.0, NAN],
    }
)
KREIS_ACCESS = pd.DataFrame({"area_id": ["K"], "offer_type": ["p1"], "share_within": [60.0], "mean_distance_km": [4.0]})
SOCIAL = pd.DataFrame({"area_id": ["A", "B", "C"], "value": [5.0, 12.0, 30.0], "numerator": [10.0, 120.0, NAN]})


def _by_area(cells: pd.DataFrame, category: str = "p1") -> dict[str, str]:
    part = cells[(cells["category"] == category) & ~cells["is_kreis"]]
    return dict(zip(part["area_id"], part["status"]))


def _texts(cells: pd.DataFrame, category: str = "p1") -> dict[str, str]:
    part = cells[cells["category"] == category]
    return dict(zip(np.where(part["is_kreis"], "Kreis", part["area_id"]), part["text"]))


# --- the Präventionskette rule -----------------------------------------------------------------------------------

def test_offers_per_1000_empty_weak_ok_and_no_target_by_hand():
    cells = chain.cell_frame(AREAS, KREIS, chain.METRICS["offers_per_1000"])
    assert _by_area(cells) == {"A": chain.OK, "B": chain.WEAK, "C": chain.EMPTY, "D": chain.NO_TARGET}
    assert _texts(cells) == {"A": "7,5", "B": "2,0 ▼", "C": "0 ✕", "D": "–", "Kreis": "5,0"}
    # a phase without any offer in the Kreis: every area with people is empty, and so is the Kreis itself
    assert _by_area(cells, "p2") == {"A": chain.EMPTY, "B": chain.EMPTY, "C": chain.EMPTY, "D": chain.NO_TARGET}
    assert cells.loc[cells["is_kreis"] & (cells["category"] == "p2"), "status"].item() == chain.EMPTY


def test_weak_threshold_is_a_share_of_the_kreis_value():
    # B has 2,0 per 1,000: below 0,5 × 5,0 = 2,5, not below 0,25 × 5,0 = 1,25; exactly at the threshold is not weak
    assert _by_area(chain.cell_frame(AREAS, KREIS, chain.METRICS["offers_per_1000"], 0.25))["B"] == chain.OK
    assert _by_area(chain.cell_frame(AREAS, KREIS, chain.METRICS["offers_per_1000"], 0.4))["B"] == chain.OK
    assert _by_area(chain.cell_frame(AREAS, KREIS, chain.METRICS["offers_per_1000"], 0.41))["B"] == chain.WEAK


def test_plain_counts_are_judged_per_1000():
    cells = chain.cell_frame(AREAS, KREIS, chain.METRICS["offers"])
    assert _by_area(cells) == {"A": chain.OK, "B": chain.WEAK, "C": chain.EMPTY, "D": chain.NO_TARGET}
    assert _texts(cells) == {"A": "6", "B": "2 ▼", "C": "0 ✕", "D": "–", "Kreis": "10"}


def test_versorgungsquote_without_places_is_not_assessed():
    cells = chain.cell_frame(AREAS, KREIS, chain.METRICS["capacity_per_100"])
    assert _by_area(cells) == {"A": chain.OK, "B": chain.UNKNOWN, "C": chain.EMPTY, "D": chain.NO_TARGET}
    assert _texts(cells) == {"A": "18,8", "B": "k. A.", "C": "0 ✕", "D": "–", "Kreis": "10,0"}


def test_share_within_reach_empty_means_nobody_within_the_distance():
    cells = chain.cell_frame(AREAS[AREAS["category"] == "p1"], KREIS[KREIS["category"] == "p1"], chain.METRICS["share_within"],
                             access=ACCESS, kreis_access=KREIS_ACCESS)  # fmt: skip
    # A 100 % ok; B 80 % ≥ 0,5 × 60 %; C 0 % empty (though B also has offers, C has none within reach)
    assert _by_area(cells) == {"A": chain.OK, "B": chain.OK, "C": chain.EMPTY, "D": chain.NO_TARGET}
    assert _texts(cells) == {"A": "100", "B": "80", "C": "0 ✕", "D": "–", "Kreis": "60"}
    farther = ACCESS.assign(share_within=[100.0, 25.0, 0.0, NAN])  # 25 % < 0,5 × 60 %
    weak = chain.cell_frame(AREAS[AREAS["category"] == "p1"], KREIS[KREIS["category"] == "p1"], chain.METRICS["share_within"],
                            access=farther, kreis_access=KREIS_ACCESS)  # fmt: skip
    assert _by_area(weak)["B"] == chain.WEAK


def test_metrics_offered_follow_the_data():
    assert chain.metrics_for("lebensphase", has_capacity=False) == ["offers_per_1000", "offers"]
    assert chain.metrics_for("angebotsart", has_capacity=True) == ["offers_per_1000", "offers", "capacity_per_100", "share_within"]


def test_rule_text_names_the_threshold_and_the_basis():
    text = chain.rule_text(chain.METRICS["offers"], 0.5)
    assert "kein Angebot im Gebiet" in text and "unter 50 % des Kreiswerts" in text and "je 1.000" in text
    reach = chain.rule_text(chain.METRICS["share_within"], 0.25, 2.5)
    assert "im Umkreis von 2,5 km" in reach and "unter 25 % des Kreiswerts" in reach


def test_matrix_pivots_in_chain_order_with_the_kreis_last_and_footnotes():
    cells = chain.cell_frame(AREAS, KREIS, chain.METRICS["offers_per_1000"])
    m = chain.matrix(cells, ROWS, areas_as_rows=False, dimension="lebensphase")
    assert m.table.columns.tolist() == ["Lebensphase", chain.KREIS_COLUMN, "Aue", "Berg", "Cleve", "Dorf"]
    assert m.table["Lebensphase"].tolist() == ["Phase eins", "Phase zwei ¹"]
    assert m.footnotes == ["¹ Phase zwei: Altersgruppe 1 bis 2"]
    assert m.table.loc[0, "Berg"] == "2,0 ▼" and m.statuses.loc[0, "Berg"] == chain.WEAK
    assert m.cell(0, "Cleve") == ("C", "p1") and m.cell(1, chain.KREIS_COLUMN) == ("kreis", "p2")
    assert m.cell(0, "Lebensphase") is None and m.cell(5, "Aue") is None
    assert m.counts() == {chain.EMPTY: 4, chain.WEAK: 1}  # C/p1 and A, B, C/p2; B/p1

    turned = chain.matrix(cells, ROWS, areas_as_rows=True, dimension="lebensphase")
    assert turned.table.columns.tolist() == ["Gebiet", "Phase eins", "Phase zwei ¹"]
    assert turned.table["Gebiet"].tolist() == [chain.KREIS_COLUMN, "Aue", "Berg", "Cleve", "Dorf"]
    assert turned.cell(3, "Phase eins") == ("C", "p1") and turned.table.loc[3, "Phase eins"] == "0 ✕"


def test_areas_in_german_alphabetical_order():
    names = ["Zell", "Bärenborn", "Buchenau", "Bad Quellenbrunn", "Öhringen", "Oberdorf", "Straßberg", "Strasburg"]
    assert sorted(names, key=chain.german_sort_key) == [
        "Bad Quellenbrunn", "Bärenborn", "Buchenau", "Oberdorf", "Öhringen", "Strasburg", "Straßberg", "Zell",
    ]


def test_styled_matrix_colours_empty_and_weak_cells():
    cells = chain.cell_frame(AREAS, KREIS, chain.METRICS["offers_per_1000"])
    m = chain.matrix(cells, ROWS, areas_as_rows=False, dimension="lebensphase")
    styler = chain_view.styled(m)
    styler._compute()  # pandas fills ``ctx``: (row, column position) → CSS pairs, as Streamlit reads them
    css = {(r, m.table.columns[c]): dict(pairs) for (r, c), pairs in styler.ctx.items()}
    empty = sorted(k for k, v in css.items() if v.get("background-color") == chain.STATUS_COLOURS[chain.EMPTY])
    assert empty == sorted([(0, "Cleve"), (1, "Aue"), (1, "Berg"), (1, "Cleve"), (1, chain.KREIS_COLUMN)])
    assert [k for k, v in css.items() if v.get("background-color") == chain.STATUS_COLOURS[chain.WEAK]] == [(0, "Berg")]
    assert css[(0, chain.KREIS_COLUMN)] == {"background-color": chain_view.KREIS_BACKGROUND, "font-weight": "bold"}


# --- the gap ranking ---------------------------------------------------------------------------------------------

WORDS = gaps.Wording({"p1": "Phase eins", "p2": "Phase zwei"}, {"p1": "Kinder", "p2": "Kinder"})


def _scores(ranked: pd.DataFrame) -> dict[str, float]:
    return {f"{a}/{c}": round(s, 6) for a, c, s in zip(ranked["area_id"], ranked["category"], ranked["score"])}


def test_ranking_without_social_weight_by_hand():
    scored = gaps.score_gaps(gaps.supply_frame(AREAS, KREIS))
    row = scored.set_index(["area_id", "category"])
    # A: 7,5 / 5,0 > 1 → no gap; B: 1 − 2,0/5,0 = 0,6; C: no offer → 1
    assert row.loc[("A", "p1"), "supply_gap"] == 0
    assert row.loc[("B", "p1"), "supply_gap"] == pytest.approx(0.6)
    assert row.loc[("C", "p1"), "supply_gap"] == 1
    ranked = gaps.rank(scored)
    # B: 1,000 × 0,6 = 600; C: 200 × 1 = 200; D has nobody, p2 has no offer in the whole Kreis
    assert _scores(ranked) == {"B/p1": 600.0, "C/p1": 200.0}
    assert ranked["rank"].tolist() == [1, 2]


def test_social_factor_moves_areas_and_is_capped():
    scored = gaps.score_gaps(gaps.supply_frame(AREAS, KREIS), SOCIAL, kreis_social=10.0)
    row = scored.set_index(["area_id", "category"])
    assert row.loc[("B", "p1"), "social_factor"] == pytest.approx(1.2)  # 12 % / 10 %
    assert row.loc[("C", "p1"), "social_factor"] == 2.0  # 30 % / 10 % = 3, capped at 2
    assert row.loc[("A", "p1"), "social_factor"] == pytest.approx(0.5)  # 5 % / 10 %
    assert row.loc[("D", "p1"), "social_factor"] == 1.0  # no value: not weighted
    assert _scores(gaps.rank(scored)) == {"B/p1": 720.0, "C/p1": 400.0}  # 600 × 1,2; 200 × 2


def test_accessibility_halves_the_gap_where_distances_exist():
    scored = gaps.score_gaps(gaps.supply_frame(AREAS[AREAS["category"] == "p1"], KREIS, access=ACCESS, kreis_access=KREIS_ACCESS))
    row = scored.set_index("area_id")
    assert row.loc["B", "access_gap"] == pytest.approx(0.2)  # 80 % within reach
    assert row.loc["B", "gap"] == pytest.approx(0.4)  # (0,6 + 0,2) / 2
    assert row.loc["C", "gap"] == 1  # (1 + 1) / 2
    assert _scores(gaps.rank(scored)) == {"B/p1": 400.0, "C/p1": 200.0}


def test_versorgungsquote_where_places_are_known_else_per_1000():
    supply = gaps.supply_frame(AREAS[AREAS["category"] == "p1"], KREIS, measure="capacity_per_100").set_index("area_id")
    assert supply.loc["A", "measure"] == "capacity_per_100" and supply.loc["A", "supply"] == pytest.approx(18.75)
    assert supply.loc["C", "measure"] == "capacity_per_100" and supply.loc["C", "supply"] == 0  # no offer: no places
    # B's offers state no places: judged by offers per 1,000 instead of dropping out
    assert supply.loc["B", "measure"] == "offers_per_1000" and supply.loc["B", "kreis_supply"] == 5.0
    assert _scores(gaps.rank(gaps.score_gaps(supply.reset_index()))) == {"B/p1": 600.0, "C/p1": 200.0}


def test_ties_are_ordered_by_name():
    tied = _coverage([("Z", "Zell", "p1", 0, NAN, 0, 100.0), ("Y", "Ahr", "p1", 0, NAN, 0, 100.0)])
    ranked = gaps.rank(gaps.score_gaps(gaps.supply_frame(tied, KREIS)))
    assert ranked["name"].tolist() == ["Ahr", "Zell"] and ranked["score"].tolist() == [100.0, 100.0]


def test_reasons_say_why_by_hand():
    social = gaps.SocialNeed("kinderarmut", "Kinderarmut", "%", 1, 2023, SOCIAL, 10.0, "Kinder im SGB-II-Bezug")
    words = gaps.Wording(WORDS.category_labels, WORDS.target_labels, None, social)
    ranked = gaps.rank(gaps.score_gaps(gaps.supply_frame(AREAS, KREIS), SOCIAL, 10.0)).set_index("area_id")
    assert gaps.reason(ranked.loc["B"], words) == (
        "„Phase eins“: 2,0 Angebote je 1.000 statt 5,0 im Kreis (40 % des Kreiswerts); Zielgruppe 1.000 Kinder; "
        "Kinderarmut 12,0 % (120 Kinder im SGB-II-Bezug; Kreis 10,0 %)"
    )
    assert gaps.reason(ranked.loc["C"], words) == (
        "kein Angebot für „Phase eins“; Zielgruppe 200 Kinder; Kinderarmut 30,0 % (Kreis 10,0 %)"
    )
    reach = gaps.Wording(WORDS.category_labels, WORDS.target_labels, 5, None)
    with_access = gaps.rank(gaps.score_gaps(gaps.supply_frame(AREAS[AREAS["category"] == "p1"], KREIS, access=ACCESS, kreis_access=KREIS_ACCESS)))
    assert gaps.reason(with_access.set_index("area_id").loc["B"], reach).endswith(
        "Zielgruppe 1.000 Kinder; 80 % der Zielgruppe im Umkreis von 5 km (Kreis 60 %), im Mittel 3,0 km bis zum nächsten Angebot"
    )


def test_markdown_list_keeps_ranks_and_escapes_names():
    scored = gaps.score_gaps(gaps.supply_frame(AREAS.replace({"Berg": "Berg*Tal"}), KREIS))
    ranked = gaps.rank(scored)
    ranked["reason"] = [gaps.reason(r, WORDS) for _, r in ranked.iterrows()]
    view = gaps.GapView("sozialraum", "lebensphase", "offers_per_1000", None, scored, ranked, WORDS, None)
    text = gaps.top_list(view, ["p1"])
    assert text.startswith("**1. Berg\\*Tal · Phase eins** (600 Rangpunkte)")
    assert "**2. Cleve · Phase eins** (200 Rangpunkte)  \nkein Angebot für „Phase eins“" in text
    table = gaps.ranking_table(view)
    assert table.columns.tolist() == ["Rang", "Sozialraum", "Lebensphase", "Zielgruppe", "Angebote", "Versorgungslücke", "Rangpunkte", "Begründung"]
    assert table["Versorgungslücke"].tolist() == ["60 %", "100 %"] and table["Rangpunkte"].tolist() == ["600", "200"]


def test_need_supply_figure_colours_by_the_chain_rule_with_kreis_lines():
    scored = gaps.score_gaps(gaps.supply_frame(AREAS, KREIS), SOCIAL, 10.0)
    social = gaps.SocialNeed("kinderarmut", "Kinderarmut", "%", 1, 2023, SOCIAL, 10.0, None)
    view = gaps.GapView("sozialraum", "lebensphase", "offers_per_1000", None, scored, gaps.rank(scored), WORDS, social)
    fig = gap_view.need_supply_figure(view, "p1")
    points = {t.name: list(t.text) for t in fig.data if t.mode != "lines"}
    assert points == {
        chain.STATUS_LABELS[chain.EMPTY]: ["Cleve"],
        chain.STATUS_LABELS[chain.WEAK]: ["Berg"],
        chain.STATUS_LABELS[chain.OK]: ["Aue"],
        chain.STATUS_LABELS[chain.NO_TARGET]: ["Dorf"],
    }
    weak = next(t for t in fig.data if t.name == chain.STATUS_LABELS[chain.WEAK])
    assert list(weak.x) == [12.0] and list(weak.y) == [2.0] and weak.marker.color == gap_view.POINT_COLOURS[chain.WEAK]
    dorf = next(t for t in fig.data if t.name == chain.STATUS_LABELS[chain.NO_TARGET])
    assert math.isnan(dorf.x[0]), "Dorf has no social value: no position on the need axis"
    lines = [(s["x0"], s["y0"]) for s in fig.layout.shapes]
    assert (0, 5.0) in lines and (0, 2.5) in lines and (10.0, 0) in lines, "Kreis supply, weak threshold, Kreis need"
    assert fig.layout.separators == ",."


def test_population_note_names_categories_with_an_older_year():
    kreis = pd.DataFrame({"category": ["a", "b", "c", "d"], "population_year": [2023, 2023, 2015, 2015]})
    labels = {"d": "0 bis 3 Jahre", "c": "3 bis 6 Jahre", "a": "6 bis 10 Jahre", "b": "10 bis 14 Jahre"}
    assert coverage_dimensions.population_note(kreis, labels) == (
        "Zielgruppen: Bevölkerung am 31.12.2023; 31.12.2015 für 0 bis 3 Jahre, 3 bis 6 Jahre."
    ), "ties go to the latest year; the others listed in chain order"
    assert coverage_dimensions.population_years(kreis) == [2023, 2015]
    assert coverage_dimensions.population_note(kreis.iloc[:2], labels) == "Zielgruppen: Bevölkerung am 31.12.2023."


# --- real data: Kreis Düren with the official NRW school list ---------------------------------------------------

@pytest.fixture(scope="module")
def dueren(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Context:
    out = tmp_path_factory.mktemp("dueren") / "05358_dueren.duckdb"
    build([REPO_ROOT / "config" / "05358_dueren.toml"], out, say=lambda _msg: None)
    return Context(queries.Database(str(out), out.stat().st_mtime), "05358", "Kreis Düren", 2024, False)


def test_dueren_chain_has_the_schools_and_says_which_phases_have_no_list(dueren: Context):
    assert coverage_dimensions.levels(dueren)[-1] == "gemeinde"
    m = chain.build_matrix(dueren, "gemeinde", "lebensphase", "offers", areas_as_rows=True)
    assert len(m.table) == 15 + 1, "the 15 Gemeinden of the Kreis and the Kreis"
    kreis = m.cells[m.cells["is_kreis"]].set_index("category")
    with connect(Path(dueren.db.path), read_only=True) as con:
        primary = con.execute(
            "SELECT count(*) FROM offers WHERE kreis_id = '05358' AND offer_type IN ('grundschule', 'foerderschule')"
        ).fetchone()[0]
    assert kreis.loc["6-10", "offers"] == primary and primary >= 40, "primary and special schools serve 6 to 10"
    # nearly every Gemeinde has a primary school; the school list holds no Kitas, counselling or senior offers
    per_gemeinde = m.cells[~m.cells["is_kreis"] & (m.cells["category"] == "6-10")]
    assert (per_gemeinde["status"] == chain.EMPTY).sum() <= 2
    for phase in ("0-3", "3-6", "eltern", "65plus"):  # no list holds them: not captured, not "kein Angebot"
        assert kreis.loc[phase, "status"] == chain.NOT_CAPTURED
    assert m.population_note.startswith("Zielgruppen: Bevölkerung am 31.12.")

    social = gaps.social_options(dueren, "gemeinde")
    assert social and social[0] in ("kinderarmut", "sgb2_je_100_ew", "mindestsicherungsquote")
    view = gaps.build_view(dueren, "gemeinde", "lebensphase", social_id=social[0])
    assert {"0 bis 3 Jahre", "65 Jahre und älter"} <= set(view.not_captured), "no list, no ranking"
    assert set(view.ranked["category"]) <= {"6-10", "10-14", "14-18", "18-27"}
    assert view.ranked["reason"].str.contains(view.social.label, regex=False).all()
    assert view.ranked["score"].is_monotonic_decreasing


def test_kreis_row_of_the_turned_matrix_is_tinted_and_stays_red_where_empty():
    cells = chain.cell_frame(AREAS, KREIS, chain.METRICS["offers_per_1000"])
    m = chain.matrix(cells, ROWS, areas_as_rows=True, dimension="lebensphase")
    styler = chain_view.styled(m)
    styler._compute()
    css = {(r, m.table.columns[c]): dict(pairs) for (r, c), pairs in styler.ctx.items()}
    assert css[(0, "Phase eins")] == {"background-color": chain_view.KREIS_BACKGROUND, "font-weight": "bold"}
    assert css[(0, "Phase zwei ¹")] == {"background-color": chain.STATUS_COLOURS[chain.EMPTY], "font-weight": "bold"}
    assert css[(0, "Gebiet")] == {"font-weight": "bold"}
    assert css[(1, "Phase eins")] == {"background-color": chain.STATUS_COLOURS[chain.OK]}
