"""What the Übersichtskarte says about one area when it is clicked: what it is and all its figures next to the Kreis.

Rules: a Gemeinde is described by its kind, area, key (AGS), its Verbandsgemeinde (unless it belongs to the Kreis
directly) and its Sozialraum; a Sozialraum or Verbandsgemeinde by the Gemeinden in it. Then every listed
indicator the area has in the year, in catalogue order, with the Kreis value of the same year; a missing value
says why it is missing, never a number.
"""
from __future__ import annotations

import pandas as pd

from planning import queries
from planning.context import LEVEL_SINGULAR, Context
from planning.formatting import number, value_text


def area_details(ctx: Context, shapes: pd.DataFrame, area_id: str) -> tuple[dict[str, str], pd.DataFrame] | None:
    """Facts and the figure table of ``area_id`` (a row of ``shapes``) in ``ctx.year``; None when the area is not
    among ``shapes`` (not on the current map)."""
    row = shapes[shapes["area_id"] == area_id]
    if row.empty:
        return None
    area = row.iloc[0]
    facts = {"Art": area["bez"] or LEVEL_SINGULAR[area["level"]], "Fläche": f"{number(area['area_km2'], 1)} km²"}
    if area["level"] == "gemeinde":
        facts["Schlüssel (AGS)"] = area_id
        if area["parent_name"] and area["parent_id"] != ctx.kreis_id:
            facts["Verbandsgemeinde"] = area["parent_name"]
        if area["sozialraum_name"]:
            facts["Sozialraum"] = area["sozialraum_name"]
    else:
        members = queries.member_names(ctx.db, area_id)
        facts[f"{len(members)} Gemeinden"] = ", ".join(members)
    figures = queries.area_figures(ctx.db, area_id, ctx.kreis_id, ctx.year)
    table = pd.DataFrame(
        {
            "Kennzahl": [label if unit == "Personen" else f"{label} ({unit})" for label, unit in zip(figures["label"], figures["unit"])],
            area["name"]: [value_text(v, s, int(d)) for v, s, d in zip(figures["value"], figures["status"], figures["decimals"])],
            "Kreis": [
                value_text(v, s, int(d)) if isinstance(s, str) else "–"
                for v, s, d in zip(figures["kreis_value"], figures["kreis_status"], figures["decimals"])
            ],
        }
    )
    return facts, table
