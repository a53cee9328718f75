"""Sozialräume: assign the Kreis's Gemeinden to Sozialräume with a live map, check, save as a version that states
whether it is official or a working assumption; it takes effect with the next publish on the page "Daten"."""
import streamlit as st

from dashboard import context, sozialraum_view as view
from dashboard.markdown import plain

ctx = context.page_context()
st.title(plain(f"Sozialräume – {ctx.kreis_name}"))
working, origin = view.working_copy(ctx)
st.caption(plain(f"Ausgangspunkt: {origin}. Änderungen bleiben in dieser Sitzung, bis sie gespeichert werden, und gelten "
                 "nach dem nächsten Veröffentlichen für alle Seiten."))  # fmt: skip
view.bulk_assign(ctx, working)
left, right = st.columns([35, 65])
with left:
    assignment = view.table(ctx, working)
with right:
    view.preview(ctx, assignment)
view.check_and_save(ctx, assignment)
with st.expander("Gespeicherte Versionen", icon=":material/history:"):
    view.versions(ctx)
