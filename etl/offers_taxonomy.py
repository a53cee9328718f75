"""The offer taxonomy (etl/metadata/offer_types.toml): Angebotsarten, Handlungsfelder, Lebensphasen."""
from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import pandas as pd

TAXONOMY_FILE = Path(__file__).resolve().parent / "metadata" / "offer_types.toml"


@cache
def _raw() -> dict:
    return tomllib.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))


@cache
def lebensphasen() -> pd.DataFrame:
    """One row per phase of the Präventionskette, in chain order."""
    rows = [
        {"phase_id": p["id"], "label": p["label"], "position": i, "target_population": p["target_population"],
         "approximation": p.get("approximation"), "grid_weight": p["grid_weight"]}
        for i, p in enumerate(_raw()["lebensphase"])
    ]  # fmt: skip
    return pd.DataFrame(rows).set_index("phase_id", drop=False)


@cache
def offer_types() -> pd.DataFrame:
    """One row per Angebotsart; raises ValueError when the file contradicts itself."""
    raw = _raw()
    phases = lebensphasen()
    rows = []
    for i, entry in enumerate(raw["offer_type"]):
        unknown = [p for p in entry["lebensphasen"] if p not in phases.index]
        if unknown or entry["handlungsfeld"] not in raw["handlungsfelder"]:
            raise ValueError(f"{TAXONOMY_FILE}: offer type {entry['id']}: unknown phases {unknown} or Handlungsfeld")
        target = entry.get("target_population") or list(
            dict.fromkeys(i for p in entry["lebensphasen"] for i in phases.loc[p, "target_population"])
        )
        weights = set(phases.loc[entry["lebensphasen"], "grid_weight"])
        rows.append({
            "offer_type": entry["id"], "label": entry["label"], "handlungsfeld": entry["handlungsfeld"],
            "lebensphasen": entry["lebensphasen"], "target_population": target,
            "grid_weight": weights.pop() if len(weights) == 1 else "einwohner",
            "capacity_unit": entry.get("capacity_unit"), "aliases": entry.get("aliases", []), "position": i,
        })  # fmt: skip
    return pd.DataFrame(rows).set_index("offer_type", drop=False)


def handlungsfelder() -> list[str]:
    return list(_raw()["handlungsfelder"])


@cache
def type_by_label() -> dict[str, str]:
    """Lower-cased label, alias or id -> offer type id."""
    lookup = {}
    for row in offer_types().itertuples():
        for text in (row.offer_type, row.label, *row.aliases):
            lookup[text.strip().lower()] = row.offer_type
    return lookup
