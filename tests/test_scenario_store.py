"""Scenarios in the workspace (workspace/scenarios.py, workspace/store.py) on SQLite and on PostgreSQL: save, load,
rename, duplicate, delete; unique names enforced by the database; audit rows; two processes saving at once; the
one-time import of the former ``<name>.szenarien.json``."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from workspace_helpers import workspace_url  # noqa: F401  (fixture)

from planning import scenarios as sc
from workspace import JsonScenarioStore, ScenarioExists, ScenarioNotFound, WorkspaceScenarioStore, store_for
from workspace import tables as t
from workspace.storage import URL_ENV, Workspace, WorkspaceError

KREIS = "99001"
OTHER = "07235"
REPO = Path(__file__).resolve().parent.parent
ADD = sc.Change(sc.ADD, "neu-1", "kita", "Kita „Am Bach“", 7.1, 50.2, 60)
CLOSE = sc.Change(sc.CLOSE, "kita-7", "kita")


@pytest.fixture
def db_path(workspace_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    """A database path whose scenarios go to the test's workspace (SQLite file or PostgreSQL schema)."""
    monkeypatch.setenv(URL_ENV, workspace_url)
    return tmp_path / "musterland.duckdb"


def _audit(path: Path, action: str) -> list[dict]:
    frame = store_for(path).ws.audit_log(action=action)
    return frame.iloc[::-1].to_dict("records")  # oldest first


def test_save_load_rename_duplicate_delete(db_path: Path) -> None:
    store = store_for(db_path)
    assert isinstance(store, WorkspaceScenarioStore) and store.db_name == "musterland"
    plan = sc.Scenario("Plan A", KREIS, (ADD, CLOSE), "für den Jugendhilfeausschuss")
    store.save(plan)
    store.save(sc.Scenario("plan b", KREIS))
    store.save(sc.Scenario("Plan A", OTHER))
    assert store.names(KREIS) == ["Plan A", "plan b"] and store.names(OTHER) == ["Plan A"]
    assert store.load(KREIS, "Plan A") == plan, "changes and note come back exactly"
    assert store.load(KREIS, "Plan Z") is None
    store.save(sc.Scenario("Plan A", KREIS, (CLOSE,)))  # "Speichern" under the same name replaces
    assert store.load(KREIS, "Plan A").changes == (CLOSE,) and store.names(KREIS) == ["Plan A", "plan b"]
    store.save(plan)
    store.duplicate(KREIS, "Plan A", "Plan A (Kopie)")
    store.rename(KREIS, "plan b", "Plan C")
    store.delete(KREIS, "Plan A")
    assert store.names(KREIS) == ["Plan A (Kopie)", "Plan C"]
    assert store.load(KREIS, "Plan A (Kopie)") == sc.Scenario("Plan A (Kopie)", KREIS, plan.changes, plan.note)
    assert store.names(OTHER) == ["Plan A"], "another Kreis keeps its scenario of the same name"
    assert store_for(db_path.with_name("andere.duckdb")).names(KREIS) == [], "scenarios belong to their database"
    store.delete(KREIS, "gibt es nicht")  # nothing to delete: no error, as before


def test_taken_and_missing_names_are_refused_clearly(db_path: Path) -> None:
    store = store_for(db_path)
    store.save(sc.Scenario("Plan A", KREIS, (ADD,)))
    store.save(sc.Scenario("Plan B", KREIS, (CLOSE,)))
    with pytest.raises(ScenarioExists, match="„Plan B“ gibt es in diesem Kreis schon"):
        store.rename(KREIS, "Plan A", "Plan B")
    with pytest.raises(ValueError):  # the former store's error type still holds
        store.duplicate(KREIS, "Plan A", "Plan B")
    with pytest.raises(ScenarioNotFound, match="„Plan X“ ist für diesen Kreis nicht gespeichert") as missing:
        store.rename(KREIS, "Plan X", "Plan Y")
    assert isinstance(missing.value, KeyError) and str(missing.value).startswith("Ein Szenario")
    with pytest.raises(KeyError):
        store.duplicate(KREIS, "Plan X", "Plan Y")
    with pytest.raises(WorkspaceError, match="braucht einen Namen"):
        store.save(sc.Scenario("  ", KREIS))
    with pytest.raises(WorkspaceError, match="höchstens 200"):
        store.rename(KREIS, "Plan A", "x" * 201)
    assert store.load(KREIS, "Plan A").changes == (ADD,) and store.load(KREIS, "Plan B").changes == (CLOSE,)
    assert store.names(KREIS) == ["Plan A", "Plan B"], "a refused write changes nothing"


def test_the_database_itself_refuses_a_second_scenario_of_a_name(db_path: Path) -> None:
    store = store_for(db_path)
    store.save(sc.Scenario("Plan A", KREIS))
    row = {"db_name": "musterland", "kreis_id": KREIS, "name": "Plan A", "changes": "[]", "note": "",
           "created_by": "x", "created_at": "t", "updated_by": "x", "updated_at": "t"}  # fmt: skip
    with pytest.raises(sa.exc.IntegrityError), store.ws.write() as c:
        c.execute(t.scenarios.insert().values(**row))
    with store.ws.write() as c:  # another Kreis or database may use the name
        c.execute(t.scenarios.insert().values(**{**row, "kreis_id": OTHER}))
        c.execute(t.scenarios.insert().values(**{**row, "db_name": "andere"}))


