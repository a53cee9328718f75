"""Decoding text exports the way the offices ship them: UTF-8, UTF-8 with BOM, or latin-1."""
from __future__ import annotations

import codecs
from pathlib import Path

from etl.errors import EtlError

AUTO = "auto"


def require_file(path: Path, what: str) -> None:
    if not path.exists():
        raise EtlError(
            f"{what} nicht gefunden",
            file=path,
            expected="eine vorhandene Datei bzw. einen vorhandenen Ordner",
            fix="Pfad in der Kreis-Konfiguration prüfen; relative Pfade gelten ab data_root "
            "(PLANUNGSATLAS_DATA bzw. ../shared/data).",
        )


def read_text(path: Path, encoding: str = AUTO) -> tuple[str, str]:
    """Return (text, encoding used). ``auto`` = BOM → UTF-8-SIG, valid UTF-8 → UTF-8, else latin-1.

    latin-1 is the fallback because it is what regionalstatistik.de and IT.NRW downloads use;
    since latin-1 decodes any byte, readers must still check the header labels they expect.
    """
    require_file(path, "Datei")
    data = path.read_bytes()
    if not data.strip():
        raise EtlError("Datei ist leer", file=path, expected="einen Export mit Kopf-, Daten- und Fußzeilen", fix="Export erneut herunterladen.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        raise EtlError(
            "Datei ist UTF-16-kodiert (z. B. aus Excel „Unicode-Text“ gespeichert)",
            file=path,
            expected="UTF-8, UTF-8 mit BOM oder ISO-8859-1 (latin-1)",
            fix="Als „CSV (Trennzeichen-getrennt)“ bzw. „CSV UTF-8“ speichern oder die Originaldatei verwenden.",
        )
    if encoding == AUTO:
        if data.startswith(codecs.BOM_UTF8):
            return data.decode("utf-8-sig"), "utf-8-sig"
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"
    try:
        return data.decode("utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding), encoding
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise EtlError(
            f"Zeichen lässt sich nicht als {encoding} lesen (Byte 0x{data[exc.start]:02x})",
            file=path,
            line=line,
            expected=f"eine {encoding}-kodierte Datei",
            fix="In der Kreis-Konfiguration encoding = \"latin-1\" (oder \"auto\") angeben "
            "oder die Datei als UTF-8 speichern.",
        ) from exc
    except LookupError as exc:
        raise EtlError(f"Unbekannte Kodierung '{encoding}'", file=path, fix="utf-8, latin-1 oder auto verwenden.") from exc
