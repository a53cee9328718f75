"""Every figure of a table at the boundaries' Gebietsstand (rules in planners' words).

- A value of year Y stands under the key the area had in year Y. With the BBSR Umsteigeschlüssel (etl/territory.py)
  it goes to the areas of the boundaries with the share of the old area's population that lies in them (its area
  share for an area figure such as the Katasterfläche). A merger has share 1: the successor gets the whole value;
  a split gives each part its share, and the shares add up to 1.
- Where the table's key is not a key of year Y in the Umsteigeschlüssel (GENESIS applies a change of 1 January to
  the figures of 31 December before, and some tables keep an older Gebietsstand), the key's nearest year is used.
- '-' means "nothing there" (0) only for an area that existed in that year. A '-' under a key that did not exist
  then (before a merger, before the Gemeinde joined the Kreis) is "not applicable": left out, never summed as 0.
  So is a marker ('.', 'x') under a key of an earlier or later year where the table lists the area's key of that
  year too: national tables print a Gemeinde that changed Kreis under both keys, the old one with '.'.
- A value that was converted says so: derivation 'converted' and the note "umgerechnet auf Gebietsstand …
  (BBSR-Umsteigeschlüssel, © BBSR Bonn)" with the old areas it came from. A value whose area did not change keeps
  derivation 'source'.
- Rates are never converted: a published rate of an area that changed is left out and computed again from the
  converted counts wherever the catalogue has its formula.
- An area of the boundaries whose figures would need a part from a Kreis the file does not contain (an extract of
  one Kreis, while the Gemeinde belonged to a neighbour then) is incomplete, not smaller.
- A key the Umsteigeschlüssel does not know in any year near Y cannot be placed: its Kreis total of that year is
  incomplete, and every such key is named. Rows of aggregated gemeindefreie Gebiete ("Gem.fr. Geb. Rosenheim")
  that the Umsteigeschlüssel does not place either are spread over the Kreis's gemeindefreie Gebiete by area.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from etl import markers
from etl.findings import Finding
from etl.territory import Crosswalk

CONVERTED = "converted"
NOTE = "umgerechnet auf Gebietsstand {stand} (BBSR-Umsteigeschlüssel, © BBSR Bonn)"
NEAREST_YEARS = 5  # how far from Y a key's own year may be
GEMEINDEFREI = re.compile(r"gem(?:einde)?\.?\s*fr|gemeindefrei|gemfr", re.IGNORECASE)
CONVERTED_LEVELS = ("gemeinde", "kreis")
TABLE = "table_no"  # the tables of a county are converted in one pass; each row says which table it came from
_MAX_PARTS_IN_NOTE = 6


@dataclass
class Converted:
    records: pd.DataFrame  # reader records at the target Gebietsstand, with derivation and note
    findings: list[Finding] = field(default_factory=list)
    unplaced: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["kreis_id", "indicator_id", "year", "note"]))


@dataclass(frozen=True)
class Targets:
    """The areas of the boundaries a build covers: names per level and the gemeindefreie Gebiete with their area."""

    scope: str
    names: dict[str, dict[str, str]]  # level -> area_id -> name
    gemeindefrei_km2: pd.Series  # area_id -> km², gemeindefreie Gebiete only


def convert_records(records: pd.DataFrame, crosswalk: Crosswalk, targets: Targets, catalogue: pd.DataFrame, labels: list[str]) -> Converted:
    """Gemeinde and Kreis rows of a county's tables at the crosswalk's Gebietsstand. ``records`` has the column
    TABLE (0, 1, …), ``labels[TABLE]`` names that table in messages; what one table says never fills a gap of another."""
    stand = crosswalk.gebietsstand
    result = Converted(records.iloc[:0].assign(derivation=None, note=None))
    parts = [records[~records["level"].isin(CONVERTED_LEVELS)].assign(derivation="source", note=None)]
    for level in CONVERTED_LEVELS:
        frame = records[records["level"] == level]
        if frame.empty:
            continue
        converted = _convert_level(frame, records, crosswalk, level, targets, catalogue, stand, labels)
        parts.append(converted.records)
        result.findings += converted.findings
        result.unplaced = pd.concat([result.unplaced, converted.unplaced], ignore_index=True)
    result.records = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(not p.empty for p in parts) else result.records
    return result


def _convert_level(frame, all_records, crosswalk, level, targets, catalogue, stand, labels) -> Converted:
    findings: list[Finding] = []
    links = crosswalk.links(level)
    # what holds for a key in a year holds for all its rows of a table: decided once per (table, year, key)
    codes = row_codes(frame, [TABLE, "year", "area_id"])
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    years, keys = frame["year"].to_numpy()[first].tolist(), frame["area_id"].to_numpy()[first].tolist()
    tables = frame[TABLE].to_numpy()[first].tolist()
    resolved_pairs = _resolved_years(years, keys, links)
    resolved = pd.Series(resolved_pairs[inverse], index=frame.index)
    lo, hi = int(links["year"].min()), int(links["year"].max())
    exact = resolved_pairs == np.clip(np.array(years, dtype=float), lo, hi)
    zero = (frame["status"] == markers.ZERO).to_numpy()
    has_number = np.bincount(inverse, weights=~zero, minlength=len(years)) > 0  # a key with a number that year is valid
    not_applicable = pd.Series(zero & ~(exact | has_number)[inverse], index=frame.index)  # then: its '-' are true zeros
    if not_applicable.any():
        candidates = frame[not_applicable]
        if targets.scope:  # only keys of the build's areas (neighbours' rows were read for the crosswalk)
            feeding = set(links.loc[links["new"].str.startswith(targets.scope), "old"].tolist())
            candidates = candidates[[k.startswith(targets.scope) or k in feeding for k in candidates["area_id"].tolist()]]
        findings += _per_table(candidates, labels, _not_applicable_findings)
    # a marker ('.', 'x') under a key that did not exist near that year holds no value: not applicable like a '-'
    marker_only = resolved.isna() & frame["status"].isin(markers.MISSING_STATUSES)
    if marker_only.any():
        not_applicable |= marker_only
        findings += _per_table(frame[marker_only & frame["area_id"].str.startswith(targets.scope)], labels, _not_applicable_findings, marker=True)
    # the same under a key of a nearby year, where the table lists the area's key of that year too (GENESIS prints
    # Trittenheim's 2016 row under its old Kreis with '.' beside its own row under the new one): no missing part
    superseded = _superseded_markers(frame, resolved, exact, inverse, links) & ~not_applicable
    if superseded.any():
        not_applicable |= superseded
        feeding = set(links.loc[links["new"].str.startswith(targets.scope), "old"].tolist())
        named = frame[superseded]
        named = named[[k.startswith(targets.scope) or k in feeding for k in named["area_id"].tolist()]]
        findings += _per_table(named, labels, _not_applicable_findings, marker=True)
    unresolved = frame[resolved.isna() & ~zero & ~marker_only]
    extra_links, unresolved = _gemeindefrei_links(unresolved, targets, level, labels, findings)
    if not extra_links.empty:
        resolved.loc[extra_links.attrs["rows"]] = frame.loc[extra_links.attrs["rows"], "year"]
        links = pd.concat([links, extra_links], ignore_index=True)
    unplaced = _unplaced(unresolved, targets, labels, findings)

    # rows whose area kept its territory need no conversion (most rows of most tables): taken as read, unless
    # another row's value goes to the same area and year
    unchanged = crosswalk.unchanged(level)
    placeable = resolved.notna() & ~not_applicable
    as_read_pairs = np.array([(r, k) in unchanged for r, k in zip(resolved_pairs.tolist(), keys)], dtype=bool)
    as_read_pairs &= np.bincount(inverse, weights=placeable.to_numpy(), minlength=len(keys)) > 0
    as_read = placeable & as_read_pairs[inverse]
    contributions = _contributions(frame, resolved, placeable & ~as_read, links, catalogue, targets)
    receiving = set(zip(contributions[TABLE].tolist(), contributions["new"].tolist(), contributions["year"].tolist()))
    shared = np.array([(t, k, y) in receiving for t, k, y in zip(tables, keys, years)], dtype=bool) if receiving else np.zeros(len(keys), bool)
    if shared.any():
        as_read_pairs &= ~shared
        as_read = placeable & as_read_pairs[inverse]
        contributions = _contributions(frame, resolved, placeable & ~as_read, links, catalogue, targets)
    if targets.scope:
        as_read_pairs &= np.array([k.startswith(targets.scope) for k in keys], dtype=bool)
        as_read = placeable & as_read_pairs[inverse]
    kept = (frame if as_read.all() else frame[as_read]).assign(derivation="source", note=None)
    placed = {(t, k, y, r) for t, k, y, r, keep in zip(tables, keys, years, resolved_pairs.tolist(), as_read_pairs) if keep}
    placed |= set(zip(contributions[TABLE].tolist(), contributions["new"].tolist(), contributions["year"].tolist(), contributions["resolved"].tolist()))
    if contributions.empty:
        converted = kept
    else:
        changed = crosswalk.changed(level) | _changed_areas(extra_links)
        converted = pd.concat([kept, _aggregate(contributions, targets.names.get(level, {}), stand, changed)], ignore_index=True)
    converted = _mark_missing_sources(converted, placed, frame, all_records, links, level, targets, labels, findings)
    converted, dropped = _drop_converted_rates(converted, catalogue)
    findings += _conversion_findings(contributions, converted, dropped, level, targets, labels)
    return Converted(converted, findings, unplaced)


def row_codes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One integer per distinct combination of ``columns`` (fast grouping of 800,000 rows of text keys)."""
    code = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(frame[column])
        code = code * (len(uniques) + 1) + codes
    return code


