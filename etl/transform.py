"""From what the sources say to what the database holds.

- areas: Gemeinden, Verbände, Kreise and Länder from the boundaries, Germany where a table has its row;
  Sozialräume dissolved from their Gemeinden;
  Jugendamt districts from the youth-office keys the statistics name (a town with its own Jugendamt, and the
  Kreisjugendamt for the rest of the Kreis)
- observations: Gemeinde values as published; Verband, Sozialraum and Kreis values by summing Gemeinde counts
  (never by averaging ratios); derived counts and rates from the catalogue formulas at every level, i.e. rates
  of groups come from summed numerators over summed denominators. A missing component makes the result
  'incomplete' (value NULL) instead of silently smaller. A published rate is kept where one exists; the rate
  computed from counts is checked against it.
- small numbers: sensitive counts (catalogue flag suppress_small) below the county's threshold are withheld at
  Gemeinde level, after they went into the sums, and so are rates whose numerator is such a count.
- territory: the tables arrive at the boundaries' Gebietsstand (etl/prepare.py); a Kreis total of a year in which
  a row could not be placed is incomplete, not "ok".
- every difference found is kept as a finding (etl/findings.py), none is cut off after a fixed number.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from etl import keys, markers
from etl.config import CountyConfig
from etl.errors import EtlError
from etl.findings import Finding
from etl.sources.bkg import Boundaries, read_germany
from etl.sources.genesis import BUND, GenesisTable
from etl.sources.offers import OfferList
from geo.geometry import area_km2, dissolve
from geo.simplify import simplify_for_display

LEVEL_GEMEINDE = "gemeinde"
LEVEL_VERBAND = "verbandsgemeinde"
LEVEL_SOZIALRAUM = "sozialraum"
LEVEL_KREIS = "kreis"
LEVEL_LAND = "land"
LEVEL_JUGENDAMT = "jugendamt"
LEVEL_BUND = BUND  # Germany ('DG'): reference values only, like the Land
GROUPINGS = {LEVEL_VERBAND: "verband_id", LEVEL_SOZIALRAUM: "sozialraum_id", LEVEL_JUGENDAMT: "jugendamt_id", LEVEL_KREIS: "kreis_id"}
PUBLISHED_LEVELS = (keys.GEMEINDE, keys.KREIS, keys.JUGENDAMT, keys.LAND, BUND)
OBSERVATION_COLUMNS = [
    "area_id", "indicator_id", "year", "reference_date", "value", "status", "flag",
    "numerator", "denominator", "derivation", "source_id", "note",
]  # fmt: skip
AREA_COLUMNS = [
    "area_id", "level", "name", "bez", "parent_id", "kreis_id", "sozialraum_id", "jugendamt_id", "ars", "area_km2",
    "geometry", "geom_display",
]  # fmt: skip
KREIS_TOLERANCE = 0.5  # published Kreis totals vs. sum of Gemeinden: anything above rounding is reported
CONVERTED_TOLERANCE = 0.01  # … and 1 % against a published total converted to another Gebietsstand (shares)
RATE_TOLERANCE = 0.15  # published rate (1 decimal) vs. rate computed from counts: beyond rounding is reported


@dataclass
class CountyInput:
    config: CountyConfig
    boundaries: Boundaries
    sozialraeume: pd.DataFrame | None  # area_id, sozialraum
    tables: list[tuple[str, GenesisTable]]  # (source_id, table) in config order
    offer_lists: list[tuple[str, OfferList]] = field(default_factory=list)  # (source_id, list)
    # Kreis totals that are incomplete because a row could not be placed: kreis_id, indicator_id, year, note
    unplaced: pd.DataFrame | None = None


# --- areas -----------------------------------------------------------------------------------------------


def build_areas(counties: list[CountyInput]) -> gpd.GeoDataFrame:
    """All areas of a build. Display geometry is simplified once over every Gemeinde of the build, so borders
    between neighbouring Kreise stay shared too."""
    parts = [part for county in counties for part in _county_areas(county)]
    areas = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
    areas = areas.drop_duplicates("area_id", ignore_index=True)  # a Land shared by two county configs
    areas["area_km2"] = area_km2(areas)
    areas["geom_display"] = _display_geometry(areas)
    return areas.reindex(columns=AREA_COLUMNS)


def _county_areas(county: CountyInput) -> list[gpd.GeoDataFrame]:
    b = county.boundaries
    gemeinden = b.gemeinden.assign(level=LEVEL_GEMEINDE, sozialraum_id=None, jugendamt_id=None)
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
    jugendaemter = _jugendamt_areas(county, gemeinden)
    if jugendaemter is not None:
        parts.append(jugendaemter)
    kreise = b.kreis.assign(level=LEVEL_KREIS, parent_id=b.kreis["kreis_id"].str[:2])
    if county.config.name and county.config.single_kreis:
        kreise["name"] = county.config.name
    parts.append(kreise)
    parts.append(b.laender.assign(level=LEVEL_LAND, kreis_id=None, parent_id=None))
    if any((t.records["level"] == BUND).any() for _, t in county.tables):  # a national table: Germany beside the Land
        germany = read_germany(b.source, tuple(sorted(b.layer_sources.items())))
        parts.append(germany.to_crs(b.laender.crs).assign(level=LEVEL_BUND, kreis_id=None, parent_id=None))
    return parts


def _jugendamt_areas(county: CountyInput, gemeinden: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """Jugendamt districts named by the statistics: 'JH' + AGS of a town with its own youth office, and
    'JH' + Kreis + '999' for the Kreisjugendamt, which covers the Gemeinden without one.

    Sets ``gemeinden['jugendamt_id']`` so that counts such as the population sum up per district.
    """
    named = pd.concat([t.records.loc[t.records["level"] == keys.JUGENDAMT, ["area_id", "name", "line"]].assign(file=t.file)
                       for _, t in county.tables], ignore_index=True) if county.tables else pd.DataFrame()  # fmt: skip
    if named.empty:
        return None
    named = named.drop_duplicates("area_id")
    gemeinde_ids = set(gemeinden["area_id"])
    own = named[~named["area_id"].str.endswith(keys.KREISJUGENDAMT_SUFFIX)]
    unknown = own[~own["area_id"].str[2:].isin(gemeinde_ids)]
    if not unknown.empty:
        row = unknown.iloc[0]
        more = [f"{r.area_id} ({r.name}, Zeile {r.line})" for r in unknown.iloc[1:].itertuples()]
        raise EtlError(
            f"Jugendamt {row['area_id']} ({row['name']}) gehört zu keiner Gemeinde des Kreises"
            + (f" – ebenso {len(more)} weitere: {', '.join(more)}" if more else ""),
            file=row["file"],
            line=int(row["line"]),
            column=1,
            expected="JH + AGS einer Stadt mit eigenem Jugendamt oder JH + Kreisschlüssel + 999",
            fix="Schlüssel prüfen (Tippfehler?); hat die Stadt seit der Statistik fusioniert, Grenzdaten und Statistik mit "
            "passendem Gebietsstand verwenden.",
        )
    gemeinden["jugendamt_id"] = ("JH" + gemeinden["area_id"]).where(("JH" + gemeinden["area_id"]).isin(own["area_id"]))
    rest = "JH" + gemeinden["kreis_id"] + keys.KREISJUGENDAMT_SUFFIX
    gemeinden["jugendamt_id"] = gemeinden["jugendamt_id"].fillna(rest.where(rest.isin(named["area_id"])))
    districts = dissolve(gemeinden.dropna(subset=["jugendamt_id"]), "jugendamt_id").rename(columns={"jugendamt_id": "area_id"})
    districts = districts.merge(named[["area_id", "name"]], on="area_id")
    districts["kreis_id"] = districts["area_id"].str[2:7]
    return districts.assign(level=LEVEL_JUGENDAMT, bez="Jugendamtsbezirk", parent_id=districts["kreis_id"])


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
    laender = areas[areas["level"] == LEVEL_LAND]
    if not laender.empty:  # reference areas, not drawn next to the Gemeinden: simplified on their own
        out.loc[laender.index] = simplify_for_display(laender, tolerance_m=500)
    germany = areas[areas["level"] == LEVEL_BUND]
    if not germany.empty:
        out.loc[germany.index] = simplify_for_display(germany, tolerance_m=2000)
    return out


def areas_in_scope(areas: gpd.GeoDataFrame, scope: str) -> gpd.GeoDataFrame:
    """The areas a county config covers, with its Land and Germany (for reference values)."""
    land = (areas["level"] == LEVEL_LAND) & areas["area_id"].map(lambda land_id: scope.startswith(land_id) or land_id.startswith(scope))
    return areas[areas["kreis_id"].fillna("#").str.startswith(scope) | land | (areas["level"] == LEVEL_BUND)]


# --- observations ------------------------------------------------------------------------------------------


def build_observations(county: CountyInput, areas: gpd.GeoDataFrame, catalogue: pd.DataFrame, warnings: list) -> pd.DataFrame:
    """Observations of the county's areas; findings (etl.findings.Finding) are appended to ``warnings``."""
    published = _published_records(county, areas, catalogue, warnings)
    gemeinde_obs = published[published["level"] == keys.GEMEINDE]

    summable = catalogue.index[catalogue["kind"].isin(("count", "measure"))]
    levels = [gemeinde_obs, published[published["level"].isin((keys.LAND, BUND))]]
    membership = _membership(areas)
    for level, column in GROUPINGS.items():
        members = membership[["area_id", "bez", column]].dropna(subset=[column])
        level_published = published[published["level"] == level]
        if members.empty:
            levels.append(level_published)
            continue
        summed = _sum_over_members(gemeinde_obs[gemeinde_obs["indicator_id"].isin(summable)], members, column)
        levels.append(_reconcile(summed, level_published, areas, catalogue, warnings))
    observations = pd.concat([frame.reindex(columns=OBSERVATION_COLUMNS) for frame in levels], ignore_index=True)
    observations = _mark_unplaced(observations, county.unplaced)
    observations = _derive(observations, catalogue, warnings)
    observations = _suppress_small_numbers(observations, areas, catalogue, county.config.min_count)
    return observations[OBSERVATION_COLUMNS].sort_values(["area_id", "indicator_id", "year"], ignore_index=True)


