"""The map rule of planning/classification.py and the label points of planning/map_labels.py on fixtures: few
areas, a small spread, counts (issue 11, item 4), and names inside areas and holes (item 3)."""
from __future__ import annotations

import math
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from planning import classification as c
from planning import map_labels

CATALOGUE = Path(__file__).resolve().parent.parent / "etl" / "metadata" / "indicators.toml"
# Sozialräume of Trier-Saarburg as the review saw them: four areas 5,28–5,49 %, Kreis 5,38 %
CLOSE = pd.Series([5.28, 5.31, 5.34, 5.49, None])
MANY = pd.Series([float(v) for v in range(1, 41)])


# --- small spread: classes around the Kreis value -------------------------------------------------------------------


def test_close_values_are_classed_around_the_kreis_value_not_in_quantiles():
    classes = c.map_classes(CLOSE, reference=5.38, decimals=2)
    assert classes.method == c.CENTRED
    assert classes.colours == c.CENTRED_COLOURS, "a diverging palette with a neutral middle"
    assert {classes.colour_of(v) for v in CLOSE.dropna()} == {c.CENTRED_COLOURS[1]}, "all four 'nahe am Kreiswert'"
    assert classes.labels(2) == [
        "unter dem Kreiswert (unter 5,11)", "nahe am Kreiswert (5,11 bis 5,65)", "über dem Kreiswert (über 5,65)",
    ]  # fmt: skip
    assert "Kreiswert 5,38" in classes.note and "5 %" in classes.note
    assert c.spread_text(CLOSE, 2, "%") == "Spannweite 5,28 bis 5,49 %"
    assert c.classify(CLOSE, "quantile").method == c.SCHEME and len(c.classify(CLOSE).colours) == 4, "what quantiles did"


def test_centred_classes_split_below_near_and_above():
    classes = c.centred_classes(pd.Series([80.0, 95.0, 100.0, 105.0, 120.0]), 100.0, 1)
    assert [classes.index_of(v) for v in (80.0, 95.0, 100.0, 105.0, 105.01, 120.0)] == [0, 1, 1, 1, 2, 2], "±5 % is 'nahe'"
    assert classes.colour_of(math.nan) == c.MISSING_COLOUR


def test_all_areas_statistically_similar_count_as_a_small_spread():
    values = pd.Series([2.0, 6.0, 9.0, 12.0, 3.0, 7.0, 8.0, 4.0, 11.0])
    similar = ["similar"] * 9
    assert c.small_spread(values, 7.0, similar)
    assert not c.small_spread(values, 7.0, ["similar"] * 8 + ["higher"])
    assert c.map_classes(values, reference=7.0, comparisons=similar).method == c.CENTRED
    assert c.map_classes(values, reference=7.0, comparisons=["similar"] * 8 + ["higher"]).method == c.SCHEME


# --- few areas: rounded steps -----------------------------------------------------------------------------------------


def test_few_areas_get_fixed_rounded_steps():
    values = pd.Series([2.0, 5.0, 8.0, 12.0, 20.0])
    classes = c.map_classes(values, reference=9.0, k=5, decimals=1)
    assert classes.method == c.STEPS and classes.bounds == (5.0, 10.0, 15.0, 20.0) and classes.lower == 0.0
    assert classes.labels(1) == ["0,0 bis 5,0", "über 5,0 bis 10,0", "über 10,0 bis 15,0", "über 15,0 bis 20,0"]
    assert "Nur 5 Gebiete" in classes.note and "Stufen von 5" in classes.note
    assert all(classes.lower <= v <= classes.bounds[-1] for v in values)


def test_close_values_without_a_kreis_value_share_one_rounded_class():
    classes = c.map_classes(CLOSE, decimals=2)
    assert classes.method == c.STEPS and len(classes.colours) == 1 and classes.labels(1) == ["5,0 bis 6,0"]


@pytest.mark.parametrize("k", [3, 5, 7])
def test_steps_never_exceed_k_classes_and_cover_every_value(k: int):
    for values in ([0.3, 0.31, 7.9], [101.0, 180.0, 260.0, 999.0], [-4.0, 0.0, 3.5], [0.0012, 0.0031, 0.0099]):
        classes = c.step_classes(pd.Series(values), k, float(pd.Series(values).median()), "nur wenige Gebiete", 4)
        assert 1 <= len(classes.colours) <= k, (values, classes)
        assert classes.lower <= min(values) and classes.bounds[-1] >= max(values)
        step = classes.bounds[0] - classes.lower
        assert all(math.isclose(b - a, step) for a, b in zip((classes.lower, *classes.bounds), classes.bounds))


