"""The Übersichtskarte's map: the areas of a level coloured by an indicator of the year (quantile classes), memoised
per inputs and shared by every session and rerun (Database carries the file's modification time)."""
from __future__ import annotations

import dataclasses
import functools

import geopandas as gpd

from dashboard import map_component, maps
from planning import classification, queries
from planning.context import LEVEL_SINGULAR, Context
from planning.formatting import value_text
from planning.indicator_metadata import statistics_lines, used_sources
from etl.markers import ABSENT


@dataclasses.dataclass(frozen=True)
class MapView:
    """Shared between sessions: never modify."""

    shapes: gpd.GeoDataFrame  # with value, status, value_text
    map: map_component.RenderedMap
    legend: str
    attribution: str
    statistics_sources: list[str]


@functools.lru_cache(maxsize=16)
def map_view(ctx: Context, level: str, indicator_id: str, tiles: bool = False) -> MapView:
    meta = queries.catalogue(ctx.db).loc[indicator_id]
    shapes = queries.area_shapes(ctx.db, ctx.kreis_id, level)
    values = queries.indicator_values(ctx.db, ctx.kreis_id, level, indicator_id, ctx.year)
    shapes = shapes.merge(values, on="area_id", how="left")
    shapes["status"] = shapes["status"].fillna(ABSENT)
    shapes.loc[~shapes["status"].isin(("ok", "zero")), "value"] = None
    shapes["value_text"] = [value_text(v, s, int(meta.decimals), meta.unit) for v, s in zip(shapes["value"], shapes["status"])]
    classes = classification.classify(shapes["value"], "quantile")
    missing_label = classification.missing_reasons(shapes.loc[shapes["value"].isna(), "status"])
    legend = maps.legend_html(f"{meta.label} {ctx.year}", meta.unit, classes, int(meta.decimals), missing_label)
    attribution = queries.boundary_attribution(ctx.db, ctx.kreis_id)
    fmap = maps.choropleth(
        shapes,
        queries.area_shapes(ctx.db, ctx.kreis_id, "kreis"),
        value_column="value",
        tooltip_fields={"name": LEVEL_SINGULAR[level], "value_text": meta.label},
        classes=classes,
        legend=legend,
        attribution=attribution,
        tiles=tiles,
    )
    lines = statistics_lines(used_sources(ctx.db, values["source_id"]))
    return MapView(shapes, map_component.render(fmap), legend, attribution, lines)


def highlight_script(view: MapView, area_id: str | None) -> str | None:
    """The selected area's border as a layer script for ``map_component.show`` (None without a selection)."""
    if not area_id:
        return None
    return map_component.layer_script(maps.highlight(view.shapes[view.shapes["area_id"] == area_id]))
