"""The Indikatoren explorer on screen: the view of one indicator, year, level and map classes (map, legend, ranking,
table, metadata), memoised per these inputs, and the page's repeated widget blocks.

The numbers and rules come from ``planning`` (``indicators``, ``area_values``, ``indicator_metadata``); this module
turns them into a folium map, plotly figures and Streamlit elements. A view is built once per inputs and shared
by every session and rerun (Database carries the file's modification time, so a rebuild makes new views):
a rerun with unchanged inputs only hands the finished pieces to Streamlit.
"""
from __future__ import annotations

import dataclasses
import functools

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import indicator_figures, map_component, overview_view
from dashboard.indicator_figures import ranking_figure, summary_html
from dashboard.markdown import plain
from planning import classification, comparison, queries, reference_gaps
from planning.context import LEVEL_SINGULAR, Context
from planning.formatting import short_unit
from planning.indicator_metadata import metadata
from planning.indicators import catalogue_list, indicator_years, level_label, short_value
from planning.area_values import (
    AreaValues, SeriesView, for_year, ranking_missing_text, reference_rows, series_options, series_view, table,
    trend_lines, trend_method_note,
)  # fmt: skip

CLASS_COUNTS = (3, 4, 5, 6, 7)  # the map's class counts a planner can choose


@dataclasses.dataclass(frozen=True)
class ExplorerView(AreaValues):
    """The values of ``AreaValues`` and what the page shows of them. Shared between sessions: never modify."""

    scheme: str
    map: map_component.RenderedMap
    legend: str
    attribution: str
    ranking: go.Figure
    table: pd.DataFrame
    facts: dict[str, str]
    summary: str  # how many areas compare how with the Kreis (HTML)
    missing_text: str | None  # the areas the ranking leaves out, with their reasons
    with_bund: bool  # the build holds Germany: its value is shown beside Kreis and Land
    rule_note: str = ""  # why the map does not use the chosen classes (few areas, small spread, a count), else ""
    reference_note: str | None = None  # why Land or Deutschland has no value this year (planning.reference_gaps)


def build_view(
    ctx: Context, indicator_id: str, year: int, level: str, scheme: str = "quantile", k: int = 5, tiles: bool = False,
    names: bool = True, large: bool = False,
) -> ExplorerView:  # fmt: skip
    """The view of ``indicator_id`` in ``year`` at ``level``, map classes by ``scheme`` and ``k`` where the map
    rule allows them (``planning.classification.map_classes``), names on the map, large type (memoised)."""
    return _view(dataclasses.replace(ctx, year=year), indicator_id, level, scheme, k, tiles, names, large)


@functools.lru_cache(maxsize=16)  # a national map is megabytes of text
def _view(ctx: Context, indicator_id: str, level: str, scheme: str, k: int, tiles: bool, names: bool, large: bool) -> ExplorerView:
    values = for_year(ctx, indicator_id, ctx.year, level)
    meta, frame = values.meta, values.frame
    layers = overview_view.indicator_layers(
        ctx, frame, meta, f"{meta['label']} {ctx.year}", scheme=scheme, k=k, reference=values.kreis.value, names=names, large=large
    )
    rule_note = "" if layers.classes is not None and layers.classes.method == classification.SCHEME else (
        layers.classes.note if layers.classes is not None else "Anzahlen als Symbole, ohne Klassen")
    attribution = queries.boundary_attribution(ctx.db, ctx.kreis_id)
    tooltip = {"name": LEVEL_SINGULAR[level], "value_text": meta["label"], "comparison_text": "Vergleich mit Kreis"}
    fmap = overview_view.indicator_map(ctx, frame, layers, tooltip, attribution, tiles, large)
    years = indicator_years(ctx.db, ctx.kreis_id, indicator_id)
    facts = metadata(meta, queries.catalogue(ctx.db), values.sources, years, catalogue_vintage=not ctx.demo)
    return ExplorerView(
        **{f.name: getattr(values, f.name) for f in dataclasses.fields(AreaValues)},
        scheme=scheme,
        map=map_component.render(fmap),
        legend=layers.legend,
        attribution=attribution,
        ranking=ranking_figure(frame, meta, values.kreis, values.land, values.bund),
        table=table(frame, level, meta),
        facts=facts,
        summary=summary_html(frame),
        missing_text=ranking_missing_text(frame),
        rule_note=rule_note,
        with_bund=queries.has_bund(ctx.db),
        reference_note=_reference_note(ctx, indicator_id),
    )


