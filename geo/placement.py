"""Where points lie: point-in-polygon with a tolerance for generalised borders."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.geometry import METRIC_CRS

GERMANY_LONLAT = (5.5, 47.2, 15.5, 55.1)  # generous bounding box of Germany in EPSG:4326


def to_metric_points(x: pd.Series, y: pd.Series, crs: pd.Series) -> gpd.GeoSeries:
    """Points from per-row coordinates and CRS codes, in EPSG:25832 (NaN for rows without coordinates)."""
    out_x = np.full(len(x), np.nan)
    out_y = np.full(len(x), np.nan)
    for code in crs.dropna().unique():
        rows = (crs == code).to_numpy() & x.notna().to_numpy() & y.notna().to_numpy()
        transformer = Transformer.from_crs(code, METRIC_CRS, always_xy=True)
        out_x[rows], out_y[rows] = transformer.transform(x[rows].to_numpy(float), y[rows].to_numpy(float))
    return gpd.GeoSeries(gpd.points_from_xy(out_x, out_y), index=x.index, crs=METRIC_CRS)


def in_germany(points: gpd.GeoSeries) -> pd.Series:
    lon_lat = points.to_crs("EPSG:4326")
    minx, miny, maxx, maxy = GERMANY_LONLAT
    return (lon_lat.x >= minx) & (lon_lat.x <= maxx) & (lon_lat.y >= miny) & (lon_lat.y <= maxy)


def assign_areas(points: gpd.GeoSeries, areas: gpd.GeoDataFrame, tolerance_m: float) -> pd.DataFrame:
    """area_id of the polygon each point lies in, else of the nearest one within ``tolerance_m``.

    Returns columns area_id and distance_m (0 inside; NaN where no area is near enough).
    """
    frame = gpd.GeoDataFrame(geometry=points, crs=points.crs)
    inside = gpd.sjoin(frame, areas[["area_id", "geometry"]], how="left", predicate="within")
    inside = inside[~inside.index.duplicated(keep="first")]
    result = pd.DataFrame({"area_id": inside["area_id"], "distance_m": np.where(inside["area_id"].notna(), 0.0, np.nan)}, index=frame.index)
    outside = result["area_id"].isna() & ~frame.geometry.is_empty
    if outside.any() and tolerance_m > 0:
        near = gpd.sjoin_nearest(frame[outside], areas[["area_id", "geometry"]], how="left", max_distance=tolerance_m, distance_col="d")
        near = near[~near.index.duplicated(keep="first")]
        result.loc[near.index, "area_id"] = near["area_id"]
        result.loc[near.index, "distance_m"] = near["d"]
    return result
