"""Which indicators a planner can pick, for which years and areas, and the Kreis and Land values they are measured against.

Rules:
- An indicator is offered where the catalogue lists it and the Kreis's areas of the chosen level(s) have rows of it
  (in the chosen year, where a page fixes one). The search keeps the indicators of the chosen Handlungsfelder
  (all when none is chosen) whose label or definition contains every word typed, regardless of case.
- A year is offered only where some area below the Kreis has a *value* (a row that is suppressed, locked or
  incomplete does not count), latest first; a level only where it has values in that year.
- One year for all pages: the sidebar's. Where the indicator has no value in it, the page says so and offers the
  indicator's latest year with values (``year_offer``), which then becomes the shared year. Defaults: the share of
  children under 6 where it is offered; Gemeinden where they have values.
- The benchmark of a year is the Kreis value; the Land and the Bund (Germany) values of the same year are shown
  beside it where the build has them, and the Kreis compared with the Land.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from etl.markers import ABSENT, STATUS_LABELS_DE
from planning import comparison, queries
from planning.context import LEVEL_LABELS, Context
from planning.db import Database, cached
from planning.formatting import number, short_unit, value_text

MAP_LEVELS = ("gemeinde", "sozialraum", "verbandsgemeinde", "jugendamt")
VALUE_STATUSES = comparison.VALUE_STATUSES
DEFAULT_INDICATOR = "anteil_u6"


# --- which indicators -------------------------------------------------------------------------------------------

@cached(64)
def listed_indicators(db: Database, kreis_id: str, levels: tuple[str, ...], year: int | None = None) -> pd.DataFrame:
    """Catalogue rows (catalogue order, indexed by indicator_id) of the listed indicators that have rows for the
    Kreis's areas of ``levels``, in ``year`` or, without one, in any year."""
    coverage = queries.indicator_years(db, kreis_id)
    rows = coverage[coverage["level"].isin(levels)]
    if year is not None:
        rows = rows[rows["year"] == year]
    cat = queries.catalogue(db)
    return cat[cat["listed"].fillna(False).astype(bool) & cat["indicator_id"].isin(set(rows["indicator_id"]))]


def searchable_indicators(ctx: Context) -> pd.DataFrame:
    """Listed indicators that have rows below Kreis level for this Kreis, in catalogue order."""
    return listed_indicators(ctx.db, ctx.kreis_id, MAP_LEVELS)


def topics(cat: pd.DataFrame) -> list[str]:
    """Topics present, in the order of their first indicator in the catalogue."""
    return list(dict.fromkeys(cat["topic"].tolist()))


def filter_catalogue(cat: pd.DataFrame, selected_topics: Sequence[str] | None, text: str | None) -> pd.DataFrame:
    """Indicators of the chosen topics (all when none) whose label or definition contains every word of ``text``
    (case-insensitive)."""
    out = cat[cat["topic"].isin(selected_topics)] if selected_topics else cat
    terms = (text or "").casefold().split()
    if terms:
        haystack = (out["label"].fillna("") + " " + out["definition"].fillna("")).str.casefold()
        mask = pd.Series(True, index=out.index)
        for term in terms:
            mask &= haystack.str.contains(term, regex=False)
        out = out[mask]
    return out


@cached(128)
def matching_indicators(db: Database, kreis_id: str, selected_topics: tuple[str, ...], text: str) -> pd.DataFrame:
    """The searchable indicators of a Kreis that match topics and words (``filter_catalogue``)."""
    return filter_catalogue(listed_indicators(db, kreis_id, MAP_LEVELS), selected_topics, text)


def catalogue_list(cat: pd.DataFrame) -> pd.DataFrame:
    """The hit list as shown: label, unit, topic."""
    return pd.DataFrame({"Kennzahl": cat["label"], "Einheit": cat["unit"], "Thema": cat["topic"]}).reset_index(drop=True)


def default_indicator(ids: Sequence[str]) -> str:
    return DEFAULT_INDICATOR if DEFAULT_INDICATOR in ids else ids[0]


def picker_labels(cat: pd.DataFrame, detail: str = "unit") -> dict[str, str]:
    """indicator_id → 'Anteil Kinder unter 6 Jahren (%)': the label with its unit (or ``detail``, another catalogue
    column such as the topic), as pickers show the options."""
    return dict(zip(cat["indicator_id"], cat["label"] + " (" + cat[detail].astype(str) + ")"))


# --- years and levels with values -------------------------------------------------------------------------------

def has_value(frame: pd.DataFrame) -> pd.Series:
    return frame["status"].isin(VALUE_STATUSES) & frame["value"].notna()


def years_with_values(series: pd.DataFrame) -> list[int]:
    """Years in which some area below Kreis level has a value, latest first."""
    rows = series[series["level"].isin(MAP_LEVELS) & has_value(series)]
    return sorted({int(y) for y in rows["year"]}, reverse=True)


def choose_year(years: Sequence[int], wanted: int) -> int:
    """The wanted (sidebar) year if the indicator has values then, else the latest year that has."""
    return wanted if wanted in years else years[0]


