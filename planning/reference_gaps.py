"""Why the Land or Germany has no value beside the Kreis – said in words, not only as "–" (issue 11, item 6).

The Land and Bund values come from the national tables a build reads (population, SGB II, unemployment in the
shipped configs); other tables (childcare, …) are at hand only for the counties. A missing reference value has one
of three reasons, read from the database rows of the indicator, never assumed:

- **no table**: not one row of the indicator for the Land (or Germany) in the database – its table was loaded
  for the counties only;
- **no year**: the Land's (Germany's) rows exist, but none of the year shown – the years that have one are named;
- **no value**: a row of that year exists, but it carries no number (e.g. "unbekannt oder geheim").

No Streamlit here: the Indikatoren page and the Steckbrief (reports/profile.py) use the same rule and words.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from etl.markers import STATUS_LABELS_DE
from planning.indicators import years_text

LAND, BUND = "land", "bund"
NO_TABLE, NO_YEAR, NO_VALUE = "no_table", "no_year", "no_value"
NAMES = {LAND: "Land", BUND: "Deutschland"}  # as the pages' columns and figures name them
_WIDE = {LAND: "landesweite", BUND: "bundesweite"}
VALUE_STATUSES = ("ok", "zero")


@dataclass(frozen=True)
class Gap:
    """The Land's or Germany's value missing in one year, and why."""

    reference: str  # LAND or BUND
    reason: str  # NO_TABLE, NO_YEAR or NO_VALUE
    years: tuple[int, ...] = ()  # NO_YEAR: the years with a value
    status: str = ""  # NO_VALUE: the status of the row without a number


def reference_gaps(year: int, land: pd.DataFrame, bund: pd.DataFrame | None) -> list[Gap]:
    """The reference values missing in ``year``, with their reason (none missing: an empty list).

    ``land`` and ``bund`` are all rows of one indicator for the Land and for Germany (columns ``year``, ``value``,
    ``status``; as ``planning.queries.land_series``/``bund_series`` read them), empty where the database has none;
    ``bund`` is None where the build holds no area for Germany at all (then no page shows a Bund value, and its
    absence is nothing to explain). A row counts as a value where its status is a number ("ok", "zero")."""
    gaps = []
    for reference, rows in ((LAND, land), (BUND, bund)):
        if rows is None:
            continue
        valued = rows[rows["status"].isin(VALUE_STATUSES) & rows["value"].notna()]
        if rows.empty:
            gaps.append(Gap(reference, NO_TABLE))
        elif (rows["year"] == year).any() and not (valued["year"] == year).any():
            status = str(rows.loc[rows["year"] == year, "status"].iloc[0])
            gaps.append(Gap(reference, NO_VALUE, status=status))
        elif not (valued["year"] == year).any():
            gaps.append(Gap(reference, NO_YEAR, tuple(sorted({int(y) for y in valued["year"]}))))
    return gaps


def _subject(references: Sequence[str]) -> str:
    return " und ".join(NAMES[r] for r in references)


def _said(gaps: Sequence[Gap], year: int) -> list[tuple[str, str]]:
    """(subject, text) per reason, the references sharing it named together: ('Land und Deutschland', 'für diese
    Kennzahl ist keine landes-/bundesweite Tabelle geladen')."""
    groups: dict[tuple, list[str]] = {}
    for gap in gaps:
        groups.setdefault((gap.reason, gap.years, gap.status), []).append(gap.reference)
    said = []
    for (reason, years, status), references in groups.items():
        wide = "landes-/bundesweite" if len(references) > 1 else _WIDE[references[0]]
        if reason == NO_TABLE:
            text = f"für diese Kennzahl ist keine {wide} Tabelle geladen"
        elif reason == NO_YEAR:
            text = f"die {wide} Tabelle ist geladen, hat aber keinen Wert für {year} (Jahre mit Werten: {years_text(years)})"
        else:
            text = f"die {wide} Tabelle hat für {year} keinen Wert ({STATUS_LABELS_DE.get(status, status)})"
        said.append((_subject(references), text))
    return said


def gap_note(gaps: Sequence[Gap], year: int) -> str | None:
    """The caption under the Kreis/Land/Deutschland figures, e.g. 'Land und Deutschland: für diese Kennzahl ist
    keine landes-/bundesweite Tabelle geladen.'; None where nothing is missing."""
    return " ".join(f"{subject}: {text}." for subject, text in _said(gaps, year)) or None


def gaps_footnote(rows: Sequence[tuple[str, int, Sequence[Gap]]], shown: Sequence[str]) -> str | None:
    """The Steckbrief's footnote under its key table: for each indicator (label, year of its row, gaps) whose
    Land or Deutschland column shows "–", why; ``shown`` are the references with a column in the table. References
    without a column (no indicator has a value for them) get one sentence. None where nothing is missing."""
    parts = [
        f"{label} ({subject}): {text.replace('für diese Kennzahl ist keine', 'keine')}"
        for label, year, gaps in rows
        for subject, text in _said([g for g in gaps if g.reference in shown], year)
    ]
    lines = [f"„–“ bei Land/Deutschland – {'; '.join(parts)}."] if parts else []
    dropped = [r for r in (LAND, BUND) if r not in shown and any(g.reference == r for _, _, gaps in rows for g in gaps)]
    if dropped:
        no_table = all(g.reason == NO_TABLE for _, _, gaps in rows for g in gaps if g.reference in dropped)
        wide = "landes-/bundesweite" if len(dropped) > 1 else _WIDE[dropped[0]]
        why = f"für keine dieser Kennzahlen ist eine {wide} Tabelle geladen" if no_table else (
            "keine dieser Kennzahlen hat dort einen Wert im Jahr ihrer Zeile")
        column = "Spalten" if len(dropped) > 1 else "Spalte"
        lines.append(f"Ohne {column} {_subject(dropped)}: {why}.")
    return " ".join(lines) or None
