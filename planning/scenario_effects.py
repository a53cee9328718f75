"""What a scenario changes on the planning views: the difference per area in classes around 0 (for the map), the
Präventionskette cells that change status, and the moves in the gap ranking.

Rules a planner should know:
- The difference map shows after − before per Gemeinde; "unverändert" means exactly no change. Classes are
  symmetric around 0 in rounded steps, so the same colour means the same size of change up and down.
- Präventionskette cells are judged by the same rule as on the page "Präventionskette" (``planning.chain``):
  offers per 1,000 of the target group, "leer – kein Angebot" without an offer, "schwach" below half the Kreis
  value – once with the published offers, once with the scenario's.
- The gap ranking (``planning.gaps``) is recomputed with the scenario's offers: its rank before and after, per
  Gemeinde and Angebotsart.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planning.classification import Classes, nice_step
from planning.formatting import number

DECREASE_COLOURS = ("#b2182b", "#ef8a62")
UNCHANGED_COLOUR = "#f2efe6"
INCREASE_COLOURS = ("#67a9cf", "#2166ac")
UNCHANGED_TOLERANCE = 1e-9


def difference_classes(differences: pd.Series, decimals: int) -> Classes:
    """Five classes symmetric around 0: weniger (beyond one step), etwas weniger, unverändert (exactly 0), etwas
    mehr, mehr; the step is a rounded half of the largest change. Without any change: one class 'unverändert'."""
    known = pd.to_numeric(differences, errors="coerce").dropna()
    largest = float(known.abs().max()) if len(known) else 0.0
    if largest <= UNCHANGED_TOLERANCE:
        return Classes(0.0, (math.inf,), (UNCHANGED_COLOUR,), ("unverändert",), note="Keine Veränderung")
    step = nice_step(largest / 2)
    digits = max(decimals, next(d for d in range(8) if abs(round(step, d) - step) < 1e-9 * step))
    s = number(step, digits)
    names = (f"weniger (mehr als {s} weniger)", f"etwas weniger (bis {s} weniger)", "unverändert",
             f"etwas mehr (bis {s} mehr)", f"mehr (mehr als {s} mehr)")  # fmt: skip
    bounds = (float(np.nextafter(-step, -math.inf)), -UNCHANGED_TOLERANCE, UNCHANGED_TOLERANCE, step, math.inf)
    colours = (*DECREASE_COLOURS, UNCHANGED_COLOUR, *INCREASE_COLOURS)
    note = f"Nachher − vorher, Klassen in Stufen von {s} um 0"
    return Classes(-largest, bounds, colours, names, note=note)
