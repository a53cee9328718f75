"""The explorer's charts on screen (plotly): ranking of the areas against Kreis, Land and Bund, development over the
years, and the swatch summary of how the areas compare. The numbers and their order come from
``planning.area_values``; how a series is drawn (every calendar year, gaps, breaks) from ``planning.series_rules``."""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from planning import comparison
from planning.indicators import Reference, short_value
from planning.area_values import SeriesLine, ranked, series_lines
from planning.series_rules import ONE_YEAR_TEXT, SeriesBreak

FONT = "sans-serif"
KREIS_COLOUR = "#1e2a33"
LAND_COLOUR = "#7a3e9d"
BUND_COLOUR = "#6b6b6b"
BREAK_COLOUR = "#b15928"
# time-series lines: no red, green or amber, which the comparison uses for schlechter / besser / ähnlich
SERIES_COLOURS = ("#2c7fb8", "#8c6bb1", "#1b9e9e", "#a6761d", "#e7298a", "#666666", "#08306b", "#b15928")
CHART_CONFIG = {"displaylogo": False, "displayModeBar": False}


def _layout(height: int, **extra) -> dict:
    """Layout shared by the explorer's charts (built as one dict rather than by many update_* calls)."""
    layout = {
        "separators": ",.",  # German: decimal comma, thousands dot
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 40, "b": 40},
        "font": {"family": FONT, "size": 12, "color": "#1e2a33"},
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(extra)
    return layout


