"""The selection every view works on (database, Kreis, year) and the names of the area levels."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from planning.db import Database

LEVEL_LABELS = {
    "gemeinde": "Gemeinden",
    "sozialraum": "Sozialräume",
    "verbandsgemeinde": "Verbandsgemeinden",
    "jugendamt": "Jugendamtsbezirke",
}
LEVEL_PLURAL = {**LEVEL_LABELS, "kreis": "Kreis", "land": "Land"}
LEVEL_SINGULAR = {
    "gemeinde": "Gemeinde",
    "sozialraum": "Sozialraum",
    "verbandsgemeinde": "Verbandsgemeinde",
    "jugendamt": "Jugendamtsbezirk",
    "kreis": "Kreis",
    "land": "Land",
}


@dataclass(frozen=True)
class Context:
    db: Database
    kreis_id: str
    kreis_name: str
    year: int
    demo: bool


def _indicators_per_year(coverage: pd.DataFrame) -> tuple[pd.Series, bool]:
    """Number of indicators per year with Gemeinde rows (all levels where the Kreis has no Gemeinde rows), and
    whether these are Gemeinde counts."""
    gemeinde = coverage[coverage["level"] == "gemeinde"]
    rows = gemeinde if not gemeinde.empty else coverage
    return rows.groupby("year")["indicator_id"].nunique(), not gemeinde.empty


def default_year(coverage: pd.DataFrame) -> int:
    """The year in which most indicators have Gemeinde values; the latest of equals."""
    per_year, _ = _indicators_per_year(coverage)
    return int(per_year[per_year == per_year.max()].index.max())


def default_year_reason(coverage: pd.DataFrame) -> str:
    """Why the pages open on their year (``default_year``), in German: 'Voreinstellung 2015: das Jahr mit den meisten
    Kennzahlen für Gemeinden (29 von 39); neuere Jahre haben weniger: 2016 (6), 2022 (1).'"""
    if coverage.empty:
        return ""
    per_year, gemeinden = _indicators_per_year(coverage)
    year = default_year(coverage)
    where = " für Gemeinden" if gemeinden else ""
    total = (coverage[coverage["level"] == "gemeinde"] if gemeinden else coverage)["indicator_id"].nunique()
    text = f"Voreinstellung {year}: das Jahr mit den meisten Kennzahlen{where} ({per_year[year]} von {total})"
    newer = per_year[per_year.index > year]
    if not newer.empty:
        text += "; neuere Jahre haben weniger: " + ", ".join(f"{int(y)} ({int(n)})" for y, n in newer.items())
    return text + "."
