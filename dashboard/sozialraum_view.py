"""Sozialräume: assign Gemeinden to Sozialräume with a live map, check, keep as a version (amtlich or Arbeitsannahme).

The working copy lives in the session until it is saved; a saved assignment is a new version in the workspace and
takes effect with the next publish (page "Daten"). Saving is checked on the server at the moment it happens.
"""
from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard import auth, map_component, maps
from dashboard.markdown import plain
from planning import queries
from planning.context import Context
from planning.map_labels import label_points
from planning.sozialraum_assignment import as_mapping, check_assignment, colours, current_assignment, sozialraum_shapes

STATUSES = {"Arbeitsannahme": "Arbeitsannahme (noch nicht beschlossen)", "amtlich": "amtlich (vom Kreis beschlossen)"}


@dataclass(frozen=True)
class _Categories:
    """A Sozialraum name → colour, in the shape maps.choropleth expects of classes."""

    by_name: dict[str, str]

    def colour_of(self, value: object) -> str:
        return self.by_name.get(str(value), maps.MISSING_COLOUR)


def _key(ctx: Context) -> str:
    return f"sozialraum_work_{ctx.db.name}_{ctx.kreis_id}"


def starting_point(ctx: Context) -> tuple[pd.DataFrame, str]:
    """The workspace's latest saved assignment when there is one, else the published one; and where it comes from."""
    published = current_assignment(ctx.db, ctx.kreis_id)
    saved = auth.workspace().sozialraum_mapping(ctx.db.name)
    if saved is None or saved.empty:
        return published, "veröffentlichte Zuordnung"
    names = dict(zip(saved["gemeinde_id"].astype(str), saved["sozialraum"]))
    working = published.assign(sozialraum=published["gemeinde_id"].map(names).fillna(""))
    info = saved.attrs
    origin = f"im Planungsatlas gespeicherte Version {info.get('version', '')} ({info.get('status', '')})"
    return working, origin


def working_copy(ctx: Context) -> tuple[pd.DataFrame, str]:
    """The session's working copy (started from ``starting_point``) and where it started from."""
    if _key(ctx) not in st.session_state:
        st.session_state[_key(ctx)], st.session_state[_key(ctx) + "_origin"] = starting_point(ctx)
    return st.session_state[_key(ctx)], st.session_state[_key(ctx) + "_origin"]


def bulk_assign(ctx: Context, working: pd.DataFrame) -> None:
    """Several Gemeinden to one Sozialraum at once (a new name makes a new Sozialraum)."""
    existing = sorted(n for n in working["sozialraum"].unique() if n)
    with st.form(f"bulk_{_key(ctx)}", border=True):
        columns = st.columns([5, 3, 2], vertical_alignment="bottom")
        chosen = columns[0].multiselect("Gemeinden", working["gemeinde"].tolist(), placeholder="Gemeinden wählen")
        target = columns[1].text_input("Sozialraum", placeholder=existing[0] if existing else "Name des Sozialraums",
                                       help="Vorhandene: " + ", ".join(existing) if existing else None)  # fmt: skip
        if columns[2].form_submit_button("Zuordnen", icon=":material/arrow_forward:") and chosen and target.strip():
            working.loc[working["gemeinde"].isin(chosen), "sozialraum"] = target.strip()
            st.session_state[_key(ctx) + "_table"] = st.session_state.get(_key(ctx) + "_table", 0) + 1
            st.rerun()


def table(ctx: Context, working: pd.DataFrame) -> pd.DataFrame:
    """The assignment as an editable table; returns it with the planner's edits."""
    edited = st.data_editor(
        working, hide_index=True, num_rows="fixed", disabled=["gemeinde_id", "gemeinde"], height=460,
        column_config={"gemeinde_id": None, "gemeinde": st.column_config.TextColumn("Gemeinde", width="small"),
                       "sozialraum": st.column_config.TextColumn("Sozialraum", required=True, width="large")},
        key=f"{_key(ctx)}_editor_{st.session_state.get(_key(ctx) + '_table', 0)}",
    )  # fmt: skip
    st.session_state[_key(ctx)] = edited
    return edited


