"""Print-quality exports (reports/): sizes, dpi, formats that read back, German numbers, file names, and the
source and licence line in every export, against the demo database.

Expected attributions are read from the database's sources rows, never typed here: the exports must follow
whatever the build recorded. Tests that render images need Debian's chromium (marker ``browser``).
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from etl import spreadsheet
from etl.db import connect
from reports import credits, data, figures, kreistag, profile, render, tables
from reports import document as d

KREIS = "99001"
SOZIALRAUM = "99001-SR03"
INDICATORS = ["anteil_u18", "sgb2_quote", "altenquotient", "bevoelkerungsdichte"]


def _squeeze(text: str) -> str:
    # PDF and SVG text comes back with line breaks where the footer wrapped: compare without whitespace
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def con(demo_db: Path):
    connection = connect(demo_db, read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def attributions(con) -> set[str]:
    """Attribution lines of the statistics sources, as the build stored them."""
    return set(con.execute("SELECT DISTINCT attribution FROM sources WHERE kind = 'statistics'").df()["attribution"])


@pytest.fixture(scope="module")
def exporter(chromium_path: Path):
    """The shared kaleido browser, closed after this module."""
    yield render
    render.stop()


def _suppressed_gemeinde(con, indicator_id: str) -> tuple[str, int]:
    row = con.execute(
        "SELECT o.area_id, o.year FROM observations o JOIN areas a USING (area_id) "
        "WHERE a.level = 'gemeinde' AND o.indicator_id = ? AND o.status = 'suppressed' ORDER BY o.year DESC LIMIT 1",
        [indicator_id],
    ).fetchone()
    assert row, "the demo data withhold some small SGB II counts"
    return row[0], int(row[1])


def _db_values(con, area_ids: list[str], indicator_id: str, year: int) -> pd.Series:
    frame = con.execute(
        "SELECT area_id, value FROM observations WHERE indicator_id = ? AND year = ? AND list_contains(?, area_id)",
        [indicator_id, year, area_ids],
    ).df()
    return frame.set_index("area_id")["value"]


# --- tables -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sgb2_table(con):
    gap, year = _suppressed_gemeinde(con, "sgb2_quote")
    areas = [gap, "99001041"]  # a withheld value and Musterstadt
    return tables.value_table(con, areas, "sgb2_quote", years=[year]), areas, year, gap


def test_value_table_has_areas_then_kreis_and_statuses_in_words(sgb2_table):
    table, areas, year, gap = sgb2_table
    rows = table.rows
    assert list(rows["Schlüssel"]) == [*areas, KREIS], "chosen areas in order, then the Kreis (the demo has no Land values)"
    withheld = rows.set_index("Schlüssel").loc[gap]
    assert pd.isna(withheld["Wert"]) and withheld["Status"] == "wegen kleiner Fallzahl unterdrückt"
    assert rows.set_index("Schlüssel").loc[KREIS, "Ebene"] == "Kreis"


def test_xlsx_has_header_block_and_numbers_as_numbers(sgb2_table, con, attributions):
    table, areas, year, gap = sgb2_table
    book = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(table)))
    sheet = book["Daten"]
    assert sheet["A1"].value == table.indicator.label
    header = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(2, 12)}
    for key in ("Definition", "Einheit", "Quelle", "Lizenz", "Namensnennung", "Zeitraum", "Datenstand"):
        assert header.get(key), f"header block names {key}"
    assert any(a in header["Namensnennung"] for a in attributions)
    assert header["Zeitraum"] == str(year) and "Demodaten" in header["Hinweis"]

    head = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "Gebiet")
    frame = pd.read_excel(io.BytesIO(tables.xlsx_bytes(table)), header=head - 1, dtype={"Schlüssel": str})
    expected = _db_values(con, [*areas, KREIS], "sgb2_quote", year)
    got = frame.set_index("Schlüssel")["Wert"]
    for area_id, value in expected.items():
        # openpyxl stores 16 significant digits (Excel itself computes with 15); the CSV keeps all 17
        assert got[area_id] == pytest.approx(value, rel=1e-15) if pd.notna(value) else pd.isna(got[area_id]), area_id
    value_cell = sheet.cell(head + 2, tables.COLUMNS.index("Wert") + 1)
    assert isinstance(value_cell.value, float) and value_cell.number_format == "#,##0.0"
    assert sheet.cell(head + 1, tables.COLUMNS.index("Status") + 1).value == "wegen kleiner Fallzahl unterdrückt"


def test_german_csv_reads_back_exactly(sgb2_table, con, attributions):
    table, areas, year, gap = sgb2_table
    raw = tables.csv_bytes(table)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, so Excel reads the umlauts"
    text = raw.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == table.indicator.label, "the first line names the indicator"
    assert any(a in text for a in attributions), "attribution travels with the data"
    start = lines.index(";".join(tables.COLUMNS))
    musterstadt = next(line for line in lines[start:] if line.startswith("Musterstadt;"))
    assert re.search(r";\d+,\d+;", musterstadt), f"decimal comma: {musterstadt}"

    for frame in (tables.read_csv_table(raw),
                  pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", skiprows=start, encoding="utf-8-sig",
                              dtype={"Schlüssel": str})):  # fmt: skip
        got = frame.set_index("Schlüssel")["Wert"]
        for area_id, value in _db_values(con, [*areas, KREIS], "sgb2_quote", year).items():
            assert got[area_id] == value if pd.notna(value) else pd.isna(got[area_id]), area_id


def test_csv_keeps_every_digit_of_long_decimals():
    assert spreadsheet.csv_number(0.1 + 0.2) == "0,30000000000000004"
    assert float(spreadsheet.csv_number(1e-7).replace(",", ".")) == 1e-7 and "e" not in spreadsheet.csv_number(1e-7)
    assert spreadsheet.csv_number(1234.0) == "1234"


def test_file_names_say_what_is_inside(sgb2_table):
    table, _, year, _ = sgb2_table
    assert tables.table_name(table, "xlsx") == f"sgb2-quote_gemeinde_{year}_landkreis-musterland-demodaten.xlsx"
    assert render.export_name("anteil_u18", "sozialraum", "2019–2023", "Landkreis Märkisch-Oderland", ext="png") == (
        "anteil-u18_sozialraum_2019-2023_landkreis-maerkisch-oderland.png"
    )
    assert render.slug("Groß Köris / Übersee") == "gross-koeris-uebersee"


# --- credits, captions and figures (no browser needed) ----------------------------------------------------


def test_footer_comes_from_the_sources_rows(demo_db: Path, tmp_path: Path):
    copy = tmp_path / "changed.duckdb"
    shutil.copy(demo_db, copy)
    con = connect(copy)
    con.execute("UPDATE sources SET attribution = '© GeoBasis-DE / BKG 2099', "
                "licence = 'Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)' WHERE kind = 'boundaries'")  # fmt: skip
    con.execute("UPDATE sources SET attribution = '© Testamt 2099', stand = '2099-01-31' WHERE kind = 'statistics'")
    fig = figures.map_figure(con, KREIS, "sozialraum", "anteil_u18", highlight=[SOZIALRAUM])
    con.close()
    footer = _footer(fig)
    assert "© Testamt 2099" in footer and "Datenstand 31.01.2099" in footer
    assert "© GeoBasis-DE / BKG 2099 (Daten verändert)" in footer, "simplified dl-de geometry says so"
    assert "Sozialräume: Arbeitsannahme" in footer, "the Sozialraum mapping is a source too, credited as the config declares"


def _footer(fig) -> str:
    """The footer annotation as one line (it wraps with <br> where a space was)."""
    return next(a.text for a in fig.layout.annotations if a.text.startswith("Quelle")).replace("<br>", " ")


def test_ranking_figure_is_german_and_captioned(con, attributions):
    fig = figures.ranking_figure(con, KREIS, "sozialraum", "anteil_u18", highlight=[SOZIALRAUM])
    assert fig.layout.separators == ",."
    assert fig.layout.title.text == "<b>Anteil Minderjährige (%)</b>"
    assert "Landkreis Musterland (Demodaten)" in fig.layout.title.subtitle.text
    assert "Stichtag 31.12.2023" in fig.layout.title.subtitle.text
    assert any(a in _footer(fig) for a in attributions) and "Lizenz" in _footer(fig) and "Datenstand" in _footer(fig)
    bars = fig.data[0]
    assert all(re.fullmatch(r"\d+,\d %", t) for t in bars.text), bars.text
    assert any(t.name.startswith("Landkreis Musterland") for t in fig.data[1:]), "Kreis reference line in the legend"


def test_time_series_and_pyramid_have_area_and_period(con):
    series = figures.time_series_figure(con, [SOZIALRAUM], "anteil_u18")
    assert "Musterstadt/Rabenbach" in series.layout.title.subtitle.text and "–2023" in series.layout.title.subtitle.text
    assert {t.name for t in series.data} >= {"Musterstadt/Rabenbach", "Landkreis Musterland (Demodaten)"}
    pyramid = figures.age_pyramid_figure(con, SOZIALRAUM)
    men = next(t for t in pyramid.data if t.name == "Männer")
    labels = [a.text for a in pyramid.layout.annotations if a.yref == "y"]
    assert labels[0] == "unter 3" and labels[-1] == "75 und älter", "the group labels, youngest at the bottom"
    assert all(x <= 0 for x in men.x) and list(men.y) == sorted(men.y), "men left, youngest group at the bottom"


def test_age_groups_come_from_the_catalogue_without_overlaps(con):
    groups = data.age_groups(con)
    assert groups[0].label == "unter 3" and groups[-1].label == "75 und älter"
    assert all(a.upper == b.lower for a, b in zip(groups, groups[1:])), "a gapless chain, aggregates like bev_u6 left out"


def test_map_is_a_static_choropleth_with_outline_and_class_legend(con):
    fig = figures.map_figure(con, KREIS, "gemeinde", "sgb2_quote")
    choropleths = [t for t in fig.data if t.type == "choropleth"]
    assert choropleths and all(t.geojson["features"] for t in choropleths)
    assert fig.layout.geo.fitbounds == "locations" and fig.layout.geo.visible is False
    assert fig.layout.geo.projection.type == "mercator", "north up"
    names = [t.name for t in choropleths]
    assert re.fullmatch(r"\d+,\d bis \d+,\d", names[0]) and names[1].startswith("über "), names
    assert any("kein Wert" in n for n in names), "withheld values get their own legend entry"
    assert any(t.type == "scattergeo" and t.name == "Kreisgrenze" for t in fig.data)
    assert not {t.type for t in fig.data} & {"scattermap", "choroplethmap", "scattermapbox"}, "no tile layer"


def test_steckbrief_says_when_there_are_no_offers(demo_db: Path, tmp_path: Path):
    copy = tmp_path / "no_offers.duckdb"
    shutil.copy(demo_db, copy)
    con = connect(copy)
    con.execute("DELETE FROM offers")
    doc = profile.steckbrief_document(con, SOZIALRAUM)
    con.close()
    texts = [b.text for b in doc.blocks if isinstance(b, d.Paragraph)]
    assert any(t.startswith("keine Angebotsdaten") for t in texts)


def test_steckbrief_lists_offers_by_lebensphase(con):
    doc = profile.steckbrief_document(con, SOZIALRAUM)
    table = next(b.frame for b in doc.blocks if isinstance(b, d.Table) and "Lebensphase" in b.frame.columns)
    coverage = con.execute(
        "SELECT c.area_id, c.offers, c.offers_per_1000 FROM coverage c JOIN lebensphasen p ON p.phase_id = c.category "
        "WHERE c.dimension = 'lebensphase' AND p.label = '3 bis 6 Jahre' AND c.area_id IN (?, ?)", [SOZIALRAUM, KREIS],
    ).df().set_index("area_id")
    row = table.set_index("Lebensphase").loc["3 bis 6 Jahre"]
    assert row["Anzahl"] == str(coverage.loc[SOZIALRAUM, "offers"])
    assert row["je 1.000 der Zielgruppe"] == f"{coverage.loc[SOZIALRAUM, 'offers_per_1000']:.1f}".replace(".", ",")
    assert row["Kreis je 1.000"] == f"{coverage.loc[KREIS, 'offers_per_1000']:.1f}".replace(".", ",")
    kitas = con.execute(
        "SELECT count(*) FROM offers o JOIN areas a ON a.area_id = o.gemeinde_id "
        "WHERE a.sozialraum_id = ? AND o.offer_type = 'kita'", [SOZIALRAUM],
    ).fetchone()[0]
    assert f"Kindertageseinrichtung (Kita) ({kitas})" in row["Angebotsarten"]
    offer_list = con.execute("SELECT attribution FROM sources WHERE kind = 'offers'").fetchone()[0]
    assert any(isinstance(b, d.Paragraph) and offer_list in b.text for b in doc.blocks), "the offer list is a source"


def test_kreistag_rejects_areas_of_mixed_levels(con):
    with pytest.raises(ValueError, match="one level"):
        kreistag.kreistag_document(con, [SOZIALRAUM, "99001041"], ["anteil_u18"])


def test_reports_do_not_import_streamlit(repo_root: Path):
    code = ("import sys, reports.figures, reports.render, reports.tables, reports.profile, reports.kreistag; "
            "sys.exit('streamlit' in sys.modules)")  # fmt: skip
    assert subprocess.run([sys.executable, "-c", code], cwd=repo_root).returncode == 0


def test_png_dpi_chunk_is_written_and_replaced():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, "PNG", dpi=(72, 72))
    png = render.with_dpi(buffer.getvalue(), 300)
    image = Image.open(io.BytesIO(png))
    assert image.size == (20, 10) and round(image.info["dpi"][0]) == 300
    assert png.count(b"pHYs") == 1


# --- rendered exports (chromium) -------------------------------------------------------------------------


@pytest.mark.browser
def test_png_has_the_chosen_width_at_300_dpi(con, exporter):
    fig = figures.ranking_figure(con, KREIS, "sozialraum", "anteil_u18", highlight=[SOZIALRAUM])
    for width_cm in (12.0, 16.0):
        png = exporter.png_bytes(fig, width_cm=width_cm, dpi=300)
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.width == round(width_cm / 2.54 * 300)
        assert abs(image.height - fig.layout.height * image.width / fig.layout.width) <= 1
        assert [round(v) for v in image.info["dpi"]] == [300, 300]


@pytest.mark.browser
def test_svg_and_pdf_are_valid_and_carry_the_source_line(con, exporter, attributions):
    fig = figures.map_figure(con, KREIS, "sozialraum", "anteil_u18", highlight=[SOZIALRAUM])
    svg = exporter.svg_bytes(fig)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and root.get("width") == str(fig.layout.width)
    svg_text = _squeeze("".join(root.itertext()))
    assert any(_squeeze(a) in svg_text for a in attributions) and "Quellen" in svg_text

    pdf = PdfReader(io.BytesIO(exporter.pdf_bytes(fig)))
    assert len(pdf.pages) == 1
    assert abs(float(pdf.pages[0].mediabox.width) - fig.layout.width * 0.75) < 1, "680 px print 18 cm wide"
    pdf_text = _squeeze(pdf.pages[0].extract_text())
    assert any(_squeeze(a) in pdf_text for a in attributions) and "Kreisgrenze" in pdf_text


@pytest.mark.browser
def test_steckbrief_is_one_or_two_pages_with_sources(con, exporter, attributions):
    export = profile.steckbrief_pdf(con, SOZIALRAUM)
    assert export.name == "steckbrief_sozialraum_musterstadt-rabenbach_landkreis-musterland-demodaten.pdf"
    pdf = PdfReader(io.BytesIO(export.data))
    assert 1 <= len(pdf.pages) <= 2
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Kennzahlen im Vergleich zum Kreis" in text and "Altersaufbau" in text and "Angebote nach Lebensphase" in text
    assert "Quellen und Lizenzen" in text and any(_squeeze(a) in _squeeze(text) for a in attributions)
    assert "DEMODATEN" in pdf.pages[0].extract_text()


@pytest.mark.browser
def test_kreistag_report_for_one_sozialraum(con, exporter, attributions):
    report = kreistag.kreistag_report(con, [SOZIALRAUM], INDICATORS)
    assert report.pdf.name.startswith("kreistag_landkreis-musterland-demodaten_musterstadt-rabenbach_")
    assert report.docx.name == report.pdf.name.replace(".pdf", ".docx")

    pdf = PdfReader(io.BytesIO(report.pdf.data))
    pages = [page.extract_text() for page in pdf.pages]
    assert len(pages) >= len(INDICATORS) + 2, "title page, a page per indicator, sources page"
    title = pages[0]
    assert "Planungsatlas Familie" in title and "Landkreis Musterland (Demodaten)" in title
    assert "Demodaten – keine amtlichen Zahlen" in title and "Musterstadt/Rabenbach" in title
    labels = [data.indicator(con, i).label for i in INDICATORS]
    for n, label in enumerate(labels, start=1):
        assert any(f"{n}. {label}" in page for page in pages[1:-1]), label
    assert "Quellen und Lizenzen" in pages[-1]
    for page in pages[1:]:
        assert any(_squeeze(a) in _squeeze(page) for a in attributions), "every page names its sources"

    word = docx.Document(io.BytesIO(report.docx.data))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Planungsatlas Familie" in text and "Quellen und Lizenzen" in text
    assert all(label in text for label in labels)
    assert len(word.inline_shapes) >= 2 * len(INDICATORS), "a map and a chart per indicator"
    cells = "\n".join(c.text for table in word.tables for row in table.rows for c in row.cells)
    assert any(a in cells for a in attributions), "sources table"
    assert "DEMODATEN" in word.sections[0].footer.paragraphs[0].text
