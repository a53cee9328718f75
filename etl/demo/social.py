"""Social-situation tables of the demo county "Landkreis Musterland (Demodaten)".

Invented figures in exactly the layouts of the real downloads:
- IT.NRW Landesdatenbank 22811-05i: recipients of minimum-income benefits by kind, one file per year (latin-1)
- IT.NRW 22811-01i: Mindestsicherungsquote 2023 = recipients / population × 100, 1 decimal (latin-1)
- IT.NRW 12411-15i: population, cadastral area (= polygon area) and density on 31.12.2023 (latin-1)
- Regionalstatistik 13211-01-03-5: unemployed by selected groups, annual average, one file per year (UTF-8)

The model: each Gemeinde has a deprivation score on a log scale (towns and the poorer Sozialraum high, the young
suburban one low). Expected benefit and unemployment counts grow with it and are drawn per year from the demo
population; the county rows are exact sums of the Gemeinde rows. The numbers come from their own random stream,
so the population files stay as they were.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from etl.demo.county import KREIS_AGS, KREIS_GEN, SEED, TOWN_NAMES, County, poorer_sozialraum
from etl.demo.population import AGE_GROUPS, YEARS
from etl.demo.tables import data_rows, genesis_csv, write_text

SOCIAL_YEARS = (2021, 2022, 2023)
STICHTAG_YEAR = 2023  # 22811-01i and 12411-15i: one year each, like the real downloads
SOCIAL_STREAM = 22811  # second element of the seed: a random stream of its own
N_SMALL_VILLAGES = 3  # the smallest villages outside the poorer Sozialraum get 1 or 2 SGB II recipients

_GROUP = np.arange(len(AGE_GROUPS))
UNDER_65, SENIOR = _GROUP < 15, _GROUP >= 15
AGE_18_65, AGE_15_65 = (_GROUP >= 5) & (_GROUP < 15), (_GROUP >= 4) & (_GROUP < 15)

# deprivation score by kind of Gemeinde and by Sozialraum (log scale; exp(score) multiplies the base rates)
KIND_SCORE = {"kreisstadt": 0.85, "stadt": 0.6, "seat": 0.1, "village": 0.0}
SOZIALRAUM_SCORE = {"poorer": 0.45, "young": -0.15}
# base rates at score 0: SGB II per person under 65, HLU per inhabitant, Grundsicherung im Alter per person
# 65+, bei Erwerbsminderung per person 18-65, AsylbLG per inhabitant (towns and villages with a shelter)
BASE_RATE = {"sgb2": 0.045, "hlu": 0.0013, "grusi_alter": 0.028, "grusi_em": 0.009, "asyl": 0.005}
SCORE_WEIGHT = {"sgb2": 1.0, "hlu": 0.6, "grusi_alter": 0.7, "grusi_em": 0.6, "asyl": 0.3}
SHELTER_SHARE = 0.2  # villages hosting refugees (AsylbLG); the towns always do
YEAR_FACTOR = {
    "sgb2": {2021: 0.96, 2022: 1.02, 2023: 1.05},  # refugees from Ukraine moved into SGB II from June 2022
    "hlu": {2021: 1.0, 2022: 1.0, 2023: 1.0},
    "grusi_alter": {2021: 0.95, 2022: 0.97, 2023: 1.0},
    "grusi_em": {2021: 0.98, 2022: 0.99, 2023: 1.0},
    "asyl": {2021: 1.0, 2022: 0.8, 2023: 1.25},
    "unemployed": {2021: 1.08, 2022: 0.97, 2023: 1.0},  # 2021 still raised by the pandemic
}

# 22811-05i value columns, in file order ("sgb2" twice, as IT.NRW writes it)
BENEFIT_COLUMNS = ("sgb2", "insgesamt", "sgb2", "hlu", "grusi", "grusi_alter", "grusi_em", "asyl")
ROUNDED_TO_5 = ("hlu", "grusi_alter", "grusi_em", "asyl")  # IT.NRW's 5er-Rundung (SGB XII, AsylbLG)
UNEMPLOYED_COLUMNS = ("insgesamt", "auslaender", "schwerbehindert", "age15_20", "age15_25", "age55_65", "langzeit")


@dataclass(frozen=True)
class SocialData:
    benefits: dict[str, np.ndarray]  # column -> [gemeinde, SOCIAL_YEARS] counts
    unemployed: dict[str, np.ndarray]  # column -> [gemeinde, SOCIAL_YEARS] annual averages
    hidden_benefit: tuple[int, int]  # (gemeinde, year index) whose HLU cell is '.'
    hidden_unemployed: tuple[tuple[int, int], ...]  # (gemeinde, year index) whose "schwerbehindert" is '.'


# ---------------------------------------------------------------- model
def _kind(g, seats: set[str]) -> str:
    if g.name == TOWN_NAMES[0]:
        return "kreisstadt"
    if g.bez == "Stadt":
        return "stadt"
    return "seat" if g.ars in seats else "village"


def deprivation(county: County, rng: np.random.Generator) -> np.ndarray:
    """Score per Gemeinde: kind + Sozialraum + a little noise."""
    seats = {v.seat_ars for v in county.verbaende if v.bez == "Verbandsgemeinde"}
    poorer = poorer_sozialraum(county)
    score = np.empty(len(county.gemeinden))
    for i, g in enumerate(county.gemeinden):
        area = "poorer" if g.sozialraum == poorer else county.profiles[g.sozialraum]
        score[i] = KIND_SCORE[_kind(g, seats)] + SOZIALRAUM_SCORE.get(area, 0.0) + rng.normal(0, 0.15)
    return score


def population(counts: np.ndarray) -> np.ndarray:
    """[gemeinde, SOCIAL_YEARS, age group] from the demo population [gemeinde, YEARS, sex, age group]."""
    return counts[:, [YEARS.index(y) for y in SOCIAL_YEARS]].sum(axis=2)


def round_to_5(values: np.ndarray) -> np.ndarray:
    """IT.NRW's 5er-Rundung: to the nearest multiple of 5, halves up (1 and 2 become 0)."""
    return 5 * ((values + 2) // 5)


def _year_factor(kind: str) -> np.ndarray:
    return np.array([YEAR_FACTOR[kind][y] for y in SOCIAL_YEARS])


def simulate_benefits(county: County, pop: np.ndarray, score: np.ndarray, rng: np.random.Generator) -> dict:
    """Recipients per Gemeinde and year; SGB XII and AsylbLG rounded to 5, totals summed from the rounded parts."""
    towns = np.array([g.bez == "Stadt" for g in county.gemeinden])
    shelter = towns | (rng.random(len(towns)) < SHELTER_SHARE)
    basis = {
        "sgb2": pop[..., UNDER_65].sum(axis=2),
        "hlu": pop.sum(axis=2),
        "grusi_alter": pop[..., SENIOR].sum(axis=2),
        "grusi_em": pop[..., AGE_18_65].sum(axis=2),
        "asyl": pop.sum(axis=2) * shelter[:, None],
    }
    benefits = {}
    for kind, people in basis.items():
        rate = np.minimum(BASE_RATE[kind] * np.exp(SCORE_WEIGHT[kind] * score), 0.16)  # SGB II quote at most 16 %
        benefits[kind] = rng.poisson(people * rate[:, None] * _year_factor(kind)[None, :])
    for i in _small_villages(county, pop):
        benefits["sgb2"][i] = rng.integers(1, 3, size=len(SOCIAL_YEARS))  # exercises small-number suppression
    for kind in ROUNDED_TO_5:
        benefits[kind] = round_to_5(benefits[kind])
    benefits["grusi"] = benefits["grusi_alter"] + benefits["grusi_em"]
    benefits["insgesamt"] = benefits["sgb2"] + benefits["hlu"] + benefits["grusi"] + benefits["asyl"]
    return benefits


def _small_villages(county: County, pop: np.ndarray) -> list[int]:
    poorer = poorer_sozialraum(county)
    villages = [i for i, g in enumerate(county.gemeinden) if g.bez == "Gemeinde" and g.sozialraum != poorer]
    totals = pop[:, -1].sum(axis=1)
    return sorted(villages, key=lambda i: (totals[i], i))[:N_SMALL_VILLAGES]


def simulate_unemployed(
    county: County, pop: np.ndarray, score: np.ndarray, sgb2: np.ndarray, rng: np.random.Generator
) -> dict:
    """Annual average of the unemployed: part SGB II (Bürgergeld), part SGB III; groups drawn from the total."""
    towns = np.array([g.bez == "Stadt" for g in county.gemeinden], dtype=float)
    ageing = np.array([county.profiles[g.sozialraum] == "ageing" for g in county.gemeinden], dtype=float)
    expected = 0.3 * sgb2 + 0.012 * pop[..., AGE_15_65].sum(axis=2) * np.exp(0.3 * score)[:, None]
    total = rng.poisson(expected * _year_factor("unemployed")[None, :])
    n = len(county.gemeinden)

    def share(base: np.ndarray | float, spread: float) -> np.ndarray:  # a fixed share per Gemeinde, all years
        return np.clip(base + rng.normal(0, spread, n), 0.01, 0.9)[:, None] * np.ones(len(SOCIAL_YEARS))

    unemployed = {"insgesamt": total}
    unemployed["auslaender"] = rng.binomial(total, share(0.10 + 0.12 * towns, 0.02))
    unemployed["schwerbehindert"] = rng.binomial(total, share(0.065, 0.01))
    unemployed["age15_25"] = rng.binomial(total, share(0.10, 0.015))
    unemployed["age15_20"] = rng.binomial(unemployed["age15_25"], 0.2)
    unemployed["age55_65"] = rng.binomial(total, share(0.19 + 0.04 * ageing, 0.02))
    unemployed["langzeit"] = rng.binomial(total, share(0.30 + 0.06 * score, 0.03))
    return unemployed


# '.' cells are never a hidden zero, so the county row (which keeps the true total) is visibly more than the parts.
def _smallest_village_with(county: County, hidden: np.ndarray, size: np.ndarray) -> int:
    villages = [i for i, g in enumerate(county.gemeinden) if g.bez == "Gemeinde" and hidden[i] > 0]
    return min(villages, key=lambda i: (size[i], i))


def _hidden_benefit(county: County, benefits: dict) -> tuple[int, int]:
    """The HLU cell of 2022 in the village with the fewest recipients among those with HLU recipients."""
    y = SOCIAL_YEARS.index(2022)
    return _smallest_village_with(county, benefits["hlu"][:, y], benefits["insgesamt"][:, y]), y


def _hidden_unemployed(county: County, unemployed: dict) -> tuple[tuple[int, int], ...]:
    """Every year the "schwerbehindert" cell of the village with the fewest unemployed among those with any."""
    disabled, total = unemployed["schwerbehindert"], unemployed["insgesamt"]
    return tuple((_smallest_village_with(county, disabled[:, y], total[:, y]), y) for y in range(len(SOCIAL_YEARS)))


def simulate_social(county: County, counts: np.ndarray) -> SocialData:
    rng = np.random.default_rng([SEED, SOCIAL_STREAM])
    pop = population(counts)
    score = deprivation(county, rng)
    benefits = simulate_benefits(county, pop, score, rng)
    unemployed = simulate_unemployed(county, pop, score, benefits["sgb2"], rng)
    return SocialData(benefits, unemployed, _hidden_benefit(county, benefits), _hidden_unemployed(county, unemployed))


# ---------------------------------------------------------------- IT.NRW layout
def _itnrw_rows(county: County, kreis: list[str], gemeinden: list[list[str]], period: str | None) -> list[list[str]]:
    """IT.NRW data rows: [period;] key; name indented by 4 (Kreis) or 6 (Gemeinde) spaces; values."""
    lead = [period] if period else []
    rows = [[*lead, KREIS_AGS, f"    {KREIS_GEN}, Landkreis", *kreis]]
    rows += [[*lead, g.ags, f"      {g.genesis_name}", *cells] for g, cells in zip(county.gemeinden, gemeinden)]
    return rows


def _count(value: int) -> str:
    return "-" if value == 0 else str(value)


def _decimal(tenths_or_hundredths: int, places: int) -> str:
    whole, part = divmod(tenths_or_hundredths, 10**places)
    return f"{whole},{part:0{places}d}"


def _ratio(numerator: int, denominator: int, scale: int) -> int:
    """numerator / denominator × scale, rounded half up, in exact integer arithmetic."""
    return (2 * numerator * scale + denominator) // (2 * denominator)


def _itnrw_footnote(first: list[str]) -> list[str]:
    return [*first, "----", " ", "Datenquellen:", "keine - Demodaten, frei erfundene Werte für den",
            "fiktiven Landkreis Musterland (Land 99)", "----------"]  # fmt: skip


_MSL = "Empfänger/innen von soz. Mindestsicherungsleistung"
_SGB2 = "Gesamtregelleistung (ALG II/Sozialgeld) nach dem SGB II"
_GRUSI = "Grundsicherung im Alter und bei Erwerbsminderung nach dem SGB XII"
BENEFIT_HEADER = [
    ["", "", "", *[_MSL] * 8],
    ["", "", "", _SGB2, "Insgesamt", _SGB2, "Hilfe zum Lebensunterhalt außerhalb von Einrichtungen nach dem SGB XII",
     _GRUSI, _GRUSI, _GRUSI, "Regelleistungen nach dem Asylbewerberleistungsgesetz"],
    ["", "", "", "", "", "", "", "Insgesamt", "im Alter", "bei Erwerbsminderung", ""],
    ["", "", "", *["Anzahl"] * 8],
]  # fmt: skip
BENEFIT_TITLE = [
    "Tabelle: 22811-05i", "Sozialberichterstattung in der amtlichen Statistik:",
    "Empfänger/innen von sozialen Mindestsicherungsleistungen",
    "nach Art der Leistung - Gemeinden (Wohnortprinzip) - Jahr", "Sozialberichterstattung in der amtlichen Statistik",
]  # fmt: skip


def benefits_csv(county: County, social: SocialData, year: int) -> str:
    """Table 22811-05i for one year; the year is the first lead column, '-' where a count is 0."""
    y = SOCIAL_YEARS.index(year)
    values = np.stack([social.benefits[c][:, y] for c in BENEFIT_COLUMNS], axis=1)
    cells = [[_count(int(v)) for v in row] for row in values]
    i, hidden_year = social.hidden_benefit
    if hidden_year == y:
        cells[i][BENEFIT_COLUMNS.index("hlu")] = "."  # the county row keeps the true total
    kreis = [str(v) for v in values.sum(axis=0)]
    footnote = _itnrw_footnote([
        'zu "Mindestsicherungsleistung":', " ", "Demodaten: frei erfundene Werte für den fiktiven",
        "Landkreis Musterland (Land 99).", " ",
        "Die Werte nach dem SGB XII und dem AsylbLG sind wie bei", "IT.NRW auf ein Vielfaches von 5 gerundet",
        "(Geheimhaltungsverfahren der 5er-Rundung).",
    ])  # fmt: skip
    rows = _itnrw_rows(county, kreis, cells, str(year))
    return genesis_csv(BENEFIT_TITLE, BENEFIT_HEADER, rows, footnote, quoted_copyright=False)


def population_total(counts: np.ndarray, year: int) -> np.ndarray:
    return counts[:, YEARS.index(year)].sum(axis=(1, 2))


def rate_csv(county: County, social: SocialData, counts: np.ndarray) -> str:
    """Table 22811-01i: Mindestsicherungsquote = recipients / population × 100 (1 decimal); 'x' without inhabitants."""
    recipients = social.benefits["insgesamt"][:, SOCIAL_YEARS.index(STICHTAG_YEAR)]
    people = population_total(counts, STICHTAG_YEAR)

    def quote(n: int, p: int) -> str:
        return _decimal(_ratio(n, p, 1000), 1) if p else "x"  # "x": a rate of nobody says nothing

    cells = [[quote(int(n), int(p))] for n, p in zip(recipients, people)]
    kreis = [quote(int(recipients.sum()), int(people.sum()))]
    title = ["Tabelle: 22811-01i", "Sozialberichterstattung in der amtlichen Statistik:",
             "Mindestsicherungsquote - Gemeinden (Wohnortprinzip) -Jahr",
             "Sozialberichterstattung in der amtlichen Statistik", "Mindestsicherungsquote (Prozent)"]  # fmt: skip
    header = [["", "", "Jahr"], ["", "", str(STICHTAG_YEAR)]]
    footnote = _itnrw_footnote([
        'zu "Mindestsicherungsquote":', " ", "Die Mindestsicherungsquote ist der Anteil der",
        "Empfänger/-innen von Mindestsicherungsleistungen an der", "Bevölkerung am 31.12. in Prozent.", " ",
        "Demodaten: frei erfundene Werte für den fiktiven", "Landkreis Musterland (Land 99).",
    ])  # fmt: skip
    rows = _itnrw_rows(county, kreis, cells, None)
    return genesis_csv(title, header, rows, footnote, quoted_copyright=False)


def area_hundredths(county: County) -> np.ndarray:
    """Polygon area of each Gemeinde in km², in hundredths (2 decimals, halves up)."""
    return np.array([int(np.floor(g.geometry.area / 10_000 + 0.5)) for g in county.gemeinden])


def area_csv(county: County, counts: np.ndarray) -> str:
    """Table 12411-15i on 31.12.2023: population (as 12411-02-03-5), area in km² and inhabitants per km²."""
    people, area = population_total(counts, STICHTAG_YEAR), area_hundredths(county)

    def cells(p: int, a: int) -> list[str]:
        # per km²: p / (a / 100) with one decimal = p × 1000 / a tenths
        return [_count(p), _decimal(a, 2), _decimal(_ratio(p, a, 1000), 1) if p else "-"]

    gemeinden = [cells(int(p), int(a)) for p, a in zip(people, area)]
    kreis = cells(int(people.sum()), int(area.sum()))
    title = ["Tabelle: 12411-15i", "Katasterfläche (qkm), Bevölkerung und Bevölkerungsdichte - Stichtag - Gemeinden"]
    header = [
        ["", "", "", "Fortschreibung des Bevölkerungsstandes", "Flächenerhebung nach Art der tatsächlichen Nutzung",
         "Fortschreibung des Bevölkerungsstandes"],
        ["", "", "", "Bevölkerungsstand (Basis Zensus 2022 und früher)", "Bodenfläche (Katasterfläche) in qkm",
         "Bevölkerungsdichte"],
        ["", "", "", "Anzahl", "qkm", "EW pro qkm"],
    ]  # fmt: skip
    footnote = ["Demodaten: frei erfundene Werte für den fiktiven", "Landkreis Musterland (Land 99).", "",
                "Die Fläche ist die Fläche der erfundenen Gemeindegrenzen", "(EPSG:25832), die Bevölkerung die der",
                "Demo-Tabelle 12411-02-03-5 zum selben Stichtag."]  # fmt: skip
    rows = _itnrw_rows(county, kreis, gemeinden, f"31.12.{STICHTAG_YEAR}")
    return genesis_csv(title, header, rows, footnote, quoted_copyright=False)


# ---------------------------------------------------------------- Regionalstatistik layout
UNEMPLOYED_HEADER = [
    ["", "", "Arbeitslose insgesamt", *["Arbeitslose"] * 6],
    ["", "", "", *["und zwar"] * 6],
    ["", "", "", "Ausländer", "schwerbehindert", "15 bis unter 20 Jahre", "15 bis unter 25 Jahre",
     "55 bis unter 65 Jahre", "langzeitarbeitslos"],
    ["", "", *["Anzahl"] * 7],
]  # fmt: skip


def unemployed_csv(county: County, social: SocialData, year: int) -> str:
    """Table 13211-01-03-5 for one year (annual average), the year in the title block as 'Jahr: YYYY'."""
    y = SOCIAL_YEARS.index(year)
    values = np.stack([social.unemployed[c][:, y] for c in UNEMPLOYED_COLUMNS], axis=1)
    unknown = np.zeros(values.shape, dtype=bool)
    for i, hidden_year in social.hidden_unemployed:
        if hidden_year == y:
            unknown[i, UNEMPLOYED_COLUMNS.index("schwerbehindert")] = True
    title = ["GENESIS-Tabelle: 13211-01-03-5", "Arbeitslose nach ausgewählten Personengruppen",
             "- Jahresdurchschnitt -", "regionale Tiefe: Gemeinden, Samt-/Verbandsgemeinden",
             "Arbeitsmarktstatistik der Bundesagentur für Arbeit", f"Jahr: {year}"]  # fmt: skip
    footnote = ['zu "gesamte Tabelle":', "Demodaten: frei erfundene Werte für den fiktiven",
                "Landkreis Musterland (Land 99), keine Daten der", "Bundesagentur für Arbeit (BA).", " ",
                f"Land 99 (fiktiv): Gebietsstand 31.12.{year}"]  # fmt: skip
    return genesis_csv(title, UNEMPLOYED_HEADER, data_rows(county, values, unknown), footnote)


# ---------------------------------------------------------------- entry point
def write_social_tables(county: County, counts: np.ndarray, statistics: Path) -> None:
    """Write the 12411-15i, 22811-05i, 22811-01i (latin-1, as IT.NRW serves them) and 13211-01-03-5 files."""
    social = simulate_social(county, counts)
    write_text(statistics / f"12411-15i_{STICHTAG_YEAR}_musterland_latin1.csv", area_csv(county, counts), "latin-1")
    for year in SOCIAL_YEARS:
        benefits = benefits_csv(county, social, year)
        write_text(statistics / f"22811-05i_{year}_musterland_latin1.csv", benefits, "latin-1")
    rate = rate_csv(county, social, counts)
    write_text(statistics / f"22811-01i_{STICHTAG_YEAR}_musterland_latin1.csv", rate, "latin-1")
    for year in SOCIAL_YEARS:
        write_text(statistics / f"13211-01-03-5_{year}_musterland.csv", unemployed_csv(county, social, year))
