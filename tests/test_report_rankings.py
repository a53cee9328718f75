"""Rankings in print (issue 11 item 10): no reference line squeezes the bars or crosses their value labels.

A count (Arbeitslose, Einwohner) of a Gemeinde has no yardstick in the Kreis' total: the Kreis line of 2,625
unemployed beside Gemeinden of 300 shrank every bar to a sliver. A rate keeps Kreis, Land and Bund as lines, drawn
behind the bars, the value labels with a white halo.
"""
from __future__ import annotations

from pathlib import Path

from reports import charts, figures

KREIS = "99001"


def test_a_count_is_ranked_without_reference_lines(demo_db: Path):
    fig = figures.ranking_figure(str(demo_db), KREIS, "sozialraum", "bev_insgesamt", 2023)
    assert not fig.layout.shapes, "no Kreis total beside the Sozialräume' counts"
    bars = [v for v in fig.data[0].x if v is not None]
    assert fig.layout.xaxis.range[1] < 1.3 * max(bars), "the axis ends near the largest bar, not at the Kreis total"


def test_a_rate_keeps_its_kreis_line_behind_the_bars(demo_db: Path):
    fig = figures.ranking_figure(str(demo_db), KREIS, "sozialraum", "anteil_u18", 2023)
    assert [s.layer for s in fig.layout.shapes] == ["below"], "the Kreis line, behind the bars"
    assert fig.data[0].marker.opacity < 1 and fig.data[0].textfont.shadow == charts.LABEL_HALO
    distribution = figures.distribution_figure(str(demo_db), KREIS, "gemeinde", "bev_insgesamt", 2023)
    assert not distribution.layout.shapes, "the dots of a count neither"
