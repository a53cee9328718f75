"""Plotly figures for print, built from DataFrames (``reports.figures`` fetches them from the database).

Every chart gets the shared title block and source footer of ``reports.style``; numbers are German
(``separators=",."`` for axes, Babel for labels). Missing values are shown with their reason, never as 0.
"""
from __future__ import annotations

import math
from collections.abc import Collection

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
from shapely.geometry.base import BaseGeometry

from planning import series_rules
from planning.formatting import number, short_unit, value_text
from planning.classification import Symbols, is_count, map_classes, missing_reasons, proportional_symbols, spread_text
from planning.map_labels import hole_points, label_points, value_points
from reports.data import Indicator
from reports.style import (
    BASE, BODY_PX, HIGHLIGHT, KREIS, LAND, MISSING, MUTED, SERIES, TEXT as TEXT_COLOUR, WIDTH_PX, Caption,
    apply_layout, esc, new_figure, wrap,
)  # fmt: skip

_VALUE = ("ok", "zero")
_ROW_PX = 17  # one bar of a ranking: 10 px text plus air
_CHAR_PX = BODY_PX * 0.55
_HALO = "0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff"  # a soft white glow: names stay legible on dark classes
NEUTRAL_FILL, SYMBOL_COLOUR = "#e6e3d8", "#2c7fb8"  # a count map: areas without classes, circles (as on screen)


def _known(frame: pd.DataFrame) -> pd.Series:
    return frame["status"].isin(_VALUE) & frame["value"].notna()


def _label(value: float, ind: Indicator) -> str:
    """A bar's value with a short unit only ('12,5 %'): a long one ('je 100 Personen von 20–64 J.') would run off
    the plot; it stands in the axis title."""
    return value_text(value, "ok", ind.decimals, short_unit(ind.unit) or ("%" if ind.unit.startswith("% ") else ""))


def _axis_title(ind: Indicator) -> str:
    return ind.unit or "Anzahl"


def _reference_lines(fig: go.Figure, references: pd.DataFrame | None, ind: Indicator, layer: str = "above") -> list[float]:
    """Kreis (dashed), Land (dotted) and Bund (dash-dotted) as vertical lines, named with their value in the legend;
    ``layer`` 'below': behind the traces, so that they never cross a bar's value label."""
    drawn = []
    if references is None:
        return drawn
    styles = {"land": (LAND, "dot"), "bund": (MUTED, "dashdot")}
    for _, ref in references[_known(references)].iterrows():
        colour, dash = styles.get(ref["level"], (KREIS, "dash"))
        fig.add_vline(x=ref["value"], line=dict(color=colour, dash=dash, width=1.4), layer=layer)
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=dict(color=colour, dash=dash, width=1.4),
                                 name=f"{esc(ref['name'])}: {_label(ref['value'], ind)}"))  # fmt: skip
        drawn.append(float(ref["value"]))
    return drawn


BAR_OPACITY = 0.78  # bars with reference lines behind them: the lines show through
LABEL_HALO = "0 0 2px white, 0 0 2px white, 0 0 3px white"  # a value label stays legible where a line passes behind it


