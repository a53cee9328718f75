"""The build's two steps for planners' offer edits and merges (rules in etl/offer_edits.py, file in
etl/sources/offer_overlay.py): edits right after the lists are read – so a moved offer is placed anew, a changed
Angebotsart counts where it now belongs – and merges once every list of the county is placed."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from etl.findings import Finding
from etl.offer_edits import apply_edits, apply_merges, latest_edits
from etl.sources.offer_overlay import TITLE, read_overlay
from etl.sources.offers import OfferList


def apply_overlay_edits(path: Path, offer_lists: list[tuple[str, OfferList]], say: Callable[[str], None],
                        notes: list[Finding]) -> tuple[list[tuple[str, OfferList]], dict]:  # fmt: skip
    """The lists with the overlay's edits applied (edits that do not fit go to each list's import report), and the
    overlay's source record; an edit whose offer is in no list is a finding, not lost silently."""
    overlay = read_overlay(path)
    found: set[str] = set()
    edited = []
    for source_id, offer_list in offer_lists:
        offers, report, keys = apply_edits(offer_list.offers, overlay.edits)
        found |= keys
        edited.append((source_id, OfferList(offer_list.file, offer_list.format, offer_list.title, offer_list.attribution,
                                            offers, offer_list.report + report, offer_list.encoding)))  # fmt: skip
    latest = latest_edits(overlay.edits)
    for key in dict.fromkeys(latest.loc[~latest["offer_key"].isin(found), "offer_key"]):
        fields = ", ".join(latest.loc[latest["offer_key"] == key, "field"])
        notes.append(Finding("bearbeitung", f"Bearbeitung ({fields}) für Angebot {key}: in keiner Liste gefunden, nicht übernommen"))
    say(f"Bearbeitungen aus dem Planungsatlas: {len(latest)} Felder, {len(overlay.merges)} Zusammenführungen")
    source = {"kind": "offer_edits", "table_code": None, "title": TITLE, "publisher": "Planungsatlas (Arbeitsbereich des Kreises)",
              "licence": None, "attribution": "Bearbeitungen der Planungsstelle", "stand": None, "file": path.name, "encoding": "utf-8",
              "rows": overlay.rows}  # fmt: skip
    return edited, source


def apply_overlay_merges(path: Path, offers: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """The county's placed offers with the overlay's merges applied, and the import-report rows of dropped offers."""
    return apply_merges(offers, read_overlay(path).merges)
