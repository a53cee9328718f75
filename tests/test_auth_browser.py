"""Login in a real browser: the README's demo start opens without a login and says so; in local mode a planner logs
in with the form, sees the pages of the role, and an administrator reaches Benutzer & Rechte."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import serve_app
from playwright.sync_api import Page, expect
from test_roles import EXPECTED_PAGES

from dashboard import page_registry
from workspace.storage import Workspace
from workspace.users import hash_password

pytestmark = pytest.mark.browser
TIMEOUT = 90_000


def _nav(page: Page) -> list[str]:
    links = page.get_by_test_id("stSidebarNavLink")
    expect(links.first).to_be_visible(timeout=TIMEOUT)
    return [t.strip().split("\n")[-1].strip() for t in links.all_inner_texts()]  # after the icon's ligature name


def _settled(page: Page) -> None:
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=TIMEOUT)


def test_readme_demo_start_opens_without_login(demo_db: Path, tmp_path: Path, browser_page: Page, artifacts_dir: Path) -> None:
    """As `bash scripts/start.sh`: only the demo database, no accounts, PLANUNGSATLAS_AUTH not set."""
    env = {"PLANUNGSATLAS_AUTH": "", "PLANUNGSATLAS_WORKSPACE_URL": f"sqlite:///{tmp_path / 'workspace.sqlite'}"}
    with serve_app(demo_db.parent, tmp_path, env=env) as base:
        page = browser_page
        page.goto(base, wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name=re.compile("^Übersichtskarte"))).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_test_id("stSidebar")).to_contain_text("Demo-Modus: ohne Anmeldung, nur Demodaten.")
        expect(page.get_by_text("Planungsatlas Familie – Anmeldung")).to_have_count(0)
        demo_roles = {p for r in ("planung",) for p in EXPECTED_PAGES[r]}
        assert _nav(page) == [p.title for p in page_registry.PAGES if p.id in demo_roles]
        _settled(page)
        page.screenshot(path=str(artifacts_dir / "auth_demo_start.png"))


def test_local_login_and_admin_page(demo_db: Path, tmp_path: Path, browser_page: Page, artifacts_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'workspace.sqlite'}"
    ws = Workspace.open(url)
    ws.add_user("chefin", hash_password("richtig-geheim-1"), ["admin"], display_name="Clara Chefin")
    ws.add_user("leser", hash_password("richtig-geheim-1"), ["lesen"])
    with serve_app(demo_db.parent, tmp_path, env={"PLANUNGSATLAS_AUTH": "local", "PLANUNGSATLAS_WORKSPACE_URL": url}) as base:
        page = browser_page
        page.goto(f"{base}/steckbrief?ebene=verbandsgemeinde", wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Planungsatlas Familie – Anmeldung")).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)
        _settled(page)
        page.screenshot(path=str(artifacts_dir / "auth_login.png"))
        page.get_by_label("Benutzername").fill("chefin")
        page.get_by_label("Passwort").fill("falsch-falsch")
        page.get_by_role("button", name="Anmelden").click()
        expect(page.get_by_text("Anmeldung fehlgeschlagen: Benutzername oder Passwort falsch.")).to_be_visible(timeout=TIMEOUT)
        page.get_by_label("Benutzername").fill("chefin")
        page.get_by_label("Passwort").fill("richtig-geheim-1")
        page.get_by_role("button", name="Anmelden").click()
        # the linked page with its parameters, after the login (the profile's heading names the level of the link)
        expect(page.get_by_role("heading", name=re.compile("^Steckbrief Verbandsgemeinde"))).to_be_visible(timeout=TIMEOUT)
        assert "ebene=verbandsgemeinde" in page.url
        assert _nav(page) == [p.title for p in page_registry.PAGES if p.id in EXPECTED_PAGES["admin"]]
        page.get_by_test_id("stSidebarNavLink").filter(has_text="Benutzer & Rechte").click()
        expect(page.get_by_role("heading", name="Benutzer & Rechte")).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_text("Clara Chefin")).to_have_count(2)  # the table and the sidebar
        _settled(page)
        page.screenshot(path=str(artifacts_dir / "auth_benutzer.png"))
        page.get_by_role("button", name="Abmelden").click()
        expect(page.get_by_role("heading", name="Planungsatlas Familie – Anmeldung")).to_be_visible(timeout=TIMEOUT)
