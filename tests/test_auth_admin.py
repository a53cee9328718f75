"""Benutzer & Rechte under AppTest (add an account, roles, lock, new password, the last admin, the audit log) and
internal offers: only viewers with read_internal see offers marked "nur intern"."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_auth import PASSWORD, ws  # noqa: F401  (fixture)
from test_auth import _app, _errors, _login, _refusals

from etl.db import connect
from workspace.storage import Workspace
from workspace.users import verify_password


def _field(at: AppTest, label: str):
    return next(t for t in at.text_input if t.label == label)


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_admin_adds_an_account_who_can_then_log_in(ws: Workspace, demo_db: Path, monkeypatch) -> None:
    at = _app(demo_db, monkeypatch, "benutzer", "chefin")
    assert at.title[0].value == "Benutzer & Rechte"
    assert at.dataframe[0].value["Benutzername"].tolist() == ["chefin", "leser", "planer"]
    assert "password_hash" not in at.dataframe[0].value.columns and not any(
        str(v).startswith("$2") for v in at.dataframe[0].value.to_numpy().ravel()
    ), "no hash on screen"
    at.text_input(key="users_add_name").input("neu")
    at.text_input(key="users_add_display").input("Neue Kollegin")
    at.multiselect(key="users_add_roles").set_value(["lesen", "planung"])
    _field(at, "Erstes Passwort").input("ein-gutes-passwort")
    _field(at, "Passwort wiederholen").input("ein-gutes-passwort")
    _button(at, "Konto anlegen").click()
    _run(at)
    assert "Konto „neu“ angelegt (Rollen: Lesen (Steuerungsgruppe), Planung)." in at.success[0].value
    user = ws.user("neu")
    assert user.roles == ("lesen", "planung") and user.active and verify_password("ein-gutes-passwort", user.password_hash)
    entry = ws.audit_log(action="user_add").iloc[0]
    assert (entry["actor"], entry["target"]) == ("chefin", "neu")
    fresh = _login(_app(demo_db, monkeypatch, "uebersichtskarte"), "neu", "ein-gutes-passwort")
    assert fresh.session_state["auth_user"] == "neu"


def test_admin_changes_roles_locks_and_sets_a_password(ws: Workspace, demo_db: Path, monkeypatch) -> None:
    at = _app(demo_db, monkeypatch, "benutzer", "chefin")
    at.selectbox(key="users_edit_name").set_value("leser")
    _run(at)
    at.multiselect(key="users_roles_leser").set_value(["planung"])
    _button(at, "Rollen speichern").click()
    _run(at)
    assert ws.user("leser").roles == ("planung",)
    _button(at, "Konto sperren").click()
    _run(at)
    assert not ws.user("leser").active and "gesperrt" in at.success[0].value
    _field(at, "Neues Passwort").input("noch-ein-passwort")
    _field(at, "Wiederholen").input("noch-ein-passwort")
    _button(at, "Passwort setzen").click()
    _run(at)
    assert verify_password("noch-ein-passwort", ws.user("leser").password_hash)
    assert {"user_roles", "user_active", "user_password"} <= set(ws.audit_log(target="leser")["action"])
    assert set(ws.audit_log(target="leser")["actor"]) - {"system"} == {"chefin"}


def test_the_last_admin_cannot_lock_themselves_out(ws: Workspace, demo_db: Path, monkeypatch) -> None:
    at = _app(demo_db, monkeypatch, "benutzer", "chefin")
    at.selectbox(key="users_edit_name").set_value("chefin")
    _run(at)
    _button(at, "Konto sperren").click()
    _run(at)
    assert "„chefin“ ist das letzte aktive Konto mit der Rolle Administration" in _errors(at)
    assert ws.user("chefin").active
    at.multiselect(key="users_roles_chefin").set_value(["lesen"])
    _button(at, "Rollen speichern").click()
    _run(at)
    assert ws.user("chefin").roles == ("admin",)


def test_different_passwords_are_refused(ws: Workspace, demo_db: Path, monkeypatch) -> None:
    at = _app(demo_db, monkeypatch, "benutzer", "chefin")
    at.text_input(key="users_add_name").input("neu")
    _field(at, "Erstes Passwort").input("ein-gutes-passwort")
    _field(at, "Passwort wiederholen").input("ein-anderes-passwort")
    _button(at, "Konto anlegen").click()
    _run(at)
    assert "Die beiden Passwörter sind verschieden" in _errors(at) and ws.user("neu") is None


def test_an_admin_demoted_while_the_page_is_open_is_refused_at_the_next_click(ws: Workspace, demo_db: Path, monkeypatch) -> None:
    ws.add_user("zweite", None, ["admin"])
    at = _app(demo_db, monkeypatch, "benutzer", "chefin")
    ws.set_roles("chefin", ["lesen"], "zweite")  # another admin takes the role away meanwhile
    at.text_input(key="users_add_name").input("eindringling")
    _field(at, "Erstes Passwort").input("ein-gutes-passwort")
    _field(at, "Passwort wiederholen").input("ein-gutes-passwort")
    _button(at, "Konto anlegen").click()
    _run(at)
    assert "Keine Berechtigung: Die Seite „Benutzer & Rechte“" in _errors(at)
    assert ws.user("eindringling") is None
    assert _refusals(ws, "chefin", "open_page") == ["benutzer"]


def test_the_audit_tab_lists_refusals(ws: Workspace, demo_db: Path, monkeypatch) -> None:
    _app(demo_db, monkeypatch, "benutzer", "leser")  # refused and logged
    at = _app(demo_db, monkeypatch, "benutzer", "chefin")
    at.toggle(key="users_audit_refused").set_value(True)
    _run(at)
    shown = at.dataframe[-1].value
    assert shown[["Wer", "Aktion", "Ziel"]].values.tolist() == [["leser", "open_page", "benutzer"]]
    assert not shown["Erlaubt"].any()


# --- internal offers -----------------------------------------------------------------------------------------------


def _offer_rows(at: AppTest) -> list:
    components = at.get("component_instance")
    script = json.loads(components[0].proto.json_args)["script"]
    match = re.search(r"var data = (\[.*?\]);\n", script)
    return json.loads(match.group(1))[3]


@pytest.fixture
def guest_roles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A county's roles file with a guest role that sees the Angebotskarte but not internal offers."""
    text = (Path(__file__).resolve().parent.parent / "config" / "roles.toml").read_text(encoding="utf-8")
    path = tmp_path / "roles.toml"
    path.write_text(text + '\n[roles.gast]\nlabel = "Gast"\npages = ["angebotskarte"]\nactions = []\n', encoding="utf-8")
    monkeypatch.setenv("PLANUNGSATLAS_ROLES", str(path))


