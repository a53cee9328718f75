"""The Angebotskarte on screen: a folium map of one coverage metric per area with the offers as clustered points,
and the same map as a print download.

What the areas show and why an area has no value is ``planning.coverage``; which offers are shown is
``planning.offers``; the point layer is ``dashboard.offer_layer``; the files are ``reports.offer_exports``.

On a rerun with the same selection only the folium map itself is made again: the areas' values
(``planning.coverage.coverage_map``) and the offers' data and legend (``offer_layer.chosen_points``) are memoised
per database, Kreis and selection. The map is not: st_folium renumbers and extends the map it is given, so a map
object shown twice would not give the browser the same script twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import folium
import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
from branca.element import Element

from dashboard import maps, scenario_view
from dashboard.downloads import FigureExport
from dashboard.offer_layer import CLUSTER_CSS, OfferClusters, OfferPoints, chosen_points, offer_points
from planning import coverage, map_labels, queries, scenario_views
from planning.context import LEVEL_SINGULAR, Context
from planning.coverage import CoverageMap, Metric
from planning.formatting import number
from planning.offers import OfferFilter, shown_offers
from planning.scenarios import CLOSED, NEW, PUBLISHED, Scenario
from reports import credits
from reports import data as rdata
from reports.offer_exports import print_figure
from reports.style import Caption

MAX_ZOOM = 18  # street level; beyond it markercluster spiderfies offers at the same address


@dataclass
class OfferMapView:
    """The map on screen and what its exports say about it (``reports.offer_exports.MapDescription``)."""

    shapes: gpd.GeoDataFrame  # the level's areas with the metric's value, value_text and the coverage columns
    fmap: folium.Map
    metric: Metric
    title: str  # metric and category, as in the legend
    offers_shown: int
    attribution: str  # boundaries and offer list, as in the map
    notes: list[str] = field(default_factory=list)  # population basis, target group, sources
    statistics_source_ids: set[str] = field(default_factory=set)  # the tables the target population comes from
    captured: bool = True  # some loaded offer list holds the category (else the areas are "nicht erfasst")


def build_view(
    ctx: Context,
    level: str,
    category_key: str,
    metric_key: str,
    max_distance_m: float,
    offers: pd.DataFrame,
    tiles: bool = False,
    names: bool = False,
    large: bool = False,
) -> OfferMapView:
    """The map: areas coloured by the metric for the category, ``offers`` (already filtered) as clustered points;
    ``names`` of the areas on the map, ``large`` type for presentation mode."""
    points = offer_points(offers, queries.offer_types(ctx.db))
    return _view(ctx, level, category_key, metric_key, max_distance_m, points, tiles, names, large)


def chosen_view(
    ctx: Context, level: str, category_key: str, metric_key: str, max_distance_m: float, chosen: OfferFilter, tiles: bool = False,
    names: bool = False, large: bool = False, scenario: Scenario | None = None, difference: bool = False,
) -> OfferMapView:  # fmt: skip
    """``build_view`` of the offers passing ``chosen``, from the areas' values and the offers' data made once. With a
    ``scenario``: the areas' values after its changes, its new, changed and closed offers drawn with the symbols of
    the page Szenarien (and left out of the clusters), the title marked 'Szenario'; ``difference``: the areas coloured
    by the change instead (classes around 0)."""
    if scenario is None:
        points = chosen_points(ctx.db, ctx.kreis_id, chosen)
        return _view(ctx, level, category_key, metric_key, max_distance_m, points, tiles, names, large)
    marked = scenario_marks(ctx, scenario, chosen)
    published = shown_offers(ctx.db, ctx.kreis_id, chosen)
    points = offer_points(published[~published["offer_id"].isin(marked["offer_id"])], queries.offer_types(ctx.db))
    areas = scenario_views.coverage_map(ctx, scenario, level, category_key, metric_key, float(max_distance_m), difference)
    return _view(ctx, level, category_key, metric_key, max_distance_m, points, tiles, names, large, areas, marked)


def scenario_marks(ctx: Context, scenario: Scenario, chosen: OfferFilter) -> pd.DataFrame:
    """The scenario's new, changed and closed offers the filter lets through: a published one when it passes the
    filter (so a viewer without the right to read internal offers sees no internal one marked either), a new one
    when its Angebotsart is chosen (or all are)."""
    offers = scenario_views.scenario_offers(ctx, scenario)
    marked = offers[offers["status"] != PUBLISHED].dropna(subset=["lon", "lat"])
    passing = marked["offer_id"].isin(shown_offers(ctx.db, ctx.kreis_id, chosen)["offer_id"])
    new = (marked["status"] == NEW) & (marked["offer_type"].isin(chosen.types) if chosen.types else True)
    return marked[passing | new]


def scenario_legend() -> str:
    """The Szenarien page's symbol legend without its 'unverändert' dot: here unchanged offers are the clusters."""
    return scenario_view.offers_legend("Änderungen des Szenarios", with_published=False)