def ranking_chart(
    values: pd.DataFrame, ind: Indicator, caption: Caption, *, references: pd.DataFrame | None = None,
    highlight: Collection[str] = (), width: int = WIDTH_PX,
) -> go.Figure:  # fmt: skip
    """Horizontal bars of one indicator over areas, highest on top, with Kreis/Land lines.

    ``values``: area_id, name, value, status (as ``data.level_values``); ``references``: name, level, value,
    status (as ``data.comparators``); ``highlight``: area ids drawn in red and named in bold.
    """
    known = _known(values)
    ordered = pd.concat([values[known].sort_values("value", ascending=False), values[~known]])
    ok = _known(ordered).tolist()
    names = [f"<b>{esc(n)}</b>" if a in highlight else esc(n) for a, n in zip(ordered["area_id"], ordered["name"])]
    ys = list(range(len(ordered)))
    fig = new_figure()
    fig.add_trace(go.Bar(
        x=ordered["value"].where(ok), y=ys, orientation="h", showlegend=False,
        marker=dict(color=[HIGHLIGHT if a in highlight else BASE for a in ordered["area_id"]],
                    opacity=BAR_OPACITY if references is not None and _known(references).any() else 1.0),
        text=[_label(v, ind) if k else "" for v, k in zip(ordered["value"], ok)],
        textposition="outside", cliponaxis=False, textfont=dict(size=BODY_PX - 1, shadow=LABEL_HALO),
    ))  # fmt: skip
    if not all(ok):  # the reason in place of the bar, starting a little right of the axis
        fig.add_trace(go.Scatter(
            x=[0] * ok.count(False), y=[y for y, k in zip(ys, ok) if not k], mode="text",
            text=["\u2002" + value_text(None, s, ind.decimals) for s, k in zip(ordered["status"], ok) if not k],
            textposition="middle right", textfont=dict(size=BODY_PX - 1, color=MUTED), showlegend=False,
        ))  # fmt: skip
    refs = _reference_lines(fig, references, ind, layer="below")  # behind the bars and their value labels
    extent = [float(v) for v, k in zip(ordered["value"], ok) if k] + refs + [0.0]
    low, high = min(extent), max(extent)
    span = (high - low) or 1.0
    fig.update_xaxes(range=[low - (0.2 * span if low < 0 else 0), high + 0.22 * span], title=_axis_title(ind),
                     tickformat=",~f", showgrid=True, gridcolor="#e5e5e5", zeroline=True, zerolinecolor="#999")  # fmt: skip
    fig.update_yaxes(tickvals=ys, ticktext=names, range=[len(ys) - 0.5, -0.5], showgrid=False, ticks="",
                     ticklabelstandoff=5)  # fmt: skip
    longest = max((len(n) for n in ordered["name"]), default=8)
    left = min(int(width * 0.42), int(longest * _CHAR_PX) + 16)
    return apply_layout(fig, caption, width=width, plot_height=len(ordered) * _ROW_PX + 8, left=left,
                        bottom_axis=40, top_legend=bool(refs))  # fmt: skip


def _swarm(xs: list[float], min_dx: float, max_row: int = 6) -> list[int]:
    """Rows (0, 1, −1, 2, …) for dots at ``xs`` so that dots in one row keep ``min_dx`` apart: a beeswarm."""
    rows: list[int] = [0] * len(xs)
    last: dict[int, float] = {}
    for i in sorted(range(len(xs)), key=lambda i: xs[i]):
        candidates = [0] + [r for k in range(1, max_row + 1) for r in (k, -k)]
        free = [r for r in candidates if r not in last or xs[i] - last[r] >= min_dx]
        rows[i] = free[0] if free else min(candidates, key=lambda r: last.get(r, -math.inf))
        last[rows[i]] = xs[i]
    return rows


