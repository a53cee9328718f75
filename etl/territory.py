"""Which old territory belongs, with which share, to which area of the boundaries' Gebietsstand.

Statistics of year Y are published for the Gemeinden and Kreise as they were in year Y (Gebietsstand 31.12.Y);
the boundaries show one Gebietsstand (BKG VG5000 "01-01 2021" = Gebietsstand 31.12.2020). The BBSR Umsteigeschlüssel
says how an old area's figures go to the areas of 31.12.2020, the way INKAR shows every series at today's
boundaries. A *link* is one row (year, old key, new key, pop, area): the share of the old area's population and of
its area that lies in the new area.

- Gemeinden, years up to 2019: the long CSV (every Gemeinde of every year 1990–2019 → 31.12.2020).
- Gemeinden, 2020: the Gemeinden of 31.12.2020 themselves.
- Gemeinden, 2021–2023 (a table newer than the boundaries): BBSR's workbook chains 2020 → 2021 → 2022 → 2023. Going
  back, a Gemeinde formed by a merger is split among the Gemeinden of 2020 it was made of, in proportion to their
  population of 31.12.2020 (their area for an area figure) – an estimate, and marked as converted like any other.
- Kreise, years up to 2020: BBSR's Kreis workbook (every year → Kreise of 31.12.2021). A Kreis of 2021 that was two
  in 2020 (Eisenach 16056 joined the Wartburgkreis 16063 in July 2021) is given back to the 2020 Kreis the old
  territory belonged to; Kreise of 2021 onwards come from the Gemeinde chain, summed per Kreis.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, cached_property
from pathlib import Path

import pandas as pd

from etl.sources import crosswalk as files

BASE_YEAR = 2020  # Gebietsstand of the long CSV's targets
LINK_COLUMNS = files.LINK_COLUMNS


@dataclass(frozen=True)
class Crosswalk:
    """Links from every year's keys to the areas of one Gebietsstand (31.12. of ``target_year``).

    ``codes`` holds the keys as integers (reading 440,000 text keys would cost a Kreis build half a second);
    ``gemeinde`` and ``kreis`` give them as text, 8-digit AGS and 5-digit Kreis keys."""

    target_year: int
    codes: pd.DataFrame = field(repr=False)  # level (GEMEINDE_CODE/KREIS_CODE), year, old, new (int64), pop, area
    folder: Path

    @property
    def gebietsstand(self) -> str:
        return f"31.12.{self.target_year}"

    @cached_property
    def gemeinde(self) -> pd.DataFrame:
        return _as_text(self.codes[self.codes["level"] == GEMEINDE_CODE], 8)

    @cached_property
    def kreis(self) -> pd.DataFrame:
        return _as_text(self.codes[self.codes["level"] == KREIS_CODE], 5)

    def fitted(self, gemeinden: set[str]) -> Crosswalk:
        """Links that end at a Gemeinde the boundaries do not have are carried one step on with BBSR's workbook
        (2020 → 2021): BKG's release of 1 January already shows mergers that took effect that day (VG5000
        "01-01 2021" has Greußen 16065089, merged on 1.1.2021; the Umsteigeschlüssel ends at its parts)."""
        c = self.codes
        gemeinde = c[c["level"] == GEMEINDE_CODE]
        known = set(int(k) for k in gemeinden)
        stray = gemeinde[~gemeinde["new"].isin(known)]
        step = c[(c["level"] == STEP_CODE) & c["new"].isin(known)]
        if stray.empty or step.empty:
            return self
        onward = stray.merge(step[["old", "new", "pop", "area"]], left_on="new", right_on="old", suffixes=("", "_step"))
        onward = onward.assign(new=onward["new_step"], pop=onward["pop"] * onward["pop_step"], area=onward["area"] * onward["area_step"])
        onward = onward.groupby(["level", "year", "old", "new"], as_index=False)[["pop", "area"]].sum()
        kept = c.drop(index=stray.index[stray["new"].isin(step["old"])])
        return Crosswalk(self.target_year, pd.concat([kept, onward[kept.columns]], ignore_index=True), self.folder)

    def links(self, level: str) -> pd.DataFrame:
        return self.gemeinde if level == "gemeinde" else self.kreis

    def unchanged(self, level: str) -> set[tuple[int, str]]:
        """(year, key) of areas whose territory in that year is that of the target's area of the same key: the only
        link into it is its own, whole. Their values need no conversion."""
        return self._unchanged[level]

    def changed(self, level: str) -> set[tuple[str, float]]:
        """(key, year) of areas of the target whose territory in that year was not exactly that of their own key:
        they received parts of other keys, or gave a part away."""
        return self._changed[level]

    @cached_property
    def _changed(self) -> dict[str, set[tuple[str, float]]]:
        result = {}
        for level in ("gemeinde", "kreis"):
            links = self.links(level)
            size = links.groupby(["year", "new"], sort=False)["old"].transform("size")
            own = (links["old"] == links["new"]) & (links["pop"] >= 0.9995) & (links["area"] >= 0.9995)
            received = links[(size > 1) | ~own]
            gave = links[links["old"] != links["new"]]
            result[level] = set(zip(received["new"].tolist(), received["year"].astype(float).tolist())) | set(
                zip(gave["old"].tolist(), gave["year"].astype(float).tolist())
            )
        return result

    @cached_property
    def _unchanged(self) -> dict[str, set[tuple[int, str]]]:
        result = {}
        for level in ("gemeinde", "kreis"):
            links = self.links(level)
            size = links.groupby(["year", "new"], sort=False)["old"].transform("size")
            whole = (size == 1) & (links["old"] == links["new"]) & (links["pop"] >= 0.9995) & (links["area"] >= 0.9995)
            result[level] = set(zip(links.loc[whole, "year"].astype(int).tolist(), links.loc[whole, "new"].tolist()))
        return result

    def for_scope(self, scope: str) -> Crosswalk:
        """Only the links a build of ``scope`` can use (those of the Kreise its rows are read from): a Kreis build
        looks keys up in a few hundred links instead of 400,000."""
        if not scope:
            return self
        prefixes = self.source_kreise(scope)
        c = self.codes
        gemeinde = c["level"].isin((GEMEINDE_CODE, STEP_CODE)) & (_starts(c["old"], 8, prefixes) | _starts(c["new"], 8, (scope,)))
        kreis = (c["level"] == KREIS_CODE) & (_starts(c["old"], 5, prefixes) | _starts(c["new"], 5, (scope,)))
        return Crosswalk(self.target_year, c[gemeinde | kreis].reset_index(drop=True), self.folder)

    def source_kreise(self, scope: str) -> tuple[str, ...]:
        """Kreis keys whose rows may hold figures of the scope's areas in some year (Trier-Saarburg also needs rows of
        Bernkastel-Wittlich: Trittenheim changed Kreis in 2012). ``scope`` "" (Germany) needs every row."""
        if not scope:
            return ("",)
        c = self.codes
        gemeinde = c[(c["level"] == GEMEINDE_CODE) & _starts(c["new"], 8, (scope,))]["old"] // 1000
        kreis = c[(c["level"] == KREIS_CODE) & _starts(c["new"], 5, (scope,))]["old"]
        old = {f"{k:05d}" for k in set(gemeinde.tolist()) | set(kreis.tolist())}
        return (scope, *sorted(k for k in old if not k.startswith(scope)))  # a Land prefix covers its own Kreise


GEMEINDE_CODE, KREIS_CODE, STEP_CODE = 0, 1, 2  # STEP: Gemeinden of the target to those of the year after


def _starts(keys: pd.Series, digits: int, prefixes: tuple[str, ...]) -> pd.Series:
    """Integer keys of ``digits`` digits whose text form starts with one of ``prefixes``."""
    mask = pd.Series(False, index=keys.index)
    for prefix in prefixes:
        if not prefix:
            return pd.Series(True, index=keys.index)
        mask |= (keys // 10 ** (digits - len(prefix))) == int(prefix)
    return mask


def _as_text(codes: pd.DataFrame, digits: int) -> pd.DataFrame:
    text = codes.drop(columns="level").reset_index(drop=True)
    text["old"] = text["old"].map(lambda k: f"{k:0{digits}d}")
    text["new"] = text["new"].map(lambda k: f"{k:0{digits}d}")
    return text[LINK_COLUMNS]


def gebietsstand_year(vintage: str | None) -> int:
    """The boundaries' Gebietsstand as a year: a release of 1 January shows the areas of 31 December before
    (VG5000 "2021-01-01" → 2020); without a vintage the Umsteigeschlüssel's own target, 2020."""
    if not vintage:
        return BASE_YEAR
    day = date.fromisoformat(str(vintage)[:10])
    return (day - timedelta(days=1)).year if (day.month, day.day) == (1, 1) else day.year


