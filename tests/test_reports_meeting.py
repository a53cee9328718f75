"""Reports ready for a meeting (issue 11, items 7, 8, 10, 11), against the demo database.

Sources cited in plain German, the age pyramid per year of age, the Kreistag report without empty pages and with
county, date and (where the database has it) the Land, and xlsx/CSV tables with Status, Zähler, Nenner and the
95-% interval next to every value. Expected numbers come from the database or are computed here by hand.
"""
from __future__ import annotations

import io
import math
import re
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from etl.db import connect
from reports import charts, credits, data, figures, kreistag, render, style, tables
from reports import document as d
from reports.pdf import pdf_document

KREIS, LAND = "99001", "99"
SOZIALRAUM = "99001-SR03"
SOZIALRAEUME = [f"99001-SR0{i}" for i in range(1, 6)]
INDICATORS = ["anteil_u18", "sgb2_quote", "altenquotient", "bevoelkerungsdichte"]
Z95 = 1.959963984540054  # the 97.5 % quantile of the standard normal distribution


@pytest.fixture(scope="module")
def con(demo_db: Path):
    connection = connect(demo_db, read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def exporter(chromium_path: Path):
    yield render
    render.stop()


def _observation(con, area_id: str, indicator_id: str, year: int) -> pd.Series:
    return con.execute("SELECT * FROM observations WHERE area_id = ? AND indicator_id = ? AND year = ?",
                       [area_id, indicator_id, year]).df().iloc[0]  # fmt: skip


def _wilson_by_hand(k: float, n: float) -> tuple[float, float]:
    """The Wilson score interval in percent, written out (Wilson 1927, without continuity correction)."""
    p = k / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 / (1 + Z95**2 / n) * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


# --- item 7: sources in plain German ------------------------------------------------------------------------


def test_real_source_rows_read_as_plain_german():
    """The strings of the Trier-Saarburg build's sources row of table 12411-02-03-5, as the real export has them."""
    real = credits.Credit(
        attribution="© Statistische Ämter des Bundes und der Länder, Deutschland, 2017",
        title="Bevölkerung nach Geschlecht und Altersgruppen (17), Stichtag 31.12.", table_code="12411-02-03-5",
        publisher="Statistische Ämter des Bundes und der Länder",
        licence="Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)",
        stands=(credits.stand_date("10.10.2017 / 18:42:14"),), period="31.12.2015",
    )  # fmt: skip
    assert real.citation == ("Statistische Ämter des Bundes und der Länder, Bevölkerungsstand 31.12.2015 "
                             "(Tabelle 12411-02-03-5)")  # fmt: skip
    assert real.line == ("© Statistische Ämter des Bundes und der Länder, Deutschland, 2017 – Bevölkerungsstand "
                         "31.12.2015 (Tabelle 12411-02-03-5), Datenstand 10.10.2017; Lizenz: dl-de/by-2-0")  # fmt: skip
    assert "Berechnet aus" not in real.line and not re.search(r"\d{2}:\d{2}", real.line)
    # other tables: the period completes the title, GENESIS shorthand goes
    assert credits.plain_title("Arbeitslose nach ausgewählten Personengruppen, Jahresdurchschnitt (Gemeinden)",
                               "13211-01-03-5", "2016") == "Arbeitslose nach ausgewählten Personengruppen, Jahresdurchschnitt 2016"  # fmt: skip
    assert credits.plain_title("Regelleistungsberechtigte nach dem SGB II, Stichtag 31.12. (Kreise)", "22811-02-02-4",
                               "31.12.2010 bis 31.12.2016") == "Regelleistungsberechtigte nach dem SGB II, Stichtage 31.12.2010 bis 31.12.2016"  # fmt: skip
    assert credits.plain_title("Zensus 2011: Private Haushalte nach Haushaltstypen, Stichtag 09.05.2011 (Kreise)",
                               "12111-32-01-4", "09.05.2011") == "Zensus 2011: Private Haushalte nach Haushaltstypen, Stichtag 09.05.2011"  # fmt: skip
    assert credits.stand_date("2021-01-01") == "01.01.2021" and credits.stand_date("2017-03") == "März 2017"


def test_population_table_credit_names_the_reference_date_shown(con):
    ids = con.execute("SELECT source_id FROM sources WHERE table_code = '12411-02-03-5'").df()["source_id"].tolist()
    publisher = con.execute("SELECT publisher FROM sources WHERE source_id = ?", [ids[0]]).fetchone()[0]
    (credit,) = credits.credits(con, ids, years=[2022])
    assert credit.what == "Bevölkerungsstand 31.12.2022 (Tabelle 12411-02-03-5)"
    assert credit.citation == f"{publisher}, Bevölkerungsstand 31.12.2022 (Tabelle 12411-02-03-5)"
    assert not re.search(r"\d{2}:\d{2}", credit.line), "the Datenstand without the clock time of the download"
    header = dict(tables.value_table(con, [SOZIALRAUM], "anteil_u18", years=[2023]).header)
    assert header["Quelle"] == f"{publisher}, Bevölkerungsstand 31.12.2023 (Tabelle 12411-02-03-5)"
    fig = figures.ranking_figure(con, KREIS, "sozialraum", "anteil_u18", 2022)
    footer = next(a.text for a in fig.layout.annotations if a.text.startswith("Quelle")).replace("<br>", " ")
    assert "Bevölkerungsstand 31.12.2022 (Tabelle 12411-02-03-5)" in footer, "the footer cites the year drawn"


# --- item 8: the age pyramid per year of age ---------------------------------------------------------------------


def test_pyramid_bars_are_persons_per_year_of_age(con):
    year = max(data.age_years(con, SOZIALRAUM))
    fig = figures.age_pyramid_figure(con, SOZIALRAUM, year)
    groups = data.age_groups(con)
    counts = con.execute("SELECT indicator_id, value FROM observations WHERE area_id = ? AND year = ?",
                         [SOZIALRAUM, year]).df().set_index("indicator_id")["value"]  # fmt: skip
    widths = [(g.upper if g.upper is not None else charts.OPEN_AGE_UNTIL) - g.lower for g in groups]
    assert widths[:6] == [3, 3, 4, 5, 3, 2], "unter 3, 3–6, 6–10, 10–15, 15–18, 18–20"
    for trace, sex, sign in ((fig.data[0], "m", -1), (fig.data[1], "w", 1)):
        expected = [sign * counts[f"{g.base_id}_{sex}"] / w for g, w in zip(groups, widths)]
        assert list(trace.x) == pytest.approx(expected, rel=1e-12), f"{sex}: count ÷ years of the group"
        assert list(trace.width) == pytest.approx(widths), "each bar as thick as its group is wide"
        assert list(trace.y) == pytest.approx([g.lower + w / 2 for g, w in zip(groups, widths)])
    labels = [a.text for a in fig.layout.annotations if a.yref == "y"]
    assert labels == [g.label for g in groups], "the group labels are kept"
    assert fig.layout.xaxis.title.text.startswith("Personen je Altersjahr")
    # the Kreis line is scaled to the area's population: its area equals the area's head count
    kreis = [t for t in fig.data if t.type == "scatter"]
    drawn = sum(abs(x) * (y1 - y0) for t in kreis for x, y0, y1 in zip(t.x[::2], t.y[::2], t.y[1::2]))
    assert drawn == pytest.approx(sum(counts[f"{g.base_id}_{s}"] for g in groups for s in "mw"), rel=1e-9)


# --- item 10: the Kreistag report -------------------------------------------------------------------------------


def test_kreistag_title_names_county_and_date(con):
    doc = kreistag.kreistag_document(con, [SOZIALRAUM], ["altenquotient"])
    today = f"{date.today():%d.%m.%Y}"
    kreis = data.area(con, KREIS).name
    assert kreis in doc.title and today in doc.title
    heading = next(b for b in doc.blocks if isinstance(b, d.Heading))
    assert heading.level == 0 and kreis in heading.text
    texts = [b.text for b in doc.blocks if isinstance(b, d.Paragraph)]
    assert any(f"Stand: {today}" in t for t in texts)
    definition = next(t for t in texts if t.startswith("Einwohner ab 65"))
    assert "20–64 J." in definition and "J.." not in definition


def test_kreistag_bar_labels_carry_short_units_only(con):
    fig = figures.ranking_figure(con, KREIS, "sozialraum", "altenquotient", highlight=[SOZIALRAUM])
    assert all(re.fullmatch(r"\d+,\d", t) for t in fig.data[0].text), fig.data[0].text
    assert fig.layout.xaxis.title.text == "je 100 Personen von 20–64 J.", "the long unit stands in the axis title"
    legend_title = figures.map_figure(con, KREIS, "sozialraum", "altenquotient").layout.legend.title.text
    assert "in je" not in legend_title


def test_kreistag_says_when_the_land_has_no_value(con):
    doc = kreistag.kreistag_document(con, [SOZIALRAUM], ["anteil_u18"])
    table = next(b.frame for b in doc.blocks if isinstance(b, d.Table))
    assert "Demoland" not in set(table["Gebiet"]), "the demo build has no Land values: none are invented"
    assert any(b.text.startswith("Demoland: kein Landeswert") for b in doc.blocks if isinstance(b, d.Paragraph))


@pytest.fixture(scope="module")
def land_db(demo_db: Path, tmp_path_factory) -> Path:
    """The demo database with Land values of anteil_u18 (as a build with national tables would have them)."""
    path = tmp_path_factory.mktemp("land") / "with_land.duckdb"
    shutil.copy(demo_db, path)
    with connect(path) as c:
        c.execute("""INSERT INTO observations (area_id, indicator_id, year, reference_date, value, status, numerator,
                     denominator, derivation, source_id)
                     SELECT ?, indicator_id, year, reference_date, value + 0.5, status, numerator, denominator,
                            derivation, source_id
                     FROM observations WHERE area_id = ? AND indicator_id = 'anteil_u18'""", [LAND, KREIS])  # fmt: skip
    return path


def test_kreistag_table_has_the_land_row_when_the_database_has_it(land_db: Path):
    with connect(land_db, read_only=True) as c:
        land_value = _observation(c, LAND, "anteil_u18", 2023)["value"]
        doc = kreistag.kreistag_document(c, [SOZIALRAUM], ["anteil_u18"])
    table = next(b.frame for b in doc.blocks if isinstance(b, d.Table)).set_index("Gebiet")
    assert table.loc["Demoland (Land)", "2023"] == f"{land_value:.1f}".replace(".", ",")
    assert not any("kein Landeswert" in b.text for b in doc.blocks if isinstance(b, d.Paragraph))


def test_many_areas_are_compared_as_dots_not_a_page_of_bars(con):
    gemeinden = con.execute("SELECT area_id FROM areas WHERE level = 'gemeinde' ORDER BY area_id").df()["area_id"]
    assert len(gemeinden) > kreistag.MAX_BARS
    chosen = list(gemeinden[: kreistag.MAX_LINES + 1])  # too many lines for a development chart
    doc = kreistag.kreistag_document(con, chosen, ["anteil_u18"])
    chart = [b.fig for b in doc.blocks if isinstance(b, d.Figure)][1]
    year = data.years(con, "anteil_u18", chosen)[-1]
    values = data.level_values(con, KREIS, "gemeinde", "anteil_u18", year)
    known = int(values["status"].isin(("ok", "zero")).sum())
    dots = [t for t in chart.data if t.type == "scatter" and t.mode == "markers"]
    assert sum(len(t.x) for t in dots) == known, "every Gemeinde with a value is a dot"
    if known < len(gemeinden):
        assert any(a.text == f"{len(gemeinden) - known} ohne Wert" for a in chart.layout.annotations)
    assert chart.layout.height < 400, "a few centimetres, not a page"
    named = [a.text for a in chart.layout.annotations if "Rang" in a.text]
    assert named and all(re.search(rf"Rang \d+ von {known}", t) for t in named)


def test_a_long_legend_gets_the_rows_it_needs(con):
    fig = figures.time_series_figure(con, SOZIALRAEUME, "anteil_u18")
    assert fig.layout.margin.t >= style.TOP_PX + style.LEGEND_TOP_PX + 2 * style.LEGEND_ROW_PX, "six entries in three rows"


def _contents(reader: PdfReader, doc: d.Document) -> list[str]:
    """Each page's text without the running footer, the page number and the demo line."""
    out = []
    for page in reader.pages:
        text = page.extract_text().replace(doc.running_footer, "")
        text = re.sub(r"Seite \d+|DEMODATEN – keine amtlichen Zahlen", "", text)
        out.append(text.strip())
    return out


def test_no_page_is_left_empty_after_a_full_page():
    """Whatever the length of a section, the page break after it never leaves a page with only the footer."""
    for lines in range(30, 80):
        doc = d.Document("Test", "Fußzeile · Test").add(d.Heading("Erster Abschnitt", 1))
        doc.add(*[d.Paragraph(f"Zeile {i}") for i in range(lines)], d.PageBreak(), d.Heading("Zweiter Abschnitt", 1))
        doc.add(d.Paragraph("Text"))
        pages = _contents(PdfReader(io.BytesIO(pdf_document(doc))), doc)
        assert all(pages), f"{lines} lines: page {pages.index('') + 1} has only the footer"


def test_a_page_a_little_too_tall_is_drawn_smaller_not_split():
    doc = d.Document("Test", "Fußzeile · Test").add(d.Heading("Abschnitt", 1))
    table = pd.DataFrame({"Gebiet": [f"Gebiet {i}" for i in range(52)], "Wert": ["1,0"] * 52})
    doc.add(d.Paragraph("Einleitung"), d.Table(table, widths=(14.0, 4.0)), d.Paragraph("Quelle: Test", "small"))
    doc.add(d.PageBreak(), d.Heading("Nächster Abschnitt", 1), d.Paragraph("Text"))
    pages = _contents(PdfReader(io.BytesIO(pdf_document(doc))), doc)
    assert len(pages) == 2 and "Gebiet 51" in pages[0] and "Quelle: Test" in pages[0]


@pytest.mark.browser
@pytest.mark.parametrize("areas", [[SOZIALRAUM], SOZIALRAEUME], ids=["one Sozialraum", "five Sozialräume"])
def test_kreistag_pdf_has_no_footer_only_page(con, exporter, areas):
    doc = kreistag.kreistag_document(con, areas, INDICATORS)
    reader = PdfReader(io.BytesIO(pdf_document(doc)))
    pages = _contents(reader, doc)
    assert all(pages), f"page {pages.index('') + 1} of {len(pages)} has only the footer"
    assert len(pages) == len(INDICATORS) + 2, "title page, one page per indicator, sources"
    kreis, today = data.area(con, KREIS).name, f"{date.today():%d.%m.%Y}"
    assert kreis in reader.metadata.title and today in reader.metadata.title
    first = re.sub(r"\s+", " ", pages[0])
    assert f"Bericht für den Kreistag – {kreis}" in first and today in first


# --- item 11: counts, interval and status next to each value -----------------------------------------------------


def test_xlsx_and_csv_carry_counts_and_the_wilson_interval(con):
    table = tables.value_table(con, [SOZIALRAUM, "99001-SR01"], "anteil_u18", years=[2023])
    row = _observation(con, SOZIALRAUM, "anteil_u18", 2023)
    low, high = _wilson_by_hand(row["numerator"], row["denominator"])
    csv_rows = tables.read_csv_table(tables.csv_bytes(table)).set_index("Schlüssel")
    columns = list(csv_rows.reset_index().columns)
    assert columns[columns.index("Wert") + 1 : columns.index("Wert") + 6] == [
        "Status", "Zähler", "Nenner", "95-%-Intervall unten", "95-%-Intervall oben"], "next to the value"  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(table)))["Daten"]
    head = next(r for r in range(1, book.max_row + 1) if book.cell(r, 1).value == "Gebiet")
    xlsx_rows = pd.read_excel(io.BytesIO(tables.xlsx_bytes(table)), header=head - 1, dtype={"Schlüssel": str})
    for frame in (csv_rows, xlsx_rows.set_index("Schlüssel")):
        got = frame.loc[SOZIALRAUM]
        assert (got["Zähler"], got["Nenner"]) == (row["numerator"], row["denominator"])
        assert got["95-%-Intervall unten"] == pytest.approx(low, rel=1e-12)
        assert got["95-%-Intervall oben"] == pytest.approx(high, rel=1e-12)
        assert got["95-%-Intervall unten"] < got["Wert"] < got["95-%-Intervall oben"]
        kreis = _observation(con, KREIS, "anteil_u18", 2023)
        assert (frame.loc[KREIS, "Zähler"], frame.loc[KREIS, "Nenner"]) == (kreis["numerator"], kreis["denominator"])
    count_cell = book.cell(head + 1, list(table.rows.columns).index("Zähler") + 1)
    assert isinstance(count_cell.value, (int, float)) and count_cell.number_format == "#,##0"


