"""Offers on the map: placement in Gemeinden, coverage per area and accessibility.

- placement: point-in-polygon in EPSG:25832 (1 km tolerance for generalised borders); rows outside the county,
  with impossible coordinates or a key that contradicts the coordinates go to the import report
- coverage: per area made of the county's Gemeinden (not the Land reference area) and per Angebotsart or Lebensphase: offers, capacity, target population
  (latest year with all its age groups), offers per 1,000 and places per 100 of the target group
- offer_capture: which Angebotsarten each list captures for each Kreis of its config – those its config names in
  ``covers``, and those it holds at least one offer of – so that a category no list captures reads "nicht erfasst",
  not "kein Angebot"
- access: per population point (Zensus grid cell, else a lattice inside the Gemeinde) and Angebotsart the
  distance to the nearest offer of that type anywhere in the build, with the point's target-group weight and
  position (x/y in EPSG:25832, metres); the query layer turns it into population-weighted distances and shares
  within a chosen distance
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from etl.config import OfferSource
from etl.offers_taxonomy import lebensphasen, offer_types
from etl.sources.offers import DETAIL_FIELDS, DROPPED, LOADED, SKIPPED, OfferList, ReportRow
from geo.accessibility import BASIS_GEMEINDE, BASIS_GRID, lattice_points, nearest_distance, read_zensus_grid
from geo.placement import assign_areas, in_germany, to_metric_points

BORDER_TOLERANCE_M = 1000.0  # VG5000 borders are generalised by up to several hundred metres
OFFER_COLUMNS = [
    "offer_id", "offer_key", "kreis_id", "gemeinde_id", "offer_type", "name", "traeger", "address", "kapazitaet",
    "alter_von", "alter_bis", "gueltig_ab", "gueltig_bis", "source_id", "source_row", "lon", "lat", "geometry",
    *DETAIL_FIELDS,  # the public finder's columns (oeffentlich, contact, times, …) and kontakt_intern
]  # fmt: skip


def place_offers(offer_list: OfferList, gemeinden: gpd.GeoDataFrame, source_id: str) -> tuple[gpd.GeoDataFrame, list[ReportRow]]:
    """Offers of the list that lie in the county's Gemeinden, and the report rows for the rest. An offer belongs
    to the Kreis of its Gemeinde (a Land- or Germany-wide config places offers in many Kreise)."""
    offers = offer_list.offers.copy()
    report: list[ReportRow] = []
    try:
        points = to_metric_points(offers["x"], offers["y"], offers["crs"])
    except Exception as exc:  # pyproj: unknown CRS code in the list
        raise_unknown_crs(offer_list, offers, exc)
    has_coords = ~points.is_empty & points.x.notna()
    centre = gemeinden.set_index("area_id").geometry.representative_point()
    by_key = has_coords.eq(False) & offers["gemeinde_ags"].isin(centre.index)
    points[by_key] = centre.reindex(offers.loc[by_key, "gemeinde_ags"]).values
    for row in offers[by_key].itertuples():
        report.append(ReportRow(row.row, "x/y", "keine Koordinaten: Lage = Mitte der Gemeinde laut Gemeindeschlüssel", LOADED))
    for row in offers[~has_coords & ~by_key].itertuples():
        report.append(ReportRow(row.row, "x/y", "weder Koordinaten noch Gemeindeschlüssel des Kreises", DROPPED))
    located = has_coords | by_key
    germany = pd.Series(False, index=offers.index)
    germany[located] = in_germany(points[located])
    for row in offers[located & ~germany].itertuples():
        swapped = in_germany(to_metric_points(pd.Series([row.y]), pd.Series([row.x]), pd.Series([row.crs]))).iloc[0]
        hint = "x und y vertauscht?" if swapped else f"falsches Koordinatensystem (angegeben {row.crs})?"
        report.append(ReportRow(row.row, "x/y", f"Koordinaten ({row.x}, {row.y}) liegen außerhalb Deutschlands – {hint}", DROPPED))
    candidates = located & germany
    assigned = assign_areas(points[candidates], gemeinden, BORDER_TOLERANCE_M)
    offers["gemeinde_id"] = assigned["area_id"]
    for row in offers[candidates & offers["gemeinde_id"].isna()].itertuples():
        report.append(ReportRow(row.row, "x/y", "liegt außerhalb des Kreises", SKIPPED))
    names = gemeinden.set_index("area_id")["name"]
    near = assigned["distance_m"] > 0
    for row, distance in zip(offers.loc[near[near].index].itertuples(), assigned.loc[near, "distance_m"]):
        report.append(ReportRow(row.row, "x/y", f"{distance:.0f} m außerhalb der (generalisierten) Gemeindegrenze: "
                                f"{names[row.gemeinde_id]} zugeordnet", LOADED))  # fmt: skip
    contradicts = offers["gemeinde_id"].notna() & (offers["gemeinde_ags"] != "") & (offers["gemeinde_ags"] != offers["gemeinde_id"])
    for row in offers[contradicts].itertuples():
        report.append(ReportRow(row.row, "gemeinde_ags", f"Gemeindeschlüssel {row.gemeinde_ags} widerspricht der Lage in "
                                f"{names[row.gemeinde_id]} ({row.gemeinde_id}); die Lage gilt", LOADED))  # fmt: skip
    keep = offers["gemeinde_id"].notna()
    placed = gpd.GeoDataFrame(offers[keep], geometry=points[keep].values, crs=points.crs)
    lon_lat = placed.geometry.to_crs("EPSG:4326")
    placed = placed.assign(
        offer_id=[f"{source_id}-{r}" for r in placed["row"]], kreis_id=placed["gemeinde_id"].str[:5],  # a Gemeinde's AGS begins with its Kreis key
        source_id=source_id, source_row=placed["row"],
        address=(placed["strasse"] + ", " + (placed["plz"] + " " + placed["ort"]).str.strip()).str.strip(", "),
        lon=lon_lat.x.round(6), lat=lon_lat.y.round(6),
    )  # fmt: skip
    return placed[OFFER_COLUMNS], report


def raise_unknown_crs(offer_list: OfferList, offers: pd.DataFrame, exc: Exception) -> None:
    from etl.errors import EtlError

    raise EtlError(
        f"Unbekanntes Koordinatensystem in der Liste ({', '.join(sorted(offers['crs'].dropna().unique()))}): {exc}",
        file=offer_list.file,
        column="crs",
        expected="EPSG-Codes wie EPSG:4326 (WGS84, Grad) oder EPSG:25832 (UTM 32, Meter)",
        fix="Spalte mit dem Koordinatensystem korrigieren.",
    ) from exc


def coverage(offers: pd.DataFrame, areas: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Offers, capacity and target population per area × (Angebotsart | Lebensphase).

    ``population``: observations (area_id, indicator_id, year, value, status) of the age groups; the target
    population is taken from the latest year in which every age group it needs has a value for the area.
    """
    types = offer_types()
    membership = _memberships(areas)
    counted = offers.merge(membership, left_on="gemeinde_id", right_on="gemeinde_id")
    by_type = counted.groupby(["area_id", "offer_type"]).agg(offers=("offer_id", "size"), capacity=("kapazitaet", "sum"), capacity_known=("kapazitaet", "count"))
    by_type = by_type.reset_index().rename(columns={"offer_type": "category"}).assign(dimension="angebotsart")
    exploded = counted.merge(types[["offer_type", "lebensphasen"]].reset_index(drop=True), on="offer_type").explode("lebensphasen")
    by_phase = exploded.groupby(["area_id", "lebensphasen"]).agg(offers=("offer_id", "size"), capacity=("kapazitaet", "sum"), capacity_known=("kapazitaet", "count"))
    by_phase = by_phase.reset_index().rename(columns={"lebensphasen": "category"}).assign(dimension="lebensphase")
    targets = {("angebotsart", t.offer_type): t.target_population for t in types.itertuples()}
    targets |= {("lebensphase", p.phase_id): p.target_population for p in lebensphasen().itertuples()}
    # every area × category, so that gaps (no offer at all) are rows with 0 offers; Land reference areas are
    # left out: the offers of one county say nothing about a whole Land
    grid = pd.MultiIndex.from_product([membership["area_id"].unique(), list(targets)], names=["area_id", "key"]).to_frame(index=False)
    grid[["dimension", "category"]] = pd.DataFrame(grid.pop("key").tolist(), index=grid.index)
    result = grid.merge(pd.concat([by_type, by_phase]), on=["area_id", "dimension", "category"], how="left")
    result[["offers", "capacity_known"]] = result[["offers", "capacity_known"]].fillna(0).astype(int)
    result["capacity"] = pd.to_numeric(result["capacity"], errors="coerce").where(result["capacity_known"] > 0)
    target = _target_population(population, targets)
    result = result.merge(target, on=["area_id", "dimension", "category"], how="left")
    result["target_population"] = pd.to_numeric(result["target_population"], errors="coerce")
    with np.errstate(divide="ignore", invalid="ignore"):
        result["offers_per_1000"] = np.where(result["target_population"] > 0, result["offers"] / result["target_population"] * 1000, np.nan)
        result["capacity_per_100"] = np.where(result["target_population"] > 0, result["capacity"] / result["target_population"] * 100, np.nan)
    return result


