"""Ziele & Maßnahmen: whether the county is on track – goals per Handlungsfeld with their path and state by a stated
rule, the measures serving them, and the forms to keep both (role 'planung')."""
import streamlit as st

from dashboard import context, goals_view as view, share
from dashboard.markdown import plain

ctx = context.page_context()
share.bind(share.Param("goals_field", "feld"), share.Param("goals_chart", "ziel", int))
st.title(plain(f"Ziele & Maßnahmen – {ctx.kreis_name}"))
view.saved_note()
overview_tab, goal_tab, measures_tab = st.tabs(["Zielübersicht", "Ziel bearbeiten", "Maßnahmen"])
with overview_tab:
    view.summary(ctx)
with goal_tab:
    view.goal_editor(ctx)
with measures_tab:
    view.measures(ctx)
