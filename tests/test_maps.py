"""Map classes and legend: readable, German, honest about missing values."""
from __future__ import annotations

import pandas as pd
import pytest

from dashboard import maps
from planning import classification


def test_quantile_classes_cover_all_values_with_german_labels():
    classes = classification.classify(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, None]), "quantile")
    assert len(classes.colours) == 5
    assert classes.colour_of(1.0) == classes.colours[0] and classes.colour_of(10.0) == classes.colours[-1]
    assert classes.colour_of(None) == classification.MISSING_COLOUR
    labels = classes.labels(1)
    assert labels[0] == "1,0 bis 2,8" and labels[-1].startswith("über ") and labels[-1].endswith("10,0")


def test_labels_gain_decimals_when_rounding_would_merge_bounds():
    classes = classification.classify(pd.Series([5.27, 5.31, 5.34, 5.49]), "quantile")
    labels = classes.labels(1)
    assert len(set(labels)) == len(labels)
    assert all(label.split(" bis ")[0] != label.split(" bis ")[1] for label in labels), labels


def test_few_distinct_values_give_few_classes():
    classes = classification.classify(pd.Series([3.0, 3.0, 7.0]), "quantile")
    assert len(classes.colours) == 2
    assert classification.classify(pd.Series([None, None], dtype=float), "quantile") is None


def test_legend_escapes_and_names_missing_values():
    html = maps.legend_html("<b>x</b>", "%", None, 1, "kein Wert: unbekannt oder geheim (.)")
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "kein Wert" in html


SKEWED = pd.Series([1.0, 1.2, 1.3, 1.5, 2.0, 2.1, 2.2, 8.0, 9.0, 30.0])


def test_equal_intervals_have_equal_width():
    classes = classification.classify(SKEWED, "equal_interval", 4)
    edges = (classes.lower, *classes.bounds)
    widths = {round(b - a, 9) for a, b in zip(edges, edges[1:])}
    assert len(widths) == 1 and classes.bounds[-1] == 30.0


def test_fisher_jenks_separates_natural_groups():
    classes = classification.classify(SKEWED, "fisher_jenks", 3)
    assert classes.bounds == (2.2, 9.0, 30.0), "the three visible groups 1–2,2 / 8–9 / 30"
    assert classes.colour_of(30.0) == classes.colours[-1] and classes.colour_of(1.0) == classes.colours[0]


@pytest.mark.parametrize("scheme", list(classification.SCHEMES))
def test_every_scheme_covers_all_values_and_degrades_gracefully(scheme: str):
    classes = classification.classify(SKEWED, scheme, 5)
    assert classes.bounds[-1] == SKEWED.max() and classes.lower == SKEWED.min()
    assert list(classes.bounds) == sorted(set(classes.bounds)), "strictly increasing bounds"
    assert len(classes.colours) == len(classes.bounds)
    single = classification.classify(pd.Series([4.0, 4.0, None]), scheme, 5)
    assert single.bounds == (4.0,) and len(single.colours) == 1
    assert classification.classify(pd.Series([None], dtype=float), scheme) is None


def test_unknown_scheme_is_an_error():
    with pytest.raises(ValueError, match="quantile"):
        classification.classify(SKEWED, "jenks")


def test_missing_reasons_name_status_labels_with_counts():
    label = classification.missing_reasons(pd.Series(["suppressed", "suppressed", "locked"]))
    assert label == "kein Wert: Aussage nicht sinnvoll (x) (1), wegen kleiner Fallzahl unterdrückt (2)"
    assert classification.missing_reasons(pd.Series([], dtype=str)) is None


def test_legend_shows_scheme_note():
    html = maps.legend_html("Titel", "%", classification.classify(SKEWED, "equal_interval", 3), 1, None, "Klassen: gleiche Intervalle")
    assert "Klassen: gleiche Intervalle" in html and "pa-legend" in html