def _contributions(frame, resolved, rows, links, catalogue, targets) -> pd.DataFrame:
    """Each row's share of value for each area of the target its old area went to (in the build's scope)."""
    if not rows.any():
        return frame.iloc[:0].assign(resolved=np.nan, year_link=0, old="", new="", pop=0.0, area=0.0, w=0.0)
    chosen = frame[rows].assign(resolved=resolved[rows])
    contributions = chosen.merge(links, left_on=["resolved", "area_id"], right_on=["year", "old"], suffixes=("", "_link"))
    area_indicators = set(catalogue.index[catalogue["conversion"] == "area"]) if "conversion" in catalogue else set()
    contributions["w"] = np.where(contributions["indicator_id"].isin(area_indicators), contributions["area"], contributions["pop"])
    return contributions[(contributions["w"] > 0) & contributions["new"].str.startswith(targets.scope)]


def _superseded_markers(frame: pd.DataFrame, resolved: pd.Series, exact_pairs: np.ndarray, inverse: np.ndarray, links: pd.DataFrame) -> pd.Series:
    """Rows with only a marker ('.', 'x', '-') under a key placed by a nearby year whose every target area gets a row
    of the same table and year under a key of that very year: an obsolete key listed beside the current one.
    ``exact_pairs`` says per (table, year, key) – ``inverse`` maps rows to them – whether the key is one of its year."""
    marker = frame["status"].isin(markers.MISSING_STATUSES + (markers.ZERO,)).to_numpy()
    only_markers = np.bincount(inverse, weights=~marker, minlength=len(exact_pairs)) == 0
    exact = exact_pairs[inverse]
    candidate = pd.Series(marker & ~exact & only_markers[inverse], index=frame.index) & resolved.notna()
    group = [TABLE, "year", "area_id"]
    result = pd.Series(False, index=frame.index)
    if not candidate.any():
        return result
    lost = frame.loc[candidate, group].assign(resolved=resolved[candidate]).drop_duplicates()
    lost_targets = lost.merge(links, left_on=["resolved", "area_id"], right_on=["year", "old"], suffixes=("", "_link"))
    feeders = links.loc[links["new"].isin(set(lost_targets["new"].tolist())), "old"].unique()  # keys that could serve them
    nearby = exact & ~marker & frame["area_id"].isin(feeders).to_numpy() & frame["year"].isin(lost["year"].unique()).to_numpy()
    current = frame.loc[nearby, group].drop_duplicates()
    lo, hi = int(links["year"].min()), int(links["year"].max())
    current = current.assign(link_year=current["year"].clip(lo, hi))
    served = current.merge(links, left_on=["link_year", "area_id"], right_on=["year", "old"], suffixes=("", "_link"))
    served_keys = set(zip(served[TABLE].tolist(), served["year"].tolist(), served["new"].tolist()))
    covered = [(t, y, n) in served_keys for t, y, n in zip(lost_targets[TABLE], lost_targets["year"], lost_targets["new"])]
    whole = lost_targets.assign(covered=covered).groupby(group)["covered"].all()
    obsolete = set(whole[whole].index.tolist())
    rows = frame.loc[candidate, group]
    result.loc[rows.index] = [k in obsolete for k in zip(rows[TABLE], rows["year"], rows["area_id"])]
    return result


