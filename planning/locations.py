"""Wo erreichen k neue Angebote der Art T die meisten Menschen der Zielgruppe innerhalb von d km?

A maximal-covering location problem (MCLP, Church & ReVelle 1974) solved with PySAL's ``spopt`` (CBC through
PuLP): among the candidate sites choose k so that as many people of the target group as possible live within
d km (straight line, or a passed travel-time matrix) of at least one offer of the type.

Rules a planner should know:
- People an existing offer of the type already reaches count as covered; a new site gains only people no
  existing offer reaches (the existing offers are fixed sites of the problem).
- Candidates are the Gemeinde centres (a representative point inside each Gemeinde) and, optionally, offers of
  other types that are public buildings (schools): a room there is often the cheapest start.
- Optionally people count more where the social situation is worse: the gap ranking's Sozialfaktor of their
  area (indicator value / Kreis value, limited to 0,5–2) multiplies their weight.
- The gain per site: the people the site adds, taken in the order of the sites' own reach, so that people two new
  sites both reach are counted once; the gains add up to the total gain.
- The optimum is exact (integer programme); with equal gains any of the equal solutions may be returned.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pulp
from scipy import sparse
from scipy.spatial import cKDTree
from spopt.locate import MCLP
from spopt.locate.base import FacilityModelBuilder

from geo.geometry import METRIC_CRS
from planning.context import Context
from planning.db import cached
from planning.formatting import number
from planning.gaps import NO_SOCIAL, SOCIAL_FACTOR_MAX, SOCIAL_FACTOR_MIN, social_need

PUBLIC_BUILDING_TYPES = ("grundschule", "weiterfuehrende_schule", "foerderschule", "berufliche_schule")
GEMEINDE_CENTRE, PUBLIC_BUILDING = "Gemeindemitte", "öffentliches Gebäude"


@dataclass(frozen=True)
class Suggestion:
    """The chosen sites with their gain, and what the whole choice achieves."""

    sites: pd.DataFrame  # candidate_id, label, kind, x, y, gain (people), gain_weighted, alone (people it reaches alone)
    people: float  # people of the target group in the Kreis
    covered_before: float  # reached by existing offers
    covered_after: float  # reached by existing and new offers
    reach_text: str
    weighted: bool

    @property
    def method_text(self) -> str:
        text = (f"Maximale Abdeckung (MCLP, gelöst mit spopt/CBC): {len(self.sites)} neue Standorte, die möglichst viele "
                f"Menschen der Zielgruppe erreichen, die noch kein Angebot im Umkreis von {self.reach_text} haben")  # fmt: skip
        if self.weighted:
            text += f"; nach Sozialfaktor gewichtet ({number(SOCIAL_FACTOR_MIN, 1)} bis {number(SOCIAL_FACTOR_MAX, 0)})"
        return text + "."


def coverage_matrix(demand: pd.DataFrame, sites: pd.DataFrame, reach: float, costs: pd.DataFrame | None = None, site_ids: pd.Series | None = None) -> sparse.csr_matrix:
    """Points × sites, True where the site is within ``reach``: straight lines from x/y (metres), or from a cost
    frame (point_id, site_id, cost) where one is given (``site_ids``: the sites' ids in it; pairs missing from
    it are out of reach)."""
    shape = (len(demand), len(sites))
    if len(demand) == 0 or len(sites) == 0:
        return sparse.csr_matrix(shape, dtype=bool)
    if costs is None:
        tree = cKDTree(sites[["x", "y"]].to_numpy(float))
        pairs = cKDTree(demand[["x", "y"]].to_numpy(float)).sparse_distance_matrix(tree, reach, output_type="ndarray")
        rows, cols = pairs["i"], pairs["j"]
    else:
        near = costs[costs["cost"] <= reach]
        rows = pd.Index(demand["point_id"]).get_indexer(near["point_id"])
        cols = pd.Index(site_ids).get_indexer(near["site_id"])
        keep = (rows >= 0) & (cols >= 0)
        rows, cols = rows[keep], cols[keep]
    return sparse.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=shape)


def social_weights(points_area: pd.Series, area_values: pd.Series, kreis_value: float | None) -> np.ndarray:
    """The gap ranking's Sozialfaktor for each point: its area's value / the Kreis value, limited to [0,5; 2],
    1 where the area has no value. ``points_area``: each point's area; ``area_values``: value by area."""
    if not kreis_value:
        return np.ones(len(points_area))
    factor = (points_area.map(area_values) / kreis_value).clip(SOCIAL_FACTOR_MIN, SOCIAL_FACTOR_MAX)
    return factor.fillna(1.0).to_numpy(float)


