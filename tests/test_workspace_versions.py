"""Publish and roll back database versions (workspace.versions) on both workspace backends.

The build is the real one (the demo county); the draft step is the base config unchanged here (the upload
engineer's draft is tested with its uploads in its own tests), so these tests check the version mechanics alone.
"""
from __future__ import annotations

import shutil
import threading
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from workspace_helpers import workspace, workspace_url  # noqa: F401  (fixtures)

from etl.errors import EtlError
from workspace import versions as v
from workspace.recipe import Recipe, recipe_of
from workspace.storage import Workspace, WorkspaceError

NAME = "demo_musterland"


@pytest.fixture
def live(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo database in a database folder of its own, with the base config as the draft."""
    folder = tmp_path / "db"
    folder.mkdir()
    for file in demo_db.parent.glob(f"{NAME}.*"):
        shutil.copyfile(file, folder / file.name)
    monkeypatch.setattr(v, "draft_configs", lambda base, uploads, folder, ws, db_name: base)
    return folder / f"{NAME}.duckdb"


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != "workspace.sqlite")


def test_the_recipe_is_the_config_the_database_was_built_from(live: Path) -> None:
    assert recipe_of(live) == Recipe(configs=("config/demo_musterland.toml",))
    assert recipe_of(live).text() == "python -m etl build --config config/demo_musterland.toml"


def test_a_build_by_key_is_remembered_by_its_key_and_an_unknown_config_is_refused(tmp_path: Path) -> None:
    by_key, unknown = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    for path, rows in [(by_key, [("config", "07232.toml"), ("config_path", "/tmp/planungsatlas-kreis-x1/07232/07232.toml")]),
                       (unknown, [("config", "landkreis_x.toml"), ("config_path", "/nirgends/landkreis_x.toml")])]:
        with duckdb.connect(str(path)) as con:
            con.execute("CREATE TABLE build_log (kind VARCHAR, topic VARCHAR, message VARCHAR)")
            con.executemany("INSERT INTO build_log VALUES ('info', ?, ?)", rows)
    assert recipe_of(by_key) == Recipe(kreise=("07232",))
    with pytest.raises(WorkspaceError, match="--config"):
        recipe_of(unknown)


def test_publish_then_rollback_restores_the_exact_database(workspace: Workspace, live: Path) -> None:
    original = v.sha256_of(live)
    upload = workspace.add_upload(NAME, "angebote", "liste.csv", b"x", "anna")
    result = v.publish(workspace, live, "anna", base_version=None, say=lambda _m: None)
    assert result.seq == 2 and result.uploads == [upload] and result.rows_by_table["offers"] > 0
    listing = workspace.versions(NAME)
    assert list(listing["action"]) == ["initial", "publish"] and list(listing["actor"]) == ["anna", "anna"]
    assert listing.iloc[0]["sha256"] == original and listing.iloc[0]["recipe"]["configs"] == ["config/demo_musterland.toml"]
    assert v.sha256_of(v.version_file(live, 1)) == original
    assert v.sha256_of(live) == listing.iloc[1]["sha256"] == v.sha256_of(v.version_file(live, 2)) != original  # built anew
    assert listing.iloc[1]["recipe"]["uploads"] == [upload] and listing.iloc[1]["stats"]["rows_by_table"]["offers"] > 0
    assert workspace.upload(upload).status == "veroeffentlicht"
    assert v.version_file(live, 2).with_name("v0002.importbericht.csv").is_file()

    back = v.rollback(workspace, live, 1, "bert", base_version=2)
    assert back.seq == 3 and back.to_seq == 1 and back.seconds < 1.0
    assert v.sha256_of(live) == original  # byte-identical, no rebuild
    assert (live.parent / f"{NAME}.importbericht.csv").read_bytes() == v.version_file(live, 1).with_name("v0001.importbericht.csv").read_bytes()
    row = workspace.versions(NAME).iloc[-1]
    assert (row["action"], row["source_seq"], row["actor"], row["sha256"]) == ("rollback", 1, "bert", original)
    assert "change_rows" not in row["stats"]  # the detailed changes belong to the publish, not to its undoing
    assert workspace.current_version(NAME) == 3
    assert [e for e in workspace.audit_log()["action"]][:2] == ["rollback", "upload_status"]
    assert not [f for f in _files(live.parent) if ".build-" in f or ".tmp" in f or ".draft-" in f]


def test_a_failed_build_changes_nothing(workspace: Workspace, live: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = {f: (live.parent / f).read_bytes() for f in _files(live.parent)}
    upload = workspace.add_upload(NAME, "angebote", "liste.csv", b"x", "anna")
    broken = lambda base, uploads, folder, ws, db_name: [replace(base[0], boundaries=folder / "fehlt.zip")]  # noqa: E731
    monkeypatch.setattr(v, "draft_configs", broken)
    with pytest.raises(EtlError):
        v.publish(workspace, live, "anna", base_version=None, say=lambda _m: None)
    assert workspace.versions(NAME).empty and workspace.upload(upload).status == "entwurf"
    assert {f: (live.parent / f).read_bytes() for f in _files(live.parent)} == before  # no version files, no leftovers


def test_a_failed_build_after_earlier_versions_keeps_them(workspace: Workspace, live: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    v.register_initial(workspace, live, "system")
    before = {f: (live.parent / f).read_bytes() for f in _files(live.parent)}
    import etl.build

    monkeypatch.setattr(etl.build, "build", lambda *a, **k: (_ for _ in ()).throw(EtlError("kaputt")))
    with pytest.raises(EtlError, match="kaputt"):
        v.publish(workspace, live, "anna", base_version=1, say=lambda _m: None)
    assert list(workspace.versions(NAME)["seq"]) == [1]
    assert {f: (live.parent / f).read_bytes() for f in _files(live.parent)} == before


def test_a_stale_publisher_is_told_who_published_and_keeps_the_upload(workspace: Workspace, live: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    v.register_initial(workspace, live, "system")
    upload = workspace.add_upload(NAME, "angebote", "liste.csv", b"x", "anna")
    real_draft = v.draft_configs

    busy = []

    def meanwhile(base, uploads, folder, ws, db_name):  # while anna's build runs, bert publishes (version 2)
        if not busy:
            busy.append("bert")
            v.publish(ws, live, "bert", base_version=1, say=lambda _m: None)
        return real_draft(base, uploads, folder, ws, db_name)

    monkeypatch.setattr(v, "draft_configs", meanwhile)
    with pytest.raises(v.StaleVersion, match="bert") as refused:
        v.publish(workspace, live, "anna", base_version=1, say=lambda _m: None)
    assert "Version 2 veröffentlicht" in str(refused.value) and "Entwurf" in str(refused.value)
    assert workspace.current_version(NAME) == 2 and workspace.versions(NAME).iloc[-1]["actor"] == "bert"
    assert not v.version_file(live, 3).exists() and not list(v.versions_dir(live).glob(".build-*"))
    # drafts belong to the database: the upload anna saw went out with bert's version, nothing of it is lost
    assert workspace.upload(upload).status == "veroeffentlicht" and upload in workspace.versions(NAME).iloc[-1]["recipe"]["uploads"]
    later = workspace.add_upload(NAME, "angebote", "liste2.csv", b"y", "anna")
    with pytest.raises(v.StaleVersion, match="bert"):  # the planner's page still shows version 1
        v.publish(workspace, live, "anna", base_version=1, say=lambda _m: None)
    assert workspace.upload(later).status == "entwurf"  # refused: the new upload stays a draft
    with pytest.raises(v.StaleVersion, match="noch keine Version"):  # a page that showed no version yet
        v.publish(workspace, live, "anna", base_version=None, say=lambda _m: None)
    with pytest.raises(v.StaleVersion):
        v.rollback(workspace, live, 1, "anna", base_version=1)


def test_rollback_refuses_a_changed_version_file_and_unknown_versions(workspace: Workspace, live: Path) -> None:
    v.register_initial(workspace, live, "system")
    with pytest.raises(WorkspaceError, match="Version 7 gibt es nicht"):
        v.rollback(workspace, live, 7, "anna")
    with duckdb.connect(str(live)) as con:  # another state is live (rebuilt by hand) …
        con.execute("CREATE TABLE von_hand AS SELECT 1 AS x")
    before = v.sha256_of(live)
    with v.version_file(live, 1).open("ab") as handle:  # … and the file of version 1 was changed on disk
        handle.write(b"\0")
    with pytest.raises(WorkspaceError, match="verändert"):
        v.rollback(workspace, live, 1, "anna")
    assert v.sha256_of(live) == before and workspace.current_version(NAME) == 1
    with pytest.raises(WorkspaceError, match="noch keine Versionen"):
        v.rollback(workspace, live.with_name("andere.duckdb"), 1, "anna")


def test_register_initial_once_even_when_called_concurrently(workspace_url: str, live: Path) -> None:
    ws = Workspace.open(workspace_url)
    results, errors = [], []

    def register() -> None:
        try:
            results.append(v.register_initial(ws, live, "system"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == [1, 1, 1, 1] and list(ws.versions(NAME)["seq"]) == [1]


def test_a_database_rebuilt_outside_the_workspace_is_kept_as_a_version_first(workspace: Workspace, live: Path) -> None:
    v.register_initial(workspace, live, "system")
    with duckdb.connect(str(live)) as con:  # as if `python -m etl build --out` had replaced it by hand
        con.execute("CREATE TABLE von_hand AS SELECT 1 AS x")
    by_hand = v.sha256_of(live)
    back = v.rollback(workspace, live, 1, "anna")
    listing = workspace.versions(NAME)
    assert list(listing["action"]) == ["initial", "initial", "rollback"] and back.seq == 3
    assert listing.iloc[1]["sha256"] == by_hand and "Außerhalb" in listing.iloc[1]["summary"]
    assert listing.iloc[1]["recipe"]["configs"] == ["config/demo_musterland.toml"]
    v.rollback(workspace, live, 2, "anna")
    assert v.sha256_of(live) == by_hand  # the hand-made state was not lost


def test_leftovers_of_a_killed_publish_are_removed_but_not_those_of_a_running_one(tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    host = socket.gethostname()
    names = [f".build-{host}-{dead}-abcd1234.duckdb", f".build-{host}-{dead}-abcd1234.duckdb.tmp-{dead}",
             f".build-{host}-{os.getpid()}-abcd1234.duckdb", f".build-andere-maschine-{dead}-abcd1234.duckdb", "v0001.duckdb"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / f".draft-{host}-{dead}-k2j3h4_x").mkdir()
    removed = {p.name for p in v.remove_stale_work(tmp_path)}
    assert removed == {names[0], names[1], f".draft-{host}-{dead}-k2j3h4_x"}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:])


def test_a_recipe_by_key_gives_the_config_etl_build_kreis_writes(shared_data: Path, tmp_path: Path) -> None:
    from workspace.recipe import load_configs

    (config,) = load_configs(Recipe(kreise=("07235",)), tmp_path)
    assert config.ags == "07235" and config.statistics and config.file.is_relative_to(tmp_path)


def test_a_full_disk_while_swapping_in_leaves_the_old_version_live(workspace: Workspace, live: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = {f: (live.parent / f).read_bytes() for f in _files(live.parent)}
    upload = workspace.add_upload(NAME, "angebote", "liste.csv", b"x", "anna")
    real_install = v._install

    def full_disk(source: Path, target: Path) -> None:
        if target == live:
            raise OSError(28, "No space left on device")
        real_install(source, target)

    monkeypatch.setattr(v, "_install", full_disk)
    with pytest.raises(OSError):
        v.publish(workspace, live, "anna", base_version=None, say=lambda _m: None)
    assert workspace.versions(NAME).empty and workspace.upload(upload).status == "entwurf"
    assert {f: (live.parent / f).read_bytes() for f in _files(live.parent)} == before  # no version file left behind
