"""Szenarien: where new offers reach the most people, and what an added, moved or closed offer changes."""
import streamlit as st

from dashboard import chain_view, map_component, scenario_view, share
from dashboard.markdown import plain
from planning import accessibility, coverage_dimensions, gaps, locations, queries, scenarios
from workspace import store_for

ctx, _ = chain_view.page_start(
    "Szenarien",
    "Was wäre, wenn ein Angebot dazukommt, umzieht oder schließt? Vorschläge, wo neue Angebote am meisten bringen – die "
    "meisten Menschen in Reichweite oder die kürzesten Wege –, und der Vergleich vorher/nachher. Die veröffentlichten "
    "Daten bleiben unverändert.",
)
types = queries.offer_types(ctx.db)
labels = dict(zip(types["offer_type"], types["label"]))
store = store_for(ctx.db.path)
catalogue = queries.catalogue(ctx.db)
social_ids, default_social = gaps.social_choices(ctx, "gemeinde")
share.bind(
    share.Param("sz_type", "art", default="kita"),
    share.Param("sz_k", "anzahl", int, default=3, choices=range(1, 6)),
    share.Param("sz_km", "km", int, default=coverage_dimensions.DEFAULT_DISTANCE_KM),
    share.Param("sz_social", "sozial"),
    share.Param("sz_goal", "ziel", default=locations.MCLP, choices=list(locations.OBJECTIVES)),
    share.Param("sz_saved", "szenario"),
)
if st.session_state.get("sz_type") not in labels:
    st.session_state["sz_type"] = "kita" if "kita" in labels else next(iter(labels))
if st.session_state.get("sz_k") not in range(1, 6):
    st.session_state["sz_k"] = 3
if st.session_state.get("sz_goal") not in locations.OBJECTIVES:
    st.session_state["sz_goal"] = locations.MCLP
if st.session_state.get("sz_social") not in social_ids:
    st.session_state["sz_social"] = default_social
st.session_state["sz_km"] = coverage_dimensions.distance_or_default(st.session_state.get("sz_km"))

top = st.columns([3.2, 1.4, 2.6, 3])
offer_type = top[0].selectbox("Angebotsart", list(labels), format_func=labels.get, key="sz_type")
k = top[1].selectbox("Neue Standorte", [1, 2, 3, 4, 5], key="sz_k")
reach_km = top[2].slider("Reichweite (Luftlinie, km)", *coverage_dimensions.DISTANCE_RANGE_KM, key="sz_km")
social_id = top[3].selectbox(
    "Soziale Lage gewichten mit", social_ids, key="sz_social",
    format_func=lambda i: "nicht gewichten" if i == gaps.NO_SOCIAL else catalogue.loc[i, "label"],
)  # fmt: skip

# --- suggested locations ------------------------------------------------------------------------------------------
st.subheader("Wo sollen neue Angebote hin?")
goal = st.radio("Ziel der Vorschläge", list(locations.OBJECTIVES), format_func=locations.OBJECTIVES.get, horizontal=True,
                key="sz_goal", help=scenario_view.GOAL_HELP)  # fmt: skip
suggestion = locations.suggest_for(ctx, offer_type, int(k), float(reach_km), social_id, goal)
scenario_view.show_suggestion(suggestion)

# --- the scenario ---------------------------------------------------------------------------------------------------
st.subheader("Szenario")
saved = store.names(ctx.kreis_id)
if st.session_state.get("sz_saved") not in [None, "", *saved]:  # a link to a scenario nobody saved (yet)
    st.warning(plain(scenario_view.unsaved_link_text(str(st.session_state["sz_saved"]))), icon=":material/link_off:")
if st.session_state.get("sz_saved") not in ["", *saved]:
    st.session_state["sz_saved"] = ""
pick, load_button = st.columns([5, 1.2], vertical_alignment="bottom")
chosen = pick.selectbox("Gespeicherte Szenarien", ["", *saved], format_func=lambda n: n or "(neues Szenario)", key="sz_saved")
current = st.session_state.get("sz_current")
if load_button.button("Laden", key="sz_load", disabled=not chosen) or (chosen and current is None):
    current = store.load(ctx.kreis_id, chosen)
if current is None or current.kreis_id != ctx.kreis_id:
    current = scenarios.Scenario("Neues Szenario", ctx.kreis_id)
st.session_state["sz_current"] = current

type_label = labels[offer_type]
shown = scenario_view.click_map(ctx, current, offer_type, type_label, scenario_view.suggestion_marks(suggestion, current))
scenario_view.take_click(map_component.show(shown.map, key="sz_map", height=460, returned_objects=["last_clicked"]))
added = scenario_view.add_offer_form(ctx, current, offer_type, type_label)
added = scenario_view.change_offer_form(ctx, current, offer_type) or added
if st.button("Vorschläge übernehmen", key="sz_take", disabled=suggestion.sites.empty):
    st.session_state["sz_current"] = scenarios.with_sites(current, suggestion.sites, offer_type, None)
    st.rerun()
if added is not None:  # again from the top: the map shows the changed scenario
    st.session_state["sz_current"] = current.with_change(added)
    st.session_state.pop("sz_place", None)
    st.rerun()

if current.changes:
    st.markdown("\n".join(f"- {plain(scenarios.change_text(c, labels))}" for c in current.changes))
    catchment = accessibility.AccessParams(accessibility.TWO_STEP, float(reach_km) * 1000)  # the chosen Reichweite
    comparison = scenarios.compare(ctx.db, ctx.kreis_id, current, offer_type, "gemeinde", catchment)
    st.markdown(f"**Vorher/nachher: {plain(type_label)}** (nur Gemeinden, die sich ändern)")
    st.dataframe(scenarios.comparison_table(comparison), hide_index=True, width="stretch", key="sz_compare")
    st.caption(plain(f"Erreichbarkeit: {comparison.unit} im Einzugsbereich. {comparison.method_text}"))
    measure = st.radio("Differenzkarte", list(scenario_view.MEASURES), format_func=scenario_view.MEASURES.get, horizontal=True, key="sz_measure")
    difference = scenario_view.difference_map(ctx, current, offer_type, catchment, measure, type_label)
    map_component.show(difference.map, key="sz_difference", height=460)
    scenario_view.planning_effects(ctx, current, labels, social_id)
    scenario_view.export_buttons(ctx, current, offer_type, catchment, social_id)
else:
    st.caption("Noch keine Änderung: in die Karte klicken und ein Angebot hinzufügen, eines schließen oder die Vorschläge übernehmen.")

scenario_view.manage_buttons(store, ctx, current, chosen, saved)
if scenario_view.is_unsaved(store, st.session_state["sz_current"]):
    st.caption("Noch nicht gespeichert: ein Link zu dieser Ansicht öffnet das Szenario erst, wenn es gespeichert ist.")
st.caption("Szenarien werden im Arbeitsbereich der Datenbank gespeichert und bleiben über Veröffentlichungen hinweg "
           "erhalten. Unter neuem Namen speichern legt eine Kopie an; ein Link mit „szenario=…“ öffnet ein gespeichertes.")