def _published_records(county: CountyInput, areas: gpd.GeoDataFrame, catalogue: pd.DataFrame, warnings: list) -> pd.DataFrame:
    """All Gemeinde, Kreis, Jugendamt and Land rows of all tables; the first configured source wins where two
    give the same value."""
    gemeinde_ids = set(areas.loc[areas["level"] == LEVEL_GEMEINDE, "area_id"])
    frames = []
    for source_id, table in county.tables:
        records = table.records[table.records["level"].isin(PUBLISHED_LEVELS)].copy()
        unknown_indicators = set(records["indicator_id"]) - set(catalogue.index)
        if unknown_indicators:
            raise ValueError(f"genesis_tables.toml yields indicators missing from the catalogue: {sorted(unknown_indicators)}")
        stray = records[(records["level"] == "gemeinde") & ~records["area_id"].isin(gemeinde_ids)]
        if not stray.empty:
            raise _stray_error(stray, table, county)
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
        derivation = records["derivation"] if "derivation" in records else "source"
        note = records["note"] if "note" in records else None
        frames.append(records.assign(source_id=source_id, derivation=derivation, note=note))
    if not frames:
        return pd.DataFrame(columns=[*OBSERVATION_COLUMNS, "level"]).astype({"value": float, "numerator": float, "denominator": float})
    everything = pd.concat(frames, ignore_index=True)
    key = ["area_id", "indicator_id", "year"]
    first = everything.drop_duplicates(key, keep="first")
    later = everything[everything.duplicated(key, keep="first")].merge(first[[*key, "value", "source_id"]], on=key, suffixes=("", "_kept"))
    conflicts = later[(later["value"] - later["value_kept"]).abs() > KREIS_TOLERANCE]
    for row in conflicts.itertuples():
        warnings.append(Finding(
            "doppelangabe",
            f"{row.indicator_id} {row.year} für {row.area_id}: Quelle {row.source_id} meldet {row.value:g}, "
            f"verwendet wird {row.value_kept:g} aus {row.source_id_kept} (zuerst konfiguriert)",
        ))  # fmt: skip
    return first.reindex(columns=[*OBSERVATION_COLUMNS, "level"])


