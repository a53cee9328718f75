"""Reads of what lies around a Kreis: its neighbours (table ``neighbours``, etl/neighbours.py).

Databases built before the table existed still open: they have no neighbours, and the maps keep the plain
"nicht zum Kreis gehörig" in a hole.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from etl.db import cursor
from planning.db import Database, cached, connection

NEIGHBOUR_COLUMNS = ["neighbour_id", "name", "bez", "enclosed", "lon", "lat"]


@cached(16)
def neighbours(db: Database, kreis_id: str) -> pd.DataFrame:
    """The Kreise and kreisfreie Städte next to or inside the Kreis (columns ``NEIGHBOUR_COLUMNS``); empty where the
    build stored none."""
    return neighbours_on(cursor(connection(db)), kreis_id)


def neighbours_on(con: duckdb.DuckDBPyConnection, kreis_id: str) -> pd.DataFrame:
    """``neighbours`` on a connection of the caller's (the reports open a database by path)."""
    present = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'neighbours'").fetchone()[0]
    if not present:
        return pd.DataFrame(columns=NEIGHBOUR_COLUMNS)
    sql = f"SELECT {', '.join(NEIGHBOUR_COLUMNS)} FROM neighbours WHERE kreis_id = ? ORDER BY name"
    return con.execute(sql, [kreis_id]).df()