CAPTURE_COLUMNS = ["source_id", "kreis_id", "offer_type", "declared"]


def offer_capture(entries: list[OfferSource], offer_lists: list[tuple[str, OfferList]], areas: pd.DataFrame) -> pd.DataFrame:
    """Which Angebotsarten each offer list captures for each Kreis in ``areas`` (the config's scope): the types named
    in the config's ``covers`` (declared), and every type the list holds at least one offer of – anywhere in the list,
    also outside the Kreis: a Land's school list holds all schools of the Land, so a Kreis without a Gymnasium has none.

    ``entries`` and ``offer_lists`` are the config's [[offers]] and the lists read from them (source_id, list), in the
    same order."""
    kreise = sorted(areas.loc[areas["level"] == "kreis", "area_id"])
    rows = []
    for entry, (source_id, offer_list) in zip(entries, offer_lists, strict=True):
        declared = list(entry.covers or [])
        held = [t for t in dict.fromkeys(offer_list.offers["offer_type"].dropna()) if t not in declared]
        types = [(t, True) for t in declared] + [(t, False) for t in held]
        rows += [(source_id, kreis, t, flag) for kreis in kreise for t, flag in types]
    return pd.DataFrame(rows, columns=CAPTURE_COLUMNS).astype({"declared": bool})