def _stray_error(stray: pd.DataFrame, table: GenesisTable, county: CountyInput) -> EtlError:
    """Gemeinden the boundaries do not have (only without the Umsteigeschlüssel, which would convert them): every
    key is named, with the fix for a different Gebietsstand."""
    keys_names = stray.drop_duplicates("area_id")
    listing = ", ".join(f"{r.area_id} {r.name.strip()} (Zeile {r.line})" for r in keys_names.itertuples())
    row = keys_names.iloc[0]
    return EtlError(
        f"{len(keys_names)} Gemeinde(n) der Datei gibt es in den Grenzdaten des Kreises nicht: {listing}",
        file=table.file,
        line=int(row["line"]),
        column=1,
        expected="Gemeinden mit dem Gebietsstand der Grenzdaten " + str(county.boundaries.source.name),
        fix="Die Statistik hat einen anderen Gebietsstand (Gemeindefusionen, Wechsel des Kreises). Den BBSR-"
        "Umsteigeschlüssel in den Datenordner legen (statistics/gebietsaenderungen_bbsr, siehe config/README.md): dann "
        "rechnet der Build die Werte auf den Gebietsstand der Grenzdaten um. Oder Grenzdaten desselben Gebietsstands "
        "wie die Statistik verwenden. Die Zeilen nicht löschen: ihre Einwohner fehlten sonst im Kreis.",
    )


