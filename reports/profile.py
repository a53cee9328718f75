"""Steckbrief (area profile) of a Gemeinde, Verbandsgemeinde or Sozialraum: 1–2 A4 pages as PDF.

Page 1: key indicators against the Kreis – with the Land and Germany beside it where the build has their values –,
age structure against the Kreis, population development (an index on one base year, ``reports.charts``).
Then: offers per Lebensphase (or 'keine Angebotsdaten'), sources and licences; the Sozialraum mapping credited as
the Kreis's configuration declares it (official or a working assumption).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb
import pandas as pd

from planning import queries
from planning.chain import NOT_CAPTURED_TEXT
from planning.comparison import NOT_ASSESSED, compare
from planning.coverage_dimensions import captured_categories
from planning.indicator_metadata import sozialraum_credit
from planning.reference_gaps import BUND, LAND, gaps_footnote, reference_gaps
from planning.formatting import number, value_text
from reports import credits, data, figures, tables
from reports import document as d
from reports.pdf import pdf_document
from reports.render import MIME, ExportFile, file_stem

# In this order, as far as the database has them for the area: who lives there, social situation, care.
KEY_INDICATORS = (
    "bev_insgesamt", "anteil_u18", "anteil_u6", "anteil_65plus", "jugendquotient", "altenquotient",
    "sgb2_quote", "kinderarmut", "mindestsicherungsquote", "alq", "betreuungsquote_u3", "betreuungsquote_3_6",
    "hze_je_1000_u21", "anteil_alleinerziehende", "bevoelkerungsdichte",
)  # fmt: skip
MAX_ROWS = 14  # keeps the profile at two pages


def _key_rows(con: duckdb.DuckDBPyConnection, a: data.Area, ids: Sequence[str]) -> tuple[pd.DataFrame, set[str], str | None]:
    """Indicator | Jahr | area | Kreis | Land | Deutschland | Vergleich, each indicator at its latest year for the
    area, Kreis, Land and Germany in that same year. The Land and Deutschland columns appear where any row has a
    value for them; the footnote says why a Land/Deutschland value is missing (``planning.reference_gaps``)."""
    known = set(con.execute("SELECT indicator_id FROM indicators").df()["indicator_id"])
    land_id, bund_id = data.land_id(a.kreis_id), queries.bund_id_on(con)
    rows, sources, gaps = [], set(), []
    for indicator_id in [i for i in ids if i in known]:
        years = data.years(con, indicator_id, [a.area_id])
        if not years:
            continue
        ind = data.indicator(con, indicator_id)
        found = data.series(con, [a.area_id, a.kreis_id, land_id, *([bund_id] if bund_id else [])], indicator_id)
        gaps.append((ind.label, years[-1], reference_gaps(years[-1], found[found["area_id"] == land_id],
                                                          found[found["area_id"] == bund_id] if bund_id else None)))
        found = found[found["year"] == years[-1]].drop_duplicates("area_id").set_index("area_id")
        own = found.loc[a.area_id]

        def shown(area_id: str | None) -> str:
            row = found.loc[area_id] if area_id in found.index else None
            return value_text(row["value"], row["status"], ind.decimals) if row is not None else "–"

        kreis = found.loc[a.kreis_id] if a.kreis_id in found.index else None
        kreis_value = kreis["value"] if kreis is not None and kreis["status"] in ("ok", "zero") else None
        verdict = compare(value=own["value"], status=own["status"], numerator=own["numerator"],
                          denominator=own["denominator"], unit=ind.unit, per=ind.per, polarity=ind.polarity,
                          benchmark=kreis_value)  # fmt: skip
        rows.append({
            "Kennzahl": f"{ind.label} ({ind.unit})" if ind.unit_suffix else ind.label,
            "Jahr": str(years[-1]),
            data.LEVEL_SINGULAR[a.level]: value_text(own["value"], own["status"], ind.decimals),
            "Kreis": shown(a.kreis_id), "Land": shown(land_id), "Deutschland": shown(bund_id),
            "Vergleich mit dem Kreis": "–" if verdict.category == NOT_ASSESSED else verdict.label,
        })  # fmt: skip
        sources |= credits.source_ids_of(found.reset_index())
        if len(rows) == MAX_ROWS:
            break
    table = pd.DataFrame(rows)
    for column in ("Land", "Deutschland"):
        if column in table and (table[column] == "–").all():
            table = table.drop(columns=column)
    shown = [reference for reference, column in ((LAND, "Land"), (BUND, "Deutschland")) if column in table]
    return table, sources, gaps_footnote(gaps, shown)


def _key_widths(table: pd.DataFrame) -> tuple[float, ...]:
    """Column widths (cm, 18 in all) of the key table: narrower value columns where Land and Germany join it."""
    references = len([c for c in ("Land", "Deutschland") if c in table])
    return {0: (7.4, 1.2, 2.8, 2.8, 3.8), 1: (6.0, 1.1, 2.4, 2.4, 2.4, 3.7)}.get(references, (5.4, 1.1, 2.1, 2.1, 2.1, 2.1, 3.1))


def _credit_lines(con: duckdb.DuckDBPyConnection, found: list[credits.Credit], kreis_id: str) -> list[str]:
    """The credit lines; the Sozialraum mapping's as its config declares it (``planning.indicator_metadata``)."""
    mapping = queries.mapping_source_on(con, kreis_id) if any(c.kind == "sozialraum_mapping" for c in found) else {}
    return [f"{sozialraum_credit(mapping)} – {c.what}" if c.kind == "sozialraum_mapping" else c.line for c in found]


