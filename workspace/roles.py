"""Roles as data: which pages a role sees and which actions it may take (``config/roles.toml``).

Rules in a planner's words:
- A viewer may do what any of their roles may do; a role also has everything of the roles it inherits.
- Nothing is allowed that the file does not name: an unknown role grants nothing, an unknown action is refused.
- "public" is the anonymous viewer; it is everyone's floor, so what it may see every viewer may see.

This module is Streamlit-free; ``dashboard/auth.py`` asks it at the moment of every page run and every action.
"""
from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROLES_FILE = Path(__file__).resolve().parent.parent / "config" / "roles.toml"
ROLES_ENV = "PLANUNGSATLAS_ROLES"  # another roles file, e.g. a county's own roles
PUBLIC = "public"
ACTIONS = frozenset({
    "upload", "publish", "rollback", "edit_offers", "decide_duplicates", "edit_sozialraeume", "read_internal",
    "manage_users", "edit_goals", "edit_scenarios",
})  # fmt: skip


class RolesError(ValueError):
    """config/roles.toml is not usable (German message naming the role and the fix)."""


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    pages: frozenset[str]  # including inherited ones
    actions: frozenset[str]  # including inherited ones


def _resolve(raw: dict, name: str, path: Path, seen: tuple[str, ...] = ()) -> tuple[set[str], set[str]]:
    if name in seen:
        raise RolesError(f"{path}: Rolle „{name}“ erbt von sich selbst ({' → '.join((*seen, name))}); Zyklus in inherits auflösen.")
    if name not in raw:
        raise RolesError(f"{path}: Rolle „{seen[-1]}“ erbt von „{name}“, die es nicht gibt; Namen in inherits prüfen.")
    entry = raw[name]
    pages, actions = set(entry.get("pages", [])), set(entry.get("actions", []))
    unknown = actions - ACTIONS
    if unknown:
        raise RolesError(
            f"{path}: Rolle „{name}“, Schlüssel actions: unbekannte Aktion(en) {sorted(unknown)}; erwartet eine von {sorted(ACTIONS)}."
        )
    for parent in entry.get("inherits", []):
        more_pages, more_actions = _resolve(raw, parent, path, (*seen, name))
        pages |= more_pages
        actions |= more_actions
    return pages, actions


@functools.lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> dict[str, Role]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8")).get("roles", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RolesError(f"{path}: nicht lesbar ({exc}); die Datei muss gültiges TOML mit [roles.<name>]-Tabellen sein.") from exc
    if PUBLIC not in raw:
        raise RolesError(f"{path}: die Rolle „{PUBLIC}“ (anonyme Besucher) fehlt; [roles.{PUBLIC}] mit pages = [] anlegen.")
    roles = {}
    for name, entry in raw.items():
        pages, actions = _resolve(raw, name, path)
        roles[name] = Role(name, str(entry.get("label", name)), frozenset(pages), frozenset(actions))
    return roles


def load_roles(path: Path | None = None) -> dict[str, Role]:
    """Every role of ``config/roles.toml`` (or ``path``, or the file ``$PLANUNGSATLAS_ROLES`` names), with inherited
    pages and actions resolved. Read again when the file changes, so an edit counts from the next page run on."""
    path = path or Path(os.environ.get(ROLES_ENV) or ROLES_FILE)
    return _load(path, path.stat().st_mtime)


def _granted(roles: Iterable[str], path: Path | None) -> list[Role]:
    known = load_roles(path)
    return [known[PUBLIC], *(known[r] for r in roles if r in known)]


def may(roles: Iterable[str], action: str, path: Path | None = None) -> bool:
    """Whether a viewer with ``roles`` may take ``action`` (unknown roles grant nothing)."""
    return any(action in role.actions for role in _granted(roles, path))


def pages_for(roles: Iterable[str], path: Path | None = None) -> set[str]:
    """The page ids a viewer with ``roles`` may open."""
    return set().union(*(role.pages for role in _granted(roles, path)))


def actions_for(roles: Iterable[str], path: Path | None = None) -> set[str]:
    """Every action a viewer with ``roles`` may take."""
    return set().union(*(role.actions for role in _granted(roles, path)))


def labels(path: Path | None = None) -> dict[str, str]:
    """Role name → German label, in the file's order."""
    return {name: role.label for name, role in load_roles(path).items()}
