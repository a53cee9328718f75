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


def lattice_points(gemeinden: gpd.GeoDataFrame, weights: pd.DataFrame, spacing_m: float = 500.0) -> gpd.GeoDataFrame:
    """Fallback without a grid: points every ``spacing_m`` inside each Gemeinde (at least its representative
    point), sharing the Gemeinde's weights (columns of ``weights``, indexed by area_id) evenly."""
    rows = []
    for area_id, geometry in zip(gemeinden["area_id"], gemeinden.geometry):
        minx, miny, maxx, maxy = geometry.bounds
        xs, ys = np.meshgrid(np.arange(minx + spacing_m / 2, maxx, spacing_m), np.arange(miny + spacing_m / 2, maxy, spacing_m))
        candidates = gpd.GeoSeries(gpd.points_from_xy(xs.ravel(), ys.ravel()), crs=METRIC_CRS)
        inside = candidates[candidates.within(geometry)]
        if inside.empty:
            inside = gpd.GeoSeries([geometry.representative_point()], crs=METRIC_CRS)
        share = weights.reindex([area_id]).fillna(0).iloc[0] / len(inside)
        values = {"area_id": area_id, **{w: share.get(w, 0.0) for w in WEIGHTS}}
        rows.append(gpd.GeoDataFrame(values, index=range(len(inside)), geometry=inside.values, crs=METRIC_CRS))
    return gpd.GeoDataFrame(pd.concat(rows, ignore_index=True), crs=METRIC_CRS)


def nearest_distance(points: gpd.GeoSeries, offers: gpd.GeoSeries) -> np.ndarray:
    """Straight-line distance in metres from each point to the nearest offer (inf when there is none)."""
    if offers.empty:
        return np.full(len(points), np.inf)
    tree = cKDTree(np.column_stack([offers.x.to_numpy(), offers.y.to_numpy()]))
    distances, _ = tree.query(np.column_stack([points.x.to_numpy(), points.y.to_numpy()]))
    return distances
