"""Every character the PDF prints has a glyph in the PDF's font, and no table word is broken (issue 13, scenario
marks; issue 11 item 10, no clipped labels).

The PDF embeds Liberation Sans (CI installs fonts-liberation with chromium; DejaVu is not on a clean machine). A
character the font lacks prints as an empty box, so ``reports.pdf.printable`` replaces the screen's marks it lacks
('✕' → '×'); these tests read the font's own character map with fontTools, independently of reportlab.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from etl.db import connect
from planning import queries
from planning import scenarios as sc
from planning.accessibility import TWO_STEP, AccessParams
from reports import document as d
from reports import kreistag, pdf, profile, scenario_report, scenario_tables
from reports.pdf import pdf_document

KREIS = "99001"
LIBERATION = Path("/usr/share/fonts/truetype/liberation")


def _font_chars() -> set[int]:
    """Code points of the regular and the bold face the PDF uses, from the font files (fontTools)."""
    regular, bold = pdf._fonts()
    if not regular.startswith("Liberation"):
        pytest.skip(f"Liberation Sans is not installed (PDF font: {regular}); CI installs fonts-liberation")
    faces = [TTFont(LIBERATION / name).getBestCmap() for name in ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf")]
    return set(faces[0]) & set(faces[1])


def _texts(doc: d.Document) -> list[str]:
    """Every text the PDF writes with its own font: headings, paragraphs, table heads and cells, the footer."""
    out = [doc.running_footer]
    for block in doc.blocks:
        if isinstance(block, (d.Heading, d.Paragraph)):
            out.append(block.text)
        elif isinstance(block, d.Table):
            out += [str(c) for c in block.frame.columns] + [str(v) for v in block.frame.to_numpy().ravel()]
    return out


@pytest.fixture(scope="module")
def closed_school(demo_db: Path) -> scenario_tables.ScenarioDifferences:
    """The only Grundschule of Altenborn closes: its Präventionskette cell turns 'leer – kein Angebot' (marked ✕)."""
    from page_helpers import demo_context

    ctx = demo_context(demo_db)
    offers = queries.offers(ctx.db, KREIS)
    school = offers[(offers["gemeinde_id"] == "99001001") & (offers["offer_type"] == "grundschule")]
    scenario = sc.Scenario("Schule zu", KREIS, (sc.Change(sc.CLOSE, school["offer_id"].iloc[0]),))
    return scenario_tables.differences(ctx, scenario, "grundschule", AccessParams(TWO_STEP, 5000), "keine")


def test_the_pdf_font_is_liberation_sans_where_installed():
    if not (LIBERATION / "LiberationSans-Regular.ttf").is_file():
        pytest.skip("fonts-liberation not installed")
    assert pdf._fonts() == ("Liberation-Regular", "Liberation-Bold")


def test_every_character_of_report_steckbrief_and_scenario_has_a_glyph(demo_db: Path, closed_school):
    have = _font_chars()
    section = scenario_report.scenario_section(closed_school)
    with connect(demo_db, read_only=True) as con:
        docs = [
            kreistag.kreistag_document(con, ["99001-SR01", "99001-SR03"], ["anteil_u18", "sgb2_quote", "bev_insgesamt"],
                                       extra_blocks=section),
            profile.steckbrief_document(con, "99001-SR03"),
            profile.steckbrief_document(con, "99001001"),
        ]  # fmt: skip
    raw = "".join(t for doc in docs for t in _texts(doc))
    assert "✕" in raw, "fixture: the scenario's chain cell carries the screen's mark"
    printed = "".join(pdf.printable(t) for doc in docs for t in _texts(doc))
    missing = sorted({c for c in printed if ord(c) not in have and c not in "\n\t"})
    assert not missing, f"no glyph in the PDF font for {missing}"


def test_scenario_cells_print_their_marks_as_signs_the_font_has(closed_school):
    chain = closed_school.chain
    assert chain["Zelle nachher"].str.contains("✕").any(), "fixture: a cell turns empty"
    doc = scenario_report.scenario_document(closed_school, "Landkreis Musterland (Demodaten)", demo=True)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_document(doc))).pages)
    assert "✕" not in text
    cell = chain.loc[chain["Zelle nachher"].str.contains("✕"), "Zelle nachher"].iloc[0]
    assert re.sub(r"\s+", "", cell.replace("✕", "×")) in re.sub(r"\s+", "", text), "the cell with '×' for '✕'"


def test_printable_keeps_what_the_font_has_and_replaces_what_it_lacks():
    _font_chars()
    assert pdf.printable("0,8 ▼ · ○ nicht erfasst – „Kita“ ≥ 5 km²") == "0,8 ▼ · ○ nicht erfasst – „Kita“ ≥ 5 km²"
    assert pdf.printable("leer (0 ✕)") == "leer (0 ×)"


def test_table_columns_are_at_least_as_wide_as_their_longest_word():
    """The Steckbrief's key table with Land and Germany: 'Verbandsgemeinde' and 'Deutschland' printed whole."""
    table = pd.DataFrame({
        "Kennzahl": ["Einwohner insgesamt"], "Jahr": ["2015"], "Verbandsgemeinde": ["15.902"], "Kreis": ["147.999"],
        "Land": ["4.052.803"], "Deutschland": ["82.175.684"], "Vergleich mit dem Kreis": ["–"],
    })  # fmt: skip
    asked = profile._key_widths(table)
    doc = d.Document("Test", "Fußzeile").add(d.Table(table, widths=asked, right=(1, 2, 3, 4, 5)))
    text = PdfReader(io.BytesIO(pdf_document(doc))).pages[0].extract_text()
    assert "Verbandsgemeinde" in text and "Deutschland" in text, text
    widths = pdf.column_widths(doc.blocks[0], pdf._styles())
    assert sum(widths) == pytest.approx(sum(asked) * pdf.cm), "the table keeps its width"
    assert widths[0] < asked[0] * pdf.cm, "the wide Kennzahl column gives room"
