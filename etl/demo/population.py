"""Population of the demo county and its GENESIS population tables.

simulate_population draws integer counts per Gemeinde, year (2014–2023), sex and 17 age groups from each Sozialraum's
profile (young, ageing, mixed); every sum in the tables is formed from these parts. write_population_tables writes
them in the layout of Regionalstatistik: 12411-02-03-5 (age groups, one file per Stichtag 2019–2023, 2019 in
latin-1 as a normal download) and 12411-01-01-5 (sex, all years, one village '.' for 2014/2015).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from etl.demo.county import TOWN_NAMES, County, Gemeinde
from etl.demo.tables import data_rows, genesis_csv, write_text

YEARS = list(range(2014, 2024))
AGE_GROUPS = (
    "unter 3 Jahre", "3 bis unter 6 Jahre", "6 bis unter 10 Jahre", "10 bis unter 15 Jahre",
    "15 bis unter 18 Jahre", "18 bis unter 20 Jahre", "20 bis unter 25 Jahre", "25 bis unter 30 Jahre",
    "30 bis unter 35 Jahre", "35 bis unter 40 Jahre", "40 bis unter 45 Jahre", "45 bis unter 50 Jahre",
    "50 bis unter 55 Jahre", "55 bis unter 60 Jahre", "60 bis unter 65 Jahre", "65 bis unter 75 Jahre",
    "75 Jahre und mehr",
)  # fmt: skip
# Persons per group in a generic German Gemeinde (relative), and the male share per group.
BASE_AGE_WEIGHTS = np.array([26, 27, 37, 47, 29, 20, 54, 56, 59, 60, 59, 66, 76, 74, 66, 113, 114], float)
MALE_SHARE = np.array([.513, .513, .512, .512, .515, .52, .525, .52, .51, .505, .5, .5, .5, .495, .49, .47, .4])
_GROUP = np.arange(len(AGE_GROUPS))
CHILD, YOUNG_ADULT = _GROUP < 5, (_GROUP >= 5) & (_GROUP < 8)  # under 18, 18 to 30
PARENT, SENIOR = (_GROUP >= 8) & (_GROUP < 11), _GROUP >= 15  # 30 to 45, 65 and over

# ---------------------------------------------------------------- simulation
# log-scale tilts of the age profile (children, young adults, parents, seniors) and yearly growth rate
PROFILE_TILTS = {"young": (0.22, 0, 0.18, -0.25), "ageing": (-0.18, -0.2, -0.12, 0.28), "mixed": (0, 0, 0, 0)}
PROFILE_GROWTH = {"young": 0.009, "ageing": -0.008, "mixed": 0.001}


def simulate_population(county: County, rng: np.random.Generator) -> np.ndarray:
    """Integer counts [gemeinde, year, sex (m, w), age group]; sums are formed from these parts only."""
    seats = {v.seat_ars for v in county.verbaende if v.bez == "Verbandsgemeinde"}
    counts = np.zeros((len(county.gemeinden), len(YEARS), 2, len(AGE_GROUPS)), dtype=np.int64)
    offset = np.array(YEARS) - YEARS[-1]
    for i, g in enumerate(county.gemeinden):
        if g.bez == "Gemeindefreies Gebiet":
            continue  # nobody lives in the state forest: every cell is "-"
        total = _population_2023(g, g.ars in seats, rng)
        profile = county.profiles[g.sozialraum]
        tilts = np.array(PROFILE_TILTS[profile]) + rng.normal(0, 0.04, 4)
        if g.bez == "Stadt":
            tilts[1] += 0.15  # trainees and students live in the towns
        log_weights = np.log(BASE_AGE_WEIGHTS) + np.column_stack([CHILD, YOUNG_ADULT, PARENT, SENIOR]) @ tilts
        log_weights += rng.normal(0, 0.05, len(AGE_GROUPS))
        shares = np.exp(log_weights) / np.exp(log_weights).sum()
        male = np.clip(MALE_SHARE + rng.normal(0, 0.01, len(AGE_GROUPS)), 0.3, 0.6)
        # Seniors grow faster than the rest everywhere (ageing), children shrink where the area ages.
        drift = PROFILE_GROWTH[profile] + rng.normal(0, 0.002) + 0.012 * SENIOR - 0.004 * CHILD * (profile == "ageing")
        expected = total * shares[None, :] * np.exp(offset[:, None] * drift[None, :])
        counts[i] = np.rint(np.stack([expected * male, expected * (1 - male)], axis=1))
    return counts


def _population_2023(g: Gemeinde, is_seat: bool, rng: np.random.Generator) -> float:
    # Ranges leave room for ten years of trend inside 8,000–30,000 (towns) and 250–3,000 (villages).
    if g.name == TOWN_NAMES[0]:
        return rng.uniform(25_000, 27_000)
    if g.bez == "Stadt":
        return rng.uniform(9_000, 16_000)
    if is_seat:
        return rng.uniform(1_800, 2_700)
    return float(np.clip(np.exp(rng.normal(np.log(700), 0.6)), 290, 1_800))


def _with_total(parts: np.ndarray, axis: int, first: bool) -> np.ndarray:
    total = parts.sum(axis=axis, keepdims=True)
    return np.concatenate([total, parts] if first else [parts, total], axis=axis)


def age_table_csv(county: County, counts: np.ndarray, year: int) -> str:
    """Table 12411-02-03-5 for one Stichtag: Insgesamt, männlich, weiblich × 17 age groups + Insgesamt."""
    by_sex = _with_total(counts[:, YEARS.index(year)], axis=1, first=True)  # [gemeinde, sex, group]
    values = _with_total(by_sex, axis=2, first=False).reshape(len(counts), -1)
    n = len(AGE_GROUPS) + 1
    header = [
        ["", ""] + [s for s in ("Insgesamt", "männlich", "weiblich") for _ in range(n)],
        ["", ""] + ["Altersgruppen (unter 3 bis 75 u.m.)"] * (3 * n),
        ["", ""] + [*AGE_GROUPS, "Insgesamt"] * 3,
    ]
    title = [*_title("12411-02-03-5", "und Altersgruppen (17) - Stichtag 31.12. -"), f"31.12.{year}"]
    return genesis_csv(title, header, data_rows(county, values), _footnote('zu "gesamte Tabelle"', year))


def sex_table_csv(county: County, counts: np.ndarray, unknown_ags: str, unknown_years: tuple[int, ...]) -> str:
    """Table 12411-01-01-5: Insgesamt, männlich, weiblich per Stichtag, newest first."""
    years = YEARS[::-1]
    per_year = _with_total(counts.sum(axis=3)[:, ::-1], axis=2, first=True)  # [gemeinde, year, total/m/w]
    unknown = np.zeros(per_year.shape, dtype=bool)
    unknown[[g.ags == unknown_ags for g in county.gemeinden], [years.index(y) for y in unknown_years]] = True
    values, unknown = per_year.reshape(len(counts), -1), unknown.reshape(len(counts), -1)
    header = [
        ["", ""] + [f"31.12.{y}" for y in years for _ in range(3)],
        ["", ""] + ["Insgesamt", "männlich", "weiblich"] * len(years),
    ]
    title = _title("12411-01-01-5", "- Stichtag 31.12. -")
    footnote = _footnote('zu "gesamter Tabelle":', years[0])
    return genesis_csv(title, header, data_rows(county, values, unknown), footnote)


def _title(code: str, subtitle: str) -> list[str]:
    return [f"GENESIS-Tabelle: {code}", "Bevölkerungsstand: Bevölkerung nach Geschlecht", subtitle,
            "regionale Tiefe: Gemeinden, Samt-/Verbandsgemeinden", "Fortschreibung des Bevölkerungsstandes",
            "Bevölkerungsstand (Anzahl)"]  # fmt: skip


def _footnote(first_line: str, year: int) -> list[str]:
    return [first_line, "Demodaten: frei erfundene Werte für den fiktiven", "Landkreis Musterland (Land 99)", " ",
            f"Land 99 (fiktiv): Gebietsstand 31.12.{year}"]  # fmt: skip


def unknown_village(county: County, counts: np.ndarray) -> Gemeinde:
    """The Gemeinde shown as '.' (unknown) for 2014/2015 in 12411-01-01-5: the smallest village of 2023,
    with this SEED "Niederhofen". The Kreis row keeps the true total, as when only the breakdown is unknown."""
    totals = counts[:, -1].sum(axis=(1, 2))
    populated = [i for i, g in enumerate(county.gemeinden) if g.bez == "Gemeinde"]
    return county.gemeinden[min(populated, key=lambda i: (totals[i], i))]


def write_population_tables(county: County, counts: np.ndarray, statistics: Path) -> None:
    """Write 12411-02-03-5 for 2023 back to 2019 (2019 in latin-1) and 12411-01-01-5 into the statistics folder."""
    for year in (2023, 2022, 2021, 2020):
        write_text(statistics / f"12411-02-03-5_{year}_musterland.csv", age_table_csv(county, counts, year))
    # A normal regionalstatistik.de download is ISO-8859-1; one file keeps that so the decoder is exercised.
    write_text(statistics / "12411-02-03-5_2019_musterland_latin1.csv", age_table_csv(county, counts, 2019), "latin-1")
    hidden = unknown_village(county, counts)
    write_text(statistics / "12411-01-01-5_musterland.csv", sex_table_csv(county, counts, hidden.ags, (2014, 2015)))
