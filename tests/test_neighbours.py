"""Neighbours named in the holes of a Kreis (issue 11 item 3; docs/MAPS.md): the ETL table ``neighbours`` from the
BKG Kreis layer, and the map labels that write "Trier (kreisfreie Stadt)" into the hole of Trier-Saarburg instead of
"nicht zum Kreis gehörig".
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from dashboard import overview_view
from planning import map_labels, queries, reference_queries
from planning.context import Context
from reports import figures

ROOT = Path(__file__).resolve().parent.parent
BOUNDARIES = "geo/bkg-vg5000-2021/vg5000_01-01.gk3.shape.ebenen.zip"
KRS = "vg5000_01-01.gk3.shape.ebenen/vg5000_ebenen_0101/VG5000_KRS.shp"
TRIER_LABEL = "Trier (kreisfreie Stadt)"


@pytest.fixture(scope="module")
def trier_saarburg(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("neighbours") / "07235_trier-saarburg.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "build", "--config", "config/07235_trier-saarburg.toml", "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    return out


@pytest.fixture(scope="module")
def db(trier_saarburg: Path) -> queries.Database:
    return queries.Database(str(trier_saarburg), trier_saarburg.stat().st_mtime)


def test_trier_saarburg_neighbours_from_the_kreis_layer(shared_data: Path, db: queries.Database) -> None:
    found = reference_queries.neighbours(db, "07235").set_index("neighbour_id")
    # the VG5000 Kreis layer: Trier inside, Bitburg-Prüm, Bernkastel-Wittlich, Birkenfeld around, two Saarland Kreise
    assert sorted(found.index) == ["07134", "07211", "07231", "07232", "10042", "10046"]
    assert found["enclosed"].to_dict() == {k: k == "07211" for k in found.index}
    assert (found.loc["07211", "name"], found.loc["07211", "bez"]) == ("Trier", "Kreisfreie Stadt")
    kreise = pyogrio.read_dataframe(f"/vsizip/{shared_data / BOUNDARIES}/{KRS}", where="AGS IN ('07211', '07235')").to_crs(4326)
    trier = shapely.union_all(kreise.loc[kreise["AGS"] == "07211"].geometry.values)
    kreis = shapely.union_all(kreise.loc[kreise["AGS"] == "07235"].geometry.values)
    point = Point(found.loc["07211", "lon"], found.loc["07211", "lat"])
    assert trier.contains(point) and not kreis.contains(point), "Trier's name stands in Trier, not in the Kreis"
    bitburg = Point(found.loc["07232", "lon"], found.loc["07232", "lat"])
    assert kreis.distance(bitburg) < 0.1 and not kreis.contains(bitburg), "a neighbour beside it is named near the border"


def test_the_hole_of_trier_is_named_on_screen_and_in_print(db: queries.Database, trier_saarburg: Path) -> None:
    for level in ("gemeinde", "verbandsgemeinde", "sozialraum"):
        labels = map_labels.level_labels(db, "07235", level)
        holes = labels[labels["hole"]]
        assert holes["name"].tolist() == [TRIER_LABEL], level
    ctx = Context(db, "07235", "Landkreis Trier-Saarburg", 2015, False)
    view = overview_view.map_view(ctx, "verbandsgemeinde", "anteil_u6", names=True)
    assert TRIER_LABEL in view.map.script and map_labels.HOLE_LABEL not in view.map.script
    fig = figures.map_figure(str(trier_saarburg), "07235", "verbandsgemeinde", "anteil_u6", 2015)
    texts = [t for trace in fig.data if getattr(trace, "mode", None) == "text" for t in trace.text]
    assert "Trier<br>(kreisfreie Stadt)" in texts and not any("gehörig" in t for t in texts)


def test_a_database_without_the_table_keeps_the_plain_words(shared_data: Path) -> None:
    old = Path("/work/dbs/07235_trier-saarburg.duckdb")
    if not old.is_file():
        pytest.skip(f"{old} (a Trier-Saarburg database built before the neighbours table) not found")
    db = queries.Database(str(old), old.stat().st_mtime)
    if not reference_queries.neighbours(db, "07235").empty:
        pytest.skip(f"{old} was rebuilt with the neighbours table")
    holes = map_labels.level_labels(db, "07235", "gemeinde").query("hole")
    assert holes["name"].tolist() == [map_labels.HOLE_LABEL]


def test_demo_has_no_neighbours_and_no_hole(demo_db: Path) -> None:
    db = queries.Database(str(demo_db), demo_db.stat().st_mtime)
    assert reference_queries.neighbours(db, "99001").empty, "the demo release holds only its own Kreis"
    assert list(reference_queries.neighbours(db, "99001").columns) == reference_queries.NEIGHBOUR_COLUMNS
    assert not map_labels.level_labels(db, "99001", "gemeinde")["hole"].any()


def _neighbours(*rows: tuple[str, str, bool, float, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["name", "bez", "enclosed", "lon", "lat"])


def test_hole_rule_on_a_drawn_kreis() -> None:
    """A square Kreis with two holes: one holds an enclosed city, the other land the database names no one for."""
    outline = Polygon(box(0, 0, 10, 10).exterior, [box(2, 2, 4, 4).exterior.coords, box(6, 6, 8, 8).exterior.coords])
    plain = map_labels.hole_points(outline)
    assert plain["name"].tolist() == [map_labels.HOLE_LABEL] * 2
    city = _neighbours(("Stadt A", "Kreisfreie Stadt", True, 3.0, 3.0), ("Landkreis B", "Landkreis", False, 7.0, 7.0))
    named = map_labels.hole_points(outline, city).sort_values("lon")
    assert named["name"].tolist() == ["Stadt A (kreisfreie Stadt)", map_labels.HOLE_LABEL], "only an enclosed neighbour names a hole"
    two = _neighbours(("Stadt A", "Kreisfreie Stadt", True, 2.5, 2.5), ("Stadt C", "Kreisfreie Stadt", True, 3.5, 3.5))
    assert map_labels.hole_points(outline, two)["name"].tolist() == [map_labels.HOLE_LABEL] * 2, "two cities in one hole: plain words"
    shapes = gpd.GeoDataFrame({"name": ["Gemeinde X"]}, geometry=[outline])
    labels = map_labels.map_labels(shapes, outline, city)
    assert set(labels["name"]) == {"Gemeinde X", "Stadt A (kreisfreie Stadt)", map_labels.HOLE_LABEL}
