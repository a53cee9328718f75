"""Benutzer & Rechte: the workspace's users (add, roles, lock/unlock, new password), the roles and the audit log.

Rules in a planner's words:
- Every change is checked at the moment it is made (right ``manage_users``) and lands in the audit log with the
  administrator's name.
- The last active administrator cannot lock themselves out: locking or taking the admin role from the only
  active account with it is refused with a message (the server's ``python -m workspace create-admin`` is the
  way back in when it happens anyway).
- A password is set, never shown; the user gets it from the administrator by another way.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth
from workspace import roles as role_rules
from workspace.storage import User, WorkspaceError
from workspace.users import hash_password

ADMIN = "admin"
AUDIT_LABELS = {
    "at": "Zeit (UTC)", "actor": "Wer", "action": "Aktion", "target": "Ziel", "detail": "Einzelheiten", "allowed": "Erlaubt",
}  # fmt: skip


def role_label(roles: tuple[str, ...] | list[str]) -> str:
    labels = role_rules.labels()
    return ", ".join(labels.get(r, f"{r} (unbekannt)") for r in roles) or "keine"


def users_table(users: list[User]) -> pd.DataFrame:
    """The users as a German table (no password hashes)."""
    return pd.DataFrame(
        {
            "Benutzername": [u.username for u in users],
            "Name": [u.display_name for u in users],
            "Rollen": [role_label(u.roles) for u in users],
            "Anmeldung": ["Passwort" if u.password_hash else "nur OIDC" for u in users],
            "Aktiv": [u.active for u in users],
        }
    )


def roles_table() -> pd.DataFrame:
    """Each role with the pages it opens and the actions it may take (inherited ones included)."""
    from dashboard import page_registry

    titles = {p.id: p.title for p in page_registry.PAGES}
    rows = [
        {
            "Rolle": role.label,
            "Kürzel": name,
            # pages in navigation order; ids of pages not (yet) in the app by name
            "Seiten": ", ".join([titles[p] for p in titles if p in role.pages] + sorted(role.pages - set(titles))) or "–",
            "Aktionen": ", ".join(sorted(role.actions)) or "–",
        }
        for name, role in role_rules.load_roles().items()
    ]
    return pd.DataFrame(rows)


def group_table() -> pd.DataFrame:
    """OIDC: which group of the organisation's login gives which roles (config/auth.toml [oidc.group_roles])."""
    oidc = auth.settings().get("oidc", {})
    mapping = oidc.get("group_roles", {})
    return pd.DataFrame({
        f"Gruppe (Claim „{oidc.get('groups_claim', 'groups')}“)": list(mapping),
        "Rollen": [role_label(roles) for roles in mapping.values()],
    })  # fmt: skip


def _admins_left(users: list[User], without: str) -> int:
    return sum(1 for u in users if u.active and ADMIN in u.roles and u.username != without)


def check_last_admin(users: list[User], username: str, active: bool, roles: list[str]) -> str | None:
    """A German refusal when the change would leave no active administrator, else None."""
    user = next((u for u in users if u.username == username), None)
    if user is None or ADMIN not in user.roles or not user.active:
        return None
    if (not active or ADMIN not in roles) and _admins_left(users, username) == 0:
        return (f"„{username}“ ist das letzte aktive Konto mit der Rolle Administration; erst einem anderen Konto "
                "die Rolle geben, dann hier sperren oder die Rolle nehmen.")  # fmt: skip
    return None


def _done(message: str) -> None:
    st.session_state["users_message"] = message
    st.rerun()


