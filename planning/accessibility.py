"""Capacity-weighted accessibility: how many places of a type are within reach of where people live.

The distance to the nearest offer (``queries.accessibility``) ignores size: a Kita with 20 places counts like one
with 150. The measures here weigh each offer by its capacity and share it among everybody who can reach it,
computed with PySAL's ``access`` package on the population points of the build (Zensus grid cells or the lattice
inside each Gemeinde):

- 2SFCA (two-step floating catchment): step 1 divides each offer's places by the target group living within the
  catchment of the offer; step 2 adds up, for each population point, those ratios of every offer within the
  catchment. Read as "Plätze je 100 Personen der Zielgruppe im Einzugsbereich"; summed over a whole county with
  one catchment it averages to places per person.
- E2SFCA (enhanced): the same, but people and places further away count less, in steps (Luo & Qi 2009: weights
  1 / 0,68 / 0,22 in the inner, middle and outer third of the catchment).
- Gravity (potential, as in GOAT): A_i = Σ_j S_j · f(d_ij) with f(d) = (max(d, d_min) / 1 km)^(−β) up to a cut-off:
  places near by count fully, places twice as far count half (β = 1). Not shared among competing demand.

Rules a planner should know:
- Supply is the offer's capacity. An offer without a stated capacity counts with the median capacity of the
  offers of the same set that state one; where no offer states one, every offer counts as 1 "Angebot" and the
  measure reads as offers, not places. The result says how many offers were filled in this way.
- Distances are straight lines by default. A travel-time matrix (e.g. from an OSM network) can be passed instead
  (``costs``); the catchment is then in the matrix's unit (minutes), and the method text says so.
- An area's value is the population-weighted mean of its points (never a mean of Gemeinde means).
- Where people live: the build stores each point's position (table ``access``, x/y in EPSG:25832) and it is used
  as it is. Only databases built before that lack it: there the lattice inside the Gemeinden is laid again exactly
  as the build laid it (checked point by point); Zensus grid cells without a stored position stand at their
  Gemeinde's centre, and the method text says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from access import fca, weights
from scipy.spatial import cKDTree

from geo.accessibility import BASIS_GEMEINDE, WEIGHTS, lattice_points
from geo.geometry import METRIC_CRS
from planning import queries
from planning.db import Database
from planning.formatting import number

TWO_STEP, ENHANCED, GRAVITY = "2sfca", "e2sfca", "gravity"
METHOD_LABELS = {
    TWO_STEP: "Zwei-Stufen-Einzugsbereich (2SFCA)",
    ENHANCED: "Erweiterter Zwei-Stufen-Einzugsbereich mit Entfernungsstufen (E2SFCA)",
    GRAVITY: "Gravitationsmodell (Potenzial)",
}
E2SFCA_STEPS = ((1 / 3, 1.0), (2 / 3, 0.68), (1.0, 0.22))  # share of the catchment → weight (Luo & Qi 2009)
FALLBACK_PLACES = 1.0  # one "Angebot" per offer where no offer of the set states a capacity


@dataclass(frozen=True)
class AccessParams:
    """What is computed: method, catchment (metres, or the cost matrix's unit) and the gravity decay."""

    method: str = TWO_STEP
    catchment: float = 5000.0
    gravity_beta: float = 1.0
    gravity_min: float = 500.0  # nearer than this counts as this near (no infinite pull at distance 0)
    cost_unit: str = "m"  # "m" for straight-line metres, "min" for a travel-time matrix

    def __post_init__(self) -> None:
        if self.method not in METHOD_LABELS:
            raise ValueError(f"unknown method {self.method!r}; expected one of {sorted(METHOD_LABELS)}")
        if self.catchment <= 0:
            raise ValueError("catchment must be positive")

    def catchment_text(self) -> str:
        if self.cost_unit == "m":
            return f"{number(self.catchment / 1000, 0 if self.catchment % 1000 == 0 else 1)} km Luftlinie"
        return f"{number(self.catchment, 0)} {self.cost_unit} Reisezeit"


@dataclass(frozen=True)
class AccessResult:
    """Accessibility per population point and the words that belong on the page with it."""

    params: AccessParams
    points: pd.DataFrame  # point_id, area_id, weight, access (per person; 2SFCA/E2SFCA) or potential (gravity)
    unit: str  # "Plätze je 100 Personen der Zielgruppe", "Angebote je 100 …", "Plätze (entfernungsgewichtet)"
    offers: int
    offers_filled: int  # offers without capacity that count with the fallback
    fallback_text: str
    basis: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def method_text(self) -> str:
        """The method in a planner's words (German), for the page and the report."""
        p = self.params
        text = f"{METHOD_LABELS[p.method]}, Einzugsbereich {p.catchment_text()}"
        if p.method == ENHANCED:
            steps = " / ".join(number(w, 2) for _, w in E2SFCA_STEPS)
            text += f"; Gewichte {steps} im inneren, mittleren und äußeren Drittel"
        if p.method == GRAVITY:
            unit = "km" if p.cost_unit == "m" else p.cost_unit
            nearest = number(p.gravity_min / 1000, 1) + " km" if p.cost_unit == "m" else f"{number(p.gravity_min, 0)} {p.cost_unit}"
            text = (f"{METHOD_LABELS[p.method]}: Angebote bis {p.catchment_text()}, Gewicht (Entfernung in {unit})"
                    f"^−{number(p.gravity_beta, 1)}, näher als {nearest} zählt wie {nearest}")  # fmt: skip
        parts = [text, self.fallback_text]
        if self.basis:
            parts.append(f"Wohnorte: {self.basis}")
        return ". ".join(part for part in parts if part) + "."


def supply_with_fallback(offers: pd.DataFrame) -> tuple[pd.Series, int, str]:
    """Capacity per offer (indexed by offer_id); offers without one get the median of those that state one, or 1
    where none does. Returns the supply, how many were filled in and the sentence saying so."""
    capacity = pd.to_numeric(offers["kapazitaet"], errors="coerce").where(lambda c: c > 0)
    capacity.index = offers["offer_id"].to_numpy()
    missing = int(capacity.isna().sum())
    if capacity.notna().any():
        median = float(capacity.median())
        text = (f"Angebote ohne Platzzahl ({missing} von {len(capacity)}) zählen mit dem Median der übrigen "
                f"({number(median, 0)} Plätze)") if missing else ""  # fmt: skip
        return capacity.fillna(median), missing, text
    text = f"Keine Platzzahlen: jedes Angebot zählt als 1 Angebot ({len(capacity)} Angebote)" if len(capacity) else ""
    return capacity.fillna(FALLBACK_PLACES), missing, text


def distance_costs(demand: pd.DataFrame, offers: pd.DataFrame, max_distance: float) -> pd.DataFrame:
    """Straight-line metres (point_id, offer_id, cost) for every pair within ``max_distance`` (x/y in EPSG:25832)."""
    if demand.empty or offers.empty:
        return pd.DataFrame({"point_id": pd.Series(dtype=demand["point_id"].dtype), "offer_id": pd.Series(dtype=object), "cost": pd.Series(dtype=float)})
    points = cKDTree(demand[["x", "y"]].to_numpy(float))
    sites = cKDTree(offers[["x", "y"]].to_numpy(float))
    pairs = points.sparse_distance_matrix(sites, max_distance, output_type="ndarray")
    return pd.DataFrame({
        "point_id": demand["point_id"].to_numpy()[pairs["i"]],
        "offer_id": offers["offer_id"].to_numpy()[pairs["j"]],
        "cost": pairs["v"],
    })  # fmt: skip


def capacity_access(
    demand: pd.DataFrame, offers: pd.DataFrame, params: AccessParams = AccessParams(), costs: pd.DataFrame | None = None, basis: str = ""
) -> AccessResult:
    """Accessibility of every population point.

    ``demand``: point_id, area_id, weight (people of the target group) and x/y (EPSG:25832, metres).
    ``offers``: offer_id, kapazitaet and x/y. ``costs``: an optional precomputed matrix (point_id, offer_id, cost),
    e.g. network travel times, used instead of straight lines (pairs missing from it are out of reach)."""
    supply, filled, fallback = supply_with_fallback(offers)
    has_places = offers["kapazitaet"].notna().any() if len(offers) else False
    reach = params.catchment
    if costs is None:
        if params.cost_unit != "m":
            raise ValueError("without a cost matrix distances are straight-line metres (cost_unit 'm')")
        costs = distance_costs(demand, offers, reach)
    costs = costs.loc[costs["cost"] <= reach, ["point_id", "offer_id", "cost"]]
    people = demand.loc[demand["weight"] > 0, ["point_id", "weight"]]
    costs = costs[costs["point_id"].isin(people["point_id"])]
    supply_frame = pd.DataFrame({"capacity": supply})
    supply_frame.index.name = "offer_id"
    if costs.empty:
        values = pd.Series(dtype=float)
    elif params.method == GRAVITY:
        decay = weights.gravity(scale=1000.0 if params.cost_unit == "m" else 1.0, alpha=-params.gravity_beta, min_dist=params.gravity_min)
        values = fca.weighted_catchment(supply_frame, costs, reach, cost_source="offer_id", cost_dest="point_id",
                                        cost_cost="cost", loc_index=True, loc_value="capacity", weight_fn=decay)  # fmt: skip
    else:
        decay = weights.step_fn({reach * share: w for share, w in E2SFCA_STEPS}) if params.method == ENHANCED else None
        values = fca.two_stage_fca(people, supply_frame, costs, reach, demand_index="point_id", demand_name="weight",
                                   supply_name="capacity", cost_origin="point_id", cost_dest="offer_id",
                                   cost_name="cost", weight_fn=decay)  # fmt: skip
    out = demand[["point_id", "area_id", "weight"]].copy()
    column = "potential" if params.method == GRAVITY else "access"
    out[column] = out["point_id"].map(values).fillna(0.0).where(out["weight"] > 0)
    what = "Plätze" if has_places else "Angebote"
    unit = f"{what} (entfernungsgewichtet)" if params.method == GRAVITY else f"{what} je 100 Personen der Zielgruppe"
    return AccessResult(params, out, unit, len(offers), filled, fallback, basis)


def by_area(result: AccessResult, members: pd.DataFrame) -> pd.DataFrame:
    """Population-weighted mean per area: ``members`` maps each Gemeinde (gemeinde_id) to its area (area_id) of
    a level. 2SFCA values are given per 100 people (column ``value``), gravity as it is; ``people`` = the weights."""
    column = "potential" if result.params.method == GRAVITY else "access"
    scale = 1.0 if column == "potential" else 100.0
    points = result.points.dropna(subset=[column])
    joined = points.merge(members, left_on="area_id", right_on="gemeinde_id", suffixes=("_point", ""))
    joined = joined.assign(weighted=joined["weight"] * joined[column] * scale)
    grouped = joined.groupby("area_id").agg(weighted=("weighted", "sum"), people=("weight", "sum"))
    grouped["value"] = grouped["weighted"] / grouped["people"].where(grouped["people"] > 0)
    return grouped[["value", "people"]].reset_index()


def difference(before: AccessResult, after: AccessResult) -> pd.DataFrame:
    """Per point: value before, after and the change (a scenario's effect; points are the same in both)."""
    column = "potential" if before.params.method == GRAVITY else "access"
    frame = before.points[["point_id", "area_id", "weight", column]].rename(columns={column: "before"})
    frame["after"] = frame["point_id"].map(after.points.set_index("point_id")[column])
    frame["change"] = frame["after"] - frame["before"]
    return frame


# --- the population points and offers of a built database ------------------------------------------------------------

AT_GEMEINDE_CENTRE = "Lage der Wohnorte: Mittelpunkt ihrer Gemeinde (die Datenbank speichert die Lage der Gitterzellen nicht)"


def located_points(points: pd.DataFrame, gemeinden: gpd.GeoDataFrame) -> tuple[pd.DataFrame, str]:
    """x/y for every point (point_id, gemeinde_id, basis, x, y as ``queries.population_points`` gives them): stored
    coordinates as they are; otherwise the build's lattice laid again over the Gemeinden (used only if every
    point lies in the same Gemeinde as stored); otherwise the Gemeinde's representative point. Returns the points
    and a note ("" when the positions are exact). Databases built with positions never reach the fallbacks."""
    if points.empty or points["x"].notna().all():
        return points, ""
    if points["x"].notna().any():  # some stored, some not: only the missing ones are placed by the fallbacks
        stored = points[points["x"].notna()]
        placed, note = located_points(points[points["x"].isna()].reset_index(drop=True), gemeinden)
        return pd.concat([stored, placed], ignore_index=True), note
    if (points["basis"] == BASIS_GEMEINDE).all():
        lattice = lattice_points(gemeinden[["area_id", "geometry"]], pd.DataFrame(columns=list(WEIGHTS)))
        same = lattice["area_id"].reindex(points["point_id"]).to_numpy() == points["gemeinde_id"].to_numpy()
        if same.all():
            where = lattice.geometry.reindex(points["point_id"])
            return points.assign(x=where.x.to_numpy(), y=where.y.to_numpy()), ""
    centre = gemeinden.set_index("area_id").geometry.representative_point()
    where = centre.reindex(points["gemeinde_id"])
    return points.assign(x=where.x.to_numpy(), y=where.y.to_numpy()), AT_GEMEINDE_CENTRE


def metric_offers(offers: pd.DataFrame) -> pd.DataFrame:
    """Offers (with lon/lat) with x/y in EPSG:25832; offers without a position are left out."""
    placed = offers.dropna(subset=["lon", "lat"])
    where = gpd.GeoSeries(gpd.points_from_xy(placed["lon"], placed["lat"]), crs="EPSG:4326").to_crs(METRIC_CRS)
    return placed.assign(x=where.x.to_numpy(), y=where.y.to_numpy())


def demand_points(db: Database, kreis_id: str, offer_type: str) -> tuple[pd.DataFrame, str]:
    """The Kreis's population points with the target group of an Angebotsart (point_id, area_id = the Gemeinde,
    weight, x, y) and the basis text. The points carry a broad weight (inhabitants, under 18, 65 and over); each
    Gemeinde's target group (e.g. children under 6, latest year) is spread over its points in proportion to it,
    evenly where the points carry nobody, so that "je 100" means per 100 people of the target group."""
    types = queries.offer_types(db)
    grid_weight = types.loc[offer_type, "grid_weight"]
    points = queries.population_points(db, kreis_id)
    points = points[points["grid_weight"] == grid_weight].reset_index(drop=True)
    points, note = located_points(points, queries.gemeinde_geometry(db, kreis_id))
    coverage = queries.coverage(db, kreis_id, "gemeinde", "angebotsart")
    target = coverage[coverage["category"] == offer_type].set_index("area_id")["target_population"]
    points["weight"], spread = _spread_target(points, target)
    basis = points["basis"].iloc[0] if len(points) else ""
    if spread:
        years = coverage.loc[coverage["category"] == offer_type, "population_year"].dropna()
        year = f" {int(years.max())}" if len(years) else ""
        labels = queries.catalogue(db)["label"]
        group = ", ".join(str(labels.get(i, i)) for i in types.loc[offer_type, "target_population"])
        basis += f"; die Zielgruppe ({group}){year} jeder Gemeinde danach auf ihre Punkte verteilt"
    frame = points.rename(columns={"gemeinde_id": "area_id"})[["point_id", "area_id", "weight", "x", "y"]]
    return frame, "; ".join(part for part in (basis, note) if part)


def _spread_target(points: pd.DataFrame, target: pd.Series) -> tuple[pd.Series, bool]:
    """Point weights scaled so that each Gemeinde's points add up to its target group (where it is known)."""
    if target.dropna().empty:
        return points["weight"], False
    by_gemeinde = points.groupby("gemeinde_id")["weight"]
    total, count = points["gemeinde_id"].map(by_gemeinde.sum()), points["gemeinde_id"].map(by_gemeinde.size())
    wanted = points["gemeinde_id"].map(target)
    share = np.where(total > 0, points["weight"] / total.where(total > 0, 1), 1 / count)
    return pd.Series(np.where(wanted.notna(), wanted.fillna(0) * share, points["weight"]), index=points.index), True


def county_access(
    db: Database, kreis_id: str, offer_type: str, params: AccessParams = AccessParams(),
    offers: pd.DataFrame | None = None, costs: pd.DataFrame | None = None,
) -> AccessResult:
    """Accessibility of an Angebotsart for every population point of a Kreis: the published offers, or ``offers``
    (offer_id, kapazitaet, lon/lat or x/y – a scenario's list), and straight lines or a cost matrix."""
    demand, basis = demand_points(db, kreis_id, offer_type)
    if offers is None:
        published = queries.offers(db, kreis_id)
        offers = published[published["offer_type"] == offer_type]
    if not {"x", "y"} <= set(offers.columns):
        offers = metric_offers(offers)
    return capacity_access(demand, offers, params, costs, basis)


def share_within(demand: pd.DataFrame, offers: pd.DataFrame, reach_m: float, members: pd.DataFrame) -> pd.Series:
    """Per area (``members``: gemeinde_id → area_id): the share in % of its target group (``demand``: area_id = the
    Gemeinde, weight, x, y) living within ``reach_m`` straight-line metres of an offer (``offers`` with x/y in
    EPSG:25832). An area without target group has no share (NaN), not 0."""
    from scipy.spatial import cKDTree  # noqa: PLC0415

    reached = np.zeros(len(demand), dtype=bool)
    if len(offers) and len(demand):
        distance, _ = cKDTree(offers[["x", "y"]].to_numpy(float)).query(demand[["x", "y"]].to_numpy(float), k=1)
        reached = distance <= reach_m
    points = demand.assign(reached_weight=demand["weight"] * reached).merge(members, left_on="area_id", right_on="gemeinde_id",
                                                                          suffixes=("_gemeinde", ""))  # fmt: skip
    sums = points.groupby("area_id")[["reached_weight", "weight"]].sum()
    return (sums["reached_weight"] / sums["weight"] * 100).where(sums["weight"] > 0)

