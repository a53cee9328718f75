"""The dashboard's only access to data: read-only, cached queries over a built DuckDB file.

A database is identified by path *and* modification time, so a rebuild (atomic rename) is picked up
on the next rerun while running sessions keep a consistent view.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import streamlit as st

from etl.config import REPO_ROOT
from etl.db import connect, cursor

DB_DIR_ENV = "PLANUNGSATLAS_DB_DIR"


@dataclass(frozen=True)
class Database:
    path: str
    mtime: float

    @property
    def name(self) -> str:
        return Path(self.path).stem


def database_dir() -> Path:
    return Path(os.environ.get(DB_DIR_ENV, REPO_ROOT / "data" / "db"))


def databases() -> list[Database]:
    folder = database_dir()
    files = sorted(folder.glob("*.duckdb")) if folder.is_dir() else []
    return [Database(str(p), p.stat().st_mtime) for p in files]


@st.cache_resource(max_entries=8)
def _connection(db: Database) -> duckdb.DuckDBPyConnection:
    return connect(db.path, read_only=True)


def connection(db: Database) -> duckdb.DuckDBPyConnection:
    """The cached read-only connection, for ``reports`` (which takes a cursor of it per call, so any thread may use it)."""
    return _connection(db)


def fetch(db: Database, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run one query on a cursor of the cached connection (for the query modules of the dashboard)."""
    # a cursor per call: DuckDB connections must not be shared between Streamlit's script threads
    return cursor(_connection(db)).execute(sql, params or []).df()


@st.cache_data(max_entries=32)
def database_facts(db: Database) -> dict[str, str]:
    log = fetch(db, "SELECT topic, message FROM build_log WHERE kind = 'info'")
    return dict(zip(log["topic"], log["message"]))


@st.cache_data(max_entries=32)
def counties(db: Database) -> pd.DataFrame:
    return fetch(db, "SELECT area_id, name FROM areas WHERE level = 'kreis' ORDER BY name")


@st.cache_data(max_entries=32)
def levels(db: Database, kreis_id: str) -> list[str]:
    rows = fetch(db, "SELECT DISTINCT level FROM areas WHERE kreis_id = ? AND level <> 'kreis'", [kreis_id])
    order = ["gemeinde", "sozialraum", "verbandsgemeinde"]
    return [level for level in order if level in set(rows["level"])]


@st.cache_data(max_entries=32)
def catalogue(db: Database) -> pd.DataFrame:
    return fetch(db, "SELECT * FROM indicators ORDER BY position").set_index("indicator_id", drop=False)


@st.cache_data(max_entries=32)
def indicator_years(db: Database, kreis_id: str) -> pd.DataFrame:
    """Listed indicators × years that have values for the Kreis's areas (what the pickers may offer)."""
    return fetch(
        db,
        """
        SELECT o.indicator_id, o.year, a.level, count(*) AS areas
        FROM observations o JOIN areas a USING (area_id) JOIN indicators i USING (indicator_id)
        WHERE a.kreis_id = ? AND i.listed
        GROUP BY ALL
        """,
        [kreis_id],
    )


@st.cache_data(max_entries=64)
def area_shapes(db: Database, kreis_id: str, level: str) -> gpd.GeoDataFrame:
    """Display geometry (EPSG:4326) and names of one level of a Kreis."""
    frame = fetch(
        db,
        """
        SELECT a.area_id, a.name, a.bez, a.level, a.area_km2, a.parent_id, p.name AS parent_name,
               a.sozialraum_id, s.name AS sozialraum_name, ST_AsWKB(a.geom_display) AS wkb
        FROM areas a
        LEFT JOIN areas p ON p.area_id = a.parent_id
        LEFT JOIN areas s ON s.area_id = a.sozialraum_id
        WHERE a.kreis_id = ? AND a.level = ?
        ORDER BY a.name
        """,
        [kreis_id, level],
    )
    geometry = gpd.GeoSeries.from_wkb(frame.pop("wkb").map(bytes), crs="EPSG:4326")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


