"""The demo county "Landkreis Musterland (Demodaten)": reproducible, committed unchanged, internally consistent.

The CSV checks parse the files with a few lines of their own instead of the project's loaders, so a loader bug
cannot hide a generator bug (and the other way round).
"""
from __future__ import annotations

import csv
import itertools
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from etl import demo

COMMITTED = Path(__file__).resolve().parent.parent / "data" / "demo"
HANDWRITTEN = {Path("README.md")}  # documentation of the folder, not produced by the generator
LAYERS = ("VG250_GEM", "VG250_VWG", "VG250_KRS", "VG250_LAN")
GEO = Path("geo/vg250_musterland")
# Compared as layers, not bytes: the dbf header carries the date it was written.
SHAPEFILE_BINARIES = {".shp", ".shx", ".dbf"}
AGE_TABLES = {year: Path(f"statistics/12411-02-03-5_{year}_musterland.csv") for year in (2020, 2021, 2022, 2023)}
AGE_TABLES[2019] = Path("statistics/12411-02-03-5_2019_musterland_latin1.csv")
SEX_TABLE = Path("statistics/12411-01-01-5_musterland.csv")
N_AGE_GROUPS = 17


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    demo.generate(out)
    return out


def _files(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()}


def _assert_same_data(expected: Path, actual: Path, files: set[Path]) -> None:
    for rel in sorted(files):
        if rel.suffix not in SHAPEFILE_BINARIES:
            assert (actual / rel).read_bytes() == (expected / rel).read_bytes(), f"{rel} differs"
    for layer in LAYERS:
        want = gpd.read_file(expected / GEO / f"{layer}.shp")
        got = gpd.read_file(actual / GEO / f"{layer}.shp")
        assert_geodataframe_equal(got, want)


def _encoding(rel: Path) -> str:
    return "latin-1" if "latin1" in rel.name else "utf-8"


def _table(root: Path, rel: Path) -> tuple[list[list[str]], list[list[str]]]:
    """(header rows, data rows) of a GENESIS classic table: data rows start with a numeric key."""
    text = (root / rel).read_bytes().decode(_encoding(rel))
    body = text[: text.index("\n__________\n")]
    rows = list(csv.reader(body.split("\n"), delimiter=";"))
    headers = [r for r in rows if r[:2] == ["", ""]]
    data = [r for r in rows if r and r[0].isdigit()]
    return headers, data


def _number(cell: str) -> int | None:
    if cell == ".":
        return None
    return 0 if cell == "-" else int(cell)


def _values(rows: list[list[str]]) -> list[list[int | None]]:
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
    for rel in [*AGE_TABLES.values(), SEX_TABLE, Path("sozialraeume_musterland.csv")]:
        data = (generated / rel).read_bytes()
        assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
        if _encoding(rel) == "latin-1":
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
            assert "Bevölkerungsstand" in data.decode("latin-1")
        else:
            data.decode("utf-8")
    for rel, code in [(AGE_TABLES[2023], "12411-02-03-5"), (SEX_TABLE, "12411-01-01-5")]:
        lines = (generated / rel).read_text(encoding="utf-8").split("\n")
        assert lines[0] == f"GENESIS-Tabelle: {code}"
        width = next(t for t in lines if t.startswith(";;")).count(";")  # the first header line
        assert all(t.count(";") == width for t in lines[1:6]), "title lines are padded to the column count"
    assert "31.12.2019" in (generated / AGE_TABLES[2019]).read_bytes().decode("latin-1").split("\n")[6]


@pytest.mark.parametrize("rel", [*AGE_TABLES.values(), SEX_TABLE], ids=lambda p: p.name)
def test_kreis_row_is_the_sum_of_the_gemeinden(generated: Path, rel: Path) -> None:
    _, rows = _table(generated, rel)
    assert rows[0][0] == demo.KREIS_AGS and rows[0][1] == "      Musterland (Demodaten), Landkreis"
    assert all(r[0].startswith(demo.KREIS_AGS) and len(r[0]) == 8 and r[1].startswith(" " * 8) for r in rows[1:])
    kreis, *gemeinden = _values(rows)
    for column, total in enumerate(kreis):
        parts = [g[column] for g in gemeinden]
        if None in parts:  # '.': the Kreis keeps the true total, so the known parts add up to less
            assert total > sum(p for p in parts if p is not None)
        else:
            assert total == sum(parts)


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
