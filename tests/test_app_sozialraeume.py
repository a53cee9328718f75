"""Sozialräume under AppTest: the published assignment as the start, Gemeinden moved in bulk and in the table, the map
preview following the working copy, blocking problems refusing the save, a saved version with its status, and the
rule module's checks on the real shapes of the demo county."""
from __future__ import annotations

import json

import pytest

from page_helpers import writable_db_dir, demo_context, open_page, rerun
from planning import queries
from planning.sozialraum_assignment import check_assignment, current_assignment, sozialraum_shapes
from workspace.storage import Workspace, workspace_url

PAGE = "pages/sozialraeume.py"
WORK_KEY = "sozialraum_work_demo_musterland_99001"


@pytest.fixture
def db_dir(tmp_path, demo_db):
    return writable_db_dir(tmp_path, demo_db)


def _map_names(at) -> str:
    return json.loads(at.get("component_instance")[0].proto.json_args)["script"]


def test_starts_from_the_published_assignment_and_draws_it(db_dir, monkeypatch, demo_db):
    at = open_page(db_dir, monkeypatch, PAGE)
    assert at.title[0].value == "Sozialräume – Landkreis Musterland (Demodaten)"
    assert any("Ausgangspunkt: veröffentlichte Zuordnung" in c.value for c in at.caption)
    published = current_assignment(demo_context(demo_db).db, "99001")
    assert at.session_state[WORK_KEY]["sozialraum"].tolist() == published["sozialraum"].tolist()
    script = _map_names(at)
    for name in published["sozialraum"].unique():
        assert json.dumps(name)[1:-1] in script or name in script


def test_bulk_move_changes_the_map_and_is_saved_as_a_version(db_dir, monkeypatch):
    at = open_page(db_dir, monkeypatch, PAGE)
    at.multiselect[0].set_value(["Altenborn", "Altenmühl"])
    at.text_input[0].set_value("Nordwest")
    at.button[0].click()  # the form's "Zuordnen"
    rerun(at)
    working = at.session_state[WORK_KEY]
    assert set(working.loc[working["sozialraum"] == "Nordwest", "gemeinde"]) == {"Altenborn", "Altenmühl"}
    assert "Nordwest (2)" in _map_names(at)
    at.radio[0].set_value("amtlich")
    at.text_input[1].set_value("Beschluss JHA 12.03.2026")
    next(b for b in at.button if b.label == "Als neue Version speichern").click()
    rerun(at)
    assert any("Version 1 gespeichert" in s.value for s in at.success)
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(db_dir))
    saved = Workspace.open(workspace_url()).sozialraum_mapping("demo_musterland")
    assert saved.attrs["status"] == "amtlich" and saved.attrs["source"] == "Beschluss JHA 12.03.2026"
    assert (saved["sozialraum"] == "Nordwest").sum() == 2


def test_an_empty_sozialraum_blocks_the_save(db_dir, monkeypatch):
    at = open_page(db_dir, monkeypatch, PAGE)
    key = f"{WORK_KEY}_editor_0"
    at.session_state[key] = {"edited_rows": {0: {"sozialraum": ""}}, "added_rows": [], "deleted_rows": []}
    rerun(at)
    assert any("keinem Sozialraum zugeordnet" in e.value for e in at.error)
    assert next(b for b in at.button if b.label == "Als neue Version speichern").disabled


def test_the_rules_on_the_demo_shapes(demo_db):
    ctx = demo_context(demo_db)
    gemeinden = queries.gemeinde_geometry(ctx.db, ctx.kreis_id)
    assignment = current_assignment(ctx.db, ctx.kreis_id)
    assert check_assignment(assignment, gemeinden) == []
    assert sozialraum_shapes(gemeinden, assignment)["gemeinden"].sum() == len(gemeinden)
    far_apart = assignment.copy()
    north, south = gemeinden.geometry.centroid.y.idxmax(), gemeinden.geometry.centroid.y.idxmin()
    ids = gemeinden.loc[[north, south], "area_id"].tolist()
    far_apart.loc[far_apart["gemeinde_id"].isin(ids), "sozialraum"] = "Getrennt"
    notes = check_assignment(far_apart, gemeinden)
    assert [n.blocking for n in notes] == [False]
    assert "„Getrennt“ besteht aus 2 nicht zusammenhängenden Teilen" in notes[0].problem
    missing = assignment.iloc[1:]
    assert [p.problem for p in check_assignment(missing, gemeinden)] == ["fehlt in der Zuordnung"]
