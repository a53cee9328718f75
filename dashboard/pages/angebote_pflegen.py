"""Angebote pflegen: the Leitstelle's offer inventory – edit offers in a table, decide probable duplicates, read the
change log. Changes take effect with the next publish on the page "Daten"."""
import streamlit as st

from dashboard import context, offer_maintenance_view as view
from dashboard.markdown import plain

ctx = context.page_context()
st.title(plain(f"Angebote pflegen – {ctx.kreis_name}"))
if view.no_inventory(ctx):
    st.stop()
view.save_result()
edit_tab, duplicates_tab, log_tab = st.tabs(["Bearbeiten", "Dubletten", "Änderungsprotokoll"])
with edit_tab:
    view.editor(ctx)
with duplicates_tab:
    view.duplicates(ctx)
with log_tab:
    view.change_log(ctx)
