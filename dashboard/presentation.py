"""Presentation mode for meetings: one screen per view – a headline naming what is shown (indicator, area level,
year), the map across the whole width with a legend readable from the back of the room, the page's controls folded
into "Einstellungen", the sidebar collapsed.

Switched on by ``?praesentation=1`` in the URL or the sidebar toggle (key ``praesentation``, bound to the URL by
``context.page_context``). ``dashboard/app.py`` reads ``sidebar_state()`` for ``st.set_page_config``. A map page::

    title = presentation.title_slot("Übersichtskarte Landkreis X")   # the page title, replaced by the headline
    with presentation.settings():           # an expander "Einstellungen" while presenting, else in place
        ...widgets...
    presentation.headline(title, "Anteil Kinder unter 6 Jahren", "Gemeinden", 2015)
    map_component.show(..., height=presentation.map_height(560))
"""
from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import share
from dashboard.markdown import plain

KEY = "praesentation"
PARAM = share.Param(KEY, KEY, bool, default=False)
# A map's height while presenting: with headline and the folded settings it fits 1400×1000 and 1920×1080.
PRESENTATION_MAP_PX = 580

# rem-based sizes of Streamlit scale with the root font size; headings and metrics follow. Buttons never wrap
# their label ("Grafi/k"); the sidebar, opened while presenting, keeps type that fits its width.
_STYLE = """
<style>
html { font-size: 21px; }
[data-testid="stMainBlockContainer"] { padding-top: 3rem; padding-bottom: 1rem; max-width: 100%; }
[data-testid="stMain"] h1 { font-size: 1.7rem; padding: 0; }
[data-testid="stMetricValue"] { font-size: 2.4rem; }
[data-testid="stMain"] button p { white-space: nowrap; }
[data-testid="stSidebarContent"] { zoom: .76; }
</style>
"""


def active() -> bool:
    """On when the toggle says so, else when the URL asks for it (before the sidebar has run)."""
    if KEY in st.session_state:
        return bool(st.session_state[KEY])
    raw = st.query_params.get(KEY)
    try:
        return bool(raw) and PARAM.parse_item(raw)
    except ValueError:
        return False


def sidebar_state() -> str:
    """``initial_sidebar_state`` for ``st.set_page_config``."""
    return "collapsed" if active() else "auto"


def apply_style() -> None:
    """Large type while the mode is on (the style element vanishes when it is switched off)."""
    if active():
        st.markdown(_STYLE, unsafe_allow_html=True)


def map_height(normal: int) -> int:
    """A map's height: ``normal`` on a page, ``PRESENTATION_MAP_PX`` while presenting (one screen)."""
    return PRESENTATION_MAP_PX if active() else normal


def title_slot(title: str) -> DeltaGenerator:
    """The page title (``title`` is shown through ``markdown.plain``); while presenting, an empty place that
    ``headline`` fills once the page knows what it shows."""
    slot = st.empty()
    if not active():
        slot.title(plain(title))
    return slot


def headline(slot: DeltaGenerator, subject: str, level: str, year: int | str | None, place: str = "") -> None:
    """While presenting: '<subject> · <level> · <year>' as the title in ``slot``, ``place`` (the Kreis) in small
    type under it."""
    if active():
        text = " · ".join(str(p) for p in (subject, level, year) if p)
        with slot.container():
            st.title(plain(text))
            if place:
                st.caption(plain(place))


def settings() -> DeltaGenerator:
    """Where a page's controls go: an expander "Einstellungen" (closed) while presenting, else the page itself."""
    if active():
        return st.expander("Einstellungen", expanded=False, icon=":material/tune:")
    return st.container()
