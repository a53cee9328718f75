"""The database engine of the workspace: PostgreSQL as SQLAlchemy makes it; SQLite with real write locks.

SQLite: a write transaction starts with ``BEGIN IMMEDIATE``, so it holds the database's write lock from its first
statement and two processes can never both read-then-write the same rows (no lost updates); readers and writers wait
up to 30 s for the lock instead of failing (a publish holds it for about a second).
"""
from __future__ import annotations

import hashlib
import os
from typing import Any

import sqlalchemy as sa

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> sa.Engine:
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    database = sa.make_url(url).database
    if database and database != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)
        # password hashes and uploaded files: readable by the app's user only (SQLite's journals take the same mode)
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    # pysqlite's own transaction handling starts transactions late and never as IMMEDIATE; take it over so a
    # write transaction holds SQLite's write lock from its first statement (no lost updates between processes).
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        write = connection.get_execution_options().get("workspace_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def lock_id(name: str) -> int:
    """A stable signed 64-bit number for a PostgreSQL advisory lock."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
