"""Pure parts of the Angebotskarte (planning/coverage.py, planning/offers.py, dashboard/offer_layer.py, reports/offer_exports.py): filters, metrics, texts, marker data, escaping, CSV."""
from __future__ import annotations

import io
import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from dashboard import maps, offer_layer, offer_map
from planning import coverage as coverage_rules
from planning import offers as offer_rules
from reports import offer_exports

TYPES = pd.DataFrame(
    {
        "offer_type": ["kita", "jugendtreff", "pflegeberatung"],
        "label": ["Kita", "Jugendtreff", "Pflegeberatung"],
        "handlungsfeld": ["Betreuung", "Wohnumfeld", "Senioren"],
        "lebensphasen": [["0-3", "3-6"], ["10-14", "14-18"], ["65plus"]],
        "capacity_unit": ["Plätze", None, None],
    }
).set_index("offer_type", drop=False)
PHASES = pd.DataFrame({"phase_id": ["0-3", "3-6", "65plus"], "label": ["0 bis 3", "3 bis 6", "65+"]}).set_index("phase_id", drop=False)


def _offers() -> pd.DataFrame:
    rows = [
        ("Kita Sonnenschein", "kita", "AWO", 40.0, 1.0, 6.0, "G1"),
        ("Kita Regenbogen", "kita", None, None, None, None, "G2"),
        ("<script>alert(1)</script>", "jugendtreff", "Stadt", None, 12.0, None, "G1"),
        ("Pflegestützpunkt", "pflegeberatung", "AWO", None, None, None, "G2"),
    ]
    frame = pd.DataFrame(rows, columns=["name", "offer_type", "traeger", "kapazitaet", "alter_von", "alter_bis", "gemeinde_id"])
    frame["lon"], frame["lat"] = [9.1234567, 9.2, 9.3, 9.4], [50.1234567, 50.2, 50.3, 50.4]
    frame["address"] = ["Weg 1, 99401 A", None, "Platz 2", "Gasse 3"]
    frame["gemeinde_name"] = frame["gemeinde_id"].map({"G1": "Altdorf", "G2": "Neudorf"})
    frame["sozialraum_name"] = "Nord"
    frame["type_label"] = frame["offer_type"].map(TYPES["label"])
    frame["handlungsfeld"] = frame["offer_type"].map(TYPES["handlungsfeld"])
    frame["lebensphasen"] = frame["offer_type"].map(TYPES["lebensphasen"])
    frame["capacity_unit"] = frame["offer_type"].map(TYPES["capacity_unit"])
    return frame


# --- filters and options ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (offer_rules.OfferFilter(), 4),
        (offer_rules.OfferFilter(types=("kita",)), 2),
        (offer_rules.OfferFilter(phases=("3-6", "65plus")), 3),
        (offer_rules.OfferFilter(fields=("Wohnumfeld",)), 1),
        (offer_rules.OfferFilter(traeger=("AWO",)), 2),
        (offer_rules.OfferFilter(traeger=(offer_rules.NO_TRAEGER,)), 1),
        (offer_rules.OfferFilter(types=("kita",), traeger=("AWO",)), 1),
        (offer_rules.OfferFilter(types=("jugendtreff",), phases=("0-3",)), 0),
    ],
)
def test_filters_narrow_and_combine(chosen: offer_rules.OfferFilter, expected: int):
    assert len(offer_rules.filter_offers(_offers(), chosen)) == expected
    assert chosen.active == (chosen != offer_rules.OfferFilter())


def test_counts_follow_taxonomy_order_and_leave_out_absent_values():
    offers = _offers()
    assert offer_rules.counted(offers["offer_type"], ["pflegeberatung", "kita", "schule", "jugendtreff"]) == {
        "pflegeberatung": 1, "kita": 2, "jugendtreff": 1,
    }  # fmt: skip
    assert offer_rules.phase_counts(offers, ["65plus", "0-3", "3-6", "6-10"]) == {"65plus": 1, "0-3": 2, "3-6": 2}
    assert list(offer_rules.counted(offer_rules.traeger_names(offers))) == [offer_rules.NO_TRAEGER, "AWO", "Stadt"]