@cache
def load_crosswalk(data_root: Path, target_year: int = BASE_YEAR) -> Crosswalk:
    """The links of the data root's Umsteigeschlüssel to Gebietsstand 31.12.``target_year`` (2020–2023)."""
    base = files.folder(data_root)
    sources = [base / name for name in (files.GEMEINDEN_CSV, files.GEMEINDEN_WORKBOOK, files.KREISE_WORKBOOK)]
    codes = files.cached_frame(f"links-{target_year}", sources, lambda: _all_links(base, target_year))
    return Crosswalk(target_year, codes, base)


def _all_links(base: Path, target_year: int) -> pd.DataFrame:
    long = files.read_long_csv(base / files.GEMEINDEN_CSV)
    steps = files.read_step_workbook(base / files.GEMEINDEN_WORKBOOK, "gemeinde")
    kreis_steps = files.read_step_workbook(base / files.KREISE_WORKBOOK, "kreis")
    gemeinde, masses = gemeinde_links(long, steps)
    kreis = kreis_links(kreis_steps, masses, steps)
    if target_year != BASE_YEAR:
        forward = _forward_shares(masses, target_year)
        gemeinde = compose(gemeinde, forward)
        kreis = compose(kreis, _by_kreis(forward))
    step = steps[steps["year"] == target_year][LINK_COLUMNS].assign(level=STEP_CODE)
    both = pd.concat([gemeinde.assign(level=GEMEINDE_CODE), kreis.assign(level=KREIS_CODE), step], ignore_index=True)
    return both.astype({"level": "int8", "year": "int16", "old": "int64", "new": "int64"})[["level", *LINK_COLUMNS]]