def test_every_write_is_audited_with_its_actor(db_path: Path) -> None:
    anna = store_for(db_path, actor="anna")
    anna.save(sc.Scenario("Plan A", KREIS, (ADD,)))
    anna.save(sc.Scenario("Plan A", KREIS, (ADD, CLOSE)), actor="bernd")
    anna.duplicate(KREIS, "Plan A", "Kopie")
    anna.rename(KREIS, "Kopie", "Plan B", actor="carla")
    anna.delete(KREIS, "Plan A")
    with pytest.raises(ScenarioExists):
        anna.duplicate(KREIS, "Plan B", "Plan B")
    saves = _audit(db_path, "scenario_save")
    assert [(r["actor"], r["target"], r["detail"]) for r in saves] == [
        ("anna", f"musterland/{KREIS}/Plan A", "neu, 1 Änderung"),
        ("bernd", f"musterland/{KREIS}/Plan A", "geändert, 2 Änderungen"),
    ]
    assert [(r["actor"], r["detail"]) for r in _audit(db_path, "scenario_duplicate")] == [("anna", "Kopie von „Plan A“")]
    assert [(r["actor"], r["target"], r["detail"]) for r in _audit(db_path, "scenario_rename")] == [
        ("carla", f"musterland/{KREIS}/Plan B", "„Kopie“ → „Plan B“")]  # fmt: skip
    deleted = _audit(db_path, "scenario_delete")
    assert len(deleted) == 1 and deleted[0]["actor"] == "anna"
    kept = json.loads(deleted[0]["detail"])  # the deleted scenario stays readable in the audit
    assert [sc.Change(**c) for c in kept["changes"]] == [ADD, CLOSE]
    info = anna.info(KREIS).set_index("name")
    assert info.loc["Plan B", "created_by"] == "anna" and info.loc["Plan B", "updated_by"] == "carla"
    assert len(_audit(db_path, "scenario_duplicate")) == 1, "the refused copy wrote no audit row"


_SAVER = """
import sys, time
from pathlib import Path
from planning.scenarios import Change, Scenario
from workspace import store_for
path, who, start = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
while not start.exists():
    time.sleep(0.01)
store = store_for(path, actor=who)
shared = range(25) if who == "anna" else range(24, -1, -1)  # opposite orders: they meet on some name in between
for i, j in zip(range(25), shared):  # each its own scenario, and a name the other one saves too
    store.save(Scenario(f"{who} {i:02d}", "99001", (Change("schließen", f"o-{i}", "kita"),)))
    store.save(Scenario(f"Gemeinsam {j:02d}", "99001", (Change("schließen", who, "kita"),)))
print("ok")
"""


def test_two_processes_saving_at_once_lose_no_scenario(db_path: Path, tmp_path: Path) -> None:
    store_for(db_path)  # the tables exist before the race (creating them is tested in test_workspace_storage)
    start = tmp_path / "los"
    procs = [subprocess.Popen([sys.executable, "-c", _SAVER, str(db_path), who, str(start)], cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for who in ("anna", "bernd")]  # fmt: skip
    time.sleep(0.5)
    start.touch()
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in results]
    names = store_for(db_path).names(KREIS)
    assert names == sorted(f"{who} {i:02d}" for who in ("anna", "bernd", "Gemeinsam") for i in range(25))
    assert {store_for(db_path).load(KREIS, f"Gemeinsam {i:02d}").changes[0].offer_id for i in range(25)} <= {"anna", "bernd"}
    assert len(_audit(db_path, "scenario_save")) == 100, "every save of both processes is in the audit"


def _legacy_file(db_path: Path, scenarios: list[sc.Scenario]) -> Path:
    legacy = JsonScenarioStore(db_path.with_name(db_path.stem + ".szenarien.json"))
    for scenario in scenarios:
        legacy.save(scenario)
    return legacy.path


