"""The demo county "Landkreis Musterland (Demodaten)": reproducible, committed unchanged, internally consistent.

The CSV checks parse the files with a few lines of their own instead of the project's loaders, so a loader bug
cannot hide a generator bug (and the other way round).
"""
from __future__ import annotations

import csv
import itertools
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from pyproj import Transformer
from shapely.geometry import Point

from etl import demo
from etl.build import build
from etl.db import connect
from etl.offers_taxonomy import offer_types, type_by_label
from etl.sources.offers import read_offer_list

COMMITTED = Path(__file__).resolve().parent.parent / "data" / "demo"
HANDWRITTEN = {Path("README.md")}  # documentation of the folder, not produced by the generator
LAYERS = ("VG250_GEM", "VG250_VWG", "VG250_KRS", "VG250_LAN")
GEO = Path("geo/vg250_musterland")
# Compared as layers, not bytes: the dbf header carries the date it was written.
SHAPEFILE_BINARIES = {".shp", ".shx", ".dbf"}
# Compared by sheet names and cell values: zip compression may differ between zlib builds.
WORKBOOKS = {".xlsx"}
AGE_TABLES = {year: Path(f"statistics/12411-02-03-5_{year}_musterland.csv") for year in (2020, 2021, 2022, 2023)}
AGE_TABLES[2019] = Path("statistics/12411-02-03-5_2019_musterland_latin1.csv")
SEX_TABLE = Path("statistics/12411-01-01-5_musterland.csv")
N_AGE_GROUPS = 17
SOCIAL_YEARS = (2021, 2022, 2023)
AREA_TABLE = Path("statistics/12411-15i_2023_musterland_latin1.csv")
BENEFIT_TABLES = {year: Path(f"statistics/22811-05i_{year}_musterland_latin1.csv") for year in SOCIAL_YEARS}
RATE_TABLE = Path("statistics/22811-01i_2023_musterland_latin1.csv")
UNEMPLOYED_TABLES = {year: Path(f"statistics/13211-01-03-5_{year}_musterland.csv") for year in SOCIAL_YEARS}
CSV_FILES = [*AGE_TABLES.values(), SEX_TABLE, AREA_TABLE, *BENEFIT_TABLES.values(), RATE_TABLE,
             *UNEMPLOYED_TABLES.values()]  # fmt: skip
ITNRW = ("12411-15i", "22811-05i", "22811-01i")  # IT.NRW Landesdatenbank layout, the others Regionalstatistik
PERIOD_COLUMN = ("12411-15i", "22811-05i")  # IT.NRW tables with the year or Stichtag as the first lead column
# 22811-05i value columns: SGB II, Insgesamt, SGB II (again), HLU, Grundsicherung (Insgesamt, im Alter,
# bei Erwerbsminderung), AsylbLG
SGB2, TOTAL, SGB2_AGAIN, HLU, GRUSI, GRUSI_ALTER, GRUSI_EM, ASYL = range(8)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    demo.generate(out)
    return out


def _files(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()}


def _assert_same_data(expected: Path, actual: Path, files: set[Path]) -> None:
    for rel in sorted(files):
        if rel.suffix in WORKBOOKS:
            assert _workbook(actual / rel) == _workbook(expected / rel), f"{rel} differs"
        elif rel.suffix not in SHAPEFILE_BINARIES:
            assert (actual / rel).read_bytes() == (expected / rel).read_bytes(), f"{rel} differs"
    for layer in LAYERS:
        want = gpd.read_file(expected / GEO / f"{layer}.shp")
        got = gpd.read_file(actual / GEO / f"{layer}.shp")
        assert_geodataframe_equal(got, want)


def _workbook(path: Path) -> dict[str, list[tuple]]:
    """Sheet name -> rows of cell values, in sheet order (dicts keep it, and == compares it too)."""
    book = openpyxl.load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def _encoding(rel: Path) -> str:
    return "latin-1" if "latin1" in rel.name else "utf-8"


def _code(rel: Path) -> str:
    return rel.name.split("_")[0]


def _rows(root: Path, rel: Path) -> list[list[str]]:
    text = (root / rel).read_bytes().decode(_encoding(rel))
    return list(csv.reader(text[: text.index("\n__________\n")].split("\n"), delimiter=";"))


def _table(root: Path, rel: Path) -> tuple[list[list[str]], list[list[str]]]:
    """(header rows, data rows) of a GENESIS classic table: data rows have a numeric key. Rows are returned
    as key; name; values: the period lead column of the IT.NRW tables that have one is left out."""
    skip = 1 if _code(rel) in PERIOD_COLUMN else 0
    rows = [r[skip:] for r in _rows(root, rel) if len(r) > skip + 2]
    headers = [r for r in rows if r[:2] == ["", ""] and any(r[2:])]
    data = [r for r in rows if r[0].isdigit()]
    return headers, data


def _number(cell: str) -> int | float | None:
    """'-' is zero; '.' (unknown) and 'x' (not meaningful) have no value; '12,34' is a decimal."""
    if cell in (".", "x"):
        return None
    if cell == "-":
        return 0
    return float(cell.replace(",", ".")) if "," in cell else int(cell)


def _values(rows: list[list[str]]) -> list[list[int | float | None]]:
    return [[_number(c) for c in r[2:]] for r in rows]


# ---------------------------------------------------------------- reproducibility
def test_two_runs_give_identical_data(generated: Path, tmp_path: Path) -> None:
    demo.generate(tmp_path)
    assert _files(tmp_path) == _files(generated)
    _assert_same_data(generated, tmp_path, _files(generated))


def test_committed_demo_data_equals_a_fresh_generation(generated: Path) -> None:
    # Demo data is regenerated, never edited by hand: `python -m etl.demo` after changing demo.py.
    assert _files(COMMITTED) - HANDWRITTEN == _files(generated), "run `python -m etl.demo` and commit data/demo"
    _assert_same_data(generated, COMMITTED, _files(generated))


