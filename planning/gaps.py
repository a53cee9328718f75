"""Wo fehlen Angebote? Need against supply per area, and a ranked list of gaps with a reason for each rank.

For an area *a* and a category *c* (a Lebensphase or an Angebotsart) – every part is shown on the page:

    Versorgungslücke      v = max(0, 1 − Versorgung(a, c) / Versorgung(Kreis, c))
                              0 = at least as well supplied as the Kreis as a whole, 1 = no offer at all
    Erreichbarkeitslücke  e = 1 − share of the target group living within the chosen distance of an offer
                              (Angebotsarten only: distances are measured to the nearest offer of a type)
    Lücke                 g = v, or (v + e) / 2 where e is known
    Sozialfaktor          s = social indicator of a / its Kreis value, limited to [0,5; 2]; 1 without indicator
    Rangpunkte              = target population × g × s   (the "score"; shown as Rangpunkte, with this formula)

Versorgung is offers per 1,000 of the target group, or – if chosen – the Versorgungsquote (places per 100) for
categories whose offers state capacities in the Kreis. The Rangpunkte read as "people of the target group without
supply at the Kreis's level, weighted by the social situation": a large group with half the Kreis's supply ranks
above a small one without any offer, and poverty moves an area up. Rows with g = 0 are no gaps and not ranked.
Categories without a single offer in the whole Kreis are not ranked either and are named separately, each with
its reason: no loaded offer list captures them ("nicht erfasst": nothing is known, see
``coverage_dimensions.captured``), or a list captures them and the gap is county-wide (every area would be equal).

In the need/supply chart every area of a category is judged by the Präventionskette's rule (``planning.chain``):
empty, weak (below a share of the Kreis's supply) or supplied.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planning import chain, comparison, queries
from planning.context import LEVEL_SINGULAR, Context
from planning.coverage_dimensions import (
    DEFAULT_DISTANCE_KM,
    DIMENSION_SINGULAR,
    OFFERS_HINT,
    captured,
    category_rows,
    coverage_with_kreis,
    has_capacity,
    population_note,
    population_years,
    target_labels,
    with_access,
)
from planning.formatting import number, short_unit

SOCIAL_TOPIC = "Soziale Lage"
# the need indicator offered first where the data have it: child poverty, then the broader SGB II figures
SOCIAL_PREFERENCE = ("kinderarmut", "sgb2_quote", "sgb2_je_100_ew", "mindestsicherungsquote")
SOCIAL_FACTOR_MIN, SOCIAL_FACTOR_MAX = 0.5, 2.0
NO_SOCIAL = "keine"  # no social weight (a word, so that it survives in the URL)
SUPPLY_MEASURES = {
    "offers_per_1000": "Angebote je 1.000 der Zielgruppe",
    "capacity_per_100": "Versorgungsquote (Plätze je 100), wo Platzzahlen vorliegen",
}
TOP_LISTED = 10  # gaps listed with their reason in full above the table
RANK_FORMULA = "Rangpunkte = Zielgruppe × Lücke × Sozialfaktor"  # said wherever the points are shown


# --- social need ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SocialNeed:
    """One social indicator for the areas of a level (value, and the count behind a computed rate)."""

    indicator_id: str
    label: str
    unit: str
    decimals: int
    year: int
    values: pd.DataFrame  # area_id, value, numerator
    kreis_value: float | None
    numerator_label: str | None  # e.g. "Kinder unter 15 Jahren im SGB-II-Bezug"

    def text(self, value: float | None) -> str:
        """'18,2 %'; a long unit ('je 100 Einwohner') stays in the label, not after every number."""
        return "–" if value is None or pd.isna(value) else f"{number(value, self.decimals)} {short_unit(self.unit)}".rstrip()


def social_options(ctx: Context, level: str) -> list[str]:
    """Rates of the social situation whose higher values are worse and that have values at ``level``:
    the preferred ones first (child poverty, SGB II), then catalogue order."""
    cat = queries.catalogue(ctx.db)
    years = queries.indicator_years(ctx.db, ctx.kreis_id)
    present = set(years.loc[years["level"] == level, "indicator_id"])
    fits = cat[(cat["kind"] == "rate") & (cat["polarity"] == "higher_is_worse") & (cat["topic"] == SOCIAL_TOPIC)]
    ids = [i for i in fits["indicator_id"] if i in present]
    preferred = [i for i in SOCIAL_PREFERENCE if i in ids]
    return preferred + [i for i in ids if i not in preferred]


def social_need(ctx: Context, level: str, indicator_id: str) -> SocialNeed | None:
    """The indicator at ``level`` in the shared year if it has values then, else in its latest year with values."""
    if indicator_id == NO_SOCIAL:
        return None
    series = queries.indicator_series(ctx.db, ctx.kreis_id, indicator_id)
    usable = series[series["status"].isin(comparison.VALUE_STATUSES) & series["value"].notna()]
    at_level = usable[usable["level"] == level]
    if at_level.empty:
        return None
    years = set(at_level["year"])
    year = ctx.year if ctx.year in years else max(years)
    kreis = usable[(usable["level"] == "kreis") & (usable["area_id"] == ctx.kreis_id) & (usable["year"] == year)]
    meta = queries.catalogue(ctx.db).loc[indicator_id]
    numerators = list(meta["numerator"]) if meta["numerator"] is not None else []
    numerator_label = queries.catalogue(ctx.db)["label"].get(numerators[0]) if len(numerators) == 1 else None
    return SocialNeed(
        indicator_id, meta["label"], meta["unit"], int(meta["decimals"]), int(year),
        at_level.loc[at_level["year"] == year, ["area_id", "value", "numerator"]].reset_index(drop=True),
        float(kreis["value"].iloc[0]) if not kreis.empty else None, numerator_label,
    )  # fmt: skip


# --- supply against need -------------------------------------------------------------------------------------------

def supply_frame(
    coverage: pd.DataFrame,
    kreis: pd.DataFrame,
    measure: str = "offers_per_1000",
    access: pd.DataFrame | None = None,
    kreis_access: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per area × category: target population, offers, the supply measure used and its Kreis value, the share
    within reach and its Kreis value (NaN without distances). The Versorgungsquote is used where the Kreis has
    one for the category and the area's offers state places (an area without offers has 0); elsewhere offers per
    1,000 stand in, so an area whose lists lack places is still judged (column ``measure`` says which)."""
    frame = with_access(coverage, access)
    ref = with_access(kreis, kreis_access).set_index("category")
    kreis_capacity = frame["category"].map(ref["capacity_per_100"])
    places_known = frame["capacity_per_100"].notna() | (frame["offers"] == 0)
    by_capacity = (measure == "capacity_per_100") & (kreis_capacity > 0) & places_known
    out = frame[["area_id", "name", "category", "target_population", "offers", "capacity_known", "offers_per_1000", "capacity_per_100"]].copy()
    out["measure"] = np.where(by_capacity, "capacity_per_100", "offers_per_1000")
    out["supply"] = np.where(by_capacity, frame["capacity_per_100"].fillna(0), frame["offers_per_1000"])
    out["kreis_supply"] = np.where(by_capacity, kreis_capacity, frame["category"].map(ref["offers_per_1000"]))
    out["kreis_offers"] = frame["category"].map(ref["offers"])
    out["share_within"] = frame["share_within"]
    out["kreis_share_within"] = frame["category"].map(ref["share_within"])
    out["mean_distance_km"] = frame["mean_distance_km"]
    return out


