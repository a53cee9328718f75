"""German number formatting (1.234,5) through Babel, and value texts that say why a value is missing."""
from __future__ import annotations

import functools
import math

from babel.numbers import format_decimal

from etl.markers import STATUS_LABELS_DE

LOCALE = "de_DE"


def number(value: float | None, decimals: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return _formatted(float(value), int(decimals))


@functools.lru_cache(maxsize=65536)
def _formatted(value: float, decimals: int) -> str:
    # memoised: Babel takes ~0.1 ms a call, and pages format the same few hundred values on every rerun
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def value_text(value: float | None, status: str, decimals: int, unit: str = "") -> str:
    """'1.234,5 %' for a value, the status in words for a missing one ('unbekannt oder geheim (.)')."""
    if status not in ("ok", "zero") or value is None or (isinstance(value, float) and math.isnan(value)):
        return STATUS_LABELS_DE.get(status, status)
    suffix = f" {unit}" if unit and unit != "Personen" else ""
    return number(value, decimals) + suffix


def short_unit(unit: str) -> str:
    """The unit as a suffix where it is short ('%', 'km²'); long units go into labels and axis titles instead."""
    return "" if unit == "Personen" or len(unit) > 4 else unit