def _resolved_years(years: list[int], keys: list[str], links: pd.DataFrame) -> np.ndarray:
    """Per (year, key) the year whose keys the key belongs to: its own year if the key existed then, else the
    nearest year (up to NEAREST_YEARS away, later years first) in which it did; NaN if none."""
    known = set(zip(links["year"].tolist(), links["old"].tolist()))
    lo, hi = int(links["year"].min()), int(links["year"].max())
    offsets = [0] + [o for d in range(1, NEAREST_YEARS + 1) for o in (d, -d)]
    found = []
    for year, key in zip(years, keys):
        base = min(max(year, lo), hi)
        found.append(next((base + o for o in offsets if (base + o, key) in known), np.nan))
    return np.array(found, dtype=float)


def _changed_areas(links: pd.DataFrame) -> set[tuple[str, float]]:
    """(area, year) of links made here (for aggregate rows) whose area takes in parts of other keys; the
    crosswalk's own are Crosswalk.changed."""
    if links.empty:
        return set()
    return set(zip(links["new"].tolist(), links["year"].astype(float).tolist()))


def _aggregate(contributions: pd.DataFrame, names: dict[str, str], stand: str, changed: set[tuple[str, float]]) -> pd.DataFrame:
    """One record per area of the target, indicator and year from its contributions."""
    contributions = contributions.assign(changed=[(n, r) in changed for n, r in zip(contributions["new"], contributions["resolved"])])
    c = contributions.assign(
        part=contributions["value"] * contributions["w"],
        missing=contributions["status"].isin(markers.MISSING_STATUSES),
        missing_status=contributions["status"].where(contributions["status"].isin(markers.MISSING_STATUSES)),
        is_ok=contributions["status"] == markers.OK,
        same=(contributions["area_id"] == contributions["new"]) & (contributions["w"] == 1) & ~contributions["changed"],
    )
    key = [TABLE, "new", "indicator_id", "year"]
    g = c.groupby(key, sort=False)
    out = g[["level", "name", "reference_date", "status", "flag", "column"]].first().rename(columns={"status": "first_status"})
    out[["value", "n_missing", "n_ok", "n_same"]] = g[["part", "missing", "is_ok", "same"]].sum()  # one pass per kind of reduction
    out["n"], out["line"], out["missing_kinds"] = g.size(), g["line"].min(), g["missing_status"].nunique()
    out = out.reset_index().rename(columns={"new": "area_id"})
    out["any_ok"], out["same"] = out.pop("n_ok") > 0, out.pop("n_same") == out["n"]
    identity = (out["n"] == 1) & out["same"]
    all_missing = out["n_missing"] == out["n"]
    status = np.where(out["n_missing"] == 0, np.where(out["any_ok"], markers.OK, markers.ZERO), markers.INCOMPLETE)
    status = np.where(all_missing & (out["missing_kinds"] == 1), out["first_status"], status)
    out["status"] = status
    out.loc[out["n_missing"] > 0, "value"] = np.nan
    out["derivation"] = np.where(identity, "source", CONVERTED)
    note = NOTE.format(stand=stand)
    out["note"] = None
    if not identity.all():
        changed = c[c.set_index(key).index.isin(pd.MultiIndex.from_frame(out.loc[~identity, [TABLE, "area_id", "indicator_id", "year"]]))]
        sources = _source_lists(changed, key)
        where = pd.MultiIndex.from_frame(out.loc[~identity, [TABLE, "area_id", "indicator_id", "year"]])
        out.loc[~identity, "note"] = note + ": " + pd.Series(sources.reindex(where).to_numpy(), index=out.index[~identity]).fillna("")
    partly = (out["status"] == markers.INCOMPLETE)
    out.loc[partly, "note"] = out.loc[partly, "n_missing"].astype(int).astype(str) + " von " + out.loc[partly, "n"].astype(str) + " Teilgebieten ohne Wert; " + out.loc[partly, "note"].fillna(note)
    out["name"] = out["area_id"].map(names).fillna(out["name"])
    return out.drop(columns=["n", "n_missing", "any_ok", "missing_kinds", "first_status", "same"])