def score_gaps(supply: pd.DataFrame, social: pd.DataFrame | None = None, kreis_social: float | None = None) -> pd.DataFrame:
    """The score of every area × category (see the module docstring). ``social``: area_id, value and, where the
    rate was computed here, numerator (the count behind it, e.g. children in SGB II)."""
    out = supply.copy()
    ratio = out["supply"].fillna(0) / out["kreis_supply"].where(out["kreis_supply"] > 0)
    out["supply_gap"] = (1 - ratio).clip(lower=0, upper=1)
    out["access_gap"] = 1 - out["share_within"] / 100
    out["gap"] = np.where(out["access_gap"].notna(), (out["supply_gap"] + out["access_gap"]) / 2, out["supply_gap"])
    out["social_value"], out["social_count"], out["social_factor"] = np.nan, np.nan, 1.0
    if social is not None and kreis_social:
        by_area = social.set_index("area_id")
        out["social_value"] = out["area_id"].map(by_area["value"])
        if "numerator" in by_area:
            out["social_count"] = out["area_id"].map(by_area["numerator"])
        out["social_factor"] = (out["social_value"] / kreis_social).clip(SOCIAL_FACTOR_MIN, SOCIAL_FACTOR_MAX).fillna(1.0)
    out["score"] = out["target_population"].fillna(0) * out["gap"] * out["social_factor"]
    return out


