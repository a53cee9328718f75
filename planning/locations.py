"""Wo sollen k neue Angebote der Art T hin? Two objectives a steering group can choose between:

- "möglichst viele in Reichweite" – a maximal-covering location problem (MCLP, Church & ReVelle 1974): among the
  candidate sites choose k so that as many people of the target group as possible live within d km (straight
  line, or a passed travel-time matrix) of at least one offer of the type.
- "kürzeste mittlere Wege" – a p-median problem: choose k so that the mean straight-line way of the target group
  to its nearest offer (an existing one or a new one) is as short as possible. Unlike MCLP it also values
  bringing an offer from 12 km down to 6 km, and it does not depend on the chosen reach.
Both are solved exactly with PySAL's ``spopt`` (CBC through PuLP), see ``planning.location_models``.

Rules a planner should know:
- The existing offers of the type stay where they are and count: people an existing offer already reaches count
  as covered (MCLP), and each person's way is the one to the nearest offer, old or new (p-median).
- Candidates are the Gemeinde centres (a representative point inside each Gemeinde) and, optionally, offers of
  other types that are public buildings (schools): a room there is often the cheapest start.
- Optionally people count more where the social situation is worse: the gap ranking's Sozialfaktor of their
  area (indicator value / Kreis value, limited to 0,5–2) multiplies their weight.
- Where people live: MCLP uses every population point (points reached by the same candidates are merged, which
  does not change the optimum). p-median sums the points in 1-km squares into one demand unit each, at their
  weighted centre; larger squares (1,4 km, 2 km, 2,8 km …) where the model would otherwise have more than 30,000
  unit–candidate pairs (a pair: a candidate closer than the unit's nearest existing offer; without any existing
  offer every candidate) – that keeps it solvable in seconds.
  The optimum is exact for these units; the ways the page reports are measured from every point.
- The gain per site, in the objective's terms: the people the site newly reaches (MCLP) or how much it shortens
  the mean way in km (p-median), taken in the order of the sites' own effect so that what two new sites both
  achieve is counted once; the gains add up to the total gain.
- The optimum is exact (integer programme); with equal gains any of the equal solutions may be returned.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from geo.geometry import METRIC_CRS
from planning import location_models as models
from planning.context import Context
from planning.db import cached
from planning.formatting import number
from planning.gaps import NO_SOCIAL, SOCIAL_FACTOR_MAX, SOCIAL_FACTOR_MIN, social_need

PUBLIC_BUILDING_TYPES = ("grundschule", "weiterfuehrende_schule", "foerderschule", "berufliche_schule")
GEMEINDE_CENTRE, PUBLIC_BUILDING = "Gemeindemitte", "öffentliches Gebäude"
MCLP, P_MEDIAN = "mclp", "p_median"
OBJECTIVES = {MCLP: "möglichst viele in Reichweite (MCLP)", P_MEDIAN: "kürzeste mittlere Wege (p-Median)"}
UNIT_CELL_M = 1000.0  # p-median demand units: 1-km squares, as the Zensus grid
MAX_UNITS = 2000  # more units than this and the squares grow
PAIR_BUDGET = 30_000  # unit–candidate pairs of the p-median model: 2–4 s with PuLP/CBC on a loaded 2-core machine
SOLVER_TEXT = "gelöst mit PySALs spopt und dem Solver CBC"


@dataclass(frozen=True)
class Suggestion:
    """The chosen sites with their gain, and what the whole choice achieves."""

    sites: pd.DataFrame  # candidate_id, label, kind, x, y, lon, lat, alone, gain (+ gain_weighted | served)
    people: float  # people of the target group in the Kreis
    covered_before: float  # reached by existing offers within the reach
    covered_after: float  # reached by existing and new offers within the reach
    reach_text: str
    weighted: bool
    objective: str = MCLP
    mean_before_km: float | None = None  # p-median: mean way to the nearest offer before (None: no offer yet)
    mean_after_km: float | None = None
    units_text: str = ""  # p-median: how the target group was summed into demand units

    @property
    def method_text(self) -> str:
        n = len(self.sites)
        if self.objective == P_MEDIAN:
            text = (f"Ziel kürzeste mittlere Wege (p-Median), {SOLVER_TEXT}: {n} neue Standorte, mit denen der "
                    "bevölkerungsgewichtete mittlere Weg der Zielgruppe zum nächsten Angebot der Art am kürzesten wird; "
                    "die bestehenden Angebote bleiben als feste Standorte im Modell. Wege als Luftlinie. Für die "
                    f"Rechnung ist die Zielgruppe zu {self.units_text} zusammengefasst, für sie ist das Optimum exakt; "
                    "die Wege auf dieser Seite sind von jedem Wohnort aus gemessen")  # fmt: skip
        else:
            text = (f"Ziel möglichst viele in Reichweite (maximale Abdeckung, MCLP), {SOLVER_TEXT} (exaktes Optimum): {n} neue Standorte, "
                    "die möglichst viele Menschen der Zielgruppe erreichen, die noch kein Angebot im Umkreis von "
                    f"{self.reach_text} haben. Jeder Wohnort zählt einzeln (Wohnorte, die dieselben Kandidaten "
                    "erreichen, werden zusammengefasst – das ändert das Ergebnis nicht)")  # fmt: skip
        if self.weighted:
            text += f"; nach Sozialfaktor gewichtet ({number(SOCIAL_FACTOR_MIN, 1)} bis {number(SOCIAL_FACTOR_MAX, 0)})"
        return text + "."

    @property
    def gain_text(self) -> str:
        """The whole choice's gain in the objective's terms."""
        if self.objective == P_MEDIAN:
            if self.mean_before_km is None:
                return f"mittlerer Weg {number(self.mean_after_km, 1)} km (bisher kein Angebot)"
            return f"mittlerer Weg −{number(self.mean_before_km - (self.mean_after_km or 0), 1)} km"
        return f"+{number(self.covered_after - self.covered_before, 0)} Personen in Reichweite"


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
    chosen = models.mclp(cover[open_rows], weights[open_rows], min(k, len(candidates)))
    sites = _with_lonlat(_gains(candidates, chosen, cover[open_rows], people[open_rows], weights[open_rows]))
    before = float(people[reached].sum())
    text = reach_text or f"{number(reach / 1000, 0 if reach % 1000 == 0 else 1)} km Luftlinie"
    return Suggestion(sites, float(people.sum()), before, before + float(sites["gain"].sum()), text, factors is not None)


def _with_lonlat(sites: pd.DataFrame) -> pd.DataFrame:
    """The sites with lon/lat (WGS 84) beside x/y, as a scenario's added offers need them."""
    if sites.empty:
        return sites.assign(lon=pd.Series(dtype=float), lat=pd.Series(dtype=float))
    where = gpd.GeoSeries(gpd.points_from_xy(sites["x"], sites["y"]), crs=METRIC_CRS).to_crs("EPSG:4326")
    return sites.assign(lon=where.x.round(6).to_numpy(), lat=where.y.round(6).to_numpy())


