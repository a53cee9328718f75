"""What the Präventionskette and the gap ranking count over: areas of a level × categories of a dimension.

A dimension is either the Lebensphasen of the Präventionskette (from pregnancy to old age) or the Angebotsarten
of the taxonomy. Each category has a target group – the people of its age groups – and the ETL counted, per area
and category, the offers, the places and the target population (table ``coverage``) and, per Angebotsart, how
many of the target group live within a distance of the nearest offer (table ``access``). The Kreis as a whole is
the reference every area is compared with.

A category is *captured* (erfasst) for the Kreis where a loaded offer list holds it: an Angebotsart that a list's
config names in ``covers`` or that a list has an offer of, and a Lebensphase that a captured Angebotsart serves.
Only there does an area without an offer mean "kein Angebot"; elsewhere nothing is known ("nicht erfasst").

Levels are offered coarse to fine, and only those for which the Kreis has coverage rows. Target populations come
from the latest year that has all of a category's age groups, so categories may differ in their year; the
population note says so.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from planning import queries
from planning.context import LEVEL_LABELS, Context

DIMENSIONS = {"lebensphase": "Lebensphasen (Präventionskette)", "angebotsart": "Angebotsarten"}
DIMENSION_PLURAL = {"lebensphase": "Lebensphasen", "angebotsart": "Angebotsarten"}
DIMENSION_SINGULAR = {"lebensphase": "Lebensphase", "angebotsart": "Angebotsart"}
# areas a planner compares along the chain, coarse to fine; the pages offer those the Kreis has
CHAIN_LEVELS = ("sozialraum", "verbandsgemeinde", "jugendamt", "gemeinde")
KREIS_KEY = "kreis"
DEFAULT_DISTANCE_KM = 5
DISTANCE_RANGE_KM = (1, 20)


def level_label(level: str) -> str:
    """'Sozialräume' for 'sozialraum'; an unknown level as it is."""
    return LEVEL_LABELS.get(level, level)


def levels(ctx: Context) -> list[str]:
    """Levels of the Kreis that have coverage rows, coarse to fine."""
    return [level for level in CHAIN_LEVELS if not queries.coverage(ctx.db, ctx.kreis_id, level, "lebensphase").empty]


def has_capacity(ctx: Context, dimension: str) -> bool:
    """Whether any offer of the Kreis states a capacity: only then is there a Versorgungsquote to offer."""
    kreis = queries.coverage(ctx.db, ctx.kreis_id, KREIS_KEY, dimension)
    return bool(kreis["capacity"].notna().any())


def has_offers(ctx: Context) -> bool:
    """Whether the database has offer tables at all (older builds have none)."""
    return bool(queries.columns(ctx.db, "coverage"))


def distance_or_default(km: object) -> int:
    """A distance for the slider: the one asked for (e.g. from a link) when it is in range, else the default."""
    low, high = DISTANCE_RANGE_KM
    return km if isinstance(km, int) and low <= km <= high else DEFAULT_DISTANCE_KM


# --- categories and their target groups ----------------------------------------------------------------------------

def categories(types: pd.DataFrame, phases: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Rows of the matrix in chain (or taxonomy) order: category, label, group (Handlungsfeld), approximation."""
    if dimension == "lebensphase":
        out = pd.DataFrame({"category": phases["phase_id"], "label": phases["label"], "group": "", "approximation": phases["approximation"]})
    else:
        out = pd.DataFrame({"category": types["offer_type"], "label": types["label"], "group": types["handlungsfeld"], "approximation": None})
    return out.reset_index(drop=True)


def category_rows(ctx: Context, dimension: str) -> pd.DataFrame:
    """The categories of a dimension in the database (``categories``)."""
    return categories(queries.offer_types(ctx.db), queries.lebensphasen(ctx.db), dimension)


def categories_labels(ctx: Context, dimension: str) -> dict[str, str]:
    """Category id → German label for a dimension, in chain (or taxonomy) order."""
    rows = category_rows(ctx, dimension)
    return dict(zip(rows["category"], rows["label"]))


