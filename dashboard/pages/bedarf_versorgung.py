"""Bedarf & Versorgung: need against supply per area, and the ranked list of where offers are missing."""
import streamlit as st

from dashboard import chain_view, gap_view, projection_view, scenario_lens, share
from dashboard.markdown import plain
from planning import coverage_dimensions, gaps, queries, scenario_views, view_years
from planning.formatting import number
from reports import coverage_tables

ctx, levels = chain_view.page_start(
    "Bedarf & Versorgung",
    "Wie gut passen die Angebote zur Zahl der Kinder, Familien und Älteren, und wo fehlen sie? "
    "Versorgung je Gebiet im Vergleich mit dem Kreis, gewichtet nach Zielgruppe und sozialer Lage.",
)
scenario = scenario_lens.lens(ctx)

share.bind(
    share.Param("gap_level", "ebene"),
    share.Param("gap_dimension", "sicht", default="lebensphase"),
    share.Param("gap_measure", "versorgung", default="offers_per_1000"),
    share.Param("gap_social", "sozial"),
    share.Param("gap_distance", "km", int, default=coverage_dimensions.DEFAULT_DISTANCE_KM),
)
level, dimension, _ = chain_view.level_and_dimension(levels, "gap_level", "gap_dimension", "Sicht")
second_row = st.columns([3.4, 3.4, 2.6])
measures = gaps.supply_measures(ctx, dimension)
if st.session_state.get("gap_measure") not in measures:
    st.session_state["gap_measure"] = measures[0]
measure = second_row[0].selectbox("Versorgung gemessen als", measures, format_func=gaps.SUPPLY_MEASURES.get, key="gap_measure")
social_ids, default_social = gaps.social_choices(ctx, level)
if st.session_state.get("gap_social") not in social_ids:
    st.session_state["gap_social"] = default_social
catalogue = queries.catalogue(ctx.db)
social_id = second_row[1].selectbox(
    "Soziale Lage gewichten mit",
    social_ids,
    format_func=lambda i: "nicht gewichten" if i == gaps.NO_SOCIAL else catalogue.loc[i, "label"],
    key="gap_social",
    help="Höhere Werte als im Kreis heben ein Gebiet in der Rangfolge an (höchstens doppelt so stark).",
)
distance_km = None
if dimension == "angebotsart":
    st.session_state["gap_distance"] = coverage_dimensions.distance_or_default(st.session_state.get("gap_distance"))
    distance_km = second_row[2].slider("Reichweite (Luftlinie, km)", *coverage_dimensions.DISTANCE_RANGE_KM, key="gap_distance")

published = view = gaps.build_view(ctx, level, dimension, measure, distance_km, social_id)
if scenario is not None:  # the same rule with the scenario's offers; the published view stays the "vorher"
    view = scenario_views.gap_view(ctx, scenario, level, dimension, measure, distance_km, social_id)
if social_id != gaps.NO_SOCIAL and view.social is None:
    st.info(f"„{catalogue.loc[social_id, 'label']}“ hat auf dieser Ebene keine Werte; nicht gewichtet.")
elif view.social is not None and view.social.year != ctx.year:
    st.caption(f"{view.social.label}: letzter Stand auf dieser Ebene ist {view.social.year}.")

# --- need against supply --------------------------------------------------------------------------------------------
st.subheader("Bedarf und Versorgung je Gebiet")
st.caption(plain(view_years.need_supply_note(ctx, view)))  # the chart and the ranking combine these years
category_ids = list(view.words.category_labels)
category_key, filter_key = f"gap_category_{dimension}", f"gap_filter_{dimension}"
share.bind(share.Param(category_key, "auswahl"), share.Param(filter_key, "nur", many=True))
if st.session_state.get(category_key) not in category_ids:
    st.session_state[category_key] = gaps.first_category(view, category_ids)
category = st.selectbox(
    coverage_dimensions.DIMENSION_SINGULAR[dimension], category_ids, format_func=lambda c: gaps.category_label(view, c), key=category_key
)
if gaps.is_captured(view, category):
    st.plotly_chart(
        gap_view.need_supply_figure(view, category, note=scenario_views.banner_text(scenario) if scenario else ""),
        width="stretch",
        config={"displaylogo": False, "displayModeBar": False},
        key="gap_chart",
    )
    st.caption(gaps.need_supply_caption(view))
    if scenario is not None:
        scenario_lens.supply_before_after(published, view, category)
else:
    st.info(plain(gaps.not_captured_text(view, category)), icon=":material/playlist_remove:")

# --- ranked gaps ----------------------------------------------------------------------------------------------------
st.subheader("Wo fehlen Angebote?")
for text in gaps.left_out_text(view):
    st.info(plain(text), icon=":material/playlist_remove:")
st.session_state[filter_key] = [c for c in st.session_state.get(filter_key) or [] if c in category_ids]
chosen = st.multiselect(
    f"Nur diese {coverage_dimensions.DIMENSION_PLURAL[dimension]}",
    category_ids,
    format_func=view.words.category_labels.get,
    key=filter_key,
    placeholder="alle",
)
with st.expander("So entsteht die Rangfolge", icon=":material/calculate:"):
    st.markdown(gaps.score_explanation(view))
table = gaps.ranking_table(view, chosen) if scenario is None else scenario_views.ranking_table(published, view, chosen)
if table.empty:
    st.success(gaps.no_gap_text(view), icon=":material/check_circle:")
else:
    shown = min(len(table), gaps.TOP_LISTED)
    summary, download = st.columns([6, 1.3], vertical_alignment="center")
    summary.caption(f"{number(len(table))} Lücken, die größte zuerst ({gaps.RANK_FORMULA}); die ersten {number(shown)} mit Begründung:")
    with download:  # with a scenario: its ranking, marked, with the rank without it beside
        chain_view.download_panel(
            "gap_download", lambda: scenario_lens.mark(ctx, scenario, coverage_tables.gaps_export(ctx, view, chosen), published),
            (*scenario_lens.name_parts(scenario), "luecken", dimension, level, ctx.kreis_name),
        )
    if scenario is not None:
        scenario_lens.rank_moves(published, view, chosen)
    with st.container(border=True):
        st.markdown(gaps.top_list(view, chosen, gaps.TOP_LISTED))
    st.markdown("**Alle Lücken mit den Teilen der Rangpunkte**" + (" – Rang vor und nach dem Szenario" if scenario else ""))
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 560),
        key="gap_ranking",
        column_config={
            "Rang": st.column_config.NumberColumn(width=50),
            "Begründung": st.column_config.TextColumn(width="large"),
        },
    )

# --- the target group in a projected year (today's places against it) -------------------------------------------------
projection_view.section(ctx, level, category if dimension == "angebotsart" else None, gaps.category_label(view, category))
if view.population_note:
    st.caption(view.population_note)
st.caption(plain(" · ".join([coverage_dimensions.sources_caption(ctx), *coverage_dimensions.capture_lines(ctx)])))
