"""Capacity-weighted accessibility (planning/accessibility.py) against a small example computed by hand.

Four population points and three offers on a line (metres), catchment 5 km:

    P1 x=0 (100 people)   P2 x=3 km (200)   P3 x=8 km (100)   P4 x=20 km (50)
    A  x=1 km (30 places) B  x=6 km (60)    C  x=10 km (10)

2SFCA step 1: A reaches P1+P2 = 300 people → 30/300 = 0,1; B reaches P2+P3 = 300 → 0,2; C reaches P3 = 100 → 0,1.
Step 2: P1 = 0,1; P2 = 0,1 + 0,2 = 0,3; P3 = 0,2 + 0,1 = 0,3; P4 = 0 (nothing within 5 km).
Gravity (β = 1, per km): P1 = 30/1 = 30; P2 = 30/2 + 60/3 = 35; P3 = 60/2 + 10/2 = 35; P4 = 0.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planning import accessibility as acc


def _demand() -> pd.DataFrame:
    return pd.DataFrame({
        "point_id": [1, 2, 3, 4], "area_id": ["G1", "G1", "G2", "G2"],
        "weight": [100.0, 200.0, 100.0, 50.0], "x": [0.0, 3000.0, 8000.0, 20000.0], "y": [0.0] * 4,
    })  # fmt: skip


def _offers(extra: list[tuple] = ()) -> pd.DataFrame:
    rows = [("A", 1000.0, 30.0), ("B", 6000.0, 60.0), ("C", 10000.0, 10.0), *extra]
    return pd.DataFrame({"offer_id": [r[0] for r in rows], "x": [r[1] for r in rows], "y": 0.0, "kapazitaet": [r[2] for r in rows]})


def _values(result: acc.AccessResult, column: str = "access") -> list[float]:
    return result.points.set_index("point_id")[column].reindex([1, 2, 3, 4]).tolist()


def test_two_step_floating_catchment_by_hand():
    result = acc.capacity_access(_demand(), _offers(), acc.AccessParams(acc.TWO_STEP, 5000))
    assert _values(result) == pytest.approx([0.1, 0.3, 0.3, 0.0])
    # every place is shared out exactly once when everybody who can reach an offer is counted
    assert (result.points["weight"] * result.points["access"]).sum() == pytest.approx(100.0)
    assert result.unit == "Plätze je 100 Personen der Zielgruppe"
    assert "2SFCA" in result.method_text and "5 km Luftlinie" in result.method_text


def test_enhanced_two_step_with_distance_steps_by_hand():
    result = acc.capacity_access(_demand(), _offers(), acc.AccessParams(acc.ENHANCED, 5000))
    # weights 1 (≤ 1,67 km), 0,68 (≤ 3,33 km), 0,22 (≤ 5 km): A sees 100 + 0,68·200 = 236, B 0,68·(200 + 100) = 204,
    # C 0,68·100 = 68
    expected = [30 / 236, 0.68 * 30 / 236 + 0.68 * 60 / 204, 0.68 * 60 / 204 + 0.68 * 10 / 68, 0.0]
    assert _values(result) == pytest.approx(expected)
    assert "0,68" in result.method_text


def test_gravity_by_hand():
    result = acc.capacity_access(_demand(), _offers(), acc.AccessParams(acc.GRAVITY, 5000, gravity_beta=1.0))
    assert _values(result, "potential") == pytest.approx([30.0, 35.0, 35.0, 0.0])
    assert result.unit == "Plätze (entfernungsgewichtet)"


def test_added_offer_changes_access_only_within_its_catchment():
    before = acc.capacity_access(_demand(), _offers())
    after = acc.capacity_access(_demand(), _offers([("D", 20000.0, 5.0)]))
    change = acc.difference(before, after).set_index("point_id")["change"]
    assert change[[1, 2, 3]].tolist() == pytest.approx([0.0, 0.0, 0.0])  # P3 is 12 km from D
    assert change[4] == pytest.approx(5 / 50)


def test_area_values_are_population_weighted_per_100():
    result = acc.capacity_access(_demand(), _offers())
    members = pd.DataFrame({"gemeinde_id": ["G1", "G2"], "area_id": ["G1", "G2"]})
    areas = acc.by_area(result, members).set_index("area_id")
    assert areas.loc["G1", "value"] == pytest.approx((100 * 0.1 + 200 * 0.3) / 300 * 100)
    assert areas.loc["G2", "value"] == pytest.approx((100 * 0.3 + 50 * 0.0) / 150 * 100)
    kreis = acc.by_area(result, pd.DataFrame({"gemeinde_id": ["G1", "G2"], "area_id": "K"}))
    assert kreis["people"].iloc[0] == 450


def test_offers_without_capacity_count_with_the_median_or_as_one_offer():
    offers = _offers()
    offers.loc[offers["offer_id"] == "C", "kapazitaet"] = np.nan
    result = acc.capacity_access(_demand(), offers)
    assert result.offers_filled == 1 and "Median" in result.fallback_text and "45" in result.fallback_text
    none_known = _offers().assign(kapazitaet=np.nan)
    counted = acc.capacity_access(_demand(), none_known)
    assert counted.unit.startswith("Angebote") and "als 1 Angebot" in counted.fallback_text
    assert _values(counted) == pytest.approx([1 / 300, 1 / 300 + 1 / 300, 1 / 300 + 1 / 100, 0.0])


def test_a_travel_time_matrix_replaces_straight_lines():
    costs = pd.DataFrame({"point_id": [1, 2, 4], "offer_id": ["A", "A", "C"], "cost": [5.0, 12.0, 14.0]})
    result = acc.capacity_access(_demand(), _offers(), acc.AccessParams(acc.TWO_STEP, 15.0, cost_unit="min"), costs=costs)
    # A: 30 places for 300 people; C: 10 places for 50 people; P3 reaches nothing in the matrix
    assert _values(result) == pytest.approx([0.1, 0.1, 0.0, 0.2])
    assert "15 min Reisezeit" in result.method_text


def test_county_access_on_the_demo_uses_the_builds_lattice_exactly(demo_db):
    import os

    from planning import queries
    from planning.db import Database

    db = Database(str(demo_db), os.path.getmtime(demo_db))
    result = acc.county_access(db, "99001", "kita", acc.AccessParams(acc.TWO_STEP, 5000))
    assert acc.AT_GEMEINDE_CENTRE not in result.method_text  # the lattice was laid again point by point
    assert len(result.points) == queries.population_points(db, "99001")["point_id"].nunique()
    kreis = acc.by_area(result, queries.area_members(db, "99001", "kreis"))
    assert kreis["value"].iloc[0] > 0
    # with one catchment over the whole county, places shared out never exceed the places there are
    offers = queries.offers(db, "99001")
    places, _, _ = acc.supply_with_fallback(offers[offers["offer_type"] == "kita"])
    assert (result.points["weight"] * result.points["access"]).sum() <= places.sum() + 1e-6


def test_points_carry_the_target_group_of_each_gemeinde(demo_db):
    import os

    from planning import queries
    from planning.db import Database

    db = Database(str(demo_db), os.path.getmtime(demo_db))
    demand, basis = acc.demand_points(db, "99001", "kita")
    coverage = queries.coverage(db, "99001", "gemeinde", "angebotsart").query("category == 'kita'").set_index("area_id")
    per_gemeinde = demand.groupby("area_id")["weight"].sum()
    assert per_gemeinde.to_numpy() == pytest.approx(coverage["target_population"].reindex(per_gemeinde.index).fillna(0).to_numpy())
    assert "Kinder unter 3 Jahren" in basis


def test_spread_target_splits_evenly_where_points_carry_nobody():
    points = pd.DataFrame({"gemeinde_id": ["G1", "G1", "G2", "G2"], "weight": [1.0, 3.0, 0.0, 0.0]})
    weights, spread = acc._spread_target(points, pd.Series({"G1": 40.0, "G2": 10.0}))
    assert spread and weights.tolist() == pytest.approx([10.0, 30.0, 5.0, 5.0])
