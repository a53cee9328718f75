"""Display geometry: topology-preserving simplification, so neighbours keep sharing their border."""
from __future__ import annotations

import geopandas as gpd
import shapely
import topojson

from geo.geometry import DISPLAY_CRS, METRIC_CRS

DISPLAY_TOLERANCE_M = 40.0  # below what a county map at zoom 10-12 can show
DISPLAY_DECIMALS = 5  # about 1 m in latitude; fewer digits = smaller map payload


def simplify_for_display(frame: gpd.GeoDataFrame, tolerance_m: float = DISPLAY_TOLERANCE_M) -> gpd.GeoSeries:
    """Simplified copy of a polygon layer in EPSG:4326, same index and order as ``frame``.

    Per-polygon simplification would open slivers between neighbours; topojson simplifies each shared arc once.
    """
    if frame.crs is None or frame.crs.to_string() != METRIC_CRS:
        raise ValueError("simplify in EPSG:25832 so the tolerance is in metres")
    if frame.empty:
        return gpd.GeoSeries([], crs=DISPLAY_CRS)
    keyed = gpd.GeoDataFrame({"_row": range(len(frame))}, geometry=frame.geometry.values, crs=frame.crs)
    topology = topojson.Topology(keyed, prequantize=False, toposimplify=tolerance_m)
    simplified = topology.to_gdf().sort_values("_row")
    geometry = shapely.make_valid(simplified.geometry.values)
    display = gpd.GeoSeries(geometry, crs=METRIC_CRS).to_crs(DISPLAY_CRS)
    display = gpd.GeoSeries(shapely.set_precision(display.values, 10**-DISPLAY_DECIMALS), crs=DISPLAY_CRS)
    display.index = frame.index
    return display
