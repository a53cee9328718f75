"""The Angebotskarte with Streamlit's AppTest (no browser): filters, metric and level, area detail, import report.

Expected numbers come from SQL on the demo database, not from the page's own code. The offers reach the browser
as one JSON array inside the map script (``OfferClusters``); the tests read it back from there.
"""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from page_helpers import map_script, rerun

from etl.db import connect

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PAGE = "pages/angebotskarte.py"
KREIS_NAME = "Landkreis Musterland (Demodaten)"
XSS_NAME = "<img src=x onerror=alert(1)>"


def _sql(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with connect(db, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _start(db_dir: Path, monkeypatch: pytest.MonkeyPatch, query: dict[str, str] | None = None) -> AppTest:
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(db_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return rerun(at)


@pytest.fixture
def app(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return _start(demo_db.parent, monkeypatch)


def _legends(at: AppTest) -> str:
    """The legend boxes' HTML as the browser gets it (JSON-encoded in the map script)."""
    boxes = re.findall(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', map_script(at))
    assert boxes, "legend controls in the map script"
    return "\n".join(json.loads(box) for box in boxes)


def _offer_data(at: AppTest) -> dict:
    """The offers as the browser gets them (the JSON array literal inside the cluster script)."""
    match = re.search(r"var data = (\[.*?\]);\n", map_script(at))
    assert match, "offer data in the map script"
    return dict(zip(("types", "traeger", "gemeinden", "rows"), json.loads(match.group(1))))


def _offer_names(at: AppTest) -> list[str]:
    return sorted(row[3] for row in _offer_data(at)["rows"])


def _tab(at: AppTest, prefix: str):
    return next(t for t in at.tabs if t.label.startswith(prefix))


def _click(at: AppTest, area_id: str) -> None:
    """A click on a polygon as streamlit-folium reports it (see tests/test_app_overview.py)."""
    component_key = at.get("component_instance")[0].proto.id.split("-", 2)[-1]
    at.session_state[component_key] = {"last_active_drawing": {"properties": {"area_id": area_id}}}
    rerun(at)


# --- default view ------------------------------------------------------------------------------------------------


def test_default_view_shows_every_offer_over_kita_coverage(app: AppTest, demo_db: Path):
    assert app.title[0].value == f"Angebotskarte {KREIS_NAME}"
    assert any("Demodaten" in w.value for w in app.warning), "demo data is labelled as such"
    assert app.radio(key="offers_level").value == "gemeinde"
    assert app.selectbox(key="offers_category").value == "angebotsart:kita"
    assert app.selectbox(key="offers_metric").value == "offers_per_1000"
    ((total,),) = _sql(demo_db, "SELECT count(*) FROM offers")
    assert len(_offer_data(app)["rows"]) == total
    assert _tab(app, "Angebote").label == f"Angebote ({total})"
    assert len(_tab(app, "Angebote").dataframe[0].value) == total
    script = map_script(app)
    assert script.count('"area_id"') >= 61, "every Gemeinde drawn"
    assert "Angebote je 1.000 der Zielgruppe: Kindertageseinrichtung (Kita)" in _legends(app), "legend: metric and category"
    assert f"Angebote ({total})" in _legends(app), "legend of the points"


def test_map_is_served_locally_escaped_and_attributed(app: AppTest):
    args = json.loads(app.get("component_instance")[0].proto.json_args)
    assert args["js_links"] == [
        "/app/static/vendor/leaflet/leaflet.js",
        "/app/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
    ], "Leaflet and markercluster from the app, no CDN"
    assert all(link.startswith("/app/static/vendor/") for link in args["css_links"])
    script = args["script"]
    assert "cdnjs" not in script and "unpkg" not in script and "https://" not in script.replace("https://www.openstreetmap", "")
    assert XSS_NAME in _offer_names(app), "the demo list's HTML name is on the map"
    assert "<img" not in script, "HTML in offer names never appears unescaped in the script"
    assert "Demodaten Planungsatlas Familie (Geometrie erfunden)" in script and "Stand 31.12.2023" in script
    captions = " ".join(c.value for c in app.caption)
    assert "Angebote: Demodaten (erfundene Angebote), Stand 31.12.2023" in captions
    assert "Wohnorte: Gemeindebevölkerung" in captions, "the caption says which population basis the distances use"


# --- filters ------------------------------------------------------------------------------------------------------


def test_each_filter_narrows_the_offers(app: AppTest, demo_db: Path):
    ((total,),) = _sql(demo_db, "SELECT count(*) FROM offers")
    ((kitas,),) = _sql(demo_db, "SELECT count(*) FROM offers WHERE offer_type = 'kita'")
    ((seniors,),) = _sql(
        demo_db, "SELECT count(*) FROM offers JOIN offer_types USING (offer_type) WHERE list_contains(lebensphasen, '65plus')"
    )
    ((education,),) = _sql(
        demo_db, "SELECT count(*) FROM offers JOIN offer_types USING (offer_type) WHERE handlungsfeld = 'Bildung und Erziehung'"
    )
    ((traeger, of_traeger),) = _sql(
        demo_db, "SELECT traeger, count(*) FROM offers WHERE traeger IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
    )
    for key, value, expected in [
        ("offers_types", ["kita"], kitas),
        ("offers_phases", ["65plus"], seniors),
        ("offers_fields", ["Bildung und Erziehung"], education),
        ("offers_traeger", [traeger], of_traeger),
    ]:
        app.multiselect(key=key).set_value(value)
        rerun(app)
        assert 0 < expected < total
        assert len(_offer_data(app)["rows"]) == expected, key
        assert len(_tab(app, "Angebote").dataframe[0].value) == expected, key
        assert any("(gefiltert)" in c.value for c in app.caption)
        app.multiselect(key=key).set_value([])
        rerun(app)
        assert len(_offer_data(app)["rows"]) == total


def test_filters_combine(app: AppTest, demo_db: Path):
    ((expected,),) = _sql(
        demo_db,
        """SELECT count(*) FROM offers JOIN offer_types USING (offer_type)
           WHERE handlungsfeld = 'Familie und Arbeitswelt/Betreuung' AND list_contains(lebensphasen, '3-6')""",
    )
    app.multiselect(key="offers_fields").set_value(["Familie und Arbeitswelt/Betreuung"])
    app.multiselect(key="offers_phases").set_value(["3-6"])
    rerun(app)
    table = _tab(app, "Angebote").dataframe[0].value
    assert len(table) == expected and set(table["Angebotsart"]) == {"Kindertageseinrichtung (Kita)"}


def test_filter_options_count_offers_in_german(app: AppTest, demo_db: Path):
    ((kitas,),) = _sql(demo_db, "SELECT count(*) FROM offers WHERE offer_type = 'kita'")
    assert f"Kindertageseinrichtung (Kita) ({kitas})" in app.multiselect(key="offers_types").options


# --- metric, category and level ------------------------------------------------------------------------------------


def test_level_metric_and_category_switch_redraws(app: AppTest):
    app.radio(key="offers_level").set_value("sozialraum")
    rerun(app)
    assert map_script(app).count('"area_id"') == 5, "five Sozialräume"
    app.selectbox(key="offers_metric").set_value("mean_distance_km")
    rerun(app)
    legends = _legends(app)
    assert "Mittlere Entfernung zum nächsten Angebot: Kindertageseinrichtung (Kita)" in legends
    assert re.search(r"\d,\d bis \d,\d", legends), "German class bounds"
    app.selectbox(key="offers_metric").set_value("share_within")
    app.select_slider(key="offers_distance").set_value(5000)
    rerun(app)
    assert "Anteil der Zielgruppe im Umkreis von 5 km" in _legends(app)


def test_lebensphase_offers_no_distance_metrics(app: AppTest):
    app.selectbox(key="offers_metric").set_value("mean_distance_km")
    rerun(app)
    app.selectbox(key="offers_category").set_value("lebensphase:65plus")
    rerun(app)
    metric = app.selectbox(key="offers_metric")
    assert metric.value == "offers_per_1000", "a distance metric falls back when the category has none"
    assert "mean_distance_km" not in metric.options and "share_within" not in metric.options
    assert "Angebote je 1.000 der Zielgruppe: 65 Jahre und älter" in _legends(app)


def test_versorgungsquote_of_an_area_without_kita_is_zero_not_missing(app: AppTest, demo_db: Path):
    app.selectbox(key="offers_metric").set_value("capacity_per_100")
    rerun(app)
    empty = _sql(
        demo_db,
        """SELECT c.area_id FROM coverage c JOIN areas a USING (area_id)
           WHERE a.level = 'gemeinde' AND c.category = 'kita' AND c.offers = 0 AND c.target_population > 0""",
    )
    assert empty, "the demo county has Gemeinden without a Kita"
    legends = _legends(app)
    assert "Versorgungsquote (Plätze je 100 der Zielgruppe): Kindertageseinrichtung (Kita)" in legends
    assert "Kapazität nicht angegeben" not in legends and re.search(r"\b0,0 bis", legends), "the gaps are a class from 0"


# --- area detail --------------------------------------------------------------------------------------------------


def test_click_on_gemeinde_shows_its_coverage_and_offers(app: AppTest, demo_db: Path):
    area_id, name, kitas, in_area = _sql(
        demo_db,
        """SELECT a.area_id, a.name, c.offers, (SELECT count(*) FROM offers o WHERE o.gemeinde_id = a.area_id)
           FROM areas a JOIN coverage c ON c.area_id = a.area_id AND c.dimension = 'angebotsart' AND c.category = 'kita'
           WHERE a.level = 'gemeinde' AND c.offers >= 2 ORDER BY a.area_id LIMIT 1""",
    )[0]
    assert app.subheader[0].value == f"{KREIS_NAME} insgesamt", "without a click: the Kreis"
    _click(app, area_id)
    assert app.subheader[0].value == name
    coverage = app.dataframe[0].value
    assert len(coverage) == 18, "one row per Angebotsart of the taxonomy"
    kita = coverage[coverage["Angebotsart"] == "Kindertageseinrichtung (Kita)"].iloc[0]
    assert kita["Angebote"] == str(kitas)
    assert re.fullmatch(r"\d+,\d", kita["Ø Entfernung (km)"]), "German decimal comma"
    assert "Anteil ≤ 2 km (%)" in coverage.columns
    assert len(app.dataframe[1].value) == in_area, "the Gemeinde's offers"
    # the selection is outlined on the map
    assert app.get("component_instance")[0].proto.json_args.count("#d7301f") >= 1

    app.button(key="offers_clear").click()
    rerun(app)
    assert app.subheader[0].value == f"{KREIS_NAME} insgesamt", "'Auswahl aufheben' returns to the Kreis"


def test_click_on_sozialraum_lists_offers_of_its_gemeinden(app: AppTest, demo_db: Path):
    app.radio(key="offers_level").set_value("sozialraum")
    rerun(app)
    area_id, name, in_area = _sql(
        demo_db,
        """SELECT s.area_id, s.name, count(o.offer_id) FROM areas s JOIN areas g ON g.sozialraum_id = s.area_id
           JOIN offers o ON o.gemeinde_id = g.area_id WHERE s.level = 'sozialraum' GROUP BY ALL ORDER BY 1 LIMIT 1""",
    )[0]
    _click(app, area_id)
    assert app.subheader[0].value == name
    assert len(app.dataframe[1].value) == in_area
    app.multiselect(key="offers_types").set_value(["kita"])
    rerun(app)
    ((kitas,),) = _sql(
        demo_db,
        "SELECT count(*) FROM offers o JOIN areas g ON g.area_id = o.gemeinde_id WHERE g.sozialraum_id = ? AND o.offer_type = 'kita'",
        [area_id],
    )
    assert len(app.dataframe[1].value) == kitas, "the area's list follows the filters"


# --- import report ------------------------------------------------------------------------------------------------


def test_import_report_shows_rows_counts_and_csv(app: AppTest, demo_db: Path):
    rows = _sql(demo_db, "SELECT action, count(*) FROM import_report GROUP BY 1")
    total = sum(n for _, n in rows)
    tab = _tab(app, "Importbericht")
    assert tab.label == f"Importbericht ({total})"
    metrics = {m.label: m.value for m in tab.metric}
    assert metrics == {action: str(n) for action, n in rows}, "a count per action"
    table = tab.dataframe[0].value
    assert list(table.columns) == ["Datei", "Stand", "Zeile", "Spalte", "Problem", "Ergebnis"]
    assert len(table) == total
    assert table["Problem"].str.contains("außerhalb des Kreises").any()
    assert table["Problem"].str.contains("widerspricht der Lage").any()
    assert table["Problem"].str.contains("Dublette").any()
    assert table["Problem"].str.contains("unbekannte Angebotsart").any()
    assert len(tab.get("download_button")) == 1


def test_import_report_csv_is_german_and_complete(demo_db: Path):
    from reports import offer_exports

    report = pd.DataFrame(
        _sql(demo_db, "SELECT s.file, s.stand, r.row, r.source_column, r.problem, r.action FROM import_report r JOIN sources s USING (source_id)"),
        columns=["file", "stand", "row", "source_column", "problem", "action"],
    )
    raw = offer_exports.import_report_csv(report, KREIS_NAME)
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == f"Importbericht der Angebotslisten – {KREIS_NAME}"
    table = pd.read_csv(io.StringIO(text), sep=";", skiprows=2)
    assert len(table) == len(report) and table["Stand"].iloc[0] == "31.12.2023"
    assert set(table["Ergebnis"]) == set(report["action"])


# --- link ---------------------------------------------------------------------------------------------------------


def test_a_link_restores_level_category_filters_and_area(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    ((area_id, name),) = _sql(demo_db, "SELECT area_id, name FROM areas WHERE level = 'sozialraum' ORDER BY 1 LIMIT 1")
    ((kitas,),) = _sql(demo_db, "SELECT count(*) FROM offers WHERE offer_type = 'kita'")
    at = _start(
        demo_db.parent, monkeypatch,
        {"ebene": "sozialraum", "versorgung": "lebensphase:3-6", "arten": "kita", "gebiet": area_id, "umkreis": "5000"},
    )  # fmt: skip
    assert at.radio(key="offers_level").value == "sozialraum"
    assert at.selectbox(key="offers_category").value == "lebensphase:3-6"
    assert at.select_slider(key="offers_distance").value == 5000
    assert len(_offer_data(at)["rows"]) == kitas
    assert at.subheader[0].value == name


# --- downloads ------------------------------------------------------------------------------------------------------


def test_download_panel_offers_map_and_tables(app: AppTest, demo_db: Path):
    from dashboard import offer_map
    from planning import offers as offer_rules
    from planning import queries
    from planning.context import Context
    from reports import offer_exports

    labels = [b.proto.label for b in app.get("download_button")]
    assert {"PNG (Bild)", "SVG (Vektor)", "PDF (Vektor)"} <= set(labels)
    assert any(label.startswith("Angebote (") for label in labels) and "Versorgung der Gemeinden" in labels
    assert "Importbericht als CSV" in labels
    # what the buttons make on a click (deferred), from the same functions
    db = queries.Database(str(demo_db), demo_db.stat().st_mtime)
    ctx = Context(db, "99001", KREIS_NAME, 2023, True)
    offers = queries.offers(db, "99001")
    view = offer_map.build_view(ctx, "gemeinde", "angebotsart:kita", "offers_per_1000", 2000, offers)
    figure = offer_map.map_export(ctx, view, "gemeinde", offers).make()
    footer = " ".join(a.text for a in figure.layout.annotations)
    assert "Angebotsliste Planungsatlas" in footer and "Geometrie erfunden" in footer and "12411-02-03-5" in footer
    table = offer_exports.level_export(view, "gemeinde", 2000)
    assert len(table) == 61 and "Anteil ≤ 2 km (%)" in table.columns
    csv_text = offer_exports.german_csv("Angebote", offer_exports.export_header(ctx, view, offer_rules.OfferFilter(types=("kita",))),
                                        offer_exports.offers_export(offers)).decode("utf-8-sig")  # fmt: skip
    assert "Filter der Angebote;Angebotsart: Kindertageseinrichtung (Kita)" in csv_text and "Hinweis;Demodaten" in csv_text


# --- what no list captures, honest classes, presentation (issue 11, items 1, 3, 4, 9) ---------------------------------


def _kita_list_missing(demo_db: Path, target: Path) -> Path:
    """A copy of the demo database whose offer list holds no Kitas: as if the Kreis had no Kita list."""
    import shutil

    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_db, target)
    with connect(target) as con:
        for table in ("offers", "offer_capture", "access"):
            con.execute(f"DELETE FROM {table} WHERE offer_type = 'kita'")
        con.execute("UPDATE coverage SET offers = 0, offers_per_1000 = 0, capacity = NULL, capacity_known = 0, "
                    "capacity_per_100 = NULL WHERE category = 'kita'")  # fmt: skip
    return target


def test_a_category_no_list_captures_is_grey_nicht_erfasst_never_zero(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    db = _kita_list_missing(demo_db, tmp_path / "no_kita" / "demo_musterland.duckdb")
    ((most_type, _),) = _sql(db, "SELECT offer_type, count(*) FROM offers GROUP BY 1 ORDER BY 2 DESC, 1 DESC LIMIT 1")
    at = _start(db.parent, monkeypatch)
    assert at.selectbox(key="offers_category").value == f"angebotsart:{most_type}", "the default is a captured category with offers"
    options = at.selectbox(key="offers_category").options
    assert "Angebotsart: Kindertageseinrichtung (Kita) (nicht erfasst)" in options
    at.selectbox(key="offers_category").set_value("angebotsart:kita")
    rerun(at)
    legend = _legends(at)
    assert "nicht erfasst (keine geladene Angebotsliste enthält diese Angebote) (61)" in legend
    assert "0,00 bis 0,00" not in legend and "bis" not in legend.split("Angebote (")[0].split("Kita)")[-1]
    assert any("nicht erfasst" in i.value and "OFFERS.md" in i.value and "covers" in i.value for i in at.info), "how to load a list"
    table = at.dataframe[0].value
    assert table.loc[table["Angebotsart"] == "Kindertageseinrichtung (Kita)", "Angebote"].tolist() == ["nicht erfasst"]


def test_sozialraeume_are_classed_by_the_map_rule_and_the_number_of_offers_as_circles(app: AppTest):
    app.radio(key="offers_level").set_value("sozialraum")
    rerun(app)
    legend = _legends(app)
    assert "Klassen: Quantile" not in legend and ("Kreiswert" in legend or "Stufen von" in legend), legend
    assert "Spannweite" in legend
    app.selectbox(key="offers_metric").set_value("offers")
    rerun(app)
    assert "Symbole statt Farben" in _legends(app) and "L.circleMarker" in map_script(app)


def test_one_legend_for_areas_and_points_and_names_on_the_map(app: AppTest):
    boxes = re.findall(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', map_script(app))
    assert len(boxes) == 1, "areas and points share one collapsible legend"
    assert "pa-legend-points" in json.loads(boxes[0]) and json.loads(boxes[0]).startswith("<details")
    assert app.toggle(key="offers_names").value is True and "pa-labels" in map_script(app)


def test_presentation_mode_folds_the_settings_away(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = _start(demo_db.parent, monkeypatch, {"praesentation": "1"})
    assert at.title[0].value.startswith("Angebote je 1.000 der Zielgruppe: Kindertageseinrichtung (Kita) · Gemeinden · Zielgruppe")
    assert at.expander[0].label == "Einstellungen"
    assert at.expander[0].selectbox(key="offers_category") is not None and at.expander[0].toggle(key="offers_tiles") is not None
    assert "font:18px" in _legends(at)


@pytest.fixture(scope="module")
def trier_saarburg_dir(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from etl.build import build

    out = tmp_path_factory.mktemp("ts") / "07235_trier-saarburg.duckdb"
    build([Path(APP).parent.parent / "config" / "07235_trier-saarburg.toml"], out, say=lambda _msg: None)
    return out.parent


def test_trier_saarburg_opens_on_a_captured_category_and_kita_is_nicht_erfasst(trier_saarburg_dir: Path, monkeypatch: pytest.MonkeyPatch):
    at = _start(trier_saarburg_dir, monkeypatch)
    assert at.selectbox(key="offers_category").value == "angebotsart:grundschule", "the school list captures Grundschulen"
    assert "0,00 bis 0,00" not in _legends(at)
    at.selectbox(key="offers_category").set_value("angebotsart:kita")
    rerun(at)
    legend = _legends(at)
    assert "nicht erfasst" in legend and "0,00 bis 0,00" not in legend
    assert "Trier (kreisfreie Stadt)" in map_script(at), "the hole of the city of Trier is labelled with its name (neighbours table)"
