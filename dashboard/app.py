"""Planungsatlas Familie – Streamlit entry point: page navigation and the shared sidebar."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` only puts dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import context, queries  # noqa: E402

st.set_page_config(page_title="Planungsatlas Familie", page_icon=str(ROOT / "dashboard" / "assets" / "icon.png"), layout="wide")

page = st.navigation(
    [st.Page(str(ROOT / "dashboard" / "pages" / "uebersichtskarte.py"), title="Übersichtskarte", icon=":material/map:", default=True)]
)
ctx = context.render_sidebar()
if ctx is None:
    st.error(
        f"Keine Datenbank gefunden in `{queries.database_dir()}`. "
        "Mit `bash scripts/start.sh` wird die Demo-Datenbank gebaut, oder: "
        "`python -m etl build --config config/<kreis>.toml --out data/db/<kreis>.duckdb`."
    )
    st.stop()
if ctx.demo:
    st.warning("**Demodaten** – erfundener Landkreis Musterland, keine amtlichen Zahlen.", icon=":material/science:")
page.run()