def test_text_in_a_map_is_shown_literally_and_never_run_as_a_template():
    """branca compiles a map's rendered script as a Jinja template again: '{{ … }}' in an area name (a county's
    Sozialraum CSV), a label or the attribution must reach the browser as text, not be evaluated on the server."""
    import geopandas as gpd
    from shapely.geometry import box

    evil = '{{ "ser" ~ "ver" ~ "side" }} <b>fett</b>'
    shapes = gpd.GeoDataFrame(
        {"area_id": ["a"], "name": [evil], "value": [1.0]}, geometry=[box(6.0, 50.0, 6.1, 50.1)], crs="EPSG:4326"
    )
    fmap = maps.choropleth(
        shapes, shapes[["geometry"]], value_column="value", tooltip_fields={"name": evil}, classes=None,
        legend=maps.legend_html(evil, "", None, 1, evil), attribution=evil,
    )  # fmt: skip
    rendered = fmap.get_root().render()
    assert "serverside" not in rendered, "a template expression in the data ran on the server"
    shown = "&#123;&#123; &quot;ser&quot; ~ &quot;ver&quot; ~ &quot;side&quot; &#125;&#125; &lt;b&gt;fett&lt;/b&gt;"
    as_json = shown.replace("&", "\\u0026")  # the data sit in the script as JSON strings
    assert rendered.count(as_json) >= 3, "tooltip, legend and attribution show the text as it is"
    assert "<b>fett</b>" not in rendered


# --- readable maps (issue 11, item 3) --------------------------------------------------------------------------------


def _squares(n: int = 3):
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame(
        {"area_id": [f"a{i}" for i in range(n)], "name": [f"<Ort {i}>" for i in range(n)], "value": [float(i + 1) for i in range(n)],
         "value_text": [str(i) for i in range(n)]},
        geometry=[box(6.0 + i * 0.1, 50.0, 6.1 + i * 0.1, 50.1) for i in range(n)], crs="EPSG:4326",
    )  # fmt: skip


def test_legend_is_collapsible_states_the_spread_and_grows_for_presentation():
    classes = classification.map_classes(SKEWED, decimals=1)
    html = maps.legend_html("Titel", "%", classes, 1, None, classes.note, spread="Spannweite 1,0 bis 30,0 %")
    assert html.startswith('<details class="pa-legend" open') and "<summary" in html
    assert "Spannweite 1,0 bis 30,0 %" in html and "font:12px" in html
    assert "font:18px" in maps.legend_html("Titel", "%", classes, 1, None, large=True), "readable from the back of a room"


def test_size_legend_shows_round_values_with_circles_of_matching_area():
    symbols = classification.proportional_symbols(pd.Series([100.0, 2_000.0, 18_000.0]), max_radius=30)
    html = maps.legend_html("Einwohner", "Personen", None, 0, None, symbols=symbols)
    assert html.count("<circle") == 3 and "10.000" in html and "2.500" in html and "1.000" in html
    radii = [float(r) for r in __import__("re").findall(r'r="([\d.]+)"', html)]
    assert radii == sorted(radii, reverse=True) and abs(radii[0] / radii[1] - 2) < 0.05, "a quarter of the value: half the radius"


def test_map_names_areas_as_text_closes_tooltips_and_keeps_scale_and_attribution_apart():
    from planning import map_labels

    shapes = _squares()
    labels = map_labels.map_labels(shapes, shapes.dissolve())
    classes = classification.map_classes(shapes["value"], decimals=1)
    fmap = maps.choropleth(
        shapes, shapes.dissolve(), value_column="value", tooltip_fields={"name": "Gemeinde"}, classes=classes,
        legend=maps.legend_html("T", "", classes, 1, None), attribution="Quelle", labels=labels,
    )  # fmt: skip
    html = fmap.get_root().render()
    assert "pa-labels" in html and "\\u003cOrt 0\\u003e" in html and "<Ort 0>" not in html, "names as escaped data, set as text"
    assert "textContent = row[2]" in html
    assert '"sticky": false' in html, "the tooltip does not follow the pointer"
    assert "closeTooltip" in html, "a click closes the tooltip"
    assert "position: 'bottomleft'" in html and "max-width:calc(100vw - 150px)" in html, "scale left, attribution wraps before it"


def test_a_count_map_draws_circles_over_neutral_areas():
    from planning import map_labels

    shapes = _squares()
    symbols = classification.proportional_symbols(shapes["value"])
    fmap = maps.choropleth(
        shapes, shapes.dissolve(), value_column="value", tooltip_fields={"name": "Gemeinde"}, classes=None,
        legend="", attribution="Quelle", symbols=symbols, symbol_points=map_labels.value_points(shapes),
    )  # fmt: skip
    html = fmap.get_root().render()
    assert "pa-symbols" in html and "L.circleMarker" in html
    assert maps.NEUTRAL_FILL in html and "#ffffcc" not in html, "no colour classes"
