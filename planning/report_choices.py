"""For which areas and indicators a Steckbrief or a Kreistag report is made, and what is chosen at first.

Rules: reports are made for Gemeinden, Sozialräume or Verbandsgemeinden (those the Kreis has), at first on the
level of the Übersichtskarte and for the area clicked there. A report offers the listed indicators with values on
the level in any year; at first six that tell something at once (children, social situation, ageing, childcare),
or the first four where the Kreis has none of them. A report's maps show a year in which the level has values of
at least one chosen indicator, or each indicator's newest year.
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from planning import queries
from planning.context import Context
from planning.db import Database, cached
from planning.indicators import listed_indicators

REPORT_LEVELS = ("gemeinde", "sozialraum", "verbandsgemeinde")
# a first report that tells something at once: children, social situation, ageing, density
DEFAULT_REPORT_INDICATORS = ("anteil_u18", "anteil_u6", "sgb2_quote", "kinderarmut", "altenquotient", "betreuungsquote_u3")


def levels(ctx: Context) -> list[str]:
    """Levels of the Kreis a Steckbrief or report can be made for, in the usual order."""
    return [level for level in queries.levels(ctx.db, ctx.kreis_id) if level in REPORT_LEVELS]


def preferred(options: Sequence[str], *candidates: object) -> str | None:
    """The first candidate that is an option (e.g. the area clicked on the Übersichtskarte), else the first option."""
    return next((c for c in candidates if c in options), options[0] if options else None)


def area_names(ctx: Context, level: str) -> dict[str, str]:
    """area_id → name of every area of the level, by name."""
    return _area_names(ctx.db, ctx.kreis_id, level)


@cached(64)
def _area_names(db: Database, kreis_id: str, level: str) -> dict[str, str]:
    shapes = queries.area_shapes(db, kreis_id, level)
    return dict(zip(shapes["area_id"], shapes["name"]))


def indicator_options(ctx: Context, level: str) -> pd.DataFrame:
    """Listed indicators with values for the level in any year (catalogue order), indexed by indicator_id."""
    return listed_indicators(ctx.db, ctx.kreis_id, (level,))


def default_indicators(options: Sequence[str]) -> list[str]:
    chosen = [i for i in DEFAULT_REPORT_INDICATORS if i in options]
    return chosen or list(options[:4])


def map_years(ctx: Context, level: str, indicator_ids: Sequence[str]) -> list[int]:
    """Years in which the level has values of at least one of the indicators, newest first."""
    coverage = queries.indicator_years(ctx.db, ctx.kreis_id)
    rows = coverage[(coverage["level"] == level) & coverage["indicator_id"].isin(list(indicator_ids))]
    return sorted({int(y) for y in rows["year"]}, reverse=True)
