"""The workspace store (workspace.storage, workspace.users) on SQLite and on PostgreSQL: the same tests, both backends."""
from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from workspace_helpers import workspace, workspace_url  # noqa: F401  (fixtures)

from workspace.storage import Workspace, WorkspaceError, workspace_url as default_url
from workspace.users import create_admin, hash_password, verify_password


def test_default_url_is_a_file_next_to_the_databases(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PLANUNGSATLAS_WORKSPACE_URL", raising=False)
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(tmp_path / "db"))
    assert default_url() == f"sqlite:///{tmp_path / 'db' / 'workspace.sqlite'}"
    monkeypatch.setenv("PLANUNGSATLAS_WORKSPACE_URL", "postgresql+psycopg://u:p@host/db")
    assert default_url() == "postgresql+psycopg://u:p@host/db"


def test_the_embedded_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    Workspace.open(f"sqlite:///{tmp_path / 'neu' / 'workspace.sqlite'}").add_user("anna", "hash", ["admin"])
    assert (tmp_path / "neu" / "workspace.sqlite").stat().st_mode & 0o777 == 0o600
    Workspace.close_all()


def test_open_caches_one_workspace_per_url_and_keeps_data(workspace_url: str) -> None:
    ws = Workspace.open(workspace_url)
    assert Workspace.open(workspace_url) is ws
    ws.add_user("anna", None, ["lesen"])
    Workspace.close_all()
    assert Workspace.open(workspace_url).user("anna").roles == ("lesen",)


def test_users_roles_password_and_lock(workspace: Workspace) -> None:
    workspace.add_user("anna", "h1", ["planung", "lesen", "planung"], display_name="Anna Beispiel", actor="admin")
    workspace.add_user("bert", None, [])
    with pytest.raises(WorkspaceError, match="gibt es schon"):
        workspace.add_user("anna", "h2", ["admin"])
    with pytest.raises(WorkspaceError, match="leer"):
        workspace.add_user("  ", "h", [])
    anna = workspace.user("anna")
    assert (anna.display_name, anna.password_hash, anna.roles, anna.active) == ("Anna Beispiel", "h1", ("lesen", "planung"), True)
    workspace.set_roles("anna", ["admin"], actor="admin")
    workspace.set_password_hash("anna", "h3", actor="anna")
    workspace.set_active("bert", False, actor="admin")
    assert workspace.user("anna").roles == ("admin",) and workspace.user("anna").password_hash == "h3"
    assert [(u.username, u.active) for u in workspace.users()] == [("anna", True), ("bert", False)]
    assert workspace.user("nobody") is None
    with pytest.raises(WorkspaceError, match="gibt es nicht"):
        workspace.set_roles("nobody", ["lesen"], actor="admin")
    log = workspace.audit_log()
    assert list(log["action"])[:4] == ["user_active", "user_password", "user_roles", "user_add"]
    assert log.iloc[0][["actor", "target", "detail"]].tolist() == ["admin", "bert", "gesperrt"]


def test_password_hashes_are_salted_bcrypt_and_checked_by_streamlit_authenticator() -> None:
    from streamlit_authenticator.utilities.hasher import Hasher

    first, second = hash_password("geheim-123"), hash_password("geheim-123")
    assert first != second and first.startswith("$2")
    assert verify_password("geheim-123", first) and not verify_password("geheim-124", first)
    assert Hasher.check_pw("geheim-123", first)  # the login form's library accepts our hashes
    assert not verify_password("geheim-123", None) and not verify_password("geheim-123", "kein-hash")
    with pytest.raises(WorkspaceError, match="zu kurz"):
        hash_password("kurz")
    with pytest.raises(WorkspaceError, match="zu lang"):
        hash_password("ä" * 37)  # 74 bytes: bcrypt would silently cut it


