"""A table's rows made ready for the build (rules in planners' words).

- One series per area: a Gemeinde listed under an old and a new Verbandsgemeinde code (Rhineland-Palatinate), or
  under a Samtgemeinde key (Lower Saxony), is one series split by year, not a duplicate: the row with the value wins
  over the row with '-'. Two rows with different values for the same area and year stop the build.
- At the boundaries' Gebietsstand: with the BBSR Umsteigeschlüssel every Gemeinde and Kreis row is converted
  (etl/territory_convert.py); without it, rows of aggregated gemeindefreie Gebiete are still spread over the Kreis's
  gemeindefreie Gebiete, and a Gemeinde unknown to the boundaries stops the build (etl/transform.py).
- One area, several levels: Berlin and Hamburg are Land, Kreis and Gemeinde at once (11 = 11000 = 11000000), a
  kreisfreie Stadt is Kreis and Gemeinde. Tables print only the Land row (Berlin, Hamburg) or only the Kreis row (most
  kreisfreie Städte): it stands in for the level below where the table has no row of its own.
- Only the build's areas stay (rows of neighbouring Kreise were read for the Umsteigeschlüssel), its Land and Germany.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from etl import markers
from etl.errors import EtlError
from etl.findings import Finding
from etl.sources.bkg import Boundaries
from etl.sources.genesis import BUND, GenesisTable
from etl.territory import GEMEINDE_CODE, Crosswalk
from etl.territory_convert import TABLE, Converted, Targets, convert_records, row_codes

SERIES_KEY = ["level", "area_id", "indicator_id", "year"]


@dataclass
class PreparedTable:
    table: GenesisTable  # records at the build's areas, with derivation and note
    findings: list[Finding] = field(default_factory=list)
    unplaced: pd.DataFrame | None = None  # kreis_id, indicator_id, year, note: Kreis totals that are incomplete


@dataclass
class PreparedTables:
    tables: list[GenesisTable]  # in the order given, records at the build's areas, with derivation and note
    findings: list[Finding] = field(default_factory=list)
    unplaced: pd.DataFrame | None = None  # kreis_id, indicator_id, year, note: Kreis totals that are incomplete


def targets_of(boundaries: Boundaries, scope: str) -> Targets:
    gemeinden = boundaries.gemeinden
    free = gemeinden[gemeinden["bez"].fillna("").str.lower().str.contains("gemeindefrei")]
    return Targets(
        scope=scope,
        names={"gemeinde": dict(zip(gemeinden["area_id"], gemeinden["name"])), "kreis": dict(zip(boundaries.kreis["area_id"], boundaries.kreis["name"]))},
        gemeindefrei_km2=pd.Series(free.geometry.area.to_numpy() / 1e6, index=free["area_id"].to_numpy()),
    )


def label_of(table: GenesisTable) -> str:
    return f"{table.table} ({table.file.name})"


def prepare_table(table: GenesisTable, boundaries: Boundaries, scope: str, crosswalk: Crosswalk | None, catalogue: pd.DataFrame) -> PreparedTable:
    """One table's records for the build's areas (see the module docstring); ``scope`` is the config's key prefix."""
    prepared = prepare_tables([table], boundaries, scope, crosswalk, catalogue)
    return PreparedTable(prepared.tables[0], prepared.findings, prepared.unplaced)


def prepare_tables(tables: list[GenesisTable], boundaries: Boundaries, scope: str, crosswalk: Crosswalk | None, catalogue: pd.DataFrame) -> PreparedTables:
    """The county's tables for the build's areas, converted in one pass (a table never fills another's gap)."""
    if not tables:
        return PreparedTables([])
    labels = [label_of(t) for t in tables]
    records = pd.concat([merge_split_series(t.records, t).assign(**{TABLE: i}) for i, t in enumerate(tables)], ignore_index=True)
    targets = targets_of(boundaries, scope)
    findings: list[Finding] = []
    if crosswalk is not None:
        records = fill_single_keys(records, crosswalk, labels, findings)
        converted = convert_records(records, crosswalk, targets, catalogue, labels)
    else:
        parts = [_without_crosswalk(rows, targets, labels[t]) for t, rows in records.groupby(TABLE)]
        converted = Converted(pd.concat([p.records for p in parts], ignore_index=True), [f for p in parts for f in p.findings])
    findings += converted.findings
    records = in_scope(converted.records, scope)
    records = fill_single_areas(records, boundaries, labels, findings)
    by_table = dict(tuple(records.groupby(TABLE, sort=False)))
    prepared = [replace(t, records=by_table[i].drop(columns=TABLE).reset_index(drop=True) if i in by_table else t.records.iloc[:0])
                for i, t in enumerate(tables)]  # fmt: skip
    return PreparedTables(prepared, findings, converted.unplaced)


