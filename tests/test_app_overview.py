"""Page logic of the overview map with Streamlit's AppTest (no browser): widgets, map payload, detail panel."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from page_helpers import map_script

from etl.db import connect

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


@pytest.fixture
def app(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(demo_db.parent))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _demo_area(demo_db: Path, level: str) -> tuple[str, str]:
    with connect(demo_db, read_only=True) as con:
        return con.execute("SELECT area_id, name FROM areas WHERE level = ? ORDER BY area_id LIMIT 1 OFFSET 1", [level]).fetchone()


def _click(app: AppTest, area_id: str) -> None:
    """What the browser does when a GeoJSON feature is clicked: streamlit-folium keys its component by a hash
    of the map script (the part after the widget-id prefix) and returns the clicked feature."""
    component_key = app.get("component_instance")[0].proto.id.split("-", 2)[-1]
    app.session_state[component_key] = {"last_active_drawing": {"properties": {"area_id": area_id}}}
    app.run()
    assert not app.exception


def test_opens_on_demo_county_map_with_latest_full_year(app: AppTest):
    assert app.title[0].value == "Übersichtskarte Landkreis Musterland (Demodaten)"
    assert any("Demodaten" in w.value for w in app.warning), "demo data is labelled as such"
    assert app.selectbox(key="year").value == 2023
    assert app.selectbox(key="indicator").value == "anteil_u6"
    args = json.loads(app.get("component_instance")[0].proto.json_args)
    assert args["js_links"] == ["/app/static/vendor/leaflet/leaflet.js"], "Leaflet served by the app, no CDN"
    assert args["css_links"] == ["/app/static/vendor/leaflet/leaflet.css"]
    assert map_script(app).count('"area_id"') >= 61, "every Gemeinde of the demo county is drawn"


def test_map_carries_legend_attribution_and_german_numbers(app: AppTest):
    script = map_script(app)
    assert "pa-legend" in script
    assert "Demodaten Planungsatlas Familie (Geometrie erfunden)" in script, "boundary attribution in the map"
    assert re.search(r"\d,\d bis \d,\d", script), "class bounds with decimal comma"
    assert "cdn." not in script and "unpkg" not in script, "no CDN in the map body"


def test_switching_level_and_indicator_redraws(app: AppTest):
    app.radio(key="level").set_value("sozialraum").run()
    assert not app.exception
    script = map_script(app)
    assert script.count('"area_id"') == 5, "five Sozialräume"
    app.selectbox(key="indicator").set_value("altenquotient").run()
    assert "Altenquotient 2023" in map_script(app)


def test_year_without_age_groups_offers_only_totals(app: AppTest):
    app.selectbox(key="year").set_value(2016).run()
    assert not app.exception
    options = app.selectbox(key="indicator").options
    assert any("Einwohner insgesamt" in o for o in options)
    assert not any("unter 6" in o for o in options), f"no age groups in 2016 in the demo data: {options}"


def test_click_on_gemeinde_shows_its_figures(app: AppTest, demo_db: Path):
    area_id, name = _demo_area(demo_db, "gemeinde")
    _click(app, area_id)
    assert name in [h.value for h in app.subheader]
    table = app.dataframe[0].value
    assert "Einwohner insgesamt" in set(table["Kennzahl"])
    total = table.loc[table["Kennzahl"] == "Einwohner insgesamt", name].iloc[0]
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*", total), f"German thousands separator: {total}"
    assert any("Sozialraum" in m.value for m in app.markdown)


def test_click_on_sozialraum_lists_its_gemeinden(app: AppTest, demo_db: Path):
    app.radio(key="level").set_value("sozialraum").run()
    area_id, name = _demo_area(demo_db, "sozialraum")
    with connect(demo_db, read_only=True) as con:
        (members,) = con.execute("SELECT count(*) FROM areas WHERE sozialraum_id = ?", [area_id]).fetchone()
    _click(app, area_id)
    assert name in [h.value for h in app.subheader]
    assert any(f"{members} Gemeinden" in m.value for m in app.markdown)


def test_map_and_tables_are_offered_for_download_with_telling_names(app: AppTest, demo_db: Path):
    from reports import render, tables

    kreis = "landkreis-musterland-demodaten"
    names = [b.proto.help for b in app.get("download_button")]
    assert names == [f"anteil-u6_gemeinde_2023_{kreis}_karte.{ext}" for ext in ("png", "svg", "pdf")] + [
        f"anteil-u6_gemeinde_2023_{kreis}.{ext}" for ext in ("xlsx", "csv")
    ], "the map as image and its table, bytes made on click"

    area_id, name = _demo_area(demo_db, "gemeinde")
    _click(app, area_id)
    names = [b.proto.help for b in app.get("download_button")]
    assert f"kennzahlen_gemeinde_{render.slug(name)}_2023_{kreis}.csv" in names, "the detail table of the clicked area"

    detail = tables.read_csv_table(tables.csv_bytes(tables.area_table(demo_db, area_id, 2023))).set_index("Kennung")
    with connect(demo_db, read_only=True) as con:
        own, kreis_value = (con.execute(
            "SELECT value FROM observations WHERE indicator_id = 'bev_insgesamt' AND year = 2023 AND area_id = ?", [a]
        ).fetchone()[0] for a in (area_id, "99001"))  # fmt: skip
    assert (detail.loc["bev_insgesamt", "Wert"], detail.loc["bev_insgesamt", "Kreis"]) == (own, kreis_value)
    shown = app.dataframe[0].value
    assert len(detail) == len(shown), "the download has the rows of the detail panel"


# --- readable, honest maps and presentation mode (issue 11, items 3, 4, 9) -------------------------------------------


def test_names_are_on_the_map_and_can_be_switched_off(app: AppTest):
    assert app.toggle(key="names").value is True
    assert "pa-labels" in map_script(app) and "Musterstadt" in map_script(app)
    app.toggle(key="names").set_value(False).run()
    assert not app.exception and "pa-labels" not in map_script(app)


def test_five_sozialraeume_are_not_drawn_in_quantiles(app: AppTest):
    app.radio(key="level").set_value("sozialraum").run()
    script = map_script(app)
    assert "Klassen: Quantile" not in script, "five areas: the map rule replaces quantiles"
    assert "Kreiswert" in script or "Stufen von" in script
    assert "Spannweite" in script, "the legend states the spread"


def test_a_count_is_drawn_as_circles_not_as_colours(app: AppTest):
    app.selectbox(key="indicator").set_value("bev_insgesamt").run()
    script = map_script(app)
    assert not app.exception
    assert "pa-symbols" in script and "L.circleMarker" in script and "Symbole statt Farben" in script
    assert "Klassen:" not in script


def test_presentation_mode_has_a_headline_folds_the_controls_and_enlarges_the_legend(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(demo_db.parent))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["praesentation"] = "1"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Anteil Kinder unter 6 Jahren · Gemeinden · 2023"
    assert "Landkreis Musterland (Demodaten)" in [c.value for c in at.caption]
    settings = at.expander[0]
    assert settings.label == "Einstellungen"
    assert settings.radio(key="level") is not None and settings.selectbox(key="indicator") is not None
    assert settings.toggle(key="names") is not None, "the switches are folded away too"
    assert "font:18px" in map_script(at)
