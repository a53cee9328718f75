"""Kreistag report: chosen areas × chosen indicators → one PDF and one .docx with the same content.

Title page (title with the county, date, chosen areas, Demodaten label, contents), then one page per indicator:
definition, a map of all areas of the chosen areas' level (chosen ones outlined), a chart and a table of the last
three years with Kreis, Land and Bund (a note where the database has no Land value) and, beside each row, its trend
over the last five years with values in the screen's words (``reports.trend_text``; the test named below the
table), the table's sources; last a sources page. An indicator the chosen areas have no value of gets a short
section with the Kreis, Land and Bund values; such sections following each other share a page. No page is left
empty: a page break right after a full page is skipped (``reports.pdf``). The chart is the development over the
years of the chosen areas against Kreis, Land and Bund; with a single year or more than ``MAX_LINES`` areas (too
many lines to tell apart) it is the ranking of all areas of the level instead, as bars up to ``MAX_BARS`` areas and
as dots on one axis beyond.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from planning.comparison import polarity_text
from reports import credits, data, figures, tables, trend_text
from reports import document as d
from reports.pdf import pdf_document
from reports.render import MIME, ExportFile, file_stem
from reports.word import docx_document

Progress = Callable[[float, str], None]  # share done (0–1), what is being done, in German for the user
MAX_LINES = 8
MAX_BARS = 30  # more areas than this: bars would be too thin to read on the page, dots on one axis instead
TABLE_YEARS = 3
DEFAULT_TITLE = "Bericht für den Kreistag"


@dataclass(frozen=True)
class KreistagReport:
    pdf: ExportFile
    docx: ExportFile


def _indicator_section(
    con: duckdb.DuckDBPyConnection, number: int, areas: list[data.Area], indicator_id: str, year: int | None,
) -> tuple[list[d.Block], list[credits.Credit]]:  # fmt: skip
    """Heading, definition, map, chart, table and sources of one indicator; the credits it used."""
    ind = data.indicator(con, indicator_id)
    kreis_id, level = areas[0].kreis_id, areas[0].level
    ids = [a.area_id for a in areas]
    heading = d.Heading(f"{number}. {ind.label}", 1)
    years = data.years(con, indicator_id, ids)
    if not years:
        return _without_values(con, heading, ind, kreis_id, level)
    year = year if year in years else years[-1]
    if len(years) > 1 and len(ids) <= MAX_LINES:
        # a count of the Kreis dwarfs that of a Gemeinde on one axis: counts without Kreis and Land (see the table)
        chart = figures.time_series_figure(con, ids, indicator_id, plot_height=160, comparators=ind.kind != "count")
    elif len(data.level_values(con, kreis_id, level, indicator_id, year)) <= MAX_BARS:
        chart = figures.ranking_figure(con, kreis_id, level, indicator_id, year, highlight=ids)
    else:
        chart = figures.distribution_figure(con, kreis_id, level, indicator_id, year, highlight=ids)
    values = tables.value_table(con, ids, indicator_id, years=years[-TABLE_YEARS:])
    said = trend_text.trend_statement(con, ind, [*ids, *data.reference_ids(con, kreis_id)])
    table = _value_table(values, said)
    ids_used = set(data.indicator_source_ids(con, kreis_id, indicator_id, years))
    used = credits.credits(con, ids_used | set(credits.extra_source_ids(con, kreis_id, [level], geometry=True)),
                           years=years)  # fmt: skip
    note = " ".join(filter(None, [_land_note(con, kreis_id, values), said.note,
                                  credits.footer_text(values.credits, prefix="Quelle der Tabelle")]))  # fmt: skip
    return [
        heading,
        d.Paragraph(" ".join([_sentence(ind.definition), _sentence(f"Einheit: {ind.unit or '–'}"), polarity_text(ind.polarity)])),
        d.Figure(figures.map_figure(con, kreis_id, level, indicator_id, year, highlight=ids, plot_height=260)),
        d.Figure(chart),
        table,
        d.Paragraph(note, "small"),
    ], used


# the trend column fits its longest verdict on one line, up to 'steigend – ungünstig (+0,4 Prozentpunkte pro Jahr;
# p = 0,003)' and 'zu wenige Jahre für einen Trend (4 von 5 Jahren mit Werten)' (8.2 cm at 8 pt)
TREND_MAX_CM, CM_PER_CHAR, PADDING_CM = 8.3, 0.14, 0.5
YEAR_CM = 1.7


def _value_table(values: tables.ValueTable, said: trend_text.TrendStatement) -> d.Table:
    """The last three years of each area, Kreis, Land and Bund, with each one's trend beside its values
    (``reports.trend_text``) where the series has more than one year."""
    if not said.by_area:
        table = tables.wide_text(values, TABLE_YEARS)
        shown = len(table.columns) - 1
        return d.Table(table, widths=(18.0 - 2.6 * shown, *[2.6] * shown), right=tuple(range(1, shown + 1)))
    table = tables.wide_text(values, TABLE_YEARS, extra=(said.title, said.by_area))
    shown = len(table.columns) - 2
    trend_cm = min(TREND_MAX_CM, PADDING_CM + CM_PER_CHAR * max(len(t) for t in table.iloc[:, -1]))
    return d.Table(table, widths=(18.0 - trend_cm - YEAR_CM * shown, *[YEAR_CM] * shown, trend_cm),
                   right=tuple(range(1, shown + 1)))  # fmt: skip


def _without_values(
    con: duckdb.DuckDBPyConnection, heading: d.Heading, ind: data.Indicator, kreis_id: str, level: str,
) -> tuple[list[d.Block], list[credits.Credit]]:  # fmt: skip
    """A section for an indicator the chosen areas have no value of: it says so and shows Kreis, Land and Bund
    where they have values (their last three years and their trend), so the page is not empty."""
    references = data.reference_ids(con, kreis_id)
    years = data.years(con, ind.indicator_id, references)
    if not years:
        return [heading, d.Paragraph("Für die gewählten Gebiete liegen keine Werte vor.")], []
    said = d.Paragraph("Für die gewählten Gebiete liegen keine Werte vor; zum Vergleich die Werte "
                       "von Kreis, Land und Bund, soweit die Datenbank sie enthält.")  # fmt: skip
    values = tables.value_table(con, references, ind.indicator_id, years=years[-TABLE_YEARS:], comparators=False)
    trends = trend_text.trend_statement(con, ind, references)
    note = " ".join(filter(None, [trends.note, credits.footer_text(values.credits, prefix="Quelle der Tabelle")]))
    return [
        heading,
        d.Paragraph(" ".join([_sentence(ind.definition), _sentence(f"Einheit: {ind.unit or '–'}")])),
        said,
        _value_table(values, trends),
        d.Paragraph(note, "small"),
    ], list(values.credits)


def _sentence(text: str) -> str:
    """The text ending with one full stop ('… 20–64 J.' keeps its own, no 'J..')."""
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else f"{text}."


def _land_note(con: duckdb.DuckDBPyConnection, kreis_id: str, values: tables.ValueTable) -> str:
    """Says so when the Land has no value in the table's years: the table then shows areas and Kreis only."""
    if (values.rows["Schlüssel"] == data.land_id(kreis_id)).any():
        return ""
    try:
        land = data.area(con, data.land_id(kreis_id)).name
    except KeyError:
        land = "das Land"
    return f"{land}: kein Landeswert für diese Kennzahl in der Datenbank."


