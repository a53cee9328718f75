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
    share.Param("names", "namen", bool, default=True),
    share.Param("selected_area", "gebiet"),
)
title = presentation.title_slot(f"Übersichtskarte {ctx.kreis_name}")

levels = queries.levels(ctx.db, ctx.kreis_id)
settings = presentation.settings()  # presentation mode: folded away as "Einstellungen"
controls = settings.columns([5, 5], vertical_alignment="bottom")
level = controls[0].radio("Gebietsebene", levels, format_func=LEVEL_LABELS.get, horizontal=True, key="level")
options = indicators.listed_indicators(ctx.db, ctx.kreis_id, (level,), ctx.year)
if options.empty:
    st.info(f"Für {ctx.year} liegen auf dieser Ebene keine Kennzahlen vor. Bitte ein anderes Jahr wählen.")
    st.stop()
ids = options["indicator_id"].tolist()
if st.session_state.get("indicator") not in ids:
    st.session_state["indicator"] = indicators.default_indicator(ids)
indicator_id = controls[1].selectbox("Kennzahl", ids, format_func=indicators.picker_labels(options, "topic").get, key="indicator")
meta = queries.catalogue(ctx.db).loc[indicator_id]
presentation.headline(title, meta["label"], LEVEL_LABELS[level], ctx.year, ctx.kreis_name)

# the switches sit in the settings while presenting, else under the map; their values are needed for the map first
st.session_state.setdefault("names", True)
names, tiles = bool(st.session_state["names"]), bool(st.session_state.get("tiles", False))
view = overview_view.map_view(ctx, level, indicator_id, tiles, names, presentation.active())
selected = st.session_state.get("selected_area")
if selected is not None and selected not in set(view.shapes["area_id"]):
    selected = None  # an area of another level (or from an outdated link): nothing is selected on this map

result = map_component.show(
    view.map,
    key=f"overview-map-{level}",
    height=presentation.map_height(540),
    returned_objects=["last_active_drawing"],
    feature_group=overview_view.highlight_script(view, selected),
)
clicked = ((result or {}).get("last_active_drawing") or {}).get("properties", {}).get("area_id")
if clicked and clicked != selected:
    st.session_state["selected_area"] = clicked
    st.rerun()
switches = (settings if presentation.active() else st).columns([2, 2.4, 4, 2], vertical_alignment="center")
switches[0].toggle("Namen anzeigen", key="names", help="Namen der Gebiete in der Karte; bei Gedränge zuerst die großen.")
switches[1].toggle("Hintergrundkarte", key="tiles", help="OpenStreetMap-Kacheln laden (nur mit Internetzugang).")
with switches[3]:
    downloads.download_panel(
        "overview",
        figure=exports.map_export(ctx, level, indicator_id, ctx.year, highlight=[selected] if selected else ()),
        table=downloads.value_table(ctx.db, tuple(view.shapes["area_id"]), indicator_id, years=(ctx.year,)),
    )
st.caption(plain(" · ".join([view.attribution, *view.statistics_sources])))

# --- the chosen area (or the indicator) below the map ------------------------------------------------------------
details = area_profile.area_details(ctx, view.shapes, selected) if selected else None
if details is None:
    st.subheader(plain(meta["label"]))
    st.markdown(f"{plain(meta['definition'])}  \n*Quelle:* {plain(view.source)}")
    st.info("Gebiet in der Karte anklicken, um seine Kennzahlen zu sehen.", icon=":material/touch_app:")
else:
    facts, figures = details
    name = view.shapes.loc[view.shapes["area_id"] == selected, "name"].iloc[0]
    st.subheader(plain(name))
    about, table = st.columns([2, 3], gap="large")
    about.markdown("  \n".join(f"**{k}:** {plain(v)}" for k, v in facts.items()))
    table.dataframe(
        figures,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(figures), 560),
        column_config={"Kennzahl": st.column_config.TextColumn(width="large")},
    )
    about.caption(f"Werte {ctx.year}; Kreis = {plain(ctx.kreis_name)}.")
    with about:
        downloads.download_panel("overview_area", table=downloads.area_table(ctx.db, selected, ctx.year), label="Tabelle")
