"""Which offers the Angebotskarte shows, and how an offer reads in a table.

Rule: each filter (Angebotsart, Lebensphase, Handlungsfeld, Träger) narrows the offers of the Kreis; a filter with
nothing chosen lets every offer through. An offer belongs to a Lebensphase when its Angebotsart serves that phase
(the taxonomy says which), so one Kita counts for "0 bis 3" and for "3 bis 6". Offers whose list names no Träger
are shown as "(ohne Angabe)" and can be chosen as such. The counts next to each choice are over all offers of the
Kreis, in taxonomy order (Träger by name), and leave out values no offer has.

Internal offers: an offer marked "nur intern" in its list (oeffentlich = nein) and the internal fields
(``kontakt_intern``) reach only viewers who may read internal offers (role right ``read_internal``); for anyone
else the offer is not there at all – not on the map, not in a table, not in a count of the filters.

Capacities read "35 Plätze" (the number alone where the Angebotsart has no unit), ages "3 bis 6 Jahre",
"ab 12 Jahren" or "bis 1 Jahre"; unknown values stay empty. Points are coloured by Handlungsfeld in the
catalogue's order, on screen and in print alike.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planning import queries
from planning.db import Database, cached
from planning.formatting import number

NO_TRAEGER = "(ohne Angabe)"
INTERNAL_COLUMNS = ("kontakt_intern",)  # fields for the planning office only (etl/metadata/offer_formats.toml)
# ColorBrewer Dark2: saturated, so points stay visible on the light sequential choropleth colours
FIELD_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")


@dataclass(frozen=True)
class OfferFilter:
    """The chosen values of each filter; an empty tuple means 'all'."""

    types: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    traeger: tuple[str, ...] = ()
    internal: bool = True  # whether the viewer may see offers marked "nur intern" (role right read_internal)

    @property
    def active(self) -> bool:
        return bool(self.types or self.phases or self.fields or self.traeger)


def filter_offers(offers: pd.DataFrame, chosen: OfferFilter) -> pd.DataFrame:
    """The offers matching every active filter (an offer matches a Lebensphase if its type serves it)."""
    keep = pd.Series(True, index=offers.index)
    if chosen.types:
        keep &= offers["offer_type"].isin(chosen.types)
    if chosen.phases:
        wanted = set(chosen.phases)
        keep &= offers["lebensphasen"].map(lambda phases: not wanted.isdisjoint(phases))
    if chosen.fields:
        keep &= offers["handlungsfeld"].isin(chosen.fields)
    if chosen.traeger:
        keep &= traeger_names(offers).isin(chosen.traeger)
    return offers[keep]


def traeger_names(offers: pd.DataFrame) -> pd.Series:
    """The Träger of each offer, '(ohne Angabe)' where the list names none."""
    names = offers["traeger"].fillna("").astype(str).str.strip()
    return names.where(names != "", NO_TRAEGER)


def counted(values: pd.Series, order: list[str] | None = None) -> dict[str, int]:
    """Value → number of offers, in ``order`` (taxonomy order) or by name; values that never occur are left out."""
    counts = values.value_counts()
    keys = [k for k in order if k in counts.index] if order is not None else sorted(counts.index, key=str.casefold)
    return {k: int(counts[k]) for k in keys}


def phase_counts(offers: pd.DataFrame, phase_order: list[str]) -> dict[str, int]:
    """Lebensphase → offers serving it (an offer of a type serving two phases counts for both)."""
    return counted(offers["lebensphasen"].explode().dropna(), phase_order)


def field_colours(types: pd.DataFrame) -> dict[str, str]:
    """Handlungsfeld → point colour, in taxonomy order (the catalogue, not code, decides what the fields are)."""
    fields = list(dict.fromkeys(types["handlungsfeld"]))
    return {f: FIELD_COLOURS[i % len(FIELD_COLOURS)] for i, f in enumerate(fields)}


@dataclass(frozen=True)
class FilterChoices:
    """What each filter offers, with the number of offers of the Kreis per choice (``counted``)."""

    types: dict[str, int]
    phases: dict[str, int]
    fields: dict[str, int]
    traeger: dict[str, int]


def visible_offers(db: Database, kreis_id: str, internal: bool) -> pd.DataFrame:
    """The offers of the Kreis the viewer may see: all of them with ``internal``, else only the public ones and
    none of their internal fields."""
    offers = queries.offers(db, kreis_id)
    if internal:
        return offers
    hidden = set(queries.internal_offer_ids(db, kreis_id))
    return offers[~offers["offer_id"].isin(hidden)].drop(columns=list(INTERNAL_COLUMNS), errors="ignore")


@cached(16)
def filter_choices(db: Database, kreis_id: str, internal: bool = True) -> FilterChoices:
    """The choices of the four filters over every offer of the Kreis the viewer may see (memoised)."""
    offers = visible_offers(db, kreis_id, internal)
    types, phases = queries.offer_types(db), queries.lebensphasen(db)
    return FilterChoices(
        types=counted(offers["offer_type"], types["offer_type"].tolist()),
        phases=phase_counts(offers, phases["phase_id"].tolist()),
        fields=counted(offers["handlungsfeld"], list(dict.fromkeys(types["handlungsfeld"]))),
        traeger=counted(traeger_names(offers)),
    )


@cached(16)
def shown_offers(db: Database, kreis_id: str, chosen: OfferFilter) -> pd.DataFrame:
    """The offers of the Kreis that pass ``chosen`` (memoised per filter; callers get a copy); offers marked
    "nur intern" only when ``chosen.internal``."""
    return filter_offers(visible_offers(db, kreis_id, chosen.internal), chosen)


@cached(16)
def shown_table(db: Database, kreis_id: str, chosen: OfferFilter) -> pd.DataFrame:
    """``offers_table`` of the offers that pass ``chosen`` (memoised per filter)."""
    return offers_table(shown_offers(db, kreis_id, chosen))


# --- texts --------------------------------------------------------------------------------------------------------


def _numbers(values: pd.Series) -> pd.Series:
    """German integers as text, '' where unknown: formatted once per distinct value (lists repeat a few)."""
    texts = {v: number(v) for v in values.dropna().unique().tolist()}
    return pd.Series([texts.get(v, "") for v in values.tolist()], index=values.index, dtype=object)


def capacity_texts(offers: pd.DataFrame) -> pd.Series:
    """'35 Plätze' per offer ('' without a capacity; the number alone where the type has no unit)."""
    amounts = _numbers(offers["kapazitaet"])
    units = offers["capacity_unit"].fillna("").astype(str)
    return (amounts + " " + units).str.strip().where(amounts != "", "")


def age_texts(offers: pd.DataFrame) -> pd.Series:
    """'3 bis 6 Jahre', 'ab 12 Jahren', 'bis 1 Jahre' or '' per offer."""
    von, bis = _numbers(offers["alter_von"]), _numbers(offers["alter_bis"])
    texts = np.select(
        [(von != "") & (bis != ""), von != "", bis != ""],
        ["" + von + " bis " + bis + " Jahre", "ab " + von + " Jahren", "bis " + bis + " Jahre"],
        "",
    )
    return pd.Series(texts, index=offers.index, dtype=object)


def offers_table(offers: pd.DataFrame) -> pd.DataFrame:
    """The offers as a German table (st.dataframe shows text as text: no escaping needed there)."""
    return pd.DataFrame(
        {
            "Name": offers["name"].astype(str),
            "Angebotsart": offers["type_label"],
            "Handlungsfeld": offers["handlungsfeld"],
            "Träger": traeger_names(offers),
            "Adresse": offers["address"].fillna(""),
            "Gemeinde": offers["gemeinde_name"],
            "Sozialraum": offers["sozialraum_name"].fillna(""),
            "Kapazität": capacity_texts(offers),
            "Alter": age_texts(offers),
        }
    ).reset_index(drop=True)


def filter_text(chosen: OfferFilter, types: pd.DataFrame, phases: pd.DataFrame) -> str:
    """'Angebotsart: Kita, Jugendtreff; Träger: AWO' with the taxonomy's labels."""
    parts = [
        ("Angebotsart", [types["label"].get(t, t) for t in chosen.types]),
        ("Lebensphase", [phases["label"].get(p, p) for p in chosen.phases]),
        ("Handlungsfeld", chosen.fields),
        ("Träger", chosen.traeger),
    ]
    return "; ".join(f"{label}: {', '.join(values)}" for label, values in parts if values) or "keine (alle Angebote)"
