"""Queries over the offer tables (offers, offer_types, lebensphasen, coverage, access, import_report).

Areas of every level are reached from a Gemeinde through the columns of ``areas`` (``MEMBER_OF``), so the
accessibility of a Sozialraum or Verbandsgemeinde is computed from the same population points as that of its
Gemeinden: population-weighted, never an average of Gemeinde averages.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.queries import Database, fetch

# the column of a Gemeinde row in ``areas`` that names its area of a level
MEMBER_OF = {
    "gemeinde": "g.area_id",
    "sozialraum": "g.sozialraum_id",
    "verbandsgemeinde": "g.parent_id",
    "jugendamt": "g.jugendamt_id",
    "kreis": "g.kreis_id",
}


def _member_column(level: str) -> str:
    if level not in MEMBER_OF:
        raise ValueError(f"unknown area level {level!r}; expected one of {sorted(MEMBER_OF)}")
    return MEMBER_OF[level]


@st.cache_data(max_entries=16)
def offer_types(db: Database) -> pd.DataFrame:
    """The taxonomy: Angebotsart → label, Handlungsfeld, Lebensphasen, target group, capacity unit (indexed by offer_type)."""
    return fetch(db, "SELECT * FROM offer_types ORDER BY position").set_index("offer_type", drop=False)


@st.cache_data(max_entries=16)
def lebensphasen(db: Database) -> pd.DataFrame:
    """The phases of the Präventionskette in chain order (indexed by phase_id)."""
    return fetch(db, "SELECT * FROM lebensphasen ORDER BY position").set_index("phase_id", drop=False)


@st.cache_data(max_entries=16)
def offers(db: Database, kreis_id: str) -> pd.DataFrame:
    """Every offer of a Kreis with its type's metadata and the names of its Gemeinde and Sozialraum."""
    return fetch(
        db,
        """
        SELECT o.offer_id, o.name, o.traeger, o.address, o.kapazitaet, o.alter_von, o.alter_bis,
               o.gueltig_ab, o.gueltig_bis, o.lon, o.lat, o.offer_type, t.label AS type_label,
               t.handlungsfeld, t.lebensphasen, t.capacity_unit, o.gemeinde_id, g.name AS gemeinde_name,
               g.sozialraum_id, s.name AS sozialraum_name, o.source_id, o.source_row
        FROM offers o
        JOIN offer_types t USING (offer_type)
        JOIN areas g ON g.area_id = o.gemeinde_id
        LEFT JOIN areas s ON s.area_id = g.sozialraum_id
        WHERE o.kreis_id = ?
        ORDER BY t.position, o.name
        """,
        [kreis_id],
    )


@st.cache_data(max_entries=64)
def coverage(db: Database, kreis_id: str, level: str, dimension: str) -> pd.DataFrame:
    """Coverage rows (offers, capacity, target population, per-1,000 and per-100 rates) of every area of a
    level in the Kreis, for one dimension (angebotsart | lebensphase); level 'kreis' gives the Kreis itself."""
    return fetch(
        db,
        """
        SELECT c.*, a.name, a.level
        FROM coverage c JOIN areas a USING (area_id)
        WHERE a.kreis_id = ? AND a.level = ? AND c.dimension = ?
        ORDER BY a.name, c.category
        """,
        [kreis_id, level, dimension],
    )


@st.cache_data(max_entries=64)
def accessibility(db: Database, kreis_id: str, level: str, max_distance_m: float) -> pd.DataFrame:
    """Per area of a level and Angebotsart: population-weighted mean straight-line distance to the nearest offer
    (km), the share of the target group within ``max_distance_m`` (%), the people counted and the basis."""
    member = _member_column(level)
    return fetch(
        db,
        f"""
        SELECT {member} AS area_id, x.offer_type,
               sum(x.weight * x.distance_m) / nullif(sum(x.weight), 0) / 1000 AS mean_distance_km,
               -- coalesce: with nobody within the distance the filtered sum is NULL, but the share is 0
               100 * coalesce(sum(x.weight) FILTER (WHERE x.distance_m <= ?), 0) / nullif(sum(x.weight), 0) AS share_within,
               sum(x.weight) AS people, any_value(x.basis) AS basis
        FROM access x JOIN areas g ON g.area_id = x.gemeinde_id
        WHERE g.kreis_id = ? AND {member} IS NOT NULL
        GROUP BY ALL
        """,
        [max_distance_m, kreis_id],
    )


@st.cache_data(max_entries=16)
def import_report(db: Database, kreis_id: str) -> pd.DataFrame:
    """The import report of the Kreis's offer lists: file, row, column, problem, what happened."""
    return fetch(
        db,
        """
        SELECT s.file, s.stand, r.row, r.source_column, r.problem, r.action
        FROM import_report r JOIN sources s USING (source_id)
        WHERE s.kreis_id = ?
        ORDER BY s.file, r.row
        """,
        [kreis_id],
    )


@st.cache_data(max_entries=64)
def area_members(db: Database, kreis_id: str, level: str) -> pd.DataFrame:
    """Every Gemeinde of the Kreis with the area of ``level`` it belongs to (gemeinde_id, area_id), to place
    offers, which carry only their Gemeinde, in an area of any level."""
    member = _member_column(level)
    return fetch(
        db,
        f"SELECT g.area_id AS gemeinde_id, {member} AS area_id FROM areas g WHERE g.kreis_id = ? AND g.level = 'gemeinde'",
        [kreis_id],
    )
