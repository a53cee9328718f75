"""Angebotskarte: offers for families as clustered points over a coverage choropleth; click an area for its figures."""
import streamlit as st
from streamlit_folium import st_folium

from dashboard import auth, context, offer_map, offer_panels, presentation, scenario_lens, share
from dashboard.markdown import plain
from planning import coverage, queries
from planning.context import LEVEL_LABELS
from planning.coverage_dimensions import OFFERS_HINT
from planning.formatting import number
from planning.offers import shown_offers, visible_offers

ctx = context.page_context()
share.bind(
    share.Param("offers_level", "ebene"),
    share.Param("offers_category", "versorgung"),
    share.Param("offers_metric", "kennzahl", default=coverage.DEFAULT_METRIC),
    share.Param("offers_distance", "umkreis", int, default=coverage.DEFAULT_DISTANCE_M),
    share.Param("offers_types", "arten", many=True),
    share.Param("offers_phases", "phasen", many=True),
    share.Param("offers_fields", "felder", many=True),
    share.Param("offers_traeger", "traeger", many=True),
    share.Param("offers_tiles", "hintergrund", bool, default=False),
    share.Param("offers_names", "namen", bool, default=True),
    share.Param("offers_area", "gebiet"),
    share.Param("offers_difference", "veraenderung", bool, default=False),
)
title = presentation.title_slot(f"Angebotskarte {ctx.kreis_name}")

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

# --- what the areas show (folded into "Einstellungen" while presenting) --------------------------------------------
settings = presentation.settings()
lens_row = settings.columns([3.4, 6.6], vertical_alignment="center")
scenario = scenario_lens.control(ctx, lens_row[0])
if scenario is not None:  # the banner stays in view while presenting (the settings are folded then)
    scenario_lens.banner(ctx, scenario, st if presentation.active() else lens_row[1])
controls = settings.columns([5, 5], vertical_alignment="bottom")
level = controls[0].radio(
    "Gebietsebene", queries.levels(ctx.db, ctx.kreis_id), format_func=LEVEL_LABELS.get, horizontal=True, key="offers_level"
)
captured = coverage.captured_keys(ctx)
categories = coverage.category_options(types, phases, captured)
if st.session_state.get("offers_category") not in categories:
    st.session_state["offers_category"] = coverage.default_category(ctx)
category_key = controls[1].selectbox("Versorgung für", list(categories), format_func=categories.get, key="offers_category")
metric_keys = coverage.metric_options(coverage.split_category(category_key)[0])
if st.session_state.get("offers_metric") not in metric_keys:
    st.session_state["offers_metric"] = coverage.DEFAULT_METRIC
measure = settings.columns([4.2, 3.4, 2.4], vertical_alignment="bottom")
metric_key = measure[0].selectbox(
    "Kennzahl", metric_keys, format_func=lambda k: coverage.METRICS[k].label, key="offers_metric",
    help="Entfernungen gibt es je Angebotsart (Luftlinie zum nächsten Angebot der Art).",
)  # fmt: skip
if st.session_state.get("offers_distance") not in coverage.DISTANCES_M:
    st.session_state["offers_distance"] = coverage.DEFAULT_DISTANCE_M
distance = measure[1].select_slider(
    "Umkreis", options=coverage.DISTANCES_M, format_func=coverage.distance_text, key="offers_distance",
    help="Für den Anteil der Zielgruppe, der ein Angebot in dieser Luftlinien-Entfernung hat.",
)  # fmt: skip

# --- which offers the points show ---------------------------------------------------------------------------------
with measure[2].popover(offer_panels.filter_label(), icon=":material/filter_alt:", width="stretch"):
    chosen = offer_panels.offer_filters(ctx, types, phases)
shown = shown_offers(ctx.db, ctx.kreis_id, chosen)
st.session_state.setdefault("offers_names", True)
tiles, names = bool(st.session_state.get("offers_tiles", False)), bool(st.session_state["offers_names"])  # toggles under the map
difference = scenario is not None and bool(st.session_state.get("offers_difference", False))  # toggle under the map
view = offer_map.chosen_view(ctx, level, category_key, metric_key, distance, chosen, tiles, names, presentation.active(), scenario, difference)
presentation.headline(title, view.title, LEVEL_LABELS[level], offer_map.headline_year(view), ctx.kreis_name)
if not view.captured:
    st.info(f"„{plain(coverage.category_options(types, phases)[category_key])}“: keine geladene Angebotsliste enthält diese Angebote – die Karte zeigt "
            f"deshalb kein Angebot, sondern „nicht erfasst“. {plain(OFFERS_HINT)}", icon=":material/help:")  # fmt: skip

area_ids = set(view.shapes["area_id"])
if st.session_state.get("offers_area") not in area_ids:
    st.session_state["offers_area"] = None
selected = st.session_state["offers_area"]

result = st_folium(
    view.fmap,
    key=f"offer-map-{level}",
    height=presentation.map_height(560),
    use_container_width=True,
    returned_objects=["last_active_drawing"],
    feature_group_to_add=offer_map.selected_outline(view, selected),
)
clicked = ((result or {}).get("last_active_drawing") or {}).get("properties", {}).get("area_id")
# act on a new click only: the map keeps returning its last click, which must not undo "Auswahl aufheben"
if clicked in area_ids and clicked != st.session_state.get("offers_last_click"):
    st.session_state["offers_last_click"] = st.session_state["offers_area"] = clicked
    st.rerun()
switches = (settings if presentation.active() else st).columns([2, 2.4, 4, 2], vertical_alignment="center")
switches[0].toggle("Namen anzeigen", key="offers_names", help="Namen der Gebiete in der Karte; bei Gedränge zuerst die großen.")
switches[1].toggle("Hintergrundkarte", key="offers_tiles", help="OpenStreetMap-Kacheln laden (nur mit Internetzugang).")
if scenario is not None:
    switches[2].toggle("Veränderung zeigen", key="offers_difference", help="Flächen nach nachher − vorher statt nach dem Wert mit dem Szenario.")
    scenario_lens.no_downloads(switches[3])
else:
    with switches[3]:
        offer_panels.download_panel(ctx, view, chosen, level, distance, shown)
filter_note = "" if not chosen.active else " (gefiltert)"
lens_note = " mit den Änderungen des Szenarios (+ ◆ ✕)" if scenario else ""
visible = visible_offers(ctx.db, ctx.kreis_id, auth.allowed("read_internal"))  # a viewer counts only what they may see
st.caption(
    f"Flächen: {plain(view.title)}. Punkte: {number(view.offers_shown)} von {number(len(visible))} Angeboten{filter_note}{lens_note}, "
    f"nach Handlungsfeld gefärbt, dicht liegende zusammengefasst (Zahl = Angebote). Punkt anklicken für Details."
)
st.caption(plain(" · ".join([view.attribution, *view.notes])))

if scenario is not None:
    offer_panels.scenario_panel(ctx, scenario, distance)
offer_panels.area_panel(ctx, level, selected, distance, shown, filter_note, published_only=scenario is not None)

# --- tables -------------------------------------------------------------------------------------------------------
offer_panels.offer_tables(ctx, view, chosen, report, published_only=scenario is not None)
