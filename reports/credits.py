"""Source, licence and Datenstand lines for every export, built from the database's ``sources`` rows.

A credit is written in plain German (the rules: ``planning.source_text``, shared with the pages):
'© Statistische Ämter des Bundes und der Länder, Deutschland, 2017 – Bevölkerungsstand 31.12.2015
(Tabelle 12411-02-03-5), Datenstand 10.10.2017; Lizenz: dl-de/by-2-0'. Rules:
- who: the attribution the source asks for (dl-de/by-2-0 requires it word for word);
- what: the table's title without the GENESIS shorthand ('(17)' groups, '(Kreise)'), completed with the reference
  dates or years of the rows actually shown ('Stichtag 31.12.' → 'Stichtag 31.12.2015'); the population tables
  (12411) are named 'Bevölkerungsstand <Stichtag>', the name under which planners know them; the table code
  follows as '(Tabelle …)';
- Datenstand: the day the statistical office issued the table, without the clock time of the download
  ('10.10.2017 / 18:42:14' → '10.10.2017'); boundaries give their Gebietsstand;
- licence: its short code where it has one ('dl-de/by-2-0'); the sources page of a report names it in full.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

from planning.source_text import citation, german_date, period_text, plain_title, stand_date, table_text
from reports import data

__all__ = ["Credit", "credits", "extra_source_ids", "footer_text", "german_date", "period_text", "plain_title",
           "source_ids_of", "stand_date"]  # fmt: skip

# dl-de/by-2-0 asks for a note when data were changed; display geometry is always simplified.
_CHANGED = "(Daten verändert)"
# statistics first, then what defines the areas: the Sozialraum mapping, the boundaries
_KIND_ORDER = {"sozialraum_mapping": 1, "boundaries": 2}
_LICENCE_CODE = re.compile(r"\(([a-z]{2,}-[a-z]{2}/[\w.-]+)\)\s*$", re.IGNORECASE)  # '… (dl-de/by-2-0)'


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
    period: str = ""  # reference dates or years of the rows shown: '31.12.2015', '2011–2016'
    kind: str = "statistics"

    @property
    def what(self) -> str:
        """'Bevölkerungsstand 31.12.2015 (Tabelle 12411-02-03-5)': the table in plain German with its period."""
        return table_text(self.title, self.table_code, self.period, statistics=self.kind == "statistics")

    @property
    def citation(self) -> str:
        """'Statistische Ämter des Bundes und der Länder, Bevölkerungsstand 31.12.2015 (Tabelle 12411-02-03-5)':
        publisher and table, as a Quelle line in a table's header or a text."""
        return citation(self.publisher or self.attribution, self.title, self.table_code, self.period,
                        statistics=self.kind == "statistics")  # fmt: skip

    @property
    def stand_text(self) -> str:
        """'Datenstand 10.10.2017' (statistics, offer lists) or 'Gebietsstand 01.01.2021' (boundaries)."""
        if not self.stands:
            return ""
        word = "Gebietsstand" if self.kind == "boundaries" else "Datenstand"
        return f"{word} {', '.join(self.stands)}"

    @property
    def licence_short(self) -> str:
        """'dl-de/by-2-0' for 'Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)'."""
        match = _LICENCE_CODE.search(self.licence)
        return match[1] if match else self.licence

    @property
    def line(self) -> str:
        """'© Statistische Ämter … – Bevölkerungsstand 31.12.2015 (Tabelle 12411-02-03-5), Datenstand 10.10.2017;
        Lizenz: dl-de/by-2-0'."""
        text = f"{self.attribution} – {self.what}" if self.what else self.attribution
        if self.stand_text:
            text += f", {self.stand_text}"
        if self.licence:
            text += f"; Lizenz: {self.licence_short}"
        return text


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


def _is_dl_de(licence: str) -> bool:
    return "dl-de" in licence.lower() or "datenlizenz deutschland" in licence.lower()


def _periods(con: duckdb.DuckDBPyConnection, source_ids: list[str], years: Iterable[int] | None) -> pd.DataFrame:
    """source_id, year, reference_date of the observations behind the credits (restricted to ``years``)."""
    if not source_ids or not data.has_table(con, "observations"):
        return pd.DataFrame(columns=["source_id", "year", "reference_date"])
    wanted = None if years is None else sorted({int(y) for y in years})
    sql = ("SELECT DISTINCT source_id, year, reference_date FROM observations WHERE list_contains(?, source_id)"
           + ("" if wanted is None else " AND list_contains(?, year)"))  # fmt: skip
    return con.execute(sql, [source_ids] + ([] if wanted is None else [wanted])).df()


def credits(con: duckdb.DuckDBPyConnection, source_ids: Iterable[str], *, years: Iterable[int] | None = None) -> list[Credit]:
    """Credits for the given sources: statistics first, then the Sozialraum mapping and the boundaries.

    ``years``: the years shown; a statistics credit names the reference dates of exactly those years (all
    years of the source when not given).
    """
    rows = data.sources(con, source_ids)
    periods = _periods(con, rows.loc[rows["kind"] == "statistics", "source_id"].tolist(), years)
    grouped: dict[tuple, tuple[list[str], list[str]]] = {}
    for _, r in rows.iterrows():
        attribution = _text(r["attribution"])
        licence = _text(r["licence"])
        if r["kind"] == "boundaries" and _is_dl_de(licence) and _CHANGED not in attribution:
            attribution = f"{attribution} {_CHANGED}"
        key = (_KIND_ORDER.get(r["kind"], 0), attribution, _text(r["title"]), _text(r["table_code"]),
               _text(r["publisher"]), licence, _text(r["kind"]))  # fmt: skip
        stands, ids = grouped.setdefault(key, ([], []))
        stand = stand_date(_text(r["stand"]))
        if stand and stand not in stands:
            stands.append(stand)
        ids.append(r["source_id"])
    found = []
    for key, (stands, ids) in sorted(grouped.items(), key=lambda kv: kv[0][0]):
        mine = periods[periods["source_id"].isin(ids)]
        period = period_text([d.date() for d in pd.to_datetime(mine["reference_date"]).dropna()], mine["year"])
        order, attribution, title, code, publisher, licence, kind = key
        found.append(Credit(attribution, title, code, publisher, licence, tuple(stands), order, period, kind))
    return found


def footer_text(items: list[Credit], *, prefix: str = "Quelle") -> str:
    """The footer of a figure or table: one credit per line."""
    if not items:
        return f"{prefix}: keine Quellenangabe in der Datenbank"
    first, _, rest = prefix.partition(" ")  # 'Quelle der Tabelle' → 'Quellen der Tabelle'
    label = prefix if len(items) == 1 else f"{first}n {rest}".strip()
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
