"""Übersichtskarte: Gemeinden or Sozialräume coloured by a population indicator; click for details."""
import streamlit as st

from planning.context import LEVEL_LABELS
from dashboard import context, downloads, exports, map_component, overview_view, presentation, share
from dashboard.markdown import plain
from planning import area_profile, indicators, queries

ctx = context.page_context()
share.bind(
    share.Param("level", "ebene"),
    share.Param("indicator", "kennzahl"),
    share.Param("tiles", "hintergrund", bool, default=False),
    share.Param("selected_area", "gebiet"),
)
st.title(f"Übersichtskarte {plain(ctx.kreis_name)}")

levels = queries.levels(ctx.db, ctx.kreis_id)
controls = st.columns([3, 4, 2, 2], vertical_alignment="bottom")
level = controls[0].radio(
    "Gebietsebene", levels, format_func=LEVEL_LABELS.get, horizontal=True, key="level"
)
options = indicators.listed_indicators(ctx.db, ctx.kreis_id, (level,), ctx.year)
if options.empty:
    st.info(f"Für {ctx.year} liegen auf dieser Ebene keine Kennzahlen vor. Bitte ein anderes Jahr wählen.")
    st.stop()
ids = options["indicator_id"].tolist()
if st.session_state.get("indicator") not in ids:
    st.session_state["indicator"] = indicators.default_indicator(ids)
indicator_id = controls[1].selectbox("Kennzahl", ids, format_func=indicators.picker_labels(options, "topic").get, key="indicator")
tiles = controls[2].toggle(
    "Hintergrundkarte", value=False, key="tiles", help="OpenStreetMap-Kacheln laden (nur mit Internetzugang)."
)

view = overview_view.map_view(ctx, level, indicator_id, tiles)
selected = st.session_state.get("selected_area")
if selected is not None and selected not in set(view.shapes["area_id"]):
    selected = None  # an area of another level (or from an outdated link): nothing is selected on this map
with controls[3]:
    downloads.download_panel(
        "overview",
        figure=exports.map_export(ctx, level, indicator_id, ctx.year, highlight=[selected] if selected else ()),
        table=downloads.value_table(ctx.db, tuple(view.shapes["area_id"]), indicator_id, years=(ctx.year,)),
    )

wide = presentation.active()  # presentation mode: the map over the whole width, the details below it
map_column, detail_column = (st.container(), st.container()) if wide else st.columns([3, 2], gap="medium")
with map_column:
    result = map_component.show(
        view.map,
        key=f"overview-map-{level}",
        height=presentation.map_height(620),
        returned_objects=["last_active_drawing"],
        feature_group=overview_view.highlight_script(view, selected),
    )
    clicked = ((result or {}).get("last_active_drawing") or {}).get("properties", {}).get("area_id")
    if clicked and clicked != selected:
        st.session_state["selected_area"] = clicked
        st.rerun()
    st.caption(plain(" · ".join([view.attribution, *view.statistics_sources])))

meta = queries.catalogue(ctx.db).loc[indicator_id]
with detail_column:
    details = area_profile.area_details(ctx, view.shapes, selected) if selected else None
    if details is None:
        st.subheader(plain(meta["label"]))
        st.markdown(f"{plain(meta['definition'])}  \n*Quelle:* {plain(meta['source'])}")
        st.info("Gebiet in der Karte anklicken, um seine Kennzahlen zu sehen.", icon=":material/touch_app:")
    else:
        facts, figures = details
        name = view.shapes.loc[view.shapes["area_id"] == selected, "name"].iloc[0]
        st.subheader(plain(name))
        st.markdown("  \n".join(f"**{k}:** {plain(v)}" for k, v in facts.items()))
        st.dataframe(
            figures,
            hide_index=True,
            width="stretch",
            height=min(38 + 35 * len(figures), 560),
            column_config={"Kennzahl": st.column_config.TextColumn(width="medium")},
        )
        st.caption(f"Werte {ctx.year}; Kreis = {plain(ctx.kreis_name)}.")
        downloads.download_panel("overview_area", table=downloads.area_table(ctx.db, selected, ctx.year), label="Tabelle")
