"""Was wäre, wenn …? A scenario is a named list of changes over the published offers, never a change of them.

Changes: add an offer (Angebotsart, place, capacity), move one, close one, change its capacity. They are applied in
memory to a copy of the Kreis's offers (each offer marked "neu", "geändert", "geschlossen" or unchanged), and the
planning measures are computed twice – with the published offers and with the scenario's:

- coverage per area: offers, places and places per 100 of the target group (the target group as published);
- capacity-weighted accessibility per area (2SFCA, see ``planning.accessibility``).

An added offer changes the accessibility only of people within its catchment, and the coverage only of the areas
its Gemeinde belongs to.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from planning import queries
from planning.accessibility import AccessParams, by_area, county_access, demand_points, metric_offers, share_within
from planning.db import Database, cached
from planning.formatting import number

ADD, MOVE, CLOSE, CAPACITY = "neu", "verlegen", "schließen", "Plätze"
KINDS = (ADD, MOVE, CLOSE, CAPACITY)
NEW, CHANGED, CLOSED, PUBLISHED = "neu", "geändert", "geschlossen", "unverändert"


@dataclass(frozen=True)
class Change:
    """One change. ``offer_id``: the offer it changes (for an added one, its new id); lon/lat: the new place
    (add, move); ``capacity``: places (add, change capacity)."""

    kind: str
    offer_id: str
    offer_type: str = ""
    name: str = ""
    lon: float | None = None
    lat: float | None = None
    capacity: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown change {self.kind!r}; expected one of {KINDS}")


@dataclass(frozen=True)
class Scenario:
    name: str
    kreis_id: str
    changes: tuple[Change, ...] = ()
    note: str = ""

    def with_change(self, change: Change) -> Scenario:
        return Scenario(self.name, self.kreis_id, (*self.changes, change), self.note)

    def to_dict(self) -> dict:
        return {"name": self.name, "kreis_id": self.kreis_id, "note": self.note, "changes": [asdict(c) for c in self.changes]}

    @classmethod
    def from_dict(cls, data: dict) -> Scenario:
        changes = tuple(Change(**{k: v for k, v in c.items() if k in Change.__dataclass_fields__}) for c in data.get("changes", []))
        return cls(str(data["name"]), str(data["kreis_id"]), changes, str(data.get("note", "")))


def apply(offers: pd.DataFrame, scenario: Scenario, gemeinden: gpd.GeoDataFrame) -> pd.DataFrame:
    """The offers with the scenario's changes and a column ``status``; closed offers stay in the frame (marked)
    so that a difference map can show them – ``active`` leaves them out. ``gemeinden``: polygons (EPSG:25832) to
    find the Gemeinde of a new place."""
    out = offers.copy()
    out["status"] = PUBLISHED
    for change in scenario.changes:
        hit = out["offer_id"] == change.offer_id
        if change.kind == ADD:
            row = {"offer_id": change.offer_id, "offer_type": change.offer_type, "name": change.name or "Neues Angebot",
                   "kapazitaet": change.capacity, "lon": change.lon, "lat": change.lat,
                   "gemeinde_id": gemeinde_at(change.lon, change.lat, gemeinden), "status": NEW}  # fmt: skip
            out = pd.concat([out, pd.DataFrame([row])], ignore_index=True)
            continue
        if not hit.any():
            raise ValueError(f"scenario {scenario.name!r}: no offer {change.offer_id!r} to {change.kind}")
        was_new = out.loc[hit, "status"].eq(NEW).all()
        if change.kind == CLOSE:
            out.loc[hit, "status"] = CLOSED
            continue
        if change.kind == MOVE:
            out.loc[hit, ["lon", "lat"]] = [change.lon, change.lat]
            out.loc[hit, "gemeinde_id"] = gemeinde_at(change.lon, change.lat, gemeinden)
        if change.kind == CAPACITY:
            out.loc[hit, "kapazitaet"] = change.capacity
        out.loc[hit, "status"] = NEW if was_new else CHANGED
    return out


def active(offers: pd.DataFrame) -> pd.DataFrame:
    return offers[offers["status"] != CLOSED] if "status" in offers else offers


def gemeinde_at(lon: float | None, lat: float | None, gemeinden: gpd.GeoDataFrame) -> str | None:
    """The Gemeinde containing a place (lon/lat), else the nearest one (a click just across the border)."""
    if lon is None or lat is None:
        return None
    point = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs="EPSG:4326").to_crs(gemeinden.crs).iloc[0]
    inside = gemeinden[gemeinden.contains(point)]
    chosen = inside if len(inside) else gemeinden.iloc[[int(np.argmin(gemeinden.distance(point)))]]
    return str(chosen["area_id"].iloc[0])


def gemeinde_place(gemeinden: gpd.GeoDataFrame, area_id: str) -> tuple[float, float]:
    """lon/lat of a point inside a Gemeinde (its representative point), for an offer placed 'in Gemeinde X'."""
    point = gemeinden.set_index("area_id").geometry.representative_point().to_crs("EPSG:4326")[area_id]
    return float(point.x), float(point.y)


@dataclass(frozen=True)
class Comparison:
    """Before and after per area of a level, for one Angebotsart."""

    offer_type: str
    level: str
    table: pd.DataFrame  # area_id, name, offers/capacity/per_100/access each _before and _after, changed
    method_text: str
    unit: str  # of the accessibility, e.g. "Plätze je 100 Personen der Zielgruppe"
    notes: list[str] = field(default_factory=list)

    @property
    def changed_areas(self) -> list[str]:
        return self.table.loc[self.table["changed"], "area_id"].tolist()


@cached(32)
def compare(db: Database, kreis_id: str, scenario: Scenario, offer_type: str, level: str = "gemeinde", params: AccessParams = AccessParams()) -> Comparison:
    """Coverage and 2SFCA accessibility per area of ``level`` with the published offers and with the scenario's."""
    published = queries.offers(db, kreis_id)
    changed = apply(published, scenario, queries.gemeinde_geometry(db, kreis_id))
    members = queries.area_members(db, kreis_id, level)
    demand, _ = demand_points(db, kreis_id, offer_type)
    before_offers = published[published["offer_type"] == offer_type]
    after_offers = active(changed)[lambda f: f["offer_type"] == offer_type]
    target = queries.coverage(db, kreis_id, level, "angebotsart")
    target = target[target["category"] == offer_type].set_index("area_id")
    # places per 100 only where the Kreis's offers of the type state places at all (else unknown, not 0)
    places_known = bool(pd.to_numeric(before_offers["kapazitaet"], errors="coerce").notna().any())
    table = pd.DataFrame({"area_id": members["area_id"].dropna().unique()})
    table["name"] = table["area_id"].map(target["name"])
    for suffix, offers in (("before", before_offers), ("after", after_offers)):
        counted = offers.merge(members, on="gemeinde_id").groupby("area_id").agg(offers=("offer_id", "size"), capacity=("kapazitaet", "sum"))
        table[f"offers_{suffix}"] = table["area_id"].map(counted["offers"]).fillna(0).astype(int)
        table[f"capacity_{suffix}"] = table["area_id"].map(counted["capacity"]).fillna(0.0)
        people = table["area_id"].map(target["target_population"])
        table[f"per_100_{suffix}"] = (table[f"capacity_{suffix}"] / people * 100).where((people > 0) & places_known)
        result = county_access(db, kreis_id, offer_type, params, offers=offers)
        table[f"access_{suffix}"] = table["area_id"].map(by_area(result, members).set_index("area_id")["value"])
        if params.cost_unit == "m":  # with a travel-time matrix the catchment is minutes, not a straight-line reach
            table[f"share_{suffix}"] = table["area_id"].map(share_within(demand, metric_offers(offers), params.catchment, members))
    table["changed"] = ~np.isclose(table["access_before"].fillna(0), table["access_after"].fillna(0)) | (
        table["offers_before"] != table["offers_after"]) | ~np.isclose(table["capacity_before"], table["capacity_after"])  # fmt: skip
    notes = [result.fallback_text] if result.fallback_text else []
    return Comparison(offer_type, level, table.sort_values("name").reset_index(drop=True), result.method_text, result.unit, notes)


