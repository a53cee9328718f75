"""The print exports of the indicator views (map, ranking, time series), as ``downloads.FigureExport``.

The figures come from ``reports.figures`` (built only when a download is pressed); file names read
'<kennzahl>_<ebene>_<jahr>_<kreis>_<art>.<ext>'.
"""
from __future__ import annotations

from collections.abc import Sequence

from planning import queries
from planning.context import Context
from dashboard.downloads import FigureExport
from reports import data, figures


def map_export(
    ctx: Context, level: str, indicator_id: str, year: int, *, highlight: Sequence[str] = (), scheme: str = "quantile",
    k: int = 5,
) -> FigureExport:  # fmt: skip
    """Static choropleth of the level with the Kreis outline; ``highlight`` areas outlined and named."""
    con, chosen = queries.connection(ctx.db), tuple(highlight)
    return FigureExport(
        lambda: figures.map_figure(con, ctx.kreis_id, level, indicator_id, year, highlight=chosen, scheme=scheme, k=k),
        name=(indicator_id, level, year, ctx.kreis_name, "karte"),
    )


def ranking_export(ctx: Context, level: str, indicator_id: str, year: int, *, highlight: Sequence[str] = ()) -> FigureExport:
    """Bars of every area of the level, Kreis, Land and Bund as reference lines (none for a count)."""
    con, chosen = queries.connection(ctx.db), tuple(highlight)
    return FigureExport(
        lambda: figures.ranking_figure(con, ctx.kreis_id, level, indicator_id, year, highlight=chosen),
        name=(indicator_id, level, year, ctx.kreis_name, "rangfolge"),
    )


def series_export(ctx: Context, level: str, indicator_id: str, area_ids: Sequence[str]) -> FigureExport:
    """Development over all years of the areas, always with their Kreis, Land and Bund (where the build has them)
    for comparison; a comparison area chosen on the page is drawn as such, not as one of the areas."""
    con = queries.connection(ctx.db)
    comparators = set(data.reference_ids(con, ctx.kreis_id))
    areas = tuple(a for a in area_ids if a not in comparators) or (ctx.kreis_id,)
    return FigureExport(
        lambda: figures.time_series_figure(con, list(areas), indicator_id),
        name=(indicator_id, level, "zeitreihe", ctx.kreis_name),
    )