def rank(scored: pd.DataFrame) -> pd.DataFrame:
    """Gaps only (score > 0, categories with some offer in the Kreis), highest score first, ties by name."""
    ranked = scored[(scored["score"] > 0) & (scored["kreis_offers"] > 0)]
    ranked = ranked.sort_values(["score", "name", "category"], ascending=[False, True, True]).reset_index(drop=True)
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    return ranked


@dataclass(frozen=True)
class Wording:
    """What the reason texts need besides a row: labels of categories and target groups, distance, indicator."""

    category_labels: dict[str, str]
    target_labels: dict[str, str]
    distance_km: float | None = None
    social: SocialNeed | None = None


def reason(row: pd.Series, words: Wording) -> str:
    """'kein Angebot für 0 bis 3 Jahre; Zielgruppe 412 Kinder unter 3 Jahren; Kinderarmut 18,2 % (Kreis 12,1 %)'."""
    label = words.category_labels.get(row["category"], row["category"])
    target = f"Zielgruppe {number(row['target_population'])} {words.target_labels.get(row['category'], 'Personen')}"
    if row["offers"] == 0:
        parts = [f"kein Angebot für „{label}“", target]
    else:
        unit = "Plätze je 100" if row["measure"] == "capacity_per_100" else "Angebote je 1.000"
        decimals = 2 if row["kreis_supply"] < 1 else 1
        percent = number(100 * (1 - row["supply_gap"]))
        parts = [
            f"„{label}“: {number(row['supply'], decimals)} {unit} statt {number(row['kreis_supply'], decimals)} im Kreis "
            f"({percent} % des Kreiswerts)",
            target,
        ]
    if pd.notna(row["share_within"]):
        km = number(words.distance_km, 1 if words.distance_km and words.distance_km % 1 else 0)
        parts.append(
            f"{number(row['share_within'])} % der Zielgruppe im Umkreis von {km} km (Kreis {number(row['kreis_share_within'])} %), "
            f"im Mittel {number(row['mean_distance_km'], 1)} km bis zum nächsten Angebot"
        )
    social = words.social
    if social is not None and pd.notna(row["social_value"]):
        extra = [f"{number(row['social_count'])} {social.numerator_label}"] if social.numerator_label and pd.notna(row["social_count"]) else []
        if social.kreis_value is not None:
            extra.append(f"Kreis {social.text(social.kreis_value)}")
        parts.append(f"{social.label} {social.text(row['social_value'])}" + (f" ({'; '.join(extra)})" if extra else ""))
    return "; ".join(parts)


# --- the view ------------------------------------------------------------------------------------------------------

@dataclass
class GapView:
    """Everything the page and the export show for one selection: the scored cells, the ranked gaps with their
    reasons, and what was left out (categories without any offer in the Kreis)."""

    level: str
    dimension: str
    measure: str
    distance_km: float | None
    scored: pd.DataFrame  # every area × category with its score parts
    ranked: pd.DataFrame  # gaps only, with rank and reason
    words: Wording
    social: SocialNeed | None
    without_offers: list[str] = field(default_factory=list)  # captured categories with no offer in the whole Kreis
    not_captured: list[str] = field(default_factory=list)  # categories no offer list captures (labels)
    captured: set[str] | None = None  # ids of the captured categories; None: all
    population_years: list[int] = field(default_factory=list)
    population_note: str = ""


def build_view(
    ctx: Context,
    level: str,
    dimension: str,
    measure: str = "offers_per_1000",
    distance_km: float | None = DEFAULT_DISTANCE_KM,
    social_id: str = NO_SOCIAL,
) -> GapView:
    """Scores and the ranked list for a level and dimension from the query layer."""
    reach_km = distance_km if dimension == "angebotsart" else None  # distances are measured per Angebotsart only
    coverage, kreis, access, kreis_access = coverage_with_kreis(ctx, level, dimension, reach_km)
    social = social_need(ctx, level, social_id)
    scored = score_gaps(
        supply_frame(coverage, kreis, measure, access, kreis_access),
        social.values if social is not None else None,
        social.kreis_value if social is not None else None,
    )
    rows = category_rows(ctx, dimension)
    words = Wording(dict(zip(rows["category"], rows["label"])), target_labels(ctx.db, dimension), distance_km if access is not None else None, social)
    ranked = rank(scored)
    ranked["reason"] = [reason(r, words) for _, r in ranked.iterrows()]
    known = captured(ctx, dimension)
    none_in_kreis = set(kreis.loc[kreis["offers"] == 0, "category"])
    return GapView(
        level, dimension, measure, words.distance_km, scored, ranked, words, social,
        without_offers=[words.category_labels.get(c, c) for c in rows["category"] if c in none_in_kreis and c in known],
        not_captured=[words.category_labels.get(c, c) for c in rows["category"] if c not in known],
        captured=known,
        population_years=population_years(kreis),
        population_note=population_note(kreis, words.category_labels),
    )  # fmt: skip


