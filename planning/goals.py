"""Goals and measures: whether the county is on track, by a rule stated in advance.

A goal is set per Handlungsfeld, either on a catalogue indicator for one area ("Betreuungsquote U3 im Sozialraum
Saarburg auf 40 % bis 2027", from the value of a baseline year) or qualitatively (the responsible unit reports its
state). Measures (Maßnahmen) serve one or more goals and have a status.

The rule for an indicator goal (the audit's "Zielpfad"):

- The path runs in a straight line from the baseline value in the baseline year to the target in the target year.
- The newest value is judged against the path at its year, with the indicator's 95 % interval where the indicator
  has one (a rate in % with its counts: Wilson interval, as the comparisons elsewhere); other values as points.
- **erreicht**: the newest value has reached the target (in the goal's direction).
- **verfehlt**: the target year has a value (or is past) and the target is not reached.
- **auf Kurs**: the path value at the newest year is reached – by the value, or within its interval.
- **gefährdet**: the value, with its whole interval, is behind the path.
- **keine Daten**: no baseline value, or no value after the baseline year yet.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from planning.comparison import wilson_interval
from planning.formatting import number

GOALS_FILE = Path(__file__).resolve().parent.parent / "config" / "goals.toml"
REACHED, ON_TRACK, AT_RISK, MISSED, NO_DATA = "erreicht", "auf Kurs", "gefährdet", "verfehlt", "keine Daten"
STATUS_ORDER = (MISSED, AT_RISK, NO_DATA, ON_TRACK, REACHED)  # the order of attention: worst first
INDICATOR, QUALITATIVE = "indikator", "qualitativ"
RULE_TEXT = (
    "Regel: Der Zielpfad verläuft gerade vom Ausgangswert zum Zielwert im Zieljahr. Erreicht: der neueste Wert hat den "
    "Zielwert erreicht. Verfehlt: das Zieljahr ist erreicht, der Zielwert nicht. Auf Kurs: der neueste Wert – oder "
    "sein 95-%-Intervall (Wilson, bei Anteilen mit Zähler und Nenner) – erreicht den Pfadwert seines Jahres. "
    "Gefährdet: der Wert liegt samt Intervall hinter dem Pfad. Keine Daten: kein Ausgangswert oder noch kein neuerer Wert."
)


@cache
def settings() -> dict:
    """Handlungsfelder and status lists (config/goals.toml)."""
    return tomllib.loads(GOALS_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Goal:
    handlungsfeld: str
    title: str
    kind: str  # indikator | qualitativ
    start_year: int
    target_year: int
    responsible: str = ""
    description: str = ""
    indicator_id: str | None = None
    area_id: str | None = None
    baseline_year: int | None = None
    target_value: float | None = None
    qualitative_status: str | None = None  # qualitative goals: one of settings()["qualitative_statuses"]
    id: int | None = None


@dataclass(frozen=True)
class Measure:
    title: str
    status: str  # one of settings()["measure_statuses"]
    goal_ids: tuple[int, ...] = ()
    responsible: str = ""
    start: str = ""  # ISO dates as text ('' = open)
    end: str = ""
    note: str = ""
    id: int | None = None


@dataclass(frozen=True)
class Progress:
    status: str
    baseline: float | None = None
    latest_year: int | None = None
    latest: float | None = None
    interval: tuple[float, float] | None = None  # of the newest value, in the indicator's unit
    expected: float | None = None  # the path's value at latest_year
    share_of_way: float | None = None  # 0 at the baseline, 1 at the target (may be <0 or >1)
    path: pd.DataFrame = field(default_factory=pd.DataFrame)  # year, expected: the straight line, for charts
    reason: str = ""  # the rule's words for this goal


def check_goal(goal: Goal, handlungsfelder: list[str] | None = None) -> list[str]:
    """What is wrong with a goal as entered (German, one line each); empty when it can be kept."""
    problems = []
    if goal.handlungsfeld not in (handlungsfelder or settings()["handlungsfelder"]):
        problems.append(f"Handlungsfeld „{goal.handlungsfeld}“ ist nicht vorgesehen")
    if not goal.title.strip():
        problems.append("Titel fehlt")
    if goal.target_year < goal.start_year:
        problems.append(f"Zieljahr {goal.target_year} liegt vor dem Startjahr {goal.start_year}")
    if goal.kind == INDICATOR:
        if not goal.indicator_id or not goal.area_id:
            problems.append("Kennzahl und Gebiet angeben")
        if goal.baseline_year is None or goal.target_value is None or not math.isfinite(goal.target_value):
            problems.append("Ausgangsjahr und Zielwert angeben")
        elif goal.baseline_year >= goal.target_year:
            problems.append(f"Ausgangsjahr {goal.baseline_year} muss vor dem Zieljahr {goal.target_year} liegen")
    elif goal.kind == QUALITATIVE:
        if goal.qualitative_status not in settings()["qualitative_statuses"]:
            problems.append("Stand des Ziels angeben (" + ", ".join(settings()["qualitative_statuses"]) + ")")
    else:
        problems.append(f"Art „{goal.kind}“ unbekannt (indikator oder qualitativ)")
    return problems


def interval_of(row: pd.Series, unit: str) -> tuple[float, float] | None:
    """The 95 % Wilson interval of a rate in % with its counts, in percent; None otherwise."""
    k, n = row.get("numerator"), row.get("denominator")
    if not str(unit).startswith("%") or k is None or n is None or pd.isna(k) or pd.isna(n) or n <= 0 or not 0 <= k <= n:
        return None
    low, high = wilson_interval(k, n)
    return low * 100, high * 100


def path_value(goal: Goal, baseline: float, year: float) -> float:
    """The straight path from (baseline year, baseline) to (target year, target value)."""
    span = goal.target_year - goal.baseline_year
    return baseline + (goal.target_value - baseline) * (year - goal.baseline_year) / span


def progress(goal: Goal, series: pd.DataFrame, unit: str = "") -> Progress:
    """The state of an indicator goal from the area's ``series`` (year, value, status, numerator, denominator)."""
    usable = series[series["status"].isin(("ok", "zero")) & series["value"].notna()].sort_values("year")
    at_baseline = usable[usable["year"] == goal.baseline_year]
    if at_baseline.empty:
        return Progress(NO_DATA, reason=f"kein Wert im Ausgangsjahr {goal.baseline_year}")
    baseline = float(at_baseline["value"].iloc[0])
    years = list(range(goal.baseline_year, goal.target_year + 1))
    path = pd.DataFrame({"year": years, "expected": [path_value(goal, baseline, y) for y in years]})
    later = usable[(usable["year"] > goal.baseline_year) & (usable["year"] <= goal.target_year)]
    if later.empty:
        return Progress(NO_DATA, baseline, path=path, reason=f"noch kein Wert nach dem Ausgangsjahr {goal.baseline_year}")
    newest = later.iloc[-1]
    year, value = int(newest["year"]), float(newest["value"])
    interval = interval_of(newest, unit)
    up = goal.target_value >= baseline  # the goal's direction
    expected = path_value(goal, baseline, year)
    way = (value - baseline) / (goal.target_value - baseline) if goal.target_value != baseline else None
    common = dict(baseline=baseline, latest_year=year, latest=value, interval=interval, expected=expected, share_of_way=way, path=path)

    def reaches(limit: float, with_interval: bool) -> bool:
        best = (interval[1] if up else interval[0]) if (with_interval and interval) else value
        return best >= limit if up else best <= limit

    if reaches(goal.target_value, with_interval=False):
        return Progress(REACHED, **common, reason=f"Zielwert im Jahr {year} erreicht")
    if year >= goal.target_year:
        return Progress(MISSED, **common, reason=f"Zieljahr {goal.target_year} ohne Erreichen des Zielwerts")
    if reaches(expected, with_interval=True):
        how = "Wert" if reaches(expected, with_interval=False) else "95-%-Intervall des Werts"
        return Progress(ON_TRACK, **common, reason=f"{how} {year} erreicht den Zielpfad ({_number(expected)})")
    return Progress(AT_RISK, **common, reason=f"Wert {year} mit seinem Intervall hinter dem Zielpfad ({_number(expected)})")


def _number(value: float) -> str:
    return number(value, 1)


def qualitative_progress(goal: Goal) -> Progress:
    """A qualitative goal as its responsible unit reports it (offen / in Arbeit count as 'keine Daten' for the rule)."""
    status = {"erreicht": REACHED, "verfehlt": MISSED}.get(goal.qualitative_status or "", NO_DATA)
    return Progress(status, reason=f"Stand laut {goal.responsible or 'Verantwortlichen'}: {goal.qualitative_status or 'nicht angegeben'}")


def measures_of(goal: Goal, measures: list[Measure]) -> list[Measure]:
    return [m for m in measures if goal.id is not None and goal.id in m.goal_ids]


def measure_summary(measures: list[Measure]) -> str:
    """'3 Maßnahmen: 1 umgesetzt, 2 in Umsetzung' (in the order of the status list)."""
    if not measures:
        return "keine Maßnahme"
    counts = pd.Series([m.status for m in measures]).value_counts()
    parts = [f"{counts[s]} {s}" for s in settings()["measure_statuses"] if s in counts]
    return f"{len(measures)} Maßnahme{'n' if len(measures) != 1 else ''}: " + ", ".join(parts)
