"""Back-cast of the Hamilton–Perry projection on real data (issue 13 point 5): every Gemeinde projected from the
Zensus 2011 (09.05.2011, 11 age groups) and the Fortschreibung of 31.12.2015 (17 age groups) to a later known count.

Later counts in ../shared/data: the Kreis's 17 age groups of 31.12.2018 (12411-02-03-5-B, Kreise only) and the
Zensus 2022 people per Gemeinde (15.05.2022, no age groups). The 2018 table is not in the shipped configs (the
Kreis would then count its target groups of 2018 while its Gemeinden count 2015, see docs/DECISIONS.md), so this
module builds each county from its shipped config plus that table.

Tolerances come from the measured errors (printed with -s): children under 6 in the Kreis 2018 are off by
−0.6 % (Trier-Saarburg), −6.5 % (Düren), −3.6 % (Siegen-Wittgenstein) and −9.2 % (Werra-Meißner); all ages by
−1.0 … +2.4 %. The bounds (12 % and 5 %) leave room for a rebuilt extract, not for a broken method: spreading the
Zensus groups wrongly or shifting cohorts by whole years the wrong way moves these by far more.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from etl.build import build
from planning import projection as pr
from planning.db import Database

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIGS = {"07235": "07235_trier-saarburg", "05358": "05358_dueren", "05970": "05970_siegen-wittgenstein", "06636": "06636_werra-meissner"}
TABLE_2018 = '''
[[statistics]]
table = "12411-02-03-5-B"
path = "statistics/population_regionalstatistik/12411-02-03-5-B_2018_Kreisebene_4kreise_latin1.csv"
'''
UNDER_6_TOLERANCE = 12.0  # % of the observed children under 6 in the Kreis
TOTAL_TOLERANCE = 5.0  # % of the observed people of all ages in the Kreis


@pytest.fixture(scope="module")
def county_db(shared_data, tmp_path_factory):
    """kreis_id → a Database built from the shipped config plus the Kreis age groups of 31.12.2018."""
    folder, built = tmp_path_factory.mktemp("backcast"), {}

    def get(kreis: str) -> Database:
        if kreis not in built:
            shipped = REPO_ROOT / "config" / f"{CONFIGS[kreis]}.toml"
            text = shipped.read_text(encoding="utf-8").replace('path = "sozialraeume/', f'path = "{shipped.parent}/sozialraeume/')
            config = folder / shipped.name
            config.write_text(text + TABLE_2018, encoding="utf-8")
            out = folder / f"{kreis}.duckdb"
            build([config], out, say=lambda _msg: None)
            built[kreis] = Database(str(out), os.path.getmtime(out))
        return built[kreis]

    return get


def _print(title: str, rows) -> None:
    print(f"\n{title}")
    print(rows.round(1).to_string(index=False))


def test_trier_saarburg_kreis_2018_per_age_group(county_db):
    db = county_db("07235")
    rows, base, h = pr.county_backcast(db, "07235", 2018)
    _print(f"Trier-Saarburg: Zensus 09.05.2011 + 31.12.{base} (h = {h:.2f}) → 31.12.2018, Kreis", rows)
    assert base == 2015 and h == pytest.approx(4.646, abs=0.001)
    assert list(rows["age_group"]) == [*pr.GROUP_IDS, "unter 6", "insgesamt"], "every age group has an error"
    row = rows.set_index("age_group")
    assert row.loc["unter 6", "observed"] == 4064 + 4262  # the file's Kreis row: unter 3 + 3 bis unter 6
    assert row.loc["unter 6", "projected"] == pytest.approx(row.loc["bev_u3", "projected"] + row.loc["bev_3_6", "projected"])
    assert row.loc["unter 6", "ape"] <= UNDER_6_TOLERANCE
    assert row.loc["insgesamt", "ape"] <= TOTAL_TOLERANCE


def test_the_exact_interval_beats_a_whole_year_one(county_db):
    """Taking the Zensus for 31.12.2011 (h = 4) credits 4.65 years of growth (2011–2015, +4 %) to 4 years and
    projects more people than with the exact 4.65 years; rounding to 5 years is nearly the same as exact."""
    db = county_db("07235")
    exact = pr.county_backcast(db, "07235", 2018)[0].set_index("age_group")
    four = pr.county_backcast(db, "07235", 2018, h=4)[0].set_index("age_group")
    five = pr.county_backcast(db, "07235", 2018, h=5)[0].set_index("age_group")
    table = exact[["observed"]].assign(exact=exact["error"], h4=four["error"], h5=five["error"]).reset_index()
    _print("Trier-Saarburg 2018: error in % with h = 4.65 / 4 / 5", table)
    assert four.loc["insgesamt", "projected"] > exact.loc["insgesamt", "projected"]
    assert abs(exact.loc["insgesamt", "error"]) < abs(four.loc["insgesamt", "error"])
    assert abs(exact.loc["insgesamt", "error"] - five.loc["insgesamt", "error"]) < 1.0


@pytest.mark.parametrize("kreis", ["05358", "05970", "06636"])
def test_other_counties_kreis_2018(county_db, kreis):
    rows, base, h = pr.county_backcast(county_db(kreis), kreis, 2018)
    _print(f"{CONFIGS[kreis]}: → 31.12.2018, Kreis", rows)
    row = rows.set_index("age_group")
    assert len(rows) == len(pr.GROUP_IDS) + 2
    assert row.loc["unter 6", "ape"] <= UNDER_6_TOLERANCE and row.loc["insgesamt", "ape"] <= TOTAL_TOLERANCE


def test_trier_saarburg_gemeinden_against_the_zensus_2022(county_db):
    """All ages per Gemeinde and Verbandsgemeinde (the Zensus 2022 has no age groups per Gemeinde here)."""
    db = county_db("07235")
    rows = pr.gemeinde_total_backcast(db, "07235")
    summary = rows.groupby("level").agg(
        compared=("ape", "size"), mape=("ape", "mean"), median_ape=("ape", "median"), alpe=("alpe", "mean"),
        mean_error=("error", "mean"), max_ape=("ape", "max"),
    ).reset_index()  # fmt: skip
    _print("Trier-Saarburg: Zensus 2011 + 2015 → Zensus 15.05.2022, all ages", summary)
    _print("largest errors", rows.sort_values("ape", ascending=False).head(5))
    counts = dict(zip(summary["level"], summary["compared"]))
    assert counts == {"gemeinde": 104, "verbandsgemeinde": 6}
    gemeinden = rows[rows["level"] == "gemeinde"]
    assert gemeinden["ape"].median() <= 10.0
    # Hermeskeil grew from 5,811 (2014) to 7,122 (2015) and counted 6,461 in 2022: a one-off jump carried forward
    assert gemeinden.sort_values("ape").iloc[-1]["area_id"] == "07235045"


def test_the_page_sentence_takes_the_kreis_2018(county_db):
    """Where the Kreis's age groups of a later year are loaded, the section's back-cast sentence uses them."""
    from planning import projection_outlook
    from planning.context import Context

    db = county_db("07235")
    ctx = Context(db, "07235", "Trier-Saarburg", 2015, False)
    text = projection_outlook.quality_text(ctx, pr.county_projection(db, "07235"), list(pr.UNDER_6))
    assert text == "Rückrechnung Zensus 2011 + 2015 → 2018: Kinder unter 6 Jahren im Kreis −0,6 %."
