"""Decoding text exports the way the offices ship them (UTF-8, UTF-8 with BOM, Windows-1252 from German Excel, or
latin-1), splitting them into lines only where a CSV record can end, and cleaning control characters out of text."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from etl.errors import EtlError

AUTO = "auto"
# Unicode category Cc except tab, line feed and carriage return: BEL, ESC, NEL (U+0085), … never belong in a name.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_RUN = re.compile(rf" *(?:{CONTROL.pattern})+ *")
# where a CSV record may end: what the csv module treats as a line end (a lone CR: "CSV (Macintosh)"); never
# U+2028/U+2029, NEL, VT or FF, at which str.splitlines() splits a name in two
_LINE_END = re.compile(r"\r\n|\r|\n")


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
    """Return (text, encoding used). ``auto`` = BOM → UTF-8-SIG, valid UTF-8 → UTF-8, else Windows-1252 (what
    German Excel writes: „ “ – € … in 0x80–0x9F), else latin-1. A file without bytes 0x80–0x9F reads the same in
    both and is reported as latin-1, which is what regionalstatistik.de and IT.NRW downloads use; since latin-1
    decodes any byte, readers must still check the header labels they expect.

    UTF-16 (a BOM, or a NUL byte beside every character) and a NUL byte anywhere else stop the build.
    """
    require_file(path, "Datei")
    data = path.read_bytes()
    if not data.strip():
        raise EtlError("Datei ist leer", file=path, expected="einen Export mit Kopf-, Daten- und Fußzeilen", fix="Export erneut herunterladen.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(data[:4096]):
        raise EtlError(
            "Datei ist UTF-16-kodiert (z. B. aus Excel „Unicode-Text“ gespeichert)",
            file=path,
            expected="UTF-8, UTF-8 mit BOM, Windows-1252 oder ISO-8859-1 (latin-1)",
            fix="Als „CSV (Trennzeichen-getrennt)“ bzw. „CSV UTF-8“ speichern oder die Originaldatei verwenden.",
        )
    text, used = _decode(path, data, encoding)
    if (nul := text.find("\x00")) >= 0:
        line, column = _position(text, nul)
        raise EtlError(
            "Datei enthält ein Nullzeichen (Byte 0x00)",
            file=path,
            line=line,
            column=column,
            expected="Text ohne Nullzeichen – es steht in keiner CSV-Datei, die ein Programm regulär speichert",
            fix="Die Datei ist beschädigt (abgebrochenes Speichern oder Kopieren?): Original erneut exportieren bzw. "
            "herunterladen oder die Zeile in einem Texteditor neu schreiben.",
        )
    return text, used


def _utf16_without_bom(head: bytes) -> bool:
    """UTF-16 text without BOM: a NUL in (nearly) every other byte. A few NULs, or a run of them (a file padded
    with zeros after a crash), are a damaged file instead, reported with their position."""
    even, odd = head[0::2], head[1::2]
    if len(odd) < 8:
        return False
    return max(even.count(0), odd.count(0)) >= 0.9 * len(odd) and min(even.count(0), odd.count(0)) <= 0.1 * len(odd)


def _decode(path: Path, data: bytes, encoding: str) -> tuple[str, str]:
    if encoding == AUTO:
        if data.startswith(codecs.BOM_UTF8):
            return data.decode("utf-8-sig"), "utf-8-sig"
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        if not re.search(rb"[\x80-\x9f]", data):
            return data.decode("latin-1"), "latin-1"
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d are not Windows-1252
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
        raise EtlError(f"Unbekannte Kodierung '{encoding}'", file=path, fix="utf-8, cp1252, latin-1 oder auto verwenden.") from exc


def _position(text: str, at: int) -> tuple[int, str]:
    """Line (1-based) and CSV field of a character: 'n' or 'n (header name)' where the first line names field n.
    The delimiter is the most frequent of ; , tab in that line; quotes are honoured within the line."""
    start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
    delimiter = max(";,\t", key=text[start : end if end >= 0 else len(text)].count)
    field, quoted = 1, False
    for char in text[start:at]:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            field += 1
    line = text.count("\n", 0, at) + 1
    header = text[: text.find("\n")].rstrip("\r").split(delimiter) if line > 1 else []
    name = header[field - 1].strip().strip('"') if field <= len(header) else ""
    return line, f"{field} ({name})" if name else str(field)


def split_lines(text: str) -> list[str]:
    """Lines as the csv module sees them: split at CR LF, LF or a lone CR only (see _LINE_END)."""
    lines = _LINE_END.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def control_characters(text: str) -> str:
    """The control characters in ``text`` as 'U+0007, U+001B' (empty if there are none)."""
    return ", ".join(sorted({f"U+{ord(c):04X}" for c in CONTROL.findall(text)}))


def without_control_characters(text: str) -> str:
    """``text`` with every run of control characters (and the spaces around it) replaced by one space."""
    return _CONTROL_RUN.sub(" ", text)


def control_problem(found: str) -> str:
    """The report's wording for control characters found in a cell (``found`` from control_characters)."""
    return f"Steuerzeichen {found} im Text (durch Leerzeichen ersetzt)"