def _sources_page(all_credits: list[credits.Credit], built: str) -> list[d.Block]:
    frame = pd.DataFrame([{
        "Namensnennung": c.attribution,
        "Inhalt": c.what or "–",
        "Herausgeber": c.publisher or "–",
        "Lizenz": c.licence or "–",
        "Datenstand": ", ".join(c.stands) or "–",
    } for c in all_credits])  # fmt: skip
    blocks: list[d.Block] = [d.Heading("Quellen und Lizenzen", 1), d.Table(frame, widths=(4.2, 4.6, 3.2, 3.6, 2.4))]
    blocks.append(d.Paragraph(
        "Karten: Gebietsgrenzen für die Darstellung vereinfacht. Werte, die in der Quelle fehlen, geheim gehalten "
        "oder wegen kleiner Fallzahl unterdrückt sind, werden mit ihrem Grund gezeigt, nie als 0."
        + (f" Datenbank erstellt am {credits.german_date(built)}." if built else ""), "small"))  # fmt: skip
    return blocks


def _silent(share: float, text: str) -> None:
    pass


def _short(blocks: list[d.Block]) -> bool:
    """A section without map and chart (the chosen areas have no value): a few lines only."""
    return not any(isinstance(b, (d.Figure, d.FigureRow)) for b in blocks)


def _paged(parts: list[list[d.Block]]) -> list[d.Block]:
    """Each indicator on a page of its own, except that short sections following each other share a page."""
    out: list[d.Block] = []
    for i, blocks in enumerate(parts):
        out += blocks
        if not (_short(blocks) and i + 1 < len(parts) and _short(parts[i + 1])):
            out.append(d.PageBreak())
    return out