def gemeinde_links(long: pd.DataFrame, steps: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Links of every year's Gemeinde keys to 31.12.2020, and the masses of the forward chain from 2020
    (g20, year, new, pop, area: the population and area of 2020 that lie in key ``new`` of ``year``)."""
    first = steps[steps["year"] == BASE_YEAR]
    keys_2020 = sorted(set(first["old"]) | set(long["new"]))
    identity = pd.DataFrame({"year": BASE_YEAR, "old": keys_2020, "new": keys_2020, "pop": 1.0, "area": 1.0})
    population = first.groupby("old")["old_population"].first()
    area = first.groupby("old")["old_area_km2"].first()
    mass = pd.DataFrame({"g20": keys_2020, "year": BASE_YEAR, "new": keys_2020})
    mass["pop"] = mass["g20"].map(population).fillna(0.0)
    mass["area"] = mass["g20"].map(area).fillna(0.0)
    masses = [mass]
    for year in sorted(steps["year"].unique()):
        step = steps[steps["year"] == year]
        current = masses[-1]
        moved = current.merge(step[["old", "new", "pop", "area"]], left_on="new", right_on="old", suffixes=("", "_share"))
        unlisted = current[~current["new"].isin(step["old"])]  # not in the sheet: unchanged
        moved = pd.DataFrame({
            "g20": moved["g20"], "year": int(year) + 1, "new": moved["new_share"],
            "pop": moved["pop"] * moved["pop_share"], "area": moved["area"] * moved["area_share"],
        })  # fmt: skip
        masses.append(pd.concat([moved, unlisted.assign(year=int(year) + 1)], ignore_index=True))
    later = [_reverse(m) for m in masses[1:]]
    links = pd.concat([long, identity, *later], ignore_index=True).drop_duplicates(["year", "old", "new"])  # the CSV has 2020
    return links[LINK_COLUMNS].astype({"year": "int16"}), pd.concat(masses, ignore_index=True)


def _reverse(mass: pd.DataFrame) -> pd.DataFrame:
    """Links from a later year's keys back to 2020: each later Gemeinde is split among the Gemeinden of 2020 it holds,
    by their population (area) in it; an uninhabited one by area, one without area in equal parts."""
    grouped = mass.groupby(["year", "new", "g20"], as_index=False)[["pop", "area"]].sum()
    total = grouped.groupby(["year", "new"])[["pop", "area"]].transform("sum")
    parts = grouped.groupby(["year", "new"])["g20"].transform("size")
    area = (grouped["area"] / total["area"]).where(total["area"] > 0, 1 / parts)
    pop = (grouped["pop"] / total["pop"]).where(total["pop"] > 0, area)
    return pd.DataFrame({"year": grouped["year"], "old": grouped["new"], "new": grouped["g20"], "pop": pop, "area": area})


def kreis_links(kreis_steps: pd.DataFrame, masses: pd.DataFrame, steps: pd.DataFrame) -> pd.DataFrame:
    """Links of every year's Kreis keys to the Kreise of 31.12.2020."""
    up_to_2020 = kreis_steps[kreis_steps["year"] <= BASE_YEAR]
    in_2020 = up_to_2020[up_to_2020["year"] == BASE_YEAR]
    members = in_2020.groupby("new")["old"].agg(lambda s: sorted(set(s)))  # Kreis of 2021 → its Kreise of 2020
    first = steps[steps["year"] == BASE_YEAR]
    population = first.groupby("old")["old_population"].first().groupby(lambda ags: ags[:5]).sum()
    rows = []
    for row in up_to_2020.itertuples(index=False):
        parts = members.get(row.new, [row.new])
        if len(parts) == 1 or row.old in parts:
            rows.append((row.year, row.old, parts[0] if len(parts) == 1 else row.old, row.pop, row.area))
            continue
        weights = population.reindex(parts).fillna(0.0)  # a piece of another Kreis: split by the 2020 population
        weights = weights / weights.sum() if weights.sum() > 0 else pd.Series(1 / len(parts), index=parts)
        rows += [(row.year, row.old, part, row.pop * w, row.area * w) for part, w in weights.items()]
    links = pd.DataFrame(rows, columns=LINK_COLUMNS)
    later = masses[masses["year"] > BASE_YEAR].assign(g20=lambda m: m["g20"].str[:5], new=lambda m: m["new"].str[:5])
    links = pd.concat([links, _reverse(later)], ignore_index=True)
    links = links.groupby(["year", "old", "new"], as_index=False)[["pop", "area"]].sum()
    return files.normalise_shares(links)[LINK_COLUMNS].astype({"year": "int16"})


def _forward_shares(masses: pd.DataFrame, target_year: int) -> pd.DataFrame:
    """Links from the Gemeinden of 2020 to those of ``target_year`` (shares of each 2020 Gemeinde)."""
    mass = masses[masses["year"] == target_year]
    if mass.empty:
        raise ValueError(f"Umsteigeschlüssel reicht nicht bis 31.12.{target_year}")
    grouped = mass.groupby(["g20", "new"], as_index=False)[["pop", "area"]].sum()
    total = grouped.groupby("g20")[["pop", "area"]].transform("sum")
    parts = grouped.groupby("g20")["new"].transform("size")
    area = (grouped["area"] / total["area"]).where(total["area"] > 0, 1 / parts)
    pop = (grouped["pop"] / total["pop"]).where(total["pop"] > 0, area)
    return pd.DataFrame({"old": grouped["g20"], "new": grouped["new"], "pop": pop, "area": area})


def _by_kreis(forward: pd.DataFrame) -> pd.DataFrame:
    kreise = forward.assign(old=forward["old"].str[:5], new=forward["new"].str[:5])
    grouped = kreise.groupby(["old", "new"], as_index=False)[["pop", "area"]].sum()
    total = grouped.groupby("old")[["pop", "area"]].transform("sum")
    return grouped.assign(pop=grouped["pop"] / total["pop"].where(total["pop"] > 0, 1), area=grouped["area"] / total["area"].where(total["area"] > 0, 1))


def compose(links: pd.DataFrame, forward: pd.DataFrame) -> pd.DataFrame:
    """Links to 2020 followed by links from 2020 to a later Gebietsstand."""
    both = links.merge(forward, left_on="new", right_on="old", suffixes=("", "_next"))
    both = pd.DataFrame({
        "year": both["year"], "old": both["old"], "new": both["new_next"],
        "pop": both["pop"] * both["pop_next"], "area": both["area"] * both["area_next"],
    })  # fmt: skip
    return both.groupby(["year", "old", "new"], as_index=False)[["pop", "area"]].sum()[LINK_COLUMNS]
