"""Which years a view combines, said next to it: a chart that puts 2016 social data, 2015 population and a 2017
offer list side by side must say so, or a planner reads them as one moment.

Rule: each part of a view is named with its own period (a reference date where the statistics have one, a year,
an offer list's Stand); where the parts differ, the note says that the view combines different years.
"""
from __future__ import annotations

from collections.abc import Sequence

from planning import gaps, queries
from planning.context import Context
from planning.source_text import stand_date


def combined_years_note(parts: Sequence[tuple[str, str]]) -> str:
    """'Jahre in diesem Bild: SGB-II-Quote 2016 · Zielgruppen: Bevölkerung am 31.12.2015 · Angebote: Stand März 2017 –
    verschiedene Jahre nebeneinander.' ``parts``: (what, period) pairs; parts without a period are left out."""
    named = [(what, period) for what, period in parts if period]
    if not named:
        return ""
    years = {"".join(c for c in period if c.isdigit())[-4:] for _, period in named}
    text = "Jahre in diesem Bild: " + " · ".join(f"{what} {period}" for what, period in named)
    return text + (" – verschiedene Jahre nebeneinander." if len(years) > 1 else ".")


def offer_stands(ctx: Context) -> str:
    """The Stand of the Kreis's offer lists as German dates ('März 2017', '31.12.2023'), each once."""
    sources = queries.sources(ctx.db, ctx.kreis_id)
    stands = [stand_date(str(s)) for s in sources.loc[sources["kind"] == "offers", "stand"].dropna()]
    return ", ".join(dict.fromkeys(s for s in stands if s))


def need_supply_note(ctx: Context, view: gaps.GapView) -> str:
    """The years Bedarf & Versorgung combines: the social indicator's year, the target populations' reference dates
    and the offer lists' Stand."""
    parts = []
    if view.social is not None:
        parts.append((view.social.label, str(view.social.year)))
    if view.population_years:
        dates = ", ".join(f"31.12.{y}" for y in sorted(view.population_years))
        parts.append(("Zielgruppen: Bevölkerung am", dates))
    if stands := offer_stands(ctx):
        parts.append(("Angebote: Stand", stands))
    return combined_years_note(parts)
