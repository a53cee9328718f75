"""Goals in print: the Zielübersicht as xlsx, as a section of the Kreistag report and of the Steckbrief, and the
path chart of one goal. The numbers are the page's (planning.goal_overview); every xlsx cell goes through
etl.spreadsheet, so a goal's title never becomes a formula."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import plotly.graph_objects as go
from openpyxl import Workbook

from planning.goal_overview import OVERVIEW_COLUMNS, status_counts
from planning.goals import RULE_TEXT, Goal, Measure, Progress
from reports import document as d
from reports.render import MIME, ExportFile, file_stem
from reports.workbook import titled_sheet

PRINT_COLUMNS = ["Ziel", "Gebiet", "Ausgangswert", "Zielwert", "Aktueller Wert", "Status", "Maßnahmen"]
MEASURE_COLUMNS = {"title": "Maßnahme", "status": "Status", "responsible": "Verantwortlich", "start": "Beginn", "end": "Ende", "note": "Hinweis"}
STATUS_COLOURS = {"erreicht": "#1a9850", "auf Kurs": "#91cf60", "keine Daten": "#bdbdbd", "gefährdet": "#fc8d59", "verfehlt": "#d73027"}


def measures_frame(measures: list[Measure], goal_titles: dict[int, str]) -> pd.DataFrame:
    rows = [{**{label: getattr(m, field) for field, label in MEASURE_COLUMNS.items()},
             "Ziele": "; ".join(goal_titles.get(i, str(i)) for i in m.goal_ids)} for m in measures]  # fmt: skip
    return pd.DataFrame(rows, columns=[*MEASURE_COLUMNS.values(), "Ziele"])


def goals_xlsx(kreis_name: str, overview: pd.DataFrame, measures: pd.DataFrame) -> ExportFile:
    """Two sheets: the Zielübersicht (every column the page shows) and the measures; the rule in the header."""
    wb = Workbook()
    for n, (name, frame) in enumerate((("Zielübersicht", overview.drop(columns=["goal_id"])), ("Maßnahmen", measures))):
        ws = wb.active if n == 0 else wb.create_sheet()
        ws.title = name
        titled_sheet(ws, f"{name} – {kreis_name}", [("Regel", RULE_TEXT), ("Stand", f"{date.today():%d.%m.%Y}")], frame, 22, 22)
    out = io.BytesIO()
    wb.save(out)
    return ExportFile(f"{file_stem('zieluebersicht', kreis_name)}.xlsx", out.getvalue(), MIME["xlsx"])


def goal_section(overview: pd.DataFrame, heading: str = "Ziele und Maßnahmen", level: int = 1) -> list[d.Block]:
    """The Zielübersicht as report blocks: the count per state, one table per Handlungsfeld, the rule."""
    if overview.empty:
        return [d.Heading(heading, level), d.Paragraph("Für dieses Gebiet sind keine Ziele erfasst.")]
    counts = status_counts(overview)
    blocks: list[d.Block] = [
        d.Heading(heading, level),
        d.Paragraph(f"{len(overview)} Ziele: " + ", ".join(f"{n} {status}" for status, n in counts.items()) + "."),
    ]
    for field, part in overview.groupby("Handlungsfeld", sort=False):
        blocks.append(d.Heading(str(field), level + 1))
        blocks.append(d.Table(part[PRINT_COLUMNS].reset_index(drop=True), widths=(4.4, 2.2, 2.2, 2.2, 2.4, 1.8, 2.8)))
    blocks.append(d.Paragraph(RULE_TEXT, "small"))
    return blocks


def path_figure(goal: Goal, state: Progress, series: pd.DataFrame, label: str, unit: str) -> go.Figure:
    """The straight path from the baseline to the target, the actual values with their 95 % intervals, the target."""
    fig = go.Figure()
    if not state.path.empty:
        fig.add_scatter(x=state.path["year"], y=state.path["expected"], mode="lines", name="Zielpfad", line={"dash": "dash", "color": "#555"})
    actual = series[series["status"].isin(("ok", "zero"))].sort_values("year")
    error = None
    if {"numerator", "denominator"} <= set(actual.columns) and str(unit).startswith("%") and state.interval is not None:
        from planning.goals import interval_of  # noqa: PLC0415

        bounds = [interval_of(row, unit) for _, row in actual.iterrows()]
        error = {"type": "data", "symmetric": False, "array": [(b[1] - v) if b else 0 for b, v in zip(bounds, actual["value"])],
                 "arrayminus": [(v - b[0]) if b else 0 for b, v in zip(bounds, actual["value"])], "color": "#888"}  # fmt: skip
    fig.add_scatter(x=actual["year"], y=actual["value"], mode="lines+markers", name="Ist-Wert", error_y=error,
                    line={"color": STATUS_COLOURS.get(state.status, "#333")}, connectgaps=False)  # fmt: skip
    if goal.target_value is not None:
        fig.add_scatter(x=[goal.target_year], y=[goal.target_value], mode="markers", name="Ziel", marker={"symbol": "star", "size": 14, "color": "#333"})
    fig.update_layout(title=f"{label}: {state.status}", yaxis_title=unit, xaxis={"dtick": 1}, height=380, margin={"l": 50, "r": 20, "t": 50, "b": 40},
                      legend={"orientation": "h", "y": -0.2}, template="plotly_white")  # fmt: skip
    return fig
