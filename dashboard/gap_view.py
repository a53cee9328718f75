"""The need/supply chart of Bedarf & Versorgung on screen: one point per area, need (the social indicator, or
the size of the target group) across, supply up, point size by target group, colour by the Präventionskette
rule, the Kreis values and the "schwach" threshold as reference lines. The numbers and statuses come from
``planning.gaps.need_supply_points``.
"""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from planning import gaps
from planning.chain import EMPTY, NO_TARGET, NOT_CAPTURED, OK, STATUS_LABELS, UNKNOWN, WEAK, WEAK_SHARE
from planning.formatting import number

FONT = "sans-serif"
KREIS_COLOUR = "#1e2a33"
POINT_COLOURS = {
    EMPTY: "#d7301f", WEAK: "#f0a202", OK: "#2c7fb8", UNKNOWN: "#999999", NO_TARGET: "#999999",
    NOT_CAPTURED: "#b9bec4",  # paler than "no target": nothing is known about these offers
}  # fmt: skip
LABELLED_POINTS = 15  # name the points in the chart up to this many areas


def need_supply_figure(view: gaps.GapView, category: str, weak_share: float = WEAK_SHARE, note: str = "") -> go.Figure:
    """Need (social indicator, or the target population without one) against supply per area, point size by
    target population, colour by the Präventionskette rule; Kreis values as reference lines. ``note``: a line
    above the chart, e.g. that it shows a scenario (so that a screenshot says so as well)."""
    rows = gaps.need_supply_points(view, category, weak_share)
    social = view.social
    by_social = social is not None and rows["social_value"].notna().any()
    measure = gaps.supply_measure(rows)
    x = rows["social_value"] if by_social else rows["target_population"]
    x_title = f"{social.label} {social.year} ({social.unit})" if by_social else f"Zielgruppe ({view.words.target_labels.get(category, 'Personen')})"
    y_title = "Plätze je 100 der Zielgruppe" if measure == "capacity_per_100" else "Angebote je 1.000 der Zielgruppe"
    sizes = rows["target_population"].fillna(0)
    size_ref = 2.0 * max(float(sizes.max()), 1.0) / 40**2  # plotly's recipe: the largest point 40 px across
    data = []
    for status in (EMPTY, WEAK, OK, UNKNOWN, NO_TARGET, NOT_CAPTURED):
        part = rows["status"] == status
        if not part.any():
            continue
        hover = [
            f"<b>{html.escape(str(n))}</b><br>{html.escape(r)}"
            for n, r in zip(rows.loc[part, "name"], [gaps.reason(r, view.words) for _, r in rows[part].iterrows()])
        ]
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text" if len(rows) <= LABELLED_POINTS else "markers",
                "x": x[part].tolist(),
                "y": rows.loc[part, "supply"].fillna(0).tolist(),
                "text": [html.escape(str(n)) for n in rows.loc[part, "name"]],
                "textposition": "top center",
                "textfont": {"size": 11},
                "name": STATUS_LABELS[status],
                "marker": {
                    "color": POINT_COLOURS[status], "size": sizes[part].tolist(), "sizemode": "area", "sizeref": size_ref,
                    "sizemin": 6, "line": {"color": "#ffffff", "width": 1}, "opacity": 0.85,
                },
                "hovertext": hover,
                "hovertemplate": "%{hovertext}<extra></extra>",
                "cliponaxis": False,
            }
        )  # fmt: skip
    shapes = []
    kreis_supply = rows["kreis_supply"].dropna()
    if not kreis_supply.empty:
        y_ref = float(kreis_supply.iloc[0])
        shapes.append(_reference_line("y", y_ref))
        data.append(_reference_trace(y_ref, f"Kreis: {number(y_ref, 2 if y_ref < 1 else 1)}", x))
        shapes.append(_reference_line("y", weak_share * y_ref, dash="dot", colour=POINT_COLOURS[WEAK]))
        data.append(
            _reference_trace(weak_share * y_ref, f"Schwelle „schwach“: {number(weak_share * y_ref, 2 if y_ref < 1 else 1)}", x, POINT_COLOURS[WEAK], "dot")
        )
    if by_social and social.kreis_value is not None:
        shapes.append(_reference_line("x", social.kreis_value))
    layout = {
        "separators": ",.",
        "height": 460,
        "margin": {"l": 10, "r": 20, "t": 60, "b": 50},
        "font": {"family": FONT, "size": 12, "color": KREIS_COLOUR},
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "showlegend": True,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        "shapes": shapes,
        "xaxis": {
            "title": {"text": x_title}, "showgrid": True, "gridcolor": "#e6e6e6", "zeroline": False, "automargin": True,
            "range": _padded_range(x, social.kreis_value if by_social else None),
        },
        "yaxis": {"title": {"text": y_title}, "showgrid": True, "gridcolor": "#e6e6e6", "rangemode": "tozero", "automargin": True},
    }
    if note:  # in the top margin, above the legend
        layout["title"] = {"text": html.escape(note), "font": {"size": 13, "color": "#5e3c99"}, "x": 0, "xanchor": "left", "y": 0.98}
        layout["margin"] = {**layout["margin"], "t": 90}
    if by_social and social.kreis_value is not None:
        layout["annotations"] = [
            {
                "x": social.kreis_value, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom", "showarrow": False,
                "text": f"Kreis: {social.text(social.kreis_value)}", "font": {"size": 11, "color": KREIS_COLOUR},
            }
        ]  # fmt: skip
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def _reference_line(axis: str, value: float, dash: str = "dash", colour: str = KREIS_COLOUR) -> dict:
    line = {"color": colour, "dash": dash, "width": 1.5}
    if axis == "y":
        return {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": value, "y1": value, "line": line}
    return {"type": "line", "xref": "x", "yref": "paper", "x0": value, "x1": value, "y0": 0, "y1": 1, "line": line}


def _reference_trace(value: float, name: str, x: pd.Series, colour: str = KREIS_COLOUR, dash: str = "dash") -> dict:
    """A line trace along a horizontal reference line, for its legend entry."""
    xs = x.dropna()
    x0, x1 = (float(xs.min()), float(xs.max())) if not xs.empty else (0.0, 1.0)
    return {
        "type": "scatter", "mode": "lines", "x": [x0, x1], "y": [value, value],
        "line": {"color": colour, "dash": dash, "width": 1.5}, "name": name, "hoverinfo": "skip",
    }  # fmt: skip


def _padded_range(x: pd.Series, reference: float | None) -> list[float] | None:
    """The x range with room for the names printed beside the outermost points."""
    values = [float(v) for v in x.dropna()] + ([float(reference)] if reference is not None else [])
    if not values:
        return None
    low, high = min(values), max(values)
    pad = 0.12 * (high - low) if high > low else max(abs(high) * 0.1, 1.0)
    return [low - pad, high + pad]