def add_user_form() -> None:
    """A form for a new local user: name, display name, roles, first password (twice; password fields carry no
    key, so no password sits in the session's named state)."""
    with st.form("users_add", clear_on_submit=True):
        st.markdown("**Neues Konto**")
        left, right = st.columns(2)
        username = left.text_input("Benutzername", key="users_add_name")
        display = right.text_input("Anzeigename", key="users_add_display")
        chosen = st.multiselect("Rollen", list(role_rules.labels()), format_func=role_rules.labels().get, key="users_add_roles",
                                placeholder="Rollen wählen")
        left, right = st.columns(2)
        first = left.text_input("Erstes Passwort", type="password")
        again = right.text_input("Passwort wiederholen", type="password")
        submitted = st.form_submit_button("Konto anlegen", icon=":material/person_add:")
    if not submitted:
        return
    who = auth.require("manage_users", username)
    if first != again:
        st.error("Die beiden Passwörter sind verschieden; bitte beide gleich eingeben.")
        return
    try:
        auth.workspace().add_user(username, hash_password(first), chosen, display_name=display.strip(), actor=who.actor)
    except WorkspaceError as exc:
        st.error(str(exc))
        return
    _done(f"Konto „{username.strip()}“ angelegt (Rollen: {role_label(chosen)}).")


def edit_user(users: list[User]) -> None:
    """Roles, lock/unlock and a new password for one chosen user."""
    if not users:
        st.info("Noch keine Konten. Das erste Konto entsteht mit `python -m workspace create-admin`.")
        return
    names = [u.username for u in users]
    username = st.selectbox("Konto bearbeiten", names, key="users_edit_name")
    user = users[names.index(username)]
    chosen = st.multiselect(
        "Rollen", list(role_rules.labels()), default=[r for r in user.roles if r in role_rules.labels()],
        format_func=role_rules.labels().get, key=f"users_roles_{username}", placeholder="keine Rolle",
    )  # fmt: skip
    save, lock = st.columns(2)
    if save.button("Rollen speichern", key="users_save_roles", icon=":material/save:"):
        who = auth.require("manage_users", username)
        refusal = check_last_admin(auth.workspace().users(), username, user.active, chosen)
        if refusal:
            st.error(refusal)
        else:
            auth.workspace().set_roles(username, chosen, who.actor)
            _done(f"Rollen von „{username}“: {role_label(chosen)}.")
    label = "Konto entsperren" if not user.active else "Konto sperren"
    if lock.button(label, key="users_toggle_active", icon=":material/lock_open:" if not user.active else ":material/lock:"):
        who = auth.require("manage_users", username)
        refusal = check_last_admin(auth.workspace().users(), username, not user.active, list(user.roles))
        if refusal:
            st.error(refusal)
        else:
            auth.workspace().set_active(username, not user.active, who.actor)
            _done(f"Konto „{username}“ {'entsperrt' if not user.active else 'gesperrt'}.")
    with st.form("users_password", clear_on_submit=True):
        st.markdown(f"**Neues Passwort für „{username}“**")
        left, right = st.columns(2)
        first = left.text_input("Neues Passwort", type="password")
        again = right.text_input("Wiederholen", type="password")
        submitted = st.form_submit_button("Passwort setzen", icon=":material/key:")
    if submitted:
        who = auth.require("manage_users", username)
        if first != again:
            st.error("Die beiden Passwörter sind verschieden; bitte beide gleich eingeben.")
            return
        try:
            auth.workspace().set_password_hash(username, hash_password(first), who.actor)
        except WorkspaceError as exc:
            st.error(str(exc))
            return
        _done(f"Neues Passwort für „{username}“ gesetzt.")


def audit_view() -> None:
    """The newest audit entries, filterable by action and by refusals."""
    ws = auth.workspace()
    left, right, count = st.columns([3, 2, 2], vertical_alignment="bottom")
    actions = ["(alle)", *sorted(set(ws.audit_log(limit=5000)["action"]))]
    action = left.selectbox("Aktion", actions, key="users_audit_action")
    refused = right.toggle("Nur abgelehnte", key="users_audit_refused")
    limit = count.selectbox("Einträge", [100, 500, 2000], key="users_audit_limit")
    log = ws.audit_log(limit=limit, action=None if action == "(alle)" else action)
    if refused:
        log = log[~log["allowed"]]
    st.dataframe(log.rename(columns=AUDIT_LABELS), hide_index=True, width="stretch", height=min(38 + 35 * max(len(log), 1), 560),
                 column_config={"Einzelheiten": st.column_config.TextColumn(width="large")})  # fmt: skip
