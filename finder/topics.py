"""Lebensphasen and topics a family can choose (finder/topics.toml), resolved against the database's taxonomy."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from finder.settings import FinderError

TOPICS_FILE = Path(__file__).resolve().parent / "topics.toml"


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    offer_types: frozenset[str]  # the Angebotsarten that belong to the topic
    ages: tuple[float, float] | None = None  # an offer stating its ages must overlap these years


def topics(offer_types: pd.DataFrame, phase_ids: list[str], path: Path = TOPICS_FILE) -> list[Topic]:
    """Each topic with its Angebotsarten: those serving one of its Lebensphasen, and those it names."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))["topic"]
    phases = set(phase_ids)
    known_types = set(offer_types["offer_type"])
    result = []
    for entry in raw:
        wanted_phases, named = set(entry.get("lebensphasen", [])), set(entry.get("angebotsarten", []))
        unknown = sorted((wanted_phases - phases) | (named - known_types))
        if unknown:
            raise FinderError(f"{path}: Thema {entry['id']!r} nennt unbekannte Lebensphasen oder Angebotsarten: {', '.join(unknown)}")
        served = {t for t, p in zip(offer_types["offer_type"], offer_types["lebensphasen"]) if wanted_phases & set(p)}
        ages = entry.get("alter")
        result.append(Topic(entry["id"], entry["label"], frozenset(served | named), tuple(ages) if ages else None))
    return result
