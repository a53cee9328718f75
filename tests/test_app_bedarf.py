"""The Bedarf & Versorgung page with Streamlit's AppTest on the demo database: default view, ranked gaps with
reasons, switches of level, view, social weight and supply measure, and a category without any offer.

The expected scores are computed here from the database with SQL, independently of planning.gaps. The need/supply
chart is a plotly figure, invisible to AppTest: its figure function is tested on the same view."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import gap_view
from planning import coverage_dimensions, gaps
from reports import coverage_tables
from etl.db import connect
from page_helpers import DEMO_KREIS as KREIS
from page_helpers import DEMO_KREIS_NAME as KREIS_NAME
from page_helpers import demo_context, open_page, rerun
from test_offer_capture import senior_list_missing

PAGE = "pages/bedarf_versorgung.py"


@pytest.fixture
def app(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(demo_db.parent, monkeypatch, PAGE)


def _ranking(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def _number(text: str) -> float:
    return float(text.replace(".", "").replace(",", ".").rstrip(" %"))


def _expected_scores(demo_db: Path, level: str, social: str | None) -> pd.DataFrame:
    """target × max(0, 1 − per 1,000 / Kreis per 1,000) × clip(social / Kreis social, 0,5, 2), gaps only, from SQL."""
    weight = "1.0"
    joins = ""
    if social:
        joins = f"""LEFT JOIN observations s ON s.area_id = c.area_id AND s.indicator_id = '{social}' AND s.year = 2023
                    JOIN observations ks ON ks.area_id = '{KREIS}' AND ks.indicator_id = '{social}' AND ks.year = 2023"""
        # DuckDB's greatest() skips NULLs: an area without a value (e.g. suppressed) needs its own case
        weight = "CASE WHEN s.value IS NULL THEN 1.0 ELSE least(greatest(s.value / ks.value, 0.5), 2.0) END"
    with connect(demo_db, read_only=True) as con:
        return con.execute(
            f"""
            SELECT a.name, c.category,
                   c.target_population * greatest(0, 1 - coalesce(c.offers_per_1000, 0) / k.offers_per_1000) * {weight} AS score
            FROM coverage c JOIN areas a USING (area_id)
            JOIN coverage k ON k.area_id = '{KREIS}' AND k.dimension = c.dimension AND k.category = c.category
            {joins}
            WHERE a.kreis_id = '{KREIS}' AND a.level = ? AND c.dimension = 'lebensphase' AND k.offers > 0
            """,
            [level],
        ).df().query("score > 0").sort_values(["score", "name"], ascending=[False, True]).reset_index(drop=True)


def test_default_view_ranks_gaps_of_sozialraeume_weighted_by_sgb2(app: AppTest, demo_db: Path):
    assert app.title[0].value == f"Bedarf & Versorgung {KREIS_NAME}"
    assert app.radio(key="gap_level").value == "sozialraum"
    assert app.radio(key="gap_dimension").value == "lebensphase"
    assert app.selectbox(key="gap_social").value == "sgb2_quote", "no child poverty below Kreis level in the demo: SGB II"
    table = _ranking(app)
    expected = _expected_scores(demo_db, "sozialraum", "sgb2_quote")
    assert table["Rang"].tolist() == list(range(1, len(expected) + 1))
    assert table["Sozialraum"].tolist() == expected["name"].tolist()
    scores = [_number(s) for s in table["Rangpunkte"]]
    assert scores == sorted(scores, reverse=True)
    assert scores == pytest.approx(expected["score"].round().tolist(), abs=0.5)
    assert table["Begründung"].str.contains("Zielgruppe").all() and table["Begründung"].str.contains("SGB-II-Quote").all()
    top = " ".join(m.value for m in app.markdown if m.value.startswith("**1. "))
    assert top.startswith(f"**1. {table.loc[0, 'Sozialraum']} · {table.loc[0, 'Lebensphase']}**"), "the list above the table"
    assert table.loc[0, "Begründung"].replace("\\", "") in top.replace("\\", "")
    explanation = " ".join(m.value for m in app.markdown if "**Rangpunkte** = Zielgruppe × Lücke × Sozialfaktor" in m.value)
    assert "SGB-II-Quote des Gebiets ÷ Kreiswert (2023)" in explanation, "how the rank is made is on the page"
    assert "Rangpunkte)" in top and "Score" not in top, "the points carry their name, not 'Score'"
    captions = " ".join(c.value for c in app.caption)
    assert "Lücken, die größte zuerst (Rangpunkte = Zielgruppe × Lücke × Sozialfaktor)" in captions
    assert "Waagerecht: SGB-II-Quote (2023)" in captions
    years = next(c.value for c in app.caption if c.value.startswith("Jahre in diesem Bild:"))
    assert "SGB-II-Quote 2023" in years and "Zielgruppen: Bevölkerung am 31.12.2023" in years and "Angebote: Stand 31.12.2023" in years


def test_without_social_weight_the_score_is_target_times_gap(app: AppTest, demo_db: Path):
    app.selectbox(key="gap_social").set_value(gaps.NO_SOCIAL)
    rerun(app)
    table = _ranking(app)
    assert "Sozialfaktor" not in table.columns
    expected = _expected_scores(demo_db, "sozialraum", None)
    assert table["Sozialraum"].tolist() == expected["name"].tolist()
    assert [_number(s) for s in table["Rangpunkte"]] == pytest.approx(expected["score"].round().tolist(), abs=0.5)
    assert not table["Begründung"].str.contains("SGB-II").any()


def test_gemeinden_and_a_category_filter(app: AppTest, demo_db: Path):
    app.radio(key="gap_level").set_value("gemeinde")
    rerun(app)
    table = _ranking(app)
    assert "Gemeinde" in table.columns and len(table) > 50
    app.multiselect(key="gap_filter_lebensphase").set_value(["0-3"])
    rerun(app)
    only = _ranking(app)
    assert set(only["Lebensphase"]) == {"0 bis 3 Jahre"}
    assert only["Rang"].is_monotonic_increasing and only["Rang"].iloc[0] >= 1, "ranks stay those of the whole list"
    expected = _expected_scores(demo_db, "gemeinde", "sgb2_quote").query("category == '0-3'")
    assert only["Gemeinde"].tolist() == expected["name"].tolist()


def test_angebotsarten_add_distance_and_the_versorgungsquote(app: AppTest):
    app.radio(key="gap_dimension").set_value("angebotsart")
    rerun(app)
    assert app.slider(key="gap_distance").value == coverage_dimensions.DEFAULT_DISTANCE_KM
    table = _ranking(app)
    assert "Erreichbarkeitslücke" in table.columns
    assert table["Begründung"].str.contains("der Zielgruppe im Umkreis von 5 km").all()
    app.selectbox(key="gap_measure").set_value("capacity_per_100")
    rerun(app)
    kita = _ranking(app).query("Angebotsart == 'Kindertageseinrichtung (Kita)'")
    assert kita["Begründung"].str.contains("Plätze je 100|kein Angebot", regex=True).all()


def test_a_phase_without_any_offer_is_named_not_ranked(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    copy = tmp_path / "demo_musterland.duckdb"
    shutil.copy(demo_db, copy)
    with connect(copy) as con:
        con.execute("UPDATE coverage SET offers = 0, offers_per_1000 = 0, capacity = NULL WHERE category = '65plus'")
    at = open_page(tmp_path, monkeypatch, PAGE)
    table = _ranking(at)
    assert "65 Jahre und älter" not in set(table["Lebensphase"])
    assert any("Ohne ein einziges Angebot im ganzen Kreis" in i.value and "65 Jahre und älter" in i.value for i in at.info)


def test_chart_of_the_page_view(demo_db: Path):
    ctx = demo_context(demo_db)
    view = gaps.build_view(ctx, "sozialraum", "lebensphase", social_id="sgb2_quote")
    fig = gap_view.need_supply_figure(view, "0-3")
    names = [n for t in fig.data if t.mode != "lines" for n in t.text]
    assert len(names) == 5, "one point per Sozialraum"
    assert fig.layout.xaxis.title.text == "SGB-II-Quote 2023 (%)"
    assert any(t.name.startswith("Kreis: ") for t in fig.data if t.mode == "lines")


def test_a_link_restores_the_view(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(demo_db.parent, monkeypatch, PAGE, {"sicht": "angebotsart", "sozial": gaps.NO_SOCIAL, "km": "10", "nur": "kita"})
    assert at.radio(key="gap_dimension").value == "angebotsart"
    assert at.selectbox(key="gap_social").value == gaps.NO_SOCIAL
    assert at.slider(key="gap_distance").value == 10
    table = _ranking(at)
    assert set(table["Angebotsart"]) == {"Kindertageseinrichtung (Kita)"} and "Sozialfaktor" not in table.columns
    assert table["Begründung"].str.contains("im Umkreis von 10 km").all()
    unknown = open_page(demo_db.parent, monkeypatch, PAGE, {"sozial": "gibt_es_nicht"})
    assert unknown.selectbox(key="gap_social").value == "sgb2_quote"
    assert any("Aus dem Link nicht übernommen: sozial=gibt_es_nicht" in w.value for w in unknown.warning)


def test_gap_list_download_carries_scores_and_reasons(app: AppTest, demo_db: Path):
    assert {"Excel (.xlsx)", "CSV (Semikolon, Dezimalkomma)"} <= {b.proto.label for b in app.get("download_button")}
    ctx = demo_context(demo_db)
    view = gaps.build_view(ctx, "sozialraum", "lebensphase", social_id="sgb2_quote")
    export = coverage_tables.gaps_export(ctx, view)
    lines = coverage_tables.csv_bytes(export).decode("utf-8-sig").splitlines()
    assert any(line.startswith("Rangfolge;") and "Rangpunkte = Zielgruppe × Lücke × Sozialfaktor" in line for line in lines)
    start = next(i for i, line in enumerate(lines) if line.startswith("Rang;"))
    table = pd.read_csv(io.StringIO("\n".join(lines[start:])), sep=";", decimal=",")
    expected = _expected_scores(demo_db, "sozialraum", "sgb2_quote")
    assert table["Rangpunkte"].tolist() == pytest.approx(expected["score"].tolist(), rel=1e-9)
    assert table["Begründung"].tolist() == view.ranked["reason"].tolist()
    sheet = openpyxl.load_workbook(io.BytesIO(coverage_tables.xlsx_bytes(export)))["Daten"]
    head = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "Rang")
    assert "Sozialfaktor" in head and "Erreichbarkeitslücke" not in head


def test_a_category_no_list_captures_is_named_not_ranked_and_not_charted(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    senior_list_missing(demo_db, tmp_path / "demo_musterland.duckdb")
    at = open_page(tmp_path, monkeypatch, PAGE)
    assert "65 Jahre und älter" not in set(_ranking(at)["Lebensphase"])
    left_out = next(i.value for i in at.info if "Nicht erfasst und darum nicht gerankt" in i.value)
    assert "65 Jahre und älter" in left_out and "docs/OFFERS.md" in left_out
    assert not any("Ohne ein einziges Angebot" in i.value for i in at.info), "not a county-wide gap: nothing is known"
    picker = at.selectbox(key="gap_category_lebensphase")
    assert "65 Jahre und älter (nicht erfasst)" in picker.options and picker.value != "65plus"
    assert at.get("plotly_chart")
    picker.set_value("65plus")
    rerun(at)
    assert not at.get("plotly_chart"), "no need/supply chart for what is not captured"
    assert any(i.value.startswith("„65 Jahre und älter“ ist nicht erfasst") for i in at.info)
