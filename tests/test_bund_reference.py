"""The Bund value beside Kreis and Land is the national table's row of Germany ('DG', issue 11 item 6).

A Kreis built by key reads the national GENESIS files; their 'DG;Deutschland' row becomes the area 'DG' (level
'bund') whose values the explorer, the Steckbrief, the Kreistag report and the exports show next to the Kreis.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from etl.db import connect

from planning import indicators, queries
from planning.context import Context
from reports import data, figures, tables

ROOT = Path(__file__).resolve().parent.parent
POPULATION_TABLE = "statistics/population_regionalstatistik/full_original/12411-01-01-5_00.csv"
UNEMPLOYMENT_TABLE = "statistics/unemployment_regionalstatistik/full_original/13211-01-03-5_00.csv"


def _first_row(path: Path, key: str) -> list[str]:
    lines = path.read_text(encoding="latin-1").splitlines()
    return next(line for line in lines if line.startswith(f"{key};")).split(";")


def _population_row(path: Path, key: str) -> dict[int, float]:
    """Year → 'Insgesamt' of the row, read straight from the GENESIS file (header line with the dates)."""
    lines = path.read_text(encoding="latin-1").splitlines()
    at = lines.index(next(line for line in lines if line.startswith(";;31.12.")))
    dates, kinds = lines[at].split(";"), lines[at + 1].split(";")
    row = _first_row(path, key)
    return {int(d[-4:]): float(row[i]) for i, (d, k) in enumerate(zip(dates, kinds)) if d.startswith("31.12.") and k == "Insgesamt" and row[i].isdigit()}


@pytest.fixture(scope="module")
def by_key(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bund") / "ts.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "build", "--kreis", "07235", "--out", str(out)], cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    return out


@pytest.fixture(scope="module")
def db(by_key: Path) -> queries.Database:
    return queries.Database(str(by_key), by_key.stat().st_mtime)


def test_bund_value_equals_the_national_tables_germany_row(shared_data: Path, db: queries.Database) -> None:
    published = _population_row(shared_data / POPULATION_TABLE, "DG")
    assert published[2015] == 82_175_684, "Deutschland, 31.12.2015, as the file prints it"
    assert sorted(published) == list(range(2008, 2016))
    bund = queries.bund_series(db, "bev_insgesamt").set_index("year")
    assert set(bund["area_id"]) == {"DG"} and set(bund["name"]) == {"Deutschland"}
    for year, value in published.items():
        assert bund.loc[year, "value"] == value, year
    land = _population_row(shared_data / POPULATION_TABLE, "07")
    assert queries.land_series(db, "07235", "bev_insgesamt").set_index("year")["value"].to_dict() == land, "Land as before"
    refs = indicators.references(Context(db, "07235", "Landkreis Trier-Saarburg", 2015, False), "bev_insgesamt", 2015)
    assert refs.bund is not None and refs.bund.value == published[2015], "the explorer shows it beside Kreis and Land"


def test_unemployment_and_derived_shares_of_germany(shared_data: Path, db: queries.Database) -> None:
    row = _first_row(shared_data / UNEMPLOYMENT_TABLE, "DG")
    assert row[1] == "Deutschland" and float(row[2]) == 2_690_975
    alo = queries.bund_series(db, "alo").set_index("year")["value"]
    assert alo.to_dict() == {2016: 2_690_975.0}
    # a share of Germany is computed from Germany's counts, as the Kreis's is from the Kreis's
    u6 = queries.bund_series(db, "anteil_u6").set_index("year")
    assert u6.loc[2015, "numerator"] == pytest.approx(2_200_407 + 2_130_002)  # under 3 + 3 to 6, 12411-02-03-5
    assert u6.loc[2015, "value"] == pytest.approx(100 * u6.loc[2015, "numerator"] / 82_175_684)


def test_germany_is_an_area_with_its_shape_and_no_kreis(by_key: Path) -> None:
    con = connect(by_key, read_only=True)
    rows = con.execute("SELECT area_id, name, level, kreis_id, area_km2, ST_IsEmpty(geom_display) FROM areas WHERE level = 'bund'").fetchall()
    assert len(rows) == 1
    area_id, name, level, kreis_id, km2, empty = rows[0]
    assert (area_id, name, kreis_id, empty) == ("DG", "Deutschland", None, False)
    assert 350_000 < km2 < 360_000, "Germany's land area, about 357,000 km²"


def test_exports_and_report_tables_carry_the_bund(shared_data: Path, by_key: Path) -> None:
    published = _population_row(shared_data / POPULATION_TABLE, "DG")
    with data.connection(str(by_key)) as con:
        refs = data.comparators(con, "07235", "bev_insgesamt", 2015)
    assert refs["area_id"].tolist() == ["07235", "07", "DG"], "Kreis, Land, Bund in that order"
    assert refs.set_index("area_id").loc["DG", "value"] == published[2015]
    values = tables.value_table(str(by_key), ["07235001"], "bev_insgesamt", years=[2014, 2015])
    germany = values.rows[values.rows["Schlüssel"] == "DG"]
    assert germany["Ebene"].unique().tolist() == ["Bund"]
    assert germany.set_index("Jahr")["Wert"].to_dict() == {2014: published[2014], 2015: published[2015]}
    assert "Deutschland" in tables.wide_text(values)["Gebiet"].tolist(), "the Kreistag report's table has the row"
    area = tables.area_table(str(by_key), "07235001", 2015)
    assert area.rows.set_index("Kennung").loc["bev_insgesamt", "Bund"] == published[2015]
    back = tables.read_csv_table(tables.csv_bytes(values))
    assert back.loc[back["Schlüssel"] == "DG", "Wert"].tolist() == [published[2014], published[2015]]


def test_value_table_states_the_trend_as_the_screen_does(by_key: Path) -> None:
    values = tables.value_table(str(by_key), ["07235"], "bev_insgesamt", years=[2015])
    header = dict(values.header)
    assert "Landkreis Trier-Saarburg" in header["Trend"] or "Trier-Saarburg" in header["Trend"]
    assert "Deutschland: " in header["Trend"] and "letzte 5 Jahre mit Werten: 2011–2015" in header["Trend"]
    assert header["Trendtest"].startswith("Trendtest: ")


def test_report_map_classes_around_the_kreis_value(by_key: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}
    original = figures.charts.choropleth_map

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(figures.charts, "choropleth_map", spy)
    figures.map_figure(str(by_key), "07235", "verbandsgemeinde", "anteil_u6", 2015)
    with data.connection(str(by_key)) as con:
        kreis = data.comparators(con, "07235", "anteil_u6", 2015).set_index("area_id").loc["07235", "value"]
    assert seen["reference"] == pytest.approx(kreis)


def test_demo_without_a_germany_row_has_no_bund(demo_db: Path) -> None:
    with data.connection(str(demo_db)) as con:
        assert data.bund_id(con) is None
        assert data.reference_ids(con, "99999") == ["99999", "99"]


def test_trend_line_names_few_chosen_areas_and_always_the_references(by_key: Path) -> None:
    with data.connection(str(by_key)) as con:
        gemeinden = data.member_gemeinden(con, data.area(con, "07235"))
    two = dict(tables.value_table(str(by_key), gemeinden[:2], "bev_insgesamt", years=[2015]).header)["Trend"]
    names = re.findall(r"(?:^|; )([^;:()]+): ", two)
    assert len(names) == 5 and names[2:] == ["Landkreis Trier-Saarburg", "Rheinland-Pfalz", "Deutschland"]
    every = dict(tables.value_table(str(by_key), gemeinden, "bev_insgesamt", years=[2015]).header)["Trend"]
    assert re.findall(r"(?:^|; )([^;:()]+): ", every) == names[2:], "a hundred Gemeinden: only the references"


def test_explorer_and_steckbrief_show_the_bund_of_a_kreis_built_by_key(by_key: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from page_helpers import open_page

    from reports import document as d
    from reports import profile

    with data.connection(str(by_key)) as con:
        u6 = data.comparators(con, "07235", "anteil_u6", 2015).set_index("area_id")["value"]
    at = open_page(by_key.parent, monkeypatch, "pages/indikatoren.py", {"kennzahl": "anteil_u6", "jahr": "2015"})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Deutschland 2015"] == f"{u6['DG']:.1f}".replace(".", ",") + " %"
    assert metrics["Rheinland-Pfalz 2015"] == f"{u6['07']:.1f}".replace(".", ",") + " %"
    doc = profile.steckbrief_document(str(by_key), "07235001")  # Aach, a Gemeinde of the Kreis
    table = next(b.frame for b in doc.blocks if isinstance(b, d.Table) and "Kennzahl" in b.frame).set_index("Kennzahl")
    assert table.loc["Anteil Kinder unter 6 Jahren (%)", "Deutschland"] == f"{u6['DG']:.1f}".replace(".", ",")
