"""Every page opens by a direct link with query parameters (as a shared link does), through app.py's navigation:
the page shows its own heading and keeps the link's parameters. Guards the choice of ``dashboard/pages/``: with
``st.navigation`` a ``pages/`` folder beside app.py must not switch Streamlit to its old folder navigation."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

KREIS = "Landkreis Musterland (Demodaten)"
# url path, query, heading the page shows, a parameter the link carries that the page must keep (never a page's
# default value: the URL leaves defaults out once the page has run)
DIRECT_LINKS = [
    ("uebersichtskarte", "ebene=sozialraum", f"Übersichtskarte {KREIS}", "ebene=sozialraum"),
    ("indikatoren", "ebene=sozialraum", f"Indikatoren {KREIS}", "ebene=sozialraum"),
    ("angebotskarte", "ebene=sozialraum", f"Angebotskarte {KREIS}", "ebene=sozialraum"),
    ("praeventionskette", "schwelle=0.25", "Präventionskette", "schwelle=0.25"),
    ("bedarf_versorgung", "km=7", "Bedarf & Versorgung", "km=7"),
    ("steckbrief", "ebene=verbandsgemeinde", "Steckbrief", "ebene=verbandsgemeinde"),
    ("kreistag", "titel=Sitzung", "Bericht für den Kreistag", "titel=Sitzung"),
]


@pytest.mark.parametrize(("path", "query", "heading", "kept"), DIRECT_LINKS, ids=[d[0] for d in DIRECT_LINKS])
def test_direct_link_opens_the_page_with_its_parameters(browser_page, streamlit_server, path, query, heading, kept):
    page = browser_page
    page.goto(f"{streamlit_server}/{path}?{query}", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name=re.compile("^" + re.escape(heading))).first).to_be_visible(timeout=90_000)
    # the navigation of app.py is there (not Streamlit's folder navigation), with this page as the current one
    expect(page.get_by_test_id("stSidebarNav")).to_contain_text("Kreistag-Bericht", timeout=90_000)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=90_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.wait_for_function("(kept) => window.location.search.includes(kept)", arg=kept, timeout=90_000)
    # the default page (Übersichtskarte) is served at the root, as Streamlit's navigation names it
    expected = "/?" if path == DIRECT_LINKS[0][0] else f"/{path}?"
    assert expected in page.url, page.url