def _mark_unplaced(observations: pd.DataFrame, unplaced: pd.DataFrame | None) -> pd.DataFrame:
    """Kreis totals of a year in which a row of the Kreis could not be placed are incomplete, not "ok"."""
    if unplaced is None or unplaced.empty:
        return observations
    marks = unplaced.drop_duplicates(["kreis_id", "indicator_id", "year"]).rename(columns={"kreis_id": "area_id", "note": "mark"})
    merged = observations.merge(marks, on=["area_id", "indicator_id", "year"], how="left")
    hit = merged["mark"].notna().to_numpy()
    observations = observations.copy()
    observations.loc[hit, "value"] = np.nan
    observations.loc[hit, "status"] = markers.INCOMPLETE
    observations.loc[hit, "note"] = merged.loc[hit, "mark"].to_numpy()
    return observations


def _is_regular(bez: pd.Series) -> pd.Series:
    """False for gemeindefreie Gebiete (forests, lakes): mostly uninhabited, so tables such as the Zensus
    leave them out; their absence must not make a Kreis incomplete. A row they do have counts as usual."""
    return ~bez.fillna("").str.lower().str.contains("gemeindefrei")


def _sum_over_members(obs: pd.DataFrame, members: pd.DataFrame, group_column: str) -> pd.DataFrame:
    """Sum Gemeinde values per group; a group with any missing member value is 'incomplete' with NULL."""
    members = members.assign(regular=_is_regular(members["bez"]))
    joined = obs.merge(members, on="area_id")
    # an 'x' (statement not meaningful) for an uninhabited gemeindefreies Gebiet is no gap in the sum
    not_meaningful = ~joined["regular"] & (joined["status"] == markers.LOCKED)
    joined["missing"] = joined["status"].isin(markers.MISSING_STATUSES) & ~not_meaningful
    joined["provisional"] = joined["flag"] == "p"
    grouped = joined.groupby([group_column, "indicator_id", "year"], sort=False).agg(
        value=("value", "sum"),
        present_regular=("regular", "sum"),
        missing=("missing", "sum"),
        reference_date=("reference_date", "first"),
        provisional=("provisional", "any"),
        source_id=("source_id", "min"),
    )
    grouped = grouped.reset_index().rename(columns={group_column: "area_id"})
    grouped["flag"] = np.where(grouped.pop("provisional"), "p", None)
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
    return grouped.reindex(columns=OBSERVATION_COLUMNS)