def distribution_chart(
    values: pd.DataFrame, ind: Indicator, caption: Caption, *, references: pd.DataFrame | None = None,
    highlight: Collection[str] = (), width: int = WIDTH_PX, named: int = 6, area_name: str = "Gebiet",
) -> go.Figure:  # fmt: skip
    """Every area as a dot on the value axis (a beeswarm), the chosen ones red and named with their rank, Kreis
    and Land as lines: where a ranking of a hundred Gemeinden would need a page of unreadable bars.

    Rank 1 is the highest value, as in the ranking. ``named``: at most this many chosen areas get a label.
    """
    known = values[_known(values)].copy()
    known["rank"] = known["value"].rank(ascending=False, method="min").astype(int)
    plot_px = width - 40 - 20
    low, high = float(known["value"].min()), float(known["value"].max())
    refs_frame = references[_known(references)] if references is not None else None
    if refs_frame is not None and not refs_frame.empty:
        low, high = min(low, float(refs_frame["value"].min())), max(high, float(refs_frame["value"].max()))
    span = (high - low) or 1.0
    dot = 7
    known["row"] = _swarm(known["value"].tolist(), span * dot / plot_px)
    rows = max(1, int(known["row"].abs().max()))
    chosen = known["area_id"].isin(highlight)
    fig = new_figure()
    for mask, colour, size, name in ((~chosen, BASE, dot, f"ein Punkt je {area_name}"), (chosen, HIGHLIGHT, dot + 3, "Auswahl")):
        part = known[mask]
        fig.add_trace(go.Scatter(
            x=part["value"], y=part["row"], mode="markers", name=name, showlegend=bool(mask.any()),
            marker=dict(color=colour, size=size, opacity=0.75 if colour == BASE else 1.0, line=dict(color="white", width=0.5)),
            customdata=np.column_stack([[esc(n) for n in part["name"]], [_label(v, ind) for v in part["value"]], part["rank"]]),
            hovertemplate="%{customdata[0]}: %{customdata[1]} (Rang %{customdata[2]})<extra></extra>",
        ))  # fmt: skip
    _reference_lines(fig, references, ind)
    for n, (_, row) in enumerate(known[chosen].sort_values("value").head(named).iterrows()):
        fig.add_annotation(x=row["value"], y=row["row"], text=f"<b>{esc(row['name'])}</b>: {_label(row['value'], ind)}"
                           f" (Rang {row['rank']} von {len(known)})", showarrow=True, arrowhead=0, arrowcolor=HIGHLIGHT,
                           ax=0, ay=-((rows - row["row"]) * 9 + 12 + 13 * (n % 2)), font=dict(size=BODY_PX - 1), bgcolor="rgba(255,255,255,0.8)")  # fmt: skip
    missing = len(values) - len(known)
    if missing:
        fig.add_annotation(x=1, y=0, xref="paper", yref="paper", yanchor="bottom", xanchor="right", showarrow=False,
                           text=f"{missing} ohne Wert", font=dict(size=BODY_PX - 1, color=MUTED))  # fmt: skip
    fig.update_xaxes(range=[low - 0.05 * span, high + 0.05 * span], title=_axis_title(ind), tickformat=",~f",
                     showgrid=True, gridcolor="#e5e5e5", zeroline=False)  # fmt: skip
    label_rows = 2 if known[chosen].shape[0] > 1 else 1
    top = rows + 0.6 + (label_rows * 13 + 14) / 9
    fig.update_yaxes(range=[-rows - 0.6, top], visible=False)
    return apply_layout(fig, caption, width=width, plot_height=round((top + rows + 0.6) * 9), left=40, bottom_axis=40,
                        top_legend=True)  # fmt: skip


def time_series_chart(
    series: pd.DataFrame, ind: Indicator, caption: Caption, *, width: int = WIDTH_PX, plot_height: int = 220,
    unit: str | None = None,
) -> go.Figure:  # fmt: skip
    """One line per area over every calendar year (Kreis dashed, Land dotted, Germany dash-dotted), drawn by the rules
    of ``planning.series_rules``: a year without a value stays an empty place (None, never bridged), a break in the
    source is a vertical line with its label, a single year says "nur ein Jahr vorhanden".

    ``series``: area_id, name, level, year, value, status (as ``data.series``); ``unit`` overrides the axis title.
    An index (``unit`` starting with 'Index', values already divided by some base) is put on one base year, the first
    year every line has a value (re-basing an index is a rescaling, so any earlier base gives the same result);
    without a common year each line names its own base.
    """
    fig = new_figure()
    years = series_rules.calendar_years(series["year"].dropna())
    areas = series.drop_duplicates("area_id").set_index("area_id")
    order = sorted(areas.index, key=lambda a: {"kreis": 1, "land": 2, "bund": 3}.get(areas.at[a, "level"], 0))
    values = {}
    for area_id in order:
        rows = series[series["area_id"] == area_id].drop_duplicates("year").set_index("year").reindex(years)
        known = rows["value"].where(rows["status"].isin(_VALUE))
        values[area_id] = [None if pd.isna(v) else float(v) for v in known]
    names = {a: esc(areas.at[a, "name"]) for a in order}
    if unit and unit.startswith("Index"):
        bases = series_rules.index_base(values, years)
        values = {a: series_rules.indexed(v, years, bases[a]) for a, v in values.items()}
        unit = series_rules.index_axis_title(bases)
        if len({b for b in bases.values() if b is not None}) > 1:
            names = {a: f"{n} ({bases[a]} = 100)" for a, n in names.items()}
    palette = iter(SERIES)
    styles = {"kreis": (KREIS, "dash", 1.8), "land": (LAND, "dot", 1.8), "bund": (MUTED, "dashdot", 1.8)}
    _BREAK = "#8c510a"  # a break in the source: brown, apart from the red of chosen areas
    for area_id in order:
        colour, dash, line_width = styles.get(areas.at[area_id, "level"]) or (next(palette, BASE), "solid", 2.4)
        fig.add_trace(go.Scatter(
            x=years, y=values[area_id], mode="lines+markers", name=names[area_id],
            line=dict(color=colour, dash=dash, width=line_width), marker=dict(size=5, color=colour), connectgaps=False,
        ))  # fmt: skip
    shown = [y for i, y in enumerate(years) if any(v[i] is not None for v in values.values())]
    for b in series_rules.source_breaks(ind.source, shown):
        fig.add_vline(x=b.year - 0.5, line=dict(color=_BREAK, dash="dash", width=1.2), annotation_text=esc(b.label),
                      annotation_position="bottom right", annotation_font=dict(size=BODY_PX - 1, color=_BREAK),
                      annotation_bgcolor="rgba(255,255,255,0.8)")  # fmt: skip
    if len(shown) == 1:
        fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(size=BODY_PX, color=MUTED),
                           text=f"{series_rules.ONE_YEAR_TEXT} ({shown[0]}) – keine Entwicklung darstellbar")  # fmt: skip
    step = 1 if len(years) <= 12 else 2 if len(years) <= 24 else 5
    fig.update_xaxes(tickvals=years[::step], ticktext=[str(y) for y in years[::step]], showgrid=False, ticks="outside",
                     range=[years[0] - 0.3, years[-1] + 0.3] if years else None)  # fmt: skip
    fig.update_yaxes(title=unit or _axis_title(ind), tickformat=",~f", gridcolor="#e5e5e5", zeroline=False)
    return apply_layout(fig, caption, width=width, plot_height=plot_height, left=64, bottom_axis=30, top_legend=True)