def _offers(con: duckdb.DuckDBPyConnection, a: data.Area) -> tuple[list[d.Block], set[str]]:
    """Offers per Lebensphase against the Kreis. A phase no offer list of the Kreis captures reads "○ nicht erfasst"
    (as in the Präventionskette), not 0: nothing is known about its offers."""
    found = data.offers_by_phase(con, a)
    if found is None:
        return [d.Paragraph("keine Angebotsdaten: Für diesen Kreis ist keine Angebotsliste geladen.")], set()
    capture = queries.offer_capture_on(con, a.kreis_id)
    known = found["phase_id"].isin(captured_categories(capture, capture, "lebensphase"))  # capture rows carry their phases

    def shown(values: pd.Series, text) -> list[str]:
        return [text(v) if k else "–" for v, k in zip(values, known)]

    table = pd.DataFrame({
        "Lebensphase": found["phase"],
        "Anzahl": [number(n, 0) if k else NOT_CAPTURED_TEXT for n, k in zip(found["offers"], known)],
        "je 1.000 der Zielgruppe": shown(found["offers_per_1000"], lambda v: number(v, 1)),
        "Kreis je 1.000": shown(found["kreis_per_1000"], lambda v: number(v, 1)),
        "Plätze je 100": shown(found["capacity_per_100"], lambda v: number(v, 1)),
        "Angebotsarten": found["types"].replace("", "–"),
    })  # fmt: skip
    # "○ nicht erfasst" needs a wider count column; the types then wrap a little earlier
    widths = (3.4, 1.7, 2.0, 1.6, 1.6, 7.7) if known.all() else (3.4, 2.4, 2.0, 1.6, 1.6, 7.0)
    blocks: list[d.Block] = [d.Table(table, widths=widths, right=(1, 2, 3, 4))]
    if not known.all():
        blocks.append(d.Paragraph(
            f"{NOT_CAPTURED_TEXT}: keine geladene Angebotsliste des Kreises enthält Angebote für "
            f"{', '.join(found.loc[~known, 'phase'])} – ob es welche gibt, ist unbekannt (nicht „kein Angebot“).", "small",
        ))  # fmt: skip
    return blocks, set(found.attrs["source_ids"])


def _charts(con: duckdb.DuckDBPyConnection, a: data.Area) -> tuple[list[d.Block], set[str]]:
    """Age structure against the Kreis and population development (index), where the data allow."""
    blocks: list[d.Block] = []
    sources: set[str] = set()
    age_years = data.age_years(con, a.area_id)
    ages = data.age_structure(con, a.area_id, age_years[-1]) if age_years else None
    if ages is not None and ages[["m", "w"]].sum().sum() > 0:  # a gemeindefreies Gebiet may have nobody
        blocks.append(d.Figure(figures.age_pyramid_figure(con, a.area_id, plot_height=215)))
        sources |= set(ages.attrs["source_ids"])
    if data.years(con, "bev_insgesamt", [a.area_id]):
        blocks.append(d.Figure(figures.time_series_figure(con, [a.area_id], "bev_insgesamt", index=True,
                                                          plot_height=130)))  # fmt: skip
        sources |= credits.source_ids_of(data.series(con, [a.area_id, a.kreis_id], "bev_insgesamt"))
    return blocks, sources