def demand_units(xy: np.ndarray, weights: np.ndarray, candidates_xy: np.ndarray, existing_xy: np.ndarray, cell_m: float = UNIT_CELL_M) -> tuple[pd.DataFrame, str]:
    """p-median's demand units (x, y, weight, existing = way to the nearest existing offer): the points summed per
    square of ``cell_m`` metres, the squares grown by √2 while there are more than ``MAX_UNITS`` or the model would
    have more than ``PAIR_BUDGET`` unit–candidate pairs; and the sentence saying so."""
    while True:
        units = models.aggregate(xy[:, 0], xy[:, 1], weights, cell_m)
        units["existing"] = models.nearest_distance(units[["x", "y"]].to_numpy(float), existing_xy)
        small = len(units) <= MAX_UNITS and models.pairs(units[["x", "y"]].to_numpy(float), candidates_xy, units["existing"].to_numpy()) <= PAIR_BUDGET
        if small or len(units) <= 1:
            break
        cell_m = round(cell_m * np.sqrt(2), -2)  # 1 → 1,4 → 2 → 2,8 → 4 km …: each step halves the units about
    size = number(cell_m / 1000, 0 if cell_m % 1000 == 0 else 1)
    return units, (f"{number(len(units), 0)} Einheiten ({size}-km-Quadrate, je am gewichteten Mittelpunkt ihrer Wohnorte; "
                   f"so fein, wie es höchstens {number(PAIR_BUDGET, 0)} Paare Einheit–Kandidat erlauben)")  # fmt: skip


