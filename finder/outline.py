"""The map's background without tiles: the Kreis and its Gemeinden as outlines, with a point for each name.

The database's display geometry is already simplified topology-preservingly (geo/simplify.py, 40 m, 5 decimals);
a Kreis with very detailed borders is simplified once more (topojson, shared borders stay shared) until the file
is small enough for a phone.
"""
from __future__ import annotations

import json

import geopandas as gpd
import shapely
from shapely.geometry import mapping

from geo.geometry import METRIC_CRS
from geo.simplify import simplify_for_display

MAX_BYTES = 400_000  # outline.geojson is loaded after the list: still, a phone should not wait for it
TOLERANCES_M = (80.0, 160.0, 320.0)  # tried in turn while the outlines are larger than MAX_BYTES


def outline_geojson(kreis_shape: gpd.GeoDataFrame, gemeinden: gpd.GeoDataFrame, labels: dict[str, str]) -> str:
    """GeoJSON: the Kreis (k = "kreis") and every Gemeinde (k = "g", n = its label, l = [lon, lat] for the name)."""
    text = _collection(kreis_shape, gemeinden, labels)
    for tolerance in TOLERANCES_M:
        if len(text) <= MAX_BYTES:
            break
        simpler = gemeinden.copy()
        simpler.geometry = simplify_for_display(gemeinden.to_crs(METRIC_CRS), tolerance).values
        kreis = kreis_shape.copy()
        kreis.geometry = [shapely.union_all(simpler.geometry.values)] if len(simpler) else kreis_shape.geometry.values
        text = _collection(kreis, simpler, labels)
    return text


def _collection(kreis_shape: gpd.GeoDataFrame, gemeinden: gpd.GeoDataFrame, labels: dict[str, str]) -> str:
    features = [{"type": "Feature", "properties": {"k": "kreis"}, "geometry": _rounded(mapping(g))} for g in kreis_shape.geometry]
    points = gemeinden.geometry.representative_point()
    for area_id, geometry, point in zip(gemeinden["area_id"], gemeinden.geometry, points):
        properties = {"k": "g", "n": labels.get(area_id, ""), "l": [round(point.x, 5), round(point.y, 5)]}
        features.append({"type": "Feature", "properties": properties, "geometry": _rounded(mapping(geometry))})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))


def _rounded(value: object) -> object:
    """Coordinates to 5 decimals (about 1 m): '6.12345', not '6.123450000000001'."""
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value
