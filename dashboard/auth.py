"""Who is looking, and what they may see and do – checked on the server at every page run and every action.

Rules in a planner's words:
- The mode comes from ``$PLANUNGSATLAS_AUTH`` (demo | local | oidc). Without it: demo when every database is a
  demo database and nobody has been given an account yet, otherwise local (a login with name and password).
- Demo mode needs no login and says so; the demo viewer has the roles ``config/auth.toml`` names (planning, not
  user management). Local: users of the workspace (salted bcrypt hashes). OIDC: the organisation's login
  (``st.login``); the roles come from the groups claim of the ID token, mapped in ``config/auth.toml``.
- Pages and actions are granted by role (``config/roles.toml``, ``workspace.roles``). The navigation shows only
  what a role may open, but every page checks again when it starts (``require_page``) and every action at the
  moment it is taken (``require``), so a direct URL or a forged request is refused – and logged in the workspace
  audit with allowed = False.
- Nobody's account is looked up for anyone else: a failed login never says whether the name exists.
"""
from __future__ import annotations

import functools
import logging
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboard import page_registry
from planning import queries
from workspace import roles as role_rules
from workspace.storage import Workspace

MODE_ENV = "PLANUNGSATLAS_AUTH"
MODES = ("demo", "local", "oidc")
AUTH_FILE = Path(__file__).resolve().parent.parent / "config" / "auth.toml"
SESSION_USER = "auth_user"  # local mode: the logged-in username (server-side session state only)
ANONYMOUS = "anonym"  # the audit's actor for a viewer who is not logged in
_LOG = logging.getLogger(__name__)


class AuthConfigError(RuntimeError):
    """The login is misconfigured (German message naming the setting and the fix)."""


@dataclass(frozen=True)
class Viewer:
    username: str  # "" when nobody is logged in
    display_name: str
    roles: tuple[str, ...]
    mode: str  # demo | local | oidc

    @property
    def logged_in(self) -> bool:
        return bool(self.username)

    @property
    def actor(self) -> str:
        """The name the audit log records."""
        return self.username or ANONYMOUS


@functools.lru_cache(maxsize=2)
def _settings(path: Path, mtime: float) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AuthConfigError(f"{path}: kein gültiges TOML ({exc}); die Datei wie in docs/AUTH.md beschrieben korrigieren.") from exc


def settings() -> dict:
    """config/auth.toml (demo roles, login lockout, OIDC claim mapping)."""
    return _settings(AUTH_FILE, AUTH_FILE.stat().st_mtime)


def workspace() -> Workspace:
    return Workspace.open()


def _all_demo() -> bool:
    return all(queries.database_facts(db).get("demo") == "true" for db in queries.databases())


def _no_users() -> bool:
    try:
        return not workspace().users()
    except Exception:  # an unreadable workspace cannot hold accounts; the databases decide alone
        _LOG.exception("workspace not readable while choosing the login mode")
        return True


def mode() -> str:
    """demo | local | oidc: ``$PLANUNGSATLAS_AUTH``, else demo for demo data without accounts, else local."""
    chosen = os.environ.get(MODE_ENV, "").strip().lower()
    if chosen:
        if chosen not in MODES:
            raise AuthConfigError(f"{MODE_ENV}={chosen!r} ist keine Anmeldeart; erwartet: {', '.join(MODES)}.")
        return chosen
    return "demo" if _all_demo() and _no_users() else "local"


def oidc_roles(claims: dict, config: dict | None = None) -> tuple[str, ...]:
    """The roles of an OIDC user: every role mapped to one of the groups in the claim (config/auth.toml [oidc])."""
    oidc = (config or settings()).get("oidc", {})
    groups = claims.get(oidc.get("groups_claim", "groups")) or []
    if isinstance(groups, str):  # some providers send a single group as a string
        groups = [groups]
    mapping = oidc.get("group_roles", {})
    return tuple(sorted({role for group in groups for role in mapping.get(str(group), [])}))


def oidc_username(claims: dict, config: dict | None = None) -> str:
    """The name an OIDC user has in the audit: the configured claim, else email, else sub."""
    claim = (config or settings()).get("oidc", {}).get("username_claim", "preferred_username")
    return str(claims.get(claim) or claims.get("email") or claims.get("sub") or "")


def _oidc_viewer() -> Viewer:
    if not st.user.is_logged_in:
        return Viewer("", "", (), "oidc")
    claims = st.user.to_dict()
    name = oidc_username(claims)
    return Viewer(name, str(claims.get("name") or name), oidc_roles(claims), "oidc")


def _local_viewer() -> Viewer:
    username = st.session_state.get(SESSION_USER)
    user = workspace().user(username) if username else None
    if user is None or not user.active:  # deactivated or deleted meanwhile: logged out from the next run on
        st.session_state.pop(SESSION_USER, None)
        return Viewer("", "", (), "local")
    return Viewer(user.username, user.display_name or user.username, tuple(user.roles), "local")