def _memberships(areas: pd.DataFrame) -> pd.DataFrame:
    """(gemeinde_id, area_id) for the Gemeinde itself and every area it belongs to."""
    gemeinden = areas[areas["level"] == "gemeinde"]
    links = [gemeinden[["area_id"]].assign(gemeinde_id=gemeinden["area_id"])]
    for column in ("parent_id", "sozialraum_id", "jugendamt_id", "kreis_id"):
        links.append(pd.DataFrame({"gemeinde_id": gemeinden["area_id"], "area_id": gemeinden[column]}).dropna())
    return pd.concat(links, ignore_index=True).drop_duplicates()


def _target_population(population: pd.DataFrame, targets: dict) -> pd.DataFrame:
    usable = population[population["status"].isin(("ok", "zero"))]
    wide = usable.pivot_table(index=["area_id", "year"], columns="indicator_id", values="value", aggfunc="first")
    rows = []
    for (dimension, category), components in targets.items():
        present = [c for c in components if c in wide.columns]
        if len(present) < len(components):
            continue
        complete = wide[present].dropna()
        if complete.empty:
            continue
        total = complete.sum(axis=1).reset_index(name="target_population")
        latest = total.sort_values("year").groupby("area_id").tail(1).rename(columns={"year": "population_year"})
        rows.append(latest.assign(dimension=dimension, category=category))
    columns = ["area_id", "dimension", "category", "target_population", "population_year"]
    return pd.concat(rows, ignore_index=True)[columns] if rows else pd.DataFrame(columns=columns)


def access_points(offers: gpd.GeoDataFrame, gemeinden: gpd.GeoDataFrame, grid_folder, gemeinde_population: pd.DataFrame) -> pd.DataFrame:
    """Per population point and Angebotsart: the point's Gemeinde, target-group weight and distance to the
    nearest offer of that type. ``gemeinde_population``: weights per Gemeinde (columns einwohner, unter18,
    ab65) for the fallback when no grid is configured."""
    if grid_folder is not None:
        points = read_zensus_grid(grid_folder)
        located = assign_areas(points.geometry, gemeinden, 0.0)
        points = points.assign(area_id=located["area_id"]).dropna(subset=["area_id"])
        basis = BASIS_GRID
    else:
        points = lattice_points(gemeinden, gemeinde_population)
        basis = BASIS_GEMEINDE
    points = points.reset_index(drop=True)
    # categoricals: a national build has millions of rows, and repeated strings would cost gigabytes
    gemeinde_ids = points["area_id"].astype("category")
    types = offer_types()["offer_type"].tolist()
    xs, ys = points.geometry.x.to_numpy(float).round(1), points.geometry.y.to_numpy(float).round(1)
    frames = []
    for code, offer_type in enumerate(offer_types().itertuples()):
        of_type = offers[offers["offer_type"] == offer_type.offer_type]
        if of_type.empty:
            continue
        frames.append(pd.DataFrame({
            "point_id": points.index.to_numpy(np.int32), "gemeinde_id": gemeinde_ids,
            "offer_type": pd.Categorical.from_codes(np.full(len(points), code), categories=types),
            "weight": points[offer_type.grid_weight].to_numpy(float),
            "distance_m": nearest_distance(points.geometry, of_type.geometry),
            "x": xs, "y": ys,  # where the point lies (EPSG:25832), for capacity-weighted accessibility
        }))  # fmt: skip
    columns = ["point_id", "gemeinde_id", "offer_type", "weight", "distance_m", "basis", "x", "y"]
    if not frames:
        return pd.DataFrame(columns=columns)
    access = pd.concat(frames, ignore_index=True)
    access["basis"] = pd.Categorical.from_codes(np.zeros(len(access), dtype=np.int8), categories=[basis])
    return access[columns]