def suggest_sites(
    demand: pd.DataFrame, candidates: pd.DataFrame, existing: pd.DataFrame, k: int, reach: float,
    factors: np.ndarray | None = None, costs: pd.DataFrame | None = None, reach_text: str | None = None,
) -> Suggestion:
    """Choose ``k`` of ``candidates`` (candidate_id, label, kind, x, y) for the people in ``demand`` (point_id,
    weight, x, y) not yet reached by ``existing`` offers (offer_id, x, y). ``factors``: optional weight per point
    (Sozialfaktor). ``costs``: optional cost frame (point_id, site_id = candidate_id or offer_id, cost), e.g.
    travel times, instead of straight lines."""
    if k < 1:
        raise ValueError("k must be at least 1")
    people = demand["weight"].to_numpy(float)
    weights = people * (factors if factors is not None else 1.0)
    reached = np.asarray(coverage_matrix(demand, existing, reach, costs, existing.get("offer_id")).sum(axis=1)).ravel() > 0
    cover = coverage_matrix(demand, candidates, reach, costs, candidates["candidate_id"])
    open_rows = np.flatnonzero(~reached & (weights > 0) & (np.diff(cover.indptr) > 0))
    groups, group_weights = _identical_rows(cover[open_rows], weights[open_rows])
    chosen = _solve(groups, group_weights, min(k, len(candidates)))
    sites = _gains(candidates, chosen, cover[open_rows], people[open_rows], weights[open_rows])
    if len(sites):
        where = gpd.GeoSeries(gpd.points_from_xy(sites["x"], sites["y"]), crs=METRIC_CRS).to_crs("EPSG:4326")
        sites = sites.assign(lon=where.x.round(6).to_numpy(), lat=where.y.round(6).to_numpy())
    before = float(people[reached].sum())
    text = reach_text or f"{number(reach / 1000, 0 if reach % 1000 == 0 else 1)} km Luftlinie"
    return Suggestion(sites, float(people.sum()), before, before + float(sites["gain"].sum()), text, factors is not None)


def _identical_rows(cover: sparse.csr_matrix, weights: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Points reached by exactly the same candidates are one client with their weights summed: the problem
    shrinks from thousands of points to the distinct patterns without changing its optimum."""
    keys = [cover.indices[cover.indptr[i] : cover.indptr[i + 1]].tobytes() for i in range(cover.shape[0])]
    codes, first = pd.factorize(pd.Series(keys))
    summed = np.bincount(codes, weights=weights, minlength=len(first)) if len(keys) else np.zeros(0)
    representatives = pd.Series(range(len(keys))).groupby(codes).first().to_numpy() if len(keys) else np.zeros(0, int)
    return cover[representatives], summed


def _solve(cover: sparse.csr_matrix, weights: np.ndarray, k: int) -> list[int]:
    """spopt's MCLP with its coverage constraints written sparsely (spopt's own builder writes a term for every
    client × candidate pair, 0 or 1, which takes minutes for 2,000 candidates)."""
    if cover.shape[0] == 0:
        return []
    used = np.unique(cover.indices)  # candidates that reach nobody open would only add variables
    columns = {int(c): n for n, c in enumerate(used)}
    with warnings.catch_warnings():  # PuLP 3 announces its 4.0 API on every variable and solver made
        warnings.simplefilter("ignore", DeprecationWarning)
        problem = pulp.LpProblem("mclp", pulp.LpMaximize)
        model = MCLP("mclp", problem)
        FacilityModelBuilder.add_facility_integer_variable(model, range(len(used)), "x[{i}]")
        FacilityModelBuilder.add_client_integer_variable(model, range(cover.shape[0]), "y[{i}]")
        sites, clients = model.fac_vars, model.cli_vars
        problem += pulp.lpSum(float(w) * clients[i] for i, w in enumerate(weights))
        for i in range(cover.shape[0]):
            row = cover.indices[cover.indptr[i] : cover.indptr[i + 1]]
            problem += pulp.lpSum(sites[columns[int(j)]] for j in row) >= clients[i]
        FacilityModelBuilder.add_facility_constraint(model, min(k, len(used)))
        model.solve(pulp.PULP_CBC_CMD(msg=False), results=False)
    return [int(used[n]) for n, var in enumerate(sites) if (var.value() or 0) > 0.5]


def _gains(candidates: pd.DataFrame, chosen: list[int], cover: sparse.csr_matrix, people: np.ndarray, weights: np.ndarray) -> pd.DataFrame:
    """Each chosen site's gain: people it adds after the sites that reach more on their own."""
    columns = ["candidate_id", "label", "kind", "x", "y"]
    if not chosen:
        return pd.DataFrame(columns=[*columns, "alone", "gain", "gain_weighted"])
    reach = cover[:, chosen].toarray()
    alone = people @ reach
    order = np.argsort(-alone, kind="stable")
    taken = np.zeros(cover.shape[0], dtype=bool)
    rows = []
    for n in order:
        new = reach[:, n] & ~taken
        taken |= new
        rows.append({**candidates.iloc[chosen[n]][columns].to_dict(), "alone": float(alone[n]),
                     "gain": float(people[new].sum()), "gain_weighted": float(weights[new].sum())})  # fmt: skip
    return pd.DataFrame(rows)