def _nice_step(limit: float) -> float:
    """About three ticks to each side: 1, 2, 2,5 or 5 times a power of ten."""
    raw = limit / 3
    if not raw > 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


OPEN_AGE_UNTIL = 90  # an open top group ('75 und älter') is drawn as if it ended here: its width is not known


def group_widths(ages: pd.DataFrame) -> pd.Series:
    """Years of age each group spans: upper − lower ('18 bis unter 20' → 2), the next group's lower bound where no
    upper is given, and an open top group up to OPEN_AGE_UNTIL (at least 5 years)."""
    lower = ages["lower"].astype(float)
    upper = ages["upper"].astype(float) if "upper" in ages else lower.shift(-1)
    upper = upper.where(upper.notna() & (upper > lower), np.maximum(OPEN_AGE_UNTIL, lower + 5))
    return upper - lower


def _spread(centres: list[float], gap: float, top: float) -> list[float]:
    """Label positions at least ``gap`` apart, each as near its centre as the neighbours allow, within 0…top."""
    placed: list[float] = []
    for c in centres:  # upwards: push each label above the one below
        placed.append(max(c, placed[-1] + gap) if placed else max(c, gap / 2))
    for i in range(len(placed) - 1, -1, -1):  # downwards: pull back under the top (and under the next label)
        limit = top - gap / 2 if i == len(placed) - 1 else placed[i + 1] - gap
        placed[i] = min(placed[i], limit)
    return placed


