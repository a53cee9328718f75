"""The page Szenarien: who may save, rename and delete a scenario (action ``edit_scenarios``, config/roles.toml), and
that the workspace records who did it. Trying a scenario out stays open to every role that sees the page."""
from __future__ import annotations

from pathlib import Path

import pytest
from page_helpers import open_page, rerun, writable_db_dir

from planning import scenarios as sc
from workspace import store_for
from workspace.storage import URL_ENV

KREIS = "99001"
ADD = sc.Change(sc.ADD, "neu-1", "kita", "Kita „Am Bach“", 7.1, 50.2, 60)


def _as_role(monkeypatch: pytest.MonkeyPatch, role: str) -> None:
    from dashboard import auth

    monkeypatch.setattr(auth, "settings", lambda: {"demo": {"roles": [role]}})


@pytest.fixture
def plan_a(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A copy of the demo database (folder, file) with the scenario "Plan A" saved by anna, workspace beside it."""
    monkeypatch.delenv(URL_ENV, raising=False)
    folder = writable_db_dir(tmp_path, demo_db)
    store_for(folder / demo_db.name, actor="anna").save(sc.Scenario("Plan A", KREIS, (ADD,)))
    return folder, folder / demo_db.name


def test_a_reader_may_not_delete_a_planner_may_and_the_audit_names_the_planner(plan_a: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    folder, database = plan_a
    _as_role(monkeypatch, "lesen")
    at = open_page(folder, monkeypatch, "pages/szenarien.py", {"szenario": "Plan A"})
    assert at.button(key="sz_delete").disabled and at.button(key="sz_save").disabled
    assert store_for(database).names(KREIS) == ["Plan A"]

    # drawn for a planner, the role taken away before the click: the button is off in the run that handles it
    _as_role(monkeypatch, "planung")
    at.run()
    _as_role(monkeypatch, "lesen")
    at.button(key="sz_delete").click()
    at.run()
    assert store_for(database).names(KREIS) == ["Plan A"]
    assert "Ihre Rolle darf Szenarien ausprobieren" in at.button(key="sz_delete").help

    _as_role(monkeypatch, "planung")
    at.run()
    assert not at.button(key="sz_delete").disabled
    at.button(key="sz_delete").click()
    rerun(at)
    assert store_for(database).names(KREIS) == []
    assert store_for(database).ws.audit_log(action="scenario_delete")["actor"].tolist() == ["demo"]


def test_saving_records_the_viewer_as_author(plan_a: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    folder, database = plan_a
    _as_role(monkeypatch, "planung")
    at = open_page(folder, monkeypatch, "pages/szenarien.py", {"szenario": "Plan A"})
    at.text_input(key="sz_name").set_value("Plan B")
    at.button(key="sz_save").click()
    rerun(at)
    assert store_for(database).names(KREIS) == ["Plan A", "Plan B"]
    authors = store_for(database).info(KREIS).set_index("name")["created_by"].to_dict()
    assert authors == {"Plan A": "anna", "Plan B": "demo"}