def test_committed_demo_data_is_small() -> None:
    assert sum((COMMITTED / rel).stat().st_size for rel in _files(COMMITTED)) < 1_000_000


# ---------------------------------------------------------------- geometry
@pytest.fixture(scope="module")
def layers(generated: Path) -> dict[str, gpd.GeoDataFrame]:
    return {layer: gpd.read_file(generated / GEO / f"{layer}.shp") for layer in LAYERS}


def test_gemeinden_tile_the_county(layers: dict[str, gpd.GeoDataFrame]) -> None:
    gem, krs = layers["VG250_GEM"], layers["VG250_KRS"]
    assert gem.crs.to_epsg() == 25832 and len(krs) == 1
    assert 50 <= len(gem) <= 80
    assert gem.is_valid.all() and (gem.geom_type == "Polygon").all()
    county = krs.geometry.iloc[0]
    assert 1_100e6 <= county.area <= 1_500e6
    union = shapely.union_all(gem.geometry.values)
    assert abs(union.area - county.area) / county.area < 0.001
    assert union.symmetric_difference(county).area / county.area < 0.001
    overlaps = [a.intersection(b).area for a, b in itertools.combinations(gem.geometry, 2)]
    assert max(overlaps) <= 1.0


def test_keys_follow_the_bkg_schema(layers: dict[str, gpd.GeoDataFrame]) -> None:
    gem, vwg = layers["VG250_GEM"], layers["VG250_VWG"]
    assert (gem.ARS.str.len() == 12).all() and (gem.ARS.str[:5] == demo.KREIS_AGS).all()
    assert (gem.AGS == gem.ARS.str[:5] + gem.ARS.str[9:]).all()
    assert gem.AGS.is_unique and gem.GEN.is_unique
    assert set(gem.BEZ) == {"Stadt", "Gemeinde", "Gemeindefreies Gebiet"}
    assert (gem.BEZ == "Stadt").sum() == 3 and (gem.BEZ == "Gemeindefreies Gebiet").sum() == 1
    assert (vwg.ARS.str.len() == 9).all() and set(gem.ARS.str[:9]) == set(vwg.ARS)
    towns = vwg[vwg.BEZ == "Gemeinschaftsfreie Gemeinde"]
    assert (towns.BEM == "gemeinschaftsfrei").all() and len(towns) == 4  # 3 towns + the Gutsbezirk
    assert 5 <= (vwg.BEZ == "Verbandsgemeinde").sum() <= 7
    assert layers["VG250_KRS"].BEZ.tolist() == ["Landkreis"] and (gem.GF == 4).all()


def _is_contiguous(parts: gpd.GeoSeries) -> bool:
    return shapely.union_all(parts.values).geom_type == "Polygon"


def test_verbaende_and_sozialraeume_are_contiguous_unions(layers: dict[str, gpd.GeoDataFrame], generated: Path) -> None:
    gem = layers["VG250_GEM"].assign(verband=lambda f: f.ARS.str[:9])
    mapping = pd.read_csv(generated / "sozialraeume_musterland.csv", sep=";", dtype=str)
    assert mapping.columns.tolist() == ["gemeinde_ags", "gemeinde_name", "sozialraum"]
    assert mapping.gemeinde_ags.is_unique and set(mapping.gemeinde_ags) == set(gem.AGS)
    assert 4 <= mapping.sozialraum.nunique() <= 6
    gem = gem.merge(mapping, left_on="AGS", right_on="gemeinde_ags")
    for _, members in gem.groupby("verband"):
        assert _is_contiguous(members.geometry)
        assert members.sozialraum.nunique() == 1, "a Sozialraum must consist of whole Verbände"
    for _, members in gem.groupby("sozialraum"):
        assert _is_contiguous(members.geometry)


# ---------------------------------------------------------------- statistics
def test_csv_encodings_and_layout(generated: Path) -> None:
    for rel in [*CSV_FILES, Path("sozialraeume_musterland.csv")]:
        data = (generated / rel).read_bytes()
        assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\n")
        if _encoding(rel) == "latin-1":
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")  # every latin-1 file has umlauts, so it is no valid UTF-8
            assert any(umlaut in data.decode("latin-1") for umlaut in "äöüß")
        else:
            data.decode("utf-8")
    assert "Bevölkerungsstand" in (generated / AGE_TABLES[2019]).read_bytes().decode("latin-1")
    for rel in CSV_FILES:
        lines = (generated / rel).read_bytes().decode(_encoding(rel)).split("\n")
        # Regionalstatistik writes "GENESIS-Tabelle:", the IT.NRW Landesdatenbank "Tabelle:"
        prefix = "Tabelle" if _code(rel) in ITNRW else "GENESIS-Tabelle"
        assert lines[0] == f"{prefix}: {_code(rel)}"
        first_header = next(i for i, t in enumerate(lines) if t.startswith(";;"))
        width = lines[first_header].count(";")
        assert all(t.count(";") == width for t in lines[1:first_header]), "title lines are padded to the column count"
        footer = lines[lines.index("__________") : -1]  # the file ends with a line break
        assert footer[-1] == demo.STAND and "© Demodaten" in footer[-2]
        # IT.NRW writes the © line bare, Regionalstatistik quotes it
        assert footer[-2].startswith("©") == (prefix == "Tabelle")
    assert "31.12.2019" in (generated / AGE_TABLES[2019]).read_bytes().decode("latin-1").split("\n")[6]
    for year, rel in UNEMPLOYED_TABLES.items():
        assert (generated / rel).read_text(encoding="utf-8").split("\n")[5] == f"Jahr: {year}" + ";" * 8
    assert _rows(generated, RATE_TABLE)[5:7] == [["", "", "Jahr"], ["", "", "2023"]]


