"""From what the sources say to what the database holds.

- areas: Gemeinden, Verbände and the Kreis from the boundaries, Sozialräume dissolved from their Gemeinden
- observations: Gemeinde values as published; Verband, Sozialraum and Kreis values by summing Gemeinde counts
  (never by averaging ratios); derived counts and rates from the catalogue formulas at every level, i.e. rates
  of groups come from summed numerators over summed denominators. A missing component makes the result
  'incomplete' (value NULL) instead of silently smaller.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from etl import markers
from etl.config import CountyConfig
from etl.errors import EtlError
from etl.sources.bkg import Boundaries
from etl.sources.genesis import GenesisTable
from geo.geometry import area_km2, dissolve
from geo.simplify import simplify_for_display

LEVEL_GEMEINDE = "gemeinde"
LEVEL_VERBAND = "verbandsgemeinde"
LEVEL_SOZIALRAUM = "sozialraum"
LEVEL_KREIS = "kreis"
GROUPINGS = {LEVEL_VERBAND: "verband_id", LEVEL_SOZIALRAUM: "sozialraum_id", LEVEL_KREIS: "kreis_id"}
OBSERVATION_COLUMNS = [
    "area_id", "indicator_id", "year", "reference_date", "value", "status", "flag", "derivation", "source_id", "note",
]  # fmt: skip
KREIS_TOLERANCE = 0.5  # published Kreis totals vs. sum of Gemeinden: anything above rounding is reported


@dataclass
class CountyInput:
    config: CountyConfig
    boundaries: Boundaries
    sozialraeume: pd.DataFrame | None  # area_id, sozialraum
    tables: list[tuple[str, GenesisTable]]  # (source_id, table) in config order


# --- areas -----------------------------------------------------------------------------------------------


def build_areas(counties: list[CountyInput]) -> gpd.GeoDataFrame:
    """All areas of a build. Display geometry is simplified once over every Gemeinde of the build, so borders
    between neighbouring Kreise stay shared too."""
    parts = [part for county in counties for part in _county_areas(county)]
    areas = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
    areas["area_km2"] = area_km2(areas)
    areas["geom_display"] = _display_geometry(areas)
    columns = ["area_id", "level", "name", "bez", "parent_id", "kreis_id", "sozialraum_id", "ars", "area_km2", "geometry", "geom_display"]
    return areas.reindex(columns=columns)


def _county_areas(county: CountyInput) -> list[gpd.GeoDataFrame]:
    b = county.boundaries
    gemeinden = b.gemeinden.assign(level=LEVEL_GEMEINDE, sozialraum_id=None)
    gemeinden["parent_id"] = gemeinden["verband_id"].fillna(gemeinden["kreis_id"])
    parts = [gemeinden, b.verbaende.assign(level=LEVEL_VERBAND, parent_id=b.verbaende["kreis_id"])]
    if county.sozialraeume is not None:  # only for a single Kreis (checked in the config)
        kreis_id = county.config.ags
        names = sorted(county.sozialraeume["sozialraum"].unique())
        ids = {name: f"{kreis_id}-SR{i:02d}" for i, name in enumerate(names, start=1)}
        by_gemeinde = county.sozialraeume.set_index("area_id")["sozialraum"].map(ids)
        gemeinden["sozialraum_id"] = gemeinden["area_id"].map(by_gemeinde)
        sozialraeume = dissolve(gemeinden, "sozialraum_id").rename(columns={"sozialraum_id": "area_id"})
        sozialraeume["name"] = sozialraeume["area_id"].map({v: k for k, v in ids.items()})
        parts.append(sozialraeume.assign(level=LEVEL_SOZIALRAUM, bez="Sozialraum", kreis_id=kreis_id, parent_id=kreis_id))
    kreise = b.kreis.assign(level=LEVEL_KREIS, parent_id=None)
    if county.config.name and county.config.single_kreis:
        kreise["name"] = county.config.name
    parts.append(kreise)
    return parts


def _membership(areas: pd.DataFrame) -> pd.DataFrame:
    """Gemeinden with the id of their Verband, Sozialraum and Kreis (one column per grouping)."""
    gemeinden = areas[areas["level"] == LEVEL_GEMEINDE]
    return gemeinden.assign(verband_id=gemeinden["parent_id"].where(gemeinden["parent_id"] != gemeinden["kreis_id"]))


def _display_geometry(areas: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Simplify the Gemeinden once and build every higher level from them, so borders coincide on the map."""
    gemeinden = _membership(areas)
    display = simplify_for_display(gemeinden)
    out = gpd.GeoSeries([None] * len(areas), index=areas.index, crs=display.crs)
    out.loc[gemeinden.index] = display
    simplified = gpd.GeoDataFrame(gemeinden.drop(columns="geometry"), geometry=display, crs=display.crs)
    for level, column in GROUPINGS.items():
        targets = areas.index[areas["level"] == level]
        if targets.empty:
            continue
        grouped = simplified.dropna(subset=[column]).dissolve(by=column)
        out.loc[targets] = areas.loc[targets, "area_id"].map(grouped.geometry).values
    return out