def age_pyramid_chart(
    ages: pd.DataFrame, caption: Caption, *, reference: pd.DataFrame | None = None, reference_name: str = "Kreis",
    width: int = WIDTH_PX, plot_height: int = 300,
) -> go.Figure:  # fmt: skip
    """Men left, women right, as persons per year of age: a group's count divided by the years it spans, drawn as
    thick as those years (an honest histogram: the area of a bar is the group's count). Equal bars for groups of 2,
    3, 5 and 10 years would show false dents (18 bis unter 20) and bulges (65 bis unter 75).

    ``ages``: group, lower, upper (optional), m, w (counts, as ``data.age_structure``); ``reference`` the same for
    the Kreis, scaled to the area's population and drawn as a step line, so the two structures can be compared.
    """
    widths = group_widths(ages)
    lower = ages["lower"].astype(float)
    centres = (lower + widths / 2).tolist()
    top = float((lower + widths).max())
    men, women = ages["m"] / widths, ages["w"] / widths
    labels = list(ages["group"])
    fig = new_figure()
    for side, counts, colour, name, sign in ((men, ages["m"], "#5b8db8", "Männer", -1),
                                             (women, ages["w"], "#e08a6e", "Frauen", 1)):  # fmt: skip
        fig.add_trace(go.Bar(
            y=centres, x=sign * side, width=widths.tolist(), orientation="h", name=name,
            marker=dict(color=colour, line=dict(color="white", width=0.6)),
            customdata=np.column_stack([labels, [number(c, 0) for c in counts], [number(v, 1) for v in side]]),
            hovertemplate=f"{name}, %{{customdata[0]}}: %{{customdata[1]}} Personen, %{{customdata[2]}} je Altersjahr<extra></extra>",
        ))  # fmt: skip
    limit = float(np.nanmax([men.max(), women.max()]))
    if reference is not None and not reference.empty:
        ref_widths = group_widths(reference)
        scale = (ages["m"].sum() + ages["w"].sum()) / (reference["m"].sum() + reference["w"].sum())
        ref_lower = reference["lower"].astype(float)
        for i, (column, sign) in enumerate((("m", -1), ("w", 1))):
            per_year = reference[column] / ref_widths * scale
            xs = [v * sign for v in per_year for _ in (0, 1)]
            ys = [y for lo, w in zip(ref_lower, ref_widths) for y in (lo, lo + w)]
            fig.add_trace(go.Scatter(
                x=xs, y=ys, mode="lines", line=dict(color=KREIS, width=1.3), legendgroup="ref", showlegend=i == 0,
                name=f"{esc(reference_name)} (auf gleiche Einwohnerzahl umgerechnet)", hoverinfo="skip",
            ))  # fmt: skip
            limit = max(limit, float(np.nanmax(per_year)))
    step = _nice_step(limit)
    ticks = np.arange(-math.ceil(limit / step) * step, math.ceil(limit / step) * step + step / 2, step)
    decimals = 0 if float(step).is_integer() else 1
    axis_title = "Personen je Altersjahr"
    open_group = "upper" not in ages or pd.isna(ages["upper"].iloc[-1])
    if open_group and len(ages):
        axis_title += f" · „{labels[-1]}“ auf {number(lower.iloc[-1], 0)} bis unter {number(top, 0)} Jahre verteilt"
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(tickvals=ticks, ticktext=[number(abs(t), decimals) for t in ticks], range=[ticks[0], ticks[-1]],
                     gridcolor="#e5e5e5", zeroline=True, zerolinecolor="#999", title=axis_title)  # fmt: skip
    fig.update_yaxes(range=[0, top], showticklabels=False, showgrid=False, zeroline=False, ticks="")
    # the group labels beside the bars, moved apart where narrow groups would make them overlap, with a leader
    # line to the group they name
    label_px, leader, right = BODY_PX - 1, 8, 20
    plot_height = max(plot_height, round(len(labels) * (label_px + 0.5) * 1.35))  # tall enough for its labels
    left = int(max(len(g) for g in labels) * label_px * 0.55) + leader + 10
    px_per_year = plot_height / top
    placed = _spread([c * px_per_year for c in centres], label_px + 0.5, plot_height)
    for label, centre, at in zip(labels, centres, placed):
        y = at / px_per_year
        fig.add_annotation(x=0, y=y, xref="paper", yref="y", text=esc(label), showarrow=False, xanchor="right",
                           xshift=-leader - 2, font=dict(size=label_px, color=TEXT_COLOUR))  # fmt: skip
        fig.add_shape(type="line", xref="paper", yref="y", x0=-leader / (width - left - right), x1=0, y0=y, y1=centre,
                      line=dict(color="#999", width=0.6))  # fmt: skip
    return apply_layout(fig, caption, width=width, plot_height=plot_height, left=left, right=right, bottom_axis=40,
                        top_legend=True)  # fmt: skip


def _geojson(shapes: gpd.GeoDataFrame) -> dict[str, dict]:
    """GeoJSON feature per area id; 5 decimals (~1 m) are plenty for print and keep the figure JSON small."""
    rounded = shapes.set_geometry(shapely.transform(shapes.geometry.values, lambda c: np.round(c, 5)))
    features = rounded[["area_id", "geometry"]].__geo_interface__["features"]
    return {f["properties"]["area_id"]: f for f in features}


def _lines(geometry: BaseGeometry) -> tuple[list, list]:
    """lon/lat of every ring, rings separated by None (one Scattergeo trace draws them all)."""
    lon: list = []
    lat: list = []
    for part in getattr(geometry, "geoms", [geometry]):
        for ring in [part.exterior, *part.interiors] if hasattr(part, "exterior") else [part]:
            x, y = ring.xy
            lon += [*np.round(x, 5), None]
            lat += [*np.round(y, 5), None]
    return lon, lat