def ranking_table(view: GapView, categories: list[str] | None = None) -> pd.DataFrame:
    """The ranked list as shown and exported: German numbers, the score parts and the reason."""
    rows = view.ranked if not categories else view.ranked[view.ranked["category"].isin(categories)]
    table = pd.DataFrame(
        {
            "Rang": rows["rank"],
            LEVEL_SINGULAR[view.level]: rows["name"],
            DIMENSION_SINGULAR[view.dimension]: rows["category"].map(view.words.category_labels),
            "Zielgruppe": [number(v) for v in rows["target_population"]],
            "Angebote": [number(v) for v in rows["offers"]],
            "Versorgungslücke": [_percent(v) for v in rows["supply_gap"]],
        }
    )
    if view.distance_km:
        table["Erreichbarkeitslücke"] = [_percent(v) for v in rows["access_gap"]]
    if view.social is not None:
        table["Sozialfaktor"] = [number(v, 2) for v in rows["social_factor"]]
    table["Rangpunkte"] = [number(v) for v in rows["score"]]
    table["Begründung"] = rows["reason"].tolist()
    return table.reset_index(drop=True)


def top_list(view: GapView, categories: list[str] | None = None, n: int = TOP_LISTED) -> str:
    """The first ``n`` gaps as markdown paragraphs: rank, area and category, Rangpunkte, and the reason in full (the
    table cuts long reasons). Not a markdown list: that would renumber the ranks of a filtered list."""
    rows = view.ranked if not categories else view.ranked[view.ranked["category"].isin(categories)]
    items = [
        f"**{r['rank']}. {_md(r['name'])} · {_md(view.words.category_labels.get(r['category'], r['category']))}** "
        f"({number(r['score'])} Rangpunkte)  \n{_md(r['reason'])}"
        for _, r in rows.head(n).iterrows()
    ]
    return "\n\n".join(items)


def _md(text: str) -> str:
    """Plain text inside markdown: characters that would format are escaped."""
    return "".join("\\" + c if c in "\\`*_[]<>#|~" else c for c in str(text))


def _percent(value: float) -> str:
    return "–" if pd.isna(value) else f"{number(100 * value)} %"


def score_explanation(view: GapView) -> str:
    """How the rank is made, in German, for the page (markdown)."""
    supply = SUPPLY_MEASURES[view.measure]
    lines = [
        f"**Versorgungslücke** = 1 − Versorgung des Gebiets ÷ Versorgung im Kreis (Versorgung: {supply}); "
        "0 % = mindestens so gut versorgt wie der Kreis, 100 % = kein Angebot.",
    ]
    if view.distance_km:
        km = number(view.distance_km, 1 if view.distance_km % 1 else 0)
        lines.append(
            f"**Erreichbarkeitslücke** = Anteil der Zielgruppe, der weiter als {km} km (Luftlinie) vom nächsten Angebot "
            "der Art entfernt wohnt. Die **Lücke** ist der Mittelwert beider."
        )
    else:
        lines.append("Die **Lücke** ist die Versorgungslücke (Entfernungen gibt es nur je Angebotsart).")
    if view.social is not None and view.social.kreis_value is None:
        lines.append(f"**Sozialfaktor**: {view.social.label} hat {view.social.year} keinen Kreiswert – nicht gewichtet (1).")
    elif view.social is not None:
        lines.append(
            f"**Sozialfaktor** = {view.social.label} des Gebiets ÷ Kreiswert ({view.social.year}), begrenzt auf "
            f"{number(SOCIAL_FACTOR_MIN, 1)} bis {number(SOCIAL_FACTOR_MAX, 1)}; ohne Wert 1."
        )
    else:
        lines.append("**Sozialfaktor**: nicht gewichtet (1).")
    lines.append(
        f"**{RANK_FORMULA.replace(' = ', '** = ', 1)} – etwa: Menschen der Zielgruppe ohne Versorgung auf "
        "Kreisniveau, gewichtet nach sozialer Lage (eine Zahl zum Ordnen, keine Personenzahl). Gerankt werden nur "
        "Lücken über 0."
    )
    return "\n".join(f"- {line}" for line in lines)


# --- choices of the page -------------------------------------------------------------------------------------------