def test_create_admin_creates_or_restores_an_admin(workspace: Workspace) -> None:
    create_admin(workspace, "chefin", "erstes-passwort")
    user = workspace.user("chefin")
    assert user.roles == ("admin",) and verify_password("erstes-passwort", user.password_hash)
    workspace.set_roles("chefin", ["lesen"], actor="x")
    workspace.set_active("chefin", False, actor="x")
    create_admin(workspace, "chefin", "zweites-passwort")
    user = workspace.user("chefin")
    assert user.roles == ("admin", "lesen") and user.active
    assert verify_password("zweites-passwort", user.password_hash) and not verify_password("erstes-passwort", user.password_hash)


def test_audit_log_newest_first_with_filters_and_refusals(workspace: Workspace) -> None:
    workspace.log("anna", "login", "anna")
    workspace.log("gast", "publish", "demo_musterland", "Rolle lesen darf nicht veröffentlichen", allowed=False)
    workspace.log("anna", "publish", "andere_db")
    log = workspace.audit_log()
    assert list(log.columns) == ["at", "actor", "action", "target", "detail", "allowed"]
    assert list(log["actor"]) == ["anna", "gast", "anna"] and list(log["allowed"]) == [True, False, True]
    assert log["at"].str.endswith("+00:00").all()
    assert list(workspace.audit_log(action="publish")["target"]) == ["andere_db", "demo_musterland"]
    assert list(workspace.audit_log(action="publish", target="demo_musterland")["actor"]) == ["gast"]
    assert len(workspace.audit_log(limit=1)) == 1


def test_uploads_keep_the_exact_bytes_and_their_status(workspace: Workspace) -> None:
    content = bytes(range(256)) * 100 + "Kita Sonnenschein;Trier\r\n".encode("cp1252")
    first = workspace.add_upload("demo_musterland", "angebote", "kitas.csv", content, "anna", {"format": "kitas", "public": True})
    second = workspace.add_upload("demo_musterland", "statistik", "12411.csv", b"a;b\n", "bert")
    workspace.add_upload("andere_db", "sozialraeume", "map.csv", b"x", "anna")
    drafts = workspace.uploads("demo_musterland")
    assert [(u.id, u.kind, u.filename, u.uploaded_by, u.status) for u in drafts] == [
        (first, "angebote", "kitas.csv", "anna", "entwurf"), (second, "statistik", "12411.csv", "bert", "entwurf")]
    assert drafts[0].meta == {"format": "kitas", "public": True}
    assert workspace.upload_content(first) == content
    assert drafts[0].sha256 == hashlib.sha256(content).hexdigest()
    workspace.set_upload_status(first, "veroeffentlicht", "anna")
    workspace.set_upload_status(second, "verworfen", "bert")
    assert workspace.uploads("demo_musterland") == []
    assert [u.status for u in workspace.uploads("demo_musterland", status=None)] == ["veroeffentlicht", "verworfen"]
    assert workspace.upload(first).status == "veroeffentlicht"
    with pytest.raises(WorkspaceError, match="Unbekannte Art"):
        workspace.add_upload("demo_musterland", "bilder", "x.png", b"", "anna")
    with pytest.raises(WorkspaceError, match="Unbekannter Status"):
        workspace.set_upload_status(first, "geloescht", "anna")
    with pytest.raises(WorkspaceError, match="gibt es nicht"):
        workspace.upload_content(99999)


def test_a_failed_write_leaves_nothing_behind(workspace: Workspace) -> None:
    with pytest.raises(RuntimeError):
        with workspace.write() as connection:
            workspace.audit(connection, "anna", "half")
            raise RuntimeError("crash in the middle")
    assert workspace.audit_log().empty
    # a batch of mapping rows with one bad row: neither the mapping version nor any row is kept
    with pytest.raises(WorkspaceError):
        workspace.save_sozialraum_mapping("db", pd.DataFrame({"gemeinde_id": ["1", "1"], "sozialraum": ["A", "B"]}), "amtlich", "", "anna")
    assert workspace.sozialraum_mappings("db").empty