def kreistag_document(
    db: data.Db, area_ids: Sequence[str], indicator_ids: Sequence[str], *, year: int | None = None,
    title: str = DEFAULT_TITLE, progress: Progress = _silent, extra_blocks: Sequence[d.Block] = (),
) -> d.Document:  # fmt: skip
    """The report as neutral blocks; ``year`` for the maps (default: each indicator's latest); ``extra_blocks``
    (e.g. ``reports.scenario_report.scenario_section``) on pages of their own before the sources.

    ``progress`` hears of each indicator (shares 0 to 1 of this step).
    """
    if not area_ids or not indicator_ids:
        raise ValueError("a Kreistag report needs at least one area and one indicator")
    with data.connection(db) as con:
        areas = [data.area(con, a) for a in area_ids]
        if len({a.kreis_id for a in areas}) != 1 or areas[0].kreis_id is None or len({a.level for a in areas}) != 1:
            raise ValueError("the areas of a Kreistag report must be of one level and lie in one Kreis")
        kreis = data.area(con, areas[0].kreis_id)
        demo = data.is_demo(con)
        built = data.build_facts(con).get("built_at", "")[:10]
        labels = [data.indicator(con, i).label for i in indicator_ids]
        parts, used = [], []
        for n, indicator_id in enumerate(indicator_ids, start=1):
            progress((n - 1) / len(indicator_ids), f"Kennzahl {n} von {len(indicator_ids)}: {labels[n - 1]}")
            blocks, found = _indicator_section(con, n, areas, indicator_id, year)
            parts.append(blocks)
            used += found
    sections = _paged(parts)

    today = f"{date.today():%d.%m.%Y}"
    level = data.LEVEL_PLURAL[areas[0].level] if len(areas) > 1 else data.LEVEL_SINGULAR[areas[0].level]
    chosen = areas[0].name if len(areas) == 1 else f"{len(areas)} Gebiete"
    heading = title if kreis.name in title else f"{title} – {kreis.name}"
    doc = d.Document(f"{heading}, {today}", f"{tables.PRODUCT} · {kreis.name} · {title} · {today}", demo=demo,
                     file_stem=file_stem("kreistag", kreis.name, chosen, today))  # fmt: skip
    doc.add(d.Heading(heading, 0), d.Paragraph(f"Stand: {today}", "lead"),
            d.Paragraph(f"{level}: {', '.join(a.name for a in areas)}"),
            d.Paragraph(f"Erstellt mit {tables.PRODUCT}" + (f" aus der Datenbank vom {credits.german_date(built)}" if built else "") + "."))  # fmt: skip
    if demo:
        doc.add(d.Paragraph("Demodaten – keine amtlichen Zahlen. Dieser Bericht zeigt erfundene Werte.", "warning"))
    doc.add(d.Heading("Inhalt", 2), d.Paragraph("\n".join(f"{n}. {label}" for n, label in enumerate(labels, 1))
                                                 + "\nQuellen und Lizenzen"), d.PageBreak())  # fmt: skip
    doc.add(*sections, *([*extra_blocks, d.PageBreak()] if extra_blocks else []), *_sources_page(sorted(dict.fromkeys(used), key=lambda c: c.order), built))
    return doc


def kreistag_report(
    db: data.Db, area_ids: Sequence[str], indicator_ids: Sequence[str], *, year: int | None = None,
    title: str = DEFAULT_TITLE, progress: Progress = _silent, extra_blocks: Sequence[d.Block] = (),
) -> KreistagReport:  # fmt: skip
    """PDF and .docx of the report in one call (the UI offers both downloads).

    ``progress`` (share of the whole, 0 to 1; text): collecting takes the first fifth, the images of the PDF
    and of the Word file most of the rest.
    """
    doc = kreistag_document(db, area_ids, indicator_ids, year=year, title=title, extra_blocks=extra_blocks,
                            progress=lambda share, text: progress(0.2 * share, text))  # fmt: skip
    progress(0.2, "PDF: Karten und Diagramme werden gezeichnet")
    pdf = pdf_document(doc)
    progress(0.6, "Word: Karten und Diagramme werden gezeichnet")
    word = docx_document(doc)
    progress(1.0, "fertig")
    return KreistagReport(
        pdf=ExportFile(f"{doc.file_stem}.pdf", pdf, MIME["pdf"]),
        docx=ExportFile(f"{doc.file_stem}.docx", word, MIME["docx"]),
    )