def supply_measures(ctx: Context, dimension: str) -> list[str]:
    """Supply measures to offer: the Versorgungsquote only where some offer of the Kreis states places."""
    return [m for m in SUPPLY_MEASURES if m != "capacity_per_100" or has_capacity(ctx, dimension)]


def social_choices(ctx: Context, level: str) -> tuple[list[str], str]:
    """The social weights to offer ('keine' first, then ``social_options``) and the default: the first indicator."""
    ids = [NO_SOCIAL, *social_options(ctx, level)]
    return ids, ids[1] if len(ids) > 1 else NO_SOCIAL


def first_category(view: GapView, category_ids: list[str]) -> str:
    """The category shown first in the chart: that of the largest gap, else the first of the chain an offer list
    captures, else the first of the chain."""
    if not view.ranked.empty:
        return view.ranked["category"].iloc[0]
    return next((c for c in category_ids if is_captured(view, c)), category_ids[0])


def is_captured(view: GapView, category: str) -> bool:
    """Whether an offer list of the Kreis captures the category (else the chart shows it as "nicht erfasst")."""
    return view.captured is None or category in view.captured


def category_label(view: GapView, category: str) -> str:
    """The category's label for the picker; '… (nicht erfasst)' where no offer list captures it."""
    label = view.words.category_labels.get(category, category)
    return label if is_captured(view, category) else f"{label} (nicht erfasst)"


def not_captured_text(view: GapView, category: str) -> str:
    """Instead of the need/supply chart of a category no offer list captures (plain text)."""
    label = view.words.category_labels.get(category, category)
    return (
        f"„{label}“ ist nicht erfasst: keine geladene Angebotsliste enthält solche Angebote, daher lässt sich die "
        f"Versorgung nicht zeigen – das heißt nicht, dass es keine gibt. {OFFERS_HINT}"
    )


def no_gap_text(view: GapView) -> str:
    """What an empty ranking means: no gap among the captured categories (the others are not judged)."""
    if view.not_captured:
        return "Keine Lücke unter den erfassten Kategorien: dort ist jedes Gebiet mindestens so gut versorgt wie der Kreis."
    return "Keine Lücke: jedes Gebiet ist mindestens so gut versorgt wie der Kreis."


def left_out_text(view: GapView) -> list[str]:
    """Why categories are missing from the ranking, one sentence per reason (plain text; labels from the database)."""
    out = []
    if view.not_captured:
        out.append(
            f"Nicht erfasst und darum nicht gerankt: {', '.join(view.not_captured)}. Keine geladene Angebotsliste enthält "
            "solche Angebote – ob es sie gibt, ist unbekannt. " + OFFERS_HINT
        )
    if view.without_offers:
        out.append(
            f"Ohne ein einziges Angebot im ganzen Kreis, obwohl eine Angebotsliste sie erfasst, und darum nicht gerankt: "
            f"{', '.join(view.without_offers)}. Die Lücke betrifft den ganzen Kreis (jedes Gebiet wäre gleich)."
        )
    return out


# --- need against supply -------------------------------------------------------------------------------------------

def need_supply_points(view: GapView, category: str, weak_share: float = chain.WEAK_SHARE) -> pd.DataFrame:
    """The areas of one category as the need/supply chart plots them, each with the status the Präventionskette
    rule gives its supply against the Kreis (empty, weak, ok, not captured, …) in column ``status``."""
    rows = view.scored[view.scored["category"] == category].copy()
    rows["captured"] = is_captured(view, category)
    metric = chain.METRICS[supply_measure(rows)]
    rows["kreis_compare"] = rows["kreis_supply"]
    rows[metric.compare] = rows["supply"]
    rows["status"] = chain.cell_status(rows, metric, weak_share)
    return rows


def supply_measure(rows: pd.DataFrame) -> str:
    """The measure the supply of these rows is given in (offers per 1,000 when there are none)."""
    return rows["measure"].iloc[0] if not rows.empty else "offers_per_1000"


def need_supply_caption(view: GapView) -> str:
    """How to read the need/supply chart."""
    need_axis = f"{view.social.label} ({view.social.year})" if view.social is not None else "Größe der Zielgruppe"
    return (
        f"Waagerecht: {need_axis}; senkrecht: Versorgung. Punktgröße: Zielgruppe. Gestrichelt: Kreiswerte; "
        f"gepunktet: die Schwelle „schwach“ ({number(100 * chain.WEAK_SHARE)} % des Kreiswerts). "
        "Rechts unten: hoher Bedarf, wenig Angebot."
    )
