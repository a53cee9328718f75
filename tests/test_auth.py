"""Login and roles under AppTest: each role opens exactly its pages – also as the session's first page, as a direct
URL does – and is refused (shown in German, logged with allowed = False) everywhere else; forged actions are
refused and logged; local login success, failure without user enumeration, lockout, logout; the demo default.

The expected matrix is written out in tests/test_roles.py (EXPECTED_PAGES, EXPECTED_ACTIONS).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_roles import EXPECTED_ACTIONS, EXPECTED_PAGES

from dashboard import page_registry
from workspace.storage import Workspace
from workspace.users import hash_password

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PASSWORD = "richtig-geheim-1"
USERS = {"leser": ["lesen"], "planer": ["planung"], "chefin": ["admin"]}
ROLE_OF = {"leser": "lesen", "planer": "planung", "chefin": "admin"}
REFUSED = "Keine Berechtigung"
LOGIN_FAILED = "Anmeldung fehlgeschlagen: Benutzername oder Passwort falsch."


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A fresh workspace with one user per role (same password), the app in local mode."""
    url = f"sqlite:///{tmp_path / 'workspace.sqlite'}"
    monkeypatch.setenv("PLANUNGSATLAS_WORKSPACE_URL", url)
    monkeypatch.setenv("PLANUNGSATLAS_AUTH", "local")
    workspace = Workspace.open(url)
    password_hash = hash_password(PASSWORD)
    for name, roles in USERS.items():
        workspace.add_user(name, password_hash, roles, display_name=name.title())
    return workspace


def _app(demo_db: Path, monkeypatch: pytest.MonkeyPatch, page: str, username: str | None = None) -> AppTest:
    """The page as the session's first (a direct URL), with ``username`` logged in (as a login leaves it)."""
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(demo_db.parent))
    at = AppTest.from_file(APP, default_timeout=90)
    if username:
        at.session_state["auth_user"] = username
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _refusals(ws: Workspace, actor: str, action: str) -> list[str]:
    log = ws.audit_log(action=action)
    return log.loc[(log["actor"] == actor) & ~log["allowed"], "target"].tolist()


def _errors(at: AppTest) -> str:
    return " | ".join(e.value for e in at.error)


def _password_field(at: AppTest):
    return next(t for t in at.text_input if t.label == "Passwort")


def _login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="auth_login_name").input(username)
    _password_field(at).input(password)
    next(b for b in at.button if b.label == "Anmelden").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- role × page ---------------------------------------------------------------------------------------------------

MATRIX = [(user, page) for user in USERS for page in page_registry.page_ids()]


@pytest.mark.parametrize(("user", "page"), MATRIX, ids=[f"{u}-{p}" for u, p in MATRIX])
def test_role_opens_exactly_its_pages_even_by_direct_url(user: str, page: str, ws: Workspace, demo_db: Path, monkeypatch) -> None:
    at = _app(demo_db, monkeypatch, page, user)
    if page in EXPECTED_PAGES[ROLE_OF[user]]:
        assert REFUSED not in _errors(at), f"{user} may open {page}"
        assert at.title, "the page drew its heading"
        assert _refusals(ws, user, "open_page") == []
        assert any(f"Angemeldet: **{user.title()}**" in c.value for c in at.sidebar.caption), "who is logged in"
    else:
        title = page_registry.page(page).title
        assert f"{REFUSED}: Die Seite „{title}“ ist für Ihre Rolle" in _errors(at)
        assert not at.selectbox, "nothing of the data is drawn (no database, Kreis or year choice)"
        assert not at.dataframe and not at.get("component_instance")
        assert _refusals(ws, user, "open_page") == [page], "the refused direct URL is in the audit log"


@pytest.mark.parametrize("page", page_registry.page_ids())
def test_nobody_logged_in_gets_the_login_on_every_page(page: str, ws: Workspace, demo_db: Path, monkeypatch) -> None:
    assert EXPECTED_PAGES["public"] == set()
    at = _app(demo_db, monkeypatch, page)
    assert at.title[0].value == "Planungsatlas Familie – Anmeldung"
    assert at.text_input(key="auth_login_name") and _password_field(at).proto.type == 1  # a password field
    assert not at.selectbox and not at.dataframe and not at.get("component_instance"), "no data before the login"


