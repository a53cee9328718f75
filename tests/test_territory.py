"""Territorial conversion on hand-made fixtures (etl/territory.py, etl/territory_convert.py, etl/prepare.py).

A small Kreis 99009 of three Gemeinden at the Gebietsstand 31.12.2020, and the history the crosswalk tells:
- 99009001 "Adorf" absorbed 99009011 "Altdorf" on 1.1.2015 (full merger, share 1);
- 99009021 "Teilheim" was split in 2016 between 99009001 (60 % of its people, 30 % of its area) and 99009002;
- 99009003 "Cestadt" belonged to Kreis 99008 until 2017 (key 99008003);
- Kreis 99007 was dissolved in 2018 and became part of Kreis 99009 (Kreis crosswalk only).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from etl.catalogue import load_catalogue
from etl.config import CountyConfig
from etl.errors import EtlError
from etl.prepare import merge_split_series, prepare_table
from etl.sources.bkg import Boundaries
from etl.sources.crosswalk import normalise_shares
from etl.sources.genesis import RECORD_COLUMNS, GenesisTable
from etl.territory import GEMEINDE_CODE, KREIS_CODE, Crosswalk, _reverse, gebietsstand_year
from etl.transform import CountyInput, build_areas, build_observations

KREIS = "99009"
CRS = "EPSG:25832"
NAMES = {"99009001": "Adorf", "99009002": "Bedorf", "99009003": "Cestadt"}


def _links(rows: list[tuple]) -> list[tuple]:
    return [(GEMEINDE_CODE, *r) for r in rows]


def crosswalk() -> Crosswalk:
    gemeinde = []
    for year in range(2010, 2021):
        gemeinde += [(year, "99009002", "99009002", 1.0, 1.0)]
        gemeinde += [(year, "99009001", "99009001", 1.0, 1.0)]
        if year < 2015:
            gemeinde += [(year, "99009011", "99009001", 1.0, 1.0)]
        if year < 2016:
            gemeinde += [(year, "99009021", "99009001", 0.6, 0.3), (year, "99009021", "99009002", 0.4, 0.7)]
        gemeinde += [(year, "99008003" if year < 2017 else "99009003", "99009003", 1.0, 1.0)]
    kreis = []
    for year in range(2010, 2021):
        kreis += [(year, "99009", "99009", 1.0, 1.0), (year, "99008", "99008", 1.0, 1.0)]
        if year < 2017:  # Cestadt (a tenth of 99008's people) moved to 99009 in 2017
            kreis[-1] = (year, "99008", "99008", 0.9, 0.9)
            kreis += [(year, "99008", "99009", 0.1, 0.1)]
        if year < 2018:
            kreis += [(year, "99007", "99009", 1.0, 1.0)]
    codes = pd.DataFrame(
        [(GEMEINDE_CODE, *r) for r in gemeinde] + [(KREIS_CODE, *r) for r in kreis],
        columns=["level", "year", "old", "new", "pop", "area"],
    )
    codes = codes.astype({"level": "int8", "year": "int16", "old": "int64", "new": "int64"})
    return Crosswalk(2020, codes, Path("."))


def boundaries() -> Boundaries:
    squares = [box(500_000 + i * 10_000, 5_600_000, 510_000 + i * 10_000, 5_610_000) for i in range(3)]
    gemeinden = gpd.GeoDataFrame(
        {"area_id": list(NAMES), "ars": [k[:5] + "0000" + k[5:] for k in NAMES], "name": list(NAMES.values()),
         "bez": ["Gemeinde", "Gemeinde", "Stadt"], "verband_id": [None] * 3, "kreis_id": [KREIS] * 3},
        geometry=squares, crs=CRS,
    )  # fmt: skip
    kreis = gpd.GeoDataFrame({"area_id": [KREIS], "name": ["Testkreis"], "bez": ["Landkreis"], "kreis_id": [KREIS]},
                             geometry=[box(500_000, 5_600_000, 530_000, 5_610_000)], crs=CRS)  # fmt: skip
    verbaende = gpd.GeoDataFrame({"area_id": [], "name": [], "bez": [], "kreis_id": []}, geometry=[], crs=CRS)
    land = gpd.GeoDataFrame({"area_id": ["99"], "name": ["Testland"], "bez": ["Land"]}, geometry=[box(490_000, 5_590_000, 540_000, 5_620_000)], crs=CRS)
    return Boundaries(gemeinden, verbaende, kreis, land, Path("test.shp"), {})


def table(rows: list[tuple], code: str = "12411-02-03-5") -> GenesisTable:
    """rows: (level, key, name, indicator, year, value, status)."""
    records = [
        (level, key, name, indicator, year, date(year, 12, 31), value, status, None, line, "3")
        for line, (level, key, name, indicator, year, value, status) in enumerate(rows, start=10)
    ]
    return GenesisTable(code, Path("t.csv"), "Test", "Test", "dl-de", "© Test", None, "utf-8", pd.DataFrame(records, columns=RECORD_COLUMNS))


def convert(rows: list[tuple], scope: str = KREIS):
    prepared = prepare_table(table(rows), boundaries(), scope, crosswalk().for_scope(scope), load_catalogue())
    records = prepared.table.records.set_index(["area_id", "indicator_id", "year"])
    return records, prepared


def g(key: str, year: int, value, indicator: str = "bev_insgesamt", status: str = "ok", name: str | None = None) -> tuple:
    return ("gemeinde", key, name or NAMES.get(key, key), indicator, year, value, status)


# --- the crosswalk itself -------------------------------------------------------------------------------------------


def test_vg5000_of_1_january_shows_the_gebietsstand_of_31_december_before():
    assert gebietsstand_year("2021-01-01") == 2020
    assert gebietsstand_year("2023-12-31") == 2023
    assert gebietsstand_year(None) == 2020


def test_split_shares_add_up_to_one_and_degenerate_population_shares_fall_back_to_area():
    links = crosswalk().gemeinde
    split = links[(links["old"] == "99009021") & (links["year"] == 2012)]
    assert split["pop"].sum() == pytest.approx(1.0) and split["area"].sum() == pytest.approx(1.0)
    # BBSR writes 1.0 to both pieces of an uninhabited area that was split: the area shares are used instead
    raw = pd.DataFrame({"year": [2015, 2015], "old": ["09187444"] * 2, "new": ["09187451", "09187452"], "pop": [1.0, 1.0], "area": [0.7, 0.3]})
    fixed = normalise_shares(raw)
    assert list(fixed["pop"]) == [0.7, 0.3]


def test_a_newer_gebietsstand_is_split_back_by_the_2020_population():
    # two Gemeinden of 2020 (300 and 100 people) merged in 2021: the merged one goes back 3:1
    mass = pd.DataFrame({"g20": ["a", "b"], "year": [2021, 2021], "new": ["m", "m"], "pop": [300.0, 100.0], "area": [1.0, 3.0]})
    back = _reverse(mass).set_index("new")
    assert back.loc["a", "pop"] == pytest.approx(0.75) and back.loc["b", "pop"] == pytest.approx(0.25)
    assert back.loc["a", "area"] == pytest.approx(0.25)


def test_source_kreise_include_those_a_gemeinde_came_from():
    assert crosswalk().source_kreise(KREIS) == (KREIS, "99007", "99008")


# --- converting a table ---------------------------------------------------------------------------------------------


def test_full_merger_gives_the_successor_the_whole_value_and_says_so():
    records, prepared = convert([g("99009001", 2012, 1000.0), g("99009011", 2012, 250.0, name="Altdorf"), g("99009002", 2017, 500.0),
                                 g("99008003", 2012, 300.0, name="Cestadt")])  # fmt: skip
    adorf = records.loc[("99009001", "bev_insgesamt", 2012)]
    assert adorf["value"] == 1250.0 and adorf["status"] == "ok" and adorf["derivation"] == "converted"
    assert "umgerechnet auf Gebietsstand 31.12.2020 (BBSR-Umsteigeschlüssel, © BBSR Bonn)" in adorf["note"]
    assert "Altdorf (99009011)" in adorf["note"]
    assert records.loc[("99009002", "bev_insgesamt", 2017), "derivation"] == "source"  # unchanged since 2016: as published
    assert any(f.kind == "umrechnung" and "99009011" in f.message for f in prepared.findings)


def test_split_divides_the_value_by_population_and_an_area_figure_by_area():
    rows = [g("99009021", 2012, 1000.0, name="Teilheim"), g("99009001", 2012, 0.0), g("99009002", 2012, 0.0),
            g("99009021", 2012, 10.0, indicator="flaeche_kataster", name="Teilheim")]  # fmt: skip
    records, _ = convert(rows)
    assert records.loc[("99009001", "bev_insgesamt", 2012), "value"] == pytest.approx(600.0)
    assert records.loc[("99009002", "bev_insgesamt", 2012), "value"] == pytest.approx(400.0)
    assert records.loc[("99009001", "flaeche_kataster", 2012), "value"] == pytest.approx(3.0)
    assert records.loc[("99009002", "flaeche_kataster", 2012), "value"] == pytest.approx(7.0)


def test_gemeinde_that_changed_kreis_is_read_from_the_old_kreis():
    rows = [g("99008003", 2012, 300.0, name="Cestadt"), g("99009003", 2012, 0.0, status="zero"), g("99009003", 2018, 320.0)]
    records, prepared = convert(rows)
    cestadt = records.loc[("99009003", "bev_insgesamt", 2012)]
    assert (cestadt["value"], cestadt["status"], cestadt["derivation"]) == (300.0, "ok", "converted")
    assert records.loc[("99009003", "bev_insgesamt", 2018), "value"] == 320.0
    # the '-' under the new key in 2012 (the key did not exist then) is not applicable, not a 0 added in
    assert any(f.kind == "nicht_zutreffend" and "99009003" in f.message for f in prepared.findings)


def test_a_gemeinde_whose_old_kreis_is_missing_from_the_file_is_incomplete_not_smaller():
    # an extract of Kreis 99009 only: Cestadt's 2012 figure stands in a row of 99008, which the file lacks
    records, prepared = convert([g("99009001", 2012, 1000.0), g("99009002", 2012, 500.0), g("99009003", 2012, 0.0, status="zero")])
    cestadt = records.loc[("99009003", "bev_insgesamt", 2012)]
    assert cestadt["status"] == "incomplete" and np.isnan(cestadt["value"])
    assert "99008003" in cestadt["note"]
    assert any(f.kind == "quelle_unvollstaendig" for f in prepared.findings)


def test_dissolved_kreis_goes_to_its_successor_via_the_kreis_crosswalk():
    rows = [("kreis", "99009", "Testkreis", "bev_insgesamt", 2015, 1000.0, "ok"), ("kreis", "99007", "Altkreis", "bev_insgesamt", 2015, 400.0, "ok"),
            ("kreis", "99008", "Nachbarkreis", "bev_insgesamt", 2015, 3000.0, "ok")]  # fmt: skip
    records, _ = convert(rows)
    kreis = records.loc[(KREIS, "bev_insgesamt", 2015)]
    assert kreis["value"] == pytest.approx(1000 + 400 + 0.1 * 3000) and kreis["derivation"] == "converted"
    assert ("99007", "bev_insgesamt", 2015) not in records.index, "the dissolved Kreis is no area of the build"


def test_vg_recoding_is_one_series_split_by_year_not_a_duplicate():
    # the same Gemeinde under an old and a new Verbandsgemeinde code: one row has the value, the other '-'
    rows = [g("99009002", 2012, 500.0), g("99009002", 2012, 0.0, status="zero"), g("99009002", 2013, 0.0, status="zero"), g("99009002", 2013, 510.0)]
    merged = merge_split_series(table(rows).records, table(rows))
    assert sorted(merged["value"]) == [500.0, 510.0]
    with pytest.raises(EtlError, match="steht mehrfach in der Datei") as info:
        merge_split_series(table([g("99009002", 2012, 500.0), g("99009002", 2012, 501.0)]).records, table([]))
    assert "Doppelte Zeile löschen" in str(info.value)


def test_published_rate_of_a_converted_area_is_left_out():
    # Adorf absorbed Altdorf: its published rate of 2012 is that of a smaller territory, even without a rate of Altdorf
    rows = [g("99009001", 2012, 1000.0), g("99009011", 2012, 250.0, name="Altdorf"), g("99009001", 2012, 5.0, indicator="alq"),
            g("99009002", 2017, 4.0, indicator="alq")]  # fmt: skip
    records, prepared = convert(rows)
    assert ("99009001", "alq", 2012) not in records.index
    assert records.loc[("99009002", "alq", 2017), "value"] == 4.0  # unchanged area: kept as published
    assert any(f.kind == "quote_umgerechnet" for f in prepared.findings)


def test_unknown_key_makes_the_kreis_total_incomplete_and_is_named():
    rows = [g("99009001", 2012, 1000.0), g("99009002", 2012, 500.0), g("99008003", 2012, 300.0, name="Cestadt"),
            g("99009077", 2012, 40.0, name="Nirgendwo")]  # fmt: skip
    _, prepared = convert(rows)
    assert list(prepared.unplaced["kreis_id"]) == [KREIS]
    assert any(f.kind == "ohne_zuordnung" and "Nirgendwo (99009077) 2012" in f.message for f in prepared.findings)


def test_rates_are_recomputed_from_converted_counts_at_every_level():
    rows = []
    for key, total, u3, a36 in (("99009001", 1000.0, 30.0, 20.0), ("99009011", 250.0, 10.0, 10.0), ("99009002", 500.0, 5.0, 5.0),
                                ("99008003", 300.0, 20.0, 10.0)):  # fmt: skip
        for indicator, value in (("bev_insgesamt", total), ("bev_u3", u3), ("bev_3_6", a36)):
            rows.append(g(key, 2012, value, indicator=indicator, name="x"))
    rows.append(g("99009001", 2012, 99.0, indicator="anteil_u6"))  # a published share of the old Adorf: never converted
    prepared = prepare_table(table(rows), boundaries(), KREIS, crosswalk().for_scope(KREIS), load_catalogue())
    config = CountyConfig(Path("t.toml"), KREIS, "Testkreis", True, Path("b"), "©", None, None)
    county = CountyInput(config, boundaries(), None, [("S01", prepared.table)])
    areas = build_areas([county])
    observations = build_observations(county, areas, load_catalogue(), []).set_index(["area_id", "indicator_id", "year"])
    adorf = observations.loc[("99009001", "anteil_u6", 2012)]
    assert adorf["value"] == pytest.approx(100 * (30 + 20 + 10 + 10) / 1250) and adorf["derivation"] == "derived"
    kreis = observations.loc[(KREIS, "anteil_u6", 2012)]
    assert kreis["value"] == pytest.approx(100 * (70 + 10 + 30) / 2050)


def test_city_state_land_row_stands_in_for_kreis_and_gemeinde():
    b = boundaries()
    b.gemeinden = b.gemeinden.iloc[:1].assign(area_id="11000000", kreis_id="11000", ars="110000000000")
    b.kreis = b.kreis.assign(area_id="11000", kreis_id="11000")
    rows = [("land", "11", "Berlin", "bev_insgesamt", 2015, 3_520_031.0, "ok")]
    prepared = prepare_table(table(rows), b, "11000", None, load_catalogue())
    records = prepared.table.records.set_index(["area_id", "indicator_id", "year"])
    assert records.loc[("11000", "bev_insgesamt", 2015), "value"] == 3_520_031.0
    assert records.loc[("11000000", "bev_insgesamt", 2015), "value"] == 3_520_031.0
    assert [f.kind for f in prepared.findings] == ["stadtstaat"]
