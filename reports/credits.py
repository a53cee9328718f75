"""Source, licence and Datenstand lines for every export, built from the database's ``sources`` rows."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

from reports import data

# dl-de/by-2-0 asks for a note when data were changed; display geometry is always simplified.
_CHANGED = "(Daten verändert)"
# statistics first, then what defines the areas: the Sozialraum mapping, the boundaries
_KIND_ORDER = {"sozialraum_mapping": 1, "boundaries": 2}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Credit:
    """One source as printed: several files of the same table (one per year) collapse into one credit."""

    attribution: str
    title: str
    table_code: str
    publisher: str
    licence: str
    stands: tuple[str, ...]
    order: int = 0  # statistics 0, Sozialraum mapping 1, boundaries 2: the order credits are listed in

    @property
    def line(self) -> str:
        """'© Statistische Ämter … – Bevölkerung … (12411-02-03-5), Datenstand 10.10.2017; Lizenz: dl-de/by-2-0'."""
        what = f"{self.title} ({self.table_code})" if self.table_code else self.title
        text = f"{self.attribution} – {what}" if what else self.attribution
        if self.stands:
            text += f", Datenstand {', '.join(self.stands)}"
        if self.licence:
            text += f"; Lizenz: {self.licence}"
        return text


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


def german_date(text: str) -> str:
    """ISO dates (Gebietsstand of boundaries) as 31.12.2023; everything else as the source printed it."""
    match = _ISO_DATE.match(text)
    return f"{match[3]}.{match[2]}.{match[1]}" if match else text


def _is_dl_de(licence: str) -> bool:
    return "dl-de" in licence.lower() or "datenlizenz deutschland" in licence.lower()


def credits(con: duckdb.DuckDBPyConnection, source_ids: Iterable[str]) -> list[Credit]:
    """Credits for the given sources: statistics first, then the Sozialraum mapping and the boundaries."""
    rows = data.sources(con, source_ids)
    grouped: dict[tuple, list[str]] = {}
    for _, r in rows.iterrows():
        attribution = _text(r["attribution"])
        licence = _text(r["licence"])
        if r["kind"] == "boundaries" and _is_dl_de(licence) and _CHANGED not in attribution:
            attribution = f"{attribution} {_CHANGED}"
        key = (_KIND_ORDER.get(r["kind"], 0), attribution, _text(r["title"]), _text(r["table_code"]), _text(r["publisher"]), licence)
        stands = grouped.setdefault(key, [])
        stand = german_date(_text(r["stand"]))
        if stand and stand not in stands:
            stands.append(stand)
    ordered = sorted(grouped.items(), key=lambda kv: kv[0][0])
    return [Credit(*key[1:], stands=tuple(stands), order=key[0]) for key, stands in ordered]


def footer_text(items: list[Credit], *, prefix: str = "Quelle") -> str:
    """The footer of a figure or table: one credit per line."""
    if not items:
        return f"{prefix}: keine Quellenangabe in der Datenbank"
    label = prefix if len(items) == 1 else f"{prefix}n"
    return "\n".join(f"{label}: {c.line}" if i == 0 else c.line for i, c in enumerate(items))


def source_ids_of(*frames: pd.DataFrame) -> set[str]:
    """source_id values of observation frames (plus attrs['source_ids'] where a builder stored them)."""
    found: set[str] = set()
    for frame in frames:
        if "source_id" in frame:
            found |= {s for s in frame["source_id"].dropna().unique()}
        found |= set(frame.attrs.get("source_ids", ()))
    return found


def extra_source_ids(con: duckdb.DuckDBPyConnection, kreis_id: str, levels: Iterable[str], *, geometry: bool = False) -> list[str]:
    """Sources behind the areas themselves: the Sozialraum mapping when Sozialräume are shown, the boundaries
    when geometry is drawn."""
    ids = data.sources_of_kind(con, kreis_id, "sozialraum_mapping") if "sozialraum" in set(levels) else []
    if geometry:
        ids += data.sources_of_kind(con, kreis_id, "boundaries")
    return ids