def choropleth_map(
    shapes: gpd.GeoDataFrame, values: pd.DataFrame, ind: Indicator, caption: Caption, *, outline: BaseGeometry,
    highlight: Collection[str] = (), scheme: str = "quantile", k: int = 5, labels: bool | None = None,
    width: int = WIDTH_PX, plot_height: int = 360, reference: float | None = None, neighbours: pd.DataFrame | None = None,
) -> go.Figure:  # fmt: skip
    """A static map: areas coloured by class, Kreis outline, chosen areas outlined red, legend with class bounds.

    No tiles: the geometry alone carries the map (works offline, no third-party map licence). Mercator keeps
    north up and shapes true at county scale. ``labels`` names the areas (default: up to 12 areas, or the
    highlighted ones); a hole in the Kreis carries the name of the neighbour in it (``neighbours``, as
    ``planning.reference_queries.neighbours``), else "nicht zum Kreis gehörig". Classes follow
    ``planning.classification.map_classes`` (around the Kreis value ``reference`` where the areas differ little,
    rounded steps for few areas); a count (catalogue kind/unit) is drawn as circles whose area is the value.
    """
    frame = shapes.merge(values[["area_id", "value", "status"]], on="area_id", how="left")
    frame["status"] = frame["status"].fillna("absent")
    known = _known(frame)
    count = is_count(ind.kind, ind.unit)
    classes = None if count else map_classes(frame.loc[known, "value"], scheme=scheme, k=k, reference=reference, decimals=ind.decimals)
    symbols = proportional_symbols(frame.loc[known, "value"], max_radius=22) if count else None
    features = _geojson(shapes)
    map_share = 0.66  # of the width; the legend takes the rest
    fig = new_figure()

    def layer(ids: list[str], colour: str, name: str) -> None:
        # one trace per class (so the legend lists the classes), each with only its own features
        geojson = {"type": "FeatureCollection", "features": [features[i] for i in ids]}
        fig.add_trace(go.Choropleth(
            geojson=geojson, featureidkey="properties.area_id", locations=ids, z=[1] * len(ids),
            colorscale=[[0, colour], [1, colour]], showscale=False, name=name, showlegend=True,
            marker=dict(line=dict(color="white", width=0.7)), hoverinfo="skip",
        ))  # fmt: skip

    legend_px = width * (1 - map_share) - 40

    def legend_text(text: str) -> str:  # plotly does not wrap legend entries
        return "<br>".join(esc(line) for line in wrap(text, legend_px, BODY_PX))

    if classes is not None:
        index = np.array([classes.index_of(v) for v in frame.loc[known, "value"]], dtype=int)
        for i, (colour, label) in enumerate(zip(classes.colours, classes.legend_labels(ind.decimals))):
            if ids := frame.loc[known, "area_id"][index == i].tolist():
                layer(ids, colour, legend_text(label))
            else:  # plotly leaves a trace without data out of the legend: a swatch at no place keeps the row
                fig.add_trace(go.Scattergeo(lon=[None], lat=[None], mode="markers", name=legend_text(label),
                                            marker=dict(symbol="square", size=12, color=colour), hoverinfo="skip"))  # fmt: skip
    elif count and known.any():
        layer(frame.loc[known, "area_id"].tolist(), NEUTRAL_FILL, "Gebiet mit Wert")

    if (~known).any():
        reasons = missing_reasons(frame.loc[~known, "status"]) or "kein Wert"
        layer(frame.loc[~known, "area_id"].tolist(), MISSING, legend_text(reasons))

    lon, lat = _lines(outline)
    fig.add_trace(go.Scattergeo(lon=lon, lat=lat, mode="lines", line=dict(color=KREIS, width=1.6),
                                name="Kreisgrenze"))  # fmt: skip
    if symbols is not None:
        _circles(fig, frame[known], symbols, ind, map_share)
    chosen = frame[frame["area_id"].isin(highlight)]
    if not chosen.empty:
        lon, lat = _lines(shapely.union_all(chosen.geometry.values))
        fig.add_trace(go.Scattergeo(lon=lon, lat=lat, mode="lines", line=dict(color=HIGHLIGHT, width=2.4),
                                    name="Auswahl"))  # fmt: skip
    named = chosen if highlight else (frame if labels or (labels is None and len(frame) <= 12) else frame.iloc[0:0])
    if labels is not False:
        points = label_points(named).assign(hole=False) if not named.empty else None
        holes = hole_points(outline, neighbours)
        for rows, style in ((points, dict(color=KREIS)), (holes, dict(color=MUTED, style="italic"))):
            if rows is not None and not rows.empty:
                text = [esc(n).replace("Kreis gehörig", "Kreis<br>gehörig").replace(" (", "<br>(") for n in rows["name"]]  # a hole is narrow
                fig.add_trace(go.Scattergeo(lon=rows["lon"], lat=rows["lat"], mode="text", text=text,
                                            textfont=dict(size=BODY_PX - 1, shadow=_HALO, **style), showlegend=False))  # fmt: skip

    fig.update_geos(visible=False, fitbounds="locations", projection_type="mercator", bgcolor="white",
                    domain=dict(x=[0, map_share], y=[0, 1]))  # fmt: skip
    unit = (f" {ind.unit}" if ind.unit.startswith("je ") else f" in {ind.unit}") if ind.unit_suffix else ""
    notes = [classes.note if classes is not None else ("Anzahl: Symbolfläche ∝ Wert" if count else ""),
             spread_text(frame.loc[known, "value"], ind.decimals, short_unit(ind.unit)) or ""]  # fmt: skip
    note_html = "<br>".join(legend_text(n) for n in notes if n)
    title = f"{legend_text(ind.label + unit)}<br><span style='font-size:{BODY_PX - 1}px;color:{MUTED}'>{note_html}</span>"
    fig.update_layout(legend=dict(x=map_share + 0.03, y=1, xanchor="left", yanchor="top", font=dict(size=BODY_PX),
                                  tracegroupgap=2, title=dict(text=title, font=dict(size=BODY_PX))))  # fmt: skip
    _north_arrow(fig, x=map_share - 0.02)
    return apply_layout(fig, caption, width=width, plot_height=plot_height, left=8, right=8, bottom_axis=6)


