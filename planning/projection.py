"""Wie viele Kinder leben 2030 in einer Gemeinde? A small-area population projection by age group (Hamilton–Perry).

The method needs only what the statistical offices publish per Gemeinde: population by age group in two years
t0 < t1 (interval h = t1 − t0). It is a PROJECTION – it carries the recent past forward, it is no forecast:

1. Each age group is spread evenly over its single years of age (75 and over: evenly over 75–89, 89 stands for
   "89 and older").
2. Cohort-change ratio for every age a ≥ h:  CCR(a) = P(a, t1) / P(a − h, t0)  – how a cohort changed in h years
   (deaths, moving in and out together). The oldest age takes all who could have grown into it.
3. Children younger than h were not born at t0. Their number is tied to the people aged 15–44 (child–adult ratio
   CAR(a) = P(a, t1) / P(15–44, t1)); with a constant share of women among them this is the usual child–woman ratio.
4. From t1 the ratios are applied again every h years (t1 + h, t1 + 2h, …); years in between are interpolated
   linearly. Gemeinde results are summed to Verbandsgemeinden, Sozialräume and the Kreis.
5. A cohort with fewer than MIN_BASE people at t0 (or children where nobody is 15–44) takes the Kreis's ratio
   instead of its own: tiny numbers would otherwise multiply chance.
6. Controlled (optional): where a total for the Kreis is given (e.g. the Land's official projection), every
   Gemeinde's numbers of a year are scaled by the same factor so that they add up to it.
7. Plausible range: the projection is repeated from every other base year t0' < t1 with data (h' = t1 − t0'); the
   lowest and highest result per area, age group and year span the range.

Back-casting checks it: project from two earlier years to a later year that is known, and compare per Gemeinde and
age group (APE = |projected − observed| / observed; MAPE = mean over Gemeinden; ALPE = mean |ln(projected /
observed)| · 100, which treats too high and too low alike). Where the later year is known only for the Kreis
(31.12.2018) or only for all ages (Zensus 2022), the Gemeinden are projected from the Zensus 2011 (09.05.2011,
11 coarser groups, spread evenly like all groups) and 31.12.2015 and compared there. The interval is then 4.65
years, not a whole number: a cohort aged a at t1 was aged a − 4.65 … a + 1 − 4.65 at t0 (parts of two single
years), and the ages below 5 are tied to the adults (docs/DECISIONS.md has the figures).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

# age groups of GENESIS 12411-02-03-5 that partition all ages: (indicator, first age, first age after it)
AGE_GROUPS = (
    ("bev_u3", 0, 3), ("bev_3_6", 3, 6), ("bev_6_10", 6, 10), ("bev_10_15", 10, 15), ("bev_15_18", 15, 18),
    ("bev_18_20", 18, 20), ("bev_20_25", 20, 25), ("bev_25_30", 25, 30), ("bev_30_35", 30, 35),
    ("bev_35_40", 35, 40), ("bev_40_45", 40, 45), ("bev_45_50", 45, 50), ("bev_50_55", 50, 55),
    ("bev_55_60", 55, 60), ("bev_60_65", 60, 65), ("bev_65_75", 65, 75), ("bev_75plus", 75, 90),
)  # fmt: skip
GROUP_IDS = tuple(g for g, _, _ in AGE_GROUPS)
# the coarser age groups of the Zensus 2011 table 12111-02-01-5 (Stichtag 09.05.2011): the earliest base year
ZENSUS_2011_GROUPS = (
    ("z11_bev_u3", 0, 3), ("z11_bev_3_6", 3, 6), ("z11_bev_6_15", 6, 15), ("z11_bev_15_18", 15, 18),
    ("z11_bev_18_25", 18, 25), ("z11_bev_25_30", 25, 30), ("z11_bev_30_40", 30, 40), ("z11_bev_40_50", 40, 50),
    ("z11_bev_50_65", 50, 65), ("z11_bev_65_75", 65, 75), ("z11_bev_75plus", 75, 90),
)  # fmt: skip
ZENSUS_2011_DATE = date(2011, 5, 9)
ZENSUS_2022_DATE = date(2022, 5, 15)  # bev_zensus2022: people per Gemeinde, all ages
UNDER_6 = ("bev_u3", "bev_3_6")
AGES = 90  # single years 0..89; 89 holds everybody 89 and older
PARENT_AGES = (15, 45)  # the adults children are tied to
MIN_BASE = 2.0  # people in a single-year cohort at t0 below which the Kreis's ratio is used
PROJECTION_LABEL = "Projektion"
OBSERVED_LABEL = "beobachtet"


@dataclass(frozen=True)
class Projection:
    """Projected people per area, age group and year with a plausible range (clearly a projection)."""

    values: pd.DataFrame  # area_id, age_group, year, value, low, high, kind ("Projektion" | "beobachtet")
    base: tuple[int, int]
    alternative_bases: tuple[tuple[int, int], ...]
    controlled: bool
    notes: list[str] = field(default_factory=list)
    zensus_interval: float | None = None  # set when the earlier base is the Zensus 09.05.2011 (base[0] = 2011)

    @property
    def method_text(self) -> str:
        t0, t1 = self.base
        if self.zensus_interval is not None:
            h = f"{self.zensus_interval:.2f}".replace(".", ",")
            text = (f"Projektion nach Hamilton–Perry. Basis: Zensus {ZENSUS_2011_DATE:%d.%m.%Y} und Fortschreibung "
                    f"31.12.{t1}, Intervall {h} Jahre: Veränderung jeder Altersgruppe in dieser Zeit (Kohorten-"
                    f"Verhältnisse), Kinder im Verhältnis zu den 15- bis 44-Jährigen, alle {h} Jahre fortgeschrieben. "
                    "Keine Spannweite: Nur dieser eine Basiszeitraum hat Altersgruppen je Gemeinde")  # fmt: skip
        else:
            text = (f"Projektion nach Hamilton–Perry: Veränderung jeder Altersgruppe zwischen {t0} und {t1} "
                    f"(Kohorten-Verhältnisse), Kinder im Verhältnis zu den 15- bis 44-Jährigen, alle {t1 - t0} Jahre fortgeschrieben")  # fmt: skip
        if self.alternative_bases:
            others = ", ".join(f"{a}–{b}" for a, b in self.alternative_bases)
            text += f". Spannweite aus den Basiszeiträumen {others}"
        if self.controlled:
            text += ". An die vorgegebene Kreissumme angepasst"
        return text + ". Keine Prognose: Die jüngste Entwicklung wird unverändert fortgeschrieben."


# --- single years ----------------------------------------------------------------------------------------------------

def single_years(groups: pd.DataFrame, scheme: tuple = AGE_GROUPS) -> np.ndarray:
    """Areas × 90 single years from areas × the groups of ``scheme`` (default AGE_GROUPS; ZENSUS_2011_GROUPS for
    the coarser Zensus table), each group spread evenly over its single years."""
    out = np.zeros((len(groups), AGES))
    for group, first, after in scheme:
        out[:, first:after] = groups[group].to_numpy(float)[:, None] / (after - first)
    return out


def age_groups(years: np.ndarray) -> np.ndarray:
    """Areas × AGE_GROUPS from areas × single years (the reverse of single_years)."""
    return np.column_stack([years[:, first:after].sum(axis=1) for _, first, after in AGE_GROUPS])


# --- ratios ------------------------------------------------------------------------------------------------------------

def first_cohort_age(h: float) -> int:
    """The youngest single year whose whole cohort was already born h years earlier (ceil h)."""
    return int(np.ceil(h - 1e-9))


def cohorts_earlier(p: np.ndarray, h: float) -> np.ndarray:
    """Areas × ages: how many people of ``p`` form the cohort that is aged a (a ≥ ceil h) h years later, i.e. the
    people aged a − h to a + 1 − h now; column 89 holds all aged 89 − h and over. Within a single year people are
    taken as evenly spread, so a fractional h (Zensus 09.05.2011 → 31.12.2015 = 4.65 years) takes parts of two
    single years; for a whole-numbered h this is simply the single year a − h."""
    cumulative = np.concatenate([np.zeros((p.shape[0], 1)), np.cumsum(p, axis=1)], axis=1)

    def below(age: np.ndarray) -> np.ndarray:  # people younger than ``age`` (fractional ages, linear within a year)
        whole = np.clip(np.floor(age).astype(int), 0, AGES - 1)
        return cumulative[:, whole] + (age - whole) * p[:, whole]

    out = np.full(p.shape, np.nan)
    k = first_cohort_age(h)
    ages = np.arange(k, AGES - 1, dtype=float)
    out[:, k : AGES - 1] = below(ages + 1 - h) - below(ages - h)
    out[:, AGES - 1] = cumulative[:, -1] - below(np.array([AGES - 1 - h]))[:, 0]
    return out


def cohort_ratios(p0: np.ndarray, p1: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """(CCR, CAR): CCR[:, a] for a ≥ h (NaN below), CAR[:, a] for a < h (NaN above); rows = areas. h may be
    fractional: then CAR covers the ages below ceil h (their cohorts were not or only partly born at t0).
    Cohorts too small for a ratio of their own (below MIN_BASE, or nobody 15–44) are NaN."""
    rows, k = p0.shape[0], first_cohort_age(h)
    ccr = np.full((rows, AGES), np.nan)
    base = cohorts_earlier(p0, h)[:, k:]
    with np.errstate(divide="ignore", invalid="ignore"):
        ccr[:, k:] = np.where(base >= MIN_BASE, p1[:, k:] / base, np.nan)
        parents = p1[:, PARENT_AGES[0] : PARENT_AGES[1]].sum(axis=1, keepdims=True)
        car = np.full((rows, AGES), np.nan)
        car[:, :k] = np.where(parents > 0, p1[:, :k] / parents, np.nan)
    return ccr, car


def _with_kreis_fallback(ratios: np.ndarray, kreis: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(ratios), kreis, ratios)


def step(p: np.ndarray, ccr: np.ndarray, car: np.ndarray, h: float) -> np.ndarray:
    """The population h years later: cohorts moved on by h years times their ratio, the young from the adults."""
    k = first_cohort_age(h)
    nxt = np.zeros_like(p)
    nxt[:, k:] = cohorts_earlier(p, h)[:, k:] * ccr[:, k:]
    parents = nxt[:, PARENT_AGES[0] : PARENT_AGES[1]].sum(axis=1, keepdims=True)
    nxt[:, :k] = parents * car[:, :k]
    return np.nan_to_num(nxt)


def project_groups(g0: pd.DataFrame, g1: pd.DataFrame, t0: int, t1: int, years: list[int]) -> dict[int, pd.DataFrame]:
    """Gemeinde × AGE_GROUPS at t0 and t1 (same index) → the groups in each year of ``years`` (all > t1)."""
    h = t1 - t0
    if h < 1 or h > 15:
        raise ValueError(f"base period {t0}–{t1}: the interval must be 1 to 15 years")
    return project_from(single_years(g0), single_years(g1), h, {year: year - t1 for year in years}, g1.index)


def project_from(p0: np.ndarray, p1: np.ndarray, h: float, horizons: dict, index: pd.Index) -> dict:
    """Single years at t0 and t1 = t0 + h (h in years, may be fractional) → Gemeinde × AGE_GROUPS ``horizon``
    years after t1 for every key of ``horizons``; between the steps t1 + h, t1 + 2h, … linearly interpolated."""
    ccr, car = cohort_ratios(p0, p1, h)
    kreis_ccr, kreis_car = cohort_ratios(p0.sum(axis=0, keepdims=True), p1.sum(axis=0, keepdims=True), h)
    ccr, car = _with_kreis_fallback(ccr, np.nan_to_num(kreis_ccr)), _with_kreis_fallback(car, np.nan_to_num(kreis_car))
    steps = {0.0: p1}
    current, offset = p1, 0.0
    while offset < max(horizons.values()) - 1e-9:
        current, offset = step(current, ccr, car, h), offset + h
        steps[offset] = current
    known = sorted(steps)
    out = {}
    for key, horizon in horizons.items():
        after = next(y for y in known if y >= horizon - 1e-9)
        before = max(y for y in known if y <= horizon + 1e-9)
        share = 0.0 if after == before else (horizon - before) / (after - before)
        mixed = steps[before] * (1 - share) + steps[after] * share
        out[key] = pd.DataFrame(age_groups(mixed), index=index, columns=list(GROUP_IDS))
    return out


# --- over areas, bases and control totals ----------------------------------------------------------------------------

def wide_groups(counts: pd.DataFrame, year: int) -> pd.DataFrame:
    """Gemeinde × AGE_GROUPS of one year from long counts (area_id, indicator_id, year, value)."""
    rows = counts[counts["year"] == year].pivot_table(index="area_id", columns="indicator_id", values="value", aggfunc="first")
    return rows.reindex(columns=list(GROUP_IDS))


def complete_years(counts: pd.DataFrame) -> list[int]:
    """Years in which every Gemeinde has every age group."""
    years = []
    for year in sorted(counts["year"].unique()):
        wide = wide_groups(counts, year)
        if len(wide) and wide.notna().all().all():
            years.append(int(year))
    return years


def bases(years: list[int], max_interval: int = 10) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    """The main base period (latest year and the earliest one at most ``max_interval`` – preferably 5 – years before),
    and the other periods ending in the latest year (for the range)."""
    if len(years) < 2:
        raise ValueError("a Hamilton–Perry projection needs two years with the population by age group")
    t1 = years[-1]
    earlier = [y for y in years[:-1] if t1 - y <= max_interval]
    if not earlier:
        raise ValueError(f"no year with age groups within {max_interval} years before {t1}")
    five = [y for y in earlier if t1 - y <= 5]
    t0 = min(five) if five else max(earlier)
    return (t0, t1), [(y, t1) for y in earlier if y != t0]


def project(
    counts: pd.DataFrame, members: pd.DataFrame | None = None, years: list[int] | None = None,
    base: tuple[int, int] | None = None, kreis_totals: dict[int, float] | None = None,
) -> Projection:
    """Projection of every Gemeinde in ``counts`` (long: area_id, indicator_id, year, value of the AGE_GROUPS),
    summed to the areas of ``members`` (gemeinde_id, area_id; e.g. Sozialräume and the Kreis). ``years``: the
    target years (default: 5 and 10 years after the latest year). ``kreis_totals``: year → people of all ages."""
    available = complete_years(counts)
    main, others = bases(available) if base is None else (base, [])
    t1 = main[1]
    years = sorted(years or [t1 + 5, t1 + 10])
    runs = [_one_base(counts, b, years, kreis_totals, members) for b in [main, *others]]
    central = runs[0]
    stacked = pd.concat(runs, keys=range(len(runs)), names=["run"])
    spread = stacked.groupby(level=["area_id", "age_group", "year"])["value"].agg(["min", "max"])
    central = central.join(spread.rename(columns={"min": "low", "max": "high"}))
    values = _with_observed(central, counts, t1, members)
    return Projection(values, main, tuple(others), bool(kreis_totals), _notes(kreis_totals))


def _notes(kreis_totals) -> list[str]:
    return [] if kreis_totals else ["Ohne Kreissumme: nicht an eine amtliche Vorausberechnung angepasst."]


def _with_observed(central: pd.DataFrame, counts: pd.DataFrame, t1: int, members) -> pd.DataFrame:
    """The observed base year t1 ("beobachtet") followed by the projected years ("Projektion")."""
    observed = wide_groups(counts, t1).stack().rename("value").rename_axis(["area_id", "age_group"]).reset_index()
    observed = _aggregate(observed.assign(year=t1), members)
    observed = observed.assign(low=observed["value"], high=observed["value"], kind=OBSERVED_LABEL)
    return pd.concat([observed, central.reset_index().assign(kind=PROJECTION_LABEL)], ignore_index=True)


def project_with_zensus(
    zensus: pd.DataFrame, counts: pd.DataFrame, members: pd.DataFrame | None = None, years: list[int] | None = None,
    kreis_totals: dict[int, float] | None = None,
) -> Projection:
    """Projection where only one year has the 17 age groups per Gemeinde (the real counties: 31.12.2015): the
    Zensus 2011 (``zensus``, long, ZENSUS_2011_GROUPS, 09.05.2011) is the earlier base, the interval is exact
    (4.65 years to 31.12.2015), the same rule as the back-cast. With one base period there is no range
    (low = high = the projection). ``years``: target years (31.12.), default 5 and 10 years after the base."""
    t1 = complete_years(counts)[-1]
    years = sorted(years or [t1 + 5, t1 + 10])
    g0 = zensus.pivot_table(index="area_id", columns="indicator_id", values="value", aggfunc="first")
    g0 = g0.reindex(columns=[g for g, _, _ in ZENSUS_2011_GROUPS])
    when = date(t1, 12, 31)
    projected = project_from_zensus(g0, wide_groups(counts, t1), when, {y: date(y, 12, 31) for y in years})
    central = _aggregate(_controlled_long(projected, kreis_totals), members).set_index(["area_id", "age_group", "year"])
    central = central.assign(low=central["value"], high=central["value"])
    values = _with_observed(central, counts, t1, members)
    h = interval_years(ZENSUS_2011_DATE, when)
    return Projection(values, (ZENSUS_2011_DATE.year, t1), (), bool(kreis_totals), _notes(kreis_totals), h)


def _one_base(counts: pd.DataFrame, base: tuple[int, int], years: list[int], kreis_totals, members) -> pd.DataFrame:
    t0, t1 = base
    g0, g1 = wide_groups(counts, t0), wide_groups(counts, t1)
    g0 = g0.reindex(g1.index).fillna(0)
    projected = project_groups(g0, g1.fillna(0), t0, t1, years)
    long = _aggregate(_controlled_long(projected, kreis_totals), members)
    return long.set_index(["area_id", "age_group", "year"])


def _controlled_long(projected: dict, kreis_totals) -> pd.DataFrame:
    """year → Gemeinde × AGE_GROUPS as long rows, each year scaled to its Kreis total where one is given."""
    frames = []
    for year, groups in projected.items():
        if kreis_totals and year in kreis_totals and groups.to_numpy().sum() > 0:
            groups = groups * (kreis_totals[year] / groups.to_numpy().sum())
        frames.append(groups.stack().rename("value").rename_axis(["area_id", "age_group"]).reset_index().assign(year=year))
    return pd.concat(frames, ignore_index=True)


def _aggregate(long: pd.DataFrame, members: pd.DataFrame | None) -> pd.DataFrame:
    """Gemeinde rows plus the sums over the areas of ``members`` (gemeinde_id → area_id)."""
    if members is None or members.empty:
        return long
    joined = long.merge(members, left_on="area_id", right_on="gemeinde_id", suffixes=("_g", ""))
    summed = joined.groupby(["area_id", "age_group", "year"], as_index=False)["value"].sum()
    return pd.concat([long, summed[~summed["area_id"].isin(long["area_id"])]], ignore_index=True)


def target_group(projection: Projection, groups: list[str]) -> pd.DataFrame:
    """People of a target group (e.g. ["bev_u3"] or ["bev_u3", "bev_3_6"]) per area and year, with the range."""
    rows = projection.values[projection.values["age_group"].isin(groups)]
    return rows.groupby(["area_id", "year", "kind"], as_index=False)[["value", "low", "high"]].sum()


# --- back-casting ------------------------------------------------------------------------------------------------------

def backcast(counts: pd.DataFrame, base: tuple[int, int], target: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Project from ``base`` to a known later year and compare per Gemeinde and age group. Returns the rows
    (area_id, age_group, projected, observed, ape, alpe) and the summary per age group (MAPE, median APE, ALPE,
    Gemeinden compared); groups with nobody observed are left out (a percentage of 0 is undefined)."""
    t0, t1 = base
    g0, g1 = wide_groups(counts, t0), wide_groups(counts, t1)
    projected = project_groups(g0.reindex(g1.index).fillna(0), g1.fillna(0), t0, t1, [target])[target]
    observed = wide_groups(counts, target).reindex(g1.index)
    rows = pd.DataFrame({
        "projected": projected.stack(), "observed": observed.stack(future_stack=True),
    }).rename_axis(["area_id", "age_group"]).reset_index()  # fmt: skip
    rows = with_errors(rows)
    summary = rows.groupby("age_group").agg(
        mape=("ape", "mean"), median_ape=("ape", "median"), alpe=("alpe", "mean"), gemeinden=("area_id", "size"),
    )  # fmt: skip
    return rows, summary.reindex([g for g in GROUP_IDS if g in summary.index]).reset_index()


