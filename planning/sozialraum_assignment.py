"""Sozialräume assigned in the app: which Gemeinde belongs to which planning area, checked before it is kept.

A Jugendamt defines its Sozialräume as groups of Gemeinden. The app starts from the published assignment, the planner
changes it in a table and sees the areas on a map at once; a saved assignment is a new version in the workspace that
says whether it is the county's official one ("amtlich") or a working assumption ("Arbeitsannahme"), and takes effect
with the next publish. The checks are the build's (etl/sources/sozialraum.py): every Gemeinde of the Kreis exactly
once, each with a Sozialraum name. A Sozialraum made of parts that do not touch is allowed (an exclave happens) but
said, because it is most often a typo in a name.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from etl.offer_keys import normalise_text
from etl.sources.text import control_characters
from geo.geometry import dissolve
from planning.db import Database
from planning.queries import area_shapes

MAX_NAME = 80
# colours for Sozialräume on the map: a qualitative palette (ColorBrewer Set2 and Pastel1, colour-blind friendlier
# first); a Kreis with more Sozialräume than colours repeats them, which the labels make readable
PALETTE = ("#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3",
           "#fbb4ae", "#b3cde3", "#ccebc5", "#decbe4", "#fed9a6", "#ffffcc")  # fmt: skip


@dataclass(frozen=True)
class AssignmentProblem:
    gemeinde: str  # the Gemeinde's name ("" for the whole assignment)
    problem: str
    fix: str
    blocking: bool = True  # False: a note; the assignment can still be saved


def current_assignment(db: Database, kreis_id: str) -> pd.DataFrame:
    """The published assignment: gemeinde_id, gemeinde (name), sozialraum (name, '' where none)."""
    shapes = area_shapes(db, kreis_id, "gemeinde")
    return pd.DataFrame({"gemeinde_id": shapes["area_id"], "gemeinde": shapes["name"],
                         "sozialraum": shapes["sozialraum_name"].fillna("").astype(str)}).sort_values(
                            "gemeinde", key=lambda names: names.map(normalise_text), ignore_index=True)  # Bärenborn before Bergstedt


def check_assignment(assignment: pd.DataFrame, gemeinden: gpd.GeoDataFrame) -> list[AssignmentProblem]:
    """Problems of an assignment (gemeinde_id, gemeinde, sozialraum) against the Kreis's Gemeinden (area_id, name,
    geometry): blocking ones first."""
    problems: list[AssignmentProblem] = []
    names = assignment["sozialraum"].fillna("").astype(str).str.strip()
    for gemeinde, name in zip(assignment["gemeinde"], names):
        if not name:
            problems.append(AssignmentProblem(gemeinde, "keinem Sozialraum zugeordnet", "einen Sozialraum-Namen eintragen"))
        elif found := control_characters(name):
            problems.append(AssignmentProblem(gemeinde, f"Steuerzeichen im Namen ({', '.join(found)})", "Namen neu eintippen"))
        elif len(name) > MAX_NAME:
            problems.append(AssignmentProblem(gemeinde, f"Name ist {len(name)} Zeichen lang", f"höchstens {MAX_NAME} Zeichen"))
    missing = set(gemeinden["area_id"]) - set(assignment["gemeinde_id"])
    for gemeinde in sorted(gemeinden.loc[gemeinden["area_id"].isin(missing), "name"]):
        problems.append(AssignmentProblem(gemeinde, "fehlt in der Zuordnung", "jede Gemeinde des Kreises genau einmal zuordnen"))
    for gemeinde_id in sorted(set(assignment["gemeinde_id"]) - set(gemeinden["area_id"])):
        problems.append(AssignmentProblem(gemeinde_id, "ist keine Gemeinde des Kreises", "Zeile entfernen"))
    repeated = assignment.loc[assignment["gemeinde_id"].duplicated(), "gemeinde"]
    problems += [AssignmentProblem(g, "ist mehrfach zugeordnet", "nur einmal zuordnen") for g in repeated]
    if not problems:
        problems += _notes(assignment.assign(sozialraum=names), gemeinden)
    return problems


def _notes(assignment: pd.DataFrame, gemeinden: gpd.GeoDataFrame) -> list[AssignmentProblem]:
    notes = []
    if assignment["sozialraum"].nunique() == 1:
        notes.append(AssignmentProblem("", "alle Gemeinden in einem Sozialraum", "mehrere Sozialräume bilden", blocking=False))
    for row in sozialraum_shapes(gemeinden, assignment).itertuples():
        parts = len(getattr(row.geometry, "geoms", [row.geometry]))
        if parts > 1:
            notes.append(AssignmentProblem("", f"Sozialraum „{row.sozialraum}“ besteht aus {parts} nicht zusammenhängenden Teilen",
                                           "Schreibweise der Namen prüfen (eine Exklave ist erlaubt)", blocking=False))  # fmt: skip
    return notes


def sozialraum_shapes(gemeinden: gpd.GeoDataFrame, assignment: pd.DataFrame) -> gpd.GeoDataFrame:
    """The Sozialräume as areas: Gemeinden dissolved by the assignment (columns sozialraum, gemeinden, geometry)."""
    joined = gemeinden[["area_id", "geometry"]].merge(assignment[["gemeinde_id", "sozialraum"]], left_on="area_id", right_on="gemeinde_id")
    joined = joined[joined["sozialraum"].astype(str).str.strip() != ""]
    shapes = dissolve(gpd.GeoDataFrame(joined, geometry="geometry", crs=gemeinden.crs), "sozialraum")
    counts = joined.groupby("sozialraum").size()
    return shapes.assign(gemeinden=shapes["sozialraum"].map(counts).astype(int))


def colours(assignment: pd.DataFrame) -> dict[str, str]:
    """A colour per Sozialraum name, in the order of first appearance (stable while the planner edits)."""
    names = [n for n in dict.fromkeys(assignment["sozialraum"].fillna("").astype(str).str.strip()) if n]
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(names))}


def as_mapping(assignment: pd.DataFrame) -> pd.DataFrame:
    """The assignment as the workspace keeps it (gemeinde_id, sozialraum)."""
    return pd.DataFrame({"gemeinde_id": assignment["gemeinde_id"].astype(str), "sozialraum": assignment["sozialraum"].astype(str).str.strip()})