def candidate_sites(gemeinden: pd.DataFrame, offers: pd.DataFrame, offer_type: str, public_buildings: bool = True) -> pd.DataFrame:
    """Gemeinde centres (``gemeinden``: area_id, name, geometry in EPSG:25832) and, if wanted, offers of other
    types that are public buildings (``offers`` with x/y in EPSG:25832)."""
    centres = gemeinden.geometry.representative_point()
    frames = [pd.DataFrame({
        "candidate_id": "gemeinde:" + gemeinden["area_id"], "label": gemeinden["name"].to_numpy(),
        "kind": GEMEINDE_CENTRE, "x": centres.x.to_numpy(), "y": centres.y.to_numpy(),
    })]  # fmt: skip
    if public_buildings and len(offers):
        schools = offers[offers["offer_type"].isin(PUBLIC_BUILDING_TYPES) & (offers["offer_type"] != offer_type)]
        frames.append(pd.DataFrame({
            "candidate_id": "angebot:" + schools["offer_id"].astype(str), "label": schools["name"].astype(str).to_numpy(),
            "kind": PUBLIC_BUILDING, "x": schools["x"].to_numpy(), "y": schools["y"].to_numpy(),
        }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def county_suggestion(db, kreis_id: str, offer_type: str, k: int, reach_m: float, social=None, public_buildings: bool = True) -> Suggestion:
    """Suggested sites for a Kreis from its database: population points and target-group weights as the
    accessibility uses them, published offers of the type as existing, ``social`` an optional
    ``gaps.SocialNeed`` at Gemeinde level for the Sozialfaktor."""
    from planning import queries
    from planning.accessibility import demand_points, metric_offers

    demand, _ = demand_points(db, kreis_id, offer_type)
    offers = metric_offers(queries.offers(db, kreis_id))
    candidates = candidate_sites(queries.gemeinde_geometry(db, kreis_id), offers, offer_type, public_buildings)
    factors = None
    if social is not None:
        factors = social_weights(demand["area_id"], social.values.set_index("area_id")["value"], social.kreis_value)
    return suggest_sites(demand, candidates, offers[offers["offer_type"] == offer_type], k, reach_m, factors)


@cached(32)
def suggest_for(ctx: Context, offer_type: str, k: int, reach_km: float, social_id: str = NO_SOCIAL) -> Suggestion:
    """The page's suggestion: Gemeinde centres and schools as candidates, the social indicator ``social_id`` at
    Gemeinde level as weight (none with 'keine' or where it has no Gemeinde values)."""
    social = social_need(ctx, "gemeinde", social_id) if social_id != NO_SOCIAL else None
    return county_suggestion(ctx.db, ctx.kreis_id, offer_type, k, reach_km * 1000, social)


def sites_table(suggestion: Suggestion) -> pd.DataFrame:
    """The suggested sites as the page shows them (German columns and numbers), best first."""
    sites = suggestion.sites
    return pd.DataFrame({
        "Standort": sites["label"].astype(str), "Art": sites["kind"].astype(str),
        "Neu erreicht (Personen)": [number(v, 0) for v in sites["gain"]],
        "Allein erreicht": [number(v, 0) for v in sites["alone"]],
    })  # fmt: skip


def summary_text(suggestion: Suggestion) -> str:
    """'Bisher erreichen die Angebote 61 % der Zielgruppe, mit den 3 neuen Standorten 78 %.'"""
    if suggestion.people <= 0:
        return "Keine Zielgruppe in den Daten."
    before, after = (100 * v / suggestion.people for v in (suggestion.covered_before, suggestion.covered_after))
    return (f"Bisher leben {number(before, 0)} % der Zielgruppe im Umkreis von {suggestion.reach_text} eines Angebots, "
            f"mit {len(suggestion.sites)} neuen Standort{'' if len(suggestion.sites) == 1 else 'en'} {number(after, 0)} % "
            f"(+{number(suggestion.covered_after - suggestion.covered_before, 0)} Personen).")  # fmt: skip
