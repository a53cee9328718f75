"""Opening a built database read-only, and a small result cache for the query functions.

A database is identified by path *and* modification time, so a rebuild (atomic rename) is picked up on the next
call while running sessions keep a consistent view. The cache is per process (shared by all sessions, like
Streamlit's ``st.cache_data``) and hands out copies, so a caller that changes a frame never changes the cache.
"""
from __future__ import annotations

import copy
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

import duckdb
import pandas as pd

from etl.config import REPO_ROOT
from etl.db import connect, cursor

DB_DIR_ENV = "PLANUNGSATLAS_DB_DIR"

P = ParamSpec("P")
R = TypeVar("R")


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


def cached(max_entries: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Memoise a query by its (hashable) arguments; every call gets its own copy of the result."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        memo = functools.lru_cache(maxsize=max_entries)(func)

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            return _copy(memo(*args, **kwargs))

        wrapper.cache_clear = memo.cache_clear  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _copy(value: R) -> R:
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy()  # a deep copy of the data; cheap next to a query
    if isinstance(value, list | dict | set):
        return copy.copy(value)  # results hold only immutable items (str, int)
    return value


@functools.lru_cache(maxsize=8)
def connection(db: Database) -> duckdb.DuckDBPyConnection:
    """The shared read-only connection of a database (callers take a cursor of it per call)."""
    return connect(db.path, read_only=True)


def fetch(db: Database, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run one query on a cursor of the shared connection."""
    # a cursor per call: DuckDB connections must not be shared between threads (Streamlit runs a thread per session)
    return cursor(connection(db)).execute(sql, params or []).df()