def _figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain dicts without plotly's per-property validation (about ten times faster; Streamlit
    does not validate a Figure again). The dicts use only documented attributes; the browser tests draw them."""
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def _tickformat(decimals: int) -> str:
    return f",.{decimals}f"


def _axis_title(meta: pd.Series) -> str:
    return "" if meta["unit"] == "Personen" else meta["unit"]


def _esc(text: object) -> str:
    """Plotly hover and legend texts render HTML: names from the data are escaped."""
    return html.escape(str(text))


def _bar(part: pd.DataFrame, category: str, label: str) -> dict:
    """The bars of one comparison category, with Wilson intervals as whiskers where there are any."""
    hover = [
        f"<b>{_esc(n)}</b><br>{label}: {t}" + (f"<br>95-%-KI: {ci}" if ci != "–" else "") + f"<br>Vergleich mit Kreis: {c}"
        for n, t, ci, c in zip(part["name"], part["value_text"], part["ci_text"], part["comparison_text"])
    ]
    bar = {
        "type": "bar",
        "orientation": "h",
        "x": part["value"].tolist(),
        "y": part["area_id"].tolist(),
        "name": comparison.LABELS[category],
        "marker": {"color": comparison.COLOURS[category], "line": {"width": 0}},
        "hovertext": hover,
        "hovertemplate": "%{hovertext}<extra></extra>",
    }
    has_ci = part["ci_low"].notna()
    if has_ci.any():
        bar["error_x"] = {
            "type": "data",
            "symmetric": False,
            "array": (part["ci_high"] - part["value"]).clip(lower=0).where(has_ci).tolist(),
            "arrayminus": (part["value"] - part["ci_low"]).clip(lower=0).where(has_ci).tolist(),
            "color": "#444",
            "thickness": 1,
            "width": 2,
        }
    return bar


def ranking_figure(
    view_frame: pd.DataFrame, meta: pd.Series, kreis: Reference, land: Reference | None, bund: Reference | None = None
) -> go.Figure:
    """Horizontal bars, highest value on top, coloured by the comparison with the Kreis; Wilson intervals as
    whiskers; Kreis, Land and Bund value as reference lines (rates only: a Kreis total is no yardstick for counts)."""
    rows = ranked(view_frame)
    order = rows["area_id"].tolist()
    label = _esc(meta["label"])
    data, shapes = [], []
    for category in comparison.ORDER:
        part = rows[rows["comparison"] == category]
        if not part.empty:
            data.append(_bar(part, category, label))
    if meta["kind"] == "rate" and order:
        references = ((kreis, "Kreis", KREIS_COLOUR, "dash"), (land, f"Land ({_esc(land.name)})" if land else "", LAND_COLOUR, "dot"),
                      (bund, "Deutschland", BUND_COLOUR, "dashdot"))  # fmt: skip
        for ref, name, colour, dash in references:
            if ref is None or ref.value is None:
                continue
            line = {"color": colour, "dash": dash, "width": 1.5}
            shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": ref.value, "x1": ref.value, "y0": 0, "y1": 1, "line": line})
            # a line trace along the shape gives the reference its legend entry and hover text
            data.append(
                {
                    "type": "scatter", "mode": "lines", "x": [ref.value, ref.value], "y": [order[-1], order[0]], "line": line,
                    "name": f"{name}: {short_value(ref, meta)}", "hovertemplate": f"{_esc(ref.name)}: {ref.text}<extra></extra>",
                }
            )  # fmt: skip
    names = dict(zip(rows["area_id"], rows["name"]))
    layout = _layout(
        max(260, 20 * len(order) + 130),
        bargap=0.25,
        showlegend=True,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0, "title": {"text": "Vergleich mit Kreis: "}},
        margin={"l": 10, "r": 20, "t": 70, "b": 40},
        shapes=shapes,
        xaxis={
            "tickformat": _tickformat(int(meta["decimals"])), "title": {"text": _axis_title(meta)}, "showgrid": True,
            "gridcolor": "#e6e6e6", "zeroline": True, "zerolinecolor": "#999", "rangemode": "tozero",
        },
        yaxis={
            "type": "category",  # area ids are digit strings: without this plotly would read them as numbers
            "categoryorder": "array", "categoryarray": order[::-1], "tickvals": order, "ticktext": [_esc(names[i]) for i in order],
            "automargin": True,
            "range": [-0.6, len(order) - 0.4],  # no autorange padding (the reference-line traces would add empty rows)
        },
    )  # fmt: skip
    return _figure(data, layout)


def timeseries_figure(
    series: pd.DataFrame, land_rows: pd.DataFrame, area_ids: list[str], names: dict[str, str], meta: pd.Series,
    breaks: list[SeriesBreak] | tuple = (),
) -> go.Figure:  # fmt: skip
    """One line per selected area over every calendar year (``planning.area_values.series_lines``)."""
    years, lines = series_lines(series, land_rows, area_ids, names, meta)
    return series_chart(years, lines, meta, list(breaks))


LINE_STYLES = {"kreis": {"width": 3.5, "color": KREIS_COLOUR}, "land": {"width": 2.5, "color": LAND_COLOUR, "dash": "dot"},
               "bund": {"width": 2.5, "color": BUND_COLOUR, "dash": "dashdot"}}  # fmt: skip


def series_chart(years: list[int], lines: list[SeriesLine], meta: pd.Series, breaks: list[SeriesBreak]) -> go.Figure:
    """Lines over every calendar year, None where a year has no value and never bridged (connectgaps off); a break in
    the source as a vertical line between two years with its label; a single year with values says so instead of
    pretending a development."""
    data = []
    for line in lines:
        style = LINE_STYLES.get(line.level) or {"width": 2, "color": SERIES_COLOURS[len(data) % len(SERIES_COLOURS)]}
        name = _esc(line.name)
        data.append(
            {
                "type": "scatter", "mode": "lines+markers", "x": years, "y": list(line.values), "name": name, "line": style,
                "connectgaps": False, "hovertext": [f"{name} {year}: {text}" for year, text in zip(years, line.texts)],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )  # fmt: skip
    with_values = [y for i, y in enumerate(years) if any(line.values[i] is not None for line in lines)]
    shapes, annotations = [], []
    for b in breaks:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": b.year - 0.5, "x1": b.year - 0.5, "y0": 0, "y1": 1,
                       "line": {"color": BREAK_COLOUR, "dash": "dash", "width": 1.5}})  # fmt: skip
        annotations.append({"x": b.year - 0.5, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom", "showarrow": False,
                            "text": f"Bruch: {_esc(b.label)}", "font": {"color": BREAK_COLOUR, "size": 11}})  # fmt: skip
    if len(with_values) == 1:
        annotations.append({"x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False,
                            "text": f"{ONE_YEAR_TEXT} ({with_values[0]}) – keine Entwicklung darstellbar",
                            "font": {"size": 14, "color": "#555"}, "bgcolor": "rgba(255,255,255,0.85)"})  # fmt: skip
    step = 1 if len(years) <= 12 else 2 if len(years) <= 24 else 5
    layout = _layout(
        380,
        margin={"l": 10, "r": 20, "t": 30 if breaks else 20, "b": 60},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
        xaxis={"tickmode": "array", "tickvals": years[::step], "ticktext": [str(y) for y in years[::step]], "showgrid": False,
               "range": [years[0] - 0.5, years[-1] + 0.5] if years else None},  # fmt: skip
        yaxis={"tickformat": _tickformat(int(meta["decimals"])), "title": {"text": _axis_title(meta)}, "gridcolor": "#e6e6e6"},
        shapes=shapes,
        annotations=annotations,
    )
    return _figure(data, layout)


def summary_html(view_frame: pd.DataFrame) -> str:
    """'■ 40 ähnlich ■ 12 höher …': how many areas compare how with the Kreis, with the swatches of the ranking
    chart (the label always spelled out)."""
    counts = view_frame["comparison"].value_counts()
    items = [
        f'<span style="white-space:nowrap;margin-right:14px"><span style="display:inline-block;width:12px;height:12px;'
        f'background:{comparison.COLOURS[c]};border:1px solid #777;margin-right:5px;vertical-align:-1px"></span>'
        f"<b>{counts[c]}</b> {comparison.LABELS[c]}</span>"
        for c in comparison.ORDER
        if c in counts
    ]
    return " ".join(items)
