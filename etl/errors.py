"""One error type for everything the ETL refuses, with a message a planner can act on."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class EtlError(Exception):
    """Bad input that stops the build.

    The message always names the file and, where it makes sense, the line and column,
    says what was expected and how to fix it.
    """

    problem: str
    file: Path | str | None = None
    line: int | None = None
    column: str | int | None = None
    expected: str | None = None
    fix: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"Datei {self.file}")
        if self.line is not None:
            where.append(f"Zeile {self.line}")
        if self.column is not None:
            where.append(f"Spalte {self.column}")
        parts = [", ".join(where) + ": " + self.problem if where else self.problem]
        if self.expected:
            parts.append(f"Erwartet: {self.expected}")
        if self.fix:
            parts.append(f"Abhilfe: {self.fix}")
        return "\n  ".join(parts)
