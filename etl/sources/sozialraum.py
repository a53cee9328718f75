"""Gemeinde → Sozialraum mapping (a CSV the county keeps: gemeinde_ags;gemeinde_name;sozialraum)."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from etl.errors import EtlError
from etl.sources.text import read_text

REQUIRED = ("gemeinde_ags", "sozialraum")


def read_sozialraum_mapping(path: Path, gemeinden: pd.DataFrame) -> pd.DataFrame:
    """area_id -> sozialraum name for every Gemeinde in ``gemeinden`` (columns area_id, name).

    Every Gemeinde must be mapped exactly once; keys must be Gemeinden of the county.
    """
    text, _ = read_text(path)
    lines = text.splitlines()
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=";,\t")
    except csv.Error:
        raise EtlError(
            "Trennzeichen nicht erkannt",
            file=path,
            line=1,
            expected="Spalten getrennt durch Semikolon (;), Komma (,) oder Tabulator",
            fix="Datei als „CSV (Trennzeichen-getrennt)“ speichern.",
        ) from None
    reader = csv.DictReader(lines, dialect=dialect)
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
    for row in reader:
        line = reader.line_num
        ags = (row["gemeinde_ags"] or "").strip()
        name = (row["sozialraum"] or "").strip()
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
    return pd.DataFrame(rows, columns=["area_id", "sozialraum"])
