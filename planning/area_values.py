"""An indicator's values per area: the ranking of a year against the Kreis, and the development over the years.

Rules:
- Every area of the level appears, with its value or the reason it has none; a value with a missing status is
  never shown as a number, and a suppressed value loses its numerator and denominator too.
- Each value is compared with the Kreis value of the same year (``comparison``: Wilson interval of a share in %
  against the Kreis, the indicator's polarity turning higher/lower into besser/schlechter).
- Ranking: highest value first, ties by name; areas without a value are named with their reason instead.
- Development: one line per chosen area over every year in which the indicator has values, with a gap (not a
  bridge) where a year has none. By default the Kreis and the three areas with the highest value (for counts
  only the areas: a Kreis total would flatten them).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import geopandas as gpd
import pandas as pd

from etl.markers import ABSENT, STATUS_LABELS_DE, SUPPRESSED
from planning import comparison, queries
from planning.context import LEVEL_SINGULAR, Context
from planning.db import cached
from planning.formatting import number, short_unit, value_text
from planning.indicator_metadata import statistics_lines, used_sources
from planning.indicators import Reference, as_float, compare_row, has_value, references

FLAG_TEXT = {"p": "vorläufig", "r": "berichtigt", "s": "geschätzt"}
DEFAULT_SERIES_AREAS = 3


@dataclass(frozen=True)
class AreaValues:
    """One indicator in one year at one level, compared with the Kreis. Shared between callers: never modify."""

    meta: pd.Series
    year: int
    level: str
    frame: gpd.GeoDataFrame  # every area of the level, with value, texts and comparison
    kreis: Reference
    land: Reference | None
    kreis_vs_land: comparison.Comparison | None
    sources: pd.DataFrame  # the `sources` rows of the observations shown
    statistics_sources: list[str]


def area_frame(
    shapes: gpd.GeoDataFrame, rows: pd.DataFrame, meta: pd.Series, benchmark: float | None
) -> gpd.GeoDataFrame:
    """Every area of the level with its observation (or 'absent'), value texts, Wilson interval and comparison."""
    decimals = int(meta["decimals"])
    # plain pandas while computing (GeoDataFrame column operations are several times slower), geometry at the end
    frame = pd.DataFrame(shapes.drop(columns="geometry")).merge(
        rows.drop(columns=["name", "level", "year"], errors="ignore"), on="area_id", how="left"
    )
    frame["status"] = frame["status"].fillna(ABSENT)
    known = has_value(frame)
    frame["value"] = frame["value"].where(known).astype(float)
    suppressed = (frame["status"] == SUPPRESSED).to_numpy()
    for column in ("numerator", "denominator"):
        frame[column] = frame[column].astype(float).where(~suppressed)
    values, statuses = frame["value"].tolist(), frame["status"].tolist()
    frame["value_text"] = [value_text(as_float(v), s, decimals, meta["unit"]) for v, s in zip(values, statuses)]
    results = [
        compare_row(meta, v, s, n, d, benchmark)
        for v, s, n, d in zip(values, statuses, frame["numerator"].tolist(), frame["denominator"].tolist())
    ]
    frame["comparison"] = [r.category for r in results]
    frame["comparison_label"] = [r.label for r in results]
    frame["comparison_text"] = [r.text for r in results]
    frame["ci_low"] = [r.ci[0] if r.ci else math.nan for r in results]
    frame["ci_high"] = [r.ci[1] if r.ci else math.nan for r in results]
    frame["ci_text"] = [f"{number(r.ci[0], decimals)} – {number(r.ci[1], decimals)}" if r.ci else "–" for r in results]
    flags = frame["flag"].tolist() if "flag" in frame else [None] * len(frame)
    notes = frame["note"].tolist() if "note" in frame else [None] * len(frame)
    frame["hint"] = [_hint(s, f, n) for s, f, n in zip(statuses, flags, notes)]
    frame["rank"] = frame["value"].rank(ascending=False, method="min").astype("Int64")
    return gpd.GeoDataFrame(frame, geometry=shapes.geometry.to_numpy(), crs=shapes.crs)


def _hint(status: str, flag, note) -> str:
    parts = []
    if isinstance(flag, str) and flag in FLAG_TEXT:
        parts.append(FLAG_TEXT[flag])
    if status not in comparison.VALUE_STATUSES and status != ABSENT:
        parts.append(STATUS_LABELS_DE.get(status, status))
    if isinstance(note, str) and note:
        parts.append(note)
    return "; ".join(parts)


def for_year(ctx: Context, indicator_id: str, year: int, level: str) -> AreaValues:
    """The indicator's values of ``year`` for every area of ``level``, with Kreis and Land and their sources."""
    return _area_values(replace(ctx, year=year), indicator_id, level)


@cached(32)
def _area_values(ctx: Context, indicator_id: str, level: str) -> AreaValues:
    meta = queries.catalogue(ctx.db).loc[indicator_id]
    series = queries.indicator_series(ctx.db, ctx.kreis_id, indicator_id)
    of_year = series[series["year"] == ctx.year]
    refs = references(ctx, indicator_id, ctx.year)
    shapes = queries.area_shapes(ctx.db, ctx.kreis_id, level)
    benchmark = refs.kreis.value
    frame = area_frame(shapes, of_year[of_year["level"] == level], meta, benchmark)
    land_rows = queries.land_series(ctx.db, ctx.kreis_id, indicator_id)
    source_ids = [*of_year.loc[of_year["level"].isin([level, "kreis"]), "source_id"], *land_rows.loc[land_rows["year"] == ctx.year, "source_id"]]
    used = used_sources(ctx.db, source_ids)
    return AreaValues(meta, ctx.year, level, frame, refs.kreis, refs.land, refs.kreis_vs_land, used, statistics_lines(used))


