"""Aggregation and derived indicators on a hand-made county of three square Gemeinden."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from etl.catalogue import load_catalogue
from etl.config import CountyConfig
from etl.errors import EtlError
from etl.sources.bkg import Boundaries
from etl.sources.genesis import RECORD_COLUMNS, GenesisTable
from etl.transform import CountyInput, build_areas, build_observations

KREIS = "99009"
CRS = "EPSG:25832"
# Gemeinde → (population u3, 3-6, total, sozialraum); 10 km × 10 km squares side by side
GEMEINDEN = {
    "99009001": (30, 20, 1000, "Nord"),
    "99009002": (5, 5, 100, "Nord"),
    "99009003": (100, 100, 3000, "Süd"),
}


def _boundaries() -> Boundaries:
    squares = [box(500_000 + i * 10_000, 5_600_000, 510_000 + i * 10_000, 5_610_000) for i in range(3)]
    gemeinden = gpd.GeoDataFrame(
        {
            "area_id": list(GEMEINDEN),
            "ars": [k[:5] + "0000" + k[5:] for k in GEMEINDEN],
            "name": ["Adorf", "Bedorf", "Cestadt"],
            "bez": ["Gemeinde", "Gemeinde", "Stadt"],
            "verband_id": [None, None, None],
            "kreis_id": [KREIS] * 3,
        },
        geometry=squares,
        crs=CRS,
    )
    kreis = gpd.GeoDataFrame(
        {"area_id": [KREIS], "name": ["Testkreis"], "bez": ["Landkreis"], "kreis_id": [KREIS]},
        geometry=[box(500_000, 5_600_000, 530_000, 5_610_000)],
        crs=CRS,
    )
    verbaende = gpd.GeoDataFrame({"area_id": [], "name": [], "bez": [], "kreis_id": []}, geometry=[], crs=CRS)
    land = gpd.GeoDataFrame({"area_id": ["99"], "name": ["Testland"], "bez": ["Land"]}, geometry=[box(490_000, 5_590_000, 540_000, 5_620_000)], crs=CRS)
    return Boundaries(gemeinden, verbaende, kreis, land, Path("test.shp"), {})


def _table(rows: list[tuple], kreis_total: float | None = None) -> GenesisTable:
    records = []
    for line, (area_id, indicator, value, status) in enumerate(rows, start=10):
        records.append(("gemeinde", area_id, area_id, indicator, 2023, date(2023, 12, 31), value, status, None, line, "3"))
    if kreis_total is not None:
        records.append(("kreis", KREIS, "Testkreis", "bev_insgesamt", 2023, date(2023, 12, 31), kreis_total, "ok", None, 9, "3"))
    frame = pd.DataFrame(records, columns=RECORD_COLUMNS)
    return GenesisTable("12411-02-03-5", Path("t.csv"), "Test", "Test", "dl-de", "© Test", None, "utf-8", frame)


def _rows(**overrides) -> list[tuple]:
    rows = []
    for area_id, (u3, a36, total, _) in GEMEINDEN.items():
        for indicator, value in (("bev_u3", u3), ("bev_3_6", a36), ("bev_insgesamt", total)):
            rows.append((area_id, indicator, float(value), "ok"))
    return [overrides.get(f"{r[0]}:{r[1]}", r) for r in rows]


def _run(table: GenesisTable, warnings_expected: int = 0, boundaries: Boundaries | None = None):
    config = CountyConfig(Path("t.toml"), KREIS, "Testkreis", True, Path("b"), "©", None, None)
    mapping = pd.DataFrame({"area_id": list(GEMEINDEN), "sozialraum": [v[3] for v in GEMEINDEN.values()]})
    county = CountyInput(config, boundaries or _boundaries(), mapping, [("S03", table)])
    areas = build_areas([county])
    warnings: list[str] = []
    observations = build_observations(county, areas, load_catalogue(), warnings)
    assert len(warnings) == warnings_expected, warnings
    return areas.set_index("area_id"), observations.set_index(["area_id", "indicator_id", "year"])


def test_areas_levels_and_measured_area():
    areas, _ = _run(_table(_rows()))
    assert areas["level"].value_counts().to_dict() == {"gemeinde": 3, "sozialraum": 2, "kreis": 1, "land": 1}
    assert areas.loc["99009001", "area_km2"] == pytest.approx(100.0)
    nord = areas[areas["name"] == "Nord"].iloc[0]
    assert nord["area_km2"] == pytest.approx(200.0)
    assert areas.loc["99009001", "sozialraum_id"] == nord.name
    lon, lat = areas.loc["99009001", "geom_display"].centroid.coords[0]
    assert 9.0 < lon < 9.2 and 50.5 < lat < 50.7, "display geometry is in EPSG:4326"


def test_sozialraum_counts_are_sums_and_rates_come_from_sums():
    areas, obs = _run(_table(_rows()))
    nord = areas.index[areas["name"] == "Nord"][0]
    assert obs.loc[(nord, "bev_insgesamt", 2023), "value"] == 1100
    assert obs.loc[(nord, "bev_u6", 2023), "value"] == 60
    # 60 / 1100 = 5.4545…, not the mean of 5.0 % and 10.0 %
    assert obs.loc[(nord, "anteil_u6", 2023), "value"] == pytest.approx(100 * 60 / 1100)
    assert obs.loc[(KREIS, "anteil_u6", 2023), "value"] == pytest.approx(100 * 260 / 4100)
    assert obs.loc[("99009002", "anteil_u6", 2023), "value"] == pytest.approx(10.0)
    assert set(obs.loc[(slice(None), "anteil_u6", 2023), "derivation"]) == {"derived"}
    assert obs.loc[(nord, "bev_insgesamt", 2023), "derivation"] == "sum"


def test_missing_component_makes_aggregates_incomplete_not_smaller():
    rows = _rows(**{"99009002:bev_u3": ("99009002", "bev_u3", None, "unknown")})
    areas, obs = _run(_table(rows))
    nord = areas.index[areas["name"] == "Nord"][0]
    assert obs.loc[("99009002", "bev_u3", 2023), "status"] == "unknown"
    assert pd.isna(obs.loc[("99009002", "bev_u3", 2023), "value"])
    for area in (nord, KREIS):
        row = obs.loc[(area, "bev_u3", 2023)]
        assert row["status"] == "incomplete" and pd.isna(row["value"])
        assert row["note"] == ("1 von 2 Gemeinden ohne Wert" if area == nord else "1 von 3 Gemeinden ohne Wert")
        assert obs.loc[(area, "anteil_u6", 2023), "status"] == "incomplete"
    süd = areas.index[areas["name"] == "Süd"][0]
    assert obs.loc[(süd, "anteil_u6", 2023), "status"] == "ok", "other Sozialräume are unaffected"


def test_zero_marker_counts_as_zero_and_zero_denominator_is_locked():
    rows = _rows(**{f"99009002:{i}": ("99009002", i, 0.0, "zero") for i in ("bev_u3", "bev_3_6", "bev_insgesamt")})
    areas, obs = _run(_table(rows))
    assert obs.loc[(KREIS, "bev_insgesamt", 2023), "value"] == 4000
    assert obs.loc[("99009002", "anteil_u6", 2023), "status"] == "locked"


def test_published_kreis_total_is_checked_against_the_sum():
    _run(_table(_rows(), kreis_total=4100.0))
    _, obs = _run(_table(_rows(), kreis_total=4200.0), warnings_expected=1)
    assert obs.loc[(KREIS, "bev_insgesamt", 2023), "value"] == 4100, "the sum of the Gemeinden is kept"


def test_published_kreis_total_fills_an_incomplete_sum():
    rows = _rows(**{"99009002:bev_insgesamt": ("99009002", "bev_insgesamt", None, "unknown")})
    _, obs = _run(_table(rows, kreis_total=4100.0))
    row = obs.loc[(KREIS, "bev_insgesamt", 2023)]
    assert (row["value"], row["status"], row["derivation"]) == (4100, "ok", "source")


def test_gemeinde_unknown_to_the_boundaries_is_an_error():
    rows = _rows(**{"99009003:bev_u3": ("99009099", "bev_u3", 1.0, "ok")})
    with pytest.raises(EtlError, match="99009099") as info:
        _run(_table(rows))
    assert info.value.line is not None and "Gebietsstand" in str(info.value)


def test_not_meaningful_value_of_a_gemeindefreies_gebiet_leaves_the_sum_complete():
    rows = _rows(**{"99009002:bev_u3": ("99009002", "bev_u3", None, "locked")})
    boundaries = _boundaries()
    boundaries.gemeinden.loc[boundaries.gemeinden["area_id"] == "99009002", "bez"] = "Gemeindefreies Gebiet"
    _, obs = _run(_table(rows), boundaries=boundaries)
    assert obs.loc[(KREIS, "bev_u3", 2023), "status"] == "ok"
    assert obs.loc[(KREIS, "bev_u3", 2023), "value"] == 130
