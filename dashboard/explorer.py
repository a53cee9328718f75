"""What the indicator explorer shows, computed from the query layer (no widgets here).

The catalogue drives every view: which indicators can be found, their unit, decimals and polarity, whether a
value can be compared statistically with the Kreis (dashboard.comparison), and the metadata shown beside it.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go

from dashboard import maps
from planning import classification, comparison, queries
from planning.context import LEVEL_LABELS, LEVEL_SINGULAR, Context
from planning.formatting import number, short_unit, value_text
from etl.markers import ABSENT, STATUS_LABELS_DE, SUPPRESSED

MAP_LEVELS = ("gemeinde", "sozialraum", "verbandsgemeinde", "jugendamt")
VALUE_STATUSES = comparison.VALUE_STATUSES
FLAG_TEXT = {"p": "vorläufig", "r": "berichtigt", "s": "geschätzt"}
KIND_TEXT = {"count": "Anzahl", "measure": "Messgröße (über Gebiete summiert)", "rate": "Quote"}
DEFAULT_INDICATOR = "anteil_u6"
FONT = "sans-serif"
KREIS_COLOUR = "#1e2a33"
LAND_COLOUR = "#7a3e9d"
# time-series lines: no red, green or amber, which the comparison uses for schlechter / besser / ähnlich
SERIES_COLOURS = ("#2c7fb8", "#8c6bb1", "#1b9e9e", "#a6761d", "#e7298a", "#666666", "#08306b", "#b15928")


# --- finding an indicator ---------------------------------------------------------------------------------------

def searchable_indicators(ctx: Context) -> pd.DataFrame:
    """Listed indicators that have rows below Kreis level for this Kreis, in catalogue order."""
    coverage = queries.indicator_years(ctx.db, ctx.kreis_id)
    present = set(coverage.loc[coverage["level"].isin(MAP_LEVELS), "indicator_id"])
    cat = queries.catalogue(ctx.db)
    return cat[cat["listed"].fillna(False).astype(bool) & cat["indicator_id"].isin(present)]


def topics(cat: pd.DataFrame) -> list[str]:
    """Topics present, in the order of their first indicator in the catalogue."""
    return list(dict.fromkeys(cat["topic"].tolist()))


def filter_catalogue(cat: pd.DataFrame, selected_topics: list[str] | None, text: str | None) -> pd.DataFrame:
    """Indicators of the chosen topics (all when none) whose label or definition contains every word of ``text``
    (case-insensitive)."""
    out = cat[cat["topic"].isin(selected_topics)] if selected_topics else cat
    terms = (text or "").casefold().split()
    if terms:
        haystack = (out["label"].fillna("") + " " + out["definition"].fillna("")).str.casefold()
        mask = pd.Series(True, index=out.index)
        for term in terms:
            mask &= haystack.str.contains(term, regex=False)
        out = out[mask]
    return out


def catalogue_list(cat: pd.DataFrame) -> pd.DataFrame:
    """The hit list as shown: label, unit, topic."""
    return pd.DataFrame({"Kennzahl": cat["label"], "Einheit": cat["unit"], "Thema": cat["topic"]}).reset_index(drop=True)


def default_indicator(ids: list[str]) -> str:
    return DEFAULT_INDICATOR if DEFAULT_INDICATOR in ids else ids[0]


# --- years and levels with values -------------------------------------------------------------------------------

def has_value(frame: pd.DataFrame) -> pd.Series:
    return frame["status"].isin(VALUE_STATUSES) & frame["value"].notna()


def years_with_values(series: pd.DataFrame) -> list[int]:
    """Years in which some area below Kreis level has a value, latest first."""
    rows = series[series["level"].isin(MAP_LEVELS) & has_value(series)]
    return sorted({int(y) for y in rows["year"]}, reverse=True)


def choose_year(years: list[int], wanted: int) -> int:
    """The wanted (sidebar) year if the indicator has values then, else the latest year that has."""
    return wanted if wanted in years else years[0]


def levels_with_values(series: pd.DataFrame, year: int) -> list[str]:
    rows = series[(series["year"] == year) & has_value(series)]
    present = set(rows["level"])
    return [level for level in MAP_LEVELS if level in present]


def default_level(levels: list[str]) -> str:
    return "gemeinde" if "gemeinde" in levels else levels[0]


# --- the view ---------------------------------------------------------------------------------------------------

@dataclass
class Reference:
    """The Kreis or Land value of the year (the benchmark)."""

    name: str
    value: float | None
    status: str
    text: str
    numerator: float | None = None
    denominator: float | None = None


@dataclass
class ExplorerView:
    meta: pd.Series
    year: int
    level: str
    scheme: str
    frame: gpd.GeoDataFrame  # every area of the level, with value, texts and comparison
    kreis: Reference
    land: Reference | None
    kreis_vs_land: comparison.Comparison | None
    fmap: folium.Map
    legend: str
    attribution: str
    sources: pd.DataFrame  # the `sources` rows of the observations shown
    statistics_sources: list[str] = field(default_factory=list)


def _float(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x) else float(x)


def _reference(rows: pd.DataFrame, meta: pd.Series, name: str) -> Reference:
    if rows.empty:
        return Reference(name, None, ABSENT, STATUS_LABELS_DE[ABSENT])
    row = rows.iloc[0]
    value = _float(row["value"]) if row["status"] in VALUE_STATUSES else None
    text = value_text(value, row["status"], int(meta["decimals"]), meta["unit"])
    return Reference(name, value, row["status"], text, _float(row["numerator"]), _float(row["denominator"]))


def short_value(ref: Reference, meta: pd.Series) -> str:
    """'5,6 %' or '36,2' (the long unit 'je 100 Personen …' is said elsewhere); '–' without a value."""
    if ref.value is None:
        return "–"
    unit = short_unit(meta["unit"])
    return number(ref.value, int(meta["decimals"])) + (f" {unit}" if unit else "")


def compare_row(meta: pd.Series, value, status, numerator, denominator, benchmark: float | None) -> comparison.Comparison:
    return comparison.compare(
        value=_float(value),
        status=status,
        numerator=_float(numerator),
        denominator=_float(denominator),
        unit=meta["unit"],
        per=_float(meta.get("per")),
        polarity=meta["polarity"],
        benchmark=benchmark,
    )


def area_frame(
    shapes: gpd.GeoDataFrame, rows: pd.DataFrame, meta: pd.Series, benchmark: float | None
) -> gpd.GeoDataFrame:
    """Every area of the level with its observation (or 'absent'), value texts, Wilson interval and comparison.

    Values with a missing status are never shown as numbers; suppressed values lose numerator and denominator too.
    """
    decimals = int(meta["decimals"])
    # plain pandas while computing (GeoDataFrame column operations are several times slower), geometry at the end
    frame = pd.DataFrame(shapes.drop(columns="geometry")).merge(
        rows.drop(columns=["name", "level", "year"], errors="ignore"), on="area_id", how="left"
    )
    frame["status"] = frame["status"].fillna(ABSENT)
    known = has_value(frame)
    frame["value"] = frame["value"].where(known).astype(float)
    suppressed = (frame["status"] == SUPPRESSED).to_numpy()
    for column in ("numerator", "denominator"):
        frame[column] = frame[column].astype(float).where(~suppressed)
    values, statuses = frame["value"].tolist(), frame["status"].tolist()
    frame["value_text"] = [value_text(_float(v), s, decimals, meta["unit"]) for v, s in zip(values, statuses)]
    results = [
        compare_row(meta, v, s, n, d, benchmark)
        for v, s, n, d in zip(values, statuses, frame["numerator"].tolist(), frame["denominator"].tolist())
    ]
    frame["comparison"] = [r.category for r in results]
    frame["comparison_label"] = [r.label for r in results]
    frame["comparison_text"] = [r.text for r in results]
    frame["ci_low"] = [r.ci[0] if r.ci else math.nan for r in results]
    frame["ci_high"] = [r.ci[1] if r.ci else math.nan for r in results]
    frame["ci_text"] = [f"{number(r.ci[0], decimals)} – {number(r.ci[1], decimals)}" if r.ci else "–" for r in results]
    flags = frame["flag"].tolist() if "flag" in frame else [None] * len(frame)
    notes = frame["note"].tolist() if "note" in frame else [None] * len(frame)
    frame["hint"] = [_hint(s, f, n) for s, f, n in zip(statuses, flags, notes)]
    frame["rank"] = frame["value"].rank(ascending=False, method="min").astype("Int64")
    return gpd.GeoDataFrame(frame, geometry=shapes.geometry.to_numpy(), crs=shapes.crs)


def _hint(status: str, flag, note) -> str:
    parts = []
    if isinstance(flag, str) and flag in FLAG_TEXT:
        parts.append(FLAG_TEXT[flag])
    if status not in VALUE_STATUSES and status != ABSENT:
        parts.append(STATUS_LABELS_DE.get(status, status))
    if isinstance(note, str) and note:
        parts.append(note)
    return "; ".join(parts)


def scheme_note(scheme: str, classes: classification.Classes | None) -> str:
    count = f", {len(classes.colours)} Klassen" if classes is not None else ""
    return f"Klassen: {classification.SCHEMES[scheme]}{count}"


def build_view(
    ctx: Context, indicator_id: str, year: int, level: str, scheme: str = "quantile", k: int = 5, tiles: bool = False
) -> ExplorerView:
    meta = queries.catalogue(ctx.db).loc[indicator_id]
    series = queries.indicator_series(ctx.db, ctx.kreis_id, indicator_id)
    land_rows = queries.land_series(ctx.db, ctx.kreis_id, indicator_id)
    of_year = series[series["year"] == year]
    kreis = _reference(of_year[of_year["level"] == "kreis"], meta, ctx.kreis_name)
    land_year = land_rows[land_rows["year"] == year]
    land = _reference(land_year, meta, land_year["name"].iloc[0]) if not land_year.empty else None
    kreis_vs_land = None
    if land is not None:
        kreis_vs_land = compare_row(meta, kreis.value, kreis.status, kreis.numerator, kreis.denominator, land.value)

    shapes = queries.area_shapes(ctx.db, ctx.kreis_id, level)
    frame = area_frame(shapes, of_year[of_year["level"] == level], meta, kreis.value)

    classes = classification.classify(frame["value"], scheme, k)
    missing = classification.missing_reasons(frame.loc[frame["value"].isna(), "status"])
    legend = maps.legend_html(f"{meta['label']} {year}", meta["unit"], classes, int(meta["decimals"]), missing, scheme_note(scheme, classes))
    attribution = queries.boundary_attribution(ctx.db, ctx.kreis_id)
    outline = queries.area_shapes(ctx.db, ctx.kreis_id, "kreis")
    fmap = maps.choropleth(
        frame,
        outline,
        value_column="value",
        tooltip_fields={"name": LEVEL_SINGULAR[level], "value_text": meta["label"], "comparison_text": "Vergleich mit Kreis"},
        classes=classes,
        legend=legend,
        attribution=attribution,
        tiles=tiles,
        legend_room=(40, 170),  # the explorer's map is taller than wide: legend below the county
    )

    used_ids = set(of_year.loc[of_year["level"].isin([level, "kreis"]), "source_id"].dropna()) | set(land_year["source_id"].dropna())
    all_sources = queries.all_sources(ctx.db)
    used = all_sources[all_sources["source_id"].isin(used_ids)]
    statistics = used[used["kind"] == "statistics"].drop_duplicates(["attribution", "title", "table_code", "stand"])
    lines = [
        f"{r.attribution}: {r.title}" + (f" ({r.table_code}" + (f", Stand {r.stand}" if isinstance(r.stand, str) and r.stand else "") + ")" if r.table_code else "")
        for r in statistics.itertuples()
    ]
    return ExplorerView(meta, year, level, scheme, frame, kreis, land, kreis_vs_land, fmap, legend, attribution, used, lines)


# --- metadata -----------------------------------------------------------------------------------------------------

def _labels_of(ids, cat: pd.DataFrame) -> str:
    """German name of a sum of indicators: the derived count with exactly these parts where the catalogue has one
    (bev_65_75 + bev_75plus → 'Einwohner ab 65 Jahren'), else the labels joined, shortened beyond three parts."""
    if ids is None or (isinstance(ids, float) and math.isnan(ids)):
        return ""
    ids = [str(i) for i in list(ids)]
    if not ids:
        return ""
    if len(ids) > 1 and "sum_of" in cat:
        for other_id, parts in zip(cat["indicator_id"], cat["sum_of"]):
            if parts is not None and not isinstance(parts, float) and len(parts) and set(parts) == set(ids):
                return cat.loc[other_id, "label"]
    labels = [cat.loc[i, "label"] if i in cat.index else i for i in ids]
    if len(labels) > 3:
        return f"{labels[0]} + … + {labels[-1]} ({len(labels)} Gruppen)"
    return " + ".join(labels)


def _present(x) -> bool:
    if x is None:
        return False
    if isinstance(x, float) and math.isnan(x):
        return False
    return str(x).strip() != ""


def metadata(
    meta: pd.Series, cat: pd.DataFrame, used_sources: pd.DataFrame, years: list[int] | None = None, *, catalogue_vintage: bool = True
) -> dict[str, str]:
    """Definition, unit, polarity, source, licence and Datenstand in German, for the panel beside the views.

    Licence and Datenstand come first from the `sources` rows the shown observations came from (they describe
    this build's files, demo data included); the catalogue's ``licence`` stands in where the files name none,
    and its ``vintage`` (the reference dates the configured real data cover) is shown beside them unless
    ``catalogue_vintage`` is off (demo data cover other years). Both catalogue fields are optional: older
    databases lack them.
    """
    facts = {"Definition": meta["definition"], "Einheit": meta["unit"]}
    kind = KIND_TEXT.get(meta["kind"], meta["kind"])
    if meta["kind"] == "rate":
        numerator, denominator = _labels_of(meta.get("numerator"), cat), _labels_of(meta.get("denominator"), cat)
        if numerator and denominator:
            per = _float(meta.get("per"))
            kind += f": {numerator} je {number(per or 1, 0)} {denominator}" if per and per != 1 else f": {numerator} / {denominator}"
    facts["Art"] = kind
    facts["Bewertung"] = comparison.polarity_text(meta["polarity"])
    statistics = used_sources[used_sources["kind"] == "statistics"] if "kind" in used_sources else used_sources.iloc[0:0]
    codes = sorted({c for c in statistics.get("table_code", pd.Series(dtype=str)).dropna() if _present(c)})
    codes = [c for c in codes if c not in str(meta["source"])]
    facts["Quelle"] = meta["source"] + (f" (Tabelle {', '.join(codes)})" if codes else "")
    licences = sorted({x for x in statistics.get("licence", pd.Series(dtype=str)).dropna() if _present(x)})
    licence = meta.get("licence")
    facts["Lizenz"] = ", ".join(licences) or (str(licence) if _present(licence) else "nicht angegeben")
    stands = sorted({x for x in statistics.get("stand", pd.Series(dtype=str)).dropna() if _present(x)})
    facts["Datenstand"] = ", ".join(stands) or "nicht angegeben"
    if years:
        facts["Jahre mit Werten"] = f"{min(years)}–{max(years)}" if len(years) > 1 else str(years[0])
    vintage = meta.get("vintage")
    if catalogue_vintage and _present(vintage):
        facts["Stichtage laut Katalog"] = str(vintage)
    return facts


# --- figures and table --------------------------------------------------------------------------------------------

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


def ranking_figure(view_frame: pd.DataFrame, meta: pd.Series, kreis: Reference, land: Reference | None) -> go.Figure:
    """Horizontal bars, highest value on top, coloured by the comparison with the Kreis; Wilson intervals as
    whiskers; Kreis and Land value as reference lines (rates only: a Kreis total is no yardstick for counts)."""
    decimals = int(meta["decimals"])
    rows = view_frame[view_frame["value"].notna()].sort_values(["value", "name"], ascending=[False, True])
    order = rows["area_id"].tolist()
    label = _esc(meta["label"])
    data, shapes = [], []
    for category in comparison.ORDER:
        part = rows[rows["comparison"] == category]
        if part.empty:
            continue
        has_ci = part["ci_low"].notna()
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
        data.append(bar)
    if meta["kind"] == "rate" and order:
        references = ((kreis, "Kreis", KREIS_COLOUR, "dash"), (land, f"Land ({_esc(land.name)})" if land else "", LAND_COLOUR, "dot"))
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
            "tickformat": _tickformat(decimals), "title": {"text": _axis_title(meta)}, "showgrid": True, "gridcolor": "#e6e6e6",
            "zeroline": True, "zerolinecolor": "#999", "rangemode": "tozero",
        },
        yaxis={
            "type": "category",  # area ids are digit strings: without this plotly would read them as numbers
            "categoryorder": "array", "categoryarray": order[::-1], "tickvals": order, "ticktext": [_esc(names[i]) for i in order],
            "automargin": True,
            "range": [-0.6, len(order) - 0.4],  # no autorange padding (the reference-line traces would add empty rows)
        },
    )  # fmt: skip
    return _figure(data, layout)


def ranking_missing_text(view_frame: pd.DataFrame) -> str | None:
    """'Ohne Wert – wegen kleiner Fallzahl unterdrückt: A, B; …' for the areas the bars leave out."""
    missing = view_frame[view_frame["value"].isna()]
    if missing.empty:
        return None
    parts = [
        f"{STATUS_LABELS_DE.get(status, status)}: {', '.join(sorted(group['name']))}"
        for status, group in missing.groupby("status", sort=True)
    ]
    return "Ohne Wert – " + "; ".join(parts)


def series_options(ctx: Context, view: ExplorerView, land_rows: pd.DataFrame) -> dict[str, str]:
    """Areas the time series can show: the Kreis, the areas of the level (by name), the Land where it has values."""
    options = {ctx.kreis_id: f"{ctx.kreis_name} (Kreis)"}
    options.update(dict(sorted(zip(view.frame["area_id"], view.frame["name"]), key=lambda p: p[1])))
    if not land_rows.empty:
        options[land_rows["area_id"].iloc[0]] = f"{land_rows['name'].iloc[0]} (Land)"
    return options


def default_series_areas(ctx: Context, view: ExplorerView, n: int = 3) -> list[str]:
    """The Kreis and the n areas with the highest value (counts: only the areas, a Kreis total would flatten them)."""
    top = view.frame[view.frame["value"].notna()].sort_values(["value", "name"], ascending=[False, True])["area_id"].head(n).tolist()
    return ([ctx.kreis_id] if view.meta["kind"] == "rate" else []) + top


def timeseries_figure(
    series: pd.DataFrame, land_rows: pd.DataFrame, area_ids: list[str], names: dict[str, str], meta: pd.Series
) -> go.Figure:
    """One line per selected area over all years with values; gaps where a year has no value."""
    decimals = int(meta["decimals"])
    rows = pd.concat([series, land_rows.assign(level="land")], ignore_index=True) if not land_rows.empty else series
    years = sorted({int(y) for y in series.loc[has_value(series), "year"]})  # the indicator's years: gaps stay visible
    rows = rows[rows["area_id"].isin(area_ids)]
    data = []
    for area_id in area_ids:
        own = rows[rows["area_id"] == area_id]
        if own.empty:
            continue
        name = names.get(area_id, area_id)
        by_year = {int(r.year): r for r in own.itertuples()}
        values, hover = [], []
        for year in years:
            r = by_year.get(year)
            if r is None:
                values.append(None)
                hover.append(f"{_esc(name)} {year}: {STATUS_LABELS_DE[ABSENT]}")
                continue
            ok = r.status in VALUE_STATUSES and pd.notna(r.value)
            values.append(float(r.value) if ok else None)
            hover.append(f"{_esc(name)} {year}: {value_text(_float(r.value), r.status, decimals, meta['unit'])}")
        level = own["level"].iloc[0]
        line = {"width": 2, "color": SERIES_COLOURS[len(data) % len(SERIES_COLOURS)]}
        if level == "kreis":
            line = {"width": 3.5, "color": KREIS_COLOUR}
        elif level == "land":
            line = {"width": 2.5, "color": LAND_COLOUR, "dash": "dot"}
        data.append(
            {
                "type": "scatter", "mode": "lines+markers", "x": years, "y": values, "name": _esc(name), "line": line,
                "connectgaps": False, "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )  # fmt: skip
    layout = _layout(
        380,
        margin={"l": 10, "r": 20, "t": 20, "b": 60},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
        xaxis={"tickmode": "array", "tickvals": years, "ticktext": [str(y) for y in years], "showgrid": False},
        yaxis={"tickformat": _tickformat(decimals), "title": {"text": _axis_title(meta)}, "gridcolor": "#e6e6e6"},
    )
    return _figure(data, layout)


def value_column(meta: pd.Series) -> str:
    """'Wert (%)'; a long unit ('je 100 Personen …') would be cut off in the header: the page says it above."""
    unit = short_unit(meta["unit"])
    return f"Wert ({unit})" if unit else "Wert"


def table(view_frame: pd.DataFrame, level: str, meta: pd.Series) -> pd.DataFrame:
    """The figures as shown: German numbers as text (the unit in the header), missing values with their reason,
    never a suppressed number. Where no area of this indicator can be compared (not a share in %), the
    comparison column just says so; the reason is given once beside the table."""
    rows = view_frame.sort_values(["rank", "name"], na_position="last")
    decimals = int(meta["decimals"])
    values = [value_text(_float(v), s, decimals) for v, s in zip(rows["value"], rows["status"])]
    indicator_reason = not comparison.is_percent(meta["unit"])
    verdicts = rows["comparison_label"] if indicator_reason else rows["comparison_text"]
    return pd.DataFrame(
        {
            "Rang": rows["rank"].to_numpy(),
            LEVEL_SINGULAR[level]: rows["name"].to_numpy(),
            value_column(meta): values,
            "95-%-KI": rows["ci_text"].to_numpy(),
            "Vergleich mit Kreis": verdicts.to_numpy(),
            "Zähler": [number(x, 0) if pd.notna(x) else "–" for x in rows["numerator"]],
            "Nenner": [number(x, 0) if pd.notna(x) else "–" for x in rows["denominator"]],
            "Hinweis": rows["hint"].to_numpy(),
        }
    )


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


def level_label(level: str) -> str:
    return LEVEL_LABELS.get(level, level)


def _esc(text: str) -> str:
    """Plotly hover and legend texts render HTML: names from the data are escaped."""
    return html.escape(str(text))
