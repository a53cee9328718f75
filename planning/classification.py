"""Classes of a map: which values share a colour.

Rule: the known values are split by the chosen scheme (quantiles by default, natural breaks after Fisher-Jenks,
or equal intervals), computed with mapclassify, into at most ``k`` classes; fewer classes where fewer distinct
values exist, and tied class bounds are merged. Colours run light (low) to dark (high) in a ColorBrewer scheme.
Areas without a value are grey, and the legend names why they have none.
"""
from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import branca.utilities
import mapclassify
import numpy as np
import pandas as pd

from etl.markers import STATUS_LABELS_DE
from planning.formatting import number

MISSING_COLOUR = "#d9d9d9"
PALETTE = "YlGnBu"


@dataclass(frozen=True)
class Classes:
    """Class breaks (upper bounds) and one colour per class."""

    lower: float
    bounds: tuple[float, ...]
    colours: tuple[str, ...]

    def colour_of(self, value: float | None) -> str:
        if value is None or np.isnan(value):
            return MISSING_COLOUR
        index = int(np.searchsorted(self.bounds, value, side="left"))
        return self.colours[min(index, len(self.colours) - 1)]

    def labels(self, decimals: int) -> list[str]:
        """Class labels; up to two more decimals than the indicator's where rounding would make bounds equal."""
        edges = (self.lower, *self.bounds)
        for extra in range(3):
            if len({round(e, decimals + extra) for e in edges}) == len(set(edges)):
                break
        decimals += extra
        lows = (self.lower, *self.bounds[:-1])
        return [
            f"{number(lo, decimals)} bis {number(hi, decimals)}" if i == 0 else f"über {number(lo, decimals)} bis {number(hi, decimals)}"
            for i, (lo, hi) in enumerate(zip(lows, self.bounds))
        ]


SCHEMES = {
    "quantile": "Quantile",
    "fisher_jenks": "natürliche Unterbrechungen (Fisher-Jenks)",
    "equal_interval": "gleiche Intervalle",
}
_FISHER_JENKS_SAMPLE_FROM = 1500  # exact Fisher-Jenks is O(k·n²) in pure Python; beyond this, mapclassify's sampled variant


def classify(values: pd.Series, scheme: str = "quantile", k: int = 5, palette: str = PALETTE) -> Classes | None:
    """Classes over the known values by ``scheme`` (a key of SCHEMES), computed with mapclassify.

    Fewer classes when there are fewer distinct values than ``k``; duplicate class bounds (ties) are merged.
    ``palette`` is a ColorBrewer sequential scheme (light = low). None when no value is known.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown classification {scheme!r}; expected one of {', '.join(SCHEMES)}")
    known = values.dropna().astype(float)
    if known.empty:
        return None
    k = max(1, min(int(k), known.nunique()))
    bounds = _bounds(tuple(sorted(known.tolist())), scheme, k)
    k = len(bounds)
    if k >= 3:
        colours = tuple(branca.utilities.color_brewer(palette, max(k, 3))[-k:])
    else:  # ColorBrewer starts at three classes: the darker two of three
        colours = tuple(branca.utilities.color_brewer(palette, 3)[1:][-k:])
    return Classes(float(known.min()), bounds, colours)


@functools.lru_cache(maxsize=256)
def _bounds(values: tuple[float, ...], scheme: str, k: int) -> tuple[float, ...]:
    """Upper class bounds (memoised: Fisher-Jenks takes tens of milliseconds for a hundred areas)."""
    if k == 1:
        return (values[-1],)
    y = np.asarray(values)
    with warnings.catch_warnings():
        # mapclassify warns about missing numba (pure Python is fast enough for a county) and about ties
        warnings.simplefilter("ignore", UserWarning)
        bins = _bins(y, scheme, k)
    bounds = sorted({float(b) for b in bins})
    bounds[-1] = max(bounds[-1], values[-1])  # the top class always reaches the largest value
    return tuple(bounds)


def _bins(y: np.ndarray, scheme: str, k: int) -> np.ndarray:
    if scheme == "quantile":
        return mapclassify.Quantiles(y, k=k).bins
    if scheme == "equal_interval":
        return mapclassify.EqualInterval(y, k=k).bins
    if len(y) > _FISHER_JENKS_SAMPLE_FROM:
        return mapclassify.FisherJenksSampled(y, k=k).bins
    return mapclassify.FisherJenks(y, k=k).bins


def missing_reasons(statuses: pd.Series) -> str | None:
    """'kein Wert: wegen kleiner Fallzahl unterdrückt (2), …' for the statuses of areas without a value."""
    if statuses.empty:
        return None
    counts = statuses.value_counts()
    reasons = sorted(f"{STATUS_LABELS_DE.get(s, s)} ({n})" for s, n in counts.items())
    return "kein Wert: " + ", ".join(reasons)
