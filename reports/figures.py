"""Figures straight from the database: fetch, caption (area, period, sources) and draw with ``reports.charts``.

Every function takes ``db`` (a database path or an open DuckDB connection) and returns a plotly figure whose
footer names the sources, licences and Datenstand of exactly the rows it shows.
"""
from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd
import plotly.graph_objects as go

from planning import reference_queries
from reports import charts, credits, data
from reports.style import PAD, SUBTITLE_PX, WIDTH_PX, Caption, wrap


def period_text(frame: pd.DataFrame, year: int) -> str:
    """'Stichtag 31.12.2023' where the rows share a reference date, else the year."""
    dates = frame["reference_date"].dropna().unique() if "reference_date" in frame else []
    if len(dates) == 1:
        return f"Stichtag {pd.Timestamp(dates[0]):%d.%m.%Y}"
    return str(year)


def _caption(con: duckdb.DuckDBPyConnection, title: str, subtitle: str, kreis_id: str, levels: Sequence[str],
             *frames: pd.DataFrame, years: Sequence[int] = (), geometry: bool = False) -> Caption:  # fmt: skip
    """Title, subtitle and the footer naming the sources of the rows shown, with the dates of the years shown
    (``years`` plus the years of frames that have a year column)."""
    ids = credits.source_ids_of(*frames) | set(credits.extra_source_ids(con, kreis_id, levels, geometry=geometry))
    shown = {int(y) for y in years} | {int(y) for f in frames if "year" in f for y in f["year"].dropna().unique()}
    return Caption(title, subtitle, credits.footer_text(credits.credits(con, ids, years=shown or None)))


def _title(ind: data.Indicator) -> str:
    return f"{ind.label} ({ind.unit})" if ind.unit_suffix else ind.label


def _level_values(con, kreis_id: str, level: str, indicator_id: str, year: int | None):
    kreis = data.area(con, kreis_id)
    ind = data.indicator(con, indicator_id)
    year = year or data.latest_year(con, indicator_id, [kreis_id, *data.member_gemeinden(con, kreis)])
    return kreis, ind, year, data.level_values(con, kreis_id, level, indicator_id, year)


def _references(con, kreis_id: str, ind: data.Indicator, year: int):
    """Kreis, Land and Bund as reference lines of a ranking – not for a count: the Kreis' total (or Germany's)
    is no yardstick for the count of one of its areas and would squeeze the bars to slivers."""
    refs = data.comparators(con, kreis_id, ind.indicator_id, year)
    return refs.iloc[0:0] if ind.kind == "count" else refs


def ranking_figure(
    db: data.Db, kreis_id: str, level: str, indicator_id: str, year: int | None = None, *,
    highlight: Sequence[str] = (), width: int = WIDTH_PX,
) -> go.Figure:  # fmt: skip
    """Bars of every area of ``level`` in the Kreis (latest year by default), Kreis, Land and Bund as lines (none
    for a count, ``_references``)."""
    with data.connection(db) as con:
        kreis, ind, year, values = _level_values(con, kreis_id, level, indicator_id, year)
        refs = _references(con, kreis_id, ind, year)
        subtitle = f"{data.LEVEL_PLURAL[level]} im {kreis.name} · {period_text(values, year)}"
        caption = _caption(con, _title(ind), subtitle, kreis_id, [level], values, refs, years=[year])
    return charts.ranking_chart(values, ind, caption, references=refs, highlight=highlight, width=width)


def distribution_figure(
    db: data.Db, kreis_id: str, level: str, indicator_id: str, year: int | None = None, *,
    highlight: Sequence[str] = (), width: int = WIDTH_PX,
) -> go.Figure:  # fmt: skip
    """Every area of ``level`` as a dot on the value axis, chosen ones named with their rank, Kreis and Land as
    lines (and Bund where the build has it): the ranking for levels with too many areas for bars."""
    with data.connection(db) as con:
        kreis, ind, year, values = _level_values(con, kreis_id, level, indicator_id, year)
        refs = _references(con, kreis_id, ind, year)
        subtitle = f"{data.LEVEL_PLURAL[level]} im {kreis.name} · {period_text(values, year)}"
        title = f"{_title(ind)} – alle {data.LEVEL_PLURAL[level]} im Vergleich"
        caption = _caption(con, title, subtitle, kreis_id, [level], values, refs, years=[year])
    return charts.distribution_chart(values, ind, caption, references=refs, highlight=highlight, width=width,
                                     area_name=data.LEVEL_SINGULAR[level])  # fmt: skip


