"""The trend statement of an indicator in print, in the screen's words (``planning.trend``, as the Indikatoren page
states it below its development chart).

Rules, as the planner reads them under each indicator of the Kreistag report:
- One line per area: the chosen areas (at most ``TREND_AREAS``; with more only the comparison areas, as on the
  screen), then Kreis, Land and Bund where the database has their values.
- Each area's verdict: "steigend – ungünstig (+0,4 Prozentpunkte pro Jahr; p = 0,003)", "kein signifikanter
  Trend (p = 0,41 ≥ 0,05)" or "zu wenige Jahre für einen Trend (3 von 5 Jahren mit Werten)"; the years tested
  once in the heading ("Trend 2019–2023") where all areas share them, else beside each verdict. In print the
  verdicts stand in a column of the indicator's table, beside each area's values.
- A single year with values: "Nur ein Jahr vorhanden (2015) – keine Trendaussage."; no area with five years:
  "zu wenige Jahre für einen Trend (höchstens 3 von 5 Jahren mit Werten)." – one sentence below the table.
- Trends whose years span a break in the source (Zensus 2011) say so once, as the screen does per line.
- Below: the tests used (``planning.trend.method_note``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from planning import series_rules, trend
from reports import data

TREND_AREAS = 8  # more chosen areas than this: the trend names Kreis, Land and Bund only (as the screen's lines)
REFERENCE_LEVELS = ("kreis", "land", "bund")
HEADING = "Trend der letzten fünf Jahre mit Werten"


def series_trends(series: pd.DataFrame, ind: data.Indicator, area_ids: Sequence[str], *, untested: bool = False) -> list[tuple[str, str, trend.Trend]]:
    """(area_id, name, trend) per area in ``area_ids`` order (chosen areas, then Kreis, Land, Bund) that has values;
    ``untested``: also the areas with fewer than five years ('zu wenige Jahre'), else only those tested."""
    compared = set(series.loc[series["level"].isin(REFERENCE_LEVELS), "area_id"])
    references = [a for a in area_ids if a in compared]
    chosen = [a for a in area_ids if a not in references]
    wanted = (chosen if len(chosen) <= TREND_AREAS else []) + references
    known = series[series["area_id"].isin(wanted) & series["status"].isin(("ok", "zero")) & series["value"].notna()]
    by_area = {a: rows.sort_values("year") for a, rows in known.groupby("area_id", sort=False)}
    found = []
    for area_id in wanted:
        own = by_area.get(area_id)
        if own is None or (len(own) < trend.POINTS and not untested):
            continue
        counted = own["numerator"].notna().all() and own["denominator"].notna().all()
        result = trend.trend(
            own["year"].astype(int).tolist(), own["value"].astype(float).tolist(), kind=ind.kind, unit=ind.unit,
            per=ind.per, numerators=own["numerator"].tolist() if counted else None,
            denominators=own["denominator"].tolist() if counted else None, polarity=ind.polarity, decimals=ind.decimals,
        )  # fmt: skip
        found.append((area_id, str(own["name"].iloc[0]), result))
    return found


def too_few_text(found: list[tuple[str, str, trend.Trend]]) -> str:
    """'zu wenige Jahre für einen Trend (höchstens 3 von 5 Jahren mit Werten)' – where no area could be tested."""
    most = max((len(t.years) for _, _, t in found), default=0)
    return f"zu wenige Jahre für einen Trend (höchstens {most} von {trend.POINTS} Jahren mit Werten)"


def _breaks(con: duckdb.DuckDBPyConnection, series: pd.DataFrame, ind: data.Indicator) -> list[series_rules.SeriesBreak]:
    """The census breaks inside the years with values (as the screen marks them)."""
    ids = [s for s in series["source_id"].dropna().unique().tolist()]
    codes = [r[0] for r in con.execute("SELECT table_code FROM sources WHERE list_contains(?, source_id)", [ids]).fetchall()] if ids else []
    years = series.loc[series["status"].isin(("ok", "zero")) & series["value"].notna(), "year"]
    return series_rules.source_breaks(ind.source, [int(y) for y in years], codes)


@dataclass(frozen=True)
class TrendStatement:
    """The trend of each area in the screen's words: ``by_area`` area_id → verdict (with its years where the areas'
    years differ, else the years are ``period``); ``lines`` 'Name: verdict, years' as the screen lists them;
    ``note``: a single year, a break in the source and the test used, in sentences."""

    by_area: dict[str, str] = field(default_factory=dict)
    period: str = ""
    lines: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def title(self) -> str:
        """'Trend 2019–2023' (the heading of the trend column) or 'Trend (letzte 5 Jahre mit Werten)'."""
        return f"Trend {self.period}" if self.period else f"Trend (letzte {trend.POINTS} Jahre mit Werten)"


def trend_statement(con: duckdb.DuckDBPyConnection, ind: data.Indicator, area_ids: Sequence[str]) -> TrendStatement:
    """The trend statement for the areas (chosen areas, then the comparison areas) – see the module docstring."""
    series = data.series(con, list(area_ids), ind.indicator_id)
    with_values = series[series["status"].isin(("ok", "zero")) & series["value"].notna()]
    years = sorted({int(y) for y in with_values["year"]})
    if not years:
        return TrendStatement()
    if len(years) == 1:
        said = f"{series_rules.ONE_YEAR_TEXT[0].upper()}{series_rules.ONE_YEAR_TEXT[1:]} ({years[0]}) – keine Trendaussage."
        return TrendStatement(lines=[said], note=f"Trend: {said}")
    breaks = _breaks(con, series, ind)
    found = series_trends(series, ind, area_ids, untested=True)
    if not any(t.method for _, _, t in found):  # one sentence for all, not the same words in every row
        said = f"{too_few_text(found)}."
        return TrendStatement(lines=[f"{name}: {t.text}" for _, name, t in found], note=f"Trend: {said}")
    periods = {data.years_text(t.years) for _, _, t in found if t.method}
    period = periods.pop() if len(periods) == 1 else ""
    by_area = {a: t.verdict if (period or not t.method) else f"{t.verdict}, {data.years_text(t.years)}" for a, _, t in found}
    caveats = []
    for b in breaks:  # which trends reach over a break, named unless all do
        over = [name for _, name, t in found if t.method and t.years[0] < b.year <= t.years[-1]]
        tested = [name for _, name, t in found if t.method]
        if over:
            who = "Die Trends reichen" if over == tested else f"Trend von {', '.join(over)} reicht"
            caveats.append(f"{who} über den Bruch „{b.label}“ hinweg – mit Vorsicht lesen.")
    caveat = " ".join(caveats)
    lines = [f"{name}: {t.text}" for _, name, t in found]
    note = " ".join(filter(None, [caveat, trend.method_note([t.method for _, _, t in found if t.method])]))
    return TrendStatement(by_area, period, lines, note)
