"""The Kreise and kreisfreie Städte next to each Kreis of a build, from the boundary release (table ``neighbours``).

Rules in a planner's words:
- A neighbour shares a border with the Kreis (at least ``MIN_BORDER_M`` of it: two Kreise that meet in a single
  corner are no neighbours) or lies inside it, like the city of Trier inside Trier-Saarburg.
- ``enclosed``: the neighbour lies (almost) wholly in a hole of the Kreis – the maps write its name into the hole
  instead of "nicht zum Kreis gehörig".
- The label point (lon/lat) is where a map writes the neighbour's name: the point of the neighbour farthest from
  its border (an enclosed city), or of its part within ``NEAR_M`` of the Kreis (a neighbour beside it).
- Only the Kreis layer of the release is read; a release with just the county (the demo) gives no neighbours.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from etl.sources.bkg import Boundaries, read_all_kreise
from geo.geometry import DISPLAY_CRS

COLUMNS = ["kreis_id", "neighbour_id", "name", "bez", "enclosed", "lon", "lat"]
MIN_BORDER_M = 500.0  # shared border below this is a corner, not a neighbourhood
NEAR_M = 5_000.0  # a neighbour beside the Kreis is named within this distance of the border
ENCLOSED_SHARE = 0.01  # at most this share of the neighbour may lie outside the Kreis's outer ring
_TOUCH_M = 50.0  # the Kreis widened by this much to measure a shared border as an area


def neighbour_table(boundaries: list[Boundaries]) -> pd.DataFrame:
    """One row per Kreis of the builds' boundaries and neighbouring or enclosed Kreis (columns ``COLUMNS``)."""
    frames = [_neighbours_of(b) for b in boundaries]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True).drop_duplicates(["kreis_id", "neighbour_id"], ignore_index=True)


def _neighbours_of(boundaries: Boundaries) -> pd.DataFrame:
    every = _all_kreise(boundaries.source, tuple(sorted(boundaries.layer_sources.items())))
    rows = []
    for kreis_id, kreis in zip(boundaries.kreis["area_id"], boundaries.kreis.geometry):
        widened = kreis.buffer(_TOUCH_M)
        filled = _filled(kreis)
        candidates = every[(every["area_id"] != kreis_id) & every.intersects(widened)]
        for other in candidates.itertuples():
            if other.geometry.intersection(widened).area < _TOUCH_M * MIN_BORDER_M:
                continue  # a corner or a sliver of generalisation
            enclosed = other.geometry.difference(filled).area <= ENCLOSED_SHARE * other.geometry.area
            near = other.geometry if enclosed else other.geometry.intersection(kreis.buffer(NEAR_M))
            x, y = _inner_point(near)
            rows.append((kreis_id, other.area_id, other.name, other.bez, bool(enclosed), x, y))
    frame = pd.DataFrame(rows, columns=["kreis_id", "neighbour_id", "name", "bez", "enclosed", "x", "y"])
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    points = gpd.GeoSeries(gpd.points_from_xy(frame["x"], frame["y"]), crs=every.crs).to_crs(DISPLAY_CRS)
    return frame.drop(columns=["x", "y"]).assign(lon=points.x.round(6).values, lat=points.y.round(6).values)[COLUMNS]


@lru_cache(maxsize=4)
def _all_kreise(path: Path, layers: tuple[tuple[str, str], ...]) -> gpd.GeoDataFrame:
    return read_all_kreise(path, dict(layers))


def _filled(geometry: BaseGeometry) -> BaseGeometry:
    """The geometry with its holes filled: the area inside its outer rings."""
    parts = [Polygon(p.exterior) for p in getattr(geometry, "geoms", [geometry]) if isinstance(p, Polygon)]
    return shapely.union_all(parts)


def _inner_point(geometry: BaseGeometry) -> tuple[float, float]:
    """The point of the largest part farthest from its border (a point surely inside where that fails)."""
    parts = [p for p in getattr(geometry, "geoms", [geometry]) if isinstance(p, Polygon) and not p.is_empty]
    part = max(parts, key=lambda p: p.area) if parts else geometry
    minx, miny, maxx, maxy = part.bounds
    try:
        point = polylabel(part, tolerance=max(maxx - minx, maxy - miny) / 100 or 1.0)
    except Exception:  # noqa: BLE001 – an invalid ring: a point surely inside is good enough
        point = part.representative_point()
    if not part.contains(point):
        point = part.representative_point()
    return point.x, point.y
