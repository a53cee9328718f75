"""Indikatoren: find an indicator in the catalogue, see it as map, ranking, time series and table, compared with the Kreis."""
import streamlit as st
from streamlit_folium import st_folium

from planning.context import LEVEL_SINGULAR
from dashboard import context, downloads, explorer, exports, maps, presentation, share
from planning import classification, comparison, queries
from planning.formatting import short_unit

ctx = context.page_context()
share.bind(
    share.Param("explorer_topics", "themen", many=True),
    share.Param("explorer_search", "suche"),
    share.Param("explorer_indicator", "kennzahl"),
    share.Param("explorer_level", "ebene"),
    share.Param("explorer_scheme", "klassen", default="quantile"),
    share.Param("explorer_k", "anzahl", int, default=5),
)
st.title(f"Indikatoren {ctx.kreis_name}")
top = st.container()  # presentation mode: map and ranking go here, above the search

available = explorer.searchable_indicators(ctx)
if available.empty:
    st.info("Für diesen Kreis liegen keine Kennzahlen unterhalb der Kreisebene vor.")
    st.stop()

# --- find ---------------------------------------------------------------------------------------------------------
filters = st.columns([2, 3])
chosen_topics = filters[0].multiselect("Themen", explorer.topics(available), key="explorer_topics", placeholder="alle Themen")
search = filters[1].text_input(
    "Suche in Bezeichnung und Definition", key="explorer_search", placeholder="z. B. Kinder, Anteil, SGB II"
)
matches = explorer.filter_catalogue(available, chosen_topics, search)
if matches.empty:
    st.info("Keine Kennzahl passt zu Thema und Suchtext. Filter lockern oder Suchtext ändern.", icon=":material/search_off:")
    st.stop()
ids = matches["indicator_id"].tolist()
st.session_state["_explorer_list_ids"] = ids


def _pick_from_list() -> None:
    """A click on a row of the hit list picks that indicator (runs before the next script run)."""
    rows = st.session_state["explorer_list"].selection.rows
    listed = st.session_state.get("_explorer_list_ids", [])
    if rows and rows[0] < len(listed):
        st.session_state["explorer_indicator"] = listed[rows[0]]


st.caption(f"{len(matches)} von {len(available)} Kennzahlen – Zeile anklicken oder unten auswählen")
st.dataframe(
    explorer.catalogue_list(matches),
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * len(matches), 213),
    key="explorer_list",
    on_select=_pick_from_list,
    selection_mode="single-row",
    column_config={
        "Kennzahl": st.column_config.TextColumn(width="large"),
        "Einheit": st.column_config.TextColumn(width="medium"),
        "Thema": st.column_config.TextColumn(width="medium"),
    },
)
if st.session_state.get("explorer_indicator") not in ids:
    st.session_state["explorer_indicator"] = explorer.default_indicator(ids)

pickers = st.columns([4.2, 1.1, 3.7])
indicator_id = pickers[0].selectbox(
    "Kennzahl", ids, format_func=lambda i: f"{matches.loc[i, 'label']} ({matches.loc[i, 'unit']})", key="explorer_indicator"
)
meta = queries.catalogue(ctx.db).loc[indicator_id]
series = queries.indicator_series(ctx.db, ctx.kreis_id, indicator_id)
years = explorer.years_with_values(series)
if not years:
    st.info(f"„{meta['label']}“ hat für diesen Kreis unterhalb der Kreisebene keine Werte.")
    st.stop()

# The page offers only the indicator's years and shows the sidebar's shared year whenever the indicator has it
# (else its latest year, and says so). A year picked here becomes the shared year (callback, before the sidebar
# is drawn on the next run), so both pickers always agree.
st.session_state["explorer_year"] = explorer.choose_year(years, ctx.year)


def _share_year() -> None:
    st.session_state["year"] = st.session_state["explorer_year"]


year = pickers[1].selectbox(
    "Jahr", years, key="explorer_year", on_change=_share_year, help="Nur Jahre, in denen die Kennzahl Werte hat."
)
levels = explorer.levels_with_values(series, year)
if st.session_state.get("explorer_level") not in levels:
    st.session_state["explorer_level"] = explorer.default_level(levels)
level = pickers[2].radio("Gebietsebene", levels, format_func=explorer.level_label, horizontal=True, key="explorer_level")
if year != ctx.year:
    st.info(
        f"Für „{meta['label']}“ gibt es {ctx.year} keine Werte; gezeigt wird {year}, das letzte Jahr mit Werten.",
        icon=":material/event_busy:",
    )

# --- about the indicator ------------------------------------------------------------------------------------------
map_controls = st.session_state.get("explorer_scheme", "quantile"), st.session_state.get("explorer_k", 5)
view = explorer.build_view(ctx, indicator_id, year, level, *map_controls)
land_rows = queries.land_series(ctx.db, ctx.kreis_id, indicator_id)
facts = explorer.metadata(meta, queries.catalogue(ctx.db), view.sources, years, catalogue_vintage=not ctx.demo)
with st.container(border=True):
    st.markdown(f"#### {meta['label']}")
    about = st.columns([3, 2], gap="large")
    first = ("Definition", "Art", "Bewertung")
    about[0].markdown("  \n".join(f"**{k}:** {v}" for k, v in facts.items() if k in first))
    about[1].markdown("  \n".join(f"**{k}:** {v}" for k, v in facts.items() if k not in first))