def test_nice_steps():
    assert [c.nice_step(x) for x in (0.538, 3.6, 1e-3, 2.2, 7.0, 25.0)] == [1.0, 5.0, 0.001, 2.5, 10.0, 25.0]


def test_enough_areas_and_spread_keep_the_chosen_scheme():
    classes = c.map_classes(MANY, scheme="quantile", k=5, reference=20.0)
    assert classes.method == c.SCHEME and classes.note == "Klassen: Quantile, 5 Klassen" and len(classes.colours) == 5
    assert c.map_classes(MANY, scheme="equal_interval", k=4).note == "Klassen: gleiche Intervalle, 4 Klassen"
    assert c.map_classes(pd.Series([None], dtype=float)) is None


# --- counts: circles, never colours -----------------------------------------------------------------------------------


def test_counts_are_decided_by_catalogue_kind_and_unit():
    assert c.is_count("count", "Personen") and c.is_count("measure", "km²") and c.is_count("count", "Hilfen")
    assert c.is_count("rate", "Personen"), "a head count stays a count"
    assert not c.is_count("rate", "%") and not c.is_count("rate", "je 1.000 Einwohner")
    indicators = tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))["indicator"]
    drawn_as_circles = {i["id"] for i in indicators if c.is_count(i["kind"], i["unit"])}
    assert {"bev_insgesamt", "flaeche_kataster"} <= drawn_as_circles and "anteil_u6" not in drawn_as_circles
    assert all(i["kind"] == "rate" for i in indicators if i["id"] not in drawn_as_circles)


def test_circle_area_is_proportional_to_the_value():
    symbols = c.proportional_symbols(pd.Series([100.0, 2_000.0, 18_000.0, None, 0.0]), max_radius=30)
    assert symbols.radius(18_000.0) == 30 and symbols.radius(None) == 0 and symbols.radius(0.0) == 0
    assert math.isclose((symbols.radius(4_500.0) / symbols.radius(18_000.0)) ** 2, 0.25), "a quarter of the value, a quarter of the area"
    assert symbols.legend_values == (10_000.0, 2_500.0, 1_000.0), "round numbers: the largest, a quarter, a sixteenth"
    assert c.proportional_symbols(pd.Series([0.0, None])) is None
    assert c.proportional_symbols(pd.Series([5.0] * 4)).max_radius > c.proportional_symbols(pd.Series([5.0] * 100)).max_radius


# --- names on the map -------------------------------------------------------------------------------------------------


def test_a_name_stands_inside_its_area_even_in_an_l_shape():
    ell = Polygon([(0, 0), (10, 0), (10, 1), (1, 1), (1, 10), (0, 10)])
    shapes = gpd.GeoDataFrame({"name": ["L", "Q"]}, geometry=[ell, box(20, 0, 30, 10)], crs="EPSG:4326")
    points = map_labels.label_points(shapes)
    assert list(points["name"]) == ["L", "Q"] and not points["hole"].any()
    for (lon, lat), geometry in zip(zip(points["lon"], points["lat"]), shapes.geometry):
        assert geometry.contains(gpd.points_from_xy([lon], [lat])[0])


def test_holes_of_the_kreis_are_labelled_slivers_are_not():
    big_hole, sliver = box(4, 4, 6, 7), box(1, 1, 1.05, 1.05)
    kreis = Polygon(box(0, 0, 10, 10).exterior.coords, [big_hole.exterior.coords, sliver.exterior.coords])
    holes = map_labels.hole_points(kreis)
    assert list(holes["name"]) == [map_labels.HOLE_LABEL] and holes["hole"].all()
    assert big_hole.contains(gpd.points_from_xy(holes["lon"], holes["lat"])[0])
    shapes = gpd.GeoDataFrame({"name": ["Kreis"]}, geometry=[kreis], crs="EPSG:4326")
    assert map_labels.map_labels(shapes, kreis)["name"].tolist() == ["Kreis", map_labels.HOLE_LABEL], "larger first"
    assert map_labels.hole_points(box(0, 0, 1, 1)).empty


def test_value_points_leave_out_areas_without_a_value():
    shapes = gpd.GeoDataFrame({"value": [3.0, None]}, geometry=[box(0, 0, 1, 1), box(2, 0, 3, 1)], crs="EPSG:4326")
    points = map_labels.value_points(shapes)
    assert len(points) == 1 and points.loc[0, "value"] == 3.0 and 0 < points.loc[0, "lon"] < 1
