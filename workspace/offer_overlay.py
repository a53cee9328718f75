"""The workspace's offer edits and duplicate decisions as the overlay file the build applies (etl/offer_edits.py).

Every edit ever made goes in, in order (the build takes the latest per offer and field), and every pair decided
"dasselbe Angebot" as a merge; so both survive the next import of the same lists. "verschieden" is not a build
matter: it only keeps the pair off the duplicate list.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.sources.offer_overlay import EDIT_COLUMNS, MERGE_COLUMNS, write_overlay
from workspace.storage import Workspace

FILE_NAME = "angebotsbearbeitungen.json"


def overlay_frames(ws: Workspace, db_name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(edits, merges) in the overlay's columns."""
    edits = ws.offer_edits(db_name).rename(columns={"new": "value", "actor": "by"})
    decisions = ws.duplicate_decisions(db_name)
    same = decisions[decisions["decision"] == "dasselbe"]
    keep = same["keep"].where(same["keep"].notna(), same["key_a"])
    merges = pd.DataFrame({"keep": keep, "drop": same["key_b"].where(keep == same["key_a"], same["key_a"]),
                           "by": same["actor"], "at": same["at"]})  # fmt: skip
    return edits.reindex(columns=EDIT_COLUMNS), merges.reindex(columns=MERGE_COLUMNS)


def write_workspace_overlay(ws: Workspace, db_name: str, folder: Path) -> Path | None:
    """The overlay file in ``folder``, or None when the planners changed nothing (the build then runs as before)."""
    edits, merges = overlay_frames(ws, db_name)
    if edits.empty and merges.empty:
        return None
    return write_overlay(Path(folder) / FILE_NAME, edits, merges)


def decided_different(ws: Workspace, db_name: str) -> set[frozenset[str]]:
    """Pairs of offer keys the planners marked as different offers."""
    decisions = ws.duplicate_decisions(db_name)
    different = decisions[decisions["decision"] == "verschieden"]
    return {frozenset(pair) for pair in zip(different["key_a"], different["key_b"])}