def test_period_column_holds_the_year(generated: Path) -> None:
    for rel, period in [(AREA_TABLE, "31.12.2023"), *[(r, str(y)) for y, r in BENEFIT_TABLES.items()]]:
        data = [r for r in _rows(generated, rel) if len(r) > 2 and r[1].isdigit()]
        assert len(data) == 62 and {r[0] for r in data} == {period}


COUNT_TABLES = [*AGE_TABLES.values(), SEX_TABLE, AREA_TABLE, *BENEFIT_TABLES.values(), *UNEMPLOYED_TABLES.values()]


@pytest.mark.parametrize("rel", [*COUNT_TABLES, RATE_TABLE], ids=lambda p: p.name)
def test_keys_and_names_match_the_population_tables(generated: Path, rel: Path) -> None:
    _, reference = _table(generated, SEX_TABLE)
    _, rows = _table(generated, rel)
    assert [r[0] for r in rows] == [r[0] for r in reference]
    assert [r[1].strip() for r in rows] == [r[1].strip() for r in reference]
    kreis, gemeinde = (4, 6) if _code(rel) in ITNRW else (6, 8)
    assert rows[0][1] == " " * kreis + "Musterland (Demodaten), Landkreis"
    assert all(r[1].startswith(" " * gemeinde) and r[1][gemeinde] != " " for r in rows[1:])


@pytest.mark.parametrize("rel", COUNT_TABLES, ids=lambda p: p.name)
def test_kreis_row_is_the_sum_of_the_gemeinden(generated: Path, rel: Path) -> None:
    _, rows = _table(generated, rel)
    assert rows[0][0] == demo.KREIS_AGS and rows[0][1].strip() == "Musterland (Demodaten), Landkreis"
    assert all(r[0].startswith(demo.KREIS_AGS) and len(r[0]) == 8 for r in rows[1:])
    kreis, *gemeinden = _values(rows)
    if rel == AREA_TABLE:  # the density is a ratio, not a sum (checked below)
        kreis, gemeinden = kreis[:2], [g[:2] for g in gemeinden]
    for column, total in enumerate(kreis):
        parts = [g[column] for g in gemeinden]
        if None in parts:  # '.': the Kreis keeps the true total, so the known parts add up to less
            assert total > sum(p for p in parts if p is not None)
        else:
            assert total == pytest.approx(sum(parts), abs=1e-6)


@pytest.mark.parametrize("year", sorted(AGE_TABLES))
def test_age_table_adds_up(generated: Path, year: int) -> None:
    headers, rows = _table(generated, AGE_TABLES[year])
    n = N_AGE_GROUPS + 1
    assert [h[2] for h in headers] == ["Insgesamt", "Altersgruppen (unter 3 bis 75 u.m.)", "unter 3 Jahre"]
    assert headers[0][2 + n] == "männlich" and headers[2][1 + n] == "Insgesamt"
    for row in _values(rows):
        total, male, female = row[:n], row[n : 2 * n], row[2 * n :]
        assert [m + f for m, f in zip(male, female)] == total
        for block in (total, male, female):
            assert sum(block[:-1]) == block[-1]


def test_sex_table_matches_the_age_tables(generated: Path) -> None:
    headers, rows = _table(generated, SEX_TABLE)
    dates = headers[0][2::3]
    assert dates == [f"31.12.{y}" for y in range(2023, 2013, -1)]
    values = _values(rows)
    for row in values:
        for i in range(0, len(row), 3):
            if row[i] is not None:
                assert row[i] == row[i + 1] + row[i + 2]
    for year, rel in AGE_TABLES.items():
        _, age_rows = _table(generated, rel)
        column = 3 * dates.index(f"31.12.{year}")
        assert [r[column] for r in values] == [v[N_AGE_GROUPS] for v in _values(age_rows)]