def suggest_p_median(
    demand: pd.DataFrame, candidates: pd.DataFrame, existing: pd.DataFrame, k: int, reach: float,
    factors: np.ndarray | None = None, cell_m: float = UNIT_CELL_M,
) -> Suggestion:
    """Choose ``k`` of ``candidates`` (candidate_id, label, kind, x, y) so that the mean straight-line way of the
    people in ``demand`` (weight, x, y) to the nearest offer – ``existing`` (x, y) or new – is shortest.
    ``factors``: optional weight per point (Sozialfaktor); ``reach`` only for the share within reach."""
    if k < 1:
        raise ValueError("k must be at least 1")
    lives = demand["weight"].to_numpy(float) > 0
    people = demand["weight"].to_numpy(float)[lives]
    weights = people * (factors[lives] if factors is not None else 1.0)
    xy, existing_xy = demand[["x", "y"]].to_numpy(float)[lives], existing[["x", "y"]].to_numpy(float)
    candidates_xy = candidates[["x", "y"]].to_numpy(float)
    units, units_text = demand_units(xy, weights, candidates_xy, existing_xy, cell_m)
    chosen = models.p_median(units[["x", "y"]].to_numpy(float), units["weight"].to_numpy(float), candidates_xy,
                             units["existing"].to_numpy(float), min(k, len(candidates)))  # fmt: skip
    before = models.nearest_distance(xy, existing_xy)
    sites, after = _way_gains(candidates, chosen, xy, before, people)
    text = f"{number(reach / 1000, 0 if reach % 1000 == 0 else 1)} km Luftlinie"
    return Suggestion(_with_lonlat(sites), float(people.sum()), float(people[before <= reach].sum()), float(people[after <= reach].sum()),
                      text, factors is not None, P_MEDIAN, _mean_km(before, people), _mean_km(after, people), units_text)  # fmt: skip


def _mean_km(ways: np.ndarray, people: np.ndarray) -> float | None:
    """The people-weighted mean way in km; None where somebody has no offer at all (or nobody lives there)."""
    if people.sum() <= 0 or not np.isfinite(ways).all():
        return None
    return float(people @ ways / people.sum() / 1000)


