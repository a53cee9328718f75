"""Indikatoren: find an indicator in the catalogue, see it as map, ranking, time series and table, compared with the Kreis."""
import streamlit as st

from dashboard import context, downloads, explorer_view, exports, map_component, presentation, share
from dashboard.markdown import plain
from planning import area_values, classification, indicators

ctx = context.page_context()
share.bind(
    share.Param("explorer_topics", "themen", many=True),
    share.Param("explorer_search", "suche"),
    share.Param("explorer_indicator", "kennzahl"),
    share.Param("explorer_level", "ebene"),
    share.Param("explorer_scheme", "klassen", default="quantile", choices=classification.SCHEMES),
    share.Param("explorer_k", "anzahl", int, default=5, choices=explorer_view.CLASS_COUNTS),
    share.Param("explorer_names", "namen", bool, default=True),
)
title = presentation.title_slot(f"Indikatoren {ctx.kreis_name} – {ctx.year}")  # presenting: the headline below
top = st.container()  # presentation mode: map and ranking go here, above the search

available = indicators.searchable_indicators(ctx)
if available.empty:
    st.info("Für diesen Kreis liegen keine Kennzahlen unterhalb der Kreisebene vor.")
    st.stop()

# --- find ---------------------------------------------------------------------------------------------------------
filters = st.columns([2, 3])
chosen_topics = filters[0].multiselect("Themen", indicators.topics(available), key="explorer_topics", placeholder="alle Themen")
search = filters[1].text_input(
    "Suche in Bezeichnung und Definition", key="explorer_search", placeholder="z. B. Kinder, Anteil, SGB II"
)
matches = indicators.matching_indicators(ctx.db, ctx.kreis_id, tuple(chosen_topics), search or "")
if matches.empty:
    st.info("Keine Kennzahl passt zu Thema und Suchtext. Filter lockern oder Suchtext ändern.", icon=":material/search_off:")
    st.stop()
ids = matches["indicator_id"].tolist()
explorer_view.show_hit_list(matches, len(available))
if st.session_state.get("explorer_indicator") not in ids:
    st.session_state["explorer_indicator"] = indicators.default_indicator(ids)

pickers = st.columns([4.6, 4.4])
indicator_id = pickers[0].selectbox("Kennzahl", ids, format_func=indicators.picker_labels(matches).get, key="explorer_indicator")
label = matches.loc[indicator_id, "label"]
years = indicators.indicator_years(ctx.db, ctx.kreis_id, indicator_id)
if not years:
    st.info(f"„{plain(label)}“ hat für diesen Kreis unterhalb der Kreisebene keine Werte.")
    st.stop()


def _share_year(year: int) -> None:
    """The one year control is the sidebar's: the button makes the indicator's latest year the shared year (a
    callback, before the sidebar is drawn on the next run)."""
    st.session_state["year"] = year


# One year for all pages: the sidebar's. Where the indicator has no value then, the page says so and offers its
# latest year instead of silently showing another year than the sidebar.
if offer := indicators.year_offer(label, years, ctx.year):
    st.info(plain(offer), icon=":material/event_busy:")
    st.button(f"Kennzahl in ihrem neuesten Jahr zeigen ({years[0]})", on_click=_share_year, args=(years[0],),
              key="explorer_latest_year", icon=":material/update:")  # fmt: skip
    st.stop()
year = ctx.year
levels = indicators.indicator_levels(ctx.db, ctx.kreis_id, indicator_id, year)
if st.session_state.get("explorer_level") not in levels:
    st.session_state["explorer_level"] = indicators.default_level(levels)
level = pickers[1].radio("Gebietsebene", levels, format_func=indicators.level_label, horizontal=True, key="explorer_level")
st.caption(f"Jahr {year} (für alle Seiten in der Seitenleiste gewählt) · Jahre mit Werten dieser Kennzahl: {indicators.years_text(years)}")

# --- about the indicator ------------------------------------------------------------------------------------------
map_controls = st.session_state.get("explorer_scheme", "quantile"), st.session_state.get("explorer_k", 5)
map_style = {"names": st.session_state.setdefault("explorer_names", True), "large": presentation.active()}
view = explorer_view.build_view(ctx, indicator_id, year, level, *map_controls, **map_style)
explorer_view.show_about(view)
explorer_view.show_references(view)

# --- map and ranking ------------------------------------------------------------------------------------------------
presentation.headline(title, label, indicators.level_label(level), year, ctx.kreis_name)
with top if presentation.active() else st.container():  # the map over the whole width, the ranking below it
    classing = presentation.settings().columns([3.2, 2.4, 2.2, 1.6], vertical_alignment="bottom")
    scheme = classing[0].selectbox("Klassenbildung", list(classification.SCHEMES), format_func=classification.SCHEMES.get,
                                   key="explorer_scheme", disabled=bool(view.rule_note), help=view.rule_note or None)  # fmt: skip
    st.session_state.setdefault("explorer_k", 5)
    k = classing[1].select_slider("Klassen", options=explorer_view.CLASS_COUNTS, key="explorer_k", disabled=bool(view.rule_note))
    classing[2].toggle("Namen anzeigen", key="explorer_names", help="Namen der Gebiete in der Karte; bei Gedränge zuerst die großen.")
    if (scheme, k) != map_controls:  # only on a first run with non-default state; widgets own the values after
        view = explorer_view.build_view(ctx, indicator_id, year, level, scheme, k, **map_style)
    values_table = downloads.value_table(ctx.db, tuple(view.frame["area_id"]), indicator_id, years=(year,))
    with classing[3]:
        downloads.download_panel(
            "explorer_map", figure=exports.map_export(ctx, level, indicator_id, year, scheme=scheme, k=k), table=values_table,
            label="Karte",
        )  # fmt: skip
    map_component.show(view.map, key=f"explorer-map-{level}", height=presentation.map_height(560))
    ranking_column = st.container()
with ranking_column:
    heading = st.columns([3, 1.3], vertical_alignment="bottom")
    heading[0].markdown(f"**Rangfolge der {indicators.level_label(level)}**")
    with heading[1]:
        downloads.download_panel("explorer_ranking", figure=exports.ranking_export(ctx, level, indicator_id, year), label="Grafik")
    with st.container(height=presentation.map_height(640), border=False):
        explorer_view.chart(view.ranking, "explorer_ranking")
    if view.missing_text:
        st.caption(plain(view.missing_text))
st.caption(explorer_view.comparison_note(view.meta))

# --- time series and table -----------------------------------------------------------------------------------------
st.subheader("Zeitreihe")
names = explorer_view.series_names(ctx, view, indicator_id)
series_key = f"explorer_series_{indicator_id}_{level}"  # new indicator or level: the default areas again
share.bind(share.Param(series_key, "gebiete", many=True))
chosen = st.multiselect(
    "Gebiete",
    list(names),
    default=None if series_key in st.session_state else area_values.default_series_areas(ctx, view),
    format_func=names.get,
    key=series_key,
)
if chosen:
    downloads.download_panel("explorer_series", figure=exports.series_export(ctx, level, indicator_id, chosen), label="Grafik")
    explorer_view.show_series(ctx, view, indicator_id, chosen)
else:
    st.caption("Gebiete auswählen, um ihre Zeitreihe zu sehen.")

table_heading = st.columns([6, 1], vertical_alignment="bottom")
table_heading[0].subheader(f"Tabelle {year}")
with table_heading[1]:
    downloads.download_panel("explorer_table", table=values_table, label="Tabelle")
explorer_view.show_table(view)
st.caption(plain(" · ".join([view.attribution, *view.statistics_sources])))
