"""DuckDB connections with the spatial extension loaded from its PyPI wheel (works offline)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb

SNAPSHOT = "snapshot"  # catalog name of a read-only database opened by connect(..., read_only=True)
_CONFIG = {"autoinstall_known_extensions": False}


def _spatial_extension_path() -> Path:
    # duckdb-extension-spatial ships the binary; INSTALL would try the network.
    base = resources.files("duckdb_extension_spatial") / "extensions" / f"v{duckdb.__version__}"
    return Path(str(base)) / "spatial.duckdb_extension"


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a database with spatial loaded; ``read_only`` for every reader of a built database.

    A read-only database is attached to an in-memory instance of its own. duckdb.connect(path) would hand out
    the process-wide instance already open for that path, so after an atomic rebuild (a rename over the file)
    every new reader would keep seeing the replaced file for as long as any old connection lives.
    """
    con = duckdb.connect(":memory:" if read_only else str(path), config=_CONFIG)
    con.execute(f"LOAD '{_spatial_extension_path()}'")
    if read_only:
        quoted = str(path).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS {SNAPSHOT} (READ_ONLY)")
        con.execute(f"USE {SNAPSHOT}")
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor for another thread (connections must not be shared) that sees the same default catalog."""
    cur = con.cursor()
    if cur.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [SNAPSHOT]).fetchone()[0]:
        cur.execute(f"USE {SNAPSHOT}")
    return cur
