"""The county's own indicators in the build: catalogue rows, a source record and observations.

Rules: an own indicator is shown like a catalogue indicator (same pickers, maps, Steckbrief, exports), with the
county as publisher and the licence the county entered. Values stand as the county gave them. Where the county
gave Gemeinde values only, a Verbandsgemeinde, Sozialraum or the Kreis gets a value when every one of its Gemeinden
has one in that year: an Anzahl is summed, a Quote with Zähler and Nenner is Σ Zähler ÷ Σ Nenner × je (never a
mean of Gemeinde rates); a Quote without them is not carried up.
"""
from __future__ import annotations

import pandas as pd

from etl.catalogue import COLUMNS, load_catalogue
from etl.config import CountyConfig
from etl.sources.own_indicators import OwnIndicatorTable, check_areas, read_own_indicators

GROUPINGS = {"verbandsgemeinde": "parent_id", "sozialraum": "sozialraum_id", "kreis": "kreis_id"}


def catalogue_topics() -> tuple[str, ...]:
    """The Handlungsfelder of the catalogue, in catalogue order."""
    return tuple(dict.fromkeys(load_catalogue()["topic"]))


def read_tables(config: CountyConfig, taken: set[str]) -> list[OwnIndicatorTable]:
    """Every own-indicator file of the config, read and checked against the catalogue and ``taken`` (ids of tables
    read before, also of other counties in the build); adds the new ids to ``taken``. Raises on the first faulty file."""
    tables = []
    for path in config.own_indicators:
        table = read_own_indicators(path, set(load_catalogue().index) | taken, catalogue_topics())
        table.raise_for_problems()
        taken.update(table.indicators["indicator_id"])
        tables.append(table)
    return tables


def source_records(table: OwnIndicatorTable, config: CountyConfig) -> dict[str, dict]:
    """One ``sources`` row per indicator of the table: the county as publisher, the indicator's own source text as
    the title and its own licence (so an export of one indicator never cites another's licence)."""
    publisher = config.name or f"Kreis {config.ags}"
    counts = table.values["indicator_id"].value_counts()
    return {
        meta["indicator_id"]: {
            "kind": "statistics", "table_code": None, "title": meta["source"], "publisher": publisher,
            "licence": meta["licence"], "attribution": f"{publisher}: eigene Daten ({meta['source']})",
            "stand": None, "file": table.file.name, "encoding": None, "rows": int(counts.get(meta["indicator_id"], 0)),
        }  # fmt: skip
        for meta in table.indicators.to_dict("records")
    }


def indicator_rows(tables: list[OwnIndicatorTable], first_position: int) -> pd.DataFrame:
    """Catalogue rows of the own indicators (after the catalogue's), with the years they have as vintage."""
    rows = []
    for table in tables:
        for meta in table.indicators.to_dict("records"):
            years = sorted(table.values.loc[table.values["indicator_id"] == meta["indicator_id"], "year"].unique())
            rows.append(meta | {"vintage": ", ".join(map(str, years)), "position": first_position + len(rows)})
    return pd.DataFrame(rows, columns=COLUMNS)


def observations(table: OwnIndicatorTable, areas: pd.DataFrame, kreis_id: str, source_ids: dict[str, str]) -> pd.DataFrame:
    """The table's values as observations of the Kreis's areas (keys checked here: raises on a key that is no area
    of the Kreis), with the Gemeinde values carried up where the module docstring says."""
    check_areas(table, areas, kreis_id)
    table.raise_for_problems()
    given = table.values.assign(derivation="source")
    derived = _carried_up(given, table.indicators, areas)
    frame = pd.concat([given, derived], ignore_index=True) if len(derived) else given
    frame = frame.assign(status="ok", flag=None, reference_date=pd.NaT, source_id=frame["indicator_id"].map(source_ids), note=None)
    return frame.drop(columns=["row"], errors="ignore")


def _carried_up(given: pd.DataFrame, indicators: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    gemeinden = areas[areas["level"] == "gemeinde"]
    gemeinde_values = given[given["area_id"].isin(set(gemeinden["area_id"]))]
    meta = indicators.set_index("indicator_id")
    have = set(zip(given["indicator_id"], given["area_id"], given["year"]))
    parts = []
    for level, column in GROUPINGS.items():
        groups = set(areas.loc[areas["level"] == level, "area_id"])
        members = gemeinden[["area_id", column]].dropna()
        members = members[members[column].isin(groups)]
        if members.empty:
            continue
        size = members.groupby(column)["area_id"].size()
        joined = gemeinde_values.merge(members.rename(columns={"area_id": "member", column: "group"}), left_on="area_id", right_on="member")
        for (ident, group, year), rows in joined.groupby(["indicator_id", "group", "year"]):
            if (ident, group, year) in have or len(rows) < size[group]:
                continue  # given by the county, or not every Gemeinde has a value
            kind, per = meta.at[ident, "kind"], float(meta.at[ident, "per"])
            if kind == "count":
                parts.append({"indicator_id": ident, "area_id": group, "year": year, "value": rows["value"].sum(),
                              "numerator": None, "denominator": None, "derivation": "sum"})  # fmt: skip
            elif rows["numerator"].notna().all() and rows["denominator"].notna().all() and rows["denominator"].sum() > 0:
                numerator, denominator = rows["numerator"].sum(), rows["denominator"].sum()
                parts.append({"indicator_id": ident, "area_id": group, "year": year, "value": numerator / denominator * per,
                              "numerator": numerator, "denominator": denominator, "derivation": "derived"})  # fmt: skip
    return pd.DataFrame(parts)