def test_interval_only_for_proportions_and_counts_never_for_withheld_values(con):
    quotient = tables.value_table(con, [SOZIALRAUM], "altenquotient", years=[2023]).rows.set_index("Schlüssel")
    row = _observation(con, SOZIALRAUM, "altenquotient", 2023)
    assert quotient.loc[SOZIALRAUM, "Zähler"] == row["numerator"], "counts of a quotient are shown"
    assert pd.isna(quotient.loc[SOZIALRAUM, "95-%-Intervall unten"]), "'je 100 Personen' is no proportion"
    gap, year = con.execute(
        "SELECT o.area_id, o.year FROM observations o JOIN areas a USING (area_id) WHERE a.level = 'gemeinde' "
        "AND o.indicator_id = 'sgb2_quote' AND o.status = 'suppressed' ORDER BY o.year DESC LIMIT 1").fetchone()  # fmt: skip
    withheld = tables.value_table(con, [gap], "sgb2_quote", years=[year]).rows.set_index("Schlüssel").loc[gap]
    assert withheld["Status"] == "wegen kleiner Fallzahl unterdrückt"
    assert withheld[["Wert", "Zähler", "Nenner", "95-%-Intervall unten", "95-%-Intervall oben"]].isna().all()


def test_area_table_has_counts_for_the_area_the_kreis_and_the_land(con, land_db: Path):
    with connect(land_db, read_only=True) as c:
        raw = tables.csv_bytes(tables.area_table(c, SOZIALRAUM, 2023))
    rows = tables.read_csv_table(raw).set_index("Kennung")
    for prefix, area_id in (("", SOZIALRAUM), ("Kreis ", KREIS), ("Land ", LAND)):
        with connect(land_db, read_only=True) as c:
            expected = _observation(c, area_id, "anteil_u18", 2023)
        low, high = _wilson_by_hand(expected["numerator"], expected["denominator"])
        got = rows.loc["anteil_u18"]
        assert (got[f"{prefix}Zähler"], got[f"{prefix}Nenner"]) == (expected["numerator"], expected["denominator"])
        assert (got[f"{prefix}95-%-Intervall unten"], got[f"{prefix}95-%-Intervall oben"]) == pytest.approx((low, high))
    assert rows.loc["anteil_u18", "Land"] == pytest.approx(_observation(con, KREIS, "anteil_u18", 2023)["value"] + 0.5)
    plain = tables.read_csv_table(tables.csv_bytes(tables.area_table(con, SOZIALRAUM, 2023))).set_index("Kennung")
    assert plain.loc["anteil_u18", "Land Status"] == "keine Angabe in den Quellen", "no Land value: said, not invented"