def viewer() -> Viewer:
    """The viewer of this session, read afresh on every call (a role taken away counts at once)."""
    current = mode()
    if current == "demo":
        return Viewer("demo", "Demo", tuple(settings().get("demo", {}).get("roles", ["lesen"])), "demo")
    return _local_viewer() if current == "local" else _oidc_viewer()


def visible_pages(who: Viewer | None = None) -> set[str]:
    """The page ids the viewer may open (what the navigation shows)."""
    return role_rules.pages_for((who or viewer()).roles)


def allowed(action: str, who: Viewer | None = None) -> bool:
    """Whether the viewer may take ``action`` (for showing or hiding a control; enforce with ``require``)."""
    return role_rules.may((who or viewer()).roles, action)


def _audit(who: Viewer, action: str, target: str = "", detail: str = "", allowed: bool = True) -> None:
    try:
        workspace().log(who.actor, action, target[:500], detail[:2000], allowed)
    except Exception:  # the refusal stands even when the log cannot be written
        _LOG.exception("audit entry not written: %s %s %s", who.actor, action, target)


def _role_names(who: Viewer) -> str:
    labels = role_rules.labels()
    return ", ".join(labels.get(r, r) for r in who.roles) or "keine Rolle"


def require(action: str, target: str = "") -> Viewer:
    """Stop the run unless the viewer may take ``action`` now; a refusal is shown and logged (allowed = False).

    Call it at the moment of the action (inside the button's branch or callback), not only when drawing it."""
    who = viewer()
    if role_rules.may(who.roles, action):
        return who
    _audit(who, action, target, f"verweigert ({who.mode}; Rollen: {', '.join(who.roles) or 'keine'})", allowed=False)
    st.error(
        f"Keine Berechtigung für „{action}“: Ihre Rolle ({_role_names(who)}) darf das nicht. "
        "Die Anfrage wurde abgelehnt und protokolliert.",
        icon=":material/block:",
    )
    st.stop()
    raise AssertionError("unreachable")  # st.stop raises; keeps type checkers and forged callbacks honest


def require_page(page_id: str) -> Viewer:
    """At the start of every page: a login when nobody is logged in, a refusal (logged) when the role may not
    open the page, else the viewer."""
    try:
        who = viewer()
        pages = visible_pages(who)
    except (AuthConfigError, role_rules.RolesError) as exc:  # misconfigured: nobody sees anything, told why
        st.error(f"Anmeldung nicht eingerichtet: {exc}", icon=":material/error:")
        st.stop()
    if who.mode == "oidc" and who.logged_in and st.session_state.get("auth_oidc_logged") != who.username:
        # the provider did the login; the audit learns of it at the session's first page
        _audit(who, "login", who.username, f"oidc; Rollen: {', '.join(who.roles) or 'keine'}")
        st.session_state["auth_oidc_logged"] = who.username
    if page_id in pages:
        return who
    if not who.logged_in:
        from dashboard import login_view  # the login form only where it is needed

        login_view.login(who.mode)
        st.stop()
    _audit(who, "open_page", page_id, f"verweigert ({who.mode}; Rollen: {', '.join(who.roles) or 'keine'})", allowed=False)
    title = page_registry.page(page_id).title if page_id in page_registry.page_ids() else page_id
    st.error(
        f"Keine Berechtigung: Die Seite „{title}“ ist für Ihre Rolle ({_role_names(who)}) nicht freigegeben. "
        "Der Aufruf wurde protokolliert.",
        icon=":material/block:",
    )
    sidebar(who)
    st.stop()
    raise AssertionError("unreachable")


def logout() -> None:
    """End the session's login (local: forget the user; OIDC: Streamlit's logout with the provider)."""
    who = viewer()
    _audit(who, "logout", who.username)
    if who.mode == "oidc":
        st.logout()
    st.session_state.pop(SESSION_USER, None)


def sidebar(who: Viewer | None = None) -> None:
    """In the sidebar: the demo note, or who is logged in with which roles and the logout button."""
    who = who or viewer()
    if who.mode == "demo":
        if _all_demo():
            st.sidebar.info("**Demo-Modus:** ohne Anmeldung, nur Demodaten.", icon=":material/science:")
        else:  # set on purpose over real data: say plainly that it is open
            st.sidebar.warning(
                f"**Ohne Anmeldung** ({MODE_ENV}=demo): alle Seiten sind für jeden offen, der diese Adresse erreicht.",
                icon=":material/lock_open:",
            )
        return
    if not who.logged_in:
        return
    from dashboard.markdown import plain

    st.sidebar.caption(f"Angemeldet: **{plain(who.display_name)}** ({plain(_role_names(who))})")
    if st.sidebar.button("Abmelden", key="auth_logout", icon=":material/logout:"):
        logout()
        st.rerun()