def _reference_note(ctx: Context, indicator_id: str) -> str | None:
    """Why the Land's or Germany's figure beside the Kreis is '–' (no table, no value that year), else None."""
    bund = queries.bund_series(ctx.db, indicator_id) if queries.has_bund(ctx.db) else None
    gaps = reference_gaps.reference_gaps(ctx.year, queries.land_series(ctx.db, ctx.kreis_id, indicator_id), bund)
    return reference_gaps.gap_note(gaps, ctx.year)


@functools.lru_cache(maxsize=64)
def _series(ctx: Context, indicator_id: str, level: str, area_ids: tuple[str, ...]) -> tuple[SeriesView, go.Figure]:
    values = for_year(ctx, indicator_id, ctx.year, level)
    names = series_options(ctx, values, reference_rows(ctx, indicator_id))
    found = series_view(ctx, indicator_id, list(area_ids), names, values.meta)
    return found, indicator_figures.series_chart(found.years, found.lines, values.meta, found.breaks)


def series_names(ctx: Context, view: ExplorerView, indicator_id: str) -> dict[str, str]:
    """area_id → name of every area the time series can show (``planning.area_values.series_options``)."""
    return series_options(ctx, view, reference_rows(ctx, indicator_id))


def series_figure(ctx: Context, view: ExplorerView, indicator_id: str, area_ids: list[str]) -> go.Figure:
    """The development of the chosen areas (memoised per choice)."""
    return _series(dataclasses.replace(ctx, year=view.year), indicator_id, view.level, tuple(area_ids))[1]


def show_series(ctx: Context, view: ExplorerView, indicator_id: str, area_ids: list[str]) -> None:
    """The development of the chosen areas: the chart (or, with a single year, the sentence that there is no
    development), the trend of each line with its test, the breaks in the source and notes on converted values."""
    found, figure = _series(dataclasses.replace(ctx, year=view.year), indicator_id, view.level, tuple(area_ids))
    if found.one_year:
        st.info(
            f"Nur ein Jahr vorhanden ({found.years_with_values[0]}): eine Entwicklung lässt sich nicht zeigen. "
            "Die Werte dieses Jahres stehen in Karte, Rangfolge und Tabelle.",
            icon=":material/timeline:",
        )
    elif found.years_with_values:
        chart(figure, "explorer_timeseries")
    if not found.one_year and found.lines:
        st.markdown("**Trend der letzten fünf Jahre mit Werten**  \n" + "  \n".join(plain(t) for t in trend_lines(found)))
        st.caption(trend_method_note(found))
    for note in [b.note for b in found.breaks] + [f"Umgerechnet: {n}" for n in found.notes]:
        st.caption(plain(note))


# --- widget blocks of the page ---------------------------------------------------------------------------------------

def _pick_from_list() -> None:
    """A click on a row of the hit list picks that indicator (runs before the next script run)."""
    rows = st.session_state["explorer_list"].selection.rows
    listed = st.session_state.get("_explorer_list_ids", [])
    if rows and rows[0] < len(listed):
        st.session_state["explorer_indicator"] = listed[rows[0]]


def show_hit_list(matches: pd.DataFrame, searchable: int) -> None:
    """The indicators found, as a table whose rows pick an indicator (key ``explorer_list``)."""
    st.session_state["_explorer_list_ids"] = matches["indicator_id"].tolist()
    st.caption(f"{len(matches)} von {searchable} Kennzahlen – Zeile anklicken oder unten auswählen")
    st.dataframe(
        catalogue_list(matches),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(matches), 213),
        key="explorer_list",
        on_select=_pick_from_list,
        selection_mode="single-row",
        column_config={
            "Kennzahl": st.column_config.TextColumn(width="large"),
            "Einheit": st.column_config.TextColumn(width="medium"),
            "Thema": st.column_config.TextColumn(width="medium"),
        },
    )


def chart(figure: go.Figure, key: str) -> None:
    st.plotly_chart(figure, width="stretch", config=indicator_figures.CHART_CONFIG, key=key)