def test_categories_and_their_metrics():
    options = coverage_rules.category_options(TYPES, PHASES)
    assert list(options)[:3] == ["lebensphase:0-3", "lebensphase:3-6", "lebensphase:65plus"], "phases first, chain order"
    assert options["angebotsart:kita"] == "Angebotsart: Kita"
    assert coverage_rules.split_category("lebensphase:65plus") == ("lebensphase", "65plus")
    with pytest.raises(ValueError, match="unknown category"):
        coverage_rules.split_category("kita")
    assert "mean_distance_km" in coverage_rules.metric_options("angebotsart")
    assert not {"mean_distance_km", "share_within"} & set(coverage_rules.metric_options("lebensphase"))


# --- values and texts ---------------------------------------------------------------------------------------------


def test_texts_are_german():
    assert coverage_rules.distance_text(1500) == "1,5 km" and coverage_rules.distance_text(10000) == "10 km"
    offers = pd.DataFrame(
        {"kapazitaet": [1234.0, np.nan, 20.0, np.nan], "capacity_unit": ["Plätze", "Plätze", None, None],
         "alter_von": [3.0, 12.0, np.nan, np.nan], "alter_bis": [6.0, np.nan, 1.0, np.nan]}
    )  # fmt: skip
    assert offer_rules.capacity_texts(offers).tolist() == ["1.234 Plätze", "", "20", ""]
    assert offer_rules.age_texts(offers).tolist() == ["3 bis 6 Jahre", "ab 12 Jahren", "bis 1 Jahre", ""]
    metric = coverage_rules.METRICS["share_within"]
    assert coverage_rules.metric_title(metric, 2000, None) == "Anteil der Zielgruppe im Umkreis von 2 km"
    quota = coverage_rules.METRICS["capacity_per_100"]
    assert coverage_rules.metric_title(quota, 2000, "Schülerplätze") == "Versorgungsquote (Schülerplätze je 100 der Zielgruppe)"


def _coverage(category: str = "kita") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_id": ["A", "B", "C"],
            "category": category,
            "offers": [2, 0, 0],
            "capacity": [50.0, np.nan, np.nan],
            "capacity_known": [2, 0, 0],
            "target_population": [100.0, 80.0, 0.0],
            "population_year": 2023,
            "offers_per_1000": [20.0, 0.0, np.nan],
            "capacity_per_100": [50.0, np.nan, np.nan],
        }
    )


def test_area_without_offer_has_quota_zero_only_where_capacities_are_known():
    with_capacity = coverage_rules.area_values(_coverage(), None, {"kita"})
    assert with_capacity["capacity_per_100"].tolist()[:2] == [50.0, 0.0]
    assert np.isnan(with_capacity["capacity_per_100"].iloc[2]), "no target group: no quota"
    unknown = coverage_rules.area_values(_coverage("jugendtreff"), None, {"kita"})
    assert unknown["capacity_per_100"].isna().sum() == 2
    label = coverage_rules.missing_label(coverage_rules.METRICS["capacity_per_100"], unknown)
    assert label == "kein Wert: keine Zielgruppe in der Statistik (2)"
    label = coverage_rules.missing_label(coverage_rules.METRICS["capacity_per_100"], unknown.iloc[:2])
    assert label == "kein Wert: Kapazität nicht angegeben (1)"


def test_accessibility_joins_per_area_and_missing_distance_is_explained():
    access = pd.DataFrame({"area_id": ["A", "B"], "mean_distance_km": [0.8, 3.4], "share_within": [90.0, 10.0], "basis": "Zensus"})
    frame = coverage_rules.area_values(_coverage(), access, set())
    assert frame["mean_distance_km"].tolist()[:2] == [0.8, 3.4]
    assert coverage_rules.missing_label(coverage_rules.METRICS["mean_distance_km"], frame) == "kein Wert: keine Einwohner (1)"
    assert coverage_rules.missing_label(coverage_rules.METRICS["offers"], frame) is None