# --- ranking ------------------------------------------------------------------------------------------------------

def ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """The areas with a value, highest first (ties by name)."""
    return frame[frame["value"].notna()].sort_values(["value", "name"], ascending=[False, True])


def ranking_missing_text(frame: pd.DataFrame) -> str | None:
    """'Ohne Wert – wegen kleiner Fallzahl unterdrückt: A, B; …' for the areas the ranking leaves out."""
    missing = frame[frame["value"].isna()]
    if missing.empty:
        return None
    parts = [
        f"{STATUS_LABELS_DE.get(status, status)}: {', '.join(sorted(group['name']))}"
        for status, group in missing.groupby("status", sort=True)
    ]
    return "Ohne Wert – " + "; ".join(parts)


def value_column(meta: pd.Series) -> str:
    """'Wert (%)'; a long unit ('je 100 Personen …') would be cut off in the header: the page says it above."""
    unit = short_unit(meta["unit"])
    return f"Wert ({unit})" if unit else "Wert"


def table(frame: pd.DataFrame, level: str, meta: pd.Series) -> pd.DataFrame:
    """The figures as shown: German numbers as text (the unit in the header), missing values with their reason,
    never a suppressed number. Where no area of this indicator can be compared (not a share in %), the
    comparison column just says so; the reason is given once beside the table."""
    rows = frame.sort_values(["rank", "name"], na_position="last")
    decimals = int(meta["decimals"])
    values = [value_text(as_float(v), s, decimals) for v, s in zip(rows["value"], rows["status"])]
    indicator_reason = not comparison.is_percent(meta["unit"])
    verdicts = rows["comparison_label"] if indicator_reason else rows["comparison_text"]
    return pd.DataFrame(
        {
            "Rang": rows["rank"].to_numpy(),
            LEVEL_SINGULAR[level]: rows["name"].to_numpy(),
            value_column(meta): values,
            "95-%-KI": rows["ci_text"].to_numpy(),
            "Vergleich mit Kreis": verdicts.to_numpy(),
            "Zähler": [number(x, 0) if pd.notna(x) else "–" for x in rows["numerator"]],
            "Nenner": [number(x, 0) if pd.notna(x) else "–" for x in rows["denominator"]],
            "Hinweis": rows["hint"].to_numpy(),
        }
    )


# --- development over the years -----------------------------------------------------------------------------------

def series_options(ctx: Context, values: AreaValues, land_rows: pd.DataFrame) -> dict[str, str]:
    """Areas the time series can show: the Kreis, the areas of the level (by name), the Land where it has values."""
    options = {ctx.kreis_id: f"{ctx.kreis_name} (Kreis)"}
    options.update(dict(sorted(zip(values.frame["area_id"], values.frame["name"]), key=lambda p: p[1])))
    if not land_rows.empty:
        options[land_rows["area_id"].iloc[0]] = f"{land_rows['name'].iloc[0]} (Land)"
    return options


def default_series_areas(ctx: Context, values: AreaValues, n: int = DEFAULT_SERIES_AREAS) -> list[str]:
    """The Kreis and the n areas with the highest value (counts: only the areas, a Kreis total would flatten them)."""
    top = ranked(values.frame)["area_id"].head(n).tolist()
    return ([ctx.kreis_id] if values.meta["kind"] == "rate" else []) + top


@dataclass(frozen=True)
class SeriesLine:
    """One area over the indicator's years: values (None in a gap) and the value (or why there is none) in German."""

    area_id: str
    name: str
    level: str  # the area's level; 'land' for the Land
    values: list[float | None]
    texts: list[str]


def series_lines(
    series: pd.DataFrame, land_rows: pd.DataFrame, area_ids: list[str], names: dict[str, str], meta: pd.Series
) -> tuple[list[int], list[SeriesLine]]:
    """The indicator's years with values (gaps stay visible) and one line per chosen area that has rows."""
    decimals = int(meta["decimals"])
    rows = pd.concat([series, land_rows.assign(level="land")], ignore_index=True) if not land_rows.empty else series
    years = sorted({int(y) for y in series.loc[has_value(series), "year"]})
    rows = rows[rows["area_id"].isin(area_ids)]
    lines = []
    for area_id in area_ids:
        own = rows[rows["area_id"] == area_id]
        if own.empty:
            continue
        name = names.get(area_id, area_id)
        by_year = {int(r.year): r for r in own.itertuples()}
        values, texts = [], []
        for year in years:
            r = by_year.get(year)
            if r is None:
                values.append(None)
                texts.append(STATUS_LABELS_DE[ABSENT])
                continue
            ok = r.status in comparison.VALUE_STATUSES and pd.notna(r.value)
            values.append(float(r.value) if ok else None)
            texts.append(value_text(as_float(r.value), r.status, decimals, meta["unit"]))
        lines.append(SeriesLine(area_id, name, own["level"].iloc[0], values, texts))
    return years, lines