def target_labels(db: queries.Database, dimension: str) -> dict[str, str]:
    """Who the target group of each category is, from the catalogue: the label of its one age group, or of the
    catalogue's sum of exactly its age groups ('Minderjährige unter 18 Jahren'), else 'Personen'."""
    cat = queries.catalogue(db)
    sums = {tuple(sorted(ids)): label for ids, label in zip(cat["sum_of"], cat["label"]) if ids is not None and len(ids)}
    rows = queries.lebensphasen(db) if dimension == "lebensphase" else queries.offer_types(db)
    key = "phase_id" if dimension == "lebensphase" else "offer_type"
    out = {}
    for category, ids in zip(rows[key], rows["target_population"]):
        ids = list(ids)
        if len(ids) == 1 and ids[0] in cat.index:
            out[category] = cat.loc[ids[0], "label"]
        else:
            out[category] = sums.get(tuple(sorted(ids)), "Personen")
    return out


def population_years(kreis: pd.DataFrame) -> list[int]:
    """Years of the target populations (the ETL takes, per category, the latest year with all its age groups)."""
    return sorted({int(y) for y in kreis["population_year"].dropna()}, reverse=True)


def population_note(kreis: pd.DataFrame, labels: dict[str, str]) -> str:
    """'Zielgruppen: Bevölkerung am 31.12.2023' – and where categories need an older year, which ones."""
    years = kreis.dropna(subset=["population_year"]).groupby("population_year")["category"].apply(list)
    if years.empty:
        return ""
    main = max(years.index, key=lambda y: (len(years[y]), y))
    order = {c: i for i, c in enumerate(labels)}  # chain (or taxonomy) order

    def listed(categories: list[str]) -> str:
        return ", ".join(labels.get(c, c) for c in sorted(categories, key=lambda c: order.get(c, len(order))))

    others = [f"31.12.{int(y)} für {listed(years[y])}" for y in sorted(years.index, reverse=True) if y != main]
    return f"Zielgruppen: Bevölkerung am 31.12.{int(main)}" + (f"; {'; '.join(others)}" if others else "") + "."


# --- what the offer lists capture ----------------------------------------------------------------------------------

OFFERS_HINT = (
    "Eine Angebotsliste lädt man in der Kreiskonfiguration (config/<kreis>.toml) mit einem Abschnitt [[offers]] "
    "(format, path, stand; mit covers = [\"kita\", …] die Angebotsarten, die sie vollständig enthält) und baut die "
    "Datenbank neu – siehe docs/OFFERS.md."
)


def captured_categories(capture: pd.DataFrame, types: pd.DataFrame, dimension: str) -> set[str]:
    """The categories of a dimension some offer list captures for the Kreis. ``capture``: the lists' Angebotsarten
    (``queries.offer_capture``: declared in ``covers`` or held); ``types``: the taxonomy with each type's Lebensphasen.
    An Angebotsart is captured when a list names or holds it; a Lebensphase when a captured Angebotsart serves it."""
    kinds = set(capture["offer_type"].dropna())
    if dimension == "angebotsart":
        return kinds
    return {phase for kind, phases in zip(types["offer_type"], types["lebensphasen"]) if kind in kinds for phase in phases}


def partly_captured(capture: pd.DataFrame, types: pd.DataFrame) -> dict[str, list[str]]:
    """Lebensphasen captured through only some of the Angebotsarten that serve them: phase → the captured types'
    labels, in taxonomy order (their figures count only these types)."""
    kinds = set(capture["offer_type"].dropna())
    served: dict[str, list[tuple[str, str]]] = {}
    for kind, label, phases in zip(types["offer_type"], types["label"], types["lebensphasen"]):
        for phase in phases:
            served.setdefault(phase, []).append((kind, label))
    return {
        phase: [label for kind, label in pairs if kind in kinds]
        for phase, pairs in served.items()
        if 0 < sum(kind in kinds for kind, _ in pairs) < len(pairs)
    }


