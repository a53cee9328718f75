"""Helpers shared by the quality-harness tests (test_bad_corpus, test_crash_safety, test_concurrency).

A *demo workspace* is a private copy of data/demo plus a copy of config/demo_musterland.toml that points at it with
absolute paths, so a test can swap single files in and others editing data/demo cannot change it under its feet.
Fingerprints compare databases: row counts (the tables test_bad_input checks) and a checksum of the observations.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from test_bad_input import TABLES, _sha256

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_DATA = REPO_ROOT / "data" / "demo"
DEMO_CONFIG = REPO_ROOT / "config" / "demo_musterland.toml"
BAD_CORPUS = REPO_ROOT / "tests" / "data" / "bad"
sha256 = _sha256


@dataclass(frozen=True)
class DemoWorkspace:
    root: Path  # the temporary folder
    data: Path  # data_root of the config: a copy of data/demo
    config_text: str  # config/demo_musterland.toml with absolute paths into ``data``

    def write_config(self, path: Path, text: str | None = None) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.config_text if text is None else text, encoding="utf-8")
        return path


def demo_workspace(root: Path) -> DemoWorkspace:
    data = root / "data"
    shutil.copytree(DEMO_DATA, data)
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    # data_root and the Sozialraum mapping are the only paths relative to the config file
    assert text.count('"../data/demo') == 2, "config/demo_musterland.toml changed its paths"
    return DemoWorkspace(root, data, text.replace('"../data/demo', f'"{data}'))


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"expected exactly one {old!r} in the config"
    return text.replace(old, new)


def read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection without the spatial extension: loading it costs ~0.5 s, and counting rows,
    checksums and plain columns do not need it (test_bad_input._row_counts loads it on every call)."""
    return duckdb.connect(str(path), read_only=True)


@dataclass(frozen=True)
class Fingerprint:
    rows: dict[str, int]  # the tables test_bad_input compares
    observations_md5: str  # every observation row in a fixed order


def fingerprint(path: Path) -> Fingerprint:
    """Opens the database read-only (raises if it is no database) and summarises its content."""
    con = read_only(path)
    try:
        rows = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
        md5 = con.execute(
            """
            SELECT md5(coalesce(string_agg(
                concat_ws('|', area_id, indicator_id, year, value, status, flag, derivation, source_id),
                chr(10) ORDER BY area_id, indicator_id, year), ''))
            FROM observations
            """
        ).fetchone()[0]
    finally:
        con.close()
    return Fingerprint(rows, md5)
