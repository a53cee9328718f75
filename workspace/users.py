"""Local users: salted bcrypt password hashes (the format streamlit-authenticator checks) and the first admin.

Rules: a password has at least 8 characters and at most 72 bytes (bcrypt reads no further; a longer one is
refused rather than silently cut). Hashes are salted, so the same password gives a different hash each time.
"""
from __future__ import annotations

import bcrypt

from workspace.storage import Workspace, WorkspaceError

MIN_LENGTH = 8
MAX_BYTES = 72  # bcrypt's limit


def check_password(password: str) -> None:
    """Raise WorkspaceError with a German message when the password is too short or too long."""
    if len(password) < MIN_LENGTH:
        raise WorkspaceError(f"Das Passwort ist zu kurz: mindestens {MIN_LENGTH} Zeichen.")
    if len(password.encode("utf-8")) > MAX_BYTES:
        raise WorkspaceError(f"Das Passwort ist zu lang: höchstens {MAX_BYTES} Bytes (bei Umlauten weniger Zeichen).")


def hash_password(password: str) -> str:
    """A salted bcrypt hash of ``password`` ("$2b$12$…")."""
    check_password(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches; False (never an error) for a missing or malformed hash or an over-long password."""
    if not password_hash or not password:
        return False
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:
        return False


def create_admin(ws: Workspace, username: str, password: str, display_name: str = "", actor: str = "system") -> None:
    """Create the user ``username`` with role admin, or – when it exists – give it a new password, role admin and
    unlock it (how a locked-out admin gets back in from the server's shell)."""
    password_hash = hash_password(password)
    existing = ws.user(username)
    if existing is None:
        ws.add_user(username, password_hash, ["admin"], display_name=display_name, actor=actor)
        return
    ws.set_password_hash(username, password_hash, actor)
    ws.set_roles(username, sorted({*existing.roles, "admin"}), actor)
    if not existing.active:
        ws.set_active(username, True, actor)
