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


def write_database(
    out: Path,
    areas: gpd.GeoDataFrame,
    indicators: pd.DataFrame,
    observations: pd.DataFrame,
    sources: pd.DataFrame,
    build_log: pd.DataFrame,
) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        con = connect(tmp)
        try:
            for table in schema.TABLES:
                con.execute(schema.ddl(table))
            area_rows = pd.DataFrame(areas.drop(columns=["geometry", "geom_display"]))
            area_rows["geom_wkb"] = areas.geometry.to_wkb().values
            area_rows["display_wkb"] = gpd.GeoSeries(areas["geom_display"]).to_wkb().values
            columns = [f.name for f in schema.AREAS.fields if f.type != "GEOMETRY"]
            con.register("area_rows", area_rows)
            con.execute(
                f"INSERT INTO areas SELECT {', '.join(columns)}, ST_GeomFromWKB(geom_wkb), ST_GeomFromWKB(display_wkb) FROM area_rows"
            )
            for table, frame in ((schema.INDICATORS, indicators), (schema.OBSERVATIONS, observations), (schema.SOURCES, sources), (schema.BUILD_LOG, build_log)):
                names = [f.name for f in table.fields]
                con.register("frame", frame[names])
                con.execute(f"INSERT INTO {table.name} SELECT {', '.join(names)} FROM frame")
                con.unregister("frame")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
