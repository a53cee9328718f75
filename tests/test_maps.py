"""Map classes and legend: readable, German, honest about missing values."""
from __future__ import annotations

import pandas as pd

from dashboard import maps


def test_quantile_classes_cover_all_values_with_german_labels():
    classes = maps.quantile_classes(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, None]))
    assert len(classes.colours) == 5
    assert classes.colour_of(1.0) == classes.colours[0] and classes.colour_of(10.0) == classes.colours[-1]
    assert classes.colour_of(None) == maps.MISSING_COLOUR
    labels = classes.labels(1)
    assert labels[0] == "1,0 bis 2,8" and labels[-1].startswith("über ") and labels[-1].endswith("10,0")


def test_labels_gain_decimals_when_rounding_would_merge_bounds():
    classes = maps.quantile_classes(pd.Series([5.27, 5.31, 5.34, 5.49]))
    labels = classes.labels(1)
    assert len(set(labels)) == len(labels)
    assert all(label.split(" bis ")[0] != label.split(" bis ")[1] for label in labels), labels


def test_few_distinct_values_give_few_classes():
    classes = maps.quantile_classes(pd.Series([3.0, 3.0, 7.0]))
    assert len(classes.colours) == 2
    assert maps.quantile_classes(pd.Series([None, None], dtype=float)) is None


def test_legend_escapes_and_names_missing_values():
    html = maps.legend_html("<b>x</b>", "%", None, 1, "kein Wert: unbekannt oder geheim (.)")
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "kein Wert" in html