def show_about(view: ExplorerView) -> None:
    """The box with definition, kind and polarity on the left, unit, source, licence and Datenstand on the right."""
    first = ("Definition", "Art", "Bewertung")
    with st.container(border=True):
        st.markdown(f"#### {plain(view.meta['label'])}")
        about = st.columns([3, 2], gap="large")
        about[0].markdown("  \n".join(f"**{k}:** {plain(v)}" for k, v in view.facts.items() if k in first))
        about[1].markdown("  \n".join(f"**{k}:** {plain(v)}" for k, v in view.facts.items() if k not in first))


def show_references(view: ExplorerView) -> None:
    """Kreis, Land and – where the build has Germany – Bund value of the year, and how many areas are better, similar,
    worse than the Kreis; under them, in words, why Land or Deutschland shows "–"."""
    meta, year, with_bund = view.meta, view.year, view.with_bund
    # a long unit goes under the figures, not into their labels: Streamlit cuts a long metric label with "…"
    long_unit = "" if not meta["unit"] or short_unit(meta["unit"]) or meta["unit"] == "Personen" else str(meta["unit"])
    figures = st.columns([2, 2, 2, 3] if with_bund else [2, 2, 3])
    figures[0].metric(f"Kreis {year}", short_value(view.kreis, meta), help=plain(view.kreis.text))
    land_label = f"Land {year}" if view.land is None else f"{view.land.name} {year}"
    figures[1].metric(
        plain(land_label),
        "–" if view.land is None else short_value(view.land, meta),
        help=plain(view.reference_note or "Kein Landeswert.") if view.land is None else plain(view.land.text),
    )
    if long_unit:
        figures[0].caption(f"Einheit: {plain(long_unit)}")
    if view.kreis_vs_land is not None:
        figures[1].caption(f"Kreis im Vergleich mit dem Land: {view.kreis_vs_land.text}")
    if with_bund:
        figures[2].metric(
            f"Deutschland {year}",
            "–" if view.bund is None else short_value(view.bund, meta),
            help=plain(view.reference_note or "Kein Bundeswert.") if view.bund is None else plain(view.bund.text),
        )
    figures[-1].markdown(
        f"<div style='font-size:.875rem'>{level_label(view.level)} im Vergleich mit dem Kreis</div>" + view.summary,
        unsafe_allow_html=True,
    )
    if view.reference_note:  # not only a "–" with a tooltip: the reason stays visible (and in print screenshots)
        st.caption(plain(view.reference_note))


def comparison_note(meta: pd.Series) -> str:
    """How the page compares with the Kreis, for this indicator."""
    if comparison.is_percent(meta["unit"]) and meta["kind"] == "rate":
        return (
            "Vergleich mit dem Kreis: 95-%-Konfidenzintervall (Wilson) des Anteils aus Zähler und Nenner; liegt es ganz über "
            "oder unter dem Kreiswert, ist der Unterschied statistisch gesichert, sonst „ähnlich“. "
            + comparison.polarity_text(meta["polarity"])
        )
    return (
        "Vergleich mit dem Kreis: statistisch bewertet werden nur Anteile in % mit Zähler und Nenner; "
        "diese Kennzahl ist keiner, daher „nicht bewertet“."
    )


def show_table(view: ExplorerView) -> None:
    """The table of the year (its unit said above where the header cannot carry it)."""
    rows, meta = view.table, view.meta
    value_column = rows.columns[2]
    if value_column == "Wert" and meta["unit"] != "Personen":
        st.caption(f"Einheit der Werte: {plain(meta['unit'])}")
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(rows), 520),
        column_config={
            "Rang": st.column_config.NumberColumn(width=55),
            LEVEL_SINGULAR[view.level]: st.column_config.TextColumn(width=190),
            value_column: st.column_config.TextColumn(width=150),
            "95-%-KI": st.column_config.TextColumn(width=115),
            "Vergleich mit Kreis": st.column_config.TextColumn(width=170),
            "Zähler": st.column_config.TextColumn(width=80),
            "Nenner": st.column_config.TextColumn(width=80),
            "Hinweis": st.column_config.TextColumn(width="large"),
        },
    )
