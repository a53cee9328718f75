"""Angebotskarte: offers for families as clustered points over a coverage choropleth; click an area for its figures."""
import streamlit as st
from streamlit_folium import st_folium

from planning.context import LEVEL_LABELS
from dashboard import context, downloads, maps, offer_map, presentation, share
from planning import queries
from planning.formatting import number
from reports.render import export_name

ctx = context.page_context()
share.bind(
    share.Param("offers_level", "ebene"),
    share.Param("offers_category", "versorgung", default=offer_map.DEFAULT_CATEGORY),
    share.Param("offers_metric", "kennzahl", default=offer_map.DEFAULT_METRIC),
    share.Param("offers_distance", "umkreis", int, default=offer_map.DEFAULT_DISTANCE_M),
    share.Param("offers_types", "arten", many=True),
    share.Param("offers_phases", "phasen", many=True),
    share.Param("offers_fields", "felder", many=True),
    share.Param("offers_traeger", "traeger", many=True),
    share.Param("offers_tiles", "hintergrund", bool, default=False),
    share.Param("offers_area", "gebiet"),
)
st.title(f"Angebotskarte {ctx.kreis_name}")

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
categories = offer_map.category_options(types, phases)
if st.session_state.get("offers_category") not in categories:
    st.session_state["offers_category"] = offer_map.DEFAULT_CATEGORY if offer_map.DEFAULT_CATEGORY in categories else next(iter(categories))
category_key = controls[1].selectbox("Versorgung für", list(categories), format_func=categories.get, key="offers_category")
metric_keys = offer_map.metric_options(offer_map.split_category(category_key)[0])
if st.session_state.get("offers_metric") not in metric_keys:
    st.session_state["offers_metric"] = offer_map.DEFAULT_METRIC
metric_key = controls[2].selectbox(
    "Kennzahl",
    metric_keys,
    format_func=lambda k: offer_map.METRICS[k].label,
    key="offers_metric",
    help="Entfernungen gibt es je Angebotsart (Luftlinie zum nächsten Angebot der Art).",
)
if st.session_state.get("offers_distance") not in offer_map.DISTANCES_M:
    st.session_state["offers_distance"] = offer_map.DEFAULT_DISTANCE_M
distance = controls[3].select_slider(
    "Umkreis", options=offer_map.DISTANCES_M, format_func=offer_map.distance_text, key="offers_distance",
    help="Für den Anteil der Zielgruppe, der ein Angebot in dieser Luftlinien-Entfernung hat.",
)  # fmt: skip

# --- which offers the points show ---------------------------------------------------------------------------------
filters = st.columns(4)
type_counts = offer_map.counted(offers["offer_type"], types["offer_type"].tolist())
phase_counts = offer_map.phase_counts(offers, phases["phase_id"].tolist())
field_counts = offer_map.counted(offers["handlungsfeld"], list(dict.fromkeys(types["handlungsfeld"])))
traeger_counts = offer_map.counted(offer_map.traeger_names(offers))
for key, known in (("offers_types", type_counts), ("offers_phases", phase_counts), ("offers_fields", field_counts), ("offers_traeger", traeger_counts)):
    if any(v not in known for v in st.session_state.get(key) or []):  # e.g. from a link made with another list
        st.session_state[key] = [v for v in st.session_state[key] if v in known]
chosen = offer_map.OfferFilter(
    types=tuple(filters[0].multiselect(
        "Angebotsart", list(type_counts), format_func=lambda t: f"{types.loc[t, 'label']} ({type_counts[t]})",
        key="offers_types", placeholder="alle",
    )),
    phases=tuple(filters[1].multiselect(
        "Lebensphase", list(phase_counts), format_func=lambda p: f"{phases.loc[p, 'label']} ({phase_counts[p]})",
        key="offers_phases", placeholder="alle",
    )),
    fields=tuple(filters[2].multiselect(
        "Handlungsfeld", list(field_counts), format_func=lambda f: f"{f} ({field_counts[f]})", key="offers_fields", placeholder="alle"
    )),
    traeger=tuple(filters[3].multiselect(
        "Träger", list(traeger_counts), format_func=lambda t: f"{t} ({traeger_counts[t]})", key="offers_traeger", placeholder="alle"
    )),
)  # fmt: skip
shown = offer_map.filter_offers(offers, chosen)
tiles = bool(st.session_state.get("offers_tiles", False))  # the toggle sits under the map

view = offer_map.build_view(ctx, level, category_key, metric_key, distance, shown, tiles)