unit_note = "" if not meta["unit"] or short_unit(meta["unit"]) or meta["unit"] == "Personen" else f" ({meta['unit']})"
figures = st.columns(3)
figures[0].metric(f"Kreis {year}{unit_note}", explorer.short_value(view.kreis, meta), help=view.kreis.text)
land_label = f"Land {year}" if view.land is None else f"{view.land.name} {year}"
figures[1].metric(
    f"{land_label}{unit_note}",
    "–" if view.land is None else explorer.short_value(view.land, meta),
    help="Kein Landeswert in dieser Datenbank." if view.land is None else view.land.text,
)
if view.kreis_vs_land is not None:
    figures[1].caption(f"Kreis im Vergleich mit dem Land: {view.kreis_vs_land.text}")
with figures[2]:
    st.markdown(
        f"<div style='font-size:.875rem'>{explorer.level_label(level)} im Vergleich mit dem Kreis</div>"
        + explorer.summary_html(view.frame),
        unsafe_allow_html=True,
    )

# --- map and ranking ------------------------------------------------------------------------------------------------
with top if presentation.active() else st.container():
    map_column, ranking_column = st.columns([3, 2], gap="medium")
with map_column:
    classing = st.columns([3, 2, 1.3], vertical_alignment="bottom")
    scheme = classing[0].selectbox("Klassenbildung", list(classification.SCHEMES), format_func=classification.SCHEMES.get, key="explorer_scheme")
    st.session_state.setdefault("explorer_k", 5)
    k = classing[1].select_slider("Klassen", options=[3, 4, 5, 6, 7], key="explorer_k")
    if (scheme, k) != map_controls:  # only on a first run with non-default state; widgets own the values after
        view = explorer.build_view(ctx, indicator_id, year, level, scheme, k)
    area_ids = tuple(view.frame["area_id"])
    with classing[2]:
        downloads.download_panel(
            "explorer_map",
            figure=exports.map_export(ctx, level, indicator_id, year, scheme=scheme, k=k),
            table=downloads.value_table(ctx.db, area_ids, indicator_id, years=(year,)),
            label="Karte",
        )
    st_folium(view.fmap, key=f"explorer-map-{level}", height=presentation.map_height(600), use_container_width=True,
              returned_objects=[])  # fmt: skip
with ranking_column:
    heading = st.columns([3, 1.3], vertical_alignment="bottom")
    heading[0].markdown(f"**Rangfolge der {explorer.level_label(level)}**")
    with heading[1]:
        downloads.download_panel("explorer_ranking", figure=exports.ranking_export(ctx, level, indicator_id, year), label="Grafik")
    with st.container(height=presentation.map_height(640), border=False):
        st.plotly_chart(
            explorer.ranking_figure(view.frame, meta, view.kreis, view.land),
            width="stretch",
            config={"displaylogo": False, "displayModeBar": False},
            key="explorer_ranking",
        )
    missing_text = explorer.ranking_missing_text(view.frame)
    if missing_text:
        st.caption(missing_text)
if comparison.is_percent(meta["unit"]) and meta["kind"] == "rate":
    st.caption(
        "Vergleich mit dem Kreis: 95-%-Konfidenzintervall (Wilson) des Anteils aus Zähler und Nenner; liegt es ganz über "
        "oder unter dem Kreiswert, ist der Unterschied statistisch gesichert, sonst „ähnlich“. "
        + comparison.polarity_text(meta["polarity"])
    )
else:
    st.caption(
        "Vergleich mit dem Kreis: statistisch bewertet werden nur Anteile in % mit Zähler und Nenner; "
        "diese Kennzahl ist keiner, daher „nicht bewertet“."
    )

# --- time series and table -----------------------------------------------------------------------------------------
st.subheader("Zeitreihe")
names = explorer.series_options(ctx, view, land_rows)
series_key = f"explorer_series_{indicator_id}_{level}"  # new indicator or level: the default areas again
share.bind(share.Param(series_key, "gebiete", many=True))
chosen = st.multiselect(
    "Gebiete",
    list(names),
    default=None if series_key in st.session_state else explorer.default_series_areas(ctx, view),
    format_func=names.get,
    key=series_key,
)
if chosen:
    downloads.download_panel("explorer_series", figure=exports.series_export(ctx, level, indicator_id, chosen), label="Grafik")
    st.plotly_chart(
        explorer.timeseries_figure(series, land_rows, chosen, names, meta),
        width="stretch",
        config={"displaylogo": False, "displayModeBar": False},
        key="explorer_timeseries",
    )
else:
    st.caption("Gebiete auswählen, um ihre Zeitreihe zu sehen.")

table_heading = st.columns([6, 1], vertical_alignment="bottom")
table_heading[0].subheader(f"Tabelle {year}")
with table_heading[1]:
    downloads.download_panel(
        "explorer_table", table=downloads.value_table(ctx.db, area_ids, indicator_id, years=(year,)), label="Tabelle"
    )
if explorer.value_column(meta) == "Wert" and meta["unit"] != "Personen":
    st.caption(f"Einheit der Werte: {meta['unit']}")
rows = explorer.table(view.frame, level, meta)
st.dataframe(
    rows,
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * len(rows), 520),
    column_config={
        "Rang": st.column_config.NumberColumn(width=55),
        LEVEL_SINGULAR[level]: st.column_config.TextColumn(width=190),
        explorer.value_column(meta): st.column_config.TextColumn(width=150),
        "95-%-KI": st.column_config.TextColumn(width=115),
        "Vergleich mit Kreis": st.column_config.TextColumn(width=170),
        "Zähler": st.column_config.TextColumn(width=80),
        "Nenner": st.column_config.TextColumn(width=80),
        "Hinweis": st.column_config.TextColumn(width="large"),
    },
)
st.caption(" · ".join([view.attribution, *view.statistics_sources]))
