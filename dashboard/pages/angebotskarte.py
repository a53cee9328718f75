"""Angebotskarte: offers for families as clustered points over a coverage choropleth; click an area for its figures."""
import streamlit as st
from streamlit_folium import st_folium

from dashboard import context, offer_map, offer_panels, presentation, share
from dashboard.markdown import plain
from planning import coverage, queries
from planning.context import LEVEL_LABELS
from planning.formatting import number
from planning.offers import shown_offers

ctx = context.page_context()
share.bind(
    share.Param("offers_level", "ebene"),
    share.Param("offers_category", "versorgung", default=coverage.DEFAULT_CATEGORY),
    share.Param("offers_metric", "kennzahl", default=coverage.DEFAULT_METRIC),
    share.Param("offers_distance", "umkreis", int, default=coverage.DEFAULT_DISTANCE_M),
    share.Param("offers_types", "arten", many=True),
    share.Param("offers_phases", "phasen", many=True),
    share.Param("offers_fields", "felder", many=True),
    share.Param("offers_traeger", "traeger", many=True),
    share.Param("offers_tiles", "hintergrund", bool, default=False),
    share.Param("offers_area", "gebiet"),
)
st.title(f"Angebotskarte {plain(ctx.kreis_name)}")

offers = queries.offers(ctx.db, ctx.kreis_id)
report = queries.import_report(ctx.db, ctx.kreis_id)
if offers.empty and report.empty:
    st.info(
        "Für diesen Kreis ist keine Angebotsliste geladen. Angebotslisten werden in der Kreis-Konfiguration "
        "unter `[[offers]]` genannt (siehe docs/OFFERS.md) und mit `python -m etl build` eingelesen.",
        icon=":material/location_off:",
    )
    st.stop()
types = queries.offer_types(ctx.db)
phases = queries.lebensphasen(ctx.db)

# --- what the areas show ------------------------------------------------------------------------------------------
controls = st.columns([4.4, 4, 3.4, 2.4])
level = controls[0].radio(
    "Gebietsebene", queries.levels(ctx.db, ctx.kreis_id), format_func=LEVEL_LABELS.get, horizontal=True, key="offers_level"
)
categories = coverage.category_options(types, phases)
if st.session_state.get("offers_category") not in categories:
    st.session_state["offers_category"] = coverage.DEFAULT_CATEGORY if coverage.DEFAULT_CATEGORY in categories else next(iter(categories))
category_key = controls[1].selectbox("Versorgung für", list(categories), format_func=categories.get, key="offers_category")
metric_keys = coverage.metric_options(coverage.split_category(category_key)[0])
if st.session_state.get("offers_metric") not in metric_keys:
    st.session_state["offers_metric"] = coverage.DEFAULT_METRIC
metric_key = controls[2].selectbox(
    "Kennzahl",
    metric_keys,
    format_func=lambda k: coverage.METRICS[k].label,
    key="offers_metric",
    help="Entfernungen gibt es je Angebotsart (Luftlinie zum nächsten Angebot der Art).",
)
if st.session_state.get("offers_distance") not in coverage.DISTANCES_M:
    st.session_state["offers_distance"] = coverage.DEFAULT_DISTANCE_M
distance = controls[3].select_slider(
    "Umkreis", options=coverage.DISTANCES_M, format_func=coverage.distance_text, key="offers_distance",
    help="Für den Anteil der Zielgruppe, der ein Angebot in dieser Luftlinien-Entfernung hat.",
)  # fmt: skip

# --- which offers the points show ---------------------------------------------------------------------------------
chosen = offer_panels.offer_filters(ctx, types, phases)
shown = shown_offers(ctx.db, ctx.kreis_id, chosen)
tiles = bool(st.session_state.get("offers_tiles", False))  # the toggle sits under the map
view = offer_map.chosen_view(ctx, level, category_key, metric_key, distance, chosen, tiles)

area_ids = set(view.shapes["area_id"])
if st.session_state.get("offers_area") not in area_ids:
    st.session_state["offers_area"] = None
selected = st.session_state["offers_area"]

wide = presentation.active()  # presentation mode: the map over the whole width, the details below it
map_column, detail_column = (st.container(), st.container()) if wide else st.columns([3, 2], gap="medium")
with map_column:
    result = st_folium(
        view.fmap,
        key=f"offer-map-{level}",
        height=presentation.map_height(640),
        use_container_width=True,
        returned_objects=["last_active_drawing"],
        feature_group_to_add=offer_map.selected_outline(view, selected),
    )
    clicked = ((result or {}).get("last_active_drawing") or {}).get("properties", {}).get("area_id")
    # act on a new click only: the map keeps returning its last click, which must not undo "Auswahl aufheben"
    if clicked in area_ids and clicked != st.session_state.get("offers_last_click"):
        st.session_state["offers_last_click"] = st.session_state["offers_area"] = clicked
        st.rerun()
    below_map = st.columns([3, 2], vertical_alignment="center")
    below_map[0].toggle("Hintergrundkarte", value=False, key="offers_tiles", help="OpenStreetMap-Kacheln laden (nur mit Internetzugang).")
    with below_map[1]:
        offer_panels.download_panel(ctx, view, chosen, level, distance, shown)
    filter_note = "" if not chosen.active else " (gefiltert)"
    st.caption(
        f"Flächen: {view.title}. Punkte: {number(view.offers_shown)} von {number(len(offers))} Angeboten{filter_note}, "
        f"nach Handlungsfeld gefärbt, dicht liegende zusammengefasst (Zahl = Angebote). Punkt anklicken für Details."
    )
    st.caption(plain(" · ".join([view.attribution, *view.notes])))

with detail_column:
    offer_panels.area_panel(ctx, level, selected, distance, shown, filter_note)

# --- tables -------------------------------------------------------------------------------------------------------
offer_panels.offer_tables(ctx, view, chosen, report)
