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


def default_year(coverage: pd.DataFrame) -> int:
    """The year in which most indicators have Gemeinde values; the latest of equals."""
    gemeinde = coverage[coverage["level"] == "gemeinde"]
    per_year = (gemeinde if not gemeinde.empty else coverage).groupby("year")["indicator_id"].nunique()
    return int(per_year[per_year == per_year.max()].index.max())