def test_markers(generated: Path) -> None:
    _, rows = _table(generated, SEX_TABLE)
    unknown = {(r[1].strip(), i // 3) for r in rows for i, c in enumerate(r[2:]) if c == "."}
    assert unknown == {("Niederhofen", 8), ("Niederhofen", 9)}  # 2015 and 2014, newest first
    for rel in [SEX_TABLE, *AGE_TABLES.values()]:
        _, rows = _table(generated, rel)
        forest = [r for r in rows if r[1].strip() == demo.FOREST_NAME]
        assert len(forest) == 1 and set(forest[0][2:]) == {"-"}
        assert all("-" not in r[2:] for r in rows if r is not forest[0])


def test_population_is_plausible(generated: Path) -> None:
    _, rows = _table(generated, SEX_TABLE)
    for key, name, *cells in rows[1:]:
        totals = [int(c) for c in cells[::3] if c not in ("-", ".")]
        if name.endswith(", Stadt"):
            assert all(8_000 <= t <= 30_000 for t in totals), name
        elif name.strip() != demo.FOREST_NAME:
            assert all(250 <= t <= 3_000 for t in totals), name
        changes = [abs(a / b - 1) for a, b in zip(totals, totals[1:]) if b]
        assert max(changes, default=0) < 0.05, f"{name}: year-to-year change should be smooth"


def test_age_structure_differs_between_sozialraeume(generated: Path) -> None:
    mapping = pd.read_csv(generated / "sozialraeume_musterland.csv", sep=";", dtype=str)
    _, rows = _table(generated, AGE_TABLES[2023])
    # Insgesamt block: under 18 = the first five groups, 65 and over = the last two.
    frame = pd.DataFrame(
        [(r[0], *map(int, r[2 : 2 + N_AGE_GROUPS])) for r in rows[1:] if r[1].strip() != demo.FOREST_NAME],
        columns=["gemeinde_ags", *range(N_AGE_GROUPS)],
    ).merge(mapping, on="gemeinde_ags")
    per_sr = frame.groupby("sozialraum")[list(range(N_AGE_GROUPS))].sum()
    children = per_sr[list(range(5))].sum(axis=1) / per_sr.sum(axis=1)
    seniors = per_sr[[15, 16]].sum(axis=1) / per_sr.sum(axis=1)
    assert children.max() - children.min() > 0.03 and seniors.max() - seniors.min() > 0.04
    assert children.idxmax() != seniors.idxmax()


# ---------------------------------------------------------------- social situation
def _population_2023(root: Path) -> list[int]:
    """Insgesamt per row (Kreis first) on 31.12.2023 from 12411-02-03-5."""
    _, rows = _table(root, AGE_TABLES[2023])
    return [v[N_AGE_GROUPS] for v in _values(rows)]


def _half_up(numerator: int, denominator: int, scale: int) -> int:
    return (2 * numerator * scale + denominator) // (2 * denominator)


@pytest.mark.parametrize("year", SOCIAL_YEARS)
def test_benefits_add_up(generated: Path, year: int) -> None:
    headers, rows = _table(generated, BENEFIT_TABLES[year])
    assert headers[1][2:] == [
        "Gesamtregelleistung (ALG II/Sozialgeld) nach dem SGB II", "Insgesamt",
        "Gesamtregelleistung (ALG II/Sozialgeld) nach dem SGB II",
        "Hilfe zum Lebensunterhalt außerhalb von Einrichtungen nach dem SGB XII",
        *["Grundsicherung im Alter und bei Erwerbsminderung nach dem SGB XII"] * 3,
        "Regelleistungen nach dem Asylbewerberleistungsgesetz",
    ]  # fmt: skip
    assert headers[2][2:] == ["", "", "", "", "Insgesamt", "im Alter", "bei Erwerbsminderung", ""]
    for row in _values(rows):
        assert row[SGB2] == row[SGB2_AGAIN] and row[SGB2] is not None
        assert row[GRUSI] == row[GRUSI_ALTER] + row[GRUSI_EM]
        parts = [row[SGB2], row[HLU], row[GRUSI], row[ASYL]]
        if None in parts:  # '.': Insgesamt keeps the true total
            assert row[TOTAL] > sum(p for p in parts if p is not None)
        else:
            assert row[TOTAL] == sum(parts)
        # IT.NRW's 5er-Rundung of the SGB XII and AsylbLG values
        assert all(v % 5 == 0 for v in (row[HLU], row[GRUSI_ALTER], row[GRUSI_EM], row[ASYL]) if v is not None)


def test_benefit_markers(generated: Path) -> None:
    unknown, small = [], set()
    for year, rel in BENEFIT_TABLES.items():
        _, rows = _table(generated, rel)
        forest = [r for r in rows if r[1].strip() == demo.FOREST_NAME]
        assert len(forest) == 1 and set(forest[0][2:]) == {"-"}
        unknown += [(year, r[1].strip(), i) for r in rows for i, c in enumerate(r[2:]) if c == "."]
        assert "0" not in {c for r in rows for c in r[2:]}, "IT.NRW writes '-' for zero"
        small |= {r[1].strip() for r in rows[1:] if r[2 + SGB2] in ("1", "2")}
    assert unknown == [(2022, "Birkenau", HLU)]  # exactly one '.' cell (data/demo/README.md names it)
    assert small == {"Niederhofen", "Haselscheid", "Bärenborn"}, "1 or 2 recipients exercise small-number suppression"


def test_rate_table_is_recipients_over_population(generated: Path) -> None:
    _, benefit_rows = _table(generated, BENEFIT_TABLES[2023])
    _, rate_rows = _table(generated, RATE_TABLE)
    recipients = [v[TOTAL] for v in _values(benefit_rows)]
    for row, n, p in zip(rate_rows, recipients, _population_2023(generated), strict=True):
        if p == 0:
            assert row[2] == "x", "a rate without inhabitants is not meaningful"
        else:
            tenths = _half_up(n, p, 1000)
            assert row[2] == f"{tenths // 10},{tenths % 10}", row[1]


def test_area_table_matches_population_and_geometry(generated: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    headers, rows = _table(generated, AREA_TABLE)
    assert [h[2:] for h in headers[1:]] == [
        ["Bevölkerungsstand (Basis Zensus 2022 und früher)", "Bodenfläche (Katasterfläche) in qkm", "Bevölkerungsdichte"],
        ["Anzahl", "qkm", "EW pro qkm"],
    ]
    assert [v[0] for v in _values(rows)] == _population_2023(generated)
    polygon_km2 = layers["VG250_GEM"].set_index("AGS").geometry.area / 1e6
    for key, name, people, area, density in rows:
        assert len(area.split(",")[1]) == 2, "area in km² with 2 decimals"
        hundredths = int(area.replace(",", ""))
        if key != demo.KREIS_AGS:
            assert abs(hundredths / 100 - polygon_km2[key]) <= 0.005 + 1e-9, name
        if people == "-":
            assert density == "-"
        else:
            tenths = _half_up(int(people), hundredths, 1000)
            assert density == f"{tenths // 10},{tenths % 10}", name


@pytest.mark.parametrize("year, hidden", [(2021, "Sandhagen"), (2022, "Bärenborn"), (2023, "Bärenborn")])
def test_unemployed_subgroups(generated: Path, year: int, hidden: str) -> None:
    headers, rows = _table(generated, UNEMPLOYED_TABLES[year])
    assert headers[2][3:] == ["Ausländer", "schwerbehindert", "15 bis unter 20 Jahre", "15 bis unter 25 Jahre",
                              "55 bis unter 65 Jahre", "langzeitarbeitslos"]  # fmt: skip
    unknown = [(r[1].strip(), i) for r in rows for i, c in enumerate(r[2:]) if c == "."]
    assert unknown == [(hidden, 2)]  # one '.' in "schwerbehindert" (data/demo/README.md names them)
    forest = [r for r in rows if r[1].strip() == demo.FOREST_NAME]
    assert len(forest) == 1 and set(forest[0][2:]) == {"-"}
    for total, *groups in _values(rows):
        assert all(g is None or 0 <= g <= total for g in groups)
        assert groups[2] <= groups[3], "15 to 20 is part of 15 to 25"


def test_social_figures_are_plausible(generated: Path) -> None:
    mapping = pd.read_csv(generated / "sozialraeume_musterland.csv", sep=";", dtype=str).set_index("gemeinde_ags")
    _, age_rows = _table(generated, AGE_TABLES[2023])
    under_65 = {r[0]: sum(v[:15]) for r, v in zip(age_rows, _values(age_rows))}
    _, rows = _table(generated, BENEFIT_TABLES[2023])
    quote = {r[0]: v[SGB2] / under_65[r[0]] * 100 for r, v in zip(rows, _values(rows)) if under_65[r[0]]}
    towns = [r[0] for r in rows if r[1].endswith(", Stadt")]
    villages = [k for k in quote if k not in towns and k != demo.KREIS_AGS]
    assert 5 <= quote[demo.KREIS_AGS] <= 10
    assert all(6 <= quote[k] <= 15 for k in towns)
    typical = [quote[k] for k in villages if quote[k] >= 2.5]  # the few with 1 or 2 recipients aside
    assert len(typical) >= len(villages) - 4 and max(typical) <= 12
    by_sozialraum = pd.Series({k: quote[k] for k in villages}).groupby(mapping["sozialraum"]).median()
    assert by_sozialraum.max() - by_sozialraum.median() > 1.5, "one Sozialraum is visibly poorer"
    _, unemployed = _table(generated, UNEMPLOYED_TABLES[2023])
    assert 0.015 <= _values(unemployed)[0][0] / _population_2023(generated)[0] <= 0.04


# ---------------------------------------------------------------- offer list
OFFERS_XLSX = Path("angebote/angebote_musterland_demodaten.xlsx")
OFFERS_CSV = Path("angebote/angebote_musterland_demodaten.csv")
OFFER_COLUMNS = ["id", "name", "angebotsart", "traeger", "strasse", "plz", "ort", "gemeinde_ags", "lon", "lat",
                 "kapazitaet", "alter_von", "alter_bis", "gueltig_ab", "gueltig_bis",
                 # the public finder's columns (docs/FINDER.md); kontakt_intern is never published
                 "oeffentlich", "kontakt", "telefon", "email", "webseite", "zeiten", "kosten", "sprachen",
                 "barrierefrei", "beschreibung", "kontakt_intern"]  # fmt: skip
DEMO_CONFIG = Path(__file__).resolve().parent.parent / "config" / "demo_musterland.toml"
HTML_NAME = "<img src=x onerror=alert(1)>"
POORER_TOWN = "Altenmühl"  # its Sozialraum is the poorer one, with the weaker supply (data/demo/README.md)
# rows per Angebotsart: a plausible range for a county of ~110,000 (data/demo/README.md gives the counts)
TYPE_COUNTS = {
    "kita": (60, 100), "kindertagespflege": (50, 130), "grundschule": (25, 45), "weiterfuehrende_schule": (6, 14),
    "foerderschule": (1, 4), "berufliche_schule": (1, 4), "schulsozialarbeit": (15, 45), "familienzentrum": (6, 16),
    "familienbildung": (5, 30), "erziehungsberatung": (3, 7), "fruehe_hilfen": (4, 12), "schwangerschaftsberatung": (2, 5),
    "jugendtreff": (15, 40), "jugendberufshilfe": (2, 5), "mehrgenerationenhaus": (1, 3), "pflegeberatung": (4, 10),
    "sozialraumzentrum": (4, 4), "familienbuero": (1, 3),
}  # fmt: skip
# the faulty rows on purpose and what the import report must say about them (None: loaded without a remark)
EXPECTED_REPORT = {
    "duplicate": ("verworfen", "Dublette von Zeile"),
    "unknown_type": ("verworfen", "unbekannte Angebotsart 'Tanzschule'"),
    "latlon_swapped": ("verworfen", "x und y vertauscht?"),
    "outside": ("übersprungen", "liegt außerhalb des Kreises"),
    "key_contradicts": ("geladen", "widerspricht der Lage"),
    "capacity_text": ("geladen ohne diesen Wert", "'ca. 40' ist keine gültige Zahl"),
    "no_coordinates": ("geladen", "keine Koordinaten"),
    "html_name": None,
    "ampersand_name": None,
}
_TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)


def _offer_rows(root: Path) -> list[dict]:
    """The CSV rows as text by column, with 'row': the spreadsheet row = CSV line (header = 1)."""
    text = (root / OFFERS_CSV).read_bytes().decode("utf-8-sig")
    header, *rows = csv.reader(text.splitlines(), delimiter=";")
    assert header == OFFER_COLUMNS
    return [dict(zip(header, r), row=i) for i, r in enumerate(rows, start=2)]


def _lonlat(row: dict) -> tuple[float, float] | None:
    if not row["lon"]:
        return None
    return float(row["lon"].replace(",", ".")), float(row["lat"].replace(",", "."))


def _metric(row: dict) -> Point:
    return Point(_TO_METRIC.transform(*_lonlat(row)))


def _type(row: dict) -> str | None:
    return type_by_label().get(row["angebotsart"].strip().lower())


def _find_quirks(rows: list[dict], layers: dict[str, gpd.GeoDataFrame]) -> dict[str, int]:
    """Spot the faulty rows from the data alone (not from the generator): exactly one row of each kind."""
    gemeinden = layers["VG250_GEM"].set_index("AGS").geometry
    county = layers["VG250_KRS"].geometry.iloc[0]
    found: dict[str, list[int]] = {kind: [] for kind in EXPECTED_REPORT}
    seen: set[tuple] = set()
    for r in rows:
        values = tuple(r[c] for c in OFFER_COLUMNS)
        if values in seen:
            found["duplicate"].append(r["row"])
        seen.add(values)
        if _type(r) is None:
            found["unknown_type"].append(r["row"])
        if r["kapazitaet"] and not r["kapazitaet"].isdigit():
            found["capacity_text"].append(r["row"])
        if "<" in r["name"]:
            found["html_name"].append(r["row"])
        if "&" in r["name"]:
            found["ampersand_name"].append(r["row"])
        if _lonlat(r) is None:
            found["no_coordinates"].append(r["row"])
        elif _lonlat(r)[0] > _lonlat(r)[1]:  # in Germany the latitude (47–55) exceeds the longitude (6–15)
            found["latlon_swapped"].append(r["row"])
        elif not county.contains(_metric(r)):
            found["outside"].append(r["row"])
        elif not gemeinden[r["gemeinde_ags"]].contains(_metric(r)):
            found["key_contradicts"].append(r["row"])
    assert all(len(v) == 1 for v in found.values()), found
    return {kind: v[0] for kind, v in found.items()}


@pytest.fixture(scope="module")
def offer_rows(generated: Path) -> list[dict]:
    return _offer_rows(generated)


@pytest.fixture(scope="module")
def quirks(offer_rows: list[dict], layers: dict[str, gpd.GeoDataFrame]) -> dict[str, int]:
    return _find_quirks(offer_rows, layers)


def test_offer_files_are_labelled_demo_data(generated: Path) -> None:
    from etl.config import OfferSource, load_config
    from etl.demo.offer_files import FIXED_TIME

    book = openpyxl.load_workbook(generated / OFFERS_XLSX)
    assert book.sheetnames == ["Angebote", "Hinweis"], "the list is the first sheet"
    assert next(book["Angebote"].iter_rows(values_only=True)) == tuple(OFFER_COLUMNS), "header in row 1, no title above"
    notice = "\n".join(str(r[0]) for r in book["Hinweis"].iter_rows(values_only=True) if r[0])
    assert notice.startswith("DEMODATEN") and "erfunden" in notice and "Landkreis Musterland (Demodaten)" in notice
    assert book.properties.created == book.properties.modified == FIXED_TIME
    with zipfile.ZipFile(generated / OFFERS_XLSX) as archive:
        assert {i.date_time for i in archive.infolist()} == {FIXED_TIME.timetuple()[:6]}
    data = (generated / OFFERS_CSV).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + ";".join(OFFER_COLUMNS).encode() + b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n") and data.endswith(b"\r\n"), "CRLF, as Excel writes CSV"
    config = load_config(DEMO_CONFIG)
    assert config.offers == [OfferSource("planungsatlas", COMMITTED / OFFERS_XLSX, stand="2023-12-31", public=True)]
    assert config.population_grid is None, "the demo uses the Gemeinde lattice"


def _as_csv_text(value) -> str:
    if value is None:
        return ""
    return f"{value:.6f}".replace(".", ",") if isinstance(value, float) else str(value)


def test_csv_and_xlsx_hold_the_same_rows(generated: Path, offer_rows: list[dict]) -> None:
    sheet = _workbook(generated / OFFERS_XLSX)["Angebote"][1:]
    assert [[_as_csv_text(v) for v in cells] for cells in sheet] == [[r[c] for c in OFFER_COLUMNS] for r in offer_rows]
    types = {c: {type(v) for v in column if v is not None} for c, column in zip(OFFER_COLUMNS, zip(*sheet))}
    assert types["plz"] == types["gemeinde_ags"] == types["gueltig_ab"] == {str}, "keys and dates are text cells"
    assert types["lon"] == types["lat"] == {float} and types["alter_von"] == {int}
    assert types["kapazitaet"] == {int, str}, "numbers, except the one 'ca. 40'"


def test_reader_reads_csv_and_xlsx_alike(generated: Path) -> None:
    from_csv = read_offer_list(generated / OFFERS_CSV, "planungsatlas")
    from_xlsx = read_offer_list(generated / OFFERS_XLSX, "planungsatlas")
    # the offer key names the list's file (etl/offer_keys.py), so the two files' keys differ by design
    pd.testing.assert_frame_equal(from_csv.offers.drop(columns="offer_key"), from_xlsx.offers.drop(columns="offer_key"))
    assert from_csv.offers["offer_key"].is_unique and from_xlsx.offers["offer_key"].is_unique
    assert from_csv.report == from_xlsx.report and len(from_csv.report) == 3  # type, capacity, duplicate


def test_offer_counts_per_type_are_plausible(offer_rows: list[dict]) -> None:
    assert 300 <= len(offer_rows) <= 450
    counts = pd.Series([_type(r) for r in offer_rows]).value_counts()
    types = offer_types()
    assert set(counts.index) == set(types.index), "every Angebotsart of the taxonomy"
    assert set(TYPE_COUNTS) == set(types.index)
    for offer_type, (low, high) in TYPE_COUNTS.items():
        assert low <= counts[offer_type] <= high, offer_type
    with_unit = set(types["capacity_unit"].dropna().index)
    for r in offer_rows:
        if _type(r) is not None:
            assert bool(r["kapazitaet"]) == (_type(r) in with_unit), r["row"]
        if r["alter_von"] and r["alter_bis"]:
            assert int(r["alter_von"]) <= int(r["alter_bis"])
        assert "1960-01-01" <= r["gueltig_ab"] <= "2023-12-31" and len(r["gueltig_ab"]) == 10
    assert len({r["id"] for r in offer_rows}) == len(offer_rows) - 1, "ids are unique but for the duplicate"


def test_offers_lie_in_their_gemeinde(offer_rows: list[dict], layers: dict[str, gpd.GeoDataFrame], quirks: dict) -> None:
    # _find_quirks checks the points: every one lies in the polygon of its gemeinde_ags but for the faulty rows
    gem = layers["VG250_GEM"].set_index("AGS")
    odd = {quirks[k] for k in ("latlon_swapped", "outside", "key_contradicts", "no_coordinates", "unknown_type", "duplicate")}
    for r in offer_rows:
        if r["row"] in odd:
            continue
        polygon = gem.geometry[r["gemeinde_ags"]]
        assert polygon.exterior.distance(_metric(r)) >= 50, f"row {r['row']} lies too close to the border"
        assert r["ort"] == gem.GEN[r["gemeinde_ags"]], r["row"]
    assert gem.BEZ[[r["gemeinde_ags"] for r in offer_rows if r["gemeinde_ags"]]].ne("Gemeindefreies Gebiet").all()
    contradicts = next(r for r in offer_rows if r["row"] == quirks["key_contradicts"])
    inside = gem.index[gem.geometry.contains(_metric(contradicts))]
    assert list(gem.GEN[inside]) == [contradicts["ort"]], "the address names the Gemeinde the point lies in"


def _kita_capacity(rows: list[dict], quirks: dict) -> pd.Series:
    """Known Kita places per Gemeinde name (the duplicate and the 'ca. 40' Kita left out)."""
    skip = {quirks["duplicate"], quirks["capacity_text"]}
    kitas = [(r["ort"], int(r["kapazitaet"])) for r in rows if _type(r) == "kita" and r["row"] not in skip]
    return pd.DataFrame(kitas, columns=["ort", "places"]).groupby("ort")["places"].sum()


def test_kita_supply_is_plausible(generated: Path, offer_rows: list[dict], quirks: dict) -> None:
    mapping = pd.read_csv(generated / "sozialraeume_musterland.csv", sep=";", dtype=str)
    _, age_rows = _table(generated, AGE_TABLES[2023])
    people = pd.DataFrame([(r[0], v[0], v[1], v[N_AGE_GROUPS]) for r, v in zip(age_rows[1:], _values(age_rows[1:]))],
                          columns=["gemeinde_ags", "u3", "a3_6", "total"]).merge(mapping, on="gemeinde_ags")  # fmt: skip
    people = people.set_index("gemeinde_name")
    people["aged_1_6"] = people["u3"] * 2 / 3 + people["a3_6"]
    has_kita = {r["ort"] for r in offer_rows if _type(r) == "kita"}
    large = people.index[people["total"] > 400]
    without = sorted(set(large) - has_kita)
    assert 1 <= len(without) <= 0.1 * len(large), "a Kita in nearly every Gemeinde with more than 400 inhabitants"
    capacity = _kita_capacity(offer_rows, quirks)
    ratio = capacity / people["aged_1_6"].reindex(capacity.index)
    poorer = people.loc[POORER_TOWN, "sozialraum"]
    in_poorer = people["sozialraum"].reindex(ratio.index) == poorer
    assert 0.7 <= ratio[~in_poorer].median() <= 0.95 and ratio[in_poorer].median() < 0.65
    assert ratio.max() <= 1.3 and (ratio < 0.5).sum() >= 3, "some Gemeinden are clearly under-supplied"
    per_sozialraum = capacity.groupby(people["sozialraum"]).sum() / people.groupby("sozialraum")[["u3", "a3_6"]].sum().sum(axis=1)
    kreis = capacity.sum() / people[["u3", "a3_6"]].sum().sum()
    assert per_sozialraum.idxmin() == poorer and per_sozialraum[poorer] < kreis - 0.1


def test_schools_and_services_are_placed_plausibly(offer_rows: list[dict], layers: dict[str, gpd.GeoDataFrame]) -> None:
    gem, vwg = layers["VG250_GEM"], layers["VG250_VWG"]
    towns = set(gem.AGS[gem.BEZ == "Stadt"])
    seats = {ars[:5] + ars[9:] for ars in vwg.SDV_ARS[vwg.BEZ == "Verbandsgemeinde"]}
    verband = dict(zip(gem.AGS, gem.ARS.str[:9]))
    by_type = {t: [r for r in offer_rows if _type(r) == t] for t in offer_types().index}
    primary = {verband[r["gemeinde_ags"]] for r in by_type["grundschule"]}
    assert primary >= {verband[a] for a in towns} | set(vwg.ARS[vwg.BEZ == "Verbandsgemeinde"])
    assert {r["gemeinde_ags"] for r in by_type["weiterfuehrende_schule"]} <= towns | seats
    assert {r["gemeinde_ags"] for r in by_type["berufliche_schule"] + by_type["foerderschule"]} <= towns
    schools = {(r["strasse"], r["plz"], r["lon"], r["lat"]) for t in ("grundschule", "weiterfuehrende_schule",
               "foerderschule", "berufliche_schule") for r in by_type[t]}  # fmt: skip
    assert all((r["strasse"], r["plz"], r["lon"], r["lat"]) in schools for r in by_type["schulsozialarbeit"])
    mapping = pd.read_csv(COMMITTED / "sozialraeume_musterland.csv", sep=";", dtype=str).set_index("gemeinde_ags")
    centres = pd.Series([mapping.sozialraum[r["gemeinde_ags"]] for r in by_type["sozialraumzentrum"]])
    assert centres.is_unique and mapping.sozialraum.nunique() - len(centres) == 1, "one Sozialraum has none"


def test_readme_and_notice_name_the_faulty_rows(generated: Path, offer_rows: list[dict], quirks: dict) -> None:
    readme = (COMMITTED / "README.md").read_text(encoding="utf-8").splitlines()
    notice = [str(r[0]) for r in _workbook(generated / OFFERS_XLSX)["Hinweis"] if r[0]]
    by_row = {r["row"]: r for r in offer_rows}
    for kind, row in quirks.items():
        assert any(line.startswith(f"| {row} | {by_row[row]['id']} |") for line in readme), f"README: {kind}, row {row}"
        assert any(line.startswith(f"Zeile {row}: ") for line in notice), f"Hinweis: {kind}, row {row}"
    assert by_row[quirks["html_name"]]["name"] == HTML_NAME
    assert any(f"{len(offer_rows)} rows" in line for line in readme)


# ---------------------------------------------------------------- the demo database with the offers
@pytest.fixture(scope="module")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo_build") / "demo_musterland.duckdb"
    build([DEMO_CONFIG], out, say=lambda _: None)
    return out


@pytest.fixture(scope="module")
def committed_rows() -> list[dict]:
    return _offer_rows(COMMITTED)  # the build reads the committed list


@pytest.fixture(scope="module")
def committed_quirks(committed_rows: list[dict], layers: dict[str, gpd.GeoDataFrame]) -> dict[str, int]:
    return _find_quirks(committed_rows, layers)


def _query(db: Path, sql: str) -> pd.DataFrame:
    con = connect(db, read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def test_import_report_shows_each_faulty_row(demo_build: Path, committed_rows: list[dict], committed_quirks: dict) -> None:
    report = _query(demo_build, "SELECT row, action, problem FROM import_report ORDER BY row")
    reported = {kind: expected for kind, expected in EXPECTED_REPORT.items() if expected}
    assert sorted(report["row"]) == sorted(committed_quirks[kind] for kind in reported), "exactly the faulty rows"
    for kind, (action, text) in reported.items():
        hit = report[report["row"] == committed_quirks[kind]].iloc[0]
        assert hit["action"] == action and text in hit["problem"], (kind, hit.to_dict())
    copy = next(r for r in committed_rows if r["row"] == committed_quirks["duplicate"])
    original = next(r for r in committed_rows if r["id"] == copy["id"])
    assert f"Dublette von Zeile {original['row']}" in report.set_index("row").loc[copy["row"], "problem"]


def test_import_report_is_also_written_as_a_german_csv_beside_the_database(demo_build: Path) -> None:
    from etl.load import import_report_path

    path = import_report_path(demo_build)
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode()), "UTF-8 with BOM, so German Excel reads the umlauts"
    written = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str)
    assert list(written.columns) == ["Datei", "Zeile", "Spalte", "Problem", "Ergebnis"]
    stored = _query(demo_build, "SELECT s.file, r.row, r.problem, r.action FROM import_report r JOIN sources s USING (source_id) ORDER BY r.row")
    assert written["Zeile"].astype(int).tolist() == stored["row"].tolist()
    assert written["Problem"].tolist() == stored["problem"].tolist() and written["Ergebnis"].tolist() == stored["action"].tolist()
    assert set(written["Datei"]) == {"angebote_musterland_demodaten.xlsx"}


def test_offers_table_holds_the_loaded_rows(demo_build: Path, committed_rows: list[dict], committed_quirks: dict) -> None:
    offers = _query(demo_build, "SELECT source_row, name, gemeinde_id, offer_type, kapazitaet FROM offers").set_index("source_row")
    by_row = {r["row"]: r for r in committed_rows}
    dropped = {committed_quirks[k] for k, v in EXPECTED_REPORT.items() if v and v[0] in ("verworfen", "übersprungen")}
    assert set(offers.index) == set(by_row) - dropped
    assert offers.loc[committed_quirks["html_name"], "name"] == HTML_NAME, "stored as plain text, unchanged"
    assert offers.loc[committed_quirks["ampersand_name"], "name"] == by_row[committed_quirks["ampersand_name"]]["name"]
    assert pd.isna(offers.loc[committed_quirks["capacity_text"], "kapazitaet"])
    contradicts = by_row[committed_quirks["key_contradicts"]]
    assert offers.loc[contradicts["row"], "gemeinde_id"] != contradicts["gemeinde_ags"], "the coordinates win"
    mobile = by_row[committed_quirks["no_coordinates"]]
    assert offers.loc[mobile["row"], "gemeinde_id"] == mobile["gemeinde_ags"]
    listed = pd.Series([_type(by_row[r]) for r in offers.index], index=offers.index)
    assert (offers["offer_type"] == listed).all()


def test_coverage_shows_the_weaker_sozialraum(demo_build: Path) -> None:
    coverage = _query(demo_build, """
        SELECT a.level, a.name, c.category, c.offers, c.capacity_per_100
        FROM coverage c JOIN areas a USING (area_id)
        WHERE c.dimension = 'angebotsart' AND a.level IN ('kreis', 'sozialraum')""")
    kita = coverage[coverage["category"] == "kita"].set_index("name")
    kreis = kita.loc[kita["level"] == "kreis", "capacity_per_100"].iloc[0]
    sozialraum = kita.loc[kita["level"] == "sozialraum", "capacity_per_100"]
    poorer = next(name for name in sozialraum.index if POORER_TOWN in name.split("/"))
    assert 45 <= kreis <= 75, "Kita places per 100 children under 6"
    assert sozialraum.idxmin() == poorer and sozialraum[poorer] < kreis - 10
    at_kreis = coverage[coverage["level"] == "kreis"].set_index("category")["offers"]
    assert set(at_kreis.index) == set(offer_types().index) and (at_kreis > 0).all()
    centres = coverage[(coverage["level"] == "sozialraum") & (coverage["category"] == "sozialraumzentrum")]
    assert sorted(centres["offers"]) == [0, 1, 1, 1, 1]
    sources = _query(demo_build, "SELECT stand, file FROM sources WHERE kind = 'offers'")
    assert sources.to_dict("records") == [{"stand": "2023-12-31", "file": OFFERS_XLSX.name}]