def _reconcile(summed: pd.DataFrame, published: pd.DataFrame, areas: gpd.GeoDataFrame, catalogue: pd.DataFrame, warnings: list) -> pd.DataFrame:
    """Check Gemeinde sums against totals printed for the same area (Kreis, Jugendamt) in the tables.

    The sum is kept (it is what the Sozialräume add up to); a published total fills in where the sum is
    incomplete or where a table has rows of that level only.
    """
    key = ["area_id", "indicator_id", "year"]
    published = published.reindex(columns=OBSERVATION_COLUMNS)
    both = summed.merge(published, on=key, how="outer", suffixes=("", "_pub"), indicator=True)
    names = areas.set_index("area_id")["name"]
    converted = both["derivation_pub"] == "converted"
    tolerance = np.where(converted, np.maximum(KREIS_TOLERANCE, CONVERTED_TOLERANCE * both["value_pub"].abs()), KREIS_TOLERANCE)
    differs = (both["_merge"] == "both") & ((both["value"] - both["value_pub"]).abs() > tolerance)
    for row in both[differs].itertuples():
        label = catalogue.loc[row.indicator_id, "label"]
        published = "umgerechneter veröffentlichter Wert" if row.derivation_pub == "converted" else "veröffentlichter Wert"
        warnings.append(Finding(
            "kreissumme",
            f"{names.get(row.area_id, row.area_id)} {row.year}, {label}: Summe der Gemeinden {row.value:,.0f} ≠ "
            f"{published} {row.value_pub:,.0f} ({row.source_id_pub})",
        ))  # fmt: skip
    use_published = (both["_merge"] == "right_only") | ((both["_merge"] == "both") & (both["status"] == markers.INCOMPLETE))
    for column in ["reference_date", "value", "status", "flag", "numerator", "denominator", "derivation", "source_id", "note"]:
        both.loc[use_published, column] = both.loc[use_published, f"{column}_pub"]
    return both[OBSERVATION_COLUMNS]


def _derive(observations: pd.DataFrame, catalogue: pd.DataFrame, warnings: list) -> pd.DataFrame:
    """Derived counts and rates per area and year, in catalogue order, from the values already known.

    Where a value was published for the same area, indicator and year, the published one is kept and the
    computed one only checked against it (and lends it its numerator and denominator).
    """
    # one frame per indicator: components are looked up, not filtered from millions of rows, for each of
    # the catalogue's derived indicators
    pool = {indicator: frame for indicator, frame in observations.groupby("indicator_id", sort=False)}
    sums: dict[tuple[str, ...], tuple[list, pd.DataFrame]] = {}

    def component_sum(components: list[str]) -> pd.DataFrame:
        # many rates share a denominator: reuse a sum while none of its component frames has been replaced
        # (the cache holds the frames themselves, so an identity check cannot be fooled by a reused id)
        frames = [pool.get(c) for c in components]
        cached = sums.get(tuple(components))
        if cached is None or any(a is not b for a, b in zip(cached[0], frames)):
            cached = sums[tuple(components)] = (frames, _component_sum(pool, components))
        return cached[1]

    derived_rows = catalogue[(catalogue["sum_of"].map(len) > 0) | (catalogue["kind"] == "rate")]
    for meta in derived_rows.itertuples():
        if meta.kind == "rate":
            numerator = component_sum(meta.numerator)
            denominator = component_sum(meta.denominator)
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
            result = both.assign(
                value=value, status=status, note=note, source_id=both["source_id_num"], reference_date=both["reference_date_num"],
                numerator=both["value_num"].where(complete), denominator=both["value_den"].where(complete),
            )  # fmt: skip
        else:
            total = component_sum(meta.sum_of)
            if total.empty:
                continue
            result = total.assign(
                status=np.where(total["complete"], markers.OK, markers.INCOMPLETE),
                note=np.where(total["complete"], None, "Teilwert fehlt"),
            )
            result.loc[~result["complete"], "value"] = np.nan
        result = result.reset_index().assign(indicator_id=meta.indicator_id, flag=None, derivation="derived")
        pool[meta.indicator_id] = _merge_derived(pool.get(meta.indicator_id), result.reindex(columns=OBSERVATION_COLUMNS), meta, warnings)
    return pd.concat(pool.values(), ignore_index=True) if pool else observations.iloc[:0]


