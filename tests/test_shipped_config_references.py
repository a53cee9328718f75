"""Land and Bund beside the Kreis on the shipped county configs (issue 11, item 6 and its test).

The four real configs read the national GENESIS files (full_original) wherever the data folder has one, so their
databases hold the Land rows and Germany's row ('DG', level 'bund') of population, SGB II and unemployment – the
values the explorer, the Steckbrief, the Kreistag report and the exports show next to the Kreis. Expected values are
read here straight from the CSVs with the csv module, independently of the ETL's reader.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from etl.build import build
from etl.sources.genesis import read_genesis
from etl.territory import load_crosswalk
from planning import indicators, queries
from planning.context import Context
from planning.formatting import number
from reports import data
from test_etl_real_data import CONFIGS, LAND_ROWS, POPULATION as POPULATION_FOLDER, _read_table

ROOT = Path(__file__).resolve().parent.parent
POPULATION = "statistics/population_regionalstatistik/full_original/12411-01-01-5_00.csv"
SGB2 = "statistics/sgb2_mindestsicherung_regionalstatistik/full_original/22811-02-02-4_00.csv"
UNEMPLOYMENT = "statistics/unemployment_regionalstatistik/full_original/13211-01-03-5_00.csv"
KITA = "statistics/kita_kindertagesbetreuung_regionalstatistik/22543-01-01-4_00_4kreise.csv"
# the shipped configs read these tables from the unmodified national files (full_original; PROVENANCE.md of each
# folder) instead of the 4-county extracts: table -> the extract the national file replaced
NATIONAL_INSTEAD_OF_EXTRACT = {
    "12411-02-03-5": f"{POPULATION_FOLDER}/12411-02-03-5_00_4kreise.csv",
    "12411-01-01-5": f"{POPULATION_FOLDER}/12411-01-01-5_00_4kreise.csv",
    "1000A-0000": "statistics/zensus2022_gemeinden_ffcsv/1000A-0000_de_flat_4kreise.csv",
    "22811-02-02-4": "statistics/sgb2_mindestsicherung_regionalstatistik/22811-02-02-4_00_4kreise.csv",
    "13211-01-03-5": "statistics/unemployment_regionalstatistik/13211-01-03-5_00_4kreise.csv",
}
COUNTIES = {  # Kreis -> (config, Land key, Land name)
    "07235": ("07235_trier-saarburg.toml", "07", "Rheinland-Pfalz"),
    "05358": ("05358_dueren.toml", "05", "Nordrhein-Westfalen"),
}


def _rows(path: Path) -> list[list[str]]:
    """The file's lines as fields; the footer's quoted multi-line notes stay one record."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def population_row(path: Path, key: str) -> dict[int, float]:
    """Year → 'Insgesamt' of the row with ``key`` in 12411-01-01-5 (dates in one header line, sexes in the next)."""
    rows = _rows(path)
    at = next(i for i, row in enumerate(rows) if len(row) > 2 and row[2].startswith("31.12."))
    dates, kinds = rows[at], rows[at + 1]
    row = next(r for r in rows if r and r[0] == key)
    return {int(d[-4:]): float(row[i]) for i, (d, k) in enumerate(zip(dates, kinds)) if k == "Insgesamt"}


def sgb2_row(path: Path, key: str) -> dict[int, float]:
    """Year → 'Personen in Bedarfsgemeinschaften' (first value column) of the rows '31.12.YYYY;key;…' in 22811-02-02-4."""
    return {int(r[0][-4:]): float(r[3]) for r in _rows(path) if len(r) > 3 and r[1] == key and r[0].startswith("31.12.")}


def unemployment_row(path: Path, key: str) -> tuple[int, float]:
    """(year, 'Arbeitslose insgesamt') of the row with ``key`` in 13211-01-03-5 (the year in the line 'Jahr: 2016')."""
    rows = _rows(path)
    year = next(int(r[0].removeprefix("Jahr: ")) for r in rows if r and r[0].startswith("Jahr: "))
    return year, float(next(r for r in rows if r and r[0] == key)[2])


