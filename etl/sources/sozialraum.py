"""Gemeinde → Sozialraum mapping (a CSV the county keeps: gemeinde_ags;gemeinde_name;sozialraum)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from etl.errors import EtlError
from etl.sources.text import control_characters, control_problem, read_text, split_lines, without_control_characters

REQUIRED = ("gemeinde_ags", "sozialraum")


@dataclass
class SozialraumMapping:
    areas: pd.DataFrame  # area_id -> sozialraum (name)
    encoding: str  # as read_text detected it, for the source record
    notes: list[str] = field(default_factory=list)  # what was changed on the way in (control characters), for the build log


def read_sozialraum_mapping(path: Path, gemeinden: pd.DataFrame) -> SozialraumMapping:
    """area_id -> sozialraum name for every Gemeinde in ``gemeinden`` (columns area_id, name).

    Every Gemeinde must be mapped exactly once; keys must be Gemeinden of the county. Fields are read as the csv
    module reads them (a quoted name keeps its delimiters and doubled quotes); control characters in a name are
    replaced by a space and noted.
    """
    text, encoding = read_text(path)
    header = split_lines(text)[0]
    delimiter = max(";,\t", key=header.count)
    if not header.count(delimiter):
        raise EtlError(
            "Trennzeichen nicht erkannt",
            file=path,
            line=1,
            expected="Spalten getrennt durch Semikolon (;), Komma (,) oder Tabulator",
            fix="Datei als „CSV (Trennzeichen-getrennt)“ speichern.",
        )
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise EtlError(
            f"Spalten {', '.join(missing)} fehlen",
            file=path,
            line=1,
            expected="Kopfzeile gemeinde_ags;gemeinde_name;sozialraum",
            fix="Spalten wie in config/README.md benennen.",
        )
    known = dict(zip(gemeinden["area_id"], gemeinden["name"]))
    seen: dict[str, int] = {}
    rows = []
    notes = []
    for row in reader:
        line = reader.line_num
        if any(extra.strip() for extra in row.get(None, [])):  # empty trailing fields (';;' from Excel) are harmless
            raise EtlError(
                f"Zeile hat {len(reader.fieldnames) + len(row[None])} Felder statt {len(reader.fieldnames)} wie die Kopfzeile",
                file=path, line=line, expected=f"je Zeile die Felder der Kopfzeile; ein '{delimiter}' in einem Namen nur in \"…\"",
                fix=f"Den Namen in Anführungszeichen setzen (\"Nord{delimiter} Süd\") oder das '{delimiter}' entfernen.",
            )  # fmt: skip
        ags = (row["gemeinde_ags"] or "").strip()
        name = (row["sozialraum"] or "").strip()
        if found := control_characters(name):
            name = without_control_characters(name).strip()
            notes.append(f"Datei {path.name}, Zeile {line}, Spalte sozialraum: {control_problem(found)}")
        if len(ags) == 7 and ags.isdigit():
            raise EtlError(
                f"Gemeindeschlüssel '{ags}' hat nur 7 Stellen",
                file=path, line=line, column="gemeinde_ags", expected="8-stelliger AGS",
                fix="Führende Null ergänzen (Excel entfernt sie, wenn die Spalte als Zahl formatiert ist).",
            )  # fmt: skip
        if ags not in known:
            raise EtlError(
                f"Gemeindeschlüssel '{ags}' gehört zu keiner Gemeinde des Kreises",
                file=path, line=line, column="gemeinde_ags",
                expected="AGS einer Gemeinde aus den Grenzdaten des Kreises",
                fix="Schlüssel korrigieren oder Zeile löschen.",
            )  # fmt: skip
        if ags in seen:
            raise EtlError(
                f"Gemeinde {ags} ({known[ags]}) steht doppelt (auch in Zeile {seen[ags]})",
                file=path, line=line, column="gemeinde_ags", expected="jede Gemeinde genau einmal",
                fix="Doppelte Zeile löschen, so dass jede Gemeinde genau einem Sozialraum zugeordnet ist.",
            )  # fmt: skip
        if not name:
            raise EtlError(
                f"Sozialraum für {ags} ({known[ags]}) ist leer",
                file=path, line=line, column="sozialraum", expected="der Name des Sozialraums, dem die Gemeinde angehört",
                fix="Namen des Sozialraums eintragen; endet die Datei hier mitten in der Zeile, ist sie abgeschnitten: "
                "vollständig neu speichern.",
            )  # fmt: skip
        seen[ags] = line
        rows.append((ags, name))
    unmapped = [f"{ags} {known[ags]}" for ags in known if ags not in seen]
    if unmapped:
        raise EtlError(
            f"{len(unmapped)} Gemeinde(n) keinem Sozialraum zugeordnet: {', '.join(unmapped[:10])}"
            + (" …" if len(unmapped) > 10 else ""),
            file=path,
            expected="eine Zeile je Gemeinde des Kreises",
            fix="Fehlende Gemeinden mit ihrem Sozialraum ergänzen.",
        )
    return SozialraumMapping(pd.DataFrame(rows, columns=["area_id", "sozialraum"]), encoding, notes)