def comparison_table(comparison: Comparison, only_changed: bool = True) -> pd.DataFrame:
    """The before/after table as the page and the export show it (German columns, German numbers)."""
    rows = comparison.table[comparison.table["changed"]] if only_changed else comparison.table
    def fmt(values: pd.Series, decimals: int) -> list[str]:
        return [number(v, decimals) if pd.notna(v) else "–" for v in values]

    return pd.DataFrame({
        "Gebiet": rows["name"].astype(str),
        "Angebote vorher": rows["offers_before"], "Angebote nachher": rows["offers_after"],
        "Plätze je 100 vorher": fmt(rows["per_100_before"], 1), "Plätze je 100 nachher": fmt(rows["per_100_after"], 1),
        "Erreichbarkeit vorher": fmt(rows["access_before"], 2), "Erreichbarkeit nachher": fmt(rows["access_after"], 2),
        "Erreichbarkeit ±": fmt(rows["access_after"] - rows["access_before"], 2),
        **({"Im Umkreis vorher (%)": fmt(rows["share_before"], 0), "Im Umkreis nachher (%)": fmt(rows["share_after"], 0)}
           if "share_before" in rows else {}),
    })  # fmt: skip


def change_text(change: Change, labels: dict[str, str] | None = None) -> str:
    """'neu: Kita „Am Bach“ (60 Plätze)' – one line of the scenario's list."""
    what = (labels or {}).get(change.offer_type, change.offer_type)
    places = f" ({number(change.capacity, 0)} Plätze)" if change.capacity is not None and change.kind in (ADD, CAPACITY) else ""
    name = f" „{change.name}“" if change.name else f" {change.offer_id}"
    return f"{change.kind}: {what}{name}{places}".replace("  ", " ")


def with_sites(scenario: Scenario, sites: pd.DataFrame, offer_type: str, capacity: float | None) -> Scenario:
    """The scenario with an added offer at each suggested site (sites with label, lon, lat)."""
    for n, site in enumerate(sites.itertuples(), start=1):
        offer_id = f"neu-{len(scenario.changes) + 1}"
        scenario = scenario.with_change(Change(ADD, offer_id, offer_type, f"Vorschlag {n}: {site.label}", site.lon, site.lat, capacity))
    return scenario


def offer_choices(db: Database, kreis_id: str, offer_type: str) -> dict[str, str]:
    """The published offers of a type as the page lists them: offer_id → 'Name – Gemeinde'."""
    offers = queries.offers(db, kreis_id)
    of_type = offers[offers["offer_type"] == offer_type]
    return dict(zip(of_type["offer_id"], of_type["name"].astype(str) + " – " + of_type["gemeinde_name"].astype(str)))
