"""Rankings in print and the whole Kreistag report on real data (issue 11 item 10): no reference line squeezes the
bars or crosses their value labels; no page without content.

A count (Arbeitslose, Einwohner) of a Gemeinde has no yardstick in the Kreis' total: the Kreis line of 2,625
unemployed beside Gemeinden of 300 shrank every bar to a sliver. A rate keeps Kreis, Land and Bund as lines, drawn
behind the bars, the value labels with a white halo.
"""
from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from etl.db import connect
from reports import charts, figures, kreistag, render
from reports.pdf import pdf_document

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


# --- the whole report on real data ------------------------------------------------------------------------------------

REAL_INDICATORS = ["anteil_u18", "sgb2_quote", "altenquotient", "bev_insgesamt", "alo", "kinderarmut"]


@pytest.mark.browser
@pytest.mark.realdata
def test_trier_saarburg_report_has_no_empty_page_and_states_trends(shared_data: Path, chromium_path: Path, tmp_path: Path):
    """Trier-Saarburg built by key (Land and Bund from the national tables), its six Verbandsgemeinden: title page,
    one page per indicator – also for the two without values for Verbandsgemeinden, which show Kreis, Land and Bund
    – and the sources; every page carries more than its footer."""
    out = tmp_path / "ts.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "build", "--kreis", "07235", "--out", str(out)], check=True,
                   cwd=Path(__file__).resolve().parent.parent, capture_output=True)  # fmt: skip
    with connect(out, read_only=True) as con:
        ids = [r[0] for r in con.execute("SELECT area_id FROM areas WHERE level = 'verbandsgemeinde' ORDER BY area_id").fetchall()]
        doc = kreistag.kreistag_document(con, ids, REAL_INDICATORS)
    try:
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf_document(doc))).pages]
    finally:
        render.stop()
    bodies = [re.sub(r"Seite \d+", "", p.replace(doc.running_footer, "")).strip() for p in pages]
    assert len(pages) == len(REAL_INDICATORS) + 2 and all(len(b) > 200 for b in bodies), [len(b) for b in bodies]
    population = re.sub(r"\s+", " ", next(b for b in bodies if b.startswith("4. Einwohner insgesamt")))
    assert "Trend (letzte 5 Jahre mit Werten)" in population and "Deutschland" in population
    assert re.search(r"steigend \(\+\d,\d % pro Jahr; p [<=] 0,\d+\), 2011–2015", population), population[-1500:]
    assert "Poisson-Regression" in population
    sgb2 = re.sub(r"\s+", " ", bodies[1 + REAL_INDICATORS.index("sgb2_quote")])
    assert "keine Werte vor; zum Vergleich" in sgb2 and "Rheinland-Pfalz (Land)" in sgb2