# --- observations ------------------------------------------------------------------------------------------


def build_observations(county: CountyInput, areas: gpd.GeoDataFrame, catalogue: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    published = _published_records(county, areas, catalogue, warnings)
    gemeinde_obs = published[published["level"] == "gemeinde"]
    kreis_published = published[published["level"] == "kreis"]

    summable = catalogue.index[catalogue["kind"].isin(("count", "measure"))]
    levels = [gemeinde_obs.drop(columns="level")]
    membership = _membership(areas)
    for level, column in GROUPINGS.items():
        members = membership[["area_id", "bez", column]].dropna(subset=[column])
        if members.empty:
            continue
        summed = _sum_over_members(gemeinde_obs[gemeinde_obs["indicator_id"].isin(summable)], members, column)
        if level == LEVEL_KREIS:
            summed = _reconcile_kreis(summed, kreis_published.drop(columns="level"), areas, catalogue, warnings)
        levels.append(summed)
    observations = pd.concat(levels, ignore_index=True)
    observations = _derive(observations, catalogue)
    return observations[OBSERVATION_COLUMNS].sort_values(["area_id", "indicator_id", "year"], ignore_index=True)


def _published_records(county: CountyInput, areas: gpd.GeoDataFrame, catalogue: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """All Gemeinde and Kreis rows of all tables; first configured source wins where two give the same value."""
    gemeinde_ids = set(areas.loc[areas["level"] == LEVEL_GEMEINDE, "area_id"])
    frames = []
    for source_id, table in county.tables:
        records = table.records[table.records["level"].isin(("gemeinde", "kreis"))].copy()
        unknown_indicators = set(records["indicator_id"]) - set(catalogue.index)
        if unknown_indicators:
            raise ValueError(f"genesis_tables.toml yields indicators missing from the catalogue: {sorted(unknown_indicators)}")
        stray = records[(records["level"] == "gemeinde") & ~records["area_id"].isin(gemeinde_ids)]
        if not stray.empty:
            row = stray.iloc[0]
            raise EtlError(
                f"Gemeinde '{row['name'].strip()}' (AGS {row['area_id']}) gibt es in den Grenzdaten des Kreises nicht"
                + (f" – ebenso {len(stray['area_id'].unique()) - 1} weitere" if stray["area_id"].nunique() > 1 else ""),
                file=table.file,
                line=int(row["line"]),
                column=1,
                expected="Gemeinden mit dem Gebietsstand der Grenzdaten " + str(county.boundaries.source.name),
                fix="Grenzdaten und Statistik mit passendem Gebietsstand verwenden (Gemeindefusionen!) "
                "oder die Datei auf Zeilen anderer Kreise prüfen.",
            )
        duplicated = records[records.duplicated(["area_id", "indicator_id", "year"], keep=False)]
        if not duplicated.empty:
            first = duplicated.iloc[0]
            lines = sorted(set(duplicated.loc[duplicated["area_id"] == first["area_id"], "line"]))
            raise EtlError(
                f"Gebiet {first['area_id']} ({first['name'].strip()}) steht mehrfach in der Datei (Zeilen {', '.join(map(str, lines))})",
                file=table.file,
                line=int(lines[-1]),
                column=1,
                expected="jedes Gebiet genau einmal je Stichtag",
                fix="Doppelte Zeile löschen.",
            )
        frames.append(records.assign(source_id=source_id, derivation="source", note=None))
    if not frames:
        return pd.DataFrame(columns=[*OBSERVATION_COLUMNS, "level"])
    everything = pd.concat(frames, ignore_index=True)
    key = ["area_id", "indicator_id", "year"]
    first = everything.drop_duplicates(key, keep="first")
    later = everything[everything.duplicated(key, keep="first")].merge(first[[*key, "value", "source_id"]], on=key, suffixes=("", "_kept"))
    conflicts = later[(later["value"] - later["value_kept"]).abs() > KREIS_TOLERANCE]
    for row in conflicts.head(20).itertuples():
        warnings.append(
            f"{row.indicator_id} {row.year} für {row.area_id}: Quelle {row.source_id} meldet {row.value:g}, "
            f"verwendet wird {row.value_kept:g} aus {row.source_id_kept} (zuerst konfiguriert)"
        )
    if len(conflicts) > 20:
        warnings.append(f"… und {len(conflicts) - 20} weitere abweichende Doppelangaben")
    return first[[*OBSERVATION_COLUMNS, "level"]]


def _is_regular(bez: pd.Series) -> pd.Series:
    """False for gemeindefreie Gebiete (forests, lakes): mostly uninhabited, so tables such as the Zensus
    leave them out; their absence must not make a Kreis incomplete. A row they do have counts as usual."""
    return ~bez.fillna("").str.lower().str.contains("gemeindefrei")


def _sum_over_members(obs: pd.DataFrame, members: pd.DataFrame, group_column: str) -> pd.DataFrame:
    """Sum Gemeinde values per group; a group with any missing member value is 'incomplete' with NULL."""
    members = members.assign(regular=_is_regular(members["bez"]))
    joined = obs.merge(members, on="area_id")
    joined["missing"] = joined["status"].isin(markers.MISSING_STATUSES)
    grouped = joined.groupby([group_column, "indicator_id", "year"], sort=False).agg(
        value=("value", "sum"),
        present_regular=("regular", "sum"),
        missing=("missing", "sum"),
        reference_date=("reference_date", "first"),
        provisional=("flag", lambda f: "p" if (f == "p").any() else None),
        source_id=("source_id", "min"),
    )
    grouped = grouped.reset_index().rename(columns={group_column: "area_id", "provisional": "flag"})
    regular = members[members["regular"]].groupby(group_column).size()
    grouped["expected"] = grouped["area_id"].map(regular).fillna(0).astype(int)
    lacking = grouped["missing"] + grouped["expected"] - grouped["present_regular"]
    incomplete = lacking > 0
    grouped["status"] = np.where(incomplete, markers.INCOMPLETE, markers.OK)
    grouped.loc[incomplete, "value"] = np.nan
    grouped["note"] = None
    grouped.loc[incomplete, "note"] = (
        lacking[incomplete].astype(int).astype(str) + " von " + grouped.loc[incomplete, "expected"].astype(str) + " Gemeinden ohne Wert"
    )
    grouped["derivation"] = "sum"
    return grouped[OBSERVATION_COLUMNS]


def _reconcile_kreis(summed: pd.DataFrame, published: pd.DataFrame, areas: gpd.GeoDataFrame, catalogue: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Check the Gemeinde sum against the Kreis total printed in the same tables.

    The sum is kept (it is what the Sozialräume add up to); a published total fills in where the sum is
    incomplete or where a table has Kreis rows only.
    """
    key = ["area_id", "indicator_id", "year"]
    both = summed.merge(published, on=key, how="outer", suffixes=("", "_pub"), indicator=True)
    names = areas.set_index("area_id")["name"]
    differs = (both["_merge"] == "both") & ((both["value"] - both["value_pub"]).abs() > KREIS_TOLERANCE)
    for row in both[differs].head(20).itertuples():
        label = catalogue.loc[row.indicator_id, "label"]
        warnings.append(
            f"{names.get(row.area_id, row.area_id)} {row.year}, {label}: Summe der Gemeinden {row.value:,.0f} ≠ "
            f"veröffentlichter Kreiswert {row.value_pub:,.0f} ({row.source_id_pub})"
        )
    use_published = (both["_merge"] == "right_only") | ((both["_merge"] == "both") & (both["status"] == markers.INCOMPLETE))
    for column in ["reference_date", "value", "status", "flag", "derivation", "source_id", "note"]:
        both.loc[use_published, column] = both.loc[use_published, f"{column}_pub"]
    return both[OBSERVATION_COLUMNS]


def _derive(observations: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Derived counts and rates per area and year, in catalogue order, from the values already known."""
    pool = observations.copy()
    derived_rows = catalogue[(catalogue["sum_of"].map(len) > 0) | (catalogue["kind"] == "rate")]
    for meta in derived_rows.itertuples():
        if meta.kind == "rate":
            numerator = _component_sum(pool, meta.numerator)
            denominator = _component_sum(pool, meta.denominator)
            if numerator.empty or denominator.empty:
                continue
            both = numerator.add_suffix("_num").join(denominator.add_suffix("_den"), how="inner")
            if both.empty:
                continue
            complete = both["complete_num"] & both["complete_den"]
            valid = complete & (both["value_den"] > 0)
            value = np.where(valid, both["value_num"] / both["value_den"].where(valid, 1) * meta.per, np.nan)
            status = np.where(~complete, markers.INCOMPLETE, np.where(valid, markers.OK, markers.LOCKED))
            note = np.where(~complete, "Zähler oder Nenner unvollständig", np.where(valid, None, "Nenner ist 0"))
            result = both.assign(value=value, status=status, note=note, source_id=both["source_id_num"], reference_date=both["reference_date_num"])
        else:
            total = _component_sum(pool, meta.sum_of)
            if total.empty:
                continue
            result = total.assign(
                status=np.where(total["complete"], markers.OK, markers.INCOMPLETE),
                note=np.where(total["complete"], None, "Teilwert fehlt"),
            )
            result.loc[~result["complete"], "value"] = np.nan
        result = result.reset_index().assign(indicator_id=meta.indicator_id, flag=None, derivation="derived")
        pool = pd.concat([pool, result[OBSERVATION_COLUMNS]], ignore_index=True)
    return pool


def _component_sum(pool: pd.DataFrame, components: list[str]) -> pd.DataFrame:
    """Sum of components per (area, year) with 'complete' = every component present and not missing."""
    parts = pool[pool["indicator_id"].isin(components)]
    if parts.empty:
        return pd.DataFrame(columns=["value", "complete", "reference_date", "source_id"])
    parts = parts.assign(ok=~parts["status"].isin(markers.MISSING_STATUSES))
    grouped = parts.groupby(["area_id", "year"]).agg(
        value=("value", "sum"),
        n=("indicator_id", "nunique"),
        ok=("ok", "all"),
        reference_date=("reference_date", "first"),
        source_id=("source_id", "min"),
    )
    grouped["complete"] = grouped["ok"] & (grouped["n"] == len(set(components)))
    return grouped[["value", "complete", "reference_date", "source_id"]]
