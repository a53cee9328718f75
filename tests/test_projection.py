"""Hamilton–Perry projection (planning/projection.py) against ratios computed by hand, and back-casting.

Fixture "even": every single year of age holds 10 people at t0 = 2020 and 11 at t1 = 2023 (h = 3), so each age
group is 10 (or 11) × its width; "75 and over" spans the 15 years 75–89.
By hand: CCR(a) = 11 / 10 = 1,1 for 3 ≤ a < 89; the oldest age takes ages 86–89 of t0: 11 / 40 = 0,275; children
0–2 per person 15–44: 11 / (30 · 11) = 1/30. In 2026 every single year then holds 1,1 · 11 = 12,1 people
(children: 1/30 · 30 · 12,1), so every group is 12,1 × its width.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from planning import projection as pr


def _long(area: str, year: int, per_year: float) -> pd.DataFrame:
    return pd.DataFrame([(area, g, year, per_year * (hi - lo)) for g, lo, hi in pr.AGE_GROUPS], columns=["area_id", "indicator_id", "year", "value"])


def _even(areas=("G1",)) -> pd.DataFrame:
    return pd.concat([_long(a, 2020, 10.0) for a in areas] + [_long(a, 2023, 11.0) for a in areas], ignore_index=True)


def test_ratios_reproduce_the_hand_computed_ones():
    counts = _even()
    p0, p1 = pr.single_years(pr.wide_groups(counts, 2020)), pr.single_years(pr.wide_groups(counts, 2023))
    ccr, car = pr.cohort_ratios(p0, p1, 3)
    assert ccr[0, 3:89] == pytest.approx([1.1] * 86)
    assert ccr[0, 89] == pytest.approx(0.275)
    assert car[0, :3] == pytest.approx([1 / 30] * 3)
    assert np.isnan(ccr[0, :3]).all() and np.isnan(car[0, 3:]).all()


def test_projection_by_hand_and_interpolated_years():
    result = pr.project(_even(), years=[2026, 2029, 2030])
    values = result.values.set_index(["area_id", "age_group", "year"])
    widths = {g: hi - lo for g, lo, hi in pr.AGE_GROUPS}
    assert values.loc[("G1", "bev_u3", 2026), "value"] == pytest.approx(12.1 * 3)
    assert values.loc[("G1", "bev_75plus", 2026), "value"] == pytest.approx(12.1 * 15)
    for group, width in widths.items():
        assert values.loc[("G1", group, 2029), "value"] == pytest.approx(12.1 * 1.1 * width)
    # 2030 lies between the steps 2029 and 2032: a third of the way
    assert values.loc[("G1", "bev_6_10", 2030), "value"] == pytest.approx(4 * (13.31 + (14.641 - 13.31) / 3))
    assert values.loc[("G1", "bev_u3", 2023), "kind"] == pr.OBSERVED_LABEL
    assert values.loc[("G1", "bev_u3", 2026), "kind"] == pr.PROJECTION_LABEL
    assert result.base == (2020, 2023) and "Hamilton–Perry" in result.method_text and "Keine Prognose" in result.method_text


def test_small_cohorts_take_the_kreis_ratio_and_areas_are_summed():
    counts = _even(("G1", "G2"))
    tiny = counts["area_id"].eq("G2") & counts["year"].eq(2020) & counts["indicator_id"].eq("bev_u3")
    counts.loc[tiny, "value"] = 0.0  # nobody aged 0–2 in G2 in 2020: ages 3–5 in 2023 get the Kreis ratio
    members = pd.DataFrame({"gemeinde_id": ["G1", "G2"], "area_id": ["SR1", "SR1"]})
    result = pr.project(counts, members, years=[2026])
    values = result.values.set_index(["area_id", "age_group", "year"])["value"]
    kreis_ratio = 22 / 10  # the Kreis: 11 + 11 aged 3 in 2023 from 10 + 0 aged 0 in 2020
    # 2026 ages 3–5 = 2023 ages 0–2 (11 each) × the Kreis's ratio; G1 keeps its own 1,1
    assert values[("G2", "bev_3_6", 2026)] == pytest.approx(3 * 11 * kreis_ratio)
    assert values[("G1", "bev_3_6", 2026)] == pytest.approx(3 * 11 * 1.1)
    assert values[("G2", "bev_6_10", 2026)] == pytest.approx(4 * 12.1)
    assert values[("SR1", "bev_u3", 2026)] == pytest.approx(values[("G1", "bev_u3", 2026)] + values[("G2", "bev_u3", 2026)])


def test_controlled_to_a_kreis_total_and_range_from_other_bases():
    counts = pd.concat([_even(), _long("G1", 2022, 10.5)], ignore_index=True)
    result = pr.project(counts, years=[2028], kreis_totals={2028: 1000.0})
    projected = result.values[result.values["kind"] == pr.PROJECTION_LABEL]
    assert projected["value"].sum() == pytest.approx(1000.0)
    assert result.controlled and result.alternative_bases == ((2022, 2023),)
    assert (projected["low"] <= projected["value"] + 1e-9).all() and (projected["high"] >= projected["value"] - 1e-9).all()
    assert (projected["high"] - projected["low"]).max() > 0


def test_backcast_is_exact_where_the_ratios_hold():
    # a population whose cohorts grow by 10 % every 3 years is projected exactly from 2017–2020 to 2023
    counts = pd.concat([_long("G1", 2017, 10 / 1.1), _long("G1", 2020, 10.0), _long("G1", 2023, 11.0)], ignore_index=True)
    rows, summary = pr.backcast(counts, (2017, 2020), 2023)
    inner = rows[rows["age_group"] != "bev_75plus"]  # the open group shrinks by 0,275 · 4 ages, as by hand
    assert inner["ape"].max() == pytest.approx(0.0, abs=1e-9)
    assert set(summary.columns) >= {"age_group", "mape", "median_ape", "alpe", "gemeinden"}


def test_backcast_on_the_demo(demo_db):
    import os

    from planning.db import Database

    db = Database(str(demo_db), os.path.getmtime(demo_db))
    counts = pr.county_counts(db, "99001")
    years = pr.complete_years(counts)
    assert len(years) >= 3
    rows, summary = pr.backcast(counts, (years[0], years[-3]), years[-1])
    inhabited = counts[(counts["year"] == years[-1]) & (counts["value"] > 0)]["area_id"].nunique()
    assert rows["area_id"].nunique() == inhabited and len(summary) == len(pr.AGE_GROUPS)
    print("\nBack-cast demo", years[0], years[-3], "→", years[-1])
    print(summary.round(1).to_string(index=False))
    assert summary["mape"].notna().all()
    projection = pr.county_projection(db, "99001", years=[2030, 2033])
    kreis = pr.target_group(projection, ["bev_u3"]).query("area_id == '99001'")
    assert set(kreis["year"]) == {years[-1], 2030, 2033}


def test_cohorts_of_a_fractional_interval_by_hand():
    # p[a] = a people aged a; h = 1,5: the cohort aged a later is aged a − 1,5 … a − 0,5 now, i.e. half of the
    # single year a − 2 and half of a − 1: (a − 2 + a − 1) / 2 = a − 1,5. The oldest (89) takes all aged 87,5 and
    # over: half of 87 plus 88 and 89 = 220,5. Ages 0 and 1 were (partly) unborn: they are tied to the adults.
    p = np.arange(pr.AGES, dtype=float)[None, :]
    earlier = pr.cohorts_earlier(p, 1.5)
    assert pr.first_cohort_age(1.5) == 2 and np.isnan(earlier[0, :2]).all()
    assert earlier[0, 2:89] == pytest.approx(np.arange(2, 89) - 1.5)
    assert earlier[0, 89] == pytest.approx(220.5)
    assert pr.cohorts_earlier(p, 3)[0, 3:89] == pytest.approx(np.arange(0, 86))  # whole years: the year a − h


def test_zensus_groups_and_a_fractional_interval_keep_a_stationary_population():
    # 10 people in every single year at the Zensus (11 coarse groups), 31.12.2015 (17 groups) and 31.12.2018:
    # every ratio is 1 (the oldest: 10 / 56,5 of those aged 84,35 and over), so the back-cast is exact
    zensus = pd.DataFrame([("G1", g, 2011, 10.0 * (hi - lo)) for g, lo, hi in pr.ZENSUS_2011_GROUPS], columns=["area_id", "indicator_id", "year", "value"])
    observed = pd.Series({g: 10.0 * (hi - lo) for g, lo, hi in pr.AGE_GROUPS})
    rows = pr.kreis_backcast(zensus, _long("G1", 2015, 10.0), observed, 2015, 2018)
    assert list(rows["age_group"]) == [*pr.GROUP_IDS, "unter 6", "insgesamt"]
    assert rows["ape"].max() == pytest.approx(0.0, abs=1e-9)
    assert rows.set_index("age_group").loc["unter 6", "observed"] == 60.0
    assert pr.interval_years(pr.ZENSUS_2011_DATE, date(2015, 12, 31)) == pytest.approx(4.646, abs=0.001)
    # a Kreis that grew by 10 % since the Zensus is projected to grow on: every group too high
    grown = pr.kreis_backcast(zensus, _long("G1", 2015, 11.0), observed, 2015, 2018)
    assert (grown["error"] > 0).all()


def test_backcast_on_real_data(shared_data):
    """Per Gemeinde and age group a back-cast needs the 17 age groups per Gemeinde in a later year than the base;
    Trier-Saarburg's real database has them for 2015 only. The back-cast from the Zensus 2011 to the Kreis's age
    groups of 2018 and to the Zensus 2022 per Gemeinde is in test_projection_backcast_real.py."""
    import os
    from pathlib import Path

    from planning.db import Database

    path = Path("/work/dbs/07235_trier-saarburg.duckdb")
    if not path.is_file():
        pytest.skip("no real Trier-Saarburg database at /work/dbs")
    counts = pr.county_counts(Database(str(path), os.path.getmtime(path)), "07235")
    years = pr.complete_years(counts)
    if len(years) < 3:
        pytest.skip(
            f"Trier-Saarburg: the 17 age groups per Gemeinde only for {years or 'no year'} – a back-cast per Gemeinde "
            "and age group needs them for a later year too (GENESIS 12411-02-03-5, e.g. 31.12.2018 or later, for the "
            "Gemeinden); the Kreis-level back-cast from the Zensus 2011 is in test_projection_backcast_real.py"
        )
    rows, summary = pr.backcast(counts, (years[0], years[-2]), years[-1])
    print(summary.round(1).to_string(index=False))


def test_places_per_100_children_in_a_projected_year(demo_db):
    import os

    from planning import queries
    from planning.db import Database

    db = Database(str(demo_db), os.path.getmtime(demo_db))
    rows = pr.projected_supply(db, "99001", "kita", "sozialraum", 2030).set_index("area_id")
    sozialraeume = queries.area_members(db, "99001", "sozialraum")["area_id"].dropna().unique()
    assert set(rows.index) == set(sozialraeume) and (rows["kind"] == pr.PROJECTION_LABEL).all()
    projection = pr.county_projection(db, "99001", years=[2030])
    children = pr.target_group(projection, ["bev_u3", "bev_3_6"]).query("year == 2030").set_index("area_id")["value"]
    first = rows.index[0]
    assert rows.loc[first, "target"] == pytest.approx(children[first])
    assert rows.loc[first, "per_100"] == pytest.approx(rows.loc[first, "capacity"] / children[first] * 100)
    assert (rows["per_100_low"] <= rows["per_100"] + 1e-9).all() and (rows["per_100"] <= rows["per_100_high"] + 1e-9).all()


def test_one_complete_year_is_projected_from_the_zensus_like_the_backcast():
    """Only 2015 has the 17 age groups (as in the real counties): the Zensus 2011 is the earlier base, with the
    exact interval, and the result is the back-cast's (same rule); no range from one base period."""
    zensus = pd.concat([
        pd.DataFrame([(a, g, 2011, per * (hi - lo)) for g, lo, hi in pr.ZENSUS_2011_GROUPS], columns=["area_id", "indicator_id", "year", "value"])
        for a, per in (("G1", 10.0), ("G2", 20.0))
    ], ignore_index=True)  # fmt: skip
    counts = pd.concat([_long("G1", 2015, 11.0), _long("G2", 2015, 19.0)], ignore_index=True)
    members = pd.DataFrame({"gemeinde_id": ["G1", "G2"], "area_id": ["K", "K"]})
    result = pr.project_with_zensus(zensus, counts, members, years=[2018, 2030])
    assert result.base == (2011, 2015) and result.alternative_bases == ()
    assert result.zensus_interval == pytest.approx(4.646, abs=0.001)
    assert "Basis: Zensus 09.05.2011 und Fortschreibung 31.12.2015, Intervall 4,65 Jahre" in result.method_text
    values = result.values.set_index(["area_id", "age_group", "year"])
    assert values.loc[("G1", "bev_u3", 2015), "kind"] == pr.OBSERVED_LABEL and values.loc[("G1", "bev_u3", 2015), "value"] == 33.0
    projected = values[values["kind"] == pr.PROJECTION_LABEL]
    assert (projected["low"] == projected["value"]).all() and (projected["high"] == projected["value"]).all()
    assert set(projected.index.get_level_values("year")) == {2018, 2030}
    # G1 grew by 10 %, G2 shrank by 5 % since the Zensus: carried forward
    assert values.loc[("G1", "bev_35_40", 2030), "value"] > 55.0 > 0 and values.loc[("G2", "bev_35_40", 2030), "value"] < 95.0
    for group in pr.GROUP_IDS:
        assert values.loc[("K", group, 2030), "value"] == pytest.approx(values.loc[("G1", group, 2030), "value"] + values.loc[("G2", group, 2030), "value"])
    # the same projection as the back-cast to 31.12.2018 (Kreis = G1 + G2)
    kreis = pr.kreis_backcast(zensus, counts, pd.Series(1.0, index=list(pr.GROUP_IDS)), 2015, 2018).set_index("age_group")
    for group in pr.GROUP_IDS:
        assert values.loc[("K", group, 2018), "value"] == pytest.approx(kreis.loc[group, "projected"])
