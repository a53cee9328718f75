"""The planning views computed with a scenario's offers instead of the published ones (the "scenario lens" of the
pages Präventionskette, Bedarf & Versorgung and Angebotskarte).

Rules a planner should know:
- Nothing published changes: the scenario's changes (``planning.scenarios``) are applied in memory, and every
  figure here is marked as the scenario's.
- Counts, places and the rates per 1,000 / per 100 of the target group are those of the published build plus the
  scenario's offers (``scenario_effects.coverage_before_after``); the target groups stay as published.
- Distances (share of the target group within the chosen distance, mean distance to the nearest offer) are
  measured again for the Angebotsarten the scenario changes, from the same population points and by the same
  straight-line rule as the build; all other Angebotsarten keep their published distances.
- A Präventionskette cell "changes" when its status (leer, schwach, …) changes by the page's own rule; such cells
  read "vorher → nachher".
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planning import chain, classification, coverage, gaps, queries
from planning.accessibility import metric_offers
from planning.context import Context
from planning.coverage_dimensions import KREIS_KEY, captured, category_rows, coverage_with_kreis
from planning.db import cached
from planning.formatting import number
from planning.scenario_effects import coverage_before_after, difference_classes
from planning.scenarios import CLOSED, PUBLISHED, Scenario, active, apply

ARROW = " → "


def banner_text(scenario: Scenario) -> str:
    """'Szenario „Kita Nord“ – nicht veröffentlicht: 2 Änderungen' (plain text; the page escapes it)."""
    n = len(scenario.changes)
    return f"Szenario „{scenario.name}“ – nicht veröffentlicht: {number(n)} {'Änderung' if n == 1 else 'Änderungen'}"


def scenario_offers(ctx: Context, scenario: Scenario) -> pd.DataFrame:
    """All offers of the Kreis with the scenario's changes and their ``status`` (closed ones included)."""
    return apply(queries.offers(ctx.db, ctx.kreis_id), scenario, queries.gemeinde_geometry(ctx.db, ctx.kreis_id))


def changed_types(ctx: Context, scenario: Scenario) -> list[str]:
    """The Angebotsarten the scenario adds, moves, closes or resizes offers of, in the taxonomy's order."""
    offers = scenario_offers(ctx, scenario)
    touched = set(offers.loc[offers["status"] != PUBLISHED, "offer_type"])
    return [t for t in queries.offer_types(ctx.db)["offer_type"] if t in touched]


# --- distances after the change ----------------------------------------------------------------------------------

def _access_after(ctx: Context, scenario: Scenario, level: str, reach_m: float, published: pd.DataFrame) -> pd.DataFrame:
    """``queries.accessibility`` rows with the changed Angebotsarten measured again (see the module docstring)."""
    from scipy.spatial import cKDTree  # noqa: PLC0415 – only needed with a scenario

    points = queries.population_points(ctx.db, ctx.kreis_id)
    if points[["x", "y"]].isna().any().any():  # a build without point positions: distances cannot be re-measured
        return published
    types = queries.offer_types(ctx.db)
    members = queries.area_members(ctx.db, ctx.kreis_id, level) if level != KREIS_KEY else None
    offers = active(scenario_offers(ctx, scenario))
    rows = []
    for offer_type in changed_types(ctx, scenario):
        where = points[points["grid_weight"] == types.loc[offer_type, "grid_weight"]]
        of_type = metric_offers(offers[offers["offer_type"] == offer_type])
        if of_type.empty:  # no offer of the type left: nobody within reach, no distance
            distance = np.full(len(where), np.nan)
        else:
            distance, _ = cKDTree(of_type[["x", "y"]].to_numpy(float)).query(where[["x", "y"]].to_numpy(float), k=1)
        frame = where.assign(distance_m=distance)
        frame["area_id"] = ctx.kreis_id if members is None else frame["gemeinde_id"].map(members.set_index("gemeinde_id")["area_id"])
        frame["near"] = frame["weight"] * (frame["distance_m"] <= reach_m)
        frame["weighted"] = frame["weight"] * frame["distance_m"]
        sums = frame.groupby("area_id").agg(weight=("weight", "sum"), near=("near", "sum"), weighted=("weighted", "sum"), basis=("basis", "first"))
        people = sums["weight"].where(sums["weight"] > 0)
        rows.append(pd.DataFrame({
            "area_id": sums.index, "offer_type": offer_type, "mean_distance_km": (sums["weighted"] / people / 1000).to_numpy(),
            "share_within": (100 * sums["near"] / people).to_numpy(), "people": sums["weight"].to_numpy(), "basis": sums["basis"].to_numpy(),
        }))  # fmt: skip
    kept = published[~published["offer_type"].isin(changed_types(ctx, scenario))]
    return pd.concat([kept, *rows], ignore_index=True) if rows else published


