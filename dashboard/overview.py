"""What the overview map page shows, computed from the query layer (no widgets here)."""
from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd

from dashboard import maps
from planning import classification, queries
from planning.context import LEVEL_SINGULAR, Context
from planning.formatting import number, value_text
from etl.markers import ABSENT


@dataclass
class MapView:
    shapes: gpd.GeoDataFrame  # with value, status, value_text
    fmap: folium.Map
    legend: str
    attribution: str
    statistics_sources: list[str]


def indicator_options(ctx: Context, level: str) -> pd.DataFrame:
    """Listed indicators with values for this level and year, in catalogue order."""
    coverage = queries.indicator_years(ctx.db, ctx.kreis_id)
    available = set(coverage.loc[(coverage["level"] == level) & (coverage["year"] == ctx.year), "indicator_id"])
    cat = queries.catalogue(ctx.db)
    return cat[cat["listed"] & cat["indicator_id"].isin(available)]


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
    outline = queries.area_shapes(ctx.db, ctx.kreis_id, "kreis")
    fmap = maps.choropleth(
        shapes,
        outline,
        value_column="value",
        tooltip_fields={"name": LEVEL_SINGULAR[level], "value_text": meta.label},
        classes=classes,
        legend=legend,
        attribution=attribution,
        tiles=tiles,
    )
    sources = queries.sources(ctx.db, ctx.kreis_id)
    used = set(values["source_id"].dropna())
    statistics = sources[sources["source_id"].isin(used) & (sources["kind"] == "statistics")]
    lines = [
        f"{r.attribution}: {r.title} ({r.table_code}{', Stand ' + r.stand if isinstance(r.stand, str) and r.stand else ''})"
        for r in statistics.itertuples()
    ]  # a Stand the export did not print is NULL
    return MapView(shapes, fmap, legend, attribution, lines)


def area_details(ctx: Context, shapes: gpd.GeoDataFrame, area_id: str) -> tuple[dict[str, str], pd.DataFrame] | None:
    """Facts and the figure table for the detail panel; None when the area is not on the current map."""
    row = shapes[shapes["area_id"] == area_id]
    if row.empty:
        return None
    area = row.iloc[0]
    facts = {"Art": area["bez"] or LEVEL_SINGULAR[area["level"]], "Fläche": f"{number(area['area_km2'], 1)} km²"}
    if area["level"] == "gemeinde":
        facts["Schlüssel (AGS)"] = area_id
        if area["parent_name"] and area["parent_id"] != ctx.kreis_id:
            facts["Verbandsgemeinde"] = area["parent_name"]
        if area["sozialraum_name"]:
            facts["Sozialraum"] = area["sozialraum_name"]
    else:
        members = queries.member_names(ctx.db, area_id)
        facts[f"{len(members)} Gemeinden"] = ", ".join(members)
    figures = queries.area_figures(ctx.db, area_id, ctx.kreis_id, ctx.year)
    table = pd.DataFrame(
        {
            "Kennzahl": [label if unit == "Personen" else f"{label} ({unit})" for label, unit in zip(figures["label"], figures["unit"])],
            area["name"]: [value_text(v, s, int(d)) for v, s, d in zip(figures["value"], figures["status"], figures["decimals"])],
            "Kreis": [
                value_text(v, s, int(d)) if isinstance(s, str) else "–"
                for v, s, d in zip(figures["kreis_value"], figures["kreis_status"], figures["decimals"])
            ],
        }
    )
    return facts, table
