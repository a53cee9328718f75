"""The workspace store on both backends: ``workspace`` runs a test once on SQLite (a file in tmp) and once on
PostgreSQL in a schema of its own (dropped afterwards).

PostgreSQL comes from ``PLANUNGSATLAS_TEST_POSTGRES_URL`` (``.ci/run`` and ``scripts/test.sh`` start Debian's server
and set it). Without it the PostgreSQL variant is skipped with the reason; with ``PLANUNGSATLAS_REQUIRE_POSTGRES=1``
(CI) a missing or unreachable server is a failure, never a quiet skip.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from workspace.storage import Workspace

PG_ENV = "PLANUNGSATLAS_TEST_POSTGRES_URL"
REQUIRE_ENV = "PLANUNGSATLAS_REQUIRE_POSTGRES"


def _skip_or_fail(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1: PostgreSQL is required here)", pytrace=False)
    pytest.skip(reason)


def postgres_url_or_skip() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        _skip_or_fail(f"{PG_ENV} is not set: no PostgreSQL to test against (scripts/test.sh starts one)")
    try:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
    except sa.exc.OperationalError as exc:
        _skip_or_fail(f"PostgreSQL at {PG_ENV} is unreachable: {str(exc).splitlines()[0]}")
    return url


def _with_search_path(url: str, schema: str) -> str:
    parsed = sa.make_url(url)
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def workspace_url_for(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty workspace URL of ``backend``; the PostgreSQL schema is dropped when the test ends."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'workspace.sqlite'}"
        Workspace.close_all()
        return
    base = postgres_url_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _with_search_path(base, schema)
    finally:
        Workspace.close_all()
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from workspace_url_for(request.param, tmp_path)


@pytest.fixture
def workspace(workspace_url: str) -> Workspace:
    return Workspace.open(workspace_url)
