"""Suggested locations (planning/locations.py): MCLP on small instances whose optimum is known.

Instance "greedy trap" (coverage given as a cost matrix, reach 1):
    people  p1 = p2 = p3 = p4 = 10, p5 = 8, p6 = 9
    A reaches p1–p4 (40), B reaches p1, p2, p5 (28), C reaches p3, p4, p6 (29)
For k = 2 taking the largest first (A, then C: 49) is not best: B + C reach all six (57), A + B 48, A + C 49.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from planning import locations as loc

PEOPLE = {"p1": 10.0, "p2": 10.0, "p3": 10.0, "p4": 10.0, "p5": 8.0, "p6": 9.0}
REACHES = {"A": ["p1", "p2", "p3", "p4"], "B": ["p1", "p2", "p5"], "C": ["p3", "p4", "p6"]}


def _demand() -> pd.DataFrame:
    return pd.DataFrame({"point_id": list(PEOPLE), "weight": list(PEOPLE.values()), "x": 0.0, "y": 0.0, "area_id": "G1"})


def _candidates(ids=("A", "B", "C")) -> pd.DataFrame:
    return pd.DataFrame({"candidate_id": list(ids), "label": list(ids), "kind": loc.GEMEINDE_CENTRE, "x": 0.0, "y": 0.0})


def _costs(reaches: dict) -> pd.DataFrame:
    return pd.DataFrame([(p, site, 0.5) for site, points in reaches.items() for p in points], columns=["point_id", "site_id", "cost"])


NO_OFFERS = pd.DataFrame({"offer_id": pd.Series(dtype=str), "x": pd.Series(dtype=float), "y": pd.Series(dtype=float)})


def test_mclp_finds_the_optimum_greedy_misses():
    result = loc.suggest_sites(_demand(), _candidates(), NO_OFFERS, 2, 1.0, costs=_costs(REACHES), reach_text="1 min")
    assert set(result.sites["candidate_id"]) == {"B", "C"}
    assert result.covered_after == pytest.approx(57.0) and result.covered_before == 0
    # gains in order of each site's own reach: C (29) first, then B adds p1, p2, p5 (28); they add up
    assert result.sites["gain"].tolist() == pytest.approx([29.0, 28.0])
    assert "MCLP" in result.method_text and "1 min" in result.method_text


def test_existing_offers_count_as_covering():
    costs = pd.concat([_costs(REACHES), _costs({"K1": ["p1", "p2", "p3", "p4"]})], ignore_index=True)
    existing = pd.DataFrame({"offer_id": ["K1"], "x": [0.0], "y": [0.0]})
    result = loc.suggest_sites(_demand(), _candidates(), existing, 1, 1.0, costs=costs)
    assert result.covered_before == pytest.approx(40.0)
    assert result.sites["candidate_id"].tolist() == ["C"] and result.sites["gain"].iloc[0] == pytest.approx(9.0)


def test_social_factor_changes_the_choice():
    # p5 counts twice: A 40, B 10 + 10 + 16 = 36, C 29 – A stays best
    factors = np.array([1, 1, 1, 1, 2.0, 1])
    result = loc.suggest_sites(_demand(), _candidates(), NO_OFFERS, 1, 1.0, factors=factors, costs=_costs(REACHES))
    assert result.sites["candidate_id"].tolist() == ["A"]
    # and p1–p4 live where need is low (0,5): A 20, B 5 + 5 + 16 = 26, C 5 + 5 + 9 = 19 – B wins
    factors = np.array([0.5, 0.5, 0.5, 0.5, 2.0, 1])
    result = loc.suggest_sites(_demand(), _candidates(), NO_OFFERS, 1, 1.0, factors=factors, costs=_costs(REACHES))
    assert result.sites["candidate_id"].tolist() == ["B"] and result.weighted
    assert result.sites["gain"].iloc[0] == pytest.approx(28.0) and result.sites["gain_weighted"].iloc[0] == pytest.approx(26.0)
    values = pd.Series({"G1": 30.0, "G2": 5.0})
    assert loc.social_weights(pd.Series(["G1", "G2", "G3"]), values, 10.0).tolist() == [2.0, 0.5, 1.0]


def test_mclp_equals_brute_force_on_a_random_plane():
    rng = np.random.default_rng(7)
    demand = pd.DataFrame({"point_id": range(40), "weight": rng.integers(1, 50, 40).astype(float),
                           "x": rng.uniform(0, 10000, 40), "y": rng.uniform(0, 10000, 40)})  # fmt: skip
    candidates = pd.DataFrame({"candidate_id": [f"c{i}" for i in range(9)], "label": "", "kind": "",
                               "x": rng.uniform(0, 10000, 9), "y": rng.uniform(0, 10000, 9)})  # fmt: skip
    cover = loc.coverage_matrix(demand, candidates, 2500).toarray()
    best = max(demand["weight"].to_numpy()[cover[:, list(c)].any(axis=1)].sum() for c in itertools.combinations(range(9), 3))
    result = loc.suggest_sites(demand, candidates, NO_OFFERS, 3, 2500)
    assert result.covered_after == pytest.approx(best)
    assert result.sites["gain"].sum() == pytest.approx(best)


def test_candidates_are_gemeinde_centres_and_schools():
    import geopandas as gpd
    from shapely.geometry import box

    gemeinden = gpd.GeoDataFrame({"area_id": ["G1"], "name": ["Eins"]}, geometry=[box(0, 0, 1000, 1000)], crs="EPSG:25832")
    offers = pd.DataFrame({"offer_id": ["s1", "k1"], "name": ["Grundschule", "Kita"], "offer_type": ["grundschule", "kita"], "x": [1.0, 2.0], "y": [1.0, 2.0]})
    sites = loc.candidate_sites(gemeinden, offers, "kita")
    assert sites["candidate_id"].tolist() == ["gemeinde:G1", "angebot:s1"]
    assert sites["kind"].tolist() == [loc.GEMEINDE_CENTRE, loc.PUBLIC_BUILDING]


def test_county_suggestion_on_the_demo(demo_db):
    import os

    from planning.db import Database

    db = Database(str(demo_db), os.path.getmtime(demo_db))
    result = loc.county_suggestion(db, "99001", "familienzentrum", 3, 3000.0)
    assert 1 <= len(result.sites) <= 3 and (result.sites["gain"] > 0).all()
    assert result.covered_after == pytest.approx(result.covered_before + result.sites["gain"].sum())
    assert result.covered_after <= result.people + 1e-6


# --- p-median (kürzeste mittlere Wege) ----------------------------------------------------------------------------------
#
# Four points of 10 people each on a line (km): 0, 2, 10, 12; candidates A at 1, B at 11, C at 6.
#   k = 1, no offer yet: A 10·(1+1+9+11) = 220, B 10·(11+9+1+1) = 220, C 10·(6+4+4+6) = 200 → C (mean 5 km)
#   k = 2: A+B 10·(1+1+1+1) = 40 (mean 1 km), A+C = B+C 10·(1+1+4+6) = 120 → A+B, though C is the best single site
#   k = 1 with an existing offer at 12 (ways 12, 10, 2, 0; mean 6 km): A min(·) 1, 1, 2, 0 → 40, B 11, 9, 1, 0 → 210,
#     C 6, 4, 2, 0 → 120 → A (mean 1 km, 5 km shorter; nearest offer for the 20 people at 0 and 2)

LINE = pd.DataFrame({"point_id": ["p0", "p2", "p10", "p12"], "weight": 10.0, "x": [0.0, 2000.0, 10000.0, 12000.0], "y": 0.0, "area_id": "G1"})
ABC = pd.DataFrame({"candidate_id": ["A", "B", "C"], "label": ["A", "B", "C"], "kind": loc.GEMEINDE_CENTRE, "x": [1000.0, 11000.0, 6000.0], "y": 0.0})
AT_12 = pd.DataFrame({"offer_id": ["K"], "x": [12000.0], "y": [0.0]})


def test_p_median_single_site_without_offers():
    result = loc.suggest_p_median(LINE, ABC, NO_OFFERS, 1, 5000.0)
    assert result.sites["candidate_id"].tolist() == ["C"] and result.objective == loc.P_MEDIAN
    assert result.mean_before_km is None and result.mean_after_km == pytest.approx(5.0)
    assert np.isnan(result.sites["gain"].iloc[0])  # no offer before: the first site has no comparison
    assert loc.sites_table(result).iloc[0, 2] == "–" and "kein Angebot der Art" in loc.summary_text(result)
    assert result.covered_after == pytest.approx(20.0)  # 6, 4, 4, 6 km: two points within 5 km


def test_p_median_finds_the_pair_the_best_single_site_misses():
    result = loc.suggest_p_median(LINE, ABC, NO_OFFERS, 2, 5000.0)
    assert set(result.sites["candidate_id"]) == {"A", "B"}
    assert result.mean_after_km == pytest.approx(1.0)
    assert result.sites["served"].tolist() == pytest.approx([20.0, 20.0])


def test_an_existing_offer_changes_the_p_median_optimum():
    result = loc.suggest_p_median(LINE, ABC, AT_12, 1, 5000.0)
    assert result.sites["candidate_id"].tolist() == ["A"]
    assert result.mean_before_km == pytest.approx(6.0) and result.mean_after_km == pytest.approx(1.0)
    site = result.sites.iloc[0]
    assert site["gain"] == pytest.approx(5.0) and site["alone"] == pytest.approx(5.0) and site["served"] == pytest.approx(20.0)
    assert result.covered_before == pytest.approx(20.0) and result.covered_after == pytest.approx(40.0)
    table = loc.sites_table(result)
    assert list(table.columns) == ["Standort", "Art", "Mittlerer Weg kürzer (km)", "Nächstes Angebot für (Pers.)"]
    assert table.iloc[0, 2] == "5,00"
    assert "p-Median" in result.method_text and "Luftlinie" in result.method_text and "4 Einheiten (1-km-Quadrate" in result.method_text
    assert "6,0 km" in loc.summary_text(result) and "1,0 km" in loc.summary_text(result)


def test_p_median_equals_brute_force_on_a_random_plane():
    rng = np.random.default_rng(11)
    demand = pd.DataFrame({"point_id": range(60), "weight": rng.integers(1, 50, 60).astype(float),
                           "x": rng.uniform(0, 20000, 60), "y": rng.uniform(0, 20000, 60)})  # fmt: skip
    candidates = pd.DataFrame({"candidate_id": [f"c{i}" for i in range(10)], "label": "", "kind": "",
                               "x": rng.uniform(0, 20000, 10), "y": rng.uniform(0, 20000, 10)})  # fmt: skip
    existing = pd.DataFrame({"offer_id": ["e1", "e2"], "x": [2000.0, 18000.0], "y": [2000.0, 15000.0]})
    xy, w = demand[["x", "y"]].to_numpy(), demand["weight"].to_numpy()
    ways = np.hypot(xy[:, None, 0] - candidates["x"].to_numpy()[None], xy[:, None, 1] - candidates["y"].to_numpy()[None])
    before = np.hypot(xy[:, None, 0] - existing["x"].to_numpy()[None], xy[:, None, 1] - existing["y"].to_numpy()[None]).min(axis=1)
    best = min(w @ np.minimum(before, ways[:, list(c)].min(axis=1)) for c in itertools.combinations(range(10), 3))
    result = loc.suggest_p_median(demand, candidates, existing, 3, 5000.0, cell_m=1.0)  # 1-m squares: no point merged
    assert result.mean_after_km * 1000 * w.sum() == pytest.approx(best)
    assert result.sites["gain"].sum() == pytest.approx(result.mean_before_km - result.mean_after_km)
    assert result.sites["gain"].is_monotonic_decreasing  # each next site shortens the way less


def test_p_median_demand_units_and_their_limit(monkeypatch):
    xy = np.array([[100.0, 100.0], [900.0, 100.0], [1500.0, 100.0]])
    units, text = loc.demand_units(xy, np.array([1.0, 3.0, 2.0]), np.array([[0.0, 0.0]]), np.zeros((0, 2)))
    assert units[["x", "weight"]].to_numpy().tolist() == [[700.0, 4.0], [1500.0, 2.0]]  # weighted centre of the first square
    assert text.startswith("2 Einheiten (1-km-Quadrate")
    monkeypatch.setattr(loc, "PAIR_BUDGET", 1)  # one candidate, no offer: two units are two pairs – the squares grow
    units, text = loc.demand_units(xy, np.array([1.0, 3.0, 2.0]), np.array([[0.0, 0.0]]), np.zeros((0, 2)))
    assert len(units) == 1 and units["weight"].iloc[0] == 6.0 and "2-km-Quadrate" in text


def test_county_p_median_on_the_demo(demo_db):
    import os

    from planning.db import Database

    db = Database(str(demo_db), os.path.getmtime(demo_db))
    result = loc.county_suggestion(db, "99001", "familienzentrum", 3, 3000.0, objective=loc.P_MEDIAN)
    assert 1 <= len(result.sites) <= 3 and (result.sites["gain"] > 0).all()
    assert result.mean_after_km < result.mean_before_km
    assert result.sites["gain"].sum() == pytest.approx(result.mean_before_km - result.mean_after_km)
