"""Daten: the county's own files into the app – templates, upload with a check and a preview, drafts,
"Veröffentlichen" (a new database version) and the version list with "Zurücksetzen"."""
import streamlit as st

from dashboard import context, data_view, version_view
from dashboard.markdown import plain

ctx = context.page_context()
st.title(plain(f"Daten – {ctx.kreis_name}"))
data_view.show_message()

st.subheader("Vorlagen")
data_view.templates(ctx)

st.subheader("Datei hochladen und prüfen")
data_view.upload_form(ctx)

st.subheader("Entwürfe")
version_view.drafts(ctx)
version_view.publish(ctx)

st.subheader("Versionen")
version_view.version_list(ctx)
