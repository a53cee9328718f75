"""How a time series is drawn honestly: every calendar year on the axis, breaks in a source marked, one base year
for an index.

Rules:
- The year axis runs through every calendar year from the first to the last year shown; a year without a value is
  an empty place (None), never bridged by a line, so a missing year cannot look like a steady change.
- A single year is no development: the chart says "nur ein Jahr vorhanden" instead of drawing loose dots.
- Breaks in a source: the population statistics (Fortschreibung des Bevölkerungsstandes, GENESIS 12411, and every
  rate or Regionalatlas indicator the catalogue names as computed from it) are carried forward from a census. From
  the reference date 31.12.2011 they start from the Zensus 2011, from 31.12.2022 from the Zensus 2022; a jump across
  that line is largely the correction of the base, not a real change. Such a break is drawn as a vertical line
  between the two years with its reason. Values the build converted to today's territorial boundaries (an area
  merged or split, BBSR Umsteigeschlüssel) are named in a note below the chart.
- An index (first year = 100) shares one base year: the first year in which every series shown has a non-zero
  value. Where there is none, each series keeps its own first year and its legend entry says which
  ("Musterstadt (2010 = 100)").
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

ONE_YEAR_TEXT = "nur ein Jahr vorhanden"
_POPULATION_SOURCE = re.compile(r"12411-(?!15i)|\(12411\)|Fortschreibung des Bevölkerungsstandes|AI002-1|AI-N-04")


@dataclass(frozen=True)
class SeriesBreak:
    """A break in a source between ``year - 1`` and ``year`` (drawn at year − 0,5)."""

    year: int
    label: str  # short, beside the line: 'Zensus 2011'
    note: str  # one sentence below the chart


CENSUS_BREAKS = (
    SeriesBreak(2011, "Zensus 2011", "Zensus 2011: Bevölkerungszahlen ab dem Berichtsjahr 2011 nach dem Zensus 2011 "
                "fortgeschrieben, davor nach früheren Zählungen (Fußnote der Tabellen 12411) – der Sprung zwischen 2010 "
                "und 2011 ist vor allem die Korrektur der Basis, keine echte Veränderung."),
    SeriesBreak(2022, "Zensus 2022", "Zensus 2022: Bevölkerungszahlen ab 31.12.2022 nach dem Zensus 2022 fortgeschrieben "
                "(Umstellung der Fortschreibung) – der Sprung zwischen 2021 und 2022 ist vor allem die Korrektur der Basis."),
)  # fmt: skip


def calendar_years(years: Iterable[int]) -> list[int]:
    """Every year from the first to the last of ``years`` (empty for none)."""
    found = sorted({int(y) for y in years})
    return list(range(found[0], found[-1] + 1)) if found else []


def uses_population_statistics(source_text: str, table_codes: Iterable[str] = ()) -> bool:
    """Whether the catalogue's source text or the tables behind the values name the population Fortschreibung
    (12411 tables other than the area survey 12411-15i, the Regionalatlas' population indicators)."""
    texts = [str(source_text or ""), *[str(c) for c in table_codes if isinstance(c, str)]]
    return any(_POPULATION_SOURCE.search(t) for t in texts) and "Flächenerhebung" not in str(source_text or "")


def source_breaks(source_text: str, years: Sequence[int], table_codes: Iterable[str] = ()) -> list[SeriesBreak]:
    """The census breaks that fall inside the years shown (values on both sides of the line)."""
    shown = sorted({int(y) for y in years})
    if len(shown) < 2 or not uses_population_statistics(source_text, table_codes):
        return []
    return [b for b in CENSUS_BREAKS if shown[0] < b.year <= shown[-1]]


def converted_notes(rows: pd.DataFrame) -> list[str]:
    """The build's notes on values converted to today's boundaries among ``rows`` (column derivation/note), each
    once, with the years they concern: 'umgerechnet auf Gebietsstand 31.12.2020 … (2008–2011)'."""
    if "derivation" not in rows or "note" not in rows:
        return []
    converted = rows[(rows["derivation"] == "converted") & rows["note"].notna()]
    out = []
    for note, group in converted.groupby("note", sort=True):
        years = sorted({int(y) for y in group["year"]})
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
        out.append(f"{note} ({span})")
    return out


def index_base(series: dict[str, list[float | None]], years: Sequence[int]) -> dict[str, int | None]:
    """The base year of each series for an index: the first year in which every series has a non-zero value, else
    each series' own first such year (None for a series without any)."""
    def usable(value: float | None) -> bool:
        return value is not None and not pd.isna(value) and value != 0

    common = next((y for i, y in enumerate(years) if all(usable(v[i]) for v in series.values())), None)
    if common is not None:
        return {key: common for key in series}
    return {key: next((y for y, v in zip(years, values) if usable(v)), None) for key, values in series.items()}


def indexed(values: list[float | None], years: Sequence[int], base: int | None) -> list[float | None]:
    """The values as an index of ``base`` (= 100); None where a value or the base is missing."""
    if base is None:
        return [None] * len(values)
    reference = values[list(years).index(base)]
    return [None if v is None or pd.isna(v) else 100 * float(v) / reference for v in values]


def index_axis_title(bases: dict[str, int | None]) -> str:
    """'Index (2008 = 100)' where all series share the base year, else 'Index (erstes Jahr mit Wert = 100, je Linie
    angegeben)'."""
    found = {b for b in bases.values() if b is not None}
    if len(found) == 1:
        return f"Index ({found.pop()} = 100)"
    return "Index (erstes Jahr mit Wert = 100, je Linie angegeben)"
