"""Steckbrief: profile of one Gemeinde, Sozialraum or Verbandsgemeinde against the Kreis, as on screen so in the PDF."""
import streamlit as st

from planning.context import LEVEL_SINGULAR
from dashboard import area_reports, context, downloads, goals_view, share
from dashboard.markdown import plain
from planning import report_choices

ctx = context.page_context()
share.bind(share.Param("steckbrief_level", "ebene"), share.Param("steckbrief_area", "gebiet"))
title = st.empty()  # the title names the years of the values, known once the document is made
title.title("Steckbrief")

pickers = st.columns([3, 4, 3], vertical_alignment="bottom")
level = area_reports.choose_level(ctx, "steckbrief_level", LEVEL_SINGULAR, pickers[0])
names = report_choices.area_names(ctx, level)
# coming from the Übersichtskarte: the area clicked there
if st.session_state.get("steckbrief_area") not in names:
    st.session_state["steckbrief_area"] = report_choices.preferred(list(names), st.session_state.get("selected_area"))
area_id = pickers[1].selectbox("Gebiet", list(names), format_func=names.get, key="steckbrief_area")
goals = goals_view.goal_blocks(ctx, area_id)  # from the workspace: not part of the cached document
with pickers[2]:
    downloads.prepared_files(
        "steckbrief", signature=(ctx.db, area_id, repr(goals)), build=lambda: [area_reports.steckbrief_pdf(ctx.db, area_id, goals)],
        button="Steckbrief als PDF", working="PDF wird erstellt …",
    )  # fmt: skip

try:
    document = area_reports.steckbrief_document(ctx.db, area_id)
except (LookupError, ValueError) as error:
    st.error(f"Für {plain(names[area_id])} lässt sich kein Steckbrief erstellen: {plain(error)}")
    st.stop()
if years := area_reports.document_years(document):
    title.title(f"Steckbrief – Werte {years}")
st.caption(
    "Jede Kennzahl in ihrem neuesten Jahr mit einem Wert für das Gebiet (Spalte Jahr; das Jahr der Seitenleiste gilt "
    "hier nicht); Kreis, Land und Deutschland im selben Jahr, soweit die Datenbank sie hat."
)
area_reports.show_document(document)
area_reports.show_blocks(goals)
