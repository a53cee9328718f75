"""What a build noticed and accepted: one finding per message, each of a kind, all of them kept.

The build prints a count per kind and the first few of each, stores every finding in the database's build_log
(kind 'warning', topic = the finding's kind, message "[Kreis] text") and writes the complete list as a German CSV
beside the database (``<name>.warnungen.csv``), so nothing is cut off at a fixed number.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.spreadsheet import csv_frame

# kind -> what it means, as the printed summary and the CSV say it
KINDS = {
    "eingabe": "Eingabe bereinigt (z. B. Steuerzeichen ersetzt)",
    "umrechnung": "auf den Gebietsstand der Grenzdaten umgerechnet (BBSR-Umsteigeschlüssel)",
    "nicht_zutreffend": "'-' für ein Gebiet, das es im Jahr nicht gab: nicht zutreffend, nicht als 0 gezählt",
    "zusammengefasst": "Sammelzeile (z. B. gemeindefreie Gebiete) auf die Gebiete der Grenzdaten verteilt",
    "stadtstaat": "Land- bzw. Kreiszeile gilt auch für Kreis bzw. Gemeinde (ein Gebiet)",
    "quelle_unvollstaendig": "Werte unvollständig: ein Teilgebiet fehlt in der Datei",
    "ohne_zuordnung": "Gebiet im Umsteigeschlüssel nicht gefunden: Kreiswert unvollständig",
    "quote_umgerechnet": "veröffentlichte Quote eines umgerechneten Gebiets nicht übernommen",
    "doppelangabe": "zwei Quellen nennen verschiedene Werte: die zuerst konfigurierte gilt",
    "kreissumme": "Summe der Gemeinden ≠ veröffentlichter Wert",
    "quote": "veröffentlichte Quote ≠ aus Zählern berechnet",
    "tabelle": "Tabelle nicht gelesen",
    "freitext": "Freitext-Antworten einer Befragung nicht übernommen (nur geschlossene Fragen werden Kennzahlen)",
    "bearbeitung": "Bearbeitung aus dem Planungsatlas ohne passendes Angebot (Liste geändert oder Zeile entfernt)",
}
CSV_COLUMNS = {"kind_label": "Art", "kreis": "Kreis", "message": "Meldung", "kind": "Kennung"}
PRINTED_PER_KIND = 3


@dataclass(frozen=True)
class Finding:
    kind: str  # a key of KINDS
    message: str
    kreis: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown finding kind {self.kind!r}")

    def text(self) -> str:
        """As the build log stores it: "[07235] …" (without a Kreis: the message alone)."""
        return f"[{self.kreis}] {self.message}" if self.kreis else self.message

    def __str__(self) -> str:
        return self.text()


def with_kreis(findings: list[Finding], kreis: str) -> list[Finding]:
    return [Finding(f.kind, f.message, f.kreis or kreis) for f in findings]


def summary_lines(findings: list[Finding], file: Path | None) -> list[str]:
    """The printed summary: a count per kind with its first few messages, and where the full list is."""
    counts = Counter(f.kind for f in findings)
    lines = [f"Warnungen und Hinweise: {len(findings)}" + (f" (vollständige Liste: {file})" if file and findings else "")]
    for kind in KINDS:
        if not counts[kind]:
            continue
        lines.append(f"  {KINDS[kind]}: {counts[kind]}")
        shown = [f for f in findings if f.kind == kind][:PRINTED_PER_KIND]
        lines += [f"    - {_short(f.text())}" for f in shown]
        if counts[kind] > len(shown):
            lines.append(f"    … und {counts[kind] - len(shown)} weitere in der Liste")
    return lines


def _short(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def findings_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.warnungen.csv")


def write_findings_csv(path: Path, findings: list[Finding]) -> None:
    """Every finding as a German CSV (semicolon, UTF-8 with BOM) that opens in Excel; text cells never formulas."""
    frame = pd.DataFrame(
        [{"kind_label": KINDS[f.kind], "kreis": f.kreis, "message": f.message, "kind": f.kind} for f in findings],
        columns=list(CSV_COLUMNS),
    )
    csv_frame(frame).rename(columns=CSV_COLUMNS).to_csv(path, sep=";", index=False, encoding="utf-8-sig")