@st.fragment  # choosing width or resolution reruns only the panel
def download_panel() -> None:
    """The map for print (PNG/SVG/PDF) and the offers and the areas' coverage as German CSV."""
    header = offer_map.export_header(ctx, view, chosen)
    with st.popover("Herunterladen", icon=":material/download:", width="stretch"):
        st.markdown("**Karte**")
        highlight = (st.session_state["offers_area"],) if st.session_state.get("offers_area") else ()
        downloads.figure_buttons(offer_map.map_export(ctx, view, level, shown, highlight), "offers_map")
        st.markdown("**Tabellen** (CSV: Semikolon, Dezimalkomma)")
        for label, name, title, make in [
            (f"Angebote ({number(len(shown))})", "angebote", f"Angebote – {ctx.kreis_name}", lambda: offer_map.offers_export(shown)),
            (f"Versorgung der {LEVEL_LABELS[level]}", f"versorgung_{level}", f"{view.title} – {ctx.kreis_name}",
             lambda: offer_map.level_export(view, level, distance)),
        ]:  # fmt: skip
            st.download_button(
                label, lambda title=title, make=make: offer_map.german_csv(title, header, make()),
                file_name=export_name(name, ctx.kreis_name, ext="csv"), mime="text/csv", on_click="ignore",
                icon=":material/download:", width="stretch", key=f"offers_csv_{name}",
            )  # fmt: skip
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
        feature_group_to_add=maps.highlight(view.shapes[view.shapes["area_id"] == selected]) if selected else None,
    )
    clicked = ((result or {}).get("last_active_drawing") or {}).get("properties", {}).get("area_id")
    # act on a new click only: the map keeps returning its last click, which must not undo "Auswahl aufheben"
    if clicked in area_ids and clicked != st.session_state.get("offers_last_click"):
        st.session_state["offers_last_click"] = st.session_state["offers_area"] = clicked
        st.rerun()
    below_map = st.columns([3, 2], vertical_alignment="center")
    below_map[0].toggle("Hintergrundkarte", value=False, key="offers_tiles", help="OpenStreetMap-Kacheln laden (nur mit Internetzugang).")
    with below_map[1]:
        download_panel()
    filter_note = "" if not chosen.active else " (gefiltert)"
    st.caption(
        f"Flächen: {view.title}. Punkte: {number(view.offers_shown)} von {number(len(offers))} Angeboten{filter_note}, "
        f"nach Handlungsfeld gefärbt, dicht liegende zusammengefasst (Zahl = Angebote). Punkt anklicken für Details."
    )
    st.caption(" · ".join([view.attribution, *view.notes]))

with detail_column:
    detail = offer_map.area_detail(ctx, level, selected, distance, shown) if selected else None
    if detail is None:
        detail = offer_map.area_detail(ctx, "kreis", ctx.kreis_id, distance, shown)
        st.subheader(f"{detail.name} insgesamt")
        st.info("Gebiet in der Karte anklicken, um seine Versorgung zu sehen.", icon=":material/touch_app:")
    else:
        st.subheader(detail.name)

        def _clear_selection() -> None:
            st.session_state["offers_area"] = None

        st.button("Auswahl aufheben", key="offers_clear", on_click=_clear_selection, icon=":material/close:")
    st.markdown("  \n".join(f"**{k}:** {v}" for k, v in detail.facts.items()))
    st.markdown("**Versorgung je Angebotsart**")
    st.dataframe(
        detail.coverage, hide_index=True, width="stretch", height=min(38 + 35 * len(detail.coverage), 390),
        column_config={"Angebotsart": st.column_config.TextColumn(width="medium")},
    )  # fmt: skip
    st.caption(
        "Je 1.000 und Versorgungsquote (Kapazität je 100) beziehen sich auf die Zielgruppe der Angebotsart; "
        "Entfernung: bevölkerungsgewichtete Luftlinie zum nächsten Angebot der Art im Kreis."
    )
    if selected:  # the Kreis's offers are the table below the map
        st.markdown(f"**Angebote im Gebiet ({number(len(detail.offers))}{filter_note})**")
        st.dataframe(
            offer_map.offers_table(detail.offers)[["Name", "Angebotsart", "Träger", "Kapazität"]], hide_index=True,
            width="stretch", height=min(38 + 35 * max(len(detail.offers), 1), 320),
        )  # fmt: skip

# --- tables -------------------------------------------------------------------------------------------------------
offers_tab, report_tab = st.tabs([f"Angebote ({number(len(shown))})", f"Importbericht ({number(len(report))})"])
with offers_tab:
    table = offer_map.offers_table(shown)
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * max(len(table), 1), 560))
    st.caption(view.attribution.split(" · ", 1)[-1])
with report_tab:
    if report.empty:
        st.success("Alle Zeilen der Angebotslisten wurden unverändert geladen.", icon=":material/check_circle:")
    else:
        st.markdown(
            "Zeilen der Angebotslisten, die nicht so geladen wurden, wie sie in der Datei stehen – "
            "mit Zeile, Spalte, Problem und was mit ihnen geschah."
        )
        counts = offer_map.action_counts(report)
        for column, (action, n) in zip(st.columns(len(counts)), counts.items()):
            column.metric(action, number(n))
        st.dataframe(
            offer_map.import_report_table(report), hide_index=True, width="stretch",
            height=min(38 + 35 * len(report), 420), column_config={"Problem": st.column_config.TextColumn(width="large")},
        )  # fmt: skip
        st.download_button(
            "Importbericht als CSV",
            data=offer_map.import_report_csv(report, ctx.kreis_name),
            file_name=f"importbericht_angebote_{ctx.kreis_id}.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
            key="offers_report_csv",
        )
