"""One titled sheet of an xlsx export: a bold title, a key/value header block, a bold column row, the rows. Every
cell goes through ``etl.spreadsheet.xlsx_append`` (text stays text, never a formula)."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from etl.spreadsheet import xlsx_append


def titled_sheet(ws: Worksheet, title: str, header: Sequence[tuple[str, object]], frame: pd.DataFrame,
                 width: float = 16, first_width: float = 28) -> None:  # fmt: skip
    xlsx_append(ws, [title])
    ws["A1"].font = Font(bold=True, size=13)
    for key, value in header:
        xlsx_append(ws, [key, value])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
    xlsx_append(ws, [])
    xlsx_append(ws, [str(c) for c in frame.columns])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for record in frame.itertuples(index=False):
        xlsx_append(ws, record)
    for column in ws.columns:
        ws.column_dimensions[column[0].column_letter].width = width
    ws.column_dimensions["A"].width = first_width