def test_internal_offers_reach_only_viewers_who_may_read_them(ws: Workspace, guest_roles, demo_db: Path, monkeypatch) -> None:
    with connect(demo_db, read_only=True) as con:
        ((total,),) = con.execute("SELECT count(*) FROM offers").fetchall()
        internal = sorted(r[0] for r in con.execute("SELECT name FROM offers WHERE NOT oeffentlich").fetchall())
    assert internal, "the demo has offers marked 'nur intern'"
    ws.add_user("gast", None, ["gast"])
    reader = _app(demo_db, monkeypatch, "angebotskarte", "leser")
    guest = _app(demo_db, monkeypatch, "angebotskarte", "gast")
    assert len(_offer_rows(reader)) == total
    # names repeat (several Kindertagespflege of one name): compare the names as counted lists
    expected = Counter(row[3] for row in _offer_rows(reader)) - Counter(internal)
    assert Counter(row[3] for row in _offer_rows(guest)) == expected and expected.total() == total - len(internal)
    table = next(t for t in guest.tabs if t.label.startswith("Angebote")).dataframe[0].value
    assert Counter(table["Name"]) == expected
    counts = guest.multiselect(key="offers_types").options
    assert sum(int(re.search(r"\((\d+)\)$", o).group(1)) for o in counts) == total - len(internal), "filter counts too"
    assert any(f"von {total - len(internal)} Angeboten" in c.value for c in guest.caption), "the caption counts what the guest may see"
    assert any(f"von {total} Angeboten" in c.value for c in reader.caption)
