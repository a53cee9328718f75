"""What an indicator is and where its numbers come from, in German, for the panel beside every view of it.

Rules: definition, unit, kind (a rate is named as numerator je denominator, a sum of groups by the catalogue's
own name for it), polarity, source, licence and Datenstand. Source, licence and Datenstand come first from the
``sources`` rows the observations shown came from (they describe this build's files, demo data included); the
catalogue's ``source`` and ``licence`` stand in where the files name none, and its ``vintage`` (the reference dates
the configured real data cover) is shown beside them except for demo data, which cover other years.
Sources are named in plain German (``planning.source_text``): 'Statistische Ämter des Bundes und der Länder,
Bevölkerungsstand 31.12.2015 (Tabelle 12411-02-03-5)', a computed indicator as 'Berechnet aus: …'; a Datenstand as a
date without the clock time of the download ('10.10.2017'). Below a map each table is credited once as
'attribution – table (Tabelle …), Datenstand …', and where Sozialräume are shown the mapping as the Kreis's
configuration declares it: an official one or a working assumption.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd

from planning import comparison, queries
from planning.db import Database
from planning.formatting import number
from planning.indicators import as_float
from planning.source_text import citation, period_text, stand_date, table_text

KIND_TEXT = {"count": "Anzahl", "measure": "Messgröße (über Gebiete summiert)", "rate": "Quote"}


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
    meta: pd.Series, cat: pd.DataFrame, used_sources: pd.DataFrame, years: Sequence[int] | None = None, *,
    catalogue_vintage: bool = True,
) -> dict[str, str]:  # fmt: skip
    """Definition, unit, polarity, source, licence and Datenstand in German, for the panel beside the views.

    ``used_sources``: the ``sources`` rows of the observations shown; ``years``: the years with values;
    ``catalogue_vintage`` off for demo data. Both catalogue fields are optional: older databases lack them.
    """
    facts = {"Definition": meta["definition"], "Einheit": meta["unit"]}
    kind = KIND_TEXT.get(meta["kind"], meta["kind"])
    if meta["kind"] == "rate":
        numerator, denominator = _labels_of(meta.get("numerator"), cat), _labels_of(meta.get("denominator"), cat)
        if numerator and denominator:
            per = as_float(meta.get("per"))
            kind += f": {numerator} je {number(per or 1, 0)} {denominator}" if per and per != 1 else f": {numerator} / {denominator}"
    facts["Art"] = kind
    facts["Bewertung"] = comparison.polarity_text(meta["polarity"])
    statistics = used_sources[used_sources["kind"] == "statistics"] if "kind" in used_sources else used_sources.iloc[0:0]
    facts["Quelle"] = source_text(meta, statistics)
    licences = sorted({x for x in statistics.get("licence", pd.Series(dtype=str)).dropna() if _present(x)})
    licence = meta.get("licence")
    facts["Lizenz"] = ", ".join(licences) or (str(licence) if _present(licence) else "nicht angegeben")
    stands = sorted({stand_date(str(x)) for x in statistics.get("stand", pd.Series(dtype=str)).dropna() if _present(x)})
    facts["Datenstand"] = ", ".join(stands) or "nicht angegeben"
    if years:
        facts["Jahre mit Werten"] = f"{min(years)}–{max(years)}" if len(years) > 1 else str(years[0])
    vintage = meta.get("vintage")
    if catalogue_vintage and _present(vintage):
        facts["Stichtage laut Katalog"] = str(vintage)
    return facts


def _text(x: object) -> str:
    return str(x).strip() if _present(x) else ""


def source_text(meta: pd.Series, statistics: pd.DataFrame) -> str:
    """'Statistische Ämter des Bundes und der Länder, Bevölkerungsstand 31.12.2015 (Tabelle 12411-02-03-5)' for each
    table behind the values shown ("Berechnet aus: …" where the catalogue says the indicator is computed); the
    catalogue's own source text where the build names no table."""
    cited = list(dict.fromkeys(
        citation(_text(r.get("publisher")) or _text(r.get("attribution")), _text(r.get("title")), _text(r.get("table_code")),
                 _text(r.get("period")))
        for _, r in statistics.iterrows()
    ))  # fmt: skip
    catalogue = str(meta["source"])
    if not cited:
        return catalogue
    computed = catalogue.lower().startswith("berechnet aus")
    return ("Berechnet aus: " if computed else "") + "; ".join(cited)


def used_sources(db: Database, source_ids: Iterable[object], years: Iterable[int] | None = None) -> pd.DataFrame:
    """The ``sources`` rows of these ids (of any Kreis: reference values may come from another county's files); with
    ``years``, column ``period`` names the reference dates (or years) of their observations in those years."""
    wanted = {s for s in source_ids if isinstance(s, str)}
    found = queries.all_sources(db)
    found = found[found["source_id"].isin(wanted)].copy()
    if years is None or found.empty:
        return found
    dates = queries.source_periods(db, tuple(sorted(found["source_id"])), tuple(sorted({int(y) for y in years})))
    found["period"] = [
        period_text([d.date() for d in pd.to_datetime(mine["reference_date"]).dropna()], mine["year"])
        for mine in (dates[dates["source_id"] == source_id] for source_id in found["source_id"])
    ]
    return found


def statistics_lines(sources: pd.DataFrame) -> list[str]:
    """'© attribution – Bevölkerungsstand 31.12.2015 (Tabelle 12411-02-03-5), Datenstand 10.10.2017' for each
    statistics table among ``sources``, each table once (several files of a table, one per year, collapse; the
    period is that of column ``period`` where ``used_sources`` added it)."""
    statistics = sources[sources["kind"] == "statistics"]
    grouped: dict[tuple[str, str], list[str]] = {}
    for _, r in statistics.iterrows():
        what = table_text(_text(r.get("title")), _text(r.get("table_code")), _text(r.get("period")))
        stands = grouped.setdefault((_text(r.get("attribution")), what), [])
        if (stand := stand_date(_text(r.get("stand")))) and stand not in stands:
            stands.append(stand)
    return [
        " – ".join(p for p in (attribution, what) if p) + (f", Datenstand {', '.join(stands)}" if stands else "")
        for (attribution, what), stands in grouped.items()
    ]


LEGACY_MAPPING_ATTRIBUTION = "Sozialräume: Kreisverwaltung"  # what builds wrote before the config declared a status


def sozialraum_credit(mapping: dict[str, str]) -> str:
    """How the Sozialraum mapping is credited: 'Sozialräume: Arbeitsannahme (…)' or 'Sozialräume: amtlich (…)' as the
    Kreis's config declares it ([sozialraeume] status and source). ``mapping``: the source row
    (``queries.mapping_source``); a build that stores the status in the attribution is shown as it is. A mapping
    without a declared status is said to be one: it is not credited to the Kreisverwaltung on trust."""
    status, origin = mapping.get("status", "").strip(), mapping.get("source", "").strip()
    if status:
        return f"Sozialräume: {status}" + (f" ({origin})" if origin else "")
    attribution = mapping.get("attribution", "").strip()
    if attribution and attribution != LEGACY_MAPPING_ATTRIBUTION:
        return attribution
    return "Sozialräume: Status nicht angegeben (in der Kreiskonfiguration weder als amtlich noch als Arbeitsannahme gekennzeichnet)"


def mapping_credit(db: Database, kreis_id: str) -> str | None:
    """``sozialraum_credit`` of the Kreis's mapping; None where the build has no Sozialraum mapping."""
    mapping = queries.mapping_source(db, kreis_id)
    return sozialraum_credit(mapping) if mapping else None
