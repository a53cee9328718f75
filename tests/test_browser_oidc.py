"""OIDC login in a real browser against a local OpenID Connect provider (oidc-provider-mock): Streamlit's
``st.login`` with an ``[auth]`` secrets file, roles from the ``groups`` claim mapped in config/auth.toml.

One mock provider and one app server (PLANUNGSATLAS_AUTH=oidc) for the module; each user logs in through the
mock's authorisation form in a fresh browser context and sees exactly the pages of the mapped role.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import _free_port, _stop_process_group, serve_app
from playwright.sync_api import Browser, Page, expect
from test_roles import EXPECTED_PAGES

from dashboard import page_registry
from workspace.storage import Workspace

pytestmark = pytest.mark.browser



def _titles(role: str) -> list[str]:
    """The navigation a role should see: its pages of the written-out matrix (tests/test_roles.py), in app order."""
    return [p.title for p in page_registry.PAGES if p.id in EXPECTED_PAGES[role]]


USERS = [  # the provider's predefined users: sub, claims
    {"sub": "lena", "preferred_username": "lena", "name": "Lena Leser", "groups": ["planungsatlas-lesen", "andere-gruppe"]},
    {"sub": "ada", "preferred_username": "ada", "name": "Ada Admin", "groups": ["planungsatlas-admin"]},
    {"sub": "otto", "preferred_username": "otto", "name": "Otto Ohnegruppe", "groups": ["kantine"]},
]
TIMEOUT = 90_000


def _wait_http(url: str, proc: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"OIDC mock provider not ready at {url}:\n{log.read_text(errors='replace')}", pytrace=False)


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    cmd = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), *[a for u in USERS for a in ("--user-claims", json.dumps(u))]]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/.well-known/openid-configuration", proc, log)
        yield base
    finally:
        _stop_process_group(proc)


@pytest.fixture(scope="module")
def oidc_app(provider: str, demo_db: Path, tmp_path_factory: pytest.TempPathFactory, chromium_path) -> Iterator[tuple[str, Workspace]]:
    """The app in OIDC mode, its [auth] secrets in a temporary file (never the repository's .streamlit/)."""
    folder = tmp_path_factory.mktemp("oidc_app")
    port = _free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-0123456789abcdef0123456789abcdef"\n'
        'client_id = "planungsatlas"\n'
        'client_secret = "planungsatlas-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    url = f"sqlite:///{folder / 'workspace.sqlite'}"
    env = {"PLANUNGSATLAS_AUTH": "oidc", "PLANUNGSATLAS_WORKSPACE_URL": url}
    with serve_app(demo_db.parent, folder, port=port, args=("--secrets.files", str(secrets)), env=env) as base:
        yield base, Workspace.open(url)


def _log_in(browser: Browser, base: str, sub: str) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE").new_page()
    page.goto(base, wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Planungsatlas Familie – Anmeldung")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)  # nothing to navigate to before the login
    page.get_by_role("button", name="Mit dem Konto der Organisation anmelden").click()
    # the provider's authorisation form: one button per predefined user
    page.get_by_role("button", name=sub, exact=True).click(timeout=TIMEOUT)
    page.wait_for_url(re.compile(re.escape(base) + r"/?(\?.*)?$"), timeout=TIMEOUT)
    return page


def _nav(page: Page) -> list[str]:
    links = page.get_by_test_id("stSidebarNavLink")
    expect(links.first).to_be_visible(timeout=TIMEOUT)
    return [t.strip().split("\n")[-1].strip() for t in links.all_inner_texts()]  # after the icon's ligature name


def _settled(page: Page) -> None:
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=TIMEOUT)


def test_a_reader_from_the_provider_sees_the_planning_pages_only(oidc_app, browser_page: Page, artifacts_dir: Path) -> None:
    base, ws = oidc_app
    page = _log_in(browser_page.context.browser, base, "lena")
    expect(page.get_by_role("heading", name=re.compile("^Übersichtskarte"))).to_be_visible(timeout=TIMEOUT)
    assert _nav(page) == _titles("lesen")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Angemeldet: Lena Leser (Lesen (Steuerungsgruppe))")
    _settled(page)
    page.screenshot(path=str(artifacts_dir / "oidc_lesen.png"))
    login = ws.audit_log(action="login")
    assert login.loc[login["actor"] == "lena", "detail"].tolist() == ["oidc; Rollen: lesen"], "one login entry per session"
    # a direct URL to a page of another role: refused and logged
    page.goto(f"{base}/benutzer", wait_until="domcontentloaded")
    expect(page.get_by_text("Keine Berechtigung: Die Seite „Benutzer & Rechte“ ist für Ihre Rolle")).to_be_visible(timeout=TIMEOUT)
    log = ws.audit_log(action="open_page")
    assert log.loc[~log["allowed"], ["actor", "target"]].values.tolist() == [["lena", "benutzer"]]
    # logout: Streamlit ends the session at the provider too (the mock asks to confirm), then the login again; the
    # click waits for the refused page's run to end (a click during a run can be lost under load)
    _settled(page)
    page.get_by_role("button", name="Abmelden").click()
    # the mock provider asks to confirm the end of the session, or (with a session it already ended) sends back at once
    login, end_session = page.get_by_role("heading", name="Planungsatlas Familie – Anmeldung"), page.get_by_role("button", name="End session")
    login.or_(end_session).first.wait_for(timeout=TIMEOUT)
    if end_session.is_visible():
        end_session.click(timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Planungsatlas Familie – Anmeldung")).to_be_visible(timeout=TIMEOUT)


def test_an_admin_from_the_provider_sees_users_and_rights(oidc_app, browser_page: Page, artifacts_dir: Path) -> None:
    base, _ = oidc_app
    page = _log_in(browser_page.context.browser, base, "ada")
    expect(page.get_by_role("heading", name=re.compile("^Übersichtskarte"))).to_be_visible(timeout=TIMEOUT)
    assert _nav(page) == _titles("admin") and "Benutzer & Rechte" in _nav(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Benutzer & Rechte").click()
    expect(page.get_by_role("heading", name="Benutzer & Rechte")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Anmeldung über das Konto der Organisation (OIDC)")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Konto anlegen")).to_have_count(0)  # accounts are the organisation's
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    page.screenshot(path=str(artifacts_dir / "oidc_admin_benutzer.png"))


def test_an_account_without_a_mapped_group_sees_nothing(oidc_app, browser_page: Page) -> None:
    base, ws = oidc_app
    page = _log_in(browser_page.context.browser, base, "otto")
    expect(page.get_by_text("Keine Berechtigung: Die Seite „Übersichtskarte“ ist für Ihre Rolle (keine Rolle)")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)
    expect(page.locator(".stSelectbox")).to_have_count(0)
    assert ["otto", "uebersichtskarte"] in ws.audit_log(action="open_page")[["actor", "target"]].values.tolist()
