"""What an indicator is and where its numbers come from, in German, for the panel beside every view of it.

Rules: definition, unit, kind (a rate is named as numerator je denominator, a sum of groups by the catalogue's
own name for it), polarity, source with its table codes, licence and Datenstand. Licence and Datenstand come
first from the ``sources`` rows the observations shown came from (they describe this build's files, demo data
included); the catalogue's ``licence`` stands in where the files name none, and its ``vintage`` (the reference
dates the configured real data cover) is shown beside them except for demo data, which cover other years.
A statistics table is cited as 'attribution: title (table code, Stand …)', each table once.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd

from planning import comparison, queries
from planning.db import Database
from planning.formatting import number
from planning.indicators import as_float

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


def used_sources(db: Database, source_ids: Iterable[object]) -> pd.DataFrame:
    """The ``sources`` rows of these ids (of any Kreis: reference values may come from another county's files)."""
    wanted = {s for s in source_ids if isinstance(s, str)}
    found = queries.all_sources(db)
    return found[found["source_id"].isin(wanted)]


def statistics_lines(sources: pd.DataFrame) -> list[str]:
    """'attribution: title (table code, Stand …)' for each statistics table among ``sources``, each table once
    (a Stand the export did not print is NULL and left out)."""
    statistics = sources[sources["kind"] == "statistics"].drop_duplicates(["attribution", "title", "table_code", "stand"])
    return [
        f"{r.attribution}: {r.title}"
        + (f" ({r.table_code}" + (f", Stand {r.stand}" if isinstance(r.stand, str) and r.stand else "") + ")" if r.table_code else "")
        for r in statistics.itertuples()
    ]