def preview(ctx: Context, assignment: pd.DataFrame) -> None:
    """The Gemeinden coloured by their Sozialraum, the Sozialräume outlined and named."""
    shapes = queries.area_shapes(ctx.db, ctx.kreis_id, "gemeinde").merge(assignment[["gemeinde_id", "sozialraum"]],
                                                                          left_on="area_id", right_on="gemeinde_id", how="left")  # fmt: skip
    shapes["colour_key"] = shapes["sozialraum"]  # the value column apart from the tooltip's
    palette = colours(assignment)
    areas = sozialraum_shapes(gpd.GeoDataFrame(shapes, geometry="geometry", crs=shapes.crs), assignment)
    legend = maps.points_legend_html("Sozialräume", [(palette[n], f"{n} ({c})") for n, c in zip(areas["sozialraum"], areas["gemeinden"])],
                                     note="Zahl in Klammern: Gemeinden")  # fmt: skip
    fmap = maps.choropleth(
        shapes, queries.area_shapes(ctx.db, ctx.kreis_id, "kreis"), value_column="colour_key",
        tooltip_fields={"name": "Gemeinde", "sozialraum": "Sozialraum"}, classes=_Categories(palette), legend=legend,
        attribution=queries.boundary_attribution(ctx.db, ctx.kreis_id), labels=label_points(areas.rename(columns={"sozialraum": "name"})),
    )  # fmt: skip
    folium.GeoJson(areas[["geometry"]].__geo_interface__, style_function=lambda f: {"fill": False, "color": "#333333", "weight": 2.5},
                   interactive=False).add_to(fmap)  # fmt: skip
    map_component.show(map_component.render(fmap), key=f"{_key(ctx)}_map", height=560)


def check_and_save(ctx: Context, assignment: pd.DataFrame) -> None:
    gemeinden = queries.gemeinde_geometry(ctx.db, ctx.kreis_id)
    problems = check_assignment(assignment, gemeinden)
    blocking = [p for p in problems if p.blocking]
    for p in problems:
        text = (f"{p.gemeinde}: " if p.gemeinde else "") + f"{p.problem} – {p.fix}"
        (st.error if p.blocking else st.warning)(plain(text), icon=":material/error:" if p.blocking else ":material/info:")
    columns = st.columns([3, 5, 2], vertical_alignment="bottom")
    status = columns[0].radio("Status", list(STATUSES), format_func=STATUSES.get, key=f"{_key(ctx)}_status")
    source = columns[1].text_input("Grundlage", placeholder="z. B. Beschluss Jugendhilfeausschuss vom 12.03.2026",
                                   key=f"{_key(ctx)}_source", max_chars=200)  # fmt: skip
    if columns[2].button("Als neue Version speichern", type="primary", disabled=bool(blocking), icon=":material/save:"):
        who = auth.require("edit_sozialraeume", ctx.db.name)
        if any(p.blocking for p in check_assignment(assignment, gemeinden)):  # a forged click saves nothing broken
            st.stop()
        version = auth.workspace().save_sozialraum_mapping(ctx.db.name, as_mapping(assignment), status, source.strip(), who.actor)
        st.session_state[_key(ctx) + "_saved"] = version
        st.rerun()
    if saved := st.session_state.pop(_key(ctx) + "_saved", None):
        st.success(f"Version {saved} gespeichert; sie wird mit dem nächsten Veröffentlichen (Seite „Daten“) wirksam.", icon=":material/check:")


def versions(ctx: Context) -> None:
    table = auth.workspace().sozialraum_mappings(ctx.db.name)
    if table.empty:
        st.caption("Noch keine Zuordnung im Planungsatlas gespeichert; es gilt die veröffentlichte.")
        return
    labels = {"version": "Version", "status": "Status", "source": "Grundlage", "actor": "von", "created_at": "am", "gemeinden": "Gemeinden"}
    table["created_at"] = table["created_at"].astype(str).str.replace("T", " ").str[:16]
    st.dataframe(table.rename(columns=labels).iloc[::-1], hide_index=True, width="stretch")
