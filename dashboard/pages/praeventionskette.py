"""Präventionskette: how well every Lebensphase (or Angebotsart) is covered per area, empty and weak cells marked."""
import streamlit as st

from dashboard import chain_view, scenario_lens, share
from dashboard.markdown import plain
from planning import chain, coverage_dimensions, scenario_views
from planning.formatting import number
from reports import coverage_tables

ctx, levels = chain_view.page_start(
    "Präventionskette",
    "Welche Lebensphasen sind wo mit Angeboten versorgt – von Schwangerschaft und Geburt bis ins Alter? "
    "Jede Zelle vergleicht ein Gebiet mit dem Kreis; leere und schwache Zellen zeigen, wo die Kette reißt.",
)
scenario = scenario_lens.lens(ctx)

share.bind(
    share.Param("chain_level", "ebene"),
    share.Param("chain_dimension", "zeilen", default="lebensphase"),
    share.Param("chain_metric", "kennzahl"),
    share.Param("chain_weak", "schwelle", float, default=chain.WEAK_SHARE),
    share.Param("chain_distance", "km", int, default=coverage_dimensions.DEFAULT_DISTANCE_KM),
)
level, dimension, spare = chain_view.level_and_dimension(levels, "chain_level", "chain_dimension", "Zeilen")
rows_key = f"chain_rows_{level}"
share.bind(share.Param(rows_key, "gebiete_als_zeilen", bool))
st.session_state.setdefault(rows_key, level == "gemeinde")  # many Gemeinden read better as rows
areas_as_rows = spare.toggle("Gebiete als Zeilen", key=rows_key, help="Bei vielen Gebieten lesbarer.")
second_row = st.columns([3.4, 2.6, 2.6, 1.4])
metrics = chain.metrics_for(dimension, coverage_dimensions.has_capacity(ctx, dimension))
if st.session_state.get("chain_metric") not in metrics:
    st.session_state["chain_metric"] = metrics[0]
metric_key = second_row[0].selectbox("Kennzahl in den Zellen", metrics, format_func=lambda k: chain.METRICS[k].label, key="chain_metric")
if st.session_state.get("chain_weak") not in chain.WEAK_SHARES:
    st.session_state["chain_weak"] = chain.WEAK_SHARE
weak_share = second_row[1].select_slider(
    "Schwelle „schwach“", options=list(chain.WEAK_SHARES), format_func=lambda s: f"{number(100 * s)} % des Kreiswerts", key="chain_weak"
)
distance_km = coverage_dimensions.DEFAULT_DISTANCE_KM
if metric_key == "share_within":
    st.session_state["chain_distance"] = coverage_dimensions.distance_or_default(st.session_state.get("chain_distance"))
    distance_km = second_row[2].slider("Reichweite (Luftlinie, km)", *coverage_dimensions.DISTANCE_RANGE_KM, key="chain_distance")

changed = None
if scenario is None:
    matrix = chain.build_matrix(ctx, level, dimension, metric_key, weak_share, distance_km, areas_as_rows)
else:  # the same rule with the scenario's offers; cells whose status changes read "vorher → nachher"
    lensed = scenario_views.chain_matrix(ctx, scenario, level, dimension, metric_key, weak_share, distance_km, areas_as_rows)
    matrix, changed = lensed.matrix, lensed.changed

summary, download = st.columns([6, 1.3], vertical_alignment="center")
summary.markdown(chain.summary_text(matrix, level, dimension, metric_key) + scenario_lens.chain_summary(scenario, changed))
with download:  # with a scenario: its figures, marked "Szenario … – nicht veröffentlicht" in title and header
    chain_view.download_panel(
        "chain_download",
        lambda: scenario_lens.mark(ctx, scenario, coverage_tables.matrix_export(ctx, level, dimension, metric_key, weak_share, distance_km, matrix)),
        (*scenario_lens.name_parts(scenario), "praeventionskette", dimension, level, metric_key, ctx.kreis_name),
    )
st.markdown(chain_view.legend_html(bool(matrix.not_captured)), unsafe_allow_html=True)
st.caption(chain.rule_text(chain.METRICS[metric_key], weak_share, distance_km))

event = st.dataframe(
    chain_view.styled(matrix, changed),
    key=f"chain_matrix_{level}_{dimension}_{int(areas_as_rows)}",
    on_select="rerun",
    selection_mode="single-cell",
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * len(matrix.table), 720),
    column_config=chain_view.column_config(matrix),
)
if hint := chain.capture_hint(matrix, dimension):
    st.info(plain(hint), icon=":material/playlist_remove:")
st.caption("  \n".join(chain.notes(matrix, metric_key)))

# --- the offers behind a cell ---------------------------------------------------------------------------------------
st.subheader("Angebote einer Zelle")
selected = event.selection.cells if event is not None else []
picked = matrix.cell(int(selected[0][0]), str(selected[0][1])) if selected else None
if picked is None:
    st.caption("Eine Zelle der Tabelle anklicken, um die Angebote dahinter zu sehen.")
else:
    area_key, category = picked
    st.markdown(f"**{plain(chain.cell_heading(ctx, matrix, dimension, area_key, category))}**")
    listed = chain.cell_offers(ctx, level, dimension, area_key, category)
    if scenario is not None:
        scenario_lens.cell_changes(ctx, scenario, level, dimension, area_key, category)
    if category not in coverage_dimensions.captured(ctx, dimension):
        st.info("Nicht erfasst: keine geladene Angebotsliste enthält solche Angebote.", icon=":material/playlist_remove:")
    elif listed.empty:
        st.info("Kein veröffentlichtes Angebot in diesem Gebiet." if scenario else "Kein Angebot in diesem Gebiet.", icon=":material/block:")
    else:
        st.dataframe(listed, hide_index=True, width="stretch", height=min(38 + 35 * len(listed), 420), key="chain_cell_offers")

st.caption(plain(" · ".join([coverage_dimensions.sources_caption(ctx), *coverage_dimensions.capture_lines(ctx)])))
