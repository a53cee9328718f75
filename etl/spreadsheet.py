"""Text that goes into a spreadsheet stays text: one safety layer for every xlsx and CSV writer.

Excel and LibreOffice run a cell that starts with ``= + - @`` (or a tab or carriage return) as a formula
("CSV injection", OWASP). Names in exports come from county files (Sozialraum names, offer lists, configs), so a
Sozialraum named ``=HYPERLINK("http://…")`` must arrive as that text, never as a link or a command:

- CSV: a text cell that starts like a formula gets a leading apostrophe, as OWASP recommends; numbers are not
  touched (writers pass only their text columns through ``csv_text``).
- xlsx: text cells are written with the string type, which Excel never evaluates, so the text stays exactly as
  it was; characters XML 1.0 forbids (control characters) are dropped, since openpyxl refuses them and the whole
  download would fail.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 forbids these (openpyxl's ILLEGAL_CHARACTERS_RE); tab, newline and carriage return are allowed
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_text(value: object) -> object:
    """A CSV text cell that Excel will not run as a formula (other values unchanged)."""
    if not isinstance(value, str):
        return value
    value = _NOT_IN_XML.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_number(value: object) -> str:
    """A number for German CSV: decimal comma, every digit of the stored double (shortest form that reads back
    identically), never an exponent (Excel would keep '1e-05' as text); empty for a missing value."""
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return ""
    return np.format_float_positional(float(value), unique=True, trim="-").replace(".", ",")


def csv_cell(value: object) -> object:
    """Any cell of a German CSV: floats via ``csv_number``, text via ``csv_text``, the rest unchanged."""
    if isinstance(value, float | np.floating):
        return csv_number(value)
    return csv_text(value)


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text column passed through ``csv_text`` (number columns untouched)."""
    text_columns = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    return frame.assign(**{str(c): frame[c].map(csv_text) for c in text_columns}) if text_columns else frame


def xlsx_value(value: object) -> object:
    """A value openpyxl can store: numpy scalars as Python numbers, NaN as empty, text without forbidden characters."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, str):
        return _NOT_IN_XML.sub("", value)
    return value


def xlsx_append(ws: Worksheet, values: Iterable[object]) -> None:
    """Append a row; text cells are typed as strings, so '=…' is shown as written and never evaluated."""
    row = [xlsx_value(v) for v in values]
    ws.append(row)
    for cell, value in zip(ws[ws.max_row], row):
        if isinstance(value, str):
            cell.data_type = "s"


def german_csv(title: str, header: Sequence[tuple[str, object]], columns: Sequence[object], rows: Iterable[Iterable[object]]) -> bytes:
    """The German CSV every export writes: UTF-8 with BOM (Excel otherwise assumes Windows-1252), ``;``, decimal
    comma; a title line, ``Feld;Inhalt`` lines of the header block, one empty line, then the table. Every cell goes
    through ``csv_cell``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_text(title)])
    writer.writerows([csv_text(key), csv_text(" ".join(str(value).split()))] for key, value in header)
    writer.writerow([])
    writer.writerow([csv_text(str(c)) for c in columns])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
