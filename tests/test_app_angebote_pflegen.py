"""Angebote pflegen under AppTest: edit an offer in the table (checked, logged, pending until publish), a refused
edit with its reason, duplicates decided and kept off the list, and the edit reaching the next build."""
from __future__ import annotations

import dataclasses

import duckdb
import openpyxl
import pytest

from etl.build import build
from etl.config import load_config
from page_helpers import writable_db_dir, open_page, rerun
from workspace.offer_overlay import write_workspace_overlay
from workspace.storage import Workspace, workspace_url

PAGE = "pages/angebote_pflegen.py"


@pytest.fixture
def db_dir(tmp_path, demo_db):
    return writable_db_dir(tmp_path, demo_db)


def _editor_state(at, changes: dict[int, dict]) -> None:
    """Put edits into the data editor the way the browser sends them (row position → column → value)."""
    key = f"offer_editor_demo_musterland_99001_{at.session_state['offer_editor_version']}"
    at.session_state[key] = {"edited_rows": changes, "added_rows": [], "deleted_rows": []}


def _workspace(db_dir, monkeypatch) -> Workspace:
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(db_dir))
    return Workspace.open(workspace_url())


def test_an_edit_is_saved_logged_and_pending(db_dir, monkeypatch):
    at = open_page(db_dir, monkeypatch, PAGE)
    assert at.title[0].value.startswith("Angebote pflegen")
    _editor_state(at, {0: {"kapazitaet": 55, "name": "Babylotsen Neu"}})
    rerun(at)
    save = next(b for b in at.button if b.label.startswith("Änderungen prüfen und speichern"))
    assert save.label.endswith("(2)")
    save.click()
    rerun(at)
    assert any("2 Änderungen gespeichert" in s.value for s in at.success)
    edits = _workspace(db_dir, monkeypatch).offer_edits("demo_musterland")
    assert sorted(edits["field"]) == ["kapazitaet", "name"]
    assert set(edits["actor"]) == {"demo"}
    assert "Noch nicht veröffentlicht: 2 geänderte Felder" in [e.label for e in at.expander]


def test_an_edit_that_does_not_fit_is_refused_with_what_would(db_dir, monkeypatch):
    at = open_page(db_dir, monkeypatch, PAGE)
    _editor_state(at, {0: {"email": "keine adresse"}})
    rerun(at)
    next(b for b in at.button if b.label.startswith("Änderungen prüfen")).click()
    rerun(at)
    assert any("1 Änderungen nicht gespeichert" in e.value for e in at.error)
    refused = at.dataframe[0].value
    assert refused.iloc[0]["Spalte"] == "E-Mail" and "keine gültige Angabe" in refused.iloc[0]["Problem"]
    assert _workspace(db_dir, monkeypatch).offer_edits("demo_musterland").empty


def test_the_saved_edit_reaches_the_next_build(db_dir, monkeypatch, repo_root, tmp_path):
    at = open_page(db_dir, monkeypatch, PAGE)
    _editor_state(at, {1: {"kapazitaet": 33}})
    rerun(at)
    next(b for b in at.button if b.label.startswith("Änderungen prüfen")).click()
    rerun(at)
    ws = _workspace(db_dir, monkeypatch)
    key = ws.offer_edits("demo_musterland")["offer_key"].iloc[0]
    overlay = write_workspace_overlay(ws, "demo_musterland", tmp_path)
    out = tmp_path / "next.duckdb"
    config = load_config(repo_root / "config" / "demo_musterland.toml")
    build([dataclasses.replace(config, offer_overlay=overlay)], out, say=lambda _: None)
    with duckdb.connect(str(out), read_only=True) as con:
        assert con.execute("SELECT kapazitaet FROM offers WHERE offer_key = ?", [key]).fetchone() == (33.0,)


def test_duplicates_are_decided_and_leave_the_list(tmp_path, monkeypatch, repo_root):
    """A demo build with a planted second list holding one offer again under a respelled name."""
    config = load_config(repo_root / "config" / "demo_musterland.toml")
    first = config.offers[0]
    book = openpyxl.load_workbook(first.path)
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    header = rows[0]
    name_col = header.index("name")
    planted = openpyxl.Workbook()
    planted.active.append(header)
    row = list(rows[1])
    row[name_col] = str(row[name_col]).upper()
    planted.active.append(row)
    second = tmp_path / "zweite_liste.xlsx"
    planted.save(second)
    folder = tmp_path / "db"
    folder.mkdir()
    twice = dataclasses.replace(config, offers=[*config.offers, dataclasses.replace(first, path=second)])
    build([twice], folder / "demo_musterland.duckdb", say=lambda _: None)
    at = open_page(folder, monkeypatch, PAGE)
    same = [b for b in at.button if b.label == "Dasselbe Angebot"]
    assert len(same) == 1, "exactly the planted pair"
    assert any("gleiche Angebotsart; gleiche Adresse" in c.value for c in at.caption)
    same[0].click()
    rerun(at)
    assert not [b for b in at.button if b.label == "Dasselbe Angebot"]
    decisions = _workspace(folder, monkeypatch).duplicate_decisions("demo_musterland")
    assert decisions["decision"].tolist() == ["dasselbe"]
