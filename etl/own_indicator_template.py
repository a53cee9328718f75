"""The Excel template for the county's own indicators (read back by etl/sources/own_indicators.py).

Sheets: "Anleitung" (what goes where), "Metadaten" and "Werte" (headers only, with drop-down lists for Polarität,
Handlungsfeld and Art), "Gebiete" (every area key of the Kreis with its name and level, when the app knows the
areas). Every cell is written through etl/spreadsheet.py, so an area name never becomes a formula.
"""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from etl.spreadsheet import xlsx_append
from etl.sources.own_indicators import AREAS_SHEET, META_SHEET, VALUES_SHEET

META_HEADER = ["id", "Bezeichnung", "Einheit", "Definition", "Polarität", "Quelle", "Lizenz", "Handlungsfeld", "Art", "je",
               "Nachkommastellen"]  # fmt: skip
VALUES_HEADER = ["Indikator", "Gebietsschlüssel", "Gebiet", "Jahr", "Wert", "Zähler", "Nenner"]
LEVELS = {"kreis": "Kreis", "verbandsgemeinde": "Verbandsgemeinde/Amt", "sozialraum": "Sozialraum", "gemeinde": "Gemeinde"}
GUIDE = [
    ("Eigene Indikatoren – Vorlage", ""),
    ("Blatt „Metadaten“", "eine Zeile je Indikator"),
    ("id", "neue Kennung: Kleinbuchstaben, Ziffern, _ (z. B. kita_wartende); nicht schon im Katalog"),
    ("Bezeichnung, Einheit, Definition", "wie in der App gezeigt (z. B. „Kinder auf der Kita-Warteliste“, „%“)"),
    ("Polarität", "höher ist besser | höher ist schlechter | neutral"),
    ("Quelle, Lizenz", "Pflicht: wer die Zahlen erhebt, und unter welcher Lizenz sie gezeigt werden dürfen"),
    ("Handlungsfeld", "eines der Handlungsfelder der Auswahlliste"),
    ("Art (optional)", "Quote (Anteil, Rate, Mittelwert; Standard) oder Anzahl (Personen, Fälle)"),
    ("je (optional)", "Faktor einer Quote: 100 für Prozent (Standard bei Einheit %), 1000 für „je 1.000“"),
    ("Blatt „Werte“", "eine Zeile je Indikator, Gebiet und Jahr"),
    ("Gebietsschlüssel", "ein Schlüssel aus dem Blatt „Gebiete“ (als Text, mit führender Null)"),
    ("Jahr, Wert", "Jahr des Stichtags als Zahl; Wert als Zahl ohne Einheit"),
    ("Zähler, Nenner (optional)", "bei Quoten: dann werden Vertrauensbereiche und Summen für Sozialräume berechnet"),
    ("Hochrechnen", "Gemeindewerte ergeben Werte für Verbandsgemeinden, Sozialräume und den Kreis, wenn alle Gemeinden "
                    "einen Wert haben (Anzahl: Summe, Quote: Σ Zähler ÷ Σ Nenner)"),
]  # fmt: skip
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def template_xlsx(areas: pd.DataFrame | None = None, topics: tuple[str, ...] = ()) -> bytes:
    """The template as xlsx bytes; ``areas`` (area_id, name, level) fills the sheet "Gebiete", ``topics`` the
    Handlungsfeld drop-down."""
    book = Workbook()
    guide = book.active
    guide.title = "Anleitung"
    for row in GUIDE:
        xlsx_append(guide, row)
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width, guide.column_dimensions["B"].width = 34, 110
    meta = book.create_sheet(META_SHEET)
    _header(meta, META_HEADER, [14, 36, 14, 50, 22, 36, 26, 34, 10, 8, 10])
    _choices(meta, "E", ["höher ist besser", "höher ist schlechter", "neutral"])
    _choices(meta, "I", ["Quote", "Anzahl"])
    if topics:
        lists = book.create_sheet("Listen")
        for topic in topics:
            xlsx_append(lists, [topic])
        lists.sheet_state = "hidden"  # a named range keeps the drop-down working with long Handlungsfeld names
        _choices(meta, "H", None, f"Listen!$A$1:$A${len(topics)}")
    values = book.create_sheet(VALUES_SHEET)
    _header(values, VALUES_HEADER, [16, 18, 34, 8, 12, 12, 12])
    values.column_dimensions["B"].number_format = "@"  # keys typed in stay text: 07235001 keeps its leading zero
    if areas is not None and len(areas):
        sheet = book.create_sheet(AREAS_SHEET)
        _header(sheet, ["Gebietsschlüssel", "Name", "Ebene"], [18, 40, 22])
        order = {level: i for i, level in enumerate(LEVELS)}
        listed = areas[areas["level"].isin(LEVELS)].assign(o=lambda f: f["level"].map(order)).sort_values(["o", "area_id"])
        for row in listed.itertuples():
            xlsx_append(sheet, [str(row.area_id), str(row.name), LEVELS[row.level]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header(sheet, names: list[str], widths: list[int]) -> None:
    xlsx_append(sheet, names)
    for i, (cell, width) in enumerate(zip(sheet[1], widths)):
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def _choices(sheet, column: str, values: list[str] | None, formula: str | None = None) -> None:
    check = DataValidation(type="list", formula1=formula or '"' + ",".join(values or []) + '"', allow_blank=True)
    check.error, check.errorTitle, check.showErrorMessage = "Bitte einen Eintrag der Liste wählen.", "Ungültiger Eintrag", True
    sheet.add_data_validation(check)
    check.add(f"{column}2:{column}1000")