def captured(ctx: Context, dimension: str) -> set[str]:
    """``captured_categories`` of the Kreis from the query layer."""
    return captured_categories(queries.offer_capture(ctx.db, ctx.kreis_id), queries.offer_types(ctx.db), dimension)


def capture_lines(ctx: Context) -> list[str]:
    """Per offer list what it captures, e.g. 'schulen.csv (Stand 2017-03) erfasst: Grundschule, Förderschule (laut
    Konfiguration)' – 'laut Konfiguration' where its config names the types in ``covers``, else 'Arten mit Angeboten
    in der Liste'."""
    capture = queries.offer_capture(ctx.db, ctx.kreis_id)
    files = queries.sources(ctx.db, ctx.kreis_id).set_index("source_id")
    types = queries.offer_types(ctx.db)
    labels = dict(zip(types["offer_type"], types["label"]))
    order = {t: i for i, t in enumerate(labels)}
    lines = []
    for source_id, rows in capture.groupby("source_id", sort=True):
        parts = []
        for declared, how in ((True, "laut Konfiguration"), (False, "Arten mit Angeboten in der Liste")):
            kinds = sorted(rows.loc[rows["declared"] == declared, "offer_type"], key=lambda t: order.get(t, len(order)))
            if kinds:
                parts.append(f"{', '.join(labels.get(t, t) for t in kinds)} ({how})")
        name, stand = (files.loc[source_id, "file"], _date_text(files.loc[source_id, "stand"])) if source_id in files.index else (source_id, "")
        lines.append(f"{name}{f' (Stand {stand})' if stand else ''} erfasst: {'; '.join(parts)}")
    return lines


# --- coverage and reach --------------------------------------------------------------------------------------------

def with_access(rows: pd.DataFrame, access: pd.DataFrame | None) -> pd.DataFrame:
    """Coverage rows with the share within reach and the mean distance of their area and category (NaN without)."""
    if access is None or access.empty:
        return rows.assign(share_within=np.nan, mean_distance_km=np.nan)
    reach = access.rename(columns={"offer_type": "category"})[["area_id", "category", "share_within", "mean_distance_km"]]
    return rows.merge(reach, on=["area_id", "category"], how="left")


def coverage_with_kreis(
    ctx: Context, level: str, dimension: str, distance_km: float | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """Coverage of the areas of a level and of the Kreis, and – given a distance – their reach per Angebotsart:
    (coverage, kreis, access, kreis_access); the reach frames are None without a distance."""
    coverage = queries.coverage(ctx.db, ctx.kreis_id, level, dimension)
    kreis = queries.coverage(ctx.db, ctx.kreis_id, KREIS_KEY, dimension)
    if not distance_km:
        return coverage, kreis, None, None
    access = queries.accessibility(ctx.db, ctx.kreis_id, level, distance_km * 1000)
    kreis_access = queries.accessibility(ctx.db, ctx.kreis_id, KREIS_KEY, distance_km * 1000)
    return coverage, kreis, access, kreis_access


# --- sources -------------------------------------------------------------------------------------------------------

def _date_text(stand: object) -> str:
    """'2023-12-31' → '31.12.2023'; anything else as it is."""
    text = "" if stand is None or pd.isna(stand) else str(stand)
    parts = text.split("-")
    return ".".join(reversed(parts)) if len(parts) == 3 and all(p.isdigit() for p in parts) else text


def sources_caption(ctx: Context) -> str:
    """Where offers and population come from: the offer lists with their Datenstand, the statistics' attribution."""
    sources = queries.sources(ctx.db, ctx.kreis_id)
    lists = sources[sources["kind"] == "offers"]
    statistics = sources[sources["kind"] == "statistics"]
    offers = "; ".join(
        dict.fromkeys(f"{a}, Stand {_date_text(s)}" if _date_text(s) else a for a, s in zip(lists["attribution"], lists["stand"]))
    )
    parts = [f"Angebote: {offers}" if offers else "Keine Angebotsliste geladen"]
    if not statistics.empty:
        parts.append("Bevölkerung und soziale Lage: " + "; ".join(dict.fromkeys(statistics["attribution"].dropna())))
    return " · ".join(parts)