def test_offer_edits_in_order(workspace: Workspace) -> None:
    workspace.add_offer_edit("db", "k1", "name", "Kita Sonne", "Kita Sonnenschein", "anna")
    workspace.add_offer_edit("db", "k2", "plaetze", 40, None, "bert")
    workspace.add_offer_edit("db", "k1", "oeffentlich", True, False, "anna")
    workspace.add_offer_edit("other", "k1", "name", "x", "y", "anna")
    edits = workspace.offer_edits("db")
    assert list(edits.columns) == ["at", "actor", "offer_key", "field", "old", "new"]
    assert edits[["offer_key", "field", "old", "new"]].values.tolist() == [
        ["k1", "name", "Kita Sonne", "Kita Sonnenschein"], ["k2", "plaetze", "40", None], ["k1", "oeffentlich", "True", "False"]]
    assert workspace.audit_log(action="offer_edit", target="db/k1").iloc[0]["detail"] == "oeffentlich: 'True' → 'False'"


def test_duplicate_decisions_are_per_pair_either_way_round_and_the_latest_counts(workspace: Workspace) -> None:
    workspace.set_duplicate_decision("db", "zz", "aa", "dasselbe", "anna", keep="zz")
    workspace.set_duplicate_decision("db", "b", "c", "verschieden", "anna")
    workspace.set_duplicate_decision("db", "aa", "zz", "verschieden", "bert")
    decisions = workspace.duplicate_decisions("db")
    assert decisions[["key_a", "key_b", "decision", "keep", "actor"]].values.tolist() == [
        ["b", "c", "verschieden", None, "anna"], ["aa", "zz", "verschieden", None, "bert"]]
    for bad in [dict(decision="vielleicht"), dict(key_b="aa"), dict(keep="qq")]:
        with pytest.raises(WorkspaceError):
            workspace.set_duplicate_decision(**{"db_name": "db", "key_a": "aa", "key_b": "zz", "decision": "dasselbe",
                                                "actor": "anna", **bad})
    assert workspace.duplicate_decisions("other").empty


def test_sozialraum_mapping_versions(workspace: Workspace) -> None:
    assert workspace.sozialraum_mapping("db") is None
    first = pd.DataFrame({"gemeinde_id": ["07235001", "07235002"], "sozialraum": ["Nord", "Süd"]})
    assert workspace.save_sozialraum_mapping("db", first, "Arbeitsannahme", "Entwurf Jugendamt", "anna") == 1
    second = pd.DataFrame({"gemeinde_id": ["07235001", "07235002", "07235003"], "sozialraum": ["Nord", "Nord", "Süd"]})
    assert workspace.save_sozialraum_mapping("db", second, "amtlich", "Kreistagsbeschluss 2026", "bert") == 2
    listing = workspace.sozialraum_mappings("db")
    assert listing[["version", "status", "source", "actor", "gemeinden"]].values.tolist() == [
        [1, "Arbeitsannahme", "Entwurf Jugendamt", "anna", 2], [2, "amtlich", "Kreistagsbeschluss 2026", "bert", 3]]
    latest = workspace.sozialraum_mapping("db")
    pd.testing.assert_frame_equal(latest, second)
    assert latest.attrs == {"version": 2, "status": "amtlich", "source": "Kreistagsbeschluss 2026"}
    pd.testing.assert_frame_equal(workspace.sozialraum_mapping("db", 1), first)
    assert workspace.sozialraum_mapping("db", 7) is None
    with pytest.raises(WorkspaceError, match="Status"):
        workspace.save_sozialraum_mapping("db", first, "vorläufig", "", "anna")
    with pytest.raises(WorkspaceError, match="Spalten"):
        workspace.save_sozialraum_mapping("db", first.rename(columns={"sozialraum": "sr"}), "amtlich", "", "anna")


