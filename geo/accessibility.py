"""Accessibility: straight-line distance from where people live to the nearest offer of a type.

Where people live comes from the Zensus 2011 1 km grid where it is available (cell midpoints with their
population), else from the Gemeinde: its population spread evenly over a lattice of points inside its polygon.
Each point carries weights (inhabitants, under 18, 65 and over) so that distances can be population-weighted.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo.geometry import METRIC_CRS

GRID_CRS = "EPSG:3035"  # the Zensus grid's ETRS89-LAEA cell midpoints
WEIGHTS = ("einwohner", "unter18", "ab65")
BASIS_GRID = "Zensus-2011-Gitter (1 km)"
BASIS_GEMEINDE = "Gemeindebevölkerung, gleichmäßig über die Gemeindefläche verteilt"


def read_zensus_grid(folder: Path) -> gpd.GeoDataFrame:
    """Populated 1 km cells with absolute weights; -1 (unpopulated or secret) counts as nobody."""
    einwohner = pd.read_parquet(_one(folder, "Einwohner"))
    shares = {
        name: pd.read_parquet(_one(folder, column)).set_index(["x", "y"])[column]
        for name, column in (("unter18", "unter18_A"), ("ab65", "ab65_A"))
    }
    cells = einwohner[einwohner["Einwohner"] > 0].set_index(["x", "y"])
    frame = pd.DataFrame({"einwohner": cells["Einwohner"].astype(float)})
    for name, share in shares.items():
        frame[name] = frame["einwohner"] * share.reindex(frame.index).clip(lower=0).fillna(0) / 100
    frame = frame.reset_index()
    points = gpd.GeoSeries(gpd.points_from_xy(frame["x"], frame["y"]), crs=GRID_CRS).to_crs(METRIC_CRS)
    return gpd.GeoDataFrame(frame[list(WEIGHTS)], geometry=points.values, crs=METRIC_CRS)


def _one(folder: Path, feature: str) -> Path:
    """The parquet file of one grid feature (files are named continuous_<feature>[_<extract>].parquet)."""
    hits = sorted(folder.glob(f"continuous_{feature}*.parquet"))
    if not hits:
        raise FileNotFoundError(f"{folder}: no continuous_{feature}*.parquet")
    return hits[0]


MIN_SPACING_M = 500.0
MAX_LATTICE_POINTS = 150_000  # a national build stays at ~1.5 km spacing and under three million distances


def lattice_spacing(gemeinden: gpd.GeoDataFrame) -> float:
    """500 m within a county; coarser where the area is so large that the lattice would exceed MAX_LATTICE_POINTS."""
    return max(MIN_SPACING_M, float(np.sqrt(gemeinden.geometry.area.sum() / MAX_LATTICE_POINTS)))


def lattice_points(gemeinden: gpd.GeoDataFrame, weights: pd.DataFrame, spacing_m: float | None = None) -> gpd.GeoDataFrame:
    """Fallback without a grid: one lattice every ``spacing_m`` (default lattice_spacing) over all Gemeinden, each
    point in the Gemeinde that contains it (a Gemeinde without one gets its representative point); the points of a
    Gemeinde share its weights (columns of ``weights``, indexed by area_id) evenly."""
    spacing = spacing_m or lattice_spacing(gemeinden)
    minx, miny, maxx, maxy = gemeinden.total_bounds
    xs, ys = np.meshgrid(np.arange(minx + spacing / 2, maxx, spacing), np.arange(miny + spacing / 2, maxy, spacing))
    candidates = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs.ravel(), ys.ravel()), crs=gemeinden.crs)
    inside = gpd.sjoin(candidates, gemeinden[["area_id", "geometry"]], predicate="within", how="inner")
    inside = inside[~inside.index.duplicated()][["area_id", "geometry"]]  # a point on a shared border: its first Gemeinde
    missing = gemeinden[~gemeinden["area_id"].isin(inside["area_id"])]
    fallback = gpd.GeoDataFrame({"area_id": missing["area_id"].values}, geometry=missing.geometry.representative_point().values, crs=gemeinden.crs)
    points = gpd.GeoDataFrame(pd.concat([inside, fallback], ignore_index=True), crs=gemeinden.crs)
    per_point = weights.reindex(gemeinden["area_id"]).fillna(0).div(points["area_id"].value_counts(), axis=0)
    shares = per_point.reindex(points["area_id"]).reset_index(drop=True)
    for weight in WEIGHTS:
        points[weight] = shares[weight].to_numpy() if weight in shares else 0.0
    return points


def nearest_distance(points: gpd.GeoSeries, offers: gpd.GeoSeries) -> np.ndarray:
    """Straight-line distance in metres from each point to the nearest offer (inf when there is none)."""
    if offers.empty:
        return np.full(len(points), np.inf)
    tree = cKDTree(np.column_stack([offers.x.to_numpy(), offers.y.to_numpy()]))
    distances, _ = tree.query(np.column_stack([points.x.to_numpy(), points.y.to_numpy()]))
    return distances