def _view(
    ctx: Context, level: str, category_key: str, metric_key: str, max_distance_m: float, points: OfferPoints, tiles: bool,
    names: bool, large: bool, areas: CoverageMap | None = None, marked: pd.DataFrame | None = None,
) -> OfferMapView:  # fmt: skip
    areas = areas or coverage.coverage_map(ctx, level, category_key, metric_key, float(max_distance_m))
    metric = areas.metric
    extra = points.legend if marked is None else points.legend + scenario_legend()
    # one legend: the areas' classes (or circles), then the points by Handlungsfeld
    legend = maps.legend_html(areas.title, metric.unit, areas.classes, metric.decimals, areas.missing_label, areas.class_note,
                              spread=areas.spread, symbols=areas.symbols, extra=extra, large=large)  # fmt: skip
    fmap = maps.choropleth(
        areas.shapes,
        queries.area_shapes(ctx.db, ctx.kreis_id, "kreis"),
        value_column="value",
        tooltip_fields={"name": LEVEL_SINGULAR[level], "value_text": metric.label, "offers_text": "Angebote", "target_text": "Zielgruppe"},
        classes=areas.classes,
        legend=legend,
        attribution=areas.attribution,
        tiles=tiles,
        symbols=areas.symbols,
        symbol_points=areas.symbol_points,
        labels=map_labels.level_labels(ctx.db, ctx.kreis_id, level) if names else None,
        large=large,
    )
    fmap.options["max_zoom"] = MAX_ZOOM  # markercluster needs the map's maxZoom, which otherwise only tiles set
    fmap.get_root().header.add_child(Element(CLUSTER_CSS))
    # chunks of 50 ms: the browser stays responsive while thousands of markers are clustered
    OfferClusters(points.data_json, maxClusterRadius=40, showCoverageOnHover=False, chunkedLoading=True, chunkInterval=50).add_to(fmap)
    if marked is not None:
        scenario_view.add_offers(fmap, marked)
    notes, statistics = list(areas.notes), set(areas.statistics_source_ids)
    # a copy: the memoised areas are shared by every session
    shown = points.count + (0 if marked is None else int((marked["status"] != CLOSED).sum()))
    return OfferMapView(areas.shapes.copy(), fmap, metric, areas.title, shown, areas.attribution, notes, statistics, areas.captured)


def headline_year(view: OfferMapView) -> str:
    """The year a presentation headline names: that of the target group ('Zielgruppe 2015'), '' without one."""
    years = sorted({int(y) for y in view.shapes["population_year"].dropna()}) if "population_year" in view.shapes else []
    return f"Zielgruppe {'/'.join(map(str, years))}" if years else ""


def selected_outline(view: OfferMapView, area_id: str | None) -> folium.FeatureGroup | None:
    """The chosen area's border as the layer st_folium adds to the map (None without a choice)."""
    return maps.highlight(view.shapes[view.shapes["area_id"] == area_id]) if area_id else None


def map_export(ctx: Context, view: OfferMapView, level: str, offers: pd.DataFrame, highlight: tuple[str, ...] = ()) -> FigureExport:
    """The print map as a download (built only when a button is pressed), with its sources in the footer."""
    con = queries.connection(ctx.db)
    types = queries.offer_types(ctx.db)
    shown = offers[["lon", "lat", "handlungsfeld"]].copy()

    def make() -> go.Figure:
        ids = [*view.statistics_source_ids, *rdata.sources_of_kind(con, ctx.kreis_id, "offers"),
               *credits.extra_source_ids(con, ctx.kreis_id, [level], geometry=True)]  # fmt: skip
        footer = credits.footer_text(credits.credits(con, ids))
        subtitle = f"{rdata.LEVEL_PLURAL[level]} im {ctx.kreis_name} · {number(len(shown))} Angebote"
        outline = rdata.shapes(con, ctx.kreis_id, "kreis").union_all()
        return print_figure(view, shown, types, Caption(view.title, subtitle, footer), outline, highlight)

    return FigureExport(make, name=(view.metric.key, level, ctx.kreis_name, "angebotskarte"))