def merge_split_series(records: pd.DataFrame, table: GenesisTable) -> pd.DataFrame:
    """One row per area, indicator and year: a value wins over a marker, a marker over '-' (the year in which the
    key did not hold the area); two rows with a number for the same year are a duplicate, an error naming every
    such area."""
    duplicated = pd.Series(pd.Index(row_codes(records, SERIES_KEY)).duplicated(keep=False), index=records.index)
    if not duplicated.any():
        return records
    doubles = records[duplicated]
    ranked = doubles.assign(_rank=doubles["status"].map({markers.OK: 0, markers.ZERO: 2}).fillna(1))
    values = ranked[ranked["status"] == markers.OK]
    conflicts = values[values.duplicated(SERIES_KEY, keep=False)]
    if not conflicts.empty:
        raise _duplicate_error(doubles, conflicts, table)
    ranked = ranked.sort_values("_rank", kind="stable").drop_duplicates(SERIES_KEY, keep="first")
    return pd.concat([records[~duplicated], ranked.drop(columns="_rank")]).sort_index()


def _duplicate_error(duplicated: pd.DataFrame, conflicts: pd.DataFrame, table: GenesisTable) -> EtlError:
    areas = list(dict.fromkeys(conflicts["area_id"]))
    first = duplicated[duplicated["area_id"] == areas[0]]
    lines = sorted(set(first["line"]))
    others = [f"{a} ({duplicated.loc[duplicated['area_id'] == a, 'name'].iloc[0].strip()}, Zeilen "
              f"{', '.join(map(str, sorted(set(duplicated.loc[duplicated['area_id'] == a, 'line']))))})" for a in areas[1:]]  # fmt: skip
    return EtlError(
        f"Gebiet {areas[0]} ({first['name'].iloc[0].strip()}) steht mehrfach in der Datei (Zeilen {', '.join(map(str, lines))}) "
        "mit einer Zahl für dasselbe Jahr in mehr als einer Zeile" + (f" – ebenso {len(others)} weitere: {'; '.join(others)}" if others else ""),
        file=table.file,
        line=int(lines[-1]),
        column=1,
        expected="jedes Gebiet genau einmal je Stichtag (ein Gebiet unter altem und neuem Verbandsgemeinde-Schlüssel "
        "ist eine Reihe: je Jahr hat nur eine der Zeilen einen Wert, die andere '-')",
        fix="Doppelte Zeile löschen (mit dem Originalexport vergleichen, welche richtig ist).",
    )


def _without_crosswalk(records: pd.DataFrame, targets: Targets, label: str) -> Converted:
    """Only the aggregate rows of gemeindefreie Gebiete are placed (by area); everything else stays as read."""
    from etl.territory_convert import GEMEINDEFREI

    result = Converted(records.assign(derivation="source", note=None))
    gemeinden = set(targets.names.get("gemeinde", {}))
    aggregate = records[(records["level"] == "gemeinde") & ~records["area_id"].isin(gemeinden) & records["name"].str.contains(GEMEINDEFREI)]
    aggregate = aggregate[aggregate["area_id"].str.startswith(targets.scope)]
    if aggregate.empty:
        return result
    spread, keys = [], []
    for key, group in aggregate.groupby("area_id"):
        polygons = targets.gemeindefrei_km2[targets.gemeindefrei_km2.index.str.startswith(key[:5])]
        if polygons.empty or polygons.sum() <= 0:
            continue
        keys.append(key)
        for area_id, km2 in polygons.items():
            share = km2 / polygons.sum()
            spread.append(group.assign(area_id=area_id, value=group["value"] * share, derivation="converted",
                                       note=f"Anteil {share * 100:.0f} % (nach Fläche) der Sammelzeile {key}"))  # fmt: skip
        result.findings.append(Finding("zusammengefasst", f"{label}: {group['name'].iloc[0].strip()} ({key}) auf die gemeindefreien "
                                       f"Gebiete {', '.join(polygons.index)} verteilt (nach Fläche)"))  # fmt: skip
    if spread:
        placed = pd.concat(spread, ignore_index=True)
        rest = result.records[~result.records["area_id"].isin(keys)]
        merged = pd.concat([rest, placed], ignore_index=True)
        result.records = merged.groupby([*SERIES_KEY], as_index=False, sort=False).agg(_sum_rows)
    return result


def _sum_rows(column: pd.Series):
    return column.sum(min_count=1) if column.name == "value" else column.iloc[0]