def test_the_former_json_file_is_imported_once_and_kept(db_path: Path) -> None:
    plans = [sc.Scenario("Plan A", KREIS, (ADD,), "Notiz"), sc.Scenario("Plan B", KREIS, (CLOSE,)), sc.Scenario("Plan A", OTHER)]
    file = _legacy_file(db_path, plans)
    original = file.read_bytes()
    store = store_for(db_path)
    assert store.names(KREIS) == ["Plan A", "Plan B"] and store.names(OTHER) == ["Plan A"]
    assert [store.load(p.kreis_id, p.name) for p in plans] == plans
    assert not file.exists(), "the JSON file is no longer the store"
    assert file.with_name(file.name + ".importiert").read_bytes() == original, "renamed, never deleted or changed"
    imports = _audit(db_path, "scenario_import")
    assert [(r["target"], r["detail"]) for r in imports] == [("musterland", "musterland.szenarien.json: 3 übernommen, 0 schon vorhanden")]
    store_for(db_path).save(sc.Scenario("Plan C", KREIS))
    assert len(_audit(db_path, "scenario_import")) == 1, "imported once: the second call finds no file"
    assert store_for(db_path).names(KREIS) == ["Plan A", "Plan B", "Plan C"]

    # an older app process wrote the file again: the same scenarios are skipped, a different one under a taken
    # name is added beside it, and the first import's file is kept
    store_for(db_path).save(sc.Scenario("Plan B", KREIS, (ADD,)))
    file = _legacy_file(db_path, [plans[0], sc.Scenario("Plan B", KREIS, (CLOSE, ADD))])
    assert store_for(db_path).names(KREIS) == ["Plan A", "Plan B", "Plan B (aus Datei)", "Plan C"]
    assert store_for(db_path).load(KREIS, "Plan B").changes == (ADD,), "the workspace's scenario is not overwritten"
    assert store_for(db_path).load(KREIS, "Plan B (aus Datei)").changes == (CLOSE, ADD)
    assert file.with_name(file.name + ".importiert").read_bytes() == original
    assert file.with_name(file.name + ".importiert.2").is_file()
    assert _audit(db_path, "scenario_import")[-1]["detail"].endswith(
        "1 übernommen, 1 schon vorhanden; umbenannt: „Plan B“ → „Plan B (aus Datei)“")


def test_an_import_run_twice_adds_nothing(db_path: Path, tmp_path: Path) -> None:
    """As when the app stopped between the import and the rename, or two processes read the file at once."""
    from workspace.store import import_json

    file = _legacy_file(db_path, [sc.Scenario("Plan A", KREIS, (ADD,)), sc.Scenario("Plan B", KREIS)])
    copy = tmp_path / "kopie.szenarien.json"
    copy.write_bytes(file.read_bytes())
    store = store_for(db_path)
    again = import_json(store, copy)
    assert (again.imported, again.unchanged, again.renamed) == (0, 2, ())
    assert store.names(KREIS) == ["Plan A", "Plan B"]
    assert import_json(store, tmp_path / "weg.szenarien.json") is None, "a file another process took over meanwhile"


def test_an_unreadable_json_file_is_named_and_left_alone(db_path: Path) -> None:
    file = db_path.with_name("musterland.szenarien.json")
    file.write_text('{"version": 1, "scenarios": {"99001": {"Plan A": ', encoding="utf-8")
    with pytest.raises(WorkspaceError, match=r"musterland\.szenarien\.json: die Szenarien-Datei .* nicht lesbar.*Abhilfe"):
        store_for(db_path)
    assert file.is_file() and not file.with_name(file.name + ".importiert").exists()
    file.write_text(json.dumps({"version": 1, "scenarios": {KREIS: {"Plan A": {"name": "Plan A", "kreis_id": KREIS}}}}), encoding="utf-8")
    assert store_for(db_path).names(KREIS) == ["Plan A"], "repaired, it is imported at the next opening"


def test_without_a_workspace_url_the_scenarios_go_to_the_workspace_beside_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    store_for(tmp_path / "musterland.duckdb").save(sc.Scenario("Plan A", KREIS))
    try:
        rows = Workspace.open(f"sqlite:///{tmp_path / 'workspace.sqlite'}").read(sa.select(t.scenarios.c.db_name, t.scenarios.c.name))
        assert [tuple(r) for r in rows] == [("musterland", "Plan A")]
        assert not list(tmp_path.glob("*.json")), "no JSON file is written any more"
    finally:
        Workspace.close_all()


def test_a_scenario_of_the_former_json_file_still_opens_by_its_link(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A link shared before the move (…?szenario=Schließung) opens the same scenario afterwards: the page's first
    run imports the file beside the database into the workspace."""
    from page_helpers import open_page, writable_db_dir

    from planning import queries

    monkeypatch.delenv(URL_ENV, raising=False)
    folder = writable_db_dir(tmp_path, demo_db)
    database = folder / demo_db.name
    offer = queries.offers(queries.Database(str(database), 0.0), KREIS).query("offer_type == 'kita'").iloc[0]
    file = _legacy_file(database, [sc.Scenario("Schließung", KREIS, (sc.Change(sc.CLOSE, offer["offer_id"], "kita"),))])
    at = open_page(folder, monkeypatch, "pages/szenarien.py", {"szenario": "Schließung", "art": "kita"})
    assert at.selectbox(key="sz_saved").value == "Schließung"
    assert not [w for w in at.warning if "nicht gespeichert" in w.value], "no 'link to an unsaved scenario' warning"
    assert any("Erreichbarkeit nachher" in frame.value.columns for frame in at.dataframe), "the before/after of the scenario"
    assert not file.exists() and file.with_name(file.name + ".importiert").is_file()
    assert store_for(database).names(KREIS) == ["Schließung"]
    Workspace.close_all()


def test_the_app_s_databases_share_the_workspace_of_users_and_uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(tmp_path / "db"))
    try:
        store = store_for(tmp_path / "db" / "musterland.duckdb")
        assert store.ws is Workspace.open(), "one engine per process for the app's workspace"
    finally:
        Workspace.close_all()
