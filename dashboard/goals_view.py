"""Ziele & Maßnahmen: the Zielübersicht per Handlungsfeld with each goal's path, and the forms to keep goals and
measures (role 'planung', checked on the server when saving)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth
from dashboard.markdown import plain
from planning import queries
from planning.context import Context
from planning.goal_overview import goal_progress, overview, status_counts
from planning.goals import INDICATOR, QUALITATIVE, RULE_TEXT, Goal, Measure, check_goal, settings
from reports.goal_report import STATUS_COLOURS, goals_xlsx, measures_frame, path_figure
from workspace.goals import GoalStore
from workspace.storage import WorkspaceError

NEW = 0  # the "new goal / new measure" choice


def store() -> GoalStore:
    return GoalStore(auth.workspace())


def _lists(ctx: Context) -> tuple[list[Goal], list[Measure]]:
    goals_store = store()
    return goals_store.goals(ctx.db.name, ctx.kreis_id), goals_store.measures(ctx.db.name, ctx.kreis_id)


def summary(ctx: Context) -> None:
    """The Zielübersicht: states counted, a table per Handlungsfeld, a chosen goal's path, the xlsx."""
    goals, measures = _lists(ctx)
    if not goals:
        st.info("Noch keine Ziele erfasst. Ziele legt die Planung im Reiter „Ziel bearbeiten“ an.", icon=":material/flag:")
        return
    table = overview(ctx.db, ctx.kreis_id, goals, measures)
    counts = status_counts(table)
    for column, (status, n) in zip(st.columns(len(counts)), counts.items()):
        column.markdown(f"<div style='border-left:6px solid {STATUS_COLOURS[status]};padding-left:.6em'><b>{n}</b> {status}</div>",
                        unsafe_allow_html=True)  # fmt: skip  – fixed words and numbers only, no data text
    fields = ["alle Handlungsfelder", *dict.fromkeys(table["Handlungsfeld"])]
    if st.session_state.get("goals_field") not in fields:  # e.g. from a link: a field without goals here
        st.session_state["goals_field"] = fields[0]
    field = st.selectbox("Handlungsfeld", fields, key="goals_field")
    shown = table if field == fields[0] else table[table["Handlungsfeld"] == field]
    st.dataframe(shown.drop(columns=["goal_id", "Art"]), hide_index=True, width="stretch",
                 column_config={"Begründung": st.column_config.TextColumn(width="large")})  # fmt: skip
    st.caption(RULE_TEXT)
    titles = dict(zip(shown["goal_id"], shown["Ziel"]))
    if st.session_state.get("goals_chart") not in titles:
        st.session_state["goals_chart"] = next(iter(titles))
    chosen = st.selectbox("Zielpfad anzeigen", list(titles), format_func=titles.get, key="goals_chart")
    goal = next(g for g in goals if g.id == chosen)
    if goal.kind == INDICATOR:
        meta = queries.catalogue(ctx.db).loc[goal.indicator_id]
        series = queries.indicator_series(ctx.db, ctx.kreis_id, goal.indicator_id)
        series = series[series["area_id"] == goal.area_id]
        fig = path_figure(goal, goal_progress(ctx.db, ctx.kreis_id, goal), series, str(meta["label"]), str(meta["unit"]))
        st.plotly_chart(fig, width="stretch", config={"displaylogo": False})
    else:
        st.caption(plain(f"Qualitatives Ziel – Stand: {goal.qualitative_status}"))
    export = goals_xlsx(ctx.kreis_name, table, measures_frame(measures, {g.id: g.title for g in goals}))
    st.download_button("Zielübersicht als xlsx", export.data, export.name, export.mime, icon=":material/download:", on_click="ignore")


def _indicator_choices(ctx: Context) -> dict[str, str]:
    catalogue = queries.catalogue(ctx.db)
    listed = catalogue[catalogue["listed"].fillna(True).astype(bool)]
    return {i: f"{row.label} ({row.unit})" for i, row in listed.iterrows()}