def test_versions_claim_each_number_once(workspace: Workspace) -> None:
    assert workspace.current_version("db") is None and workspace.versions("db").empty
    workspace.add_version("db", 1, "versions/db/v0001.duckdb", "a" * 64, "system", "initial", summary="Ausgangsstand",
                          recipe={"configs": ["config/x.toml"]}, stats={"seconds": 1.5})
    workspace.add_version("db", 2, "versions/db/v0002.duckdb", "b" * 64, "anna", "publish", changes="3 neue Angebote")
    with pytest.raises(sa.exc.IntegrityError):
        workspace.add_version("db", 2, "versions/db/v0002.duckdb", "c" * 64, "bert", "publish")
    workspace.add_version("db", 3, "versions/db/v0001.duckdb", "a" * 64, "anna", "rollback", source_seq=1)
    listing = workspace.versions("db")
    assert list(listing["seq"]) == [1, 2, 3] and list(listing["action"]) == ["initial", "publish", "rollback"]
    assert listing.iloc[0]["recipe"] == {"configs": ["config/x.toml"]} and listing.iloc[0]["stats"] == {"seconds": 1.5}
    assert listing.iloc[1]["recipe"] is None and listing.iloc[2]["source_seq"] == 1
    assert workspace.current_version("db") == 3 and workspace.current_version("other") is None


def test_values_per_database(workspace: Workspace) -> None:
    assert workspace.value("db", "ziele", default=[]) == []
    workspace.set_value("db", "ziele", [{"id": 1, "text": "Kita-Quote 45 %"}], "anna")
    workspace.set_value("db", "ziele", {"neu": True}, "bert")
    assert workspace.value("db", "ziele") == {"neu": True} and workspace.value("other", "ziele") is None


def test_concurrent_writers_each_get_their_own_mapping_version(workspace_url: str) -> None:
    ws = Workspace.open(workspace_url)
    mapping = pd.DataFrame({"gemeinde_id": ["1"], "sozialraum": ["A"]})
    got, errors = [], []

    def save() -> None:
        try:
            got.append(ws.save_sozialraum_mapping("db", mapping, "amtlich", "", "anna"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(got) == [1, 2, 3, 4, 5, 6]


_HOLD_LOCK = """
import sys, time
from workspace.storage import Workspace
ws = Workspace.open(sys.argv[1])
with ws.locked("versions:demo") as connection:
    start = time.time()
    time.sleep(0.6)
    end = time.time()
print(start, end)
"""


def test_the_lock_holds_across_processes(workspace_url: str) -> None:
    Workspace.open(workspace_url)  # tables exist before the processes race
    repo = Path(__file__).resolve().parent.parent
    procs = [subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, workspace_url], cwd=repo, stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    spans = sorted(tuple(map(float, p.communicate(timeout=60)[0].split())) for p in procs)
    assert all(p.returncode == 0 for p in procs)
    assert spans[1][0] >= spans[0][1]  # the second process got the lock only after the first let go


_OPEN = """
import sys
from workspace.storage import Workspace
Workspace.open(sys.argv[1]).log("start", "open")
"""


def test_replicas_starting_together_create_the_tables_once(workspace_url: str) -> None:
    repo = Path(__file__).resolve().parent.parent
    procs = [subprocess.Popen([sys.executable, "-c", _OPEN, workspace_url], cwd=repo, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    assert len(Workspace.open(workspace_url).audit_log(action="open")) == 4


def test_the_postgresql_variant_skips_locally_and_fails_where_it_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    from workspace_helpers import postgres_url_or_skip

    monkeypatch.delenv("PLANUNGSATLAS_TEST_POSTGRES_URL", raising=False)
    monkeypatch.delenv("PLANUNGSATLAS_REQUIRE_POSTGRES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="is not set"):
        postgres_url_or_skip()
    monkeypatch.setenv("PLANUNGSATLAS_REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="required"):
        postgres_url_or_skip()
    monkeypatch.setenv("PLANUNGSATLAS_TEST_POSTGRES_URL", "postgresql+psycopg://nobody:x@127.0.0.1:1/none")
    with pytest.raises(pytest.fail.Exception, match="unreachable"):
        postgres_url_or_skip()
