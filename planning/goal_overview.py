"""The Zielübersicht: every goal of a Kreis with its state by the rule of planning/goals.py, its measures, and the
words and numbers the page, the xlsx export, the Kreistag report and the Steckbrief print alike."""
from __future__ import annotations

import pandas as pd

from planning import queries
from planning.db import Database
from planning.formatting import number
from planning.goals import INDICATOR, STATUS_ORDER, Goal, Measure, Progress, measure_summary, measures_of, progress, qualitative_progress

OVERVIEW_COLUMNS = ["goal_id", "Handlungsfeld", "Ziel", "Art", "Gebiet", "Kennzahl", "Ausgangswert", "Zielwert", "Aktueller Wert",
                    "95-%-Intervall", "Zielpfad", "Status", "Begründung", "Maßnahmen", "Verantwortlich"]  # fmt: skip


def goal_progress(db: Database, kreis_id: str, goal: Goal) -> Progress:
    """The state of one goal on the published figures."""
    if goal.kind != INDICATOR:
        return qualitative_progress(goal)
    series = queries.indicator_series(db, kreis_id, goal.indicator_id)
    unit = queries.catalogue(db).loc[goal.indicator_id, "unit"] if goal.indicator_id in queries.catalogue(db).index else ""
    return progress(goal, series[series["area_id"] == goal.area_id], str(unit))


def overview(db: Database, kreis_id: str, goals: list[Goal], measures: list[Measure]) -> pd.DataFrame:
    """One row per goal (OVERVIEW_COLUMNS), by Handlungsfeld and then worst state first."""
    catalogue = queries.catalogue(db)
    names = _area_names(db, kreis_id)
    rows = []
    for goal in goals:
        state = goal_progress(db, kreis_id, goal)
        meta = catalogue.loc[goal.indicator_id] if goal.indicator_id in catalogue.index else None
        unit = str(meta["unit"]) if meta is not None else ""
        decimals = int(meta["decimals"]) if meta is not None else 1

        def shown(value: float | None, year: int | None) -> str:
            return "–" if value is None else f"{number(value, decimals)} {unit}".strip() + (f" ({year})" if year else "")

        interval = f"{number(state.interval[0], decimals)} – {number(state.interval[1], decimals)}" if state.interval else ""
        rows.append({
            "goal_id": goal.id, "Handlungsfeld": goal.handlungsfeld, "Ziel": goal.title, "Art": goal.kind,
            "Gebiet": names.get(goal.area_id or "", goal.area_id or ""), "Kennzahl": str(meta["label"]) if meta is not None else "",
            "Ausgangswert": shown(state.baseline, goal.baseline_year) if goal.kind == INDICATOR else "",
            "Zielwert": shown(goal.target_value, goal.target_year) if goal.kind == INDICATOR else f"bis {goal.target_year}",
            "Aktueller Wert": shown(state.latest, state.latest_year) if goal.kind == INDICATOR else (goal.qualitative_status or ""),
            "95-%-Intervall": interval, "Zielpfad": shown(state.expected, state.latest_year) if state.expected is not None else "",
            "Status": state.status, "Begründung": state.reason, "Maßnahmen": measure_summary(measures_of(goal, measures)),
            "Verantwortlich": goal.responsible,
        })  # fmt: skip
    frame = pd.DataFrame(rows, columns=OVERVIEW_COLUMNS)
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    return frame.sort_values(["Handlungsfeld", "Status"], key=lambda c: c.map(order) if c.name == "Status" else c, ignore_index=True)


def status_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Goals per state, in the order of attention (worst first), states without goals left out."""
    counts = frame["Status"].value_counts()
    return {s: int(counts[s]) for s in STATUS_ORDER if s in counts}


def _area_names(db: Database, kreis_id: str) -> dict[str, str]:
    names = {}
    for level in [*queries.levels(db, kreis_id), "kreis"]:
        shapes = queries.area_shapes(db, kreis_id, level)
        names |= dict(zip(shapes["area_id"], shapes["name"]))
    return names