def test_coverage_table_per_type_in_taxonomy_order():
    coverage = _coverage().iloc[:1].assign(category="kita", capacity_known=1)
    coverage = pd.concat([coverage, coverage.assign(category="jugendtreff", offers=3, capacity=np.nan, capacity_known=0)])
    access = pd.DataFrame({"offer_type": ["kita", "jugendtreff"], "mean_distance_km": [1.26, 4.0], "share_within": [80.0, 12.5]})
    table = coverage_rules.coverage_table(coverage, access, TYPES, 1500)
    assert table["Angebotsart"].tolist() == ["Kita", "Jugendtreff"]
    assert table.iloc[0]["Kapazität"] == "50 (bei 1 von 2)", "a partly known capacity says so"
    assert table.iloc[1]["Kapazität"] == "–"
    assert table.iloc[0]["Ø Entfernung (km)"] == "1,3"
    assert table.iloc[1]["Anteil ≤ 1,5 km (%)"] == "12,5"


# --- marker data and the cluster script ---------------------------------------------------------------------------


def test_marker_data_is_compact_and_complete():
    data = offer_layer.marker_data(_offers(), TYPES)
    assert [t[0] for t in data["types"]] == ["Kita", "Jugendtreff", "Pflegeberatung"]
    assert len({t[1] for t in data["types"]}) == 3, "one colour per Handlungsfeld"
    assert data["traeger"] == ["AWO", "Stadt"] and data["gemeinden"] == ["Altdorf", "Neudorf"]
    first, second = data["rows"][0], data["rows"][1]
    assert first == [50.12346, 9.12346, 0, "Kita Sonnenschein", 0, "Weg 1, 99401 A", "40 Plätze", "1 bis 6 Jahre", 0]
    assert second[4] == -1 and second[5] == "", "no Träger, no address"
    json.dumps(data)  # plain JSON types only


def _cluster_html(offers: pd.DataFrame) -> str:
    fmap = folium.Map(tiles=None)
    offer_layer.OfferClusters(offer_layer.marker_data(offers, TYPES), maxClusterRadius=40).add_to(fmap)
    return fmap.get_root().render()


def test_cluster_script_keeps_html_names_as_data_and_loads_nothing_from_a_cdn():
    html = _cluster_html(_offers())
    assert "<script>alert(1)</script>" not in html and "\\u003cscript\\u003e" in html, "names escaped in the script"
    assert "innerHTML" not in html.split("var data =")[1], "popups and tooltips are built with textContent only"
    assert "cdnjs" not in html and "/app/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    assert '"maxClusterRadius": 40' in html
    assert html.count("offer_clusters") >= 2 and ".addTo(map_" in html, "the group is defined and added to the map"


def test_template_syntax_in_a_name_is_never_run_on_the_server():
    # branca compiles rendered scripts as Jinja templates; a name like this would run Python on the server
    offers = _offers()
    offers.loc[0, "name"] = "{{ 6*7 }}{% if true %}x{% endif %}{{ cycler.__init__.__globals__.os.getpid() }}"
    html = _cluster_html(offers)
    assert "42" not in html.split("var data =")[1].split(";")[0], "the expression was not evaluated"
    data = json.loads(re.search(r"var data = (\[.*?\]);\n", html).group(1))
    assert data[3][0][3] == offers.loc[0, "name"], "the browser gets the name unchanged"


def test_points_legend_escapes_labels():
    box = maps.points_legend_html("<b>Angebote</b>", [("#123456", "A & <B>")], "Hinweis")
    assert "&lt;b&gt;Angebote&lt;/b&gt;" in box and "A &amp; &lt;B&gt;" in box and "border-radius:50%" in box


# --- tables and the import report -----------------------------------------------------------------------------------


def test_offers_table_in_german():
    table = offer_rules.offers_table(_offers())
    assert table.columns.tolist() == ["Name", "Angebotsart", "Handlungsfeld", "Träger", "Adresse", "Gemeinde", "Sozialraum", "Kapazität", "Alter"]
    assert table.loc[1, "Träger"] == offer_rules.NO_TRAEGER and table.loc[0, "Kapazität"] == "40 Plätze"
    assert table.loc[2, "Name"] == "<script>alert(1)</script>", "the table keeps the text as it is (st.dataframe shows text)"