@cached(32)
def coverage_after(
    ctx: Context, scenario: Scenario, level: str, dimension: str, distance_km: float | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """``coverage_dimensions.coverage_with_kreis`` with the scenario's offers: (coverage, kreis, access, kreis_access)."""
    _, _, after, kreis_after = coverage_before_after(ctx, scenario, level, dimension)
    _, _, access, kreis_access = coverage_with_kreis(ctx, level, dimension, distance_km)
    if access is not None:
        access = _access_after(ctx, scenario, level, distance_km * 1000, access)
        kreis_access = _access_after(ctx, scenario, KREIS_KEY, distance_km * 1000, kreis_access)
    return after, kreis_after, access, kreis_access


# --- Präventionskette -------------------------------------------------------------------------------------------

@dataclass
class ScenarioMatrix:
    """The Präventionskette with the scenario's offers: ``matrix`` as the page shows it (changed cells read
    'vorher → nachher'), ``changed`` True at those cells (same shape as ``matrix.table``), and how many changed."""

    matrix: chain.ChainMatrix
    changed: pd.DataFrame
    count: int


@cached(32)
def chain_matrix(
    ctx: Context, scenario: Scenario, level: str, dimension: str, metric_key: str, weak_share: float = chain.WEAK_SHARE,
    distance_km: float = 5, areas_as_rows: bool = False,
) -> ScenarioMatrix:  # fmt: skip
    """``chain.build_matrix`` with the scenario's offers; a cell whose status changes shows both texts."""
    before = chain.build_matrix(ctx, level, dimension, metric_key, weak_share, distance_km, areas_as_rows)
    metric = chain.METRICS[metric_key]
    after, kreis_after, access, kreis_access = coverage_after(ctx, scenario, level, dimension, distance_km if metric.key == "share_within" else None)
    cells = chain.cell_frame(after, kreis_after, metric, weak_share, access, kreis_access, captured(ctx, dimension))
    keys = ["area_id", "category", "is_kreis"]
    old = cells[keys].merge(before.cells[[*keys, "status", "text"]], on=keys, how="left")
    moved = (old["status"].to_numpy() != cells["status"].to_numpy()) & old["status"].notna().to_numpy()
    cells = cells.assign(text=np.where(moved, old["text"].astype(str) + ARROW + cells["text"].astype(str), cells["text"]))
    rows = category_rows(ctx, dimension)
    rows = rows[rows["category"].isin(cells["category"])]
    shown = chain.matrix(cells, rows, areas_as_rows, dimension)
    # value cells hold numbers and status marks only, so the arrow marks exactly the changed ones
    changed = pd.DataFrame(False, index=shown.table.index, columns=shown.table.columns)
    for column in shown.column_keys:
        changed[column] = shown.table[column].astype(str).str.contains(ARROW, regex=False)
    for name in ("not_captured", "partly_captured", "population_years", "population_note", "basis"):
        setattr(shown, name, getattr(before, name))
    return ScenarioMatrix(shown, changed, int(moved.sum()))


def cell_changes(ctx: Context, scenario: Scenario, level: str, dimension: str, area_key: str, category: str) -> pd.DataFrame:
    """The scenario's changes behind one Präventionskette cell: its new, changed and closed offers of the category
    in the area (the Kreis for 'kreis'), an offer moved out of or into the area included – Name, Änderung, Plätze."""
    offers = scenario_offers(ctx, scenario)
    marked = offers[offers["status"] != PUBLISHED]
    if dimension == "lebensphase":
        phases = queries.offer_types(ctx.db)["lebensphasen"]
        marked = marked[[category in list(phases.get(t, [])) for t in marked["offer_type"]]]
    else:
        marked = marked[marked["offer_type"] == category]
    published = queries.offers(ctx.db, ctx.kreis_id).set_index("offer_id")["gemeinde_id"]
    was = marked["offer_id"].map(published)
    if area_key != KREIS_KEY:
        members = queries.area_members(ctx.db, ctx.kreis_id, level).set_index("gemeinde_id")["area_id"]
        inside = (marked["gemeinde_id"].map(members) == area_key) | (was.map(members) == area_key)
        marked, was = marked[inside], was[inside]
    names = dict(zip(queries.gemeinde_geometry(ctx.db, ctx.kreis_id)["area_id"], queries.gemeinde_geometry(ctx.db, ctx.kreis_id)["name"]))
    what = [f"verlegt nach {names.get(now, now)}" if pd.notna(old) and old != now else status
            for status, old, now in zip(marked["status"], was, marked["gemeinde_id"])]  # fmt: skip
    capacity = pd.to_numeric(marked["kapazitaet"], errors="coerce").where(marked["status"] != CLOSED)
    places = [number(v, 0) if pd.notna(v) else "–" for v in capacity]
    return pd.DataFrame({"Name": marked["name"].astype(str).to_numpy(), "Änderung": what, "Plätze nachher": places})


# --- Bedarf & Versorgung ------------------------------------------------------------------------------------------

@cached(32)
def gap_view(
    ctx: Context, scenario: Scenario, level: str, dimension: str, measure: str = "offers_per_1000",
    distance_km: float | None = 5, social_id: str = gaps.NO_SOCIAL,
) -> gaps.GapView:  # fmt: skip
    """``gaps.build_view`` with the scenario's offers (the same rule; distances as in the module docstring)."""
    published = gaps.build_view(ctx, level, dimension, measure, distance_km, social_id)
    after, kreis, access, kreis_access = coverage_after(ctx, scenario, level, dimension, distance_km if dimension == "angebotsart" else None)
    social = published.social
    scored = gaps.score_gaps(gaps.supply_frame(after, kreis, measure, access, kreis_access),
                             social.values if social is not None else None, social.kreis_value if social is not None else None)  # fmt: skip
    ranked = gaps.rank(scored)
    ranked["reason"] = [gaps.reason(r, published.words) for _, r in ranked.iterrows()]
    rows = category_rows(ctx, dimension)
    none_in_kreis = set(kreis.loc[kreis["offers"] == 0, "category"])
    without = [published.words.category_labels.get(c, c) for c in rows["category"] if c in none_in_kreis and c in captured(ctx, dimension)]
    return dataclasses.replace(published, scored=scored, ranked=ranked, without_offers=without)


def ranking_table(before: gaps.GapView, after: gaps.GapView, categories: list[str] | None = None) -> pd.DataFrame:
    """The ranked list after the change (``gaps.ranking_table``) with the rank before beside the rank after
    ('keine Lücke' where the area × category was no gap before), and at the end the gaps the scenario closes
    ('keine Lücke mehr', with their figures before)."""
    keys = ["area_id", "category"]
    chosen = after.ranked if not categories else after.ranked[after.ranked["category"].isin(categories)]
    old = before.ranked.set_index(keys)["rank"]
    table = gaps.ranking_table(after, categories).rename(columns={"Rang": "Rang nachher"})
    ranks = [old.get((a, c)) for a, c in zip(chosen["area_id"], chosen["category"])]
    table.insert(0, "Rang vorher", ["keine Lücke" if r is None else number(r, 0) for r in ranks])
    table["Rang nachher"] = [number(r, 0) for r in table["Rang nachher"]]
    closed = before.ranked[~before.ranked.set_index(keys).index.isin(chosen.set_index(keys).index)]
    closed = closed[closed["category"].isin(categories)] if categories else closed
    if closed.empty:
        return table
    gone = gaps.ranking_table(dataclasses.replace(before, ranked=closed)).rename(columns={"Rang": "Rang vorher"})
    gone["Rang vorher"] = [number(r, 0) for r in gone["Rang vorher"]]
    gone.insert(1, "Rang nachher", "keine Lücke mehr")
    gone["Begründung"] = "vorher: " + gone["Begründung"].astype(str)
    return pd.concat([table, gone[[c for c in table.columns if c in gone.columns]]], ignore_index=True).fillna("–")


def _difference_map(published: coverage.CoverageMap, after: pd.DataFrame, scenario: Scenario) -> coverage.CoverageMap:
    """The map of the change: value = after − before per area, text '+1,2 (vorher 3,4, nachher 4,6)'."""
    metric = published.metric
    before = published.shapes.set_index("area_id")["value"]
    shapes = after.assign(before=after["area_id"].map(before))
    if metric.kind == "count":  # no offer is 0 offers, not unknown
        shapes[["before", "value"]] = shapes[["before", "value"]].fillna(0)
    shapes["after"] = shapes["value"]
    shapes["value"] = shapes["after"] - shapes["before"]
    unit = f" {metric.unit}" if metric.unit in ("km", "%") else ""
    shapes["value_text"] = [
        "kein Wert" if pd.isna(d) else f"{'+' if d > 0 else ''}{number(d, metric.decimals)}{unit} "
        f"(vorher {coverage.value_text(b, metric)}, nachher {coverage.value_text(a, metric)})"
        for d, b, a in zip(shapes["value"], shapes["before"], shapes["after"])
    ]  # fmt: skip
    classes = difference_classes(shapes["value"], metric.decimals)
    missing = "kein Wert vorher oder nachher" if shapes["value"].isna().any() else None
    return dataclasses.replace(published, shapes=shapes, title=f"Veränderung durch Szenario „{scenario.name}“: {published.title}",
                               classes=classes, missing_label=missing, symbols=None, symbol_points=None, class_note=classes.note,
                               spread=None)  # fmt: skip


def rank_moves(before: gaps.GapView, after: gaps.GapView, categories: list[str] | None = None) -> pd.DataFrame:
    """The gaps whose own Rangpunkte the scenario changes and whose rank moves (as ``scenario_effects.gap_moves``,
    but by the page's chosen measure, distances and social weight): area_id, name, category, rank_before/after
    (NaN: no gap), score_before/after – for ``scenario_effects.gap_table``."""
    keys = ["area_id", "name", "category"]
    scored = [v.scored[[*keys, "score"]].merge(v.ranked[[*keys, "rank"]], on=keys, how="left") for v in (before, after)]
    both = scored[0].merge(scored[1], on=keys, suffixes=("_before", "_after"))
    if categories:
        both = both[both["category"].isin(categories)]
    own = ~np.isclose(both["score_before"].fillna(0).to_numpy(float), both["score_after"].fillna(0).to_numpy(float))
    moved = both[own & (both["rank_before"].fillna(0) != both["rank_after"].fillna(0))]
    return moved.sort_values(["rank_after", "rank_before"], na_position="last").reset_index(drop=True)


def supply_table(before: gaps.GapView, after: gaps.GapView, category: str) -> pd.DataFrame:
    """Need and supply of one category per area before and after, only the areas whose supply changes."""
    keys = ["area_id", "category"]
    both = before.scored[[*keys, "name", "offers", "supply", "measure"]].merge(
        after.scored[[*keys, "offers", "supply"]], on=keys, suffixes=("_before", "_after"))  # fmt: skip
    both = both[(both["category"] == category) & ~np.isclose(both["supply_before"].fillna(0), both["supply_after"].fillna(0))]
    unit = {"capacity_per_100": "Plätze je 100", "offers_per_1000": "Angebote je 1.000"}

    def fmt(values: pd.Series) -> list[str]:
        return [number(v, 2 if abs(v) < 1 else 1) if pd.notna(v) else "–" for v in values]

    return pd.DataFrame({
        "Gebiet": both["name"].astype(str), "Angebote vorher": both["offers_before"].astype(int), "Angebote nachher": both["offers_after"].astype(int),
        "Versorgung vorher": fmt(both["supply_before"]), "Versorgung nachher": fmt(both["supply_after"]),
        "gemessen als": both["measure"].map(unit),
    })  # fmt: skip


# --- Angebotskarte ------------------------------------------------------------------------------------------------

@cached(32)
def coverage_map(
    ctx: Context, scenario: Scenario, level: str, category_key: str, metric_key: str, max_distance_m: float, difference: bool = False
) -> coverage.CoverageMap:
    """``coverage.coverage_map`` with the scenario's offers: the same areas, metric and class rule, the values
    after the change, the title marked 'Szenario'. ``difference``: the change instead (after − before, classes
    symmetric around 0 as on the page Szenarien, ``scenario_effects.difference_classes``)."""
    published = coverage.coverage_map(ctx, level, category_key, metric_key, max_distance_m)
    dimension, category = coverage.split_category(category_key)
    metric = published.metric
    after, kreis, access, kreis_access = coverage_after(ctx, scenario, level, dimension, max_distance_m / 1000 if dimension == coverage.ANGEBOTSART else None)
    access = access[access["offer_type"] == category] if access is not None else None
    values = coverage.area_values(after[after["category"] == category].drop(columns=["name", "level"]), access,
                                  coverage.categories_with_capacity(ctx, dimension))  # fmt: skip
    shapes = published.shapes[["area_id", "name", "geometry", "captured"]].merge(values, on="area_id", how="left")
    shapes["value"] = shapes[metric.key].astype(float) if published.captured else np.nan
    shapes["value_text"] = [coverage.value_text(v, metric) for v in shapes["value"]] if published.captured else coverage.NOT_CAPTURED
    shapes["offers_text"] = [number(v) if pd.notna(v) else "–" for v in shapes["offers"]] if published.captured else coverage.NOT_CAPTURED
    shapes["target_text"] = [number(v) if pd.notna(v) else "–" for v in shapes["target_population"]]
    classes, symbols, points, note = published.classes, published.symbols, published.symbol_points, published.class_note
    if published.captured and metric.kind == "count":
        from planning import map_labels  # noqa: PLC0415

        symbols, points = classification.proportional_symbols(shapes["value"]), map_labels.value_points(shapes)
    elif published.captured:
        if metric.needs_access:  # the Kreis value the classes centre on, after the change (as coverage.kreis_value)
            rows = kreis_access[kreis_access["offer_type"] == category] if kreis_access is not None else pd.DataFrame()
        else:
            rows = coverage.with_zero_quota(kreis[kreis["category"] == category], coverage.categories_with_capacity(ctx, dimension))
        value = rows[metric.key].iloc[0] if not rows.empty and metric.key in rows else np.nan
        reference = float(value) if pd.notna(value) else None
        classes = classification.map_classes(shapes["value"], reference=reference, decimals=metric.decimals, palette=metric.palette)
        note = classes.note if classes is not None else None
    spread = classification.spread_text(shapes["value"], metric.decimals, metric.unit if metric.unit in ("km", "%") else "")
    if difference and published.captured:
        return _difference_map(published, shapes, scenario)
    return dataclasses.replace(published, shapes=shapes, title=f"Szenario „{scenario.name}“: {published.title}", classes=classes,
                               missing_label=coverage.missing_label(metric, shapes), symbols=symbols, symbol_points=points,
                               class_note=note, spread=spread)  # fmt: skip