# --- login / logout ------------------------------------------------------------------------------------------------


def test_login_opens_the_linked_page_and_logout_ends_it(ws: Workspace, demo_db: Path, monkeypatch) -> None:
    at = _app(demo_db, monkeypatch, "steckbrief")
    _login(at, "leser", PASSWORD)
    assert at.session_state["auth_user"] == "leser"
    assert not any("richtig-geheim" in str(v) for k in at.session_state for v in [at.session_state[k]]), "no password kept"
    assert at.title[0].value.startswith("Steckbrief"), "the page of the link, not the default page"
    assert at.sidebar.selectbox(key="db_path"), "the data sidebar after the login"
    entry = ws.audit_log(action="login").iloc[0]
    assert (entry["actor"], entry["target"], bool(entry["allowed"])) == ("leser", "leser", True)
    at.sidebar.button(key="auth_logout").click()
    at.run()
    assert at.title[0].value == "Planungsatlas Familie – Anmeldung" and "auth_user" not in at.session_state
    assert ws.audit_log(action="logout")["actor"].tolist() == ["leser"]


@pytest.mark.parametrize(
    ("username", "password"),
    [("leser", "falsch-falsch"), ("niemand", PASSWORD), ("gesperrt", PASSWORD), ("", PASSWORD), ("leser", "")],
    ids=["wrong-password", "unknown-user", "locked-user", "no-name", "no-password"],
)
def test_failed_login_says_the_same_for_every_cause_and_is_logged(username, password, ws, demo_db, monkeypatch) -> None:
    ws.add_user("gesperrt", hash_password(PASSWORD), ["lesen"])
    ws.set_active("gesperrt", False, "system")
    at = _login(_app(demo_db, monkeypatch, "uebersichtskarte"), username, password)
    assert _errors(at) == LOGIN_FAILED, "one message: never whether the name exists or is locked"
    assert "auth_user" not in at.session_state and not at.selectbox
    failed = ws.audit_log(action="login_failed")
    assert failed["target"].tolist() == [username] and not failed["allowed"].any()


def test_too_many_failures_block_the_name_even_with_the_right_password(ws: Workspace, demo_db: Path, monkeypatch) -> None:
    at = _app(demo_db, monkeypatch, "uebersichtskarte")
    for _ in range(5):
        _login(at, "planer", "falsch-falsch")
    _login(at, "planer", PASSWORD)
    assert _errors(at) == LOGIN_FAILED and "auth_user" not in at.session_state
    assert ws.audit_log(action="login_failed", target="planer")["detail"].iloc[0] == "gesperrt nach Fehlversuchen"
    _login(at, "leser", PASSWORD)  # another name is not affected
    assert at.session_state["auth_user"] == "leser"


def test_a_locked_or_demoted_account_loses_access_on_its_next_run(ws: Workspace, demo_db: Path, monkeypatch) -> None:
    at = _app(demo_db, monkeypatch, "indikatoren", "leser")
    assert REFUSED not in _errors(at)
    ws.set_roles("leser", [], "chefin")
    at.run()
    assert f"{REFUSED}: Die Seite „Indikatoren“" in _errors(at)
    ws.set_active("leser", False, "chefin")
    at.run()
    assert at.title[0].value == "Planungsatlas Familie – Anmeldung"


# --- forged actions ------------------------------------------------------------------------------------------------


def _action_script() -> None:
    """A stand-in for any page's action handler: the check at the moment of the action, then the action."""
    import streamlit as st

    from dashboard import auth

    action = st.session_state["forged_action"]
    auth.require(action, target="demo_musterland")
    st.success(f"ausgeführt: {action}")


FORGED = [(user, action) for user in USERS for action in ("publish", "rollback", "read_internal", "upload", "manage_users", "edit_offers")]


