"""Roles as data (config/roles.toml, workspace/roles.py): the expected role × page/action matrix written out here,
so a change of the roles file is a deliberate change of this table too."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import page_registry
from workspace import roles

PLANNING = {"uebersichtskarte", "indikatoren", "angebotskarte", "praeventionskette", "bedarf_versorgung", "szenarien",
            "steckbrief", "kreistag", "ziele"}  # fmt: skip
DATA = {"daten", "angebote_pflegen", "sozialraeume"}
EXPECTED_PAGES = {
    "public": set(),
    "lesen": PLANNING,
    "planung": PLANNING | DATA,
    "admin": PLANNING | {"benutzer"},
}
EXPECTED_ACTIONS = {
    "public": set(),
    "lesen": {"read_internal"},
    "planung": {"read_internal", "upload", "publish", "rollback", "edit_offers", "decide_duplicates", "edit_sozialraeume", "edit_goals",
                "edit_scenarios"},
    "admin": {"read_internal", "manage_users"},
}


@pytest.mark.parametrize("role", list(EXPECTED_PAGES))
def test_each_role_has_exactly_its_pages_and_actions(role: str) -> None:
    assert roles.pages_for([role]) == EXPECTED_PAGES[role]
    assert roles.actions_for([role]) == EXPECTED_ACTIONS[role]
    for action in sorted(roles.ACTIONS):
        assert roles.may([role], action) == (action in EXPECTED_ACTIONS[role]), (role, action)


def test_the_file_names_exactly_these_roles() -> None:
    assert set(roles.load_roles()) == set(EXPECTED_PAGES)


def test_several_roles_add_up_and_unknown_roles_grant_nothing() -> None:
    assert roles.pages_for(["planung", "admin"]) == PLANNING | DATA | {"benutzer"}
    assert roles.may(["lesen", "admin"], "manage_users") and not roles.may(["lesen", "admin"], "publish")
    assert roles.pages_for(["superuser", "ADMIN"]) == set()
    assert not roles.may(["superuser"], "publish") and not roles.may([], "read_internal")
    assert not roles.may(["planung"], "delete_everything"), "an action the file does not name is refused"


def test_every_page_of_the_app_is_granted_and_every_granted_page_is_known() -> None:
    registered = set(page_registry.page_ids())
    granted = set().union(*(r.pages for r in roles.load_roles().values()))
    assert registered <= granted, f"pages nobody may open: {registered - granted}"
    assert granted <= registered | DATA, f"roles grant unknown pages: {granted - registered - DATA}"
    assert page_registry.DEFAULT_PAGE == "uebersichtskarte"
    assert page_registry.page_ids("Planung") == ["uebersichtskarte", "indikatoren", "angebotskarte", "praeventionskette",
                                                 "bedarf_versorgung", "szenarien", "steckbrief", "kreistag", "ziele"]  # fmt: skip
    assert [page_registry.page(p).title for p in page_registry.page_ids("Planung")] == [
        "Übersichtskarte", "Indikatoren", "Angebotskarte", "Präventionskette", "Bedarf & Versorgung", "Szenarien",
        "Steckbrief", "Kreistag-Bericht", "Ziele & Maßnahmen",
    ]  # fmt: skip
    assert all(p.file.is_file() for p in page_registry.PAGES)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[roles.public]\npages = []\n[roles.a]\ninherits = ["b"]\n[roles.b]\ninherits = ["a"]\n', "erbt von sich selbst"),
        ('[roles.public]\npages = []\n[roles.a]\ninherits = ["fehlt"]\n', "„fehlt“, die es nicht gibt"),
        ('[roles.public]\npages = []\n[roles.a]\nactions = ["publsh"]\n', "unbekannte Aktion(en) ['publsh']"),
        ('[roles.a]\npages = []\n', "die Rolle „public“"),
        ("[roles.public\n", "nicht lesbar"),
    ],
)
def test_a_broken_roles_file_is_named_with_the_fix(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "roles.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(roles.RolesError, match=None) as error:
        roles.load_roles(path)
    assert message in str(error.value) and str(path) in str(error.value)


def test_another_roles_file_by_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "roles.toml"
    path.write_text('[roles.public]\npages = ["uebersichtskarte"]\n[roles.gast]\npages = ["angebotskarte"]\n', encoding="utf-8")
    monkeypatch.setenv(roles.ROLES_ENV, str(path))
    assert roles.pages_for(["gast"]) == {"uebersichtskarte", "angebotskarte"}, "public is everyone's floor"
    assert not roles.may(["gast"], "read_internal")
