"""What a scenario changes on the planning views: the difference per area in classes around 0 (for the map), the
Präventionskette cells that change status, and the moves in the gap ranking.

Rules a planner should know:
- The difference map shows after − before per Gemeinde; "unverändert" means exactly no change. Classes are
  symmetric around 0 in rounded steps, so the same colour means the same size of change up and down.
- Präventionskette cells are judged by the same rule as on the page "Präventionskette" (``planning.chain``):
  offers per 1,000 of the target group, "leer – kein Angebot" without an offer, "schwach" below half the Kreis
  value – once with the published offers, once with the scenario's.
- The gap ranking (``planning.gaps``) is recomputed with the scenario's offers: its rank before and after, per
  Gemeinde and Angebotsart.
- Per Lebensphase (``coverage_before_after``) an offer counts in every phase its Angebotsart serves, as the build
  counts it.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from planning import chain, gaps, queries
from planning.classification import Classes, nice_step
from planning.context import LEVEL_SINGULAR, Context
from planning.coverage_dimensions import KREIS_KEY, captured
from planning.formatting import number
from planning.scenarios import Scenario, active, apply

DECREASE_COLOURS = ("#b2182b", "#ef8a62")
UNCHANGED_COLOUR = "#f2efe6"
INCREASE_COLOURS = ("#67a9cf", "#2166ac")
UNCHANGED_TOLERANCE = 1e-9


def difference_classes(differences: pd.Series, decimals: int) -> Classes:
    """Five classes symmetric around 0: weniger (beyond one step), etwas weniger, unverändert (exactly 0), etwas
    mehr, mehr; the step is a rounded half of the largest change. Without any change: one class 'unverändert'."""
    known = pd.to_numeric(differences, errors="coerce").dropna()
    largest = float(known.abs().max()) if len(known) else 0.0
    if largest <= UNCHANGED_TOLERANCE:
        return Classes(0.0, (math.inf,), (UNCHANGED_COLOUR,), ("unverändert",), note="Keine Veränderung")
    step = nice_step(largest / 2)
    digits = max(decimals, next(d for d in range(8) if abs(round(step, d) - step) < 1e-9 * step))
    s = number(step, digits)
    names = (f"weniger (mehr als {s} weniger)", f"etwas weniger (bis {s} weniger)", "unverändert",
             f"etwas mehr (bis {s} mehr)", f"mehr (mehr als {s} mehr)")  # fmt: skip
    bounds = (float(np.nextafter(-step, -math.inf)), -UNCHANGED_TOLERANCE, UNCHANGED_TOLERANCE, step, math.inf)
    colours = (*DECREASE_COLOURS, UNCHANGED_COLOUR, *INCREASE_COLOURS)
    note = f"Nachher − vorher, Klassen in Stufen von {s} um 0"
    return Classes(-largest, bounds, colours, names, note=note)


# --- coverage with the scenario's offers ------------------------------------------------------------------------------

DIMENSION = "angebotsart"  # the page Szenarien's effects are per Angebotsart; coverage_before_after does Lebensphasen too


def _counts(offers: pd.DataFrame, members: pd.DataFrame, dimension: str = DIMENSION, types: pd.DataFrame | None = None) -> pd.DataFrame:
    """Offers, places and offers with places per area × category: the Angebotsart, or – for ``dimension``
    'lebensphase' – every Lebensphase the offer's Angebotsart serves (``types``: the taxonomy), as the build counts."""
    if dimension == "lebensphase":
        phases = types[["offer_type", "lebensphasen"]].reset_index(drop=True).rename(columns={"lebensphasen": "category"})
        offers = offers.drop(columns=["lebensphasen"], errors="ignore").merge(phases, on="offer_type").explode("category")
    else:
        offers = offers.assign(category=offers["offer_type"])
    placed = offers.merge(members, on="gemeinde_id")
    grouped = placed.groupby(["area_id", "category"]).agg(
        offers=("offer_id", "size"), capacity=("kapazitaet", "sum"), capacity_known=("kapazitaet", "count"))  # fmt: skip
    return grouped.rename_axis(["area_id", "category"])