def _area_choices(ctx: Context) -> dict[str, str]:
    names = {ctx.kreis_id: f"{ctx.kreis_name} (Kreis)"}
    for level in queries.levels(ctx.db, ctx.kreis_id):
        shapes = queries.area_shapes(ctx.db, ctx.kreis_id, level)
        names |= dict(zip(shapes["area_id"], shapes["name"] + f" ({level.capitalize()})"))
    return names


def goal_editor(ctx: Context) -> None:
    """Add or change a goal; saved only when it passes ``check_goal`` and the viewer may ``edit_goals``."""
    if not auth.allowed("edit_goals"):
        st.caption("Ziele pflegt die Rolle „Planung“.")
        return
    goals, _ = _lists(ctx)
    titles = {NEW: "Neues Ziel", **{g.id: g.title for g in goals}}
    if "goal_edit_next" in st.session_state:  # the goal just saved stays chosen (set before the widget exists)
        st.session_state["goal_edit_choice"] = st.session_state.pop("goal_edit_next")
    chosen = st.selectbox("Ziel", list(titles), format_func=titles.get, key="goal_edit_choice")
    current = next((g for g in goals if g.id == chosen), None)
    key = f"goal_{chosen}"
    fields = settings()["handlungsfelder"]
    field = st.selectbox("Handlungsfeld", fields, index=fields.index(current.handlungsfeld) if current else 0, key=f"{key}_field")
    title = st.text_input("Ziel", value=current.title if current else "", max_chars=200, key=f"{key}_title")
    kind = st.radio("Art", [INDICATOR, QUALITATIVE], horizontal=True, key=f"{key}_kind", index=0 if not current or current.kind == INDICATOR else 1,
                    format_func={INDICATOR: "mit Kennzahl", QUALITATIVE: "qualitativ"}.get)  # fmt: skip
    columns = st.columns(3)
    start = columns[0].number_input("Startjahr", 2000, 2100, current.start_year if current else ctx.year, key=f"{key}_start")
    target_year = columns[1].number_input("Zieljahr", 2000, 2100, current.target_year if current else ctx.year + 4, key=f"{key}_target_year")
    responsible = columns[2].text_input("Verantwortlich", value=current.responsible if current else "", max_chars=120, key=f"{key}_resp")
    values: dict = {}
    if kind == INDICATOR:
        indicators, areas = _indicator_choices(ctx), _area_choices(ctx)
        columns = st.columns([4, 3, 2, 2])
        ids = list(indicators)
        values["indicator_id"] = columns[0].selectbox("Kennzahl", ids, format_func=indicators.get, key=f"{key}_indicator",
                                                      index=ids.index(current.indicator_id) if current and current.indicator_id in ids else 0)  # fmt: skip
        area_ids = list(areas)
        values["area_id"] = columns[1].selectbox("Gebiet", area_ids, format_func=areas.get, key=f"{key}_area",
                                                 index=area_ids.index(current.area_id) if current and current.area_id in area_ids else 0)  # fmt: skip
        series = queries.indicator_series(ctx.db, ctx.kreis_id, values["indicator_id"])
        years = sorted(series.loc[(series["area_id"] == values["area_id"]) & series["value"].notna(), "year"].unique().tolist()) or [ctx.year]
        baseline = current.baseline_year if current and current.baseline_year in years else years[0]
        values["baseline_year"] = columns[2].selectbox("Ausgangsjahr", years, index=years.index(baseline), key=f"{key}_baseline")
        values["target_value"] = columns[3].number_input("Zielwert", value=float(current.target_value) if current and current.target_value is not None else 0.0,
                                                         key=f"{key}_value", format="%.2f")  # fmt: skip
    else:
        statuses = settings()["qualitative_statuses"]
        values["qualitative_status"] = st.selectbox("Stand", statuses, key=f"{key}_qstatus",
                                                    index=statuses.index(current.qualitative_status) if current and current.qualitative_status in statuses else 0)  # fmt: skip
    description = st.text_area("Beschreibung", value=current.description if current else "", max_chars=1000, key=f"{key}_desc")
    goal = Goal(field, title.strip(), kind, int(start), int(target_year), responsible.strip(), description.strip(), id=current.id if current else None, **values)
    if st.button("Ziel speichern", type="primary", icon=":material/save:", key=f"{key}_save"):
        who = auth.require("edit_goals", ctx.db.name)
        if problems := check_goal(goal):
            st.error("Nicht gespeichert: " + "; ".join(problems), icon=":material/error:")
            return
        goal_id = store().save_goal(ctx.db.name, ctx.kreis_id, goal, who.actor)
        st.session_state["goal_edit_next"] = goal_id
        st.session_state["goals_saved"] = f"Ziel „{goal.title}“ gespeichert."
        st.rerun()


