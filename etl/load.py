"""Write a built database atomically: a temporary file next to the target, renamed only on success.

A failed or killed build therefore leaves the previous database untouched, and a dashboard that has the old
file open keeps reading it (the rename swaps the directory entry, not the open file).
"""
from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl import schema
from etl.db import connect


def _insert(con, table: schema.Table, frame: pd.DataFrame) -> None:
    """Insert a frame into a table; a GEOMETRY field 'geom' comes from the frame's active geometry,
    any other GEOMETRY field from the column of the same name (as WKB, converted by DuckDB spatial)."""
    rows = pd.DataFrame({f.name: frame[f.name] for f in table.fields if f.type != "GEOMETRY"})
    select = []
    for f in table.fields:
        if f.type == "GEOMETRY":
            source = frame.geometry if f.name == "geom" else gpd.GeoSeries(frame[f.name])
            rows[f.name] = source.to_wkb().values
            select.append(f"ST_GeomFromWKB({f.name})")
        else:
            select.append(f.name)
    con.register("frame", rows)
    con.execute(f"INSERT INTO {table.name} SELECT {', '.join(select)} FROM frame")
    con.unregister("frame")


def write_database(out: Path, frames: dict[str, pd.DataFrame]) -> None:
    """Create every table of the schema and fill those named in ``frames`` (missing ones stay empty)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        con = connect(tmp)
        try:
            for table in schema.TABLES:
                con.execute(schema.ddl(table))
                if table.name in frames and len(frames[table.name]):
                    _insert(con, table, frames[table.name])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)


IMPORT_REPORT_COLUMNS = {"file": "Datei", "row": "Zeile", "source_column": "Spalte", "problem": "Problem", "action": "Ergebnis"}


def import_report_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.importbericht.csv")


def write_import_report(out: Path, report: pd.DataFrame, sources: pd.DataFrame) -> Path:
    """The offer import report next to the database, as a German CSV (semicolon, UTF-8 with BOM) that opens in
    Excel: every row of an offer list that was not loaded as it stood. Written like the database: complete or not
    at all."""
    path = import_report_path(out)
    files = sources.set_index("source_id")["file"] if len(sources) else pd.Series(dtype=str)
    table = report.assign(file=report["source_id"].map(files)).sort_values(["file", "row"], kind="stable")
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        table[list(IMPORT_REPORT_COLUMNS)].rename(columns=IMPORT_REPORT_COLUMNS).to_csv(tmp, sep=";", index=False, encoding="utf-8-sig")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path

