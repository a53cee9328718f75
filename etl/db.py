"""DuckDB connections with the spatial extension loaded from its PyPI wheel (works offline)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb


def _spatial_extension_path() -> Path:
    # duckdb-extension-spatial ships the binary; INSTALL would try the network.
    base = resources.files("duckdb_extension_spatial") / "extensions" / f"v{duckdb.__version__}"
    return Path(str(base)) / "spatial.duckdb_extension"


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a database with spatial loaded; ``read_only`` for every reader of a built database."""
    con = duckdb.connect(str(path), read_only=read_only, config={"autoinstall_known_extensions": False})
    con.execute(f"LOAD '{_spatial_extension_path()}'")
    return con