def _circles(fig: go.Figure, frame: pd.DataFrame, symbols: Symbols, ind: Indicator, map_share: float) -> None:
    """Proportional circles at each area's label point, and their size legend below the class legend."""
    points = value_points(frame)
    order = points["value"].sort_values(ascending=False).index  # large first: small circles stay on top
    points = points.loc[order]
    fig.add_trace(go.Scattergeo(
        lon=points["lon"], lat=points["lat"], mode="markers", hoverinfo="skip", showlegend=False,
        marker=dict(size=[2 * symbols.radius(v) for v in points["value"]], sizemode="diameter", color=SYMBOL_COLOUR,
                    opacity=0.6, line=dict(color="#08519c", width=0.6)),
    ))  # fmt: skip
    x = 0.0
    for value in symbols.legend_values:  # the legend values' circles side by side, each value under its circle
        r = symbols.radius(value)
        label = number(value, ind.decimals) + (f" {ind.unit_suffix}" if ind.unit_suffix else "")
        width = max(2 * r, len(label) * _CHAR_PX)
        fig.add_shape(type="circle", xref="paper", yref="paper", xsizemode="pixel", ysizemode="pixel",
                      xanchor=map_share + 0.05, yanchor=0.08, x0=x + width / 2 - r, x1=x + width / 2 + r, y0=0, y1=2 * r,
                      line=dict(color="#08519c", width=0.8), fillcolor="rgba(44,127,184,0.35)")  # fmt: skip
        fig.add_annotation(xref="paper", yref="paper", x=map_share + 0.05, y=0.08, xshift=x + width / 2, yshift=-2,
                           text=esc(label), showarrow=False, xanchor="center", yanchor="top", font=dict(size=BODY_PX - 1))  # fmt: skip
        x += width + 10


def _north_arrow(fig: go.Figure, x: float) -> None:
    fig.add_annotation(x=x, y=0.93, xref="paper", yref="paper", ax=0, ay=26, text="", showarrow=True,
                       arrowhead=2, arrowsize=1.2, arrowwidth=1.6, arrowcolor=KREIS)  # fmt: skip
    fig.add_annotation(x=x, y=0.95, xref="paper", yref="paper", text="<b>N</b>", showarrow=False,
                       yanchor="bottom", font=dict(size=BODY_PX + 1, color=KREIS))  # fmt: skip
