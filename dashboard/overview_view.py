"""The Übersichtskarte's map: the areas of a level coloured by an indicator of the year (or, for counts, circles),
classed by ``planning.classification.map_classes``, memoised per inputs and shared by every session and rerun
(Database carries the file's modification time)."""
from __future__ import annotations

import dataclasses
import functools

import folium
import geopandas as gpd

from dashboard import map_component, maps
from planning import classification, map_labels, queries, reference_queries
from planning.area_values import for_year
from planning.context import LEVEL_SINGULAR, Context
from planning.formatting import short_unit, value_text
from planning.indicator_metadata import source_text, statistics_lines, used_sources
from etl.markers import ABSENT


@dataclasses.dataclass(frozen=True)
class MapView:
    """Shared between sessions: never modify."""

    shapes: gpd.GeoDataFrame  # with value, status, value_text
    map: map_component.RenderedMap
    legend: str
    attribution: str
    statistics_sources: list[str]
    source: str  # "Statistische Ämter …, Bevölkerungsstand 31.12.2015 (Tabelle …)", as the Indikatoren page says it


@dataclasses.dataclass(frozen=True)
class MapLayers:
    """What an indicator map draws besides its areas: classes or circles, legend text, names."""

    classes: classification.Classes | None
    symbols: classification.Symbols | None
    symbol_points: object  # DataFrame lon, lat, value (counts only)
    legend: str
    labels: object  # DataFrame of planning.map_labels, or None


def indicator_layers(
    ctx: Context, frame: gpd.GeoDataFrame, meta, title: str, *, scheme: str = "quantile", k: int = 5,
    reference: float | None = None, names: bool = False, large: bool = False,
) -> MapLayers:  # fmt: skip
    """Classes (or circles for a count), the legend and the names of an indicator map of ``frame`` (areas with
    value and status; ``comparison`` where known). Shared by the Übersichtskarte and the Indikatoren page."""
    decimals, unit = int(meta["decimals"]), str(meta["unit"])
    missing = classification.missing_reasons(frame.loc[frame["value"].isna(), "status"])
    spread = classification.spread_text(frame["value"], decimals, short_unit(unit))
    symbols = symbol_points = classes = None
    if classification.is_count(str(meta["kind"]), unit):
        symbols = classification.proportional_symbols(frame["value"])
        symbol_points = map_labels.value_points(frame)
        note = "Anzahl: Symbole statt Farben (Symbolfläche ∝ Wert)"
    else:
        comparisons = frame["comparison"].tolist() if "comparison" in frame else None
        classes = classification.map_classes(
            frame["value"], scheme=scheme, k=k, reference=reference, comparisons=comparisons, decimals=decimals
        )
        note = classes.note if classes is not None else None
    legend = maps.legend_html(title, unit, classes, decimals, missing, note, spread=spread, symbols=symbols, large=large)
    labels = _labels(ctx, frame) if names else None
    return MapLayers(classes, symbols, symbol_points, legend, labels)


def _labels(ctx: Context, frame: gpd.GeoDataFrame):
    """Names of the areas and of the neighbours in the Kreis's holes; those of a whole level are computed once per
    database and level (``map_labels.level_labels``), not at every change of the Kennzahl."""
    levels = frame["level"].unique() if "level" in frame else []
    if len(levels) == 1:
        return map_labels.level_labels(ctx.db, ctx.kreis_id, str(levels[0]))
    outline = queries.area_shapes(ctx.db, ctx.kreis_id, "kreis")
    return map_labels.map_labels(frame, outline, reference_queries.neighbours(ctx.db, ctx.kreis_id))


def indicator_map(
    ctx: Context, frame: gpd.GeoDataFrame, layers: MapLayers, tooltip_fields: dict[str, str], attribution: str,
    tiles: bool, large: bool,
) -> folium.Map:  # fmt: skip
    """The folium map of an indicator's ``frame`` with its ``layers`` over the Kreis outline (both map pages)."""
    return maps.choropleth(
        frame,
        queries.area_shapes(ctx.db, ctx.kreis_id, "kreis"),
        value_column="value",
        tooltip_fields=tooltip_fields,
        classes=layers.classes,
        legend=layers.legend,
        attribution=attribution,
        tiles=tiles,
        symbols=layers.symbols,
        symbol_points=layers.symbol_points,
        labels=layers.labels,
        large=large,
    )


@functools.lru_cache(maxsize=16)
def map_view(ctx: Context, level: str, indicator_id: str, tiles: bool = False, names: bool = False, large: bool = False) -> MapView:
    meta = queries.catalogue(ctx.db).loc[indicator_id]
    shapes = queries.area_shapes(ctx.db, ctx.kreis_id, level)
    values = queries.indicator_values(ctx.db, ctx.kreis_id, level, indicator_id, ctx.year)
    shapes = shapes.merge(values, on="area_id", how="left")
    shapes["status"] = shapes["status"].fillna(ABSENT)
    shapes.loc[~shapes["status"].isin(("ok", "zero")), "value"] = None
    shapes["value_text"] = [value_text(v, s, int(meta.decimals), meta.unit) for v, s in zip(shapes["value"], shapes["status"])]
    compared = for_year(ctx, indicator_id, ctx.year, level)  # the Kreis value and each area's comparison with it
    shapes = shapes.merge(compared.frame[["area_id", "comparison"]], on="area_id", how="left")
    layers = indicator_layers(ctx, shapes, meta, f"{meta.label} {ctx.year}", reference=compared.kreis.value, names=names, large=large)
    attribution = queries.boundary_attribution(ctx.db, ctx.kreis_id)
    fmap = indicator_map(ctx, shapes, layers, {"name": LEVEL_SINGULAR[level], "value_text": meta.label}, attribution, tiles, large)
    used = used_sources(ctx.db, values["source_id"], [ctx.year])
    statistics = used[used["kind"] == "statistics"] if "kind" in used else used.iloc[0:0]
    source = source_text(meta, statistics)
    return MapView(shapes, map_component.render(fmap), layers.legend, attribution, statistics_lines(used), source)


def highlight_script(view: MapView, area_id: str | None) -> str | None:
    """The selected area's border as a layer script for ``map_component.show`` (None without a selection)."""
    if not area_id:
        return None
    return map_component.layer_script(maps.highlight(view.shapes[view.shapes["area_id"] == area_id]))