def test_import_report_table_counts_and_csv():
    report = pd.DataFrame(
        {
            "file": "liste.csv", "stand": "2024-03-01", "row": [4, 9, 12],
            "source_column": ["angebotsart", None, "x/y"], "problem": ["unbekannte Angebotsart 'X'", "Dublette von Zeile 3", "liegt außerhalb des Kreises"],
            "action": ["verworfen", "verworfen", "übersprungen"],
        }
    )  # fmt: skip
    assert offer_exports.action_counts(report) == {"verworfen": 2, "übersprungen": 1}
    table = offer_exports.import_report_table(report)
    assert table.columns.tolist() == ["Datei", "Stand", "Zeile", "Spalte", "Problem", "Ergebnis"]
    assert table.loc[0, "Stand"] == "01.03.2024" and table.loc[1, "Spalte"] == ""
    raw = offer_exports.import_report_csv(report, "Kreis X")
    text = raw.decode("utf-8-sig")
    assert re.match(r"Importbericht der Angebotslisten – Kreis X\r\n\r\nDatei;Stand;Zeile", text)
    back = pd.read_csv(io.StringIO(text), sep=";", skiprows=2, keep_default_na=False)
    assert back["Problem"].tolist() == report["problem"].tolist() and back["Zeile"].tolist() == [4, 9, 12]


def test_german_csv_has_header_block_decimal_comma_and_no_formulas():
    table = pd.DataFrame({"Name": ["=HYPERLINK(\"http://x\")", "Kita", "-1 Trick", "@SUM(A1)"], "Kapazität": [12.5, np.nan, 3.0, 1.0]})
    raw = offer_exports.german_csv("Titel", [("Quelle", "Liste A\n(Stand 2024)")], table)
    text = raw.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[:4] == ["Titel", "Quelle;Liste A (Stand 2024)", "", "Name;Kapazität"]
    back = pd.read_csv(io.StringIO(text), sep=";", decimal=",", skiprows=3)
    assert back["Kapazität"].tolist()[0] == 12.5 and np.isnan(back["Kapazität"].iloc[1])
    assert back["Name"].tolist() == ["'=HYPERLINK(\"http://x\")", "Kita", "'-1 Trick", "'@SUM(A1)"], "Excel keeps them text"


def test_offers_export_keeps_numbers_as_numbers():
    offers = _offers().assign(gemeinde_id=["G1", "G2", "G1", "G2"], gueltig_ab="2024-01-01", gueltig_bis=None, source_row=[2, 3, 4, 5])
    table = offer_exports.offers_export(offers)
    assert table["Kapazität"].tolist()[0] == 40.0 and table["Zeile in der Liste"].tolist() == [2, 3, 4, 5]
    assert table.loc[1, "Träger"] == "" and table.loc[2, "Name"] == "<script>alert(1)</script>"


def test_print_figure_adds_points_per_handlungsfeld():
    from shapely.geometry import box

    from reports.style import Caption

    shapes = gpd.GeoDataFrame(
        {"area_id": ["G1", "G2"], "name": ["Altdorf", "Neudorf"], "value": [1.0, np.nan], "offers_per_1000": [1.0, np.nan],
         "target_population": [10.0, 0.0]},
        geometry=[box(9.0, 50.0, 9.3, 50.5), box(9.3, 50.0, 9.6, 50.5)], crs="EPSG:4326",
    )  # fmt: skip
    metric = coverage_rules.METRICS["offers_per_1000"]
    view = offer_map.OfferMapView(shapes, folium.Map(), metric, "Angebote je 1.000: Kita", 4, "Quelle")
    fig = offer_exports.print_figure(view, _offers(), TYPES, Caption("Titel", "Untertitel", "Quelle: X"), shapes.union_all())
    names = [trace.name for trace in fig.data]
    assert "Betreuung (2)" in names and "Wohnumfeld (1)" in names and "Senioren (1)" in names
    assert any("keine Zielgruppe" in (n or "") for n in names), f"the missing area says why: {names}"


def test_filter_text_names_labels():
    chosen = offer_rules.OfferFilter(types=("kita",), phases=("65plus",), traeger=("AWO",))
    assert offer_rules.filter_text(chosen, TYPES, PHASES) == "Angebotsart: Kita; Lebensphase: 65+; Träger: AWO"
    assert offer_rules.filter_text(offer_rules.OfferFilter(), TYPES, PHASES) == "keine (alle Angebote)"
