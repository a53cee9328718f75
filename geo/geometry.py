"""Coordinate systems, areas and unions of administrative polygons."""
from __future__ import annotations

import geopandas as gpd
import shapely

METRIC_CRS = "EPSG:25832"  # ETRS89 / UTM 32N: what German authorities measure in
DISPLAY_CRS = "EPSG:4326"  # what Leaflet draws


def to_metric(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:25832 and repair invalid rings (VG5000 ships a few) so areas and unions are right."""
    out = frame.to_crs(METRIC_CRS)
    invalid = ~out.geometry.is_valid
    if invalid.any():
        out.loc[invalid, out.geometry.name] = shapely.make_valid(out.geometry[invalid].values)
    return out


def area_km2(frame: gpd.GeoDataFrame) -> list[float]:
    if frame.crs is None or frame.crs.to_string() != METRIC_CRS:
        raise ValueError("areas are measured in EPSG:25832 only")
    return list(frame.geometry.area / 1_000_000)


def dissolve(frame: gpd.GeoDataFrame, by: str) -> gpd.GeoDataFrame:
    """Union of member polygons per group (Sozialraum from Gemeinden, Kreis from its parts)."""
    return frame[[by, frame.geometry.name]].dissolve(by=by, as_index=False)
