"""GENESIS / Regionalstatistik value markers.

A marker is never turned into 0 or dropped: it becomes a status next to the value
(see ../shared/docs/DOMAIN.md and docs/SCHEMA.md for the status vocabulary).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# status values, shared with docs/SCHEMA.md
OK = "ok"
ZERO = "zero"  # "-": nothing there, exactly zero
UNKNOWN = "unknown"  # ".": unknown or kept secret
LOCKED = "locked"  # "x": statement not meaningful
UNRELIABLE = "unreliable"  # "/": not published, not reliable enough
PENDING = "pending"  # "...": available later
INCOMPLETE = "incomplete"  # aggregate with at least one missing component
SUPPRESSED = "suppressed"  # small number withheld by this product
ABSENT = "absent"  # not a stored status: the area has no row at all for that indicator and year

MISSING_STATUSES = (UNKNOWN, LOCKED, UNRELIABLE, PENDING, INCOMPLETE, SUPPRESSED)

STATUS_LABELS_DE = {
    OK: "Wert",
    ZERO: "genau null (–)",
    UNKNOWN: "unbekannt oder geheim (.)",
    LOCKED: "Aussage nicht sinnvoll (x)",
    UNRELIABLE: "nicht sicher genug (/)",
    PENDING: "später verfügbar (...)",
    INCOMPLETE: "unvollständig: mindestens ein Teilwert fehlt",
    SUPPRESSED: "wegen kleiner Fallzahl unterdrückt",
    ABSENT: "keine Angabe in den Quellen",
}

_MARKERS = {"-": ZERO, ".": UNKNOWN, "x": LOCKED, "X": LOCKED, "/": UNRELIABLE, "...": PENDING, "…": PENDING}
# a number in German notation with optional thousands dots, decimal comma and a p/r/s flag
_NUMBER = re.compile(r"^(?P<num>-?\d{1,3}(?:\.\d{3})+(?:,\d+)?|-?\d+(?:,\d+)?)\s*(?P<flag>[prs])?$")


@dataclass(frozen=True)
class Cell:
    value: float | None
    status: str
    flag: str | None = None  # p = provisional, r = revised, s = estimated


class NotAValue(ValueError):
    """The cell is neither a number nor a known marker."""


def parse_cell(raw: str, *, thousands_dots: bool = False) -> Cell:
    """Parse one GENESIS cell into value, status and flag.

    ``thousands_dots`` allows "1.234" as 1234: GENESIS CSVs do not use thousands separators,
    so by default a dot makes "1.234" invalid instead of silently meaning 1.234.
    The sign is not checked here: whether a value may be negative depends on the indicator (a count never,
    a Wanderungssaldo may), which the reader knows from the catalogue.
    """
    text = raw.strip()
    if text in _MARKERS:
        status = _MARKERS[text]
        return Cell(0.0 if status == ZERO else None, status)
    match = _NUMBER.match(text)
    if not match:
        raise NotAValue(raw)
    number = match["num"]
    if "." in number:
        if not thousands_dots:
            raise NotAValue(raw)
        number = number.replace(".", "")
    return Cell(float(number.replace(",", ".")), OK, match["flag"])