def in_scope(records: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The rows of the build's areas: its Gemeinden, Verbände, Kreise and Jugendämter, its Land and Germany."""
    if not scope:
        return records
    level = records["level"]
    kreis = records["area_id"].where(level != "jugendamt", records["area_id"].str[2:])
    lands = {a for a in records.loc[level == "land", "area_id"].unique() if scope.startswith(a) or a.startswith(scope)}
    own = (~level.isin(("land", BUND))) & kreis.str.startswith(scope)
    return records[own | ((level == "land") & records["area_id"].isin(lands)) | (level == BUND)]


def fill_single_keys(records: pd.DataFrame, crosswalk: Crosswalk, labels: list[str], findings: list[Finding]) -> pd.DataFrame:
    """Before converting: a city-state's Land row is its Kreis row, and the Kreis row of a Kreis that had a single
    Gemeinde in that year (most kreisfreie Städte: tables print no Gemeinde row for them) is that Gemeinde's row, so
    that what a Gemeinde took in from other Kreise is added to the city's own figure, not mistaken for all of it."""
    codes = crosswalk.codes[crosswalk.codes["level"] == GEMEINDE_CODE][["year", "old"]].drop_duplicates()
    lo, hi = int(codes["year"].min()), int(codes["year"].max())
    counted = codes.assign(kreis=codes["old"] // 1000).groupby(["kreis", "year"])["old"].agg(["size", "first"])
    counted = counted[counted["size"] == 1]
    single = {(f"{k:05d}", int(y)): f"{first:08d}" for (k, y), first in zip(counted.index, counted["first"])}
    kreise = set(crosswalk.kreis["old"])
    land_kreis = {land: land + "000" for land in records.loc[records["level"] == "land", "area_id"].unique() if land + "000" in kreise}
    added = []
    for level, below, key_of in (
        ("land", "kreis", lambda area, year: land_kreis.get(area)),
        ("kreis", "gemeinde", lambda area, year: single.get((area, min(max(year, lo), hi)))),
    ):
        upper = records[records["level"] == level]
        if upper.empty:
            continue
        target = [key_of(a, y) for a, y in zip(upper["area_id"], upper["year"])]
        copies = upper.assign(level=below, area_id=target)[[t is not None for t in target]]
        lower = records[(records["level"] == below) & records["area_id"].str[:5].isin({a[:5] for a in target if a})]
        have = set(zip(lower[TABLE], lower["area_id"].str[:5], lower["indicator_id"], lower["year"]))  # any row of that Kreis
        copies = copies[[(t, a[:5], i, y) not in have for t, a, i, y in zip(copies[TABLE], copies["area_id"], copies["indicator_id"], copies["year"])]]
        if copies.empty:
            continue
        records = pd.concat([records, copies], ignore_index=True)
        for t, rows in copies.groupby(TABLE):
            pairs = sorted(set(zip(upper.loc[rows.index.intersection(upper.index), "area_id"], rows["area_id"])))
            added.append((t, f"{level} → {below}: " + ", ".join(f"{a} → {b}" for a, b in pairs)))
    for t in sorted({t for t, _ in added}):
        findings.append(Finding("stadtstaat", f"{labels[t]}: Werte einer Ebene gelten auch für die darunter, weil beide dasselbe "
                                f"Gebiet sind ({'; '.join(text for tt, text in added if tt == t)})"))  # fmt: skip
    return records


def fill_single_areas(records: pd.DataFrame, boundaries: Boundaries, labels: list[str], findings: list[Finding]) -> pd.DataFrame:
    """Land rows of a city-state stand in for its Kreis, Kreis rows of a one-Gemeinde Kreis for the Gemeinde, where
    the table has no row of that level for the indicator and year."""
    kreise = set(boundaries.kreis["area_id"])
    city_states = {k[:2]: k for k in kreise if k.endswith("000")}  # Berlin 11000, Hamburg 02000: the whole Land
    members = boundaries.gemeinden.groupby("kreis_id")["area_id"].agg(list)
    single = {k: ids[0] for k, ids in members.items() if len(ids) == 1}
    added = []
    for level, below, mapping in (("land", "kreis", city_states), ("kreis", "gemeinde", single)):
        upper = records[(records["level"] == level) & records["area_id"].isin(mapping)]
        if upper.empty:
            continue
        copies = upper.assign(level=below, area_id=upper["area_id"].map(mapping))
        lower = records[(records["level"] == below) & records["area_id"].isin(set(mapping.values()))]
        present = set(zip(lower[TABLE], lower["area_id"], lower["indicator_id"], lower["year"]))
        copies = copies[[k not in present for k in zip(copies[TABLE], copies["area_id"], copies["indicator_id"], copies["year"])]]
        if copies.empty:
            continue
        records = pd.concat([records, copies], ignore_index=True)
        for t, rows in copies.groupby(TABLE):
            added.append((t, f"{level} → {below}: " + ", ".join(f"{a} → {b}" for a, b in sorted(set(zip(upper.loc[rows.index, "area_id"], rows["area_id"]))))))
    for t in sorted({t for t, _ in added}):
        findings.append(Finding("stadtstaat", f"{labels[t]}: Werte einer Ebene gelten auch für die darunter, weil beide dasselbe "
                                f"Gebiet sind ({'; '.join(text for tt, text in added if tt == t)})"))  # fmt: skip
    return records
