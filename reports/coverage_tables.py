"""The Präventionskette matrix and the gap list as .xlsx and German CSV, each with the header block the other
exports carry (what it shows, the rule, sources with licence and Datenstand, demo note). No Streamlit: the
dashboard's download panel (``dashboard.chain_view``) calls these writers when a button is pressed.

reports.tables writes one indicator per table; these tables are coverage figures across categories, so they get
their own small writer with the same conventions: CSV in UTF-8 with BOM, ``;``, decimal comma, a title line and
``Feld;Inhalt`` lines before the table; in the .xlsx numbers stay numbers. The .xlsx of the matrix has a second
sheet with the matrix as shown, its cells filled in the status colours.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from planning import chain, gaps, queries
from planning.context import LEVEL_SINGULAR, Context
from planning.coverage_dimensions import DIMENSION_SINGULAR, DIMENSIONS, categories_labels, level_label
from etl.spreadsheet import german_csv, xlsx_append
from reports import credits, data

PRODUCT = "Planungsatlas Familie"
HEAD_FILL = PatternFill("solid", fgColor="DDE6EE")


@dataclass(frozen=True)
class TableExport:
    """A table with its title and header block; ``shown`` (optional) is the display matrix with statuses."""

    title: str
    header: list[tuple[str, str]]
    table: pd.DataFrame
    shown: chain.ChainMatrix | None = None


def _source_lines(ctx: Context, indicator_ids: list[str], years: list[int]) -> list[credits.Credit]:
    """Offer lists of the Kreis, and the statistics behind the target groups (and the social indicator)."""
    con = queries.connection(ctx.db)
    with data.connection(con) as cur:
        ids = data.sources_of_kind(cur, ctx.kreis_id, "offers")
        for indicator_id in indicator_ids:
            ids += data.indicator_source_ids(cur, ctx.kreis_id, indicator_id, years)
        return credits.credits(cur, dict.fromkeys(ids))


def _header(ctx: Context, lines: list[tuple[str, str]], found: list[credits.Credit]) -> list[tuple[str, str]]:
    def unique(values) -> str:
        return "; ".join(dict.fromkeys(v for v in values if v))

    header = [
        ("Kreis", ctx.kreis_name),
        *lines,
        ("Quellen", unique(c.line for c in found)),
        ("Erstellt", f"{PRODUCT}, {date.today():%d.%m.%Y}"),
    ]
    if ctx.demo:
        header.append(("Hinweis", "Demodaten – keine amtlichen Zahlen"))
    return header


def matrix_export(ctx: Context, level: str, dimension: str, metric_key: str, weak_share: float, distance_km: float, shown: chain.ChainMatrix) -> TableExport:
    """Every cell of the matrix as a row (area, category, figures, Kreis value, status), plus the matrix as shown."""
    metric = chain.METRICS[metric_key]
    labels = categories_labels(ctx, dimension)
    order = {c: i for i, c in enumerate(labels)}
    # as the matrix reads: the Kreis first, areas alphabetically, categories in chain (taxonomy) order
    cells = shown.cells.assign(
        _area=[("" if k else chain.german_sort_key(n)) for k, n in zip(shown.cells["is_kreis"], shown.cells["name"])],
        _category=shown.cells["category"].map(order),
    ).sort_values(["is_kreis", "_area", "_category"], ascending=[False, True, True])
    # where no offer list captures the category its figures are unknown, not 0: left empty, the status says why
    known = cells["status"] != chain.NOT_CAPTURED
    table = pd.DataFrame(
        {
            "Gebiet": np.where(cells["is_kreis"], ctx.kreis_name, cells["name"]),
            "Schlüssel": np.where(cells["is_kreis"], ctx.kreis_id, cells["area_id"]),
            "Ebene": np.where(cells["is_kreis"], "Kreis", LEVEL_SINGULAR[level]),
            DIMENSION_SINGULAR[dimension]: cells["category"].map(labels),
            "Angebote": cells["offers"].where(known),
            "Zielgruppe": cells["target_population"],
            "Angebote je 1.000": cells["offers_per_1000"].where(known),
            "Plätze je 100": cells["capacity_per_100"].where(known),
            **(
                {"Anteil in Reichweite (%)": cells["share_within"].where(known), "Mittlere Entfernung (km)": cells["mean_distance_km"].where(known)}
                if metric.key == "share_within" else {}
            ),
            f"Kreiswert ({metric.label})": cells["kreis_value"].where(known),
            "Bewertung": cells["status"].map(chain.STATUS_LABELS),
        }
    ).reset_index(drop=True)
    rule = chain.rule_text(metric, weak_share, distance_km if metric.key == "share_within" else None).replace("**", "")
    lines = [("Inhalt", f"Präventionskette: {DIMENSIONS[dimension]} × {level_label(level)}"), ("Kennzahl", metric.label), ("Regel", rule)]
    if hint := chain.capture_hint(shown, dimension):
        lines.append(("Nicht erfasst", hint))
    if shown.footnotes:
        lines.append(("Näherungen", " ".join(shown.footnotes)))
    if shown.population_note:
        lines.append(("Zielgruppen", shown.population_note.removeprefix("Zielgruppen: ")))
    found = _source_lines(ctx, ["bev_u3"], shown.population_years)
    return TableExport("Präventionskette", _header(ctx, lines, found), table, shown)


def gaps_export(ctx: Context, view: gaps.GapView, categories: list[str] | None = None) -> TableExport:
    """The ranked gaps with every part of the score as numbers, and the reason."""
    rows = view.ranked if not categories else view.ranked[view.ranked["category"].isin(categories)]
    table = pd.DataFrame(
        {
            "Rang": rows["rank"],
            LEVEL_SINGULAR[view.level]: rows["name"],
            "Schlüssel": rows["area_id"],
            DIMENSION_SINGULAR[view.dimension]: rows["category"].map(view.words.category_labels),
            "Zielgruppe": rows["target_population"],
            "Angebote": rows["offers"],
            "Versorgung": rows["supply"],
            "Versorgung gemessen als": rows["measure"].map({"capacity_per_100": "Plätze je 100", "offers_per_1000": "Angebote je 1.000"}),
            "Versorgung im Kreis": rows["kreis_supply"],
            "Versorgungslücke": rows["supply_gap"],
            "Anteil in Reichweite (%)": rows["share_within"],
            "Erreichbarkeitslücke": rows["access_gap"],
            "Mittlere Entfernung (km)": rows["mean_distance_km"],
            "Soziale Lage": rows["social_value"],
            "Sozialfaktor": rows["social_factor"],
            "Rangpunkte": rows["score"],
            "Begründung": rows["reason"],
        }
    ).reset_index(drop=True)
    if not view.distance_km:
        table = table.drop(columns=["Anteil in Reichweite (%)", "Erreichbarkeitslücke", "Mittlere Entfernung (km)"])
    if view.social is None:
        table = table.drop(columns=["Soziale Lage", "Sozialfaktor"])
    lines = [
        ("Inhalt", f"Wo fehlen Angebote? {DIMENSIONS[view.dimension]} je {LEVEL_SINGULAR[view.level]}"),
        ("Rangfolge", gaps.score_explanation(view).replace("**", "").replace("\n- ", " ").lstrip("- ")),
    ]
    if view.social is not None:
        lines.append(("Soziale Lage", f"{view.social.label} ({view.social.unit}), {view.social.year}"))
    for text in gaps.left_out_text(view):
        lines.append(("Nicht gerankt", text))
    if view.population_note:
        lines.append(("Zielgruppen", view.population_note.removeprefix("Zielgruppen: ")))
    found = _source_lines(ctx, ["bev_u3"], view.population_years) + (
        _source_lines(ctx, [view.social.indicator_id], [view.social.year]) if view.social is not None else []
    )
    return TableExport("Wo fehlen Angebote?", _header(ctx, lines, found), table)


# --- writers -----------------------------------------------------------------------------------------------------

def csv_bytes(export: TableExport) -> bytes:
    """German CSV: title line, ``Feld;Inhalt`` header lines, an empty line, the table."""
    return german_csv(export.title, export.header, export.table.columns, export.table.itertuples(index=False))


def _sheet_head(ws, export: TableExport) -> None:
    xlsx_append(ws, [export.title])
    ws["A1"].font = Font(bold=True, size=13)
    for key, value in export.header:
        xlsx_append(ws, [key, value])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
    ws.append([])


def _sheet_table(ws, frame: pd.DataFrame, fills: pd.DataFrame | None = None) -> None:
    xlsx_append(ws, frame.columns)
    head = ws.max_row
    for cell in ws[head]:
        cell.font, cell.fill = Font(bold=True), HEAD_FILL
    for i, record in enumerate(frame.itertuples(index=False)):
        xlsx_append(ws, record)
        if fills is not None:
            for j, colour in enumerate(fills.iloc[i]):
                if colour:
                    ws.cell(ws.max_row, j + 1).fill = PatternFill("solid", fgColor=colour.lstrip("#").upper())
    ws.freeze_panes = ws.cell(head + 1, 1)
    for j, column in enumerate(frame.columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(len(str(column)) + 2, 12), 60)


def xlsx_bytes(export: TableExport) -> bytes:
    """Sheet 'Daten': header block and table (numbers as numbers); with a matrix, sheet 'Matrix' as shown."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Daten"
    _sheet_head(ws, export)
    _sheet_table(ws, export.table)
    if export.shown is not None:
        matrix = wb.create_sheet("Matrix")
        _sheet_head(matrix, export)
        marked = (chain.EMPTY, chain.WEAK, chain.NOT_CAPTURED)
        fills = export.shown.statuses.map(lambda s: chain.STATUS_COLOURS[s] if s in marked else "")
        _sheet_table(matrix, export.shown.table, fills)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
