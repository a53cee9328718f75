"""A map legend without gaps (issue 11, item 4): a class no area falls into keeps its row, marked "(kein Gebiet)",
on screen (dashboard.maps.legend_html) and in print (reports.charts.choropleth_map, where plotly would leave an
empty trace out of the legend)."""
from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from dashboard import maps
from planning import classification as c
from reports.charts import choropleth_map
from reports.data import Indicator
from reports.style import Caption

# Five Gemeinden as the reviewer saw them: values around 29 and 31–33, none between 30 and 31 or 32 and 33; the
# Kreis value 40 keeps the spread from counting as small, so five areas get fixed steps of 1.
GAPPED = pd.Series([29.2, 29.6, 31.4, 31.8, 33.5])
KREIS_VALUE = 40.0


def _contiguous(labels: list[str]) -> bool:
    """Each 'über a bis b' starts where the row before ended."""
    ends = [re.search(r"(\d+,\d+)(?: \(kein Gebiet\))?$", label).group(1) for label in labels]
    starts = [re.match(r"über (\d+,\d+)", label) for label in labels[1:]]
    return all(s is not None and s.group(1) == e for s, e in zip(starts, ends))


def test_empty_steps_keep_their_row_marked_no_area():
    classes = c.map_classes(GAPPED, reference=KREIS_VALUE, decimals=1)
    assert classes.method == c.STEPS and classes.counts == (2, 0, 2, 0, 1)
    labels = classes.legend_labels(1)
    assert labels == [
        "29,0 bis 30,0",
        "über 30,0 bis 31,0 (kein Gebiet)",
        "über 31,0 bis 32,0",
        "über 32,0 bis 33,0 (kein Gebiet)",
        "über 33,0 bis 34,0",
    ]
    assert _contiguous(labels)


def test_counts_follow_the_colours_of_the_areas():
    for scheme in c.SCHEMES:
        values = pd.Series([1.0, 2.0, 2.5, 3.0, 9.0, 9.5, 10.0, 30.0, 31.0, 50.0, None])
        classes = c.map_classes(values, scheme=scheme, k=5)
        assert sum(classes.counts) == 10 and len(classes.counts) == len(classes.colours)
        for i, colour in enumerate(classes.colours):
            assert classes.counts[i] == sum(classes.colour_of(v) == colour for v in values.dropna()), scheme


def test_screen_legend_lists_every_class_in_order():
    classes = c.map_classes(GAPPED, reference=KREIS_VALUE, decimals=1)
    html = maps.legend_html("Anteil", "%", classes, 1, None)
    rows = re.findall(r"(?:\d+,\d bis \d+,\d|über \d+,\d bis \d+,\d)(?: \(kein Gebiet\))?", html)
    assert len(rows) == 5 and _contiguous(rows), rows
    assert html.count("(kein Gebiet)") == 2


def test_print_legend_keeps_the_empty_classes():
    shapes = gpd.GeoDataFrame(
        {"area_id": [f"g{i}" for i in range(5)], "name": [f"Gemeinde {i}" for i in range(5)]},
        geometry=[box(6 + 0.1 * i, 49.5, 6.1 + 0.1 * i, 49.6) for i in range(5)], crs="EPSG:4326",
    )  # fmt: skip
    values = pd.DataFrame({"area_id": shapes["area_id"], "value": GAPPED, "status": "ok"})
    ind = Indicator("x", "Anteil", "%", "rate", "Soziales", "neutral", "", "", 1, 100.0)
    fig = choropleth_map(shapes, values, ind, Caption("t", "s", "f"), outline=box(6, 49.5, 6.5, 49.6),
                         reference=KREIS_VALUE, labels=False)  # fmt: skip
    # plotly shows a legend row only for a trace with data: every class row must carry some
    shown = [t.name for t in fig.data if t.showlegend is not False and (t.locations or t.lon)]
    classes = [n for n in shown if re.match(r"(über )?\d+,\d bis", n)]
    assert len(classes) == 5 and _contiguous(classes), classes
    assert sum("(kein Gebiet)" in n for n in classes) == 2
