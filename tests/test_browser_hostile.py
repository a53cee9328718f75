"""Hostile names and link values in a real Chromium: shown as text, no outside request, nothing injected.

The demo is built with Markdown/HTML in a Sozialraum's and the Kreis's name; the Übersichtskarte, the Angebotskarte
and the Steckbrief are opened on that Sozialraum, once with a phishing text in a link parameter. Every request the
page makes must go to the app's own server, no <img> or <a> may point elsewhere, and the names must appear as
written.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import serve_app
from hostile_helpers import build_hostile_db
from playwright.sync_api import expect

from dashboard.markdown import WORD_JOINER
from planning import queries

pytestmark = pytest.mark.browser

AREA_NAME = "<img src=http://127.0.0.1:9/i.png> ![x](http://127.0.0.1:9/track.png) [Klick](http://evil.example/login)"
KREIS_NAME = "Landkreis **Muster** ![k](http://127.0.0.1:9/k.png)"
PHISHING = "**Sitzung abgelaufen:** [bitte hier neu anmelden](http://evil.example/login) ![t](http://127.0.0.1:9/t.png)"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory, chromium_path):
    db = build_hostile_db(tmp_path_factory.mktemp("hostile_browser"), {AREA_NAME: 1}, kreis_name=KREIS_NAME)
    shapes = queries.area_shapes(queries.Database(str(db), db.stat().st_mtime), "99001", "sozialraum")
    area = shapes.loc[shapes["name"] == AREA_NAME, "area_id"].iloc[0]
    with serve_app(db.parent, tmp_path_factory.mktemp("hostile_server")) as url:
        yield url, area


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("uebersichtskarte", "ebene=sozialraum&gebiet={area}&kreis={phishing}"),
        ("angebotskarte", "ebene=sozialraum&gebiet={area}"),
        ("steckbrief", "ebene=sozialraum&gebiet={area}"),
    ],
)
def test_hostile_names_stay_text(browser_page, hostile_server, path, query, artifacts_dir):
    import urllib.parse

    base, area = hostile_server
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{base}/{path}?" + query.format(area=area, phishing=urllib.parse.quote(PHISHING)), wait_until="domcontentloaded")
    expect(page.get_by_text("Landkreis **Muster**").first).to_be_visible(timeout=90_000)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=90_000)
    page.wait_for_timeout(1_000)
    # names appear as written (an invisible word joiner keeps 'http://' from becoming a link)
    shown = page.locator("[data-testid='stMain']").inner_text().replace(WORD_JOINER, "")
    assert KREIS_NAME in shown and AREA_NAME in shown
    if "phishing" in query:
        assert "kreis=**Sitzung abgelaufen:** [bitte hier neu anmelden](htt…" in shown
    page.wait_for_timeout(1_000)
    page.screenshot(path=str(artifacts_dir / f"hostile_{path}.png"))
    outside = [u for u in requests if not u.startswith(base) and not u.startswith(("data:", "blob:", "about:"))]
    assert outside == [], f"requests left the app: {outside}"
    for frame in page.frames:
        injected = frame.locator("img[src*='127.0.0.1:9'], a[href*='evil.example']")
        assert injected.count() == 0, f"injected in {frame.url}: {injected.first.evaluate('e => e.parentElement.outerHTML')[:600]}"
        assert frame.locator("strong:text('Sitzung abgelaufen:')").count() == 0