def _source_lists(c: pd.DataFrame, key: list[str]) -> pd.Series:
    """'aus Brimingen (07232021), Hisel (07232033, 62 %)' per target, indicator and year."""
    share = np.where(c["w"] >= 0.9995, "", ", " + (c["w"] * 100).round(0).astype(int).astype(str) + " %")
    label = c["name"].str.strip() + " (" + c["area_id"] + share + ")"
    return label.groupby([c[k] for k in key], sort=False).agg(_join_limited).rename(None).map(lambda text: "aus " + text)


def _join_limited(labels: pd.Series) -> str:
    unique = list(dict.fromkeys(labels))
    shown = ", ".join(unique[:_MAX_PARTS_IN_NOTE])
    return shown + (f" und {len(unique) - _MAX_PARTS_IN_NOTE} weiteren" if len(unique) > _MAX_PARTS_IN_NOTE else "")


def _mark_missing_sources(converted, contributions, frame, all_records, links, level, targets, labels, findings) -> pd.DataFrame:
    """Areas that would need a part the file does not hold on this level in that year are incomplete, not smaller:
    the file lacks the part's Kreis (an extract of one Kreis), or names it only as a whole (a Kreis table, whose
    Gemeinde of a kreisfreie Stadt took in Gemeinden of a Landkreis). The parts an area needs are those of the year its
    rows were placed with (a row under the key of 2012 for 2011 needs no part of the key it had in 2011). Only areas
    with a row of their own that year, or in a Kreis the file lists on this level, are marked: a Kreis table gives the
    Gemeinden of a Landkreis no value, incomplete or not. ``contributions``: (table, target area, table year, links'
    year) of every placed row."""
    same_level = all_records[all_records["level"] == level] if (all_records["level"] != level).any() else all_records
    pairs = pd.DataFrame({"t": same_level[TABLE], "kreis": same_level["area_id"].str[:5], "year": same_level["year"]}).drop_duplicates()
    covered = set(zip(pairs["t"].tolist(), pairs["kreis"].tolist(), pairs["year"].tolist()))
    lo, hi = links["year"].min(), links["year"].max()
    table_years = sorted(set(zip(frame[TABLE].tolist(), frame["year"].tolist())))
    # only links from a Kreis that is absent in some year of a table can miss a part
    near = links[links["year"].isin({min(max(y, lo), hi) for _, y in table_years} | {r for _, _, _, r in contributions})]
    absent = {k for k in near["old"].str[:5].unique().tolist() if not all((t, k, y) in covered for t, y in table_years)}
    if not absent:
        return converted
    in_scope = links[links["new"].str.startswith(targets.scope) & (links["pop"] > 0)]
    in_scope = in_scope[in_scope["new"].isin(in_scope.loc[in_scope["old"].str[:5].isin(absent), "new"])]
    if in_scope.empty:
        return converted
    placed = {(t, n, y): r for t, n, y, r in contributions}
    own = set(zip(frame[TABLE].tolist(), frame["area_id"].str[:5].tolist(), frame["year"].tolist()))
    pairs = [(t, n, y, placed.get((t, n, y), min(max(y, lo), hi))) for n in in_scope["new"].unique() for t, y in table_years
             if (t, n, y) in placed or (t, n[:5], y) in own]  # fmt: skip
    pairs = pd.DataFrame(pairs, columns=[TABLE, "new", "table_year", "resolved"])
    wanted = pairs.merge(in_scope, left_on=["resolved", "new"], right_on=["year", "new"])
    missing = wanted[[(t, k, y) not in covered for t, k, y in zip(wanted[TABLE], wanted["old"].str[:5], wanted["table_year"])]]
    if missing.empty:
        return converted
    anywhere = set(zip(all_records[TABLE].tolist(), all_records["area_id"].str[:5].tolist(), all_records["year"].tolist()))
    missing = missing.assign(whole=[(t, k, y) in anywhere for t, k, y in zip(missing[TABLE], missing["old"].str[:5], missing["table_year"])])
    indicators = frame.groupby([TABLE, "year"])["indicator_id"].unique()
    names = targets.names.get(level, {})
    rows, messages = [], []
    for (t, target, year, whole), group in missing.groupby([TABLE, "new", "table_year", "whole"]):
        parts = ", ".join(sorted(group["old"].unique()))
        kreise = ", ".join(sorted(group["old"].str[:5].unique()))
        where = f"steht in der Datei nur in der Zeile des Kreises {kreise}" if whole else f"fehlt in der Datei (Kreis {kreise})"
        messages.append((t, whole, target, year, parts))
        rows += [(t, target, i, year, f"unvollständig: der Teil aus {parts} {where}") for i in indicators.get((t, year), [])]
    marks = pd.DataFrame(rows, columns=[TABLE, "area_id", "indicator_id", "year", "note"]).drop_duplicates([TABLE, "area_id", "indicator_id", "year"])
    mark_of = dict(zip(_series_keys(marks), marks["note"]))
    keys = _series_keys(converted)
    hit = keys.isin(mark_of).to_numpy()
    converted = converted.copy()
    converted.loc[hit, "value"] = np.nan
    converted.loc[hit, "status"] = markers.INCOMPLETE
    converted.loc[hit, "note"] = keys[hit].map(mark_of).to_numpy()
    converted.loc[hit, "derivation"] = CONVERTED
    new = marks[~_series_keys(marks).isin(set(keys)).to_numpy()]
    if not new.empty:  # areas without any row of their own that year: incomplete, not absent
        added = new.assign(level=level, name=new["area_id"].map(names).fillna(new["area_id"]), value=np.nan,
                           status=markers.INCOMPLETE, derivation=CONVERTED)  # fmt: skip
        converted = pd.concat([converted, added.reindex(columns=converted.columns)], ignore_index=True)
    causes = (
        (False, "die Datei den Kreis eines Teilgebiets im Jahr nicht enthält", "ist die Datei ein Auszug, die bundesweite Datei "
         "der Tabelle (full_original) konfigurieren; ist sie bundesweit, steht der Teil dort unter einem anderen Schlüssel, und "
         "die Summe der Gemeinden gilt."),
        (True, "die Datei ein Teilgebiet im Jahr nur als Teil einer Kreiszeile nennt", "keine nötig – der Kreiswert kommt aus den "
         "umgerechneten Kreiszeilen; für Gemeindewerte eine Tabelle mit Gemeindezeilen konfigurieren."),
    )  # fmt: skip
    for t in sorted({m[0] for m in messages}):
        for whole, cause, fix in causes:
            listed = [(n, y, p) for tt, w, n, y, p in messages if tt == t and w == whole]
            if not listed:
                continue
            listing = "; ".join(
                f"{names.get(n, n)} ({n}) {_years(pd.Series([y for nn, y, pp in listed if nn == n and pp == p]))}: Teil aus {p}"
                for n, p in dict.fromkeys((n, p) for n, _, p in listed)
            )
            findings.append(Finding("quelle_unvollstaendig", f"{labels[t]}: Werte auf dem Gebietsstand der Grenzdaten "
                                    f"unvollständig, weil {cause} – {listing}. Abhilfe: {fix}"))  # fmt: skip
    return converted