def map_figure(
    db: data.Db, kreis_id: str, level: str, indicator_id: str, year: int | None = None, *,
    highlight: Sequence[str] = (), scheme: str = "quantile", k: int = 5, width: int = WIDTH_PX,
    plot_height: int = 360,
) -> go.Figure:  # fmt: skip
    """Static choropleth of ``level`` in the Kreis with the Kreis outline; chosen areas outlined and named, the
    neighbour in a hole of the Kreis named. Classes around the Kreis value of the year where the areas differ little,
    as on the screen."""
    with data.connection(db) as con:
        kreis, ind, year, values = _level_values(con, kreis_id, level, indicator_id, year)
        reference = kreis_value(data.comparators(con, kreis_id, indicator_id, year), kreis_id)
        shapes = data.shapes(con, kreis_id, level)
        outline = data.shapes(con, kreis_id, "kreis").union_all()
        subtitle = f"{data.LEVEL_PLURAL[level]} im {kreis.name} · {period_text(values, year)}"
        caption = _caption(con, _title(ind), subtitle, kreis_id, [level], values, years=[year], geometry=True)
        neighbours = reference_queries.neighbours_on(con, kreis_id)
    return charts.choropleth_map(shapes, values, ind, caption, outline=outline, highlight=highlight, scheme=scheme,
                                 k=k, width=width, plot_height=plot_height, reference=reference, neighbours=neighbours)  # fmt: skip


def kreis_value(references: pd.DataFrame, kreis_id: str) -> float | None:
    """The Kreis's own value among the comparator rows, None where it has none (withheld, missing)."""
    own = references[(references["area_id"] == kreis_id) & references["status"].isin(("ok", "zero")) & references["value"].notna()]
    return float(own["value"].iloc[0]) if not own.empty else None


def time_series_figure(
    db: data.Db, area_ids: Sequence[str], indicator_id: str, *, comparators: bool = True, index: bool = False,
    width: int = WIDTH_PX, plot_height: int = 220,
) -> go.Figure:  # fmt: skip
    """The indicator over all years for the areas, with their Kreis, Land and Bund (``comparators``; Bund where the
    build has it).

    ``index``: each line as an index of its first year with a value (= 100), to compare growth of areas of
    very different size (population of a Sozialraum against the Kreis).
    """
    with data.connection(db) as con:
        ind = data.indicator(con, indicator_id)
        first = data.area(con, area_ids[0])
        kreis_id = first.kreis_id or first.area_id
        ids = list(dict.fromkeys([*area_ids, *(data.reference_ids(con, kreis_id) if comparators else [])]))
        frame = data.series(con, ids, indicator_id)
        if frame.empty:
            raise LookupError(f"no values of {indicator_id!r} for {', '.join(area_ids)}")
        if index:
            frame = _indexed(frame)
        span = data.years_text(frame["year"].unique())
        shown = frame.loc[~frame["level"].isin(["kreis", "land", "bund"]), "name"].unique()
        names = ", ".join(shown) or first.name
        if len(wrap(f"{names} · {data.years_text(frame['year'].unique())}", width - 2 * PAD, SUBTITLE_PX)) > 1:
            names = f"{len(shown)} {data.LEVEL_PLURAL.get(first.level, 'Gebiete')}"  # the legend names them
        title = f"{ind.label}: Entwicklung (Index)" if index else f"{_title(ind)} – Entwicklung"
        caption = _caption(con, title, f"{names} · {span}", kreis_id, frame["level"].unique().tolist(), frame)
    unit = "Index (erstes Jahr = 100)" if index else None
    return charts.time_series_chart(frame, ind, caption, width=width, plot_height=plot_height, unit=unit)


def _indexed(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as % of each area's first known non-zero value."""
    out = frame.copy()
    ok = out["status"].isin(("ok", "zero")) & out["value"].notna()
    base = out[ok & (out["value"] != 0)].sort_values("year").groupby("area_id")["value"].first()
    out["value"] = out["value"] / out["area_id"].map(base) * 100
    return out


def _with_upper(con: duckdb.DuckDBPyConnection, ages: pd.DataFrame) -> pd.DataFrame:
    """The age groups with their upper bound (exclusive; NaN for 'and older'), for the widths of the bars."""
    upper = {g.lower: g.upper for g in data.age_groups(con)}
    out = ages.assign(upper=ages["lower"].map(upper).astype(float))
    out.attrs = ages.attrs
    return out


def age_pyramid_figure(
    db: data.Db, area_id: str, year: int | None = None, *, width: int = WIDTH_PX, plot_height: int = 300,
) -> go.Figure:  # fmt: skip
    """Age structure of the area by sex in persons per year of age, the Kreis (scaled to the area's population)
    as a step line."""
    with data.connection(db) as con:
        a = data.area(con, area_id)
        year = year or max(data.age_years(con, area_id), default=None)
        if year is None:
            raise LookupError(f"no age groups by sex for {area_id!r}")
        ages = _with_upper(con, data.age_structure(con, area_id, year))
        if not ages[["m", "w"]].sum().sum() > 0:
            raise LookupError(f"nobody lives in {a.name!r} by the age statistics of {year}")
        kreis_id = a.kreis_id or a.area_id
        reference = _with_upper(con, data.age_structure(con, kreis_id, year)) if kreis_id != area_id else None
        kreis_name = data.area(con, kreis_id).name
        caption = _caption(con, "Altersaufbau", f"{a.name} · {period_text(ages, year)}", kreis_id, [a.level], ages,
                           *([reference] if reference is not None else []), years=[year])  # fmt: skip
    return charts.age_pyramid_chart(ages, caption, reference=reference, reference_name=kreis_name, width=width,
                                    plot_height=plot_height)  # fmt: skip