def _with_delta(coverage: pd.DataFrame, delta: pd.DataFrame) -> pd.DataFrame:
    """Coverage rows with the scenario's changes of offers and places added, and the rates recomputed."""
    out = coverage.copy()
    key = pd.MultiIndex.from_frame(out[["area_id", "category"]])
    d = delta.reindex(key).fillna(0)
    out["offers"] = out["offers"].fillna(0).to_numpy() + d["offers"].to_numpy()
    out["capacity_known"] = out["capacity_known"].fillna(0).to_numpy() + d["capacity_known"].to_numpy()
    capacity = out["capacity"].fillna(0).to_numpy() + d["capacity"].to_numpy()
    out["capacity"] = np.where(out["capacity_known"] > 0, capacity, np.nan)
    target = pd.to_numeric(out["target_population"], errors="coerce").where(lambda t: t > 0)
    out["offers_per_1000"] = out["offers"] / target * 1000
    out["capacity_per_100"] = out["capacity"] / target * 100
    return out


def scenario_coverage(ctx: Context, scenario: Scenario, level: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Coverage per Angebotsart of the areas of ``level`` and of the Kreis, with the published offers (as the ETL
    computed it) and with the scenario's: (areas before, Kreis before, areas after, Kreis after)."""
    return coverage_before_after(ctx, scenario, level, DIMENSION)


def coverage_before_after(
    ctx: Context, scenario: Scenario, level: str, dimension: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """As ``scenario_coverage`` for either dimension: per Lebensphase an offer counts in every phase its
    Angebotsart serves (as in the published figures), so closing a Familienzentrum changes several phases."""
    published = queries.offers(ctx.db, ctx.kreis_id)
    changed = active(apply(published, scenario, queries.gemeinde_geometry(ctx.db, ctx.kreis_id)))
    types = queries.offer_types(ctx.db)
    members = queries.area_members(ctx.db, ctx.kreis_id, level)
    kreis_members = members.assign(area_id=ctx.kreis_id)
    coverage = queries.coverage(ctx.db, ctx.kreis_id, level, dimension)
    kreis = queries.coverage(ctx.db, ctx.kreis_id, KREIS_KEY, dimension)
    deltas = [_counts(changed, m, dimension, types).sub(_counts(published, m, dimension, types), fill_value=0) for m in (members, kreis_members)]
    return coverage, kreis, _with_delta(coverage, deltas[0]), _with_delta(kreis, deltas[1])


@functools.lru_cache(maxsize=32)
def chain_changes(ctx: Context, scenario: Scenario, level: str = "gemeinde", metric_key: str = "offers_per_1000") -> pd.DataFrame:
    """The Präventionskette cells (areas and Kreis × Angebotsart) whose status the scenario changes, by the rule
    of the page Präventionskette: area_id, name, category, status_before/after, text_before/after. Shared: do not
    modify."""
    before, kreis_before, after, kreis_after = scenario_coverage(ctx, scenario, level)
    metric, known = chain.METRICS[metric_key], captured(ctx, DIMENSION)
    cells_before = chain.cell_frame(before, kreis_before, metric, chain.WEAK_SHARE, captured_categories=known)
    cells_after = chain.cell_frame(after, kreis_after, metric, chain.WEAK_SHARE, captured_categories=known)
    keys = ["area_id", "category", "is_kreis"]
    both = cells_before[[*keys, "name", "status", "text"]].merge(cells_after[[*keys, "status", "text"]], on=keys, suffixes=("_before", "_after"))
    moved = both[both["status_before"] != both["status_after"]]
    return moved.sort_values(["is_kreis", "name", "category"]).reset_index(drop=True)


def chain_table(changes: pd.DataFrame, labels: dict[str, str], level: str) -> pd.DataFrame:
    """The changed cells as the page and the export show them (German)."""
    return pd.DataFrame({
        LEVEL_SINGULAR.get(level, "Gebiet"): [f"{n} (Kreis)" if k else str(n) for n, k in zip(changes["name"], changes["is_kreis"])],
        "Angebotsart": changes["category"].map(lambda c: labels.get(c, c)),
        "Zelle vorher": [f"{chain.STATUS_LABELS[s]} ({t})" for s, t in zip(changes["status_before"], changes["text_before"])],
        "Zelle nachher": [f"{chain.STATUS_LABELS[s]} ({t})" for s, t in zip(changes["status_after"], changes["text_after"])],
    })  # fmt: skip


@functools.lru_cache(maxsize=32)
def gap_moves(ctx: Context, scenario: Scenario, level: str = "gemeinde", social_id: str = gaps.NO_SOCIAL) -> pd.DataFrame:
    """Rank in the gap ranking (``planning.gaps``: Rangpunkte = Zielgruppe × Lücke × Sozialfaktor, by the supply gap
    of offers per 1,000 – distances are not recomputed for a scenario) before and after, for every area ×
    Angebotsart whose own Rangpunkte and rank change: area_id, name, category, rank_before/after (NaN: no gap), score_before/after."""
    before, kreis_before, after, kreis_after = scenario_coverage(ctx, scenario, level)
    social = gaps.social_need(ctx, level, social_id)
    values, kreis_value = (social.values, social.kreis_value) if social is not None else (None, None)
    ranked = [gaps.rank(gaps.score_gaps(gaps.supply_frame(c, k), values, kreis_value)) for c, k in ((before, kreis_before), (after, kreis_after))]
    keys = ["area_id", "name", "category"]
    both = ranked[0][[*keys, "rank", "score"]].merge(ranked[1][[*keys, "rank", "score"]], on=keys, how="outer", suffixes=("_before", "_after"))
    # only gaps the scenario itself changes: others move a place when one ahead of them leaves the list
    score_before, score_after = (pd.to_numeric(both[c], errors="coerce").fillna(0).to_numpy(float) for c in ("score_before", "score_after"))
    changed = ~np.isclose(score_before, score_after)
    moved = both[changed & (both["rank_before"].fillna(0) != both["rank_after"].fillna(0))]
    return moved.sort_values(["rank_after", "rank_before"], na_position="last").reset_index(drop=True)


def gap_table(moves: pd.DataFrame, labels: dict[str, str], level: str) -> pd.DataFrame:
    """The rank moves as shown and exported, e.g. rank 3 → 7: '4 Plätze nach hinten (kleinere Lücke)'."""
    def rank_text(value: float) -> str:
        return "keine Lücke" if pd.isna(value) else number(value, 0)

    def move_text(b: float, a: float) -> str:
        if pd.isna(a):
            return "keine Lücke mehr"
        if pd.isna(b):
            return "neu in der Rangliste"
        places = f"{number(abs(a - b), 0)} {'Plätze' if abs(a - b) > 1 else 'Platz'}"
        return f"{places} nach hinten (kleinere Lücke)" if a > b else f"{places} nach vorn (größere Lücke)"

    return pd.DataFrame({
        LEVEL_SINGULAR.get(level, "Gebiet"): moves["name"].astype(str),
        "Angebotsart": moves["category"].map(lambda c: labels.get(c, c)),
        "Rang vorher": [rank_text(v) for v in moves["rank_before"]], "Rang nachher": [rank_text(v) for v in moves["rank_after"]],
        "Veränderung": [move_text(b, a) for b, a in zip(moves["rank_before"], moves["rank_after"])],
        "Rangpunkte vorher": [number(v) if pd.notna(v) else "–" for v in moves["score_before"]],
        "Rangpunkte nachher": [number(v) if pd.notna(v) else "–" for v in moves["score_after"]],
    })  # fmt: skip
