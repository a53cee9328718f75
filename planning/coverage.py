"""How well each area is supplied with offers of one category, as the Angebotskarte colours it.

A category is an Angebotsart (Kita, Jugendtreff, …) or a Lebensphase of the Präventionskette. Per area the map
shows one metric: the number of offers, offers per 1,000 of the category's target group, the Versorgungsquote
(places per 100 of the target group), and – per Angebotsart only, since each type has its own nearest offer – the
population-weighted mean straight-line distance to the nearest offer and the share of the target group living
within a chosen distance of one.

Rules a planner should know:
- An area without any offer of a category has a Versorgungsquote of 0, not "unknown" – but only where the Kreis's
  lists state capacities for that category at all; elsewhere the quota stays unknown.
- An area without a value says why: no target group in the statistics, capacity not stated, nobody living there,
  or no offer of the type in the whole Kreis.
- A category that no loaded offer list captures (``planning.coverage_dimensions.captured_categories``) is grey
  "nicht erfasst" in every area – its offers are unknown, not absent – and the picker says so; the default
  category is one that is captured and has offers in the Kreis.
- Classes follow ``planning.classification.map_classes`` (around the Kreis value where areas differ little,
  rounded steps for few areas); the number of offers, a count, is drawn as circles, not colours.
- The detail of one area lists every Angebotsart with offers, capacity (and for how many offers it is known),
  rates and distances.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from planning import classification, map_labels, queries
from planning.classification import Classes, Symbols
from planning.coverage_dimensions import captured_categories
from planning.context import LEVEL_SINGULAR, Context
from planning.db import cached
from planning.formatting import number

ANGEBOTSART, LEBENSPHASE = "angebotsart", "lebensphase"
DIMENSION_LABELS = {ANGEBOTSART: "Angebotsart", LEBENSPHASE: "Lebensphase"}
DISTANCES_M = (500, 1000, 1500, 2000, 3000, 5000, 10000)
DEFAULT_DISTANCE_M = 2000
DEFAULT_CATEGORY = f"{ANGEBOTSART}:kita"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    decimals: int
    palette: str  # ColorBrewer sequential, darker = higher value
    needs_access: bool  # from the distance table, which exists per Angebotsart only
    kind: str = "rate"  # "count": an absolute number, drawn as circles (planning.classification.is_count)


METRICS = {
    "offers": Metric("offers", "Anzahl Angebote", "", 0, classification.PALETTE, False, "count"),
    "offers_per_1000": Metric("offers_per_1000", "Angebote je 1.000 der Zielgruppe", "", 2, classification.PALETTE, False),
    "capacity_per_100": Metric("capacity_per_100", "Versorgungsquote", "je 100 der Zielgruppe", 1, classification.PALETTE, False),
    # far is bad: a warm palette makes gaps stand out
    "mean_distance_km": Metric("mean_distance_km", "Mittlere Entfernung zum nächsten Angebot", "km", 1, "YlOrRd", True),
    "share_within": Metric("share_within", "Anteil der Zielgruppe im Umkreis", "%", 1, classification.PALETTE, True),
}
DEFAULT_METRIC = "offers_per_1000"


NOT_CAPTURED = "nicht erfasst"


def category_options(types: pd.DataFrame, phases: pd.DataFrame, captured: set[str] | None = None) -> dict[str, str]:
    """'angebotsart:kita' → 'Angebotsart: Kindertageseinrichtung (Kita)', Lebensphasen first (chain order);
    with ``captured`` (category keys some list captures), the others end in ' (nicht erfasst)'."""
    options = {f"{LEBENSPHASE}:{p}": f"Lebensphase: {label}" for p, label in zip(phases["phase_id"], phases["label"])}
    options |= {f"{ANGEBOTSART}:{t}": f"Angebotsart: {label}" for t, label in zip(types["offer_type"], types["label"])}
    if captured is not None:
        options = {key: label if key in captured else f"{label} ({NOT_CAPTURED})" for key, label in options.items()}
    return options


def captured_keys(ctx: Context) -> set[str]:
    """The category keys ('angebotsart:grundschule', 'lebensphase:6-10') some loaded offer list captures."""
    capture, types = queries.offer_capture(ctx.db, ctx.kreis_id), queries.offer_types(ctx.db)
    return {f"{dimension}:{c}" for dimension in (ANGEBOTSART, LEBENSPHASE) for c in captured_categories(capture, types, dimension)}


def default_category(ctx: Context) -> str:
    """The category the map opens with: the Kita where a list captures Kitas and the Kreis has one, else the
    captured Angebotsart with the most offers in the Kreis (e.g. Grundschule where only school lists are loaded);
    the Kita where nothing is captured."""
    kreis = queries.coverage(ctx.db, ctx.kreis_id, "kreis", ANGEBOTSART)
    offers = dict(zip(kreis["category"], kreis["offers"].fillna(0)))
    captured = captured_keys(ctx)
    if DEFAULT_CATEGORY in captured and offers.get(split_category(DEFAULT_CATEGORY)[1], 0) > 0:
        return DEFAULT_CATEGORY
    held = [(offers.get(key.split(":", 1)[1], 0), key) for key in captured if key.startswith(f"{ANGEBOTSART}:")]
    held = [(n, key) for n, key in held if n > 0]
    return max(held, key=lambda pair: (pair[0], pair[1]))[1] if held else DEFAULT_CATEGORY


def split_category(key: str) -> tuple[str, str]:
    dimension, _, category = key.partition(":")
    if dimension not in DIMENSION_LABELS or not category:
        raise ValueError(f"unknown category {key!r}; expected 'angebotsart:<offer_type>' or 'lebensphase:<phase_id>'")
    return dimension, category


def metric_options(dimension: str) -> list[str]:
    """Distances exist per Angebotsart only (each type has its own nearest offer)."""
    return [key for key, m in METRICS.items() if dimension == ANGEBOTSART or not m.needs_access]


def distance_text(metres: float) -> str:
    return f"{number(metres / 1000, 0 if metres % 1000 == 0 else 1)} km"


def metric_title(metric: Metric, max_distance_m: float, capacity_unit: str | None) -> str:
    if metric.key == "share_within":
        return f"{metric.label} von {distance_text(max_distance_m)}"
    if metric.key == "capacity_per_100":
        return f"{metric.label} ({capacity_unit or 'Plätze'} je 100 der Zielgruppe)"
    return metric.label


def value_text(value: float, metric: Metric) -> str:
    """The metric's value as the map's tooltip says it ('2,4 km', '12,5 %', '3,21'; 'kein Wert')."""
    if pd.isna(value):
        return "kein Wert"
    return f"{number(value, metric.decimals)} {metric.unit}".strip() if metric.unit in ("km", "%") else number(value, metric.decimals)


# --- values per area ------------------------------------------------------------------------------------------------


def with_zero_quota(coverage_rows: pd.DataFrame, with_capacity: set[str]) -> pd.DataFrame:
    """Coverage rows where an area without any offer of a category has a Versorgungsquote of 0.

    The stored quota is empty there, which would hide exactly the gaps the map is for. Only for categories in
    ``with_capacity`` (the Kreis's lists state capacities for them); elsewhere the quota stays unknown.
    """
    frame = coverage_rows.copy()
    gap = frame["offers"].eq(0) & frame["target_population"].gt(0) & frame["category"].isin(with_capacity)
    frame.loc[gap, "capacity_per_100"] = 0.0
    return frame


def area_values(coverage_rows: pd.DataFrame, access_rows: pd.DataFrame | None, with_capacity: set[str]) -> pd.DataFrame:
    """One category's coverage per area (``with_zero_quota``) joined with its accessibility (None for Lebensphasen)."""
    frame = with_zero_quota(coverage_rows, with_capacity)
    if access_rows is None:
        frame["mean_distance_km"], frame["share_within"], frame["basis"] = np.nan, np.nan, None
    else:
        frame = frame.merge(access_rows[["area_id", "mean_distance_km", "share_within", "basis"]], on="area_id", how="left")
    return frame


def missing_reason(metric: Metric, frame: pd.DataFrame) -> str | None:
    """Why areas have no value for this metric ('Kapazität nicht angegeben'); None when every area has one.
    A category no list captures (``frame.captured`` false) is 'nicht erfasst' in every area."""
    if "captured" in frame and len(frame) and not frame["captured"].any():
        return f"{NOT_CAPTURED} (keine geladene Angebotsliste enthält diese Angebote)"
    missing = frame[frame[metric.key].isna()]
    if missing.empty:
        return None
    if metric.needs_access:
        return "kein Angebot dieser Art im Kreis" if frame[metric.key].isna().all() else "keine Einwohner"
    if metric.key == "capacity_per_100" and missing["target_population"].gt(0).all():
        return "Kapazität nicht angegeben"
    return "keine Zielgruppe in der Statistik"


def missing_label(metric: Metric, frame: pd.DataFrame) -> str | None:
    """The legend's row for areas without a value: 'kein Wert: <reason> (<count>)'."""
    reason = missing_reason(metric, frame)
    if reason is None:
        return None
    if reason.startswith(NOT_CAPTURED):
        return f"{reason} ({len(frame)})"
    return f"kein Wert: {reason} ({int(frame[metric.key].isna().sum())})"


def categories_with_capacity(ctx: Context, dimension: str) -> set[str]:
    """Categories for which at least one offer in the Kreis states a capacity."""
    kreis = queries.coverage(ctx.db, ctx.kreis_id, "kreis", dimension)
    return set(kreis.loc[kreis["capacity_known"].gt(0), "category"])


def level_values(ctx: Context, level: str, dimension: str, category: str, max_distance_m: float) -> pd.DataFrame:
    """Coverage and accessibility of one category for every area of a level."""
    coverage = queries.coverage(ctx.db, ctx.kreis_id, level, dimension)
    coverage = coverage[coverage["category"] == category].drop(columns=["name", "level"])
    access = None
    if dimension == ANGEBOTSART:
        access = queries.accessibility(ctx.db, ctx.kreis_id, level, float(max_distance_m))
        access = access[access["offer_type"] == category]
    return area_values(coverage, access, categories_with_capacity(ctx, dimension))


# --- the map's areas with what it says about them ------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageMap:
    """One metric of one category for every area of a level, with everything the map and its exports say."""

    shapes: gpd.GeoDataFrame  # the areas with value, value_text, offers_text, target_text and the coverage columns
    metric: Metric
    title: str  # metric and category, as in the legend
    classes: Classes | None
    missing_label: str | None
    attribution: str  # boundaries and offer lists, short, as in the map
    notes: list[str] = field(default_factory=list)  # target group and its year, where people live, offer lists
    statistics_source_ids: set[str] = field(default_factory=set)  # the tables the target population comes from
    captured: bool = True  # some loaded offer list holds the category (else every area is "nicht erfasst")
    symbols: Symbols | None = None  # a count: circles instead of classes
    symbol_points: pd.DataFrame | None = None  # lon, lat, value of the circles
    class_note: str | None = None  # how the classes were made (classification.map_classes), or why circles
    spread: str | None = None  # 'Spannweite 0,5 bis 3,2'


@cached(32)
def coverage_map(ctx: Context, level: str, category_key: str, metric_key: str, max_distance_m: float) -> CoverageMap:
    """The map's areas coloured by ``metric_key`` for the category (memoised: the same on every rerun; shared
    between callers, so its frames must not be changed)."""
    dimension, category = split_category(category_key)
    metric = METRICS[metric_key]
    types = queries.offer_types(ctx.db)
    unit = types.loc[category, "capacity_unit"] if dimension == ANGEBOTSART else None
    category_label = category_options(types, queries.lebensphasen(ctx.db))[category_key].split(": ", 1)[1]
    title = f"{metric_title(metric, max_distance_m, unit if isinstance(unit, str) else None)}: {category_label}"

    values = level_values(ctx, level, dimension, category, max_distance_m)
    shapes = queries.area_shapes(ctx.db, ctx.kreis_id, level).merge(values, on="area_id", how="left")
    captured = category_key in captured_keys(ctx)
    shapes["captured"] = captured
    shapes["value"] = shapes[metric.key].astype(float) if captured else np.nan
    shapes["value_text"] = [value_text(v, metric) for v in shapes["value"]] if captured else NOT_CAPTURED
    shapes["offers_text"] = [number(v) if pd.notna(v) else "–" for v in shapes["offers"]] if captured else NOT_CAPTURED
    shapes["target_text"] = [number(v) if pd.notna(v) else "–" for v in shapes["target_population"]]
    classes = symbols = symbol_points = class_note = None
    if captured and metric.kind == "count":
        symbols = classification.proportional_symbols(shapes["value"])
        symbol_points, class_note = map_labels.value_points(shapes), "Anzahl: Symbole statt Farben (Symbolfläche ∝ Anzahl)"
    elif captured:
        reference = kreis_value(ctx, dimension, category, metric, max_distance_m)
        classes = classification.map_classes(shapes["value"], reference=reference, decimals=metric.decimals, palette=metric.palette)
        class_note = classes.note if classes is not None else None
    spread = classification.spread_text(shapes["value"], metric.decimals, metric.unit if metric.unit in ("km", "%") else "")
    offer_sources = offer_source_lines(queries.sources(ctx.db, ctx.kreis_id))
    attribution = " · ".join([queries.boundary_attribution(ctx.db, ctx.kreis_id), "Angebote: " + ("; ".join(offer_sources) or "keine Liste geladen")])
    notes = [*_notes(ctx, values, dimension, category), *(f"Angebotsliste: {line}" for line in offer_sources.values())]
    statistics = _target_source_ids(ctx, level, values, dimension, category)
    return CoverageMap(shapes, metric, title, classes, missing_label(metric, shapes), attribution, notes, statistics,
                       captured, symbols, symbol_points, class_note, spread)  # fmt: skip


def kreis_value(ctx: Context, dimension: str, category: str, metric: Metric, max_distance_m: float) -> float | None:
    """The metric's value for the Kreis as a whole (the centre of the map's classes where areas differ little)."""
    if metric.needs_access:
        rows = queries.accessibility(ctx.db, ctx.kreis_id, "kreis", float(max_distance_m))
        rows = rows[rows["offer_type"] == category]
    else:
        rows = queries.coverage(ctx.db, ctx.kreis_id, "kreis", dimension)
        rows = with_zero_quota(rows[rows["category"] == category], categories_with_capacity(ctx, dimension))
    value = rows[metric.key].iloc[0] if not rows.empty and metric.key in rows else np.nan
    return float(value) if pd.notna(value) else None


def offer_source_lines(sources: pd.DataFrame) -> dict[str, str]:
    """Per offer list of the Kreis: short credit ('<attribution>, Stand 31.12.2023') → full line with title and
    file (the short one goes into the map, the long one into the caption)."""
    lists = sources[sources["kind"] == "offers"]
    lines = {}
    for r in lists.itertuples():
        stand = f", Stand {_german_date(r.stand)}" if isinstance(r.stand, str) and r.stand else ""
        lines[f"{r.attribution}{stand}"] = f"{r.title} ({r.file}){stand}"
    return lines


def _german_date(text: str) -> str:
    """'2023-12-31' → '31.12.2023'; a Stand the list printed otherwise stays as it is."""
    # as reports.credits.german_date, which planning must not import (reports build on planning)
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    return f"{match[3]}.{match[2]}.{match[1]}" if match else text


def _notes(ctx: Context, values: pd.DataFrame, dimension: str, category: str) -> list[str]:
    """What the figures rest on: target group and its year, where people live for the distances."""
    row = _target(ctx, dimension, category)
    years = sorted({int(y) for y in values["population_year"].dropna()})
    indicators = queries.catalogue(ctx.db)
    groups = ", ".join(indicators.loc[i, "label"] if i in indicators.index else i for i in row["target_population"])
    notes = [f"Zielgruppe: {groups} ({', '.join(map(str, years)) or 'Jahr unbekannt'})"]
    if dimension == LEBENSPHASE and isinstance(row.get("approximation"), str):
        notes.append(f"Näherung: {row['approximation']}")
    bases = sorted({b for b in values["basis"].dropna()})
    if bases:
        notes.append("Entfernungen: Luftlinie zum nächsten Angebot der Art; Wohnorte: " + "; ".join(bases))
    return notes


def _target(ctx: Context, dimension: str, category: str) -> pd.Series:
    catalogue = queries.offer_types(ctx.db) if dimension == ANGEBOTSART else queries.lebensphasen(ctx.db)
    return catalogue.loc[category]


def _target_source_ids(ctx: Context, level: str, values: pd.DataFrame, dimension: str, category: str) -> set[str]:
    ids: set[str] = set()
    for year in {int(y) for y in values["population_year"].dropna()}:
        for indicator_id in _target(ctx, dimension, category)["target_population"]:
            ids |= set(queries.indicator_values(ctx.db, ctx.kreis_id, level, indicator_id, year)["source_id"].dropna())
    return ids


# --- one area in detail ---------------------------------------------------------------------------------------------


def coverage_table(
    coverage_rows: pd.DataFrame, access_rows: pd.DataFrame, types: pd.DataFrame, max_distance_m: float, captured: set[str] | None = None
) -> pd.DataFrame:  # fmt: skip
    """One area's coverage per Angebotsart in German text: offers, capacity, per 1,000, quota, distances. An
    Angebotsart outside ``captured`` (no loaded list holds it) reads 'nicht erfasst' instead of its zeros."""
    frame = coverage_rows.merge(access_rows, left_on="category", right_on="offer_type", how="left")
    frame = frame.set_index("category").reindex([t for t in types["offer_type"] if t in set(frame["category"])])
    within = f"Anteil ≤ {distance_text(max_distance_m)} (%)"
    table = pd.DataFrame(
        {
            "Angebotsart": types.loc[frame.index, "label"].tolist(),
            "Angebote": [number(v) for v in frame["offers"]],
            "Kapazität": [_capacity_cell(c, k, n) for c, k, n in zip(frame["capacity"], frame["capacity_known"], frame["offers"])],
            "je 1.000": [number(v, 2) for v in frame["offers_per_1000"]],
            "Versorgungsquote (je 100)": [number(v, 1) for v in frame["capacity_per_100"]],
            "Ø Entfernung (km)": [number(v, 1) for v in frame["mean_distance_km"]],
            within: [number(v, 1) for v in frame["share_within"]],
        }
    )
    if captured is not None:
        unknown = ~frame.index.isin(list(captured))
        table.loc[unknown, "Angebote"] = NOT_CAPTURED
        table.loc[unknown, table.columns[2:]] = "–"
    return table


def _capacity_cell(capacity: float, known: int, offers: int) -> str:
    if pd.isna(capacity):
        return "–"
    return number(capacity) if known == offers else f"{number(capacity)} (bei {known} von {offers})"


@dataclass
class AreaDetail:
    name: str
    facts: dict[str, str]
    coverage: pd.DataFrame
    offers: pd.DataFrame  # the area's offers among those shown on the map (rows of the offers frame)


@cached(128)
def _area_coverage(ctx: Context, level: str, area_id: str, max_distance_m: float) -> tuple[str, pd.DataFrame] | None:
    """Name and ``coverage_table`` of one area (memoised; the caller copies the table)."""
    coverage = queries.coverage(ctx.db, ctx.kreis_id, level, ANGEBOTSART)
    coverage = coverage[coverage["area_id"] == area_id]
    if coverage.empty:
        return None
    coverage = with_zero_quota(coverage, categories_with_capacity(ctx, ANGEBOTSART))
    access = queries.accessibility(ctx.db, ctx.kreis_id, level, float(max_distance_m))
    access = access[access["area_id"] == area_id].drop(columns=["area_id"])
    types = queries.offer_types(ctx.db)
    captured = captured_categories(queries.offer_capture(ctx.db, ctx.kreis_id), types, ANGEBOTSART)
    return coverage["name"].iloc[0], coverage_table(coverage, access, types, max_distance_m, captured)


def area_detail(ctx: Context, level: str, area_id: str, max_distance_m: float, offers: pd.DataFrame) -> AreaDetail | None:
    """Coverage per Angebotsart of one area (level 'kreis': the Kreis) and its offers; None if not of this level."""
    found = _area_coverage(ctx, level, area_id, float(max_distance_m))
    if found is None:
        return None
    name, table = found
    members = queries.area_members(ctx.db, ctx.kreis_id, level)
    in_area = offers[offers["gemeinde_id"].isin(members.loc[members["area_id"] == area_id, "gemeinde_id"])]
    facts = {"Ebene": LEVEL_SINGULAR[level], "Angebote (gezeigt)": number(len(in_area))}
    if level != "kreis":
        facts["Schlüssel"] = area_id
    return AreaDetail(name, facts, table.copy(), in_area)