def _series_keys(frame: pd.DataFrame) -> pd.Series:
    return frame[TABLE].astype(str) + "|" + frame["area_id"] + "|" + frame["indicator_id"] + "|" + frame["year"].astype(str)


def _drop_converted_rates(converted: pd.DataFrame, catalogue: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rates = set(catalogue.index[catalogue["kind"] == "rate"])
    drop = (converted["derivation"] == CONVERTED) & converted["indicator_id"].isin(rates)
    if not drop.any():
        return converted, converted.iloc[:0]
    return converted[~drop], converted[drop]


def _gemeindefrei_links(unresolved, targets, level, labels, findings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Links for aggregate rows of gemeindefreie Gebiete the Umsteigeschlüssel does not know: to the Kreis's
    gemeindefreie Gebiete in the boundaries, by area."""
    empty = pd.DataFrame(columns=["year", "old", "new", "pop", "area"])
    empty.attrs["rows"] = []
    if level != "gemeinde" or unresolved.empty or targets.gemeindefrei_km2.empty:
        return empty, unresolved
    aggregate = unresolved[unresolved["name"].str.contains(GEMEINDEFREI)]
    rows, used = [], []
    for (t, year, key), group in aggregate.groupby([TABLE, "year", "area_id"]):
        polygons = targets.gemeindefrei_km2[targets.gemeindefrei_km2.index.str.startswith(key[:5])]
        if polygons.empty or polygons.sum() <= 0:
            continue
        share = polygons / polygons.sum()
        rows += [(year, key, area_id, s, s) for area_id, s in share.items()]
        used += list(group.index)
        findings.append(Finding("zusammengefasst", f"{labels[t]}: {group['name'].iloc[0].strip()} ({key}) {year} auf die gemeindefreien "
                                f"Gebiete {', '.join(polygons.index)} verteilt (nach Fläche)"))  # fmt: skip
    if not rows:
        return empty, unresolved
    links = pd.DataFrame(rows, columns=["year", "old", "new", "pop", "area"]).drop_duplicates(["year", "old", "new"])
    links.attrs["rows"] = used
    return links, unresolved.drop(index=used)


def _unplaced(unresolved: pd.DataFrame, targets: Targets, labels: list[str], findings: list[Finding]) -> pd.DataFrame:
    """Rows no link places: noted; those with a value make their Kreis's total of that year incomplete."""
    columns = ["kreis_id", "indicator_id", "year", "note"]
    mine = unresolved[unresolved["area_id"].str.startswith(targets.scope)]
    if mine.empty:
        return pd.DataFrame(columns=columns)
    empty = (mine["value"] == 0) & (mine["status"] == markers.OK)
    for t, rows in mine.groupby(TABLE):
        listing = _key_years(rows.assign(name=rows["name"].str.strip()))
        findings.append(Finding("ohne_zuordnung", f"{labels[t]}: im Umsteigeschlüssel in keinem Jahr ±{NEAREST_YEARS} gefunden: "
                                f"{listing}. Kreiswerte dieser Jahre sind unvollständig. Abhilfe: Schlüssel in der Datei prüfen "
                                "(Tippfehler, Gebietsstand vor 1990) oder eine Datei mit dem Gebietsstand der Grenzdaten verwenden."))  # fmt: skip
    counted = mine[~empty]
    note = "unvollständig: Gebiete ohne Zuordnung im Umsteigeschlüssel (" + ", ".join(sorted(counted["area_id"].unique())) + ")"
    marks = counted.assign(kreis_id=counted["area_id"].str[:5])[["kreis_id", "indicator_id", "year"]].drop_duplicates()
    return marks.assign(note=note)


def _per_table(rows: pd.DataFrame, labels: list[str], make, **options) -> list[Finding]:
    """``make(rows of one table, its label)`` for every table among ``rows``."""
    return [f for t, group in rows.groupby(TABLE) for f in make(group, labels[t], **options)]


def _not_applicable_findings(rows: pd.DataFrame, label: str, marker: bool = False) -> list[Finding]:
    if rows.empty:
        return []
    if marker:
        return [Finding("nicht_zutreffend", f"{label}: Zeichen ohne Wert ('.', 'x') für Schlüssel, die es im Jahr nicht mehr "
                        f"oder noch nicht gab (nicht zutreffend, weggelassen): {_key_years(rows)}")]  # fmt: skip
    return [Finding("nicht_zutreffend", f"{label}: '-' für Gebiete, die es im Jahr unter diesem Schlüssel nicht gab "
                    f"(nicht zutreffend, nicht als 0 gezählt): {_key_years(rows)}")]  # fmt: skip


def _conversion_findings(contributions, converted, dropped, level, targets, labels) -> list[Finding]:
    findings = []
    key = [TABLE, "new", "indicator_id", "year"]
    done = converted.loc[(converted["derivation"] == CONVERTED) & (converted["status"] != markers.INCOMPLETE), [TABLE, "area_id", "indicator_id", "year"]]
    changed = contributions[pd.MultiIndex.from_frame(contributions[key]).isin(pd.MultiIndex.from_frame(done))] if not done.empty else contributions.iloc[:0]
    names = targets.names.get(level, {})
    for t, table_rows in changed.groupby(TABLE):
        parts = []
        for target, group in table_rows.groupby("new", sort=True):
            sources = group.assign(name=group["name"].str.strip())
            parts.append(f"{names.get(target, target)} ({target}) ← {_key_years(sources, show_share=True)}")
        what = ("Gemeinde" if len(parts) == 1 else "Gemeinden") if level == "gemeinde" else ("Kreis" if len(parts) == 1 else "Kreise")
        findings.append(Finding("umrechnung", f"{labels[t]}: {len(parts)} {what} auf den Gebietsstand der Grenzdaten umgerechnet "
                                f"(BBSR-Umsteigeschlüssel): {'; '.join(parts)}"))  # fmt: skip
    for t, table_rows in dropped.groupby(TABLE):
        listing = ", ".join(f"{i} {_years(g['year'])} für {', '.join(sorted(g['area_id'].unique()))}" for i, g in table_rows.groupby("indicator_id"))
        findings.append(Finding("quote_umgerechnet", f"{labels[t]}: veröffentlichte Quoten umgerechneter Gebiete nicht übernommen "
                                f"(eine Quote wird nie umgerechnet; wo der Katalog ihre Formel hat, aus umgerechneten Zählern neu "
                                f"berechnet): {listing}"))  # fmt: skip
    return findings


def _key_years(rows: pd.DataFrame, show_share: bool = False) -> str:
    """'Trittenheim (07235207) 2008–2010, …' – every key once, with its years."""
    parts = []
    for key, group in rows.groupby("area_id", sort=True):
        share = ""
        if show_share and "w" in group and (group["w"] < 0.9995).any():
            share = f", Anteil {group['w'].min() * 100:.0f} %".replace(".", ",") if group["w"].nunique() == 1 else ", Anteile"
        parts.append(f"{group['name'].iloc[0].strip()} ({key}{share}) {_years(group['year'])}")
    return ", ".join(parts)


def _years(years: pd.Series) -> str:
    """2008, 2009, 2010, 2015 → '2008–2010, 2015'."""
    runs: list[list[int]] = []
    for year in sorted(int(y) for y in years.unique()):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)