def with_errors(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with ``projected`` and ``observed`` plus error (projected − observed in % of observed, signed: + = too
    high), ape (its absolute value) and alpe (|ln(projected / observed)| · 100); rows observing nobody are left out."""
    rows = rows[rows["observed"] > 0].copy()
    rows["error"] = (rows["projected"] - rows["observed"]) / rows["observed"] * 100
    rows["ape"] = rows["error"].abs()
    with np.errstate(divide="ignore"):
        rows["alpe"] = np.abs(np.log(rows["projected"].clip(lower=1e-9) / rows["observed"])) * 100
    return rows


def interval_years(start: date, end: date) -> float:
    """Years between two Stichtage, e.g. Zensus 09.05.2011 → 31.12.2015 = 4.65."""
    return (end - start).days / 365.2425


def project_from_zensus(g0: pd.DataFrame, g1: pd.DataFrame, t1: date, targets: dict, h: float | None = None) -> dict:
    """Every Gemeinde projected from the Zensus 2011 (``g0``: Gemeinde × ZENSUS_2011_GROUPS) and a later
    31.12. (``g1``: Gemeinde × AGE_GROUPS, Stichtag ``t1``) to each Stichtag of ``targets`` (key → date).
    h: the base interval in years, by default the exact one (09.05.2011 → 31.12.2015 = 4.65); the Zensus's
    coarse groups (6–15, 50–65, …) are spread evenly over their single years like every group."""
    h = interval_years(ZENSUS_2011_DATE, t1) if h is None else h
    p0 = single_years(g0.reindex(g1.index).fillna(0), ZENSUS_2011_GROUPS)
    horizons = {key: interval_years(t1, when) for key, when in targets.items()}
    return project_from(p0, single_years(g1.fillna(0)), h, horizons, g1.index)


def kreis_backcast(counts0: pd.DataFrame, counts1: pd.DataFrame, observed: pd.Series, t1: int, target: int,
                   h: float | None = None) -> pd.DataFrame:  # fmt: skip
    """Back-cast where the later year is known only for the whole Kreis (e.g. 31.12.2018): every Gemeinde is
    projected from the Zensus 2011 (``counts0``, long, ZENSUS_2011_GROUPS) and 31.12.``t1`` (``counts1``, long,
    AGE_GROUPS) to 31.12.``target``, the Gemeinden are summed and compared with the Kreis's ``observed`` people
    per age group (Series age_group → people). Rows: every age group, then children under 6 and all ages
    (age_group "unter 6", "insgesamt"); columns projected, observed, error, ape, alpe."""
    g0 = counts0.pivot_table(index="area_id", columns="indicator_id", values="value", aggfunc="first")
    g1 = wide_groups(counts1, t1)
    g0 = g0.reindex(columns=[g for g, _, _ in ZENSUS_2011_GROUPS])
    projected = project_from_zensus(g0, g1, date(t1, 12, 31), {target: date(target, 12, 31)}, h)[target].sum()
    rows = pd.DataFrame({"projected": projected, "observed": observed.reindex(list(GROUP_IDS))})
    rows.loc["unter 6"] = rows.loc[list(UNDER_6)].sum()
    rows.loc["insgesamt"] = rows.loc[list(GROUP_IDS)].sum()
    return with_errors(rows.rename_axis("age_group").reset_index())


def county_counts(db, kreis_id: str) -> pd.DataFrame:
    """The Gemeinden's population by age group, every year with values (from ``queries.age_structure``)."""
    from planning import queries

    rows = queries.age_structure(db, kreis_id, GROUP_IDS)
    usable = rows[(rows["level"] == "gemeinde") & rows["status"].isin(("ok", "zero"))]
    return usable[["area_id", "indicator_id", "year", "value"]].reset_index(drop=True)


def _zensus_bases(db, kreis_id: str, before: int) -> tuple[pd.DataFrame, pd.DataFrame, int, pd.DataFrame]:
    """(Zensus 2011 counts, AGE_GROUPS counts, latest complete Gemeinde year before ``before``, all rows)."""
    from planning import queries

    zensus_ids = tuple(g for g, _, _ in ZENSUS_2011_GROUPS)
    rows = queries.age_structure(db, kreis_id, zensus_ids + GROUP_IDS)
    rows = rows[rows["status"].isin(("ok", "zero"))]
    gemeinden = rows[rows["level"] == "gemeinde"]
    zensus = gemeinden[gemeinden["indicator_id"].isin(zensus_ids)]
    counts = gemeinden[gemeinden["indicator_id"].isin(GROUP_IDS)]
    years = [y for y in complete_years(counts) if 2011 < y < before]
    if zensus["indicator_id"].nunique() < len(zensus_ids) or not years:
        raise ValueError(f"{kreis_id}: a projection or back-cast from the Zensus 2011 needs its {len(zensus_ids)} age groups per "
                         f"Gemeinde and a complete year of the 17 age groups before {before}")  # fmt: skip
    return zensus, counts, years[-1], rows


def county_backcast(db, kreis_id: str, target: int, h: float | None = None) -> tuple[pd.DataFrame, int, float]:
    """The Kreis's back-cast (``kreis_backcast``) from the Zensus 2011 and the latest complete Gemeinde year
    before ``target`` to the Kreis's published age groups of 31.12.``target``. Returns (rows, base year, h)."""
    zensus, counts, t1, rows = _zensus_bases(db, kreis_id, target)
    kreis = rows[(rows["level"] == "kreis") & (rows["year"] == target) & rows["indicator_id"].isin(GROUP_IDS)]
    if kreis["indicator_id"].nunique() < len(GROUP_IDS):
        raise ValueError(f"{kreis_id}: no age groups of the Kreis for 31.12.{target}")
    observed = kreis.set_index("indicator_id")["value"]
    h = interval_years(ZENSUS_2011_DATE, date(t1, 12, 31)) if h is None else h
    return kreis_backcast(zensus, counts, observed, t1, target, h), t1, h


def gemeinde_total_backcast(db, kreis_id: str, indicator: str = "bev_zensus2022", when: date = ZENSUS_2022_DATE) -> pd.DataFrame:
    """Back-cast of all ages per Gemeinde and Verbandsgemeinde where the later count has no age groups (default
    the Zensus 2022 of 15.05.2022). Rows: area_id, level, projected, observed, error, ape, alpe. The Zensus 2022
    also corrected the Fortschreibung the 2015 base comes from: the error holds the projection's and that correction."""
    from planning import queries

    later = queries.age_structure(db, kreis_id, (indicator,))
    later = later[later["level"].isin(("gemeinde", "verbandsgemeinde")) & later["status"].isin(("ok", "zero"))]
    observed = later.rename(columns={"value": "observed"})[["area_id", "observed"]]
    zensus, counts, t1, _ = _zensus_bases(db, kreis_id, when.year)
    g0 = zensus.pivot_table(index="area_id", columns="indicator_id", values="value", aggfunc="first")
    g0 = g0.reindex(columns=[g for g, _, _ in ZENSUS_2011_GROUPS])
    projected = project_from_zensus(g0, wide_groups(counts, t1), date(t1, 12, 31), {"t": when})["t"].sum(axis=1)
    long = pd.DataFrame({"area_id": projected.index, "value": projected.to_numpy()})
    members = queries.area_members(db, kreis_id, "verbandsgemeinde").dropna()
    summed = long.merge(members, left_on="area_id", right_on="gemeinde_id", suffixes=("_g", ""))
    summed = summed.groupby("area_id", as_index=False)["value"].sum().assign(level="verbandsgemeinde")
    both = pd.concat([long.assign(level="gemeinde"), summed[~summed["area_id"].isin(long["area_id"])]], ignore_index=True)
    both = both.rename(columns={"value": "projected"}).merge(observed, on="area_id")
    return with_errors(both)


def county_projection(db, kreis_id: str, years: list[int] | None = None, kreis_totals: dict[int, float] | None = None) -> Projection:
    """The projection of a Kreis: every Gemeinde, summed to Verbandsgemeinden, Sozialräume and the Kreis. Two
    or more years with all 17 age groups per Gemeinde: projected from them (with a range). Only one such year
    (the real counties: 31.12.2015): from the Zensus 2011 and that year (``project_with_zensus``)."""
    from planning import queries

    members = pd.concat([queries.area_members(db, kreis_id, level) for level in ("verbandsgemeinde", "sozialraum", "kreis")])
    counts = county_counts(db, kreis_id)
    if len(complete_years(counts)) >= 2:
        return project(counts, members.dropna(), years, kreis_totals=kreis_totals)
    zensus, counts, _, _ = _zensus_bases(db, kreis_id, 10_000)
    return project_with_zensus(zensus, counts, members.dropna(), years, kreis_totals)


def projected_supply(db, kreis_id: str, offer_type: str, level: str, year: int) -> pd.DataFrame:
    """'Plätze je 100 Kinder unter 3 im Jahr 2030': today's places of an Angebotsart per area of ``level`` against
    its projected target group in ``year`` (with the range: a larger group gives the lower rate). Columns area_id,
    name, capacity, target_now, target, target_low, target_high, per_100, per_100_low, per_100_high, kind."""
    from planning import queries

    groups = list(queries.offer_types(db).loc[offer_type, "target_population"])
    if not set(groups) <= set(GROUP_IDS):
        raise ValueError(f"{offer_type}: target group {groups} is not made of the projected age groups")
    coverage = queries.coverage(db, kreis_id, level, "angebotsart")
    rows = coverage[coverage["category"] == offer_type].set_index("area_id")
    projected = target_group(county_projection(db, kreis_id, years=[year]), groups)
    projected = projected[(projected["year"] == year) & (projected["kind"] == PROJECTION_LABEL)].set_index("area_id")
    out = pd.DataFrame({"name": rows["name"], "capacity": rows["capacity"], "target_now": rows["target_population"]})
    out["target"], out["target_low"], out["target_high"] = (out.index.map(projected[c]) for c in ("value", "low", "high"))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["per_100"] = out["capacity"] / out["target"].where(out["target"] > 0) * 100
        out["per_100_low"] = out["capacity"] / out["target_high"].where(out["target_high"] > 0) * 100
        out["per_100_high"] = out["capacity"] / out["target_low"].where(out["target_low"] > 0) * 100
    return out.assign(kind=PROJECTION_LABEL, year=year).reset_index()
