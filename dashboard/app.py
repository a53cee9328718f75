"""Planungsatlas Familie – Streamlit entry point: page navigation (each page renders the shared sidebar via dashboard.context).

The pages come from ``dashboard/page_registry.py``, grouped by section and reduced to what the viewer's role may
see (``dashboard.auth``); each page also checks its own right when it starts, so a direct URL is refused too.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` only puts dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import auth, page_registry, presentation, share  # noqa: E402

st.set_page_config(page_title="Planungsatlas Familie", page_icon=str(ROOT / "dashboard" / "assets" / "icon.png"), layout="wide",
                   initial_sidebar_state=presentation.sidebar_state())


def _navigation() -> dict[str, list]:
    """The pages by section, as st.navigation takes them; the first page is the default.

    Pages the viewer may not open are hidden rather than left out: a direct URL to one then still reaches the
    page, whose start (``context.page_start``) refuses it and logs the attempt – left out, Streamlit would
    quietly show the default page instead. Nobody logged in: every page hidden, each shows the login."""
    try:
        visible = auth.visible_pages()
    except (auth.AuthConfigError, auth.role_rules.RolesError):
        visible = set()  # the page's own start shows the configuration error
    sections: dict[str, list] = {}
    for entry in page_registry.PAGES:
        sections.setdefault(entry.section, []).append(
            st.Page(str(entry.file), title=entry.title, icon=entry.icon, default=entry.id == page_registry.DEFAULT_PAGE,
                    visibility="visible" if entry.id in visible else "hidden")
        )  # fmt: skip
    return sections


page = st.navigation(_navigation())
try:
    page.run()
finally:  # also after st.stop(): the URL and the link always show the view the page ended with
    share.publish()
