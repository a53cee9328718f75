"""Hand-made own-indicator templates for the tests: the app's template, filled like a planner would fill it."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd

from etl.own_indicator_template import template_xlsx

DEMO_GEMEINDEN_SR04 = ["99001001", "99001007", "99001008"]  # three Gemeinden of Sozialraum 99001-SR04 (of more)
GOOD_META = [
    ["kita_warteliste", "Kinder auf der Kita-Warteliste", "%", "Anteil der Kinder unter 6 Jahren auf der Warteliste",
     "höher ist schlechter", "Kreisverwaltung, Jugendamt: Kita-Bedarfsplanung", "dl-de/by-2-0", "Familie und Arbeitswelt/Betreuung"],
    ["familienbesuche", "Willkommensbesuche", "Besuche", "Willkommensbesuche bei Neugeborenen im Jahr",
     "höher ist besser", "Kreisverwaltung, Frühe Hilfen", "nur für die interne Planung", "Beratung und Unterstützung", "Anzahl"],
]  # fmt: skip


def good_values(gemeinden: list[str]) -> list[list]:
    """Zähler/Nenner for every Gemeinde in 2023 and a Kreis value; counts for 2022 and 2023."""
    rows = [["kita_warteliste", g, "", 2023, None, 3 + i % 4, 40 + i] for i, g in enumerate(gemeinden)]
    rows.append(["kita_warteliste", "99001", "Kreis", 2023, 7.5, None, None])
    rows += [["familienbesuche", g, "", year, 10 + i, None, None] for year in (2022, 2023) for i, g in enumerate(gemeinden)]
    return rows


def filled(path: Path, meta: list[list], values: list[list], areas: pd.DataFrame | None = None,
           topics: tuple[str, ...] = ()) -> Path:  # fmt: skip
    """Write the template with these rows in "Metadaten" and "Werte" (cells as given: numbers stay numbers)."""
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(areas, topics)))
    for row in meta:
        book["Metadaten"].append(row)
    for row in values:
        book["Werte"].append(row)
    book.save(path)
    return path