def _merge_derived(existing: pd.DataFrame | None, derived: pd.DataFrame, meta, warnings: list) -> pd.DataFrame:
    """The indicator's published values (checked against the computed ones, which lend them numerator and
    denominator) plus the computed values where nothing was published."""
    key = ["area_id", "indicator_id", "year"]
    if existing is None or existing.empty:
        return derived
    existing = existing.copy()
    overlap = existing.reset_index().merge(derived, on=key, suffixes=("", "_calc"))
    differs = overlap[(overlap["value"] - overlap["value_calc"]).abs() > RATE_TOLERANCE * (meta.per / 100 if meta.per > 1 else 1)]
    for row in differs.itertuples():
        warnings.append(Finding(
            "quote", f"{meta.label} {row.year} für {row.area_id}: veröffentlicht {row.value:g}, aus Zählern berechnet {row.value_calc:.2f}"
        ))  # fmt: skip
    existing.loc[overlap["index"], "numerator"] = overlap["numerator_calc"].values
    existing.loc[overlap["index"], "denominator"] = overlap["denominator_calc"].values
    new = derived.merge(existing[key], on=key, how="left", indicator=True)
    return pd.concat([existing, new[new["_merge"] == "left_only"].drop(columns="_merge")], ignore_index=True)


def _suppress_small_numbers(observations: pd.DataFrame, areas: gpd.GeoDataFrame, catalogue: pd.DataFrame, min_count: int) -> pd.DataFrame:
    """Withhold sensitive Gemeinde counts in (0, min_count) and rates whose numerator is one.

    Runs after aggregation: Sozialraum and Kreis values still contain the small counts.
    """
    sensitive = set(catalogue.index[catalogue["suppress_small"]])
    rates_on_sensitive = {
        row.indicator_id for row in catalogue.itertuples() if row.kind == "rate" and sensitive.intersection(row.numerator)
    }
    gemeinde = observations["area_id"].isin(areas.loc[areas["level"] == LEVEL_GEMEINDE, "area_id"])
    small_count = observations["indicator_id"].isin(sensitive) & observations["value"].between(0, min_count, inclusive="neither")
    small_rate = observations["indicator_id"].isin(rates_on_sensitive) & observations["numerator"].between(0, min_count, inclusive="neither")
    hide = gemeinde & (small_count | small_rate)
    observations.loc[hide, ["value", "numerator", "denominator"]] = np.nan
    observations.loc[hide, "status"] = markers.SUPPRESSED
    observations.loc[hide, "note"] = f"Fallzahl kleiner als {min_count}: aus Datenschutzgründen nicht ausgewiesen"
    return observations


def _component_sum(pool: dict[str, pd.DataFrame], components: list[str]) -> pd.DataFrame:
    """Sum of components per (area, year) with 'complete' = every component present and not missing."""
    present = [pool[c] for c in dict.fromkeys(components) if c in pool and not pool[c].empty]
    parts = pd.concat(present, ignore_index=True) if present else None
    if parts is None:
        return pd.DataFrame(columns=["value", "complete", "reference_date", "source_id"])
    parts = parts.assign(ok=~parts["status"].isin(markers.MISSING_STATUSES))
    by_area_year = parts.groupby(["area_id", "year"])  # one grouping, several cythonised reductions (named
    grouped = pd.DataFrame({  # aggregation costs several times more for the catalogue's ~160 derived indicators)
        "value": by_area_year["value"].sum(),
        "n": by_area_year["indicator_id"].nunique(),
        "ok": by_area_year["ok"].all(),
        "reference_date": by_area_year["reference_date"].first(),
        "source_id": by_area_year["source_id"].min(),
    })
    grouped["complete"] = grouped["ok"] & (grouped["n"] == len(set(components)))
    return grouped[["value", "complete", "reference_date", "source_id"]]