def measures(ctx: Context) -> None:
    """The measures with their goals, and a form to add or change one."""
    goals, items = _lists(ctx)
    titles = {g.id: g.title for g in goals}
    if items:
        st.dataframe(measures_frame(items, titles), hide_index=True, width="stretch")
    else:
        st.caption("Noch keine Maßnahmen erfasst.")
    if not auth.allowed("edit_goals"):
        return
    choices = {NEW: "Neue Maßnahme", **{m.id: m.title for m in items}}
    chosen = st.selectbox("Maßnahme", list(choices), format_func=choices.get, key="measure_choice")
    current = next((m for m in items if m.id == chosen), None)
    statuses = settings()["measure_statuses"]
    with st.form(f"measure_{chosen}"):
        title = st.text_input("Maßnahme", value=current.title if current else "", max_chars=200)
        columns = st.columns(3)
        status = columns[0].selectbox("Status", statuses, index=statuses.index(current.status) if current else 0)
        start = columns[1].text_input("Beginn (JJJJ-MM-TT)", value=current.start if current else "", max_chars=10)
        end = columns[2].text_input("Ende (JJJJ-MM-TT)", value=current.end if current else "", max_chars=10)
        served = st.multiselect("Dient den Zielen", list(titles), default=[i for i in (current.goal_ids if current else ()) if i in titles],
                                format_func=titles.get, placeholder="Ziele wählen")  # fmt: skip
        responsible = st.text_input("Verantwortlich", value=current.responsible if current else "", max_chars=120)
        note = st.text_input("Hinweis", value=current.note if current else "", max_chars=500)
        if st.form_submit_button("Maßnahme speichern", type="primary", icon=":material/save:"):
            who = auth.require("edit_goals", ctx.db.name)
            measure = Measure(title.strip(), status, tuple(served), responsible.strip(), start.strip(), end.strip(), note.strip(), current.id if current else None)
            try:
                store().save_measure(ctx.db.name, ctx.kreis_id, measure, who.actor)
            except WorkspaceError as exc:
                st.error(str(exc), icon=":material/error:")
                return
            st.session_state["goals_saved"] = f"Maßnahme „{measure.title}“ gespeichert."
            st.rerun()


def saved_note() -> None:
    if note := st.session_state.pop("goals_saved", None):
        st.success(plain(note), icon=":material/check:")


def overview_frame(ctx: Context) -> pd.DataFrame:
    goals, items = _lists(ctx)
    return overview(ctx.db, ctx.kreis_id, goals, items)


def goal_blocks(ctx: Context, area_id: str | None = None) -> list:
    """The goals as report blocks: all of the Kreis (Kreistag report), or those set for one area (Steckbrief);
    empty when there are none, so a report without goals has no empty section."""
    table = overview_frame(ctx)
    if area_id is not None:
        goals, _ = _lists(ctx)
        table = table[table["goal_id"].isin([g.id for g in goals if g.area_id == area_id])]
    if table.empty:
        return []
    from reports.goal_report import goal_section  # noqa: PLC0415 – only where a report is made

    return goal_section(table, "Ziele für dieses Gebiet" if area_id else "Ziele und Maßnahmen", 2 if area_id else 1)