def years_text(years: Sequence[int]) -> str:
    """'2019–2023' for consecutive years, '2008, 2011, 2015' for a few others, '1995 bis 2016 (13 Jahre)' for many."""
    found = sorted(set(years))
    if not found:
        return "keine"
    if len(found) == 1 or found[-1] - found[0] == len(found) - 1:
        return f"{found[0]}–{found[-1]}" if len(found) > 1 else str(found[0])
    return ", ".join(map(str, found)) if len(found) <= 4 else f"{found[0]} bis {found[-1]} ({len(found)} Jahre)"


def year_offer(label: str, years: Sequence[int], wanted: int) -> str | None:
    """What the page says where the indicator has no value in the shared year (None where it has): which years it
    has, and that the button shows it in its latest one."""
    if wanted in years:
        return None
    return (
        f"„{label}“ hat {wanted} keine Werte unterhalb der Kreisebene; Werte gibt es für {years_text(years)}. "
        f"Das Jahr gilt für alle Seiten – mit der Schaltfläche wird {max(years)} das gemeinsame Jahr."
    )


def levels_with_values(series: pd.DataFrame, year: int) -> list[str]:
    rows = series[(series["year"] == year) & has_value(series)]
    present = set(rows["level"])
    return [level for level in MAP_LEVELS if level in present]


def default_level(levels: Sequence[str]) -> str:
    return "gemeinde" if "gemeinde" in levels else levels[0]


def level_label(level: str) -> str:
    return LEVEL_LABELS.get(level, level)


@cached(256)
def indicator_years(db: Database, kreis_id: str, indicator_id: str) -> list[int]:
    """``years_with_values`` of one indicator in a Kreis."""
    return years_with_values(queries.indicator_series(db, kreis_id, indicator_id))


@cached(256)
def indicator_levels(db: Database, kreis_id: str, indicator_id: str, year: int) -> list[str]:
    """``levels_with_values`` of one indicator in a Kreis and year."""
    return levels_with_values(queries.indicator_series(db, kreis_id, indicator_id), year)



# --- the benchmark ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reference:
    """The Kreis or Land value of the year (the benchmark)."""

    name: str
    value: float | None
    status: str
    text: str
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class References:
    """The Kreis value of a year, the Land and Bund values (None where the build has none) and the Kreis compared
    with the Land."""

    kreis: Reference
    land: Reference | None
    kreis_vs_land: comparison.Comparison | None
    bund: Reference | None = None


def as_float(x: object) -> float | None:
    """A number, or None for None, NaN and pandas' NA."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x) else float(x)


def reference(rows: pd.DataFrame, meta: pd.Series, name: str) -> Reference:
    """The first of ``rows`` as a benchmark ('absent' without rows; a value only where its status allows one)."""
    if rows.empty:
        return Reference(name, None, ABSENT, STATUS_LABELS_DE[ABSENT])
    row = rows.iloc[0]
    value = as_float(row["value"]) if row["status"] in VALUE_STATUSES else None
    text = value_text(value, row["status"], int(meta["decimals"]), meta["unit"])
    return Reference(name, value, row["status"], text, as_float(row["numerator"]), as_float(row["denominator"]))


def compare_row(
    meta: pd.Series, value: object, status: str, numerator: object, denominator: object, benchmark: float | None
) -> comparison.Comparison:
    """One value compared with ``benchmark`` by the indicator's unit, scale and polarity (``comparison.compare``)."""
    return comparison.compare(
        value=as_float(value),
        status=status,
        numerator=as_float(numerator),
        denominator=as_float(denominator),
        unit=meta["unit"],
        per=as_float(meta.get("per")),
        polarity=meta["polarity"],
        benchmark=benchmark,
    )


def references(ctx: Context, indicator_id: str, year: int) -> References:
    """Kreis, Land and Bund value of ``year`` and whether the Kreis differs from the Land."""
    meta = queries.catalogue(ctx.db).loc[indicator_id]
    series = queries.indicator_series(ctx.db, ctx.kreis_id, indicator_id)
    kreis = reference(series[(series["year"] == year) & (series["level"] == "kreis")], meta, ctx.kreis_name)
    bund_rows = queries.bund_series(ctx.db, indicator_id)
    bund_year = bund_rows[bund_rows["year"] == year]
    bund = reference(bund_year, meta, bund_year["name"].iloc[0]) if not bund_year.empty else None
    land_rows = queries.land_series(ctx.db, ctx.kreis_id, indicator_id)
    land_year = land_rows[land_rows["year"] == year]
    if land_year.empty:
        return References(kreis, None, None, bund)
    land = reference(land_year, meta, land_year["name"].iloc[0])
    versus = compare_row(meta, kreis.value, kreis.status, kreis.numerator, kreis.denominator, land.value)
    return References(kreis, land, versus, bund)


def short_value(ref: Reference, meta: pd.Series) -> str:
    """'5,6 %' or '36,2' (the long unit 'je 100 Personen …' is said elsewhere); '–' without a value."""
    if ref.value is None:
        return "–"
    unit = short_unit(meta["unit"])
    return number(ref.value, int(meta["decimals"])) + (f" {unit}" if unit else "")
