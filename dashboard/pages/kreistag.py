"""Kreistag: choose areas and indicators, get one PDF and one Word file with title page, maps, charts, tables, sources."""
import streamlit as st

from planning.context import LEVEL_LABELS
from dashboard import area_reports, context, downloads, goals_view, share
from planning import indicators, report_choices
from reports.kreistag import DEFAULT_TITLE

LATEST = 0  # 'each indicator's newest year' (None would show as an empty choice)

ctx = context.page_context()
share.bind(
    share.Param("kreistag_level", "ebene"),
    share.Param("kreistag_areas", "gebiete", many=True),
    share.Param("kreistag_indicators", "kennzahlen", many=True),
    share.Param("kreistag_year", "kartenjahr", int, default=LATEST),
    share.Param("kreistag_title", "titel", default=DEFAULT_TITLE),
)
st.title("Bericht für den Kreistag")
st.caption(
    "Gebiete und Kennzahlen wählen – ein Klick erstellt PDF und Word-Datei: Titelseite, je Kennzahl Definition, Karte, "
    "Diagramm und Tabelle mit Kreis und Land, zuletzt Quellen und Lizenzen."
)

level = area_reports.choose_level(ctx, "kreistag_level", LEVEL_LABELS)
names = report_choices.area_names(ctx, level)
options = report_choices.indicator_options(ctx, level)
ids = options["indicator_id"].tolist()
if "kreistag_areas" not in st.session_state:
    clicked = st.session_state.get("selected_area")
    st.session_state["kreistag_areas"] = [clicked] if clicked in names else []
if "kreistag_indicators" not in st.session_state:
    st.session_state["kreistag_indicators"] = report_choices.default_indicators(ids)

area_ids = st.multiselect(
    "Gebiete", list(names), format_func=names.get, key="kreistag_areas", placeholder="Gebiete wählen"
)
indicator_ids = st.multiselect(
    "Kennzahlen", ids, format_func=indicators.picker_labels(options, "topic").get,
    key="kreistag_indicators", placeholder="Kennzahlen wählen",
)  # fmt: skip
years = report_choices.map_years(ctx, level, indicator_ids)
if st.session_state.get("kreistag_year") not in years:
    st.session_state["kreistag_year"] = LATEST
options = st.columns([3, 1.4], gap="medium")
title = options[0].text_input("Titel", value=DEFAULT_TITLE, key="kreistag_title", max_chars=120)
year = options[1].selectbox(
    "Jahr der Karten", [LATEST, *years], key="kreistag_year",
    format_func=lambda y: "je Kennzahl das neueste" if y == LATEST else str(y),
) or None  # fmt: skip

goals = goals_view.goal_blocks(ctx)
with_goals = st.toggle("Zielübersicht anhängen", value=bool(goals), disabled=not goals, key="kreistag_goals",
                       help="Ziele und Maßnahmen mit ihrem Stand (Seite „Ziele & Maßnahmen“)" if goals else "Noch keine Ziele erfasst.")
missing = [what for what, chosen in (("ein Gebiet", area_ids), ("eine Kennzahl", indicator_ids)) if not chosen]
if missing:
    st.info(f"Bitte mindestens {' und '.join(missing)} wählen.", icon=":material/checklist:")
else:
    st.caption(f"{len(area_ids)} Gebiet(e), {len(indicator_ids)} Kennzahl(en): etwa {len(indicator_ids) + 2} Seiten.")
downloads.prepared_files(
    "kreistag",
    signature=(ctx.db, ctx.kreis_id, tuple(area_ids), tuple(indicator_ids), year, title, repr(goals) if with_goals else ""),
    build=lambda progress: area_reports.kreistag_files(ctx, area_ids, indicator_ids, year=year, title=title, progress=progress,
                                                       extra_blocks=goals if with_goals else ()),
    button="Bericht erstellen (PDF und Word)",
    working="Bericht wird erstellt …",
    progress=True,
    disabled=bool(missing),
)
