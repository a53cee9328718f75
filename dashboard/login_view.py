"""The login screen: name and password against the workspace's users (local), or the organisation's login (OIDC).

Rules: a failed login says only "Name oder Passwort falsch" – never whether the name exists or the account is
locked – and takes about as long either way. Each failure is logged (actor "anonym", target the name typed).
After ``max_failures`` failures of one name within ``window_minutes`` (config/auth.toml) further attempts for that
name are refused until the window has passed, whether the name exists or not.
"""
from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone

import streamlit as st

from dashboard import auth
from workspace.users import hash_password, verify_password

NAME_LIMIT = 200  # longer names are no account's name; cut before logging


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown names against, so they take as long as a wrong password."""
    return hash_password("kein-benutzer-vorhanden")


def _recent_failures(username: str) -> int:
    local = auth.settings().get("local", {})
    since = (datetime.now(timezone.utc) - timedelta(minutes=int(local.get("window_minutes", 15)))).isoformat(timespec="seconds")
    log = auth.workspace().audit_log(limit=int(local.get("max_failures", 5)) + 1, action="login_failed", target=username)
    return int((log["at"] >= since).sum())


def blocked(username: str) -> bool:
    """Whether the name has had too many failed logins lately."""
    return _recent_failures(username) >= int(auth.settings().get("local", {}).get("max_failures", 5))


def check_login(username: str, password: str) -> str | None:
    """The username when name and password belong to an active user (and the name is not blocked), else None.
    Logs the success or failure in the workspace audit."""
    username = username.strip()[:NAME_LIMIT]
    ws = auth.workspace()
    if not username or blocked(username):
        verify_password(password, _dummy_hash())
        ws.log(auth.ANONYMOUS, "login_failed", username, "gesperrt nach Fehlversuchen" if username else "ohne Namen", allowed=False)
        return None
    user = ws.user(username)
    ok = verify_password(password, user.password_hash if user else _dummy_hash()) and user is not None and user.active
    if not ok:
        ws.log(auth.ANONYMOUS, "login_failed", username, "lokal", allowed=False)
        return None
    ws.log(username, "login", username, "lokal")
    return username


def _local_form() -> None:
    with st.form("auth_login", clear_on_submit=True, width=420):
        username = st.text_input("Benutzername", key="auth_login_name", autocomplete="username")
        # no key: the password never sits in the session's named state
        password = st.text_input("Passwort", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Anmelden", type="primary", icon=":material/login:")
    if submitted:
        user = check_login(username, password)
        if user:
            st.session_state[auth.SESSION_USER] = user
            st.rerun()
        st.error("Anmeldung fehlgeschlagen: Benutzername oder Passwort falsch.", icon=":material/error:")
    st.caption(
        "Konten legt die Administration an (Seite „Benutzer & Rechte“); das erste Konto auf dem Server mit "
        "`python -m workspace create-admin --username NAME`."
    )


def _oidc_button() -> None:
    provider = auth.settings().get("oidc", {}).get("provider") or None
    if "auth" not in st.secrets:
        st.error(
            f"{auth.MODE_ENV}=oidc, aber `.streamlit/secrets.toml` hat keinen Abschnitt `[auth]` "
            "(redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url; siehe docs/AUTH.md).",
            icon=":material/error:",
        )
        return
    if st.button("Mit dem Konto der Organisation anmelden", type="primary", icon=":material/login:", key="auth_oidc_login"):
        st.login(provider)


def login(mode: str) -> None:
    """The login screen of ``mode`` (local or oidc) in the main area."""
    st.title("Planungsatlas Familie – Anmeldung")
    st.markdown("Die Planungsdaten sind nur für angemeldete Nutzerinnen und Nutzer sichtbar.")
    if mode == "oidc":
        _oidc_button()
    else:
        _local_form()
