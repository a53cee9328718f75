"""What a build noticed about its data, for the Datenqualität panel beside every page.

Rule: every finding of the build is kept (nothing cut off at a fixed number) and shown with its kind in German –
conversions to today's boundaries, '-' for a territory that did not exist, incomplete Kreis totals, sums that
differ from the published value, tables that could not be read. The findings of the chosen Kreis come first, then
those that concern no single Kreis. The Gebietsstand line says on which boundaries the statistics stand.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from etl.findings import KINDS
from planning import queries
from planning.db import Database, cached

_KREIS_PREFIX = re.compile(r"^\[(\d{2,5})\]\s*")


@dataclass(frozen=True)
class DataQuality:
    gebietsstand: str | None  # 'Gebietsstand 31.12.2020 (…)' as the build states it; None for older builds
    findings: pd.DataFrame  # Art, Meldung (the Kreis's own first)
    counts: dict[str, int]  # German kind → number of findings

    @property
    def total(self) -> int:
        return len(self.findings)


@cached(16)
def data_quality(db: Database, kreis_id: str) -> DataQuality:
    """The build's findings for ``kreis_id`` (and those of no Kreis), counted per kind (shared: do not modify)."""
    log = queries.build_warnings(db)
    kreis = log["message"].str.extract(_KREIS_PREFIX, expand=False)
    mine = log[kreis.isna() | kreis.eq(kreis_id) | kreis.eq(kreis_id[:2])]
    frame = pd.DataFrame({
        "Art": mine["topic"].map(lambda kind: KINDS.get(kind, kind)),
        "Meldung": mine["message"].str.replace(_KREIS_PREFIX, "", regex=True),
    }).reset_index(drop=True)  # fmt: skip
    counts = frame["Art"].value_counts().to_dict()
    stand = queries.database_facts(db).get("gebietsstand")
    return DataQuality(f"Gebietsstand {stand}" if stand else None, frame, {str(k): int(v) for k, v in counts.items()})