def steckbrief_document(db: data.Db, area_id: str, *, indicator_ids: Sequence[str] = KEY_INDICATORS,
                        extra_blocks: Sequence[d.Block] = ()) -> d.Document:  # fmt: skip
    """The Steckbrief as neutral blocks (``reports.pdf`` or ``reports.word`` render it); ``extra_blocks`` (e.g. the
    area's goals from the workspace) come before the sources."""
    with data.connection(db) as con:
        a = data.area(con, area_id)
        if a.level not in ("gemeinde", "verbandsgemeinde", "sozialraum", "jugendamt") or a.kreis_id is None:
            raise ValueError(f"a Steckbrief is made for an area inside a Kreis, not for {a.level} {a.name!r}")
        kreis = data.area(con, a.kreis_id)
        demo = data.is_demo(con)
        key, sources, reference_note = _key_rows(con, a, indicator_ids)
        offers, offer_sources = _offers(con, a)
        members = data.member_names(con, a)
        charts, chart_sources = _charts(con, a)
        sources |= chart_sources | offer_sources | set(credits.extra_source_ids(con, a.kreis_id, [a.level]))
        found = credits.credits(con, sources)
        credit_lines = _credit_lines(con, found, a.kreis_id)
        built = data.build_facts(con).get("built_at", "")[:10]

    title = f"Steckbrief {data.LEVEL_SINGULAR[a.level]} {a.name}"
    footer = f"{tables.PRODUCT} · {title} · {kreis.name} · erstellt am {date.today():%d.%m.%Y}"
    doc = d.Document(title, footer, demo=demo, file_stem=file_stem("steckbrief", a.level, a.name, kreis.name))
    doc.add(d.Heading(title, 1))
    doc.add(d.Paragraph(kreis.name + (f" · Gemeinden: {', '.join(members)}" if members else "")))
    if demo:
        doc.add(d.Paragraph("Demodaten – keine amtlichen Zahlen", "warning"))
    doc.add(d.Heading("Kennzahlen im Vergleich zum Kreis", 2))
    if key.empty:
        doc.add(d.Paragraph("Für dieses Gebiet liegen keine Kennzahlen vor."))
    else:
        doc.add(d.Table(key, widths=_key_widths(key), right=tuple(range(1, len(key.columns) - 1))),
                d.Paragraph("Vergleich: liegt das 95-%-Konfidenzintervall (Wilson) des Anteils ganz über oder unter dem "
                            "Kreiswert, heißt es höher/niedriger (bzw. besser/schlechter, wo die Richtung eindeutig ist), "
                            "sonst ähnlich; nur für Anteile in % mit Zähler und Nenner, sonst –.", "small"))  # fmt: skip
        if reference_note:
            doc.add(d.Paragraph(reference_note, "small"))
    doc.add(*charts)
    doc.add(d.Heading("Angebote nach Lebensphase", 2), *offers)
    doc.add(*extra_blocks)
    doc.add(d.Heading("Quellen und Lizenzen", 2))
    doc.add(*[d.Paragraph(line, "small") for line in credit_lines])
    if built:
        doc.add(d.Paragraph(f"Datenbank erstellt am {credits.german_date(built)}.", "small"))
    return doc


def steckbrief_pdf(db: data.Db, area_id: str, *, indicator_ids: Sequence[str] = KEY_INDICATORS,
                   extra_blocks: Sequence[d.Block] = ()) -> ExportFile:  # fmt: skip
    """The Steckbrief as PDF, named 'steckbrief_<ebene>_<gebiet>_<kreis>.pdf'."""
    doc = steckbrief_document(db, area_id, indicator_ids=indicator_ids, extra_blocks=extra_blocks)
    return ExportFile(f"{doc.file_stem}.pdf", pdf_document(doc), MIME["pdf"])
