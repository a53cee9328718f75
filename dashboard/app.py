"""Planungsatlas Familie – Streamlit entry point: page navigation (each page renders the shared sidebar via dashboard.context)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` only puts dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import presentation, share  # noqa: E402

st.set_page_config(page_title="Planungsatlas Familie", page_icon=str(ROOT / "dashboard" / "assets" / "icon.png"), layout="wide",
                   initial_sidebar_state=presentation.sidebar_state())

page = st.navigation(
    [
        st.Page(str(ROOT / "dashboard" / "pages" / "uebersichtskarte.py"), title="Übersichtskarte", icon=":material/map:", default=True),
        st.Page(str(ROOT / "dashboard" / "pages" / "indikatoren.py"), title="Indikatoren", icon=":material/query_stats:"),
        st.Page(str(ROOT / "dashboard" / "pages" / "angebotskarte.py"), title="Angebotskarte", icon=":material/location_on:"),
        st.Page(str(ROOT / "dashboard" / "pages" / "praeventionskette.py"), title="Präventionskette", icon=":material/timeline:"),
        st.Page(str(ROOT / "dashboard" / "pages" / "bedarf_versorgung.py"), title="Bedarf & Versorgung", icon=":material/balance:"),
        st.Page(str(ROOT / "dashboard" / "pages" / "szenarien.py"), title="Szenarien", icon=":material/alt_route:"),
        st.Page(str(ROOT / "dashboard" / "pages" / "steckbrief.py"), title="Steckbrief", icon=":material/assignment:"),
        st.Page(str(ROOT / "dashboard" / "pages" / "kreistag.py"), title="Kreistag-Bericht", icon=":material/picture_as_pdf:"),
    ]
)
try:
    page.run()
finally:  # also after st.stop(): the URL and the link always show the view the page ended with
    share.publish()
