"""An indicator's values per area: the ranking of a year against the Kreis, and the development over the years.

Rules:
- Every area of the level appears, with its value or the reason it has none; a value with a missing status is
  never shown as a number, and a suppressed value loses its numerator and denominator too.
- Each value is compared with the Kreis value of the same year (``comparison``: Wilson interval of a share in %
  against the Kreis, the indicator's polarity turning higher/lower into besser/schlechter).
- Ranking: highest value first, ties by name; areas without a value are named with their reason instead.
- Development: one line per chosen area over every calendar year from their first to their last year with values,
  with a gap (not a bridge) where a year has none (``planning.series_rules``: breaks in a source, notes on converted
  values), and a trend statement for each line over its last five years with values (``planning.trend``). By
  default the Kreis and the three areas with the highest value (for counts only the areas: a Kreis total would
  flatten them). The Land and Germany can be added where the build has their values.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import geopandas as gpd
import pandas as pd

from etl.markers import ABSENT, STATUS_LABELS_DE, SUPPRESSED
from planning import comparison, queries
from planning.context import LEVEL_SINGULAR, Context
from planning.db import cached
from planning.formatting import number, short_unit, value_text
from planning import series_rules, trend
from planning.indicator_metadata import mapping_credit, statistics_lines, used_sources
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
    bund: Reference | None
    sources: pd.DataFrame  # the `sources` rows of the observations shown
    statistics_sources: list[str]  # their credit lines, and the Sozialraum mapping's where Sozialräume are shown


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
    references_rows = reference_rows(ctx, indicator_id)
    source_ids = [*of_year.loc[of_year["level"].isin([level, "kreis"]), "source_id"],
                  *references_rows.loc[references_rows["year"] == ctx.year, "source_id"]]  # fmt: skip
    used = used_sources(ctx.db, source_ids, years=(ctx.year,))
    lines = statistics_lines(used)
    if level == "sozialraum" and (credit := mapping_credit(ctx.db, ctx.kreis_id)):
        lines.append(credit)
    return AreaValues(meta, ctx.year, level, frame, refs.kreis, refs.land, refs.kreis_vs_land, refs.bund, used, lines)


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

def reference_rows(ctx: Context, indicator_id: str) -> pd.DataFrame:
    """The Land's and Germany's rows of the indicator, all years, with their ``level`` ('land', 'bund')."""
    parts = [queries.land_series(ctx.db, ctx.kreis_id, indicator_id).assign(level="land"),
             queries.bund_series(ctx.db, indicator_id).assign(level="bund")]  # fmt: skip
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=["area_id", "name", "year", "value", "status", "numerator", "denominator", "source_id", "level"])
    return pd.concat(parts, ignore_index=True)


REFERENCE_SUFFIX = {"land": "Land", "bund": "Bund"}


def series_options(ctx: Context, values: AreaValues, land_rows: pd.DataFrame) -> dict[str, str]:
    """Areas the time series can show: the Kreis, the areas of the level (by name), the Land and Germany where they
    have values (``land_rows``: rows of ``reference_rows``, or the Land's alone)."""
    options = {ctx.kreis_id: f"{ctx.kreis_name} (Kreis)"}
    options.update(dict(sorted(zip(values.frame["area_id"], values.frame["name"]), key=lambda p: p[1])))
    levels = land_rows["level"] if "level" in land_rows else pd.Series("land", index=land_rows.index)
    for area_id, name, level in zip(land_rows["area_id"], land_rows["name"], levels):
        options.setdefault(area_id, f"{name} ({REFERENCE_SUFFIX.get(level, level)})")
    return options


def default_series_areas(ctx: Context, values: AreaValues, n: int = DEFAULT_SERIES_AREAS) -> list[str]:
    """The Kreis and the n areas with the highest value (counts: only the areas, a Kreis total would flatten them)."""
    top = ranked(values.frame)["area_id"].head(n).tolist()
    return ([ctx.kreis_id] if values.meta["kind"] == "rate" else []) + top


@dataclass(frozen=True)
class SeriesLine:
    """One area over the indicator's years: values (None in a gap), the value (or why there is none) in German, and
    the counts behind a rate (None where unknown)."""

    area_id: str
    name: str
    level: str  # the area's level; 'land' for the Land, 'bund' for Germany
    values: list[float | None]
    texts: list[str]
    numerators: list[float | None] = field(default_factory=list)
    denominators: list[float | None] = field(default_factory=list)


def series_lines(
    series: pd.DataFrame, land_rows: pd.DataFrame, area_ids: list[str], names: dict[str, str], meta: pd.Series
) -> tuple[list[int], list[SeriesLine]]:
    """Every calendar year from the first to the last row of the chosen areas (gaps stay visible, also where none
    has a value) and one line per chosen area that has rows. ``land_rows``: reference rows (Land, Bund) with
    their ``level``; rows without one are the Land's."""
    decimals = int(meta["decimals"])
    if not land_rows.empty:
        references_rows = land_rows if "level" in land_rows else land_rows.assign(level="land")
        rows = pd.concat([series, references_rows], ignore_index=True)
    else:
        rows = series
    rows = rows[rows["area_id"].isin(area_ids)]
    # the span of the chosen areas' rows: a suppressed last year stays on the axis as a gap with its reason
    years = series_rules.calendar_years((rows if not rows.empty else series[has_value(series)])["year"])
    lines = []
    for area_id in area_ids:
        own = rows[rows["area_id"] == area_id]
        if own.empty:
            continue
        by_year = {int(r.year): r for r in own.itertuples()}
        values, texts, numerators, denominators = [], [], [], []
        for year in years:
            r = by_year.get(year)
            ok = r is not None and r.status in comparison.VALUE_STATUSES and pd.notna(r.value)
            values.append(float(r.value) if ok else None)
            texts.append(value_text(as_float(r.value), r.status, decimals, meta["unit"]) if r is not None else STATUS_LABELS_DE[ABSENT])
            numerators.append(as_float(getattr(r, "numerator", None)) if ok else None)
            denominators.append(as_float(getattr(r, "denominator", None)) if ok else None)
        lines.append(SeriesLine(area_id, names.get(area_id, area_id), own["level"].iloc[0], values, texts, numerators, denominators))
    return years, lines


@dataclass(frozen=True)
class SeriesView:
    """What the development of the chosen areas shows: years, lines, the trend of each line, breaks in the source and
    notes on converted values. Shared between callers: never modify."""

    years: list[int]
    lines: list[SeriesLine]
    trends: dict[str, trend.Trend]  # area_id → trend of its last five years with values
    breaks: list[series_rules.SeriesBreak]
    notes: list[str]

    @property
    def years_with_values(self) -> list[int]:
        """The years in which some line shown has a value."""
        return [y for i, y in enumerate(self.years) if any(line.values[i] is not None for line in self.lines)]

    @property
    def one_year(self) -> bool:
        """Only one year with values: no development to draw ('nur ein Jahr vorhanden')."""
        return len(self.years_with_values) == 1


def line_trend(line: SeriesLine, years: list[int], meta: pd.Series) -> trend.Trend:
    """``planning.trend.trend`` of one line, by the indicator's kind, unit and polarity."""
    counts = bool(line.numerators) and any(n is not None for n in line.numerators)
    return trend.trend(
        years, line.values, kind=meta["kind"], unit=meta["unit"], per=as_float(meta.get("per")),
        numerators=line.numerators if counts else None, denominators=line.denominators if counts else None,
        polarity=meta["polarity"], decimals=int(meta["decimals"]),
    )  # fmt: skip


def series_view(
    ctx: Context, indicator_id: str, area_ids: list[str], names: dict[str, str], meta: pd.Series
) -> SeriesView:
    """The development of the chosen areas (Kreis areas, Kreis, Land, Bund) with trends, breaks and notes."""
    series = queries.indicator_series(ctx.db, ctx.kreis_id, indicator_id)
    years, lines = series_lines(series, reference_rows(ctx, indicator_id), area_ids, names, meta)
    shown = series[series["area_id"].isin(area_ids)]
    codes = queries.all_sources(ctx.db).reindex(shown["source_id"].dropna().unique())["table_code"].dropna()
    breaks = series_rules.source_breaks(str(meta["source"]), [y for i, y in enumerate(years) if any(
        line.values[i] is not None for line in lines)], codes)  # fmt: skip
    trends = {line.area_id: line_trend(line, years, meta) for line in lines}
    return SeriesView(years, lines, trends, breaks, series_rules.converted_notes(shown))


def trend_lines(view: SeriesView) -> list[str]:
    """'Heddert: steigend – ungünstig (+0,4 Prozentpunkte pro Jahr; p = 0,003), letzte 5 Jahre mit Werten: 2011–2015',
    one per line shown; a trend whose years span a break in the source says so (the jump of the base counts in)."""
    out = []
    for line in view.lines:
        found = view.trends.get(line.area_id)
        if found is None:
            continue
        spanned = [b.label for b in view.breaks if found.years and found.method and found.years[0] < b.year <= found.years[-1]]
        caveat = f" – über den Bruch „{', '.join(spanned)}“ hinweg, mit Vorsicht lesen" if spanned else ""
        out.append(f"{line.name}: {found.text}{caveat}")
    return out


def trend_method_note(view: SeriesView) -> str:
    """The tests used for the trends shown (``planning.trend.method_note``)."""
    return trend.method_note([t.method for t in view.trends.values() if t.method])
