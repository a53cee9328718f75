"""The indicator explorer with Streamlit's AppTest (no browser): finding, switching, legend, table, small numbers.

The demo database holds population indicators only. A copy of it gets what the tests need beyond that:
two Gemeinden whose share of children under 6 is suppressed as a small number, and Land reference values.
Plotly figures are invisible to AppTest, so the figure-building functions are tested directly.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from page_helpers import map_script, rerun

from dashboard import explorer_view, indicator_figures
from planning import area_values, comparison, indicator_metadata, indicators, queries
from planning.context import Context
from etl.db import connect

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PAGE = "pages/indikatoren.py"
KREIS = "99001"
KREIS_NAME = "Landkreis Musterland (Demodaten)"
SUPPRESSED_NOTE = "Fallzahl unter 3: Wert zum Schutz der Betroffenen nicht ausgewiesen"
LAND_VALUE = 5.1


@pytest.fixture(scope="module")
def explorer_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database plus suppressed small numbers and Land values for anteil_u6."""
    path = tmp_path_factory.mktemp("explorer_db") / "demo_musterland.duckdb"
    shutil.copy(demo_db, path)
    with connect(path) as con:
        suppressed = [r[0] for r in con.execute(
            """SELECT o.area_id FROM observations o JOIN areas a USING (area_id)
               WHERE o.indicator_id = 'anteil_u6' AND o.year = 2023 AND a.level = 'gemeinde' AND o.status = 'ok'
               ORDER BY o.area_id LIMIT 2 OFFSET 3"""
        ).fetchall()]  # fmt: skip
        con.execute(
            f"""UPDATE observations SET status = 'suppressed', value = NULL, numerator = NULL, denominator = NULL, note = ?
                WHERE indicator_id = 'anteil_u6' AND year = 2023 AND area_id IN ({', '.join('?' * len(suppressed))})""",
            [SUPPRESSED_NOTE, *suppressed],
        )
        for year in range(2019, 2024):
            con.execute(
                """INSERT INTO observations (area_id, indicator_id, year, value, status, numerator, denominator, derivation, source_id)
                   VALUES ('99', 'anteil_u6', ?, ?, 'ok', ?, 1000000, 'source', 'S03')""",
                [year, LAND_VALUE, LAND_VALUE * 10000],
            )
    return path


@pytest.fixture(scope="module")
def suppressed_names(explorer_db: Path) -> list[str]:
    with connect(explorer_db, read_only=True) as con:
        rows = con.execute(
            """SELECT a.name FROM observations o JOIN areas a USING (area_id)
               WHERE o.indicator_id = 'anteil_u6' AND o.year = 2023 AND o.status = 'suppressed' ORDER BY a.name"""
        ).fetchall()
    assert len(rows) == 2
    return [r[0] for r in rows]


@pytest.fixture
def app(explorer_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(explorer_db.parent))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def ctx(explorer_db: Path) -> Context:
    db = queries.Database(str(explorer_db), explorer_db.stat().st_mtime)
    return Context(db, KREIS, KREIS_NAME, 2023, True)


