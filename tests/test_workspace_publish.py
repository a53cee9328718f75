"""Upload → publish → roll back through the real draft step (workspace.draft) and the real build, on both
workspace backends: the published database has the uploaded offers, the rollback restores the old one byte for byte."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from workspace_helpers import workspace, workspace_url  # noqa: F401  (fixtures)

from workspace import versions as v
from workspace.storage import Workspace

pytest.importorskip("workspace.draft", reason="workspace/draft.py (the upload engineer's draft step) is not there yet")

NAME = "demo_musterland"
DEMO_LIST = Path(__file__).resolve().parent.parent / "data" / "demo" / "angebote" / "angebote_musterland_demodaten.csv"


def _new_list() -> bytes:
    """Two invented offers in the planungsatlas format, as a county would upload them."""
    header, first, *_ = DEMO_LIST.read_text(encoding="utf-8-sig").splitlines()
    rows = [first.replace("ML-0001;Familienhebammen Musterland", f"NEU-{i};Testtreff Nummer {i}") for i in (1, 2)]
    return "\n".join([header, *rows, ""]).encode("utf-8")


def _offer_names(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [name for (name,) in con.execute("SELECT name FROM offers ORDER BY name").fetchall()]


def test_uploaded_offers_are_published_and_the_rollback_takes_them_back(workspace: Workspace, demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "db" / demo_db.name
    db.parent.mkdir()
    shutil.copyfile(demo_db, db)
    original, before = v.sha256_of(db), _offer_names(db)
    upload = workspace.add_upload(NAME, "angebote", "neue_angebote.csv", _new_list(), "anna",
                                  {"format": "planungsatlas", "stand": "2024-06-30", "public": True})

    result = v.publish(workspace, db, "anna", base_version=None, say=lambda _m: None)
    after = _offer_names(db)
    assert sorted(set(after) - set(before)) == ["Testtreff Nummer 1", "Testtreff Nummer 2"] and len(after) == len(before) + 2
    assert result.uploads == [upload] and workspace.upload(upload).status == "veroeffentlicht"
    assert "2 neu" in result.changes, result.changes  # the version list says what changed

    v.rollback(workspace, db, 1, "bert")
    assert v.sha256_of(db) == original and _offer_names(db) == before

    # the rolled-back version was built without the upload: the next publish leaves it out too
    again = v.publish(workspace, db, "anna", base_version=3, say=lambda _m: None)
    assert again.seq == 4 and _offer_names(db) == before


_PUBLISH = """
import sys
from pathlib import Path
from workspace import versions as v
from workspace.storage import Workspace
ws = Workspace.open(sys.argv[1])
try:
    result = v.publish(ws, Path(sys.argv[2]), sys.argv[3], base_version=1, say=lambda _m: None)
    print("won", result.seq)
except v.StaleVersion as exc:
    print("stale", exc)
"""


def test_two_planners_publishing_at_once_one_wins_the_other_is_told(workspace_url: str, demo_db: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    ws = Workspace.open(workspace_url)
    db = tmp_path / "db" / demo_db.name
    db.parent.mkdir()
    shutil.copyfile(demo_db, db)
    v.register_initial(ws, db, "system")
    upload = ws.add_upload(NAME, "angebote", "neue_angebote.csv", _new_list(), "anna", {"format": "planungsatlas", "public": True})
    repo = Path(__file__).resolve().parent.parent
    procs = [subprocess.Popen([sys.executable, "-c", _PUBLISH, workspace_url, str(db), who], cwd=repo, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for who in ("anna", "bert")]
    outcomes = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outcomes]
    said = sorted(out.strip().splitlines()[-1] for out, _ in outcomes)  # DuckDB may print a progress bar before
    assert said[0] == "stale" + said[0][5:] and said[1] == "won 2", said
    winner = ws.versions(NAME).iloc[-1]["actor"]
    assert winner in said[0] and "Entwurf" in said[0]  # the loser is told who published
    listing = ws.versions(NAME)
    assert list(listing["seq"]) == [1, 2] and v.sha256_of(db) == listing.iloc[-1]["sha256"]
    assert ws.upload(upload).status == "veroeffentlicht" and "Testtreff Nummer 1" in _offer_names(db)
    assert not [p for p in v.versions_dir(db).iterdir() if p.name.startswith(".")]  # no half-built files left
