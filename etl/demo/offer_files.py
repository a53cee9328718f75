"""The files of the demo offer list: one invented Angebotsliste in the format "planungsatlas" (docs/OFFERS.md), twice.

As Excel (`angebote/angebote_musterland_demodaten.xlsx`, first sheet "Angebote" with the header in row 1, a second
sheet "Hinweis" saying that everything is invented and which rows are faulty on purpose) and as CSV (`;`, UTF-8
with BOM, CRLF, decimal comma: what German Excel writes as "CSV UTF-8"). The workbook gets fixed document and zip
times, so regenerating it changes no byte with the same library versions.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import astuple
from datetime import datetime
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from etl.demo.county import County
from etl.demo.offer_maker import COLUMNS, QUIRKS, Row
from etl.demo.offers import offer_list

LIST_DIR = Path("angebote")
XLSX_NAME = "angebote_musterland_demodaten.xlsx"
CSV_NAME = "angebote_musterland_demodaten.csv"
STAND = "2023-12-31"  # Datenstand of the list (config: [[offers]] stand)
FIXED_TIME = datetime(2024, 1, 15, 9, 0, 0)  # workbook created/modified and zip entry times: stable files
SHEET, NOTICE_SHEET = "Angebote", "Hinweis"


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}".replace(".", ",")  # German Excel writes the decimal comma
    return str(value)


def offer_csv(rows: list[Row]) -> bytes:
    """`;`-separated, UTF-8 with BOM, CRLF: what German Excel saves as "CSV UTF-8"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([[_csv_cell(v) for v in astuple(r)] for r in rows])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def notice_lines(rows: list[Row], quirks: dict[str, int]) -> list[str]:
    lines = [
        "DEMODATEN – frei erfunden, keine echten Angebote",
        "",
        "Diese Angebotsliste gehört zum fiktiven „Landkreis Musterland (Demodaten)“ (AGS 99001; Land 99 gibt es",
        "nicht). Alle Namen, Träger, Adressen, Postleitzahlen, Koordinaten und Platzzahlen sind erfunden und von",
        "„python -m etl.demo“ (Planungsatlas Familie) erzeugt. Ähnlichkeiten mit echten Einrichtungen sind Zufall;",
        "auch die Postleitzahlen 99xxx sind erfunden (echte Orte mit diesen Postleitzahlen sind nicht gemeint).",
        "",
        f"Format „planungsatlas“ (docs/OFFERS.md): Blatt „{SHEET}“, Kopfzeile in Zeile 1, Koordinaten WGS84 (Grad).",
        f"Stand der Liste: {STAND[8:]}.{STAND[5:7]}.{STAND[:4]}",
        "",
        "Spalten für den öffentlichen Familienwegweiser (docs/FINDER.md): oeffentlich (ja/nein; einige Angebote",
        "„nein“ = nur intern), kontakt, telefon, email, webseite, zeiten, kosten, sprachen, barrierefrei, beschreibung.",
        "Auch sie sind erfunden: Telefonnummern aus dem für Film und Fernsehen freigehaltenen Bereich 069 90009 …,",
        "Adressen unter der reservierten Domain musterland.example. kontakt_intern (Ansprechpartner beim Träger für die",
        "Planung) wird nie veröffentlicht.",
        "",
        "Absichtlich fehlerhafte Zeilen (damit der Importbericht etwas zeigt, siehe data/demo/README.md):",
    ]
    for key, index in sorted(quirks.items(), key=lambda kv: kv[1]):
        what = QUIRKS[key]
        if key == "duplicate":
            what += f" (wie Zeile {rows.index(rows[index]) + 2})"
        lines.append(f"Zeile {index + 2}: {what}")
    return lines


def offer_workbook(rows: list[Row], quirks: dict[str, int]) -> bytes:
    """The list as .xlsx; fixed document and zip times, so regenerating changes no byte with the same libraries."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(COLUMNS)
    for row in rows:
        ws.append(list(astuple(row)))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    text_columns = {"plz", "gemeinde_ags"}
    for column, name in enumerate(COLUMNS, start=1):
        letter = ws.cell(1, column).column_letter
        for cell in ws[letter][1:]:
            if name in text_columns:
                cell.number_format = "@"
            elif name in ("lon", "lat"):
                cell.number_format = "0.000000"
        width = max(len(str(cell.value)) for cell in ws[letter] if cell.value is not None)
        ws.column_dimensions[letter].width = min(width + 2, 60)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    notice = wb.create_sheet(NOTICE_SHEET)
    for line in notice_lines(rows, quirks):
        notice.append([line])
    notice["A1"].font = Font(bold=True, size=14)
    notice.column_dimensions["A"].width = 110
    wb.properties.title = "Angebotsliste Landkreis Musterland (Demodaten)"
    wb.properties.subject = "Demodaten – frei erfunden"
    # the generator's path before etl/demo/ became a package: kept, so the committed workbook stays byte-identical
    wb.properties.creator = "Planungsatlas Familie (etl/demo_offers.py)"
    return stable_xlsx_bytes(wb)


def stable_xlsx_bytes(wb: Workbook) -> bytes:
    """The workbook's bytes, the same on every run: created/modified and the zip entries' times fixed."""
    wb.properties.created = wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()  # wb.save() would stamp "modified" now
    # zip entries carry the time they were written: copy them with a fixed time
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info))
    return out.getvalue()


def write_offer_lists(county: County, counts: np.ndarray, out_dir: Path) -> None:
    """Write angebote/angebote_musterland_demodaten.xlsx and .csv (the same rows) into out_dir."""
    rows, quirks = offer_list(county, counts)
    folder = Path(out_dir) / LIST_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / XLSX_NAME).write_bytes(offer_workbook(rows, quirks))
    (folder / CSV_NAME).write_bytes(offer_csv(rows))
