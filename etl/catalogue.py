"""The indicator catalogue (etl/metadata/indicators.toml) as a table, checked for consistency."""
from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import pandas as pd

CATALOGUE_FILE = Path(__file__).resolve().parent / "metadata" / "indicators.toml"
KINDS = ("count", "measure", "rate")
CONVERSIONS = ("population", "area")  # share used to move a value to another Gebietsstand
POLARITIES = ("higher_is_better", "higher_is_worse", "neutral")
SUMMABLE = ("count", "measure")
SEX_VARIANTS = {"_m": "männlich", "_w": "weiblich"}
COLUMNS = [
    "indicator_id", "label", "unit", "kind", "topic", "polarity", "definition", "source", "licence", "vintage",
    "sum_of", "numerator", "denominator", "per", "listed", "decimals", "position", "suppress_small", "conversion",
]  # fmt: skip


def _expand(entry: dict) -> list[dict]:
    row = {
        "indicator_id": entry["id"],
        "label": entry["label"],
        "unit": entry["unit"],
        "kind": entry["kind"],
        "topic": entry["topic"],
        "polarity": entry["polarity"],
        "definition": entry["definition"],
        "source": entry["source"],
        "licence": entry.get("licence", ""),
        "vintage": entry.get("vintage", ""),
        "sum_of": entry.get("sum_of", []),
        "numerator": entry.get("numerator", []),
        "denominator": entry.get("denominator", []),
        "per": float(entry.get("per", 1)),
        "listed": bool(entry.get("listed", True)),
        "decimals": int(entry.get("decimals", 0)),
        "suppress_small": bool(entry.get("suppress_small", False)),
        "conversion": entry.get("conversion", "population"),
    }
    rows = [row]
    if entry.get("by_sex"):
        for suffix, sex in SEX_VARIANTS.items():
            rows.append(row | {"indicator_id": row["indicator_id"] + suffix, "label": f"{row['label']} ({sex})", "listed": False})
    return rows


@cache
def load_catalogue(path: Path = CATALOGUE_FILE) -> pd.DataFrame:
    """One row per indicator id (sex variants expanded); raises ValueError on an inconsistent catalogue."""
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["indicator"]
    rows = [row for entry in entries for row in _expand(entry)]
    frame = pd.DataFrame([row | {"position": i} for i, row in enumerate(rows)], columns=COLUMNS)
    problems = []
    duplicated = frame["indicator_id"][frame["indicator_id"].duplicated()].tolist()
    if duplicated:
        problems.append(f"doppelte ids: {duplicated}")
    known = set(frame["indicator_id"])
    for row in frame.itertuples():
        if row.kind not in KINDS:
            problems.append(f"{row.indicator_id}: kind '{row.kind}' not in {KINDS}")
        if row.conversion not in CONVERSIONS:
            problems.append(f"{row.indicator_id}: conversion '{row.conversion}' not in {CONVERSIONS}")
        if row.polarity not in POLARITIES:
            problems.append(f"{row.indicator_id}: polarity '{row.polarity}' not in {POLARITIES}")
        if row.kind == "rate" and bool(row.numerator) != bool(row.denominator):  # neither: published only
            problems.append(f"{row.indicator_id}: a rate needs numerator and denominator, or neither (published only)")
        for ref in [*row.sum_of, *row.numerator, *row.denominator]:
            if ref not in known:
                problems.append(f"{row.indicator_id}: refers to unknown indicator '{ref}'")
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return frame.set_index("indicator_id", drop=False)
