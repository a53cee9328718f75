"""The overlay file: planners' offer edits and duplicate merges from the workspace, handed to the build.

JSON (not CSV: values are the planner's text and must not pass through a spreadsheet), written by the workspace at
publish time (workspace/offer_overlay.py) and read here; its meaning is in etl/offer_edits.py::

    {"format": "planungsatlas-angebotsbearbeitungen", "version": 1,
     "edits":  [{"offer_key": "…", "field": "kapazitaet", "value": "45", "by": "mueller", "at": "2026-…"}],
     "merges": [{"keep": "…", "drop": "…", "by": "mueller", "at": "2026-…"}]}
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.errors import EtlError

FORMAT = "planungsatlas-angebotsbearbeitungen"
EDIT_COLUMNS = ["offer_key", "field", "value", "by", "at"]
MERGE_COLUMNS = ["keep", "drop", "by", "at"]
TITLE = "Bearbeitungen und Dubletten-Entscheidungen im Planungsatlas"


@dataclass(frozen=True)
class Overlay:
    file: Path
    edits: pd.DataFrame  # EDIT_COLUMNS, in the order they were made
    merges: pd.DataFrame  # MERGE_COLUMNS

    @property
    def rows(self) -> int:
        return len(self.edits) + len(self.merges)


def write_overlay(path: Path, edits: pd.DataFrame, merges: pd.DataFrame) -> Path:
    """Write the overlay (edits in order; merges as keep/drop pairs)."""
    document = {
        "format": FORMAT,
        "version": 1,
        "edits": [{c: _plain(row[c]) for c in EDIT_COLUMNS} for _, row in edits.reindex(columns=EDIT_COLUMNS).iterrows()],
        "merges": [{c: _plain(row[c]) for c in MERGE_COLUMNS} for _, row in merges.reindex(columns=MERGE_COLUMNS).iterrows()],
    }
    Path(path).write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return Path(path)


def read_overlay(path: Path) -> Overlay:
    """The overlay as written by ``write_overlay``; a damaged file stops the build (nothing applied half)."""
    def broken(problem: str, line: int | None = None) -> EtlError:
        return EtlError(problem, file=path, line=line, expected=f"eine Datei im Format {FORMAT} (vom Planungsatlas geschrieben)",
                        fix="Datei nicht von Hand ändern; im Planungsatlas erneut veröffentlichen.")  # fmt: skip

    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise broken("Datei der Angebotsbearbeitungen fehlt") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise broken(f"Datei ist kein lesbares JSON: {exc}", getattr(exc, "lineno", None)) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise broken("Datei ist keine Angebotsbearbeitung des Planungsatlas")
    frames = []
    for part, columns in (("edits", EDIT_COLUMNS), ("merges", MERGE_COLUMNS)):
        entries = document.get(part, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) and all(c in e for c in columns[:2]) for e in entries):
            raise broken(f"Teil '{part}' hat nicht die Felder {', '.join(columns)}")
        frames.append(pd.DataFrame(entries, columns=columns))
    return Overlay(Path(path), *frames)


def _plain(value: object) -> object:
    return None if value is None or (isinstance(value, float) and value != value) else value