@pytest.fixture(scope="module")
def shipped(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """One database per shipped config, built on first use."""
    built: dict[str, queries.Database] = {}

    def get(kreis: str) -> queries.Database:
        if kreis not in built:
            out = tmp_path_factory.mktemp("shipped") / f"{kreis}.duckdb"
            build([ROOT / "config" / COUNTIES[kreis][0]], out, say=lambda _msg: None)
            built[kreis] = queries.Database(str(out), out.stat().st_mtime)
        return built[kreis]

    return get


def _series(frame) -> dict[int, float]:
    return dict(zip(frame["year"].astype(int), frame["value"]))


@pytest.mark.parametrize("kreis", COUNTIES)
def test_land_and_bund_population_equal_the_national_tables_rows(shared_data: Path, shipped, kreis: str) -> None:
    _, land_key, land_name = COUNTIES[kreis]
    land, bund = population_row(shared_data / POPULATION, land_key), population_row(shared_data / POPULATION, "DG")
    assert sorted(land) == sorted(bund) == list(range(2008, 2016))
    assert bund[2015] == 82_175_684 and (kreis != "07235" or land[2015] == 4_052_803), "31.12.2015 as the file prints it"
    db = shipped(kreis)
    stored_land = queries.land_series(db, kreis, "bev_insgesamt")
    assert set(stored_land["name"]) == {land_name}
    assert {y: v for y, v in _series(stored_land).items() if y in land} == land
    assert _series(queries.bund_series(db, "bev_insgesamt")) == bund  # no other table has Germany's population then
    refs = indicators.references(Context(db, kreis, kreis, 2015, False), "bev_insgesamt", 2015)
    assert refs.land is not None and refs.land.value == land[2015], "the explorer shows the Land beside the Kreis"
    assert refs.bund is not None and refs.bund.value == bund[2015], "… and Germany"


@pytest.mark.parametrize("kreis", COUNTIES)
def test_land_and_bund_sgb2_and_unemployment_equal_the_national_tables_rows(shared_data: Path, shipped, kreis: str) -> None:
    _, land_key, _ = COUNTIES[kreis]
    db = shipped(kreis)
    land, bund = sgb2_row(shared_data / SGB2, land_key), sgb2_row(shared_data / SGB2, "DG")
    assert sorted(land) == sorted(bund) == list(range(2010, 2017))
    assert _series(queries.land_series(db, kreis, "sgb2_personen_bg")) == land
    assert _series(queries.bund_series(db, "sgb2_personen_bg")) == bund
    year, land_alo = unemployment_row(shared_data / UNEMPLOYMENT, land_key)
    _, bund_alo = unemployment_row(shared_data / UNEMPLOYMENT, "DG")
    assert (year, bund_alo) == (2016, 2_690_975)
    assert _series(queries.land_series(db, kreis, "alo")) == {2016: land_alo}
    assert _series(queries.bund_series(db, "alo")) == {2016: bund_alo}
    refs = indicators.references(Context(db, kreis, kreis, 2016, False), "sgb2_personen_bg", 2016)
    assert (refs.land.value, refs.bund.value) == (land[2016], bund[2016])
    with data.connection(db.path) as con:  # the exports' and the Kreistag report's comparators
        compared = data.comparators(con, kreis, "sgb2_personen_bg", 2016).set_index("area_id")["value"]
    assert compared.to_dict() == {kreis: compared[kreis], land_key: land[2016], "DG": bund[2016]}


def test_a_table_without_a_national_file_has_no_land_or_bund(shared_data: Path, shipped) -> None:
    """Childcare (22543-01-01-4) is at hand only as the 4-county extract: no Land or Germany value is made up."""
    assert not (shared_data / KITA).with_name("full_original").joinpath(Path(KITA).name).exists()
    db = shipped("07235")
    for indicator in ("kita_kinder_u3", "betreuungsquote_u3"):  # a count of the table and a rate built on it
        assert not queries.indicator_series(db, "07235", indicator).empty, "the Kreis has its values"
        assert queries.land_series(db, "07235", indicator).empty and queries.bund_series(db, indicator).empty, indicator
        refs = indicators.references(Context(db, "07235", "Trier-Saarburg", 2015, False), indicator, 2015)
        assert refs.land is None and refs.bund is None, "the views show no Land/Bund figure rather than a wrong one"


@pytest.mark.parametrize(("indicator", "year"), [("bev_insgesamt", 2015), ("anteil_u6", 2015), ("alo", 2016)])
def test_indikatoren_page_and_exports_show_land_and_bund(shipped, monkeypatch: pytest.MonkeyPatch, indicator: str, year: int) -> None:
    """Population, a share computed from it and unemployment on Trier-Saarburg's shipped build (the page lists the
    indicators with Gemeinde values; SGB II is a Kreis table there, see above): the page's Land and Deutschland figures
    are the stored reference values (not '–'), and the export's comparators list Kreis, Land and Bund."""
    from page_helpers import open_page

    db = shipped("07235")
    land = _series(queries.land_series(db, "07235", indicator))[year]
    bund = _series(queries.bund_series(db, indicator))[year]
    at = open_page(Path(db.path).parent, monkeypatch, "pages/indikatoren.py", {"kennzahl": indicator, "jahr": str(year)})
    metrics = {m.label: m.value for m in at.metric}
    meta = queries.catalogue(db).loc[indicator]
    shown = lambda value: number(value, int(meta["decimals"]))  # noqa: E731 – '4.052.803', '5,3'
    assert metrics[f"Rheinland-Pfalz {year}"].startswith(shown(land)), metrics
    assert metrics[f"Deutschland {year}"].startswith(shown(bund)), metrics
    with data.connection(db.path) as con:
        refs = data.comparators(con, "07235", indicator, year).set_index("area_id")["value"]
    assert refs.index.tolist() == ["07235", "07", "DG"] and (refs["07"], refs["DG"]) == (land, bund)


# --- what else the national files change ----------------------------------------------------------------------
@pytest.mark.parametrize("kreis", CONFIGS)
@pytest.mark.parametrize("table", NATIONAL_INSTEAD_OF_EXTRACT)
def test_the_national_file_gives_the_extracts_county_rows_and_adds_land_and_bund(shared_data, kreis, table):
    full = _read_table(kreis, table)
    assert "full_original" in str(full.file), "the shipped config reads the unmodified national file"
    extract = read_genesis(shared_data / NATIONAL_INSTEAD_OF_EXTRACT[table], table, kreis)
    # same records; only the line numbers differ, the full file has all of Germany before and between them,
    # and it has the Land row and Germany's (kept as the reference values beside the Kreis: Land and Bund)
    land = full.records[full.records["level"] == "land"]
    bund = full.records[full.records["level"] == "bund"]
    assert set(bund["area_id"]) == {"DG"}
    assert set(land["area_id"]) == ({kreis[:2]} if table in LAND_ROWS else set())
    if table in LAND_ROWS:  # one Land value for each of Germany's: same indicators and years
        assert set(zip(land["indicator_id"], land["year"])) == set(zip(bund["indicator_id"], bund["year"]))
    county = full.records[~full.records["level"].isin(("land", "bund"))].reset_index(drop=True)
    pd.testing.assert_frame_equal(county.drop(columns="line"), extract.records.drop(columns="line"))
    assert (full.stand, full.attribution, full.encoding) == (extract.stand, extract.attribution, extract.encoding)


def test_the_national_population_file_has_54_land_and_bund_values(shared_data):
    records = _read_table("07235", "12411-02-03-5").records  # 31.12.2015: 3 × 18 columns (Insgesamt + 17 age groups)
    assert (records["level"] == "land").sum() == 54 and (records["level"] == "bund").sum() == 54



def test_a_changed_year_of_a_national_kreis_table_adds_the_neighbours_share(shipped, shared_data):
    """22811-02-02-4 prints Kreis rows only. Until 2011 Trittenheim belonged to Bernkastel-Wittlich (07231): at today's
    boundaries Trier-Saarburg's 2010 and 2011 figures are its own row plus 07231's row times the population share BBSR
    gives the part (with the extract, which lacks 07231, they were incomplete)."""
    table = _read_table("07235", "22811-02-02-4")
    own = table.records.set_index(["area_id", "indicator_id", "year"])["value"]
    neighbour = read_genesis(table.file, "22811-02-02-4", "07231").records.set_index(["area_id", "indicator_id", "year"])["value"]
    links = load_crosswalk(shared_data).kreis
    db = shipped("07235")
    for year in (2010, 2011):
        share = links.loc[(links["year"] == year) & (links["old"] == "07231") & (links["new"] == "07235"), "pop"].item()
        assert 0 < share < 0.02  # Trittenheim: about 1,000 of Bernkastel-Wittlich's 112,000 people
        expected = own[("07235", "sgb2_personen_bg", year)] + share * neighbour[("07231", "sgb2_personen_bg", year)]
        stored = queries.indicator_series(db, "07235", "sgb2_personen_bg").query("level == 'kreis' and year == @year")
        assert stored["value"].item() == pytest.approx(expected) and stored["derivation"].item() == "converted"
        assert "Bernkastel-Wittlich" in stored["note"].item()
