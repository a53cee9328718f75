"""How a time series is drawn (planning.series_rules) on screen (dashboard.indicator_figures) and in print
(reports.charts): every calendar year with None in a gap, never bridged; one base year for an index; the census
break of the population statistics marked; a single year said in words."""
from __future__ import annotations

import pandas as pd
import pytest

from dashboard import indicator_figures
from planning import series_rules
from planning.area_values import SeriesLine
from reports import charts
from reports.data import Indicator
from reports.style import Caption

META = pd.Series({"label": "Einwohner insgesamt", "unit": "Personen", "decimals": 0, "kind": "count", "polarity": "neutral",
                  "source": "Statistische Ämter des Bundes und der Länder: Fortschreibung des Bevölkerungsstandes (12411)",
                  "per": 1.0})  # fmt: skip
IND = Indicator("bev_insgesamt", "Einwohner insgesamt", "Personen", "count", "Demografie", "neutral", "", META["source"], 0, 1.0)
CAPTION = Caption("Einwohner insgesamt – Entwicklung", "Test", "Quelle: Test")


def test_calendar_years_fill_every_year():
    assert series_rules.calendar_years([2015, 2011, 2013]) == [2011, 2012, 2013, 2014, 2015]
    assert series_rules.calendar_years([]) == []


def test_census_breaks_of_the_population_statistics_only():
    assert [b.year for b in series_rules.source_breaks(META["source"], range(2008, 2016))] == [2011]
    assert [b.year for b in series_rules.source_breaks("Berechnet aus 12411-02-03-5", [2010, 2024])] == [2011, 2022]
    assert series_rules.source_breaks("Berechnet aus 12411-02-03-5", [2019, 2020, 2021]) == [], "no line inside the years"
    assert series_rules.source_breaks("Arbeitslose (13211-02-05-4)", range(2001, 2017)) == []
    assert series_rules.source_breaks("IT.NRW: Flächenerhebung nach Art der tatsächlichen Nutzung (12411-15i)", [2010, 2012]) == []
    assert series_rules.source_breaks("Regionalatlas", [2010, 2012], table_codes=["12411-01-01-5"]), "the tables behind the values count"
    assert "Zensus 2011" in series_rules.CENSUS_BREAKS[0].note and "keine echte Veränderung" in series_rules.CENSUS_BREAKS[0].note


def test_index_base_is_the_first_year_all_series_share_or_each_own():
    years = [2014, 2015, 2016, 2017]
    common = series_rules.index_base({"a": [None, 5.0, 6.0, 7.0], "b": [1.0, 2.0, 0.0, 4.0]}, years)
    assert common == {"a": 2015, "b": 2015}
    assert series_rules.indexed([None, 5.0, 6.0, 7.0], years, 2015) == [None, 100.0, 120.0, 140.0]
    assert series_rules.index_axis_title(common) == "Index (2015 = 100)"
    apart = series_rules.index_base({"a": [1.0, 2.0, None, None], "b": [None, None, 3.0, 4.0]}, years)
    assert apart == {"a": 2014, "b": 2016}
    assert series_rules.index_axis_title(apart).startswith("Index (erstes Jahr mit Wert = 100")


def test_converted_values_are_named_with_their_years():
    rows = pd.DataFrame({"year": [2008, 2009, 2015], "derivation": ["converted", "converted", "source"],
                         "note": ["umgerechnet auf Gebietsstand 31.12.2020", "umgerechnet auf Gebietsstand 31.12.2020", None]})  # fmt: skip
    assert series_rules.converted_notes(rows) == ["umgerechnet auf Gebietsstand 31.12.2020 (2008–2009)"]


# --- the screen chart -----------------------------------------------------------------------------------------------

def _line(area_id: str, level: str, values: list[float | None]) -> SeriesLine:
    return SeriesLine(area_id, area_id, level, values, [str(v) for v in values])


def test_screen_chart_keeps_gaps_and_marks_the_census_break():
    years = list(range(2009, 2014))
    lines = [_line("A", "gemeinde", [10.0, None, 12.0, 13.0, 14.0]), _line("K", "kreis", [100.0, 101.0, None, 103.0, 104.0])]
    fig = indicator_figures.series_chart(years, lines, META, series_rules.source_breaks(META["source"], years))
    assert list(fig.data[0].x) == years and fig.data[0].y[1] is None and fig.data[1].y[2] is None
    assert all(trace.connectgaps is False for trace in fig.data), "a missing year is never bridged"
    assert [s.x0 for s in fig.layout.shapes] == [2010.5], "the break between 2010 and 2011"
    assert any("Zensus 2011" in a.text for a in fig.layout.annotations)


def test_screen_chart_of_a_single_year_says_so():
    fig = indicator_figures.series_chart([2015], [_line("A", "gemeinde", [5.0])], META, [])
    assert any(series_rules.ONE_YEAR_TEXT in a.text for a in fig.layout.annotations)


# --- the print chart ------------------------------------------------------------------------------------------------

def _series(rows: list[tuple[str, str, int, float | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["area_id", "level", "year", "value"])
    return frame.assign(name=frame["area_id"], status=["ok" if v is not None else "absent" for v in frame["value"]])


def test_print_chart_fills_missing_years_with_none():
    frame = _series([("A", "gemeinde", 2008, 10.0), ("A", "gemeinde", 2010, 12.0), ("K", "kreis", 2008, 100.0), ("K", "kreis", 2010, 104.0)])
    fig = charts.time_series_chart(frame, IND, CAPTION)
    assert list(fig.data[0].x) == [2008, 2009, 2010] and fig.data[0].y[1] is None, "2009 is an empty place"
    assert all(trace.connectgaps is False for trace in fig.data)


def test_print_index_shares_one_base_year():
    # an index as reports.figures hands it over: each line divided by its own first value
    frame = _series([("L", "land", 2014, 100.0), ("L", "land", 2015, 110.0), ("L", "land", 2016, 121.0),
                     ("A", "gemeinde", 2015, 100.0), ("A", "gemeinde", 2016, 90.0)])  # fmt: skip
    fig = charts.time_series_chart(frame, IND, CAPTION, unit="Index (erstes Jahr = 100)")
    assert fig.layout.yaxis.title.text == "Index (2015 = 100)"
    by_name = {t.name: list(t.y) for t in fig.data}
    assert by_name["A"] == [None, 100.0, 90.0] and by_name["L"] == [pytest.approx(100 / 1.1), 100.0, pytest.approx(110.0)]


def test_print_index_without_a_common_year_names_each_base():
    frame = _series([("L", "land", 2014, 100.0), ("L", "land", 2015, 110.0), ("A", "gemeinde", 2016, 100.0), ("A", "gemeinde", 2017, 90.0)])
    fig = charts.time_series_chart(frame, IND, CAPTION, unit="Index (erstes Jahr = 100)")
    assert {t.name for t in fig.data} == {"A (2016 = 100)", "L (2014 = 100)"}


def test_print_chart_marks_breaks_and_a_single_year():
    frame = _series([("A", "gemeinde", year, 100.0 + year - 2008) for year in range(2008, 2016)])
    fig = charts.time_series_chart(frame, IND, CAPTION)
    assert [s.x0 for s in fig.layout.shapes if s.type == "line"] == [2010.5]
    single = charts.time_series_chart(_series([("A", "gemeinde", 2015, 5.0)]), IND, CAPTION)
    assert any(series_rules.ONE_YEAR_TEXT in (a.text or "") for a in single.layout.annotations)
