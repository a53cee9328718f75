"""The one-page "Szenario" section of the Kreistag report: what the scenario changes, and what that changes for
coverage, accessibility, the Präventionskette and the gap ranking. The Präventionskette cells keep the page's
marks ('✕' prints as '×' in the PDF, whose font lacks it: ``reports.pdf.printable``). Long tables are cut to
``MAX_ROWS`` rows with a note pointing to the xlsx, so that the section stays one page."""
from __future__ import annotations

from datetime import date

import pandas as pd

from planning import scenarios
from planning.formatting import number
from reports import document as d
from reports import tables
from reports.render import file_stem
from reports.scenario_tables import ScenarioDifferences

MAX_ROWS = 8
# narrower headings for the printed page (the xlsx keeps the long ones); the method paragraph names 2SFCA
SHORT_COLUMNS = {"Erreichbarkeit vorher": "2SFCA vorher", "Erreichbarkeit nachher": "2SFCA nachher",
                 "Erreichbarkeit ±": "2SFCA ±", "Rangpunkte vorher": "Punkte vorher", "Rangpunkte nachher": "Punkte nachher",
                 "Im Umkreis vorher (%)": "Umkreis vorher %", "Im Umkreis nachher (%)": "Umkreis nachher %"}  # fmt: skip


def _cut(frame: pd.DataFrame, what: str) -> tuple[pd.DataFrame, str]:
    if len(frame) <= MAX_ROWS:
        return frame, ""
    return frame.head(MAX_ROWS), f"… und {number(len(frame) - MAX_ROWS)} weitere {what} (alle in der xlsx-Datei „Szenario“)."


def scenario_section(found: ScenarioDifferences, number_in_report: int | None = None) -> list[d.Block]:
    """Heading, the changes, before/after of the Gemeinden that change, changed Präventionskette cells, gap moves
    and the method – as report blocks (``reports.document``) for the PDF and the Word file."""
    prefix = f"{number_in_report}. " if number_in_report else ""
    blocks: list[d.Block] = [
        d.Heading(f"{prefix}Szenario „{found.scenario.name}“: {found.type_label}", 1),
        d.Paragraph("Gedachte Änderungen an den Angeboten – die veröffentlichten Daten bleiben unverändert. "
                    "Verglichen wird jede Kennzahl mit den veröffentlichten Angeboten (vorher) und mit denen des "
                    "Szenarios (nachher)."),  # fmt: skip
        d.Table(found.changes, widths=(1.2, 16.8), right=(0,)),
    ]
    compared, more = _cut(scenarios.comparison_table(found.comparison).rename(columns=SHORT_COLUMNS), "Gemeinden")
    blocks.append(d.Heading("Versorgung und Erreichbarkeit (Gemeinden, die sich ändern)", 2))
    if compared.empty:
        blocks.append(d.Paragraph("Keine Gemeinde ändert sich."))
    else:
        others = len(compared.columns) - 1  # the share within reach is left out with a travel-time matrix
        blocks.append(d.Table(compared, widths=(3.0, *[15.0 / others] * others), right=tuple(range(1, others + 1))))
    for title, frame, what, empty, widths in (
        ("Präventionskette: Zellen, die ihren Status ändern", found.chain, "Zellen",
         "Keine Zelle ändert ihren Status.", (3.6, 4.0, 5.2, 5.2)),
        ("Lückenranking: Verschiebungen", found.gaps.rename(columns=SHORT_COLUMNS), "Verschiebungen", "Keine Lücke verschiebt sich.",
         (3.0, 3.0, 1.6, 1.6, 4.4, 2.2, 2.2)),
    ):  # fmt: skip
        shown, cut = _cut(frame, what)
        more = " ".join(filter(None, [more, cut]))
        blocks.append(d.Heading(title, 2))
        blocks.append(d.Table(shown, widths=widths) if not shown.empty else d.Paragraph(empty))
    method = (f"2SFCA = Erreichbarkeit in {found.comparison.unit}. {found.comparison.method_text} Präventionskette: Regel der Seite "
              "Präventionskette (Angebote je 1.000 der Zielgruppe; schwach unter der Hälfte des Kreiswerts). "
              "Lückenranking: Rangpunkte = Zielgruppe × Lücke × Sozialfaktor, Entfernungen für das Szenario nicht neu gemessen.")  # fmt: skip
    blocks.append(d.Paragraph(" ".join(filter(None, [more, method])), "small"))
    return blocks


def scenario_document(found: ScenarioDifferences, kreis_name: str, demo: bool) -> d.Document:
    """The section alone as a document (the page's PDF download)."""
    today = f"{date.today():%d.%m.%Y}"
    doc = d.Document(f"Szenario „{found.scenario.name}“ – {kreis_name}, {today}",
                     f"{tables.PRODUCT} · {kreis_name} · Szenario · {today}", demo=demo,
                     file_stem=file_stem("szenario", found.scenario.name, kreis_name, today))  # fmt: skip
    if demo:
        doc.add(d.Paragraph("Demodaten – keine amtlichen Zahlen.", "warning"))
    return doc.add(*scenario_section(found))