def _legend(at: AppTest) -> str:
    """The legend's HTML as the browser gets it (the map script carries it JSON-encoded)."""
    match = re.search(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', map_script(at))
    assert match, "legend control in the map script"
    html = json.loads(match.group(1))
    assert 'class="pa-legend"' in html
    return html


def _hits(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def _table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[1].value


# --- find --------------------------------------------------------------------------------------------------------

def test_page_opens_on_children_under_six_with_map_ranking_and_table(app: AppTest):
    assert app.title[0].value == f"Indikatoren {KREIS_NAME} – 2023", "the title carries the year"
    assert any("Demodaten" in w.value for w in app.warning)
    assert app.selectbox(key="explorer_indicator").value == "anteil_u6"
    assert app.selectbox(key="year").value == 2023
    assert app.radio(key="explorer_level").value == "gemeinde"
    assert app.selectbox(key="explorer_scheme").value == "quantile"
    legend = _legend(app)
    assert "Anteil Kinder unter 6 Jahren 2023 (%)" in legend and "Klassen: Quantile, 5 Klassen" in legend
    assert map_script(app).count('"area_id"') >= 61
    assert len(_table(app)) == 61, "one table row per Gemeinde"
    captions = " ".join(c.value for c in app.caption)
    assert "Demodaten Planungsatlas Familie (Geometrie erfunden)" in captions, "licence attribution in the footer"


def test_text_search_narrows_the_list_and_the_picker(app: AppTest):
    everything = len(_hits(app))
    app.text_input(key="explorer_search").input("hochbetagte")
    rerun(app)
    hits = _hits(app)
    assert 0 < len(hits) < everything
    assert all("hochbetagte" in label.lower() for label in hits["Kennzahl"]), hits
    options = app.selectbox(key="explorer_indicator").options
    assert len(options) == len(hits) and all("Hochbetagte" in o for o in options)
    assert app.selectbox(key="explorer_indicator").value in ("bev_75plus", "anteil_75plus"), "picker follows the filter"
    assert "Hochbetagte" in _legend(app)


def test_text_search_reads_definitions_case_insensitively_word_by_word(app: AppTest):
    # "Hauptwohnsitz" appears only in the definition of the population total, never in a label
    app.text_input(key="explorer_search").input("HAUPTWOHNSITZ stichtag")
    rerun(app)
    assert _hits(app)["Kennzahl"].tolist() == ["Einwohner insgesamt"]


def test_search_without_match_says_so(app: AppTest):
    app.text_input(key="explorer_search").input("Zahnarztdichte")
    rerun(app)
    assert any("Keine Kennzahl passt" in i.value for i in app.info)
    assert not app.get("component_instance"), "no map without an indicator"


def test_topic_filter_keeps_only_that_topic(app: AppTest):
    topics = app.multiselect(key="explorer_topics").options
    assert "Senioren und Generationen" in topics and "Demografie" in topics
    app.multiselect(key="explorer_topics").set_value(["Senioren und Generationen"])
    rerun(app)
    hits = _hits(app)
    assert set(hits["Thema"]) == {"Senioren und Generationen"} and len(hits) >= 3
    assert app.selectbox(key="explorer_indicator").value in set(
        indicators.filter_catalogue(queries.catalogue(_db(app)), ["Senioren und Generationen"], "")["indicator_id"]
    )


def _db(app: AppTest) -> queries.Database:
    return next(db for db in queries.databases() if db.path == app.selectbox(key="db_path").value)


def test_filter_catalogue_combines_topic_and_words():
    cat = pd.DataFrame(
        {
            "indicator_id": ["a", "b", "c"],
            "label": ["Anteil Kinder", "SGB-II-Quote", "Kinder unter 3"],
            "definition": ["Kinder je 100 Einwohner", "Leistungsberechtigte nach SGB II", "Anzahl"],
            "topic": ["Demografie", "Soziale Lage", "Demografie"],
        }
    ).set_index("indicator_id", drop=False)
    assert indicators.filter_catalogue(cat, [], "kinder")["indicator_id"].tolist() == ["a", "c"]
    assert indicators.filter_catalogue(cat, ["Soziale Lage"], "")["indicator_id"].tolist() == ["b"]
    assert indicators.filter_catalogue(cat, ["Demografie"], "kinder einwohner")["indicator_id"].tolist() == ["a"]
    assert indicators.filter_catalogue(cat, None, "leistungsberechtigte")["indicator_id"].tolist() == ["b"]
    assert indicators.filter_catalogue(cat, [], "  ").equals(cat)


# --- year, level, classification -----------------------------------------------------------------------------------

def test_the_years_with_values_are_named_beside_the_picker(app: AppTest):
    # one year control (issue 11): the sidebar's; the page names the indicator's years instead of a second picker
    assert not [s for s in app.selectbox if s.key == "explorer_year"], "no second year control on the page"
    assert any(c.value.startswith("Jahr 2023 (für alle Seiten in der Seitenleiste gewählt)") and c.value.endswith("2019–2023")
               for c in app.caption)  # fmt: skip
    app.selectbox(key="explorer_indicator").set_value("bev_insgesamt")
    rerun(app)
    assert any(c.value.endswith("Jahre mit Werten dieser Kennzahl: 2014–2023") for c in app.caption)


def test_sidebar_year_without_values_is_said_and_the_latest_offered(app: AppTest):
    app.selectbox(key="year").set_value(2016)
    rerun(app)
    assert app.selectbox(key="explorer_indicator").value == "anteil_u6"
    assert app.title[0].value.endswith("– 2016"), "the page shows the sidebar's year, never another one silently"
    assert any("2016 keine Werte" in i.value and "2019–2023" in i.value for i in app.info)
    assert not app.get("component_instance"), "no map of another year than the sidebar's"
    app.button(key="explorer_latest_year").click()
    rerun(app)
    assert app.selectbox(key="year").value == 2023, "the button makes the indicator's latest year the shared year"
    assert app.title[0].value.endswith("– 2023") and "Anteil Kinder unter 6 Jahren 2023" in _legend(app)
    app.selectbox(key="year").set_value(2016)
    app.selectbox(key="explorer_indicator").set_value("bev_insgesamt")
    rerun(app)
    assert "Einwohner insgesamt 2016" in _legend(app), "an indicator with values in the shared year shows it at once"


def test_the_sidebar_year_drives_map_table_and_title(app: AppTest):
    app.selectbox(key="year").set_value(2020)
    rerun(app)
    assert app.title[0].value == f"Indikatoren {KREIS_NAME} – 2020"
    assert "Anteil Kinder unter 6 Jahren 2020" in _legend(app)
    assert app.subheader[-1].value == "Tabelle 2020"


def test_switching_indicator_year_level_and_classification_changes_the_legend(app: AppTest):
    seen = [_legend(app)]
    app.selectbox(key="explorer_indicator").set_value("anteil_65plus")
    rerun(app)
    seen.append(_legend(app))
    assert "Anteil Einwohner ab 65 Jahren 2023" in seen[-1]
    app.selectbox(key="year").set_value(2021)
    rerun(app)
    seen.append(_legend(app))
    assert "Anteil Einwohner ab 65 Jahren 2021" in seen[-1]
    app.radio(key="explorer_level").set_value("sozialraum")
    rerun(app)
    seen.append(_legend(app))
    assert map_script(app).count('"area_id"') == 5, "five Sozialräume"
    assert len(_table(app)) == 5 and "Sozialraum" in _table(app).columns
    # five Sozialräume: honest classes (issue 11, item 4) – no choice of scheme, the legend says why
    assert app.selectbox(key="explorer_scheme").disabled
    assert "Nur 5 Gebiete mit Wert" in seen[-1]
    app.radio(key="explorer_level").set_value("gemeinde")
    rerun(app)
    app.selectbox(key="explorer_scheme").set_value("equal_interval")
    rerun(app)
    seen.append(_legend(app))
    assert "Klassen: gleiche Intervalle" in seen[-1]
    app.selectbox(key="explorer_scheme").set_value("fisher_jenks")
    rerun(app)
    seen.append(_legend(app))
    assert "Klassen: natürliche Unterbrechungen (Fisher-Jenks)" in seen[-1]
    app.select_slider(key="explorer_k").set_value(3)
    rerun(app)
    seen.append(_legend(app))
    # three class rows; the legend also states the spread ("Spannweite … bis …", issue 11 item 4)
    assert "3 Klassen" in seen[-1] and seen[-1].count("bis ") == 3 + seen[-1].count("Spannweite")
    assert len(set(seen)) == len(seen), "every switch redraws the legend"
    assert all(re.search(r"\d,\d bis \d+,\d", legend) for legend in seen), "German class bounds"


def test_levels_offered_are_those_with_values(app: AppTest):
    assert app.radio(key="explorer_level").options == ["Gemeinden", "Sozialräume", "Verbandsgemeinden"]


# --- table, small numbers, reference values ---------------------------------------------------------------------

def test_table_has_german_numbers_intervals_and_comparisons(app: AppTest):
    table = _table(app)
    assert list(table.columns) == ["Rang", "Gemeinde", "Wert (%)", "95-%-KI", "Vergleich mit Kreis", "Zähler", "Nenner", "Hinweis"]
    valued = table[table["Rang"].notna()]
    assert len(valued) == 58, "61 Gemeinden minus one locked and two suppressed"
    assert all(re.fullmatch(r"\d{1,2},\d", v) for v in valued["Wert (%)"]), valued["Wert (%)"].tolist()
    assert all(re.fullmatch(r"\d{1,2},\d – \d{1,2},\d", ci) for ci in valued["95-%-KI"])
    assert any(re.fullmatch(r"\d{1,3}(\.\d{3})+", n) for n in valued["Nenner"]), "thousands dot in the large denominators"
    assert set(valued["Vergleich mit Kreis"]) <= {"ähnlich", "höher", "niedriger"}, "neutral indicator: no better/worse"
    ranks = valued["Rang"].astype(int).tolist()
    assert ranks == sorted(ranks), "sorted by rank"


def test_suppressed_values_show_the_reason_never_a_number(app: AppTest, suppressed_names: list[str]):
    table = _table(app).set_index("Gemeinde")
    for name in suppressed_names:
        row = table.loc[name]
        assert row["Wert (%)"] == "wegen kleiner Fallzahl unterdrückt"
        assert SUPPRESSED_NOTE in row["Hinweis"]
        assert row["Zähler"] == "–" and row["Nenner"] == "–" and row["95-%-KI"] == "–"
        assert row["Vergleich mit Kreis"] == "nicht bewertet (kein Wert)"
        assert not re.search(r"\d", row["Wert (%)"] + row["Zähler"] + row["Nenner"])
    assert "wegen kleiner Fallzahl unterdrückt (2)" in _legend(app), "the map legend names the reason"
    captions = " ".join(c.value for c in app.caption)
    assert all(name in captions for name in suppressed_names), "the ranking says which areas it leaves out"


def test_land_value_is_shown_and_compared(app: AppTest):
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Kreis 2023"] == "5,6 %"
    assert metrics["Demoland 2023"] == "5,1 %"
    assert any("Kreis im Vergleich mit dem Land: höher" in c.value for c in app.caption)


def _panel(app: AppTest) -> str:
    """Both halves of the metadata box."""
    start = next(i for i, m in enumerate(app.markdown) if m.value.startswith("**Definition:**"))
    return "  \n".join(m.value for m in app.markdown[start : start + 2])


def test_metadata_panel_names_definition_polarity_source_licence_and_vintage(app: AppTest):
    panel = _panel(app)
    for part in (
        "**Einheit:** %", "**Bewertung:** Neutral", "**Quelle:**", "**Lizenz:** Demodaten, frei verwendbar",
        "**Datenstand:** 01.07.2024", "**Jahre mit Werten:** 2019–2023",
    ):  # fmt: skip
        assert part in panel, panel
    assert "Quote: Kinder unter 6 Jahren je 100 Einwohner insgesamt" in panel, "sums named by their derived count"


def test_metadata_uses_catalogue_licence_and_vintage_when_present_and_copes_without(ctx: Context):
    cat = queries.catalogue(ctx.db)
    no_sources = pd.DataFrame(columns=["kind", "table_code", "licence", "stand"])
    meta = cat.loc["anteil_u6"].copy()
    meta["licence"] = "dl-de/by-2-0"
    meta["vintage"] = "31.12.2019–31.12.2023"
    facts = indicator_metadata.metadata(meta, cat, no_sources)
    assert facts["Lizenz"] == "dl-de/by-2-0" and facts["Stichtage laut Katalog"] == "31.12.2019–31.12.2023"
    bare = cat.loc["anteil_u6"].drop(labels=["licence", "vintage"], errors="ignore")  # databases built before the fields
    facts = indicator_metadata.metadata(bare, cat, no_sources)
    assert facts["Lizenz"] == "nicht angegeben" and facts["Datenstand"] == "nicht angegeben"
    assert "Stichtage laut Katalog" not in facts
    sources = queries.all_sources(ctx.db)
    facts = indicator_metadata.metadata(meta, cat, sources[sources["source_id"] == "S03"])
    assert facts["Lizenz"] == "Demodaten, frei verwendbar", "the files of this build come first"


# --- figures (invisible to AppTest: built directly) ---------------------------------------------------------------

def test_ranking_figure_sorted_coloured_with_reference_lines(ctx: Context):
    view = explorer_view.build_view(ctx, "anteil_u6", 2023, "gemeinde")
    fig = indicator_figures.ranking_figure(view.frame, view.meta, view.kreis, view.land)
    assert fig.layout.separators == ",."
    bars = [t for t in fig.data if t.type == "bar"]
    assert {b.orientation for b in bars} == {"h"}
    assert sum(len(b.x) for b in bars) == 58, "61 Gemeinden minus one locked and two suppressed"
    order = list(fig.layout.yaxis.categoryarray)[::-1]  # top to bottom
    value_of = dict(zip(view.frame["area_id"], view.frame["value"]))
    values = [value_of[a] for a in order]
    assert values == sorted(values, reverse=True), "highest on top"
    colours = {b.name: b.marker.color for b in bars}
    assert all(colours[name] == comparison.COLOURS[cat] for cat, name in comparison.LABELS.items() if name in colours)
    assert "höher" in colours, "Musterstadt (1.602 von 25.819) lies significantly above the Kreis"
    lines = {round(s.x0, 3) for s in fig.layout.shapes}
    assert lines == {round(view.kreis.value, 3), LAND_VALUE}, "Kreis and Land as reference lines"
    legend_names = [t.name for t in fig.data if t.type == "scatter"]
    assert legend_names == ["Kreis: 5,6 %", "Land (Demoland): 5,1 %"]
    hover = " ".join(h for b in bars for h in b.hovertext)
    assert re.search(r"\d,\d %<br>95-%-KI: \d,\d – \d+,\d", hover), "hover texts formatted in German"
    assert all(b.error_x.array is not None for b in bars), "Wilson intervals as whiskers"


def test_long_units_go_into_headers_not_into_every_value(app: AppTest):
    app.selectbox(key="explorer_indicator").set_value("altenquotient")
    rerun(app)
    table = _table(app)
    assert "Wert" in table.columns, "a long unit would be cut off in the header"
    assert any(c.value == "Einheit der Werte: je 100 Personen von 20–64 J." for c in app.caption)
    assert all(re.fullmatch(r"\d{1,2},\d", v) for v in table.loc[table["Rang"].notna(), "Wert"])
    assert set(table["Vergleich mit Kreis"]) == {"nicht bewertet"}, "the reason is said once, beside the table"
    assert any("diese Kennzahl ist keiner" in c.value for c in app.caption)
    metrics = {m.label: m.value for m in app.metric}
    assert re.fullmatch(r"\d{2},\d", metrics["Kreis 2023"]), "no unit in the label (cut off); it is in the caption"
    assert any(c.value == "Einheit: je 100 Personen von 20–64 J." for c in app.caption)
    panel = _panel(app)
    assert "Einwohner ab 65 Jahren je 100 Einwohner von 20 bis unter 65 Jahren" in panel, "sums named by their derived count"


def test_ranking_of_a_count_has_no_reference_lines_and_is_not_assessed(ctx: Context):
    view = explorer_view.build_view(ctx, "bev_insgesamt", 2023, "gemeinde")
    fig = indicator_figures.ranking_figure(view.frame, view.meta, view.kreis, view.land)
    assert not fig.layout.shapes, "a Kreis total is no yardstick for a Gemeinde count"
    assert [t.name for t in fig.data] == ["nicht bewertet"]
    assert set(view.frame["comparison_text"]) == {"nicht bewertet (kein Anteil in %)"}
    assert re.search(r"\d{1,3}\.\d{3}", " ".join(fig.data[0].hovertext)), "thousands dot in hover"
    assert area_values.default_series_areas(ctx, view)[0] != KREIS, "no Kreis total among Gemeinde counts by default"


def test_timeseries_figure_defaults_to_kreis_and_top_three(ctx: Context):
    view = explorer_view.build_view(ctx, "anteil_u6", 2023, "gemeinde")
    series = queries.indicator_series(ctx.db, KREIS, "anteil_u6")
    land = queries.land_series(ctx.db, KREIS, "anteil_u6")
    chosen = area_values.default_series_areas(ctx, view)
    top = view.frame.sort_values("value", ascending=False)["area_id"].head(3).tolist()
    assert chosen == [KREIS, *top]
    names = area_values.series_options(ctx, view, land)
    assert names["99"] == "Demoland (Land)" and names[KREIS].endswith("(Kreis)")
    fig = indicator_figures.timeseries_figure(series, land, [*chosen, "99"], names, view.meta)
    assert [t.name for t in fig.data] == [names[a] for a in [*chosen, "99"]]
    assert list(fig.data[0].x) == [2019, 2020, 2021, 2022, 2023]
    assert fig.layout.separators == ",." and fig.layout.yaxis.tickformat == ",.1f"
    assert fig.data[0].line.width > fig.data[1].line.width, "the Kreis stands out"
    assert re.search(r"2023: \d,\d %", " ".join(fig.data[1].hovertext))


def test_timeseries_leaves_gaps_for_missing_values(ctx: Context, suppressed_names: list[str]):
    view = explorer_view.build_view(ctx, "anteil_u6", 2023, "gemeinde")
    area = view.frame.loc[view.frame["name"] == suppressed_names[0], "area_id"].iloc[0]
    series = queries.indicator_series(ctx.db, KREIS, "anteil_u6")
    fig = indicator_figures.timeseries_figure(series, queries.land_series(ctx.db, KREIS, "anteil_u6"), [area], {area: "X"}, view.meta)
    assert fig.data[0].y[-1] is None and fig.data[0].y[0] is not None
    assert fig.data[0].hovertext[-1] == "X 2023: wegen kleiner Fallzahl unterdrückt"


def test_years_and_levels_come_from_values_not_rows():
    series = pd.DataFrame(
        {
            "area_id": ["A", "B", "JH1", "JH2", "K", "S1", "A"],
            "level": ["gemeinde", "gemeinde", "jugendamt", "jugendamt", "kreis", "sozialraum", "gemeinde"],
            "year": [2022, 2022, 2022, 2022, 2021, 2021, 2020],
            "value": [1.0, None, 3.0, 4.0, 5.0, None, None],
            "status": ["ok", "suppressed", "ok", "ok", "ok", "incomplete", "locked"],
        }
    )
    assert indicators.years_with_values(series) == [2022], "2021 has a value only for the Kreis, 2020 none at all"
    assert indicators.levels_with_values(series, 2022) == ["gemeinde", "jugendamt"]
    assert indicators.level_label("jugendamt") == "Jugendamtsbezirke"
    assert indicators.choose_year([2022, 2019], 2019) == 2019
    assert indicators.choose_year([2022, 2019], 2016) == 2022, "latest year with values"
    assert indicators.default_level(["sozialraum", "jugendamt"]) == "sozialraum"


def test_summary_and_hover_escape_nothing_dangerous(ctx: Context):
    view = explorer_view.build_view(ctx, "anteil_u6", 2023, "gemeinde")
    summary = indicator_figures.summary_html(view.frame)
    assert "ähnlich" in summary and "höher" in summary and comparison.COLOURS["similar"] in summary
    frame = view.frame.copy()
    frame.loc[frame.index[0], "name"] = "<script>alert(1)</script>"
    fig = indicator_figures.ranking_figure(frame, view.meta, view.kreis, view.land)
    hover = " ".join(h for t in fig.data if t.type == "bar" for h in t.hovertext)
    assert "<script>" not in hover and "&lt;script&gt;" in hover
