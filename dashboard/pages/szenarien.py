"""Szenarien: where new offers reach the most people, and what an added, moved or closed offer changes."""
import streamlit as st

from dashboard import chain_view, share
from dashboard.markdown import plain
from planning import accessibility, coverage_dimensions, gaps, locations, queries, scenarios
from workspace import store_for

ctx, _ = chain_view.page_start(
    "Szenarien",
    "Was wäre, wenn ein Angebot dazukommt, umzieht oder schließt? Vorschläge, wo neue Angebote die meisten Menschen "
    "der Zielgruppe erreichen, und der Vergleich vorher/nachher. Die veröffentlichten Daten bleiben unverändert.",
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
    share.Param("sz_saved", "szenario"),
)
if st.session_state.get("sz_type") not in labels:
    st.session_state["sz_type"] = "kita" if "kita" in labels else next(iter(labels))
if st.session_state.get("sz_k") not in range(1, 6):
    st.session_state["sz_k"] = 3
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
st.subheader("Wo erreichen neue Angebote die meisten Menschen?")
suggestion = locations.suggest_for(ctx, offer_type, int(k), float(reach_km), social_id)
st.caption(plain(locations.summary_text(suggestion)))
if suggestion.sites.empty:
    st.info("Alle Menschen der Zielgruppe leben schon im Umkreis eines Angebots – kein Standort bringt mehr.", icon=":material/check_circle:")
else:
    st.dataframe(locations.sites_table(suggestion), hide_index=True, width="stretch", key="sz_sites")
with st.expander("So entstehen die Vorschläge", icon=":material/calculate:"):
    st.markdown(plain(suggestion.method_text))
    st.caption("Kandidaten: Mitte jeder Gemeinde und Schulen (öffentliche Gebäude) aus den Angebotslisten.")

# --- the scenario ---------------------------------------------------------------------------------------------------
st.subheader("Szenario")
saved = store.names(ctx.kreis_id)
if st.session_state.get("sz_saved") not in ["", *saved]:
    st.session_state["sz_saved"] = ""
pick, load_button = st.columns([5, 1.2], vertical_alignment="bottom")
chosen = pick.selectbox("Gespeicherte Szenarien", ["", *saved], format_func=lambda n: n or "(neues Szenario)", key="sz_saved")
current = st.session_state.get("sz_current")
if load_button.button("Laden", key="sz_load", disabled=not chosen) or (chosen and current is None):
    current = store.load(ctx.kreis_id, chosen)
if current is None or current.kreis_id != ctx.kreis_id:
    current = scenarios.Scenario("Neues Szenario", ctx.kreis_id)

geometry = queries.gemeinde_geometry(ctx.db, ctx.kreis_id)
gemeinde_names = dict(zip(geometry["area_id"], geometry["name"]))
with st.form("sz_add", border=True):
    st.markdown(f"**Angebot hinzufügen:** {plain(labels[offer_type])}")
    where, name_field, places = st.columns([3, 3, 1.4])
    gemeinde = where.selectbox("Gemeinde", list(gemeinde_names), format_func=gemeinde_names.get)
    name = name_field.text_input("Name", max_chars=80)
    capacity = places.number_input("Plätze (0 = unbekannt)", 0, 2000, 0)
    if st.form_submit_button("Hinzufügen", icon=":material/add_location:"):
        lon, lat = scenarios.gemeinde_place(geometry, gemeinde)
        change = scenarios.Change(scenarios.ADD, f"neu-{len(current.changes) + 1}", offer_type, name, lon, lat, capacity or None)
        current = current.with_change(change)
closable = scenarios.offer_choices(ctx.db, ctx.kreis_id, offer_type)
close_pick, close_button, take_button = st.columns([4, 1.4, 2.2], vertical_alignment="bottom")
to_close = close_pick.selectbox("Angebot schließen", ["", *closable], format_func=lambda i: closable.get(i, "(keines)"), key="sz_close")
if close_button.button("Schließen", key="sz_close_button", disabled=not to_close):
    current = current.with_change(scenarios.Change(scenarios.CLOSE, to_close, offer_type))
if take_button.button("Vorschläge übernehmen", key="sz_take", disabled=suggestion.sites.empty):
    current = scenarios.with_sites(current, suggestion.sites, offer_type, None)
st.session_state["sz_current"] = current

if current.changes:
    st.markdown("\n".join(f"- {plain(scenarios.change_text(c, labels))}" for c in current.changes))
    catchment = accessibility.AccessParams(accessibility.TWO_STEP, float(reach_km) * 1000)  # the chosen Reichweite
    comparison = scenarios.compare(ctx.db, ctx.kreis_id, current, offer_type, "gemeinde", catchment)
    st.markdown(f"**Vorher/nachher: {plain(labels[offer_type])}** (nur Gemeinden, die sich ändern)")
    st.dataframe(scenarios.comparison_table(comparison), hide_index=True, width="stretch", key="sz_compare")
    st.caption(plain(f"Erreichbarkeit: {comparison.unit} im Einzugsbereich. {comparison.method_text}"))
else:
    st.caption("Noch keine Änderung: ein Angebot hinzufügen, schließen oder die Vorschläge übernehmen.")

name_col, save_col, rename_col, delete_col, reset_col = st.columns([4, 1.3, 1.5, 1.2, 1.6], vertical_alignment="bottom")
save_name = name_col.text_input("Name des Szenarios", value=current.name, max_chars=80, key="sz_name")
if save_col.button("Speichern", key="sz_save", disabled=not current.changes or not save_name.strip()):
    store.save(scenarios.Scenario(save_name.strip(), ctx.kreis_id, current.changes, current.note))
    st.session_state["sz_current"] = scenarios.Scenario(save_name.strip(), ctx.kreis_id, current.changes, current.note)
    st.success(f"Gespeichert: {plain(save_name.strip())}", icon=":material/save:")
new_name = save_name.strip()
if rename_col.button("Umbenennen", key="sz_rename", disabled=not chosen or not new_name or new_name == chosen):
    if new_name in saved:
        st.error(f"Ein Szenario „{plain(new_name)}“ gibt es schon.", icon=":material/error:")
    else:
        store.rename(ctx.kreis_id, chosen, new_name)
        st.session_state["sz_current"] = store.load(ctx.kreis_id, new_name)
        del st.session_state["sz_saved"]
        st.rerun()
if delete_col.button("Löschen", key="sz_delete", disabled=not chosen):
    store.delete(ctx.kreis_id, chosen)
    st.session_state.pop("sz_current", None)
    st.rerun()
if reset_col.button("Neu beginnen", key="sz_reset"):
    st.session_state.pop("sz_current", None)
    st.rerun()
st.caption("Szenarien liegen in einer Datei neben der Datenbank. Unter neuem Namen speichern legt eine Kopie an; "
           "ein Link mit „szenario=…“ öffnet ein gespeichertes.")
