"""Where a map writes names: one point well inside each area, and the holes in the Kreis.

Rules a planner should know:
- A name stands at the point of the area farthest from its border (the "pole of inaccessibility"), so it stays
  inside even a long or bent Gemeinde; an area in several parts is named in its largest part.
- Where the Kreis has a hole – land of a neighbour inside it, like the city of Trier inside Trier-Saarburg –
  the hole carries the neighbour's name and kind, "Trier (kreisfreie Stadt)" (table ``neighbours``: the enclosed
  neighbour whose label point lies in the hole); where the database knows no neighbour there (built before the
  table existed, or a hole of several neighbours' land) it reads "nicht zum Kreis gehörig". Holes smaller than half
  a percent of the Kreis are slivers of the simplified border and are left out.
- When names crowd, the map shows the larger areas' names first (``weight`` = size of the area).
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from planning import queries, reference_queries
from planning.db import Database, cached

HOLE_LABEL = "nicht zum Kreis gehörig"
MIN_HOLE_SHARE = 0.005  # of the Kreis's area: smaller holes are artefacts of the simplification
LABEL_COLUMNS = ["name", "lon", "lat", "weight", "hole"]


def _largest_part(geometry: BaseGeometry) -> Polygon | None:
    parts = [p for p in getattr(geometry, "geoms", [geometry]) if isinstance(p, Polygon) and not p.is_empty]
    return max(parts, key=lambda p: p.area) if parts else None


def inner_point(geometry: BaseGeometry) -> tuple[float, float] | None:
    """(lon, lat) of the point of the largest part farthest from its border; None for an empty geometry."""
    part = _largest_part(geometry)
    if part is None:
        return None
    minx, miny, maxx, maxy = part.bounds
    try:  # precision: a hundredth of the part's size is far finer than a label
        point = polylabel(part, tolerance=max(maxx - minx, maxy - miny) / 100 or 1e-6)
    except Exception:  # noqa: BLE001 – an invalid ring: a point surely inside is good enough
        point = part.representative_point()
    if not part.contains(point):
        point = part.representative_point()
    return point.x, point.y


def label_points(shapes: gpd.GeoDataFrame) -> pd.DataFrame:
    """One label per area of ``shapes`` (columns name, geometry): name, lon, lat, weight (area in the map's
    units, for the order in which crowded names give way) and hole (False)."""
    rows = []
    for name, geometry in zip(shapes["name"], shapes.geometry):
        point = inner_point(geometry) if geometry is not None else None
        if point is not None:
            rows.append((str(name), point[0], point[1], float(geometry.area), False))
    return pd.DataFrame(rows, columns=LABEL_COLUMNS)


def neighbour_label(name: str, bez: str | None) -> str:
    """'Trier (kreisfreie Stadt)', 'Birkenfeld (Landkreis)': a name in a hole says that it is another Kreis."""
    kind = (bez or "").strip()
    if kind.lower().startswith("kreisfreie"):
        kind = kind[:1].lower() + kind[1:]  # 'Kreisfreie Stadt' reads 'kreisfreie Stadt' inside the brackets
    return f"{name} ({kind})" if kind else name


def hole_points(outline: BaseGeometry | gpd.GeoDataFrame, neighbours: pd.DataFrame | None = None) -> pd.DataFrame:
    """A label inside every hole of the Kreis outline that is not a sliver: the name of the enclosed neighbour whose
    label point lies in it (``neighbours``: name, bez, enclosed, lon, lat, as ``reference_queries.neighbours``), else
    "nicht zum Kreis gehörig"."""
    if isinstance(outline, gpd.GeoDataFrame):
        outline = shapely.union_all(outline.geometry.values)
    total = outline.area
    inside = neighbours[neighbours["enclosed"].astype(bool)] if neighbours is not None and not neighbours.empty else None
    rows = []
    for part in getattr(outline, "geoms", [outline]):
        for ring in getattr(part, "interiors", []):
            hole = Polygon(ring)
            if total and hole.area >= MIN_HOLE_SHARE * total:
                lon, lat = inner_point(hole)
                rows.append((_hole_name(hole, inside), lon, lat, float(hole.area), True))
    return pd.DataFrame(rows, columns=LABEL_COLUMNS)


def _hole_name(hole: Polygon, inside: pd.DataFrame | None) -> str:
    if inside is None:
        return HOLE_LABEL
    points = shapely.points(inside["lon"].to_numpy(float), inside["lat"].to_numpy(float))
    found = inside[shapely.contains(hole, points)]
    if len(found) != 1:  # none, or land of several neighbours: the plain words say it right
        return HOLE_LABEL
    return neighbour_label(str(found["name"].iloc[0]), found["bez"].iloc[0])


def map_labels(
    shapes: gpd.GeoDataFrame, outline: BaseGeometry | gpd.GeoDataFrame, neighbours: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The labels of a map: every area's name and the Kreis's holes (named by ``neighbours``), larger first."""
    frame = pd.concat([label_points(shapes), hole_points(outline, neighbours)], ignore_index=True)
    return frame.sort_values("weight", ascending=False, ignore_index=True)


@cached(32)
def level_labels(db: Database, kreis_id: str, level: str) -> pd.DataFrame:
    """``map_labels`` of a level of the Kreis (memoised per database version)."""
    return map_labels(queries.area_shapes(db, kreis_id, level), queries.area_shapes(db, kreis_id, "kreis"),
                      reference_queries.neighbours(db, kreis_id))  # fmt: skip


def value_points(shapes: gpd.GeoDataFrame, value_column: str = "value") -> pd.DataFrame:
    """lon, lat and value of every area with a value, at its label point: where a count map puts its circles."""
    rows = []
    for value, geometry in zip(shapes[value_column], shapes.geometry):
        point = inner_point(geometry) if geometry is not None and pd.notna(value) else None
        if point is not None:
            rows.append((point[0], point[1], float(value)))
    return pd.DataFrame(rows, columns=["lon", "lat", "value"])