@st.cache_data(max_entries=128)
def indicator_values(db: Database, kreis_id: str, level: str, indicator_id: str, year: int) -> pd.DataFrame:
    """One indicator for every area of a level (areas without a row are absent)."""
    return fetch(
        db,
        """
        SELECT o.area_id, o.value, o.status, o.flag, o.note, o.derivation, o.source_id
        FROM observations o JOIN areas a USING (area_id)
        WHERE a.kreis_id = ? AND a.level = ? AND o.indicator_id = ? AND o.year = ?
        """,
        [kreis_id, level, indicator_id, year],
    )


@st.cache_data(max_entries=256)
def area_figures(db: Database, area_id: str, kreis_id: str, year: int) -> pd.DataFrame:
    """All listed indicators of one area for a year, next to the Kreis value (for the detail panel)."""
    return fetch(
        db,
        """
        SELECT i.indicator_id, i.label, i.unit, i.decimals, i.topic,
               o.value, o.status, o.note, k.value AS kreis_value, k.status AS kreis_status
        FROM indicators i
        JOIN observations o ON o.indicator_id = i.indicator_id AND o.area_id = ? AND o.year = ?
        LEFT JOIN observations k ON k.indicator_id = i.indicator_id AND k.area_id = ? AND k.year = ?
        WHERE i.listed
        ORDER BY i.position
        """,
        [area_id, year, kreis_id, year],
    )


@st.cache_data(max_entries=256)
def member_names(db: Database, area_id: str) -> list[str]:
    """Names of the Gemeinden in a Sozialraum or Verbandsgemeinde."""
    rows = fetch(
        db,
        "SELECT name FROM areas WHERE level = 'gemeinde' AND (sozialraum_id = ? OR parent_id = ?) ORDER BY name",
        [area_id, area_id],
    )
    return rows["name"].tolist()


@st.cache_data(max_entries=32)
def sources(db: Database, kreis_id: str) -> pd.DataFrame:
    return fetch(
        db,
        "SELECT source_id, kind, table_code, title, publisher, attribution, licence, stand, file FROM sources WHERE kreis_id = ? ORDER BY source_id",
        [kreis_id],
    )


@st.cache_data(max_entries=32)
def columns(db: Database, table: str) -> list[str]:
    return fetch(db, "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])["column_name"].tolist()


def _counts(db: Database) -> str:
    """numerator/denominator where the build has them (databases built before they existed have not)."""
    if "numerator" in columns(db, "observations"):
        return "o.numerator, o.denominator"
    return "CAST(NULL AS DOUBLE) AS numerator, CAST(NULL AS DOUBLE) AS denominator"


@st.cache_data(max_entries=64)
def indicator_series(db: Database, kreis_id: str, indicator_id: str) -> pd.DataFrame:
    """One indicator for the Kreis and every area in it: all years, all levels (the explorer filters in memory)."""
    return fetch(
        db,
        f"""
        SELECT o.area_id, a.name, a.level, o.year, o.value, o.status, o.flag, o.note,
               {_counts(db)}, o.derivation, o.source_id
        FROM observations o JOIN areas a USING (area_id)
        WHERE a.kreis_id = ? AND o.indicator_id = ?
        ORDER BY o.year, a.level, a.name
        """,
        [kreis_id, indicator_id],
    )


@st.cache_data(max_entries=64)
def land_series(db: Database, kreis_id: str, indicator_id: str) -> pd.DataFrame:
    """The indicator for the Land the Kreis lies in (reference values), all years; empty where the build has none."""
    return fetch(
        db,
        f"""
        SELECT o.area_id, a.name, o.year, o.value, o.status, o.flag, o.note,
               {_counts(db)}, o.source_id
        FROM observations o JOIN areas a USING (area_id)
        WHERE a.level = 'land' AND a.area_id = left(?, 2) AND o.indicator_id = ?
        ORDER BY o.year
        """,
        [kreis_id, indicator_id],
    )


@st.cache_data(max_entries=32)
def all_sources(db: Database) -> pd.DataFrame:
    """Every source of the build, indexed by source_id (reference values may come from another county's files)."""
    return fetch(
        db,
        "SELECT source_id, kreis_id, kind, table_code, title, publisher, attribution, licence, stand, file FROM sources ORDER BY source_id",
    ).set_index("source_id", drop=False)
