"""Goal rules on hand-computed fixtures (planning/goals.py) and the goal store on both workspace backends."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from planning.goals import AT_RISK, MISSED, NO_DATA, ON_TRACK, REACHED, Goal, Measure, check_goal, measure_summary, path_value, progress
from workspace.goals import GoalStore
from workspace.storage import WorkspaceError
from workspace_helpers import workspace, workspace_url  # noqa: F401 – fixtures

# Betreuungsquote U3 from 30 % (2020) to 40 % (2030): the path rises 1 point a year
GOAL = Goal("Familie und Arbeitswelt/Betreuung", "Betreuungsquote U3 auf 40 %", "indikator", 2020, 2030,
            indicator_id="betreuungsquote_u3", area_id="S1", baseline_year=2020, target_value=40.0)  # fmt: skip


def _series(*points: tuple[int, float, float | None, float | None]) -> pd.DataFrame:
    return pd.DataFrame([{"year": y, "value": v, "status": "ok", "numerator": k, "denominator": n} for y, v, k, n in points])


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval written out, in percent."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) * 100, (centre + half) * 100


def test_the_path_is_a_straight_line():
    assert path_value(GOAL, 30.0, 2025) == pytest.approx(35.0)
    assert path_value(GOAL, 30.0, 2030) == pytest.approx(40.0)


def test_on_the_path_exactly_is_on_track():
    state = progress(GOAL, _series((2020, 30.0, None, None), (2024, 34.0, None, None)), "%")
    assert (state.status, state.expected, state.share_of_way) == (ON_TRACK, pytest.approx(34.0), pytest.approx(0.4))


def test_just_behind_the_path_without_an_interval_is_at_risk():
    state = progress(GOAL, _series((2020, 30.0, None, None), (2024, 33.99, None, None)), "%")
    assert state.status == AT_RISK


def test_behind_the_path_but_within_the_interval_is_on_track():
    """33 % of 100 children in 2024, path 34 %: the interval (24.6 – 42.7 %) reaches the path."""
    state = progress(GOAL, _series((2020, 30.0, 30, 100), (2024, 33.0, 33, 100)), "%")
    assert state.interval == pytest.approx(_wilson(33, 100))
    assert state.status == ON_TRACK and "Intervall" in state.reason


def test_behind_the_path_with_the_whole_interval_is_at_risk():
    """30 % of 2,000 children in 2024, path 34 %: the interval's upper bound 32.1 % stays below."""
    state = progress(GOAL, _series((2020, 30.0, 300, 1000), (2024, 30.0, 600, 2000)), "%")
    assert state.interval[1] == pytest.approx(_wilson(600, 2000)[1])
    assert state.interval[1] < 34.0
    assert state.status == AT_RISK


def test_reaching_the_target_early_is_reached():
    assert progress(GOAL, _series((2020, 30.0, None, None), (2026, 40.0, None, None)), "%").status == REACHED


def test_the_target_year_without_the_target_is_missed():
    assert progress(GOAL, _series((2020, 30.0, None, None), (2030, 39.9, None, None)), "%").status == MISSED


def test_a_goal_downwards_reads_the_other_way():
    down = Goal("Soziale Lage", "SGB-II-Quote U15 unter 10 %", "indikator", 2018, 2028, indicator_id="x", area_id="S1",
                baseline_year=2018, target_value=10.0)  # fmt: skip
    assert progress(down, _series((2018, 15.0, None, None), (2023, 12.5, None, None))).status == ON_TRACK  # path 12.5
    assert progress(down, _series((2018, 15.0, None, None), (2023, 12.6, None, None))).status == AT_RISK
    assert progress(down, _series((2018, 15.0, None, None), (2023, 9.9, None, None))).status == REACHED


def test_without_a_baseline_or_a_later_value_there_are_no_data():
    assert progress(GOAL, _series((2021, 30.0, None, None))).status == NO_DATA
    assert progress(GOAL, _series((2020, 30.0, None, None))).status == NO_DATA
    assert "Ausgangsjahr 2020" in progress(GOAL, _series((2021, 30.0, None, None))).reason


def test_values_after_the_target_year_do_not_count():
    state = progress(GOAL, _series((2020, 30.0, None, None), (2029, 39.0, None, None), (2031, 41.0, None, None)), "%")
    assert (state.latest_year, state.status) == (2029, ON_TRACK)


def test_a_goal_as_entered_is_checked():
    assert check_goal(GOAL) == []
    bad = Goal("Irgendwas", "", "indikator", 2025, 2020, indicator_id=None, area_id=None)
    problems = check_goal(bad)
    assert len(problems) == 5 and "Handlungsfeld „Irgendwas“" in problems[0]


def test_measure_summary_counts_by_status():
    measures = [Measure("a", "umgesetzt"), Measure("b", "in Umsetzung"), Measure("c", "in Umsetzung")]
    assert measure_summary(measures) == "3 Maßnahmen: 2 in Umsetzung, 1 umgesetzt"


def test_the_store_keeps_goals_and_measures_with_an_audit_trail(workspace):
    store = GoalStore(workspace)
    goal_id = store.save_goal("demo", "99001", GOAL, "mueller")
    changed = Goal(**{**GOAL.__dict__, "target_value": 45.0, "id": goal_id})
    store.save_goal("demo", "99001", changed, "schmidt")
    assert [g.target_value for g in store.goals("demo", "99001")] == [45.0]
    measure_id = store.save_measure("demo", "99001", Measure("Kita-Ausbau Saarburg", "in Umsetzung", (goal_id,), "Jugendamt", "2025-01-01"), "mueller")
    assert store.measures("demo", "99001")[0].goal_ids == (goal_id,)
    with pytest.raises(WorkspaceError, match="Ziele \\[99\\] gibt es nicht"):
        store.save_measure("demo", "99001", Measure("x", "geplant", (99,)), "mueller")
    with pytest.raises(WorkspaceError, match="Titel fehlt"):
        store.save_goal("demo", "99001", Goal("Soziale Lage", " ", "qualitativ", 2024, 2026, qualitative_status="offen"), "mueller")
    store.archive("measure", "demo", measure_id, "mueller")
    assert store.measures("demo", "99001") == []
    log = workspace.audit_log(target=f"demo/{goal_id}")
    assert {"goal_add", "goal_change"} <= set(log["action"]) and "45.0" in " ".join(log["detail"])
    assert store.goals("other", "99001") == []
