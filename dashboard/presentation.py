"""Presentation mode for meetings: large type, the map first, the sidebar collapsed.

Switched on by ``?praesentation=1`` in the URL or the sidebar toggle (key ``praesentation``, bound to the URL by
``context.page_context``). ``dashboard/app.py`` reads ``sidebar_state()`` for ``st.set_page_config``; pages ask
``active()`` to put the map first::

    top = st.container()                   # where the map goes in presentation mode
    ...
    with top if presentation.active() else st.container():
        draw_map()
"""
from __future__ import annotations

import streamlit as st

from dashboard import share

KEY = "praesentation"
PARAM = share.Param(KEY, KEY, bool, default=False)

# rem-based sizes of Streamlit scale with the root font size; headings and metrics follow
_STYLE = """
<style>
html { font-size: 21px; }
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; max-width: 100%; }
[data-testid="stMain"] h1 { font-size: 2.4rem; }
[data-testid="stMetricValue"] { font-size: 2.4rem; }
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
    """Maps get taller in presentation mode (the screen is for the map)."""
    return round(normal * 1.25) if active() else normal