def _way_gains(candidates: pd.DataFrame, chosen: list[int], xy: np.ndarray, before: np.ndarray, people: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Each chosen site's shortening of the mean way (km), the sites taken one by one, each time the one that
    shortens it most ('alone': with the existing offers only); the people for whom it becomes the nearest offer;
    and every point's way afterwards. Without any existing offer the first site's shortening is unknown (NaN)."""
    columns = ["candidate_id", "label", "kind", "x", "y"]
    if not chosen:
        return pd.DataFrame(columns=[*columns, "alone", "gain", "served"]), before
    ways = np.hypot(xy[:, None, 0] - candidates["x"].to_numpy(float)[chosen][None, :],
                    xy[:, None, 1] - candidates["y"].to_numpy(float)[chosen][None, :])  # fmt: skip
    after = np.minimum(before, ways.min(axis=1))
    served = np.bincount(ways.argmin(axis=1), weights=people * (ways.min(axis=1) < before), minlength=len(chosen))
    total = max(float(people.sum()), 1e-9)
    mean_before = _mean_km(before, people)
    rows, current, left = [], before, list(range(len(chosen)))
    while left:
        means = [float(people @ np.minimum(current, ways[:, n])) / total / 1000 for n in left]
        n = left.pop(int(np.argmin(means)))
        previous, shorter = _mean_km(current, people), np.minimum(current, ways[:, n])
        alone = np.nan if mean_before is None else mean_before - _mean_km(np.minimum(before, ways[:, n]), people)
        rows.append({**candidates.iloc[chosen[n]][columns].to_dict(), "served": float(served[n]), "alone": alone,
                     "gain": np.nan if previous is None else previous - (_mean_km(shorter, people) or 0.0)})  # fmt: skip
        current = shorter
    return pd.DataFrame(rows), after


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


def county_suggestion(
    db, kreis_id: str, offer_type: str, k: int, reach_m: float, social=None, public_buildings: bool = True, objective: str = MCLP,
) -> Suggestion:
    """Suggested sites for a Kreis from its database: population points and target-group weights as the
    accessibility uses them, published offers of the type as existing, ``social`` an optional
    ``gaps.SocialNeed`` at Gemeinde level for the Sozialfaktor, ``objective`` MCLP or P_MEDIAN."""
    from planning import queries
    from planning.accessibility import demand_points, metric_offers

    demand, _ = demand_points(db, kreis_id, offer_type)
    offers = metric_offers(queries.offers(db, kreis_id))
    candidates = candidate_sites(queries.gemeinde_geometry(db, kreis_id), offers, offer_type, public_buildings)
    factors = None
    if social is not None:
        factors = social_weights(demand["area_id"], social.values.set_index("area_id")["value"], social.kreis_value)
    existing = offers[offers["offer_type"] == offer_type]
    if objective == P_MEDIAN:
        return suggest_p_median(demand, candidates, existing, k, reach_m, factors)
    return suggest_sites(demand, candidates, existing, k, reach_m, factors)


@cached(32)
def suggest_for(ctx: Context, offer_type: str, k: int, reach_km: float, social_id: str = NO_SOCIAL, objective: str = MCLP) -> Suggestion:
    """The page's suggestion: Gemeinde centres and schools as candidates, the social indicator ``social_id`` at
    Gemeinde level as weight (none with 'keine' or where it has no Gemeinde values), ``objective`` as chosen."""
    social = social_need(ctx, "gemeinde", social_id) if social_id != NO_SOCIAL else None
    return county_suggestion(ctx.db, ctx.kreis_id, offer_type, k, reach_km * 1000, social, objective=objective)


def sites_table(suggestion: Suggestion) -> pd.DataFrame:
    """The suggested sites as the page shows them (German columns and numbers), best first, with the gain in the
    objective's terms."""
    sites = suggestion.sites
    table = pd.DataFrame({"Standort": sites["label"].astype(str).to_numpy(), "Art": sites["kind"].astype(str).to_numpy()},
                         index=pd.RangeIndex(1, len(sites) + 1, name="Nr."))  # the numbers the map's marks carry
    if suggestion.objective == P_MEDIAN:
        table["Mittlerer Weg kürzer (km)"] = [number(v, 2) for v in sites["gain"]]
        table["Nächstes Angebot für (Pers.)"] = [number(v, 0) for v in sites["served"]]
        return table
    table["Neu in Reichweite (Personen)"] = [number(v, 0) for v in sites["gain"]]
    table["Allein erreicht"] = [number(v, 0) for v in sites["alone"]]
    return table


def summary_text(suggestion: Suggestion) -> str:
    """'Bisher erreichen die Angebote 61 % der Zielgruppe, mit den 3 neuen Standorten 78 %.' (or the mean way)"""
    if suggestion.people <= 0:
        return "Keine Zielgruppe in den Daten."
    n = len(suggestion.sites)
    sites = f"{n} neuen Standort{'' if n == 1 else 'en'}"
    before, after = (100 * v / suggestion.people for v in (suggestion.covered_before, suggestion.covered_after))
    if suggestion.objective == P_MEDIAN:
        after_km = number(suggestion.mean_after_km, 1)
        if suggestion.mean_before_km is None:
            way = f"Bisher gibt es kein Angebot der Art; mit {sites} beträgt der mittlere Weg der Zielgruppe {after_km} km (Luftlinie)"
        else:
            way = (f"Bisher beträgt der mittlere Weg der Zielgruppe zum nächsten Angebot {number(suggestion.mean_before_km, 1)} km "
                   f"(Luftlinie), mit {sites} {after_km} km, also "
                   f"{number(suggestion.mean_before_km - (suggestion.mean_after_km or 0), 2)} km kürzer")  # fmt: skip
        return f"{way}. Im Umkreis von {suggestion.reach_text} leben dann {number(after, 0)} % statt {number(before, 0)} %."
    return (f"Bisher leben {number(before, 0)} % der Zielgruppe im Umkreis von {suggestion.reach_text} eines Angebots, "
            f"mit {sites} {number(after, 0)} % (+{number(suggestion.covered_after - suggestion.covered_before, 0)} Personen).")  # fmt: skip