@pytest.mark.parametrize(("user", "action"), FORGED, ids=[f"{u}-{a}" for u, a in FORGED])
def test_an_action_is_checked_on_the_server_when_taken(user: str, action: str, ws: Workspace) -> None:
    at = AppTest.from_function(_action_script, default_timeout=30)
    at.session_state["auth_user"] = user
    at.session_state["forged_action"] = action
    at.run()
    if action in EXPECTED_ACTIONS[ROLE_OF[user]]:
        assert [s.value for s in at.success] == [f"ausgeführt: {action}"]
        assert _refusals(ws, user, action) == []
    else:
        assert not at.success, "the action did not run"
        assert re.search(rf"{REFUSED} für „{action}“: Ihre Rolle \(.+\) darf das nicht", _errors(at))
        assert _refusals(ws, user, action) == ["demo_musterland"], "refusal logged with allowed = False"


def test_an_anonymous_request_is_refused_and_logged(ws: Workspace) -> None:
    at = AppTest.from_function(_action_script, default_timeout=30)
    at.session_state["forged_action"] = "publish"
    at.run()
    assert not at.success and REFUSED in _errors(at)
    assert _refusals(ws, "anonym", "publish") == ["demo_musterland"]


# --- modes ---------------------------------------------------------------------------------------------------------


def test_demo_start_opens_without_login_and_says_so(demo_db: Path, tmp_path: Path, monkeypatch) -> None:
    """The README start: demo database only, no accounts, no PLANUNGSATLAS_AUTH → demo mode."""
    monkeypatch.delenv("PLANUNGSATLAS_AUTH", raising=False)
    monkeypatch.setenv("PLANUNGSATLAS_WORKSPACE_URL", f"sqlite:///{tmp_path / 'workspace.sqlite'}")
    at = _app(demo_db, monkeypatch, "uebersichtskarte")
    assert at.title[0].value.startswith("Übersichtskarte")
    assert [i.value for i in at.sidebar.info] == ["**Demo-Modus:** ohne Anmeldung, nur Demodaten."]
    assert not at.text_input, "no login form"
    at.switch_page("pages/benutzer.py")
    at.run()
    assert f"{REFUSED}: Die Seite „Benutzer & Rechte“" in _errors(at), "demo mode manages no accounts"


def test_default_asks_for_a_login_once_an_account_exists(demo_db: Path, ws: Workspace, monkeypatch) -> None:
    monkeypatch.delenv("PLANUNGSATLAS_AUTH", raising=False)
    at = _app(demo_db, monkeypatch, "uebersichtskarte")
    assert at.title[0].value == "Planungsatlas Familie – Anmeldung"


def test_default_asks_for_a_login_over_real_data(tmp_path: Path, monkeypatch) -> None:
    real = Path("/work/dbs/07235_trier-saarburg.duckdb")
    if not real.is_file():
        pytest.skip(f"{real} not here – the real-data variant of the default mode is not checked")
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / real.name).symlink_to(real)
    monkeypatch.delenv("PLANUNGSATLAS_AUTH", raising=False)
    monkeypatch.setenv("PLANUNGSATLAS_WORKSPACE_URL", f"sqlite:///{tmp_path / 'workspace.sqlite'}")
    at = _app(tmp_path / "db" / real.name, monkeypatch, "uebersichtskarte")
    assert at.title[0].value == "Planungsatlas Familie – Anmeldung", "no accounts yet, but real data: login"


def test_an_unknown_mode_is_named(demo_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("PLANUNGSATLAS_AUTH", "offen")
    at = _app(demo_db, monkeypatch, "uebersichtskarte")
    assert "PLANUNGSATLAS_AUTH='offen' ist keine Anmeldeart; erwartet: demo, local, oidc." in _errors(at)
    assert not at.selectbox


def test_a_broken_roles_file_shows_nothing_but_the_reason(demo_db: Path, tmp_path: Path, monkeypatch) -> None:
    broken = tmp_path / "roles.toml"
    broken.write_text('[roles.public]\npages = []\n[roles.lesen]\nactions = ["alles"]\n', encoding="utf-8")
    monkeypatch.setenv("PLANUNGSATLAS_ROLES", str(broken))
    at = _app(demo_db, monkeypatch, "indikatoren")
    assert f"Anmeldung nicht eingerichtet: {broken}: Rolle „lesen“, Schlüssel actions: unbekannte Aktion(en) ['alles']" in _errors(at)
    assert not at.selectbox and not at.dataframe
