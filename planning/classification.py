"""Classes of a map: which values share a colour – and when a map must not use classes at all.

Rules a planner should know:

- **Counts are not coloured.** Absolute numbers (people, places, offers; catalogue kind "count" or "measure", unit
  "Personen") grow with the size of an area, so a coloured area would show size, not a situation. They are drawn as
  circles at a point inside each area whose *area* is proportional to the value, with a size legend
  (``is_count``, ``proportional_symbols``).
- **Enough areas and a real spread:** the known values are split by the chosen scheme (quantiles by default,
  natural breaks after Fisher-Jenks, or equal intervals), computed with mapclassify, into at most ``k`` classes;
  fewer where fewer distinct values exist, and tied class bounds are merged. Colours run light (low) to dark (high).
- **Small spread:** when all values lie close together – the spread (largest minus smallest) is below 10 % of the
  Kreis value, or every area is statistically "ähnlich" to the Kreis – quantiles would still paint four or five
  colours and invent differences. The areas are then split into three classes around the Kreis value: *unter dem
  Kreiswert*, *nahe am Kreiswert* (at most 5 % of the Kreis value away) and *über dem Kreiswert*, in a diverging
  palette with a neutral middle.
- **Few areas (at most 7):** quantiles of five areas are five colours for five areas. The classes are fixed,
  rounded steps (1, 2, 2.5 or 5 times a power of ten) instead; where there is no Kreis value to centre on and the
  spread is small, the step is at least a tenth of the typical value, so that close values share a colour.
- Every legend states the spread ("Spannweite 5,28 bis 5,49") and, where the rule replaced the chosen scheme, why.
- Areas without a value are grey, and the legend names why they have none.
- **No gaps in the legend.** A class no area falls into keeps its row, marked "(kein Gebiet)": the legend stays
  one continuous scale (no reader wonders where "30 bis 31" went between "29 bis 30" and "über 31 bis 32"), and
  fixed steps stay visibly fixed.
"""
from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import branca.utilities
import mapclassify
import numpy as np
import pandas as pd

from etl.markers import STATUS_LABELS_DE
from planning.formatting import number

MISSING_COLOUR = "#d9d9d9"
PALETTE = "YlGnBu"
# unter / nahe / über dem Kreiswert: blue and ochre around a light sand (never the grey of missing values)
CENTRED_COLOURS = ("#5b9bc8", "#ece2b8", "#b9853a")
FEW_AREAS = 7  # at most this many areas with a value: rounded steps instead of the chosen scheme
SMALL_SPREAD = 0.10  # spread below this share of the Kreis value: classes around the Kreis value
NEAR_SHARE = 0.05  # "nahe am Kreiswert": at most this share of the Kreis value away from it
COUNT_KINDS = ("count", "measure")  # catalogue kinds summed over areas (absolute numbers)

EMPTY_CLASS = "(kein Gebiet)"  # the mark of a legend row no area falls into
SCHEME, CENTRED, STEPS = "scheme", "kreiswert", "stufen"  # how the classes were made (``Classes.method``)


@dataclass(frozen=True)
class Classes:
    """Class breaks (upper bounds) and one colour per class; ``names`` replace the 'a bis b' labels where the
    classes have a meaning of their own (around the Kreis value); ``note`` says how they were made; ``counts``
    the number of areas in each class where the classes were made for a map (``map_classes``), else empty."""

    lower: float
    bounds: tuple[float, ...]
    colours: tuple[str, ...]
    names: tuple[str, ...] = ()
    method: str = SCHEME
    note: str = ""
    counts: tuple[int, ...] = ()

    def colour_of(self, value: float | None) -> str:
        if value is None or np.isnan(value):
            return MISSING_COLOUR
        return self.colours[self.index_of(value)]

    def index_of(self, value: float) -> int:
        index = int(np.searchsorted(self.bounds, value, side="left"))
        return min(index, len(self.colours) - 1)

    def labels(self, decimals: int) -> list[str]:
        """Class labels; up to two more decimals than the indicator's where rounding would make bounds equal."""
        if self.names:
            return list(self.names)
        edges = (self.lower, *self.bounds)
        for extra in range(3):
            if len({round(e, decimals + extra) for e in edges}) == len(set(edges)):
                break
        decimals += extra
        lows = (self.lower, *self.bounds[:-1])
        return [
            number(hi, decimals) if lo == hi
            else f"{number(lo, decimals)} bis {number(hi, decimals)}" if i == 0
            else f"über {number(lo, decimals)} bis {number(hi, decimals)}"
            for i, (lo, hi) in enumerate(zip(lows, self.bounds))
        ]  # fmt: skip

    def legend_labels(self, decimals: int) -> list[str]:
        """One legend row per class, empty classes included and marked "(kein Gebiet)".

        A cartographer keeps an empty class rather than dropping it or widening its neighbour: dropping leaves a
        jump in the labels ("29,0 bis 30,0", then "über 31,0 bis 32,0"), and merging would make one step of
        fixed steps (or one interval of equal intervals, one side of the Kreis value) wider than the others
        and break the colour ramp. The row stays, with its colour, and says that no area falls into it."""
        labels = self.labels(decimals)
        if len(self.counts) != len(labels):
            return labels
        return [f"{label} {EMPTY_CLASS}" if n == 0 else label for label, n in zip(labels, self.counts)]

    def with_counts(self, values: pd.Series) -> Classes:
        """These classes with the number of known ``values`` in each (for ``legend_labels``)."""
        known = values.dropna().astype(float)
        index = np.minimum(np.searchsorted(self.bounds, known.to_numpy(), side="left"), len(self.colours) - 1)
        return replace(self, counts=tuple(int(n) for n in np.bincount(index, minlength=len(self.colours))))


SCHEMES = {
    "quantile": "Quantile",
    "fisher_jenks": "natürliche Unterbrechungen (Fisher-Jenks)",
    "equal_interval": "gleiche Intervalle",
}
_FISHER_JENKS_SAMPLE_FROM = 1500  # exact Fisher-Jenks is O(k·n²) in pure Python; beyond this, mapclassify's sampled variant


def classify(values: pd.Series, scheme: str = "quantile", k: int = 5, palette: str = PALETTE) -> Classes | None:
    """Classes over the known values by ``scheme`` (a key of SCHEMES), computed with mapclassify.

    Fewer classes when there are fewer distinct values than ``k``; duplicate class bounds (ties) are merged.
    ``palette`` is a ColorBrewer sequential scheme (light = low). None when no value is known. The map rule
    (few areas, small spread) is ``map_classes``.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown classification {scheme!r}; expected one of {', '.join(SCHEMES)}")
    known = values.dropna().astype(float)
    if known.empty:
        return None
    k = max(1, min(int(k), known.nunique()))
    bounds = _bounds(tuple(sorted(known.tolist())), scheme, k)
    return Classes(float(known.min()), bounds, _sequential(palette, len(bounds)))


def _sequential(palette: str, k: int) -> tuple[str, ...]:
    if k >= 3:
        return tuple(branca.utilities.color_brewer(palette, max(k, 3))[-k:])
    # ColorBrewer starts at three classes: the darker two of three
    return tuple(branca.utilities.color_brewer(palette, 3)[1:][-k:])


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


# --- the map rule: few areas, small spread --------------------------------------------------------------------------


def spread_text(values: pd.Series, decimals: int, unit: str = "") -> str | None:
    """'Spannweite 5,28 bis 5,49 %' over the known values (None without any)."""
    known = values.dropna().astype(float)
    if known.empty:
        return None
    suffix = f" {unit}" if unit else ""
    low, high = float(known.min()), float(known.max())
    for extra in range(3):  # as many decimals as it takes to tell the two apart
        if low == high or number(low, decimals + extra) != number(high, decimals + extra):
            break
    digits = decimals + extra
    return f"Spannweite {number(low, digits)} bis {number(high, digits)}{suffix}"


def small_spread(values: pd.Series, reference: float | None, comparisons: Sequence[str] | None = None) -> bool:
    """Whether the known values lie so close together that classes would invent differences: their spread is
    below ``SMALL_SPREAD`` of the Kreis value (``reference``), or every area with a value was compared with the
    Kreis and found "ähnlich" (``comparisons``: ``planning.comparison`` categories of the same areas)."""
    known = values.dropna().astype(float)
    if len(known) < 2:
        return False
    if reference is not None and math.isfinite(reference) and reference != 0:
        if float(known.max() - known.min()) < SMALL_SPREAD * abs(reference):
            return True
    if comparisons is not None:
        judged = [c for c, v in zip(comparisons, values) if pd.notna(v)]
        return len(judged) == len(known) and all(c == "similar" for c in judged)
    return False


def map_classes(
    values: pd.Series,
    *,
    scheme: str = "quantile",
    k: int = 5,
    reference: float | None = None,
    comparisons: Sequence[str] | None = None,
    decimals: int = 1,
    palette: str = PALETTE,
) -> Classes | None:
    """The classes a map uses by the rule of this module: the chosen ``scheme`` with enough areas and spread,
    classes around the Kreis value (``reference``) where the spread is small, fixed rounded steps where there are
    few areas. ``comparisons`` are the areas' comparisons with the Kreis (same order as ``values``), if known.
    None when no value is known. ``note`` of the result names the method, and why where the rule chose it;
    ``counts`` the areas in each class (an empty class keeps its legend row, ``Classes.legend_labels``)."""
    known = values.dropna().astype(float)
    if known.empty:
        return None
    has_reference = reference is not None and math.isfinite(float(reference))
    if small_spread(values, reference, comparisons) and has_reference:
        return centred_classes(known, float(reference), decimals).with_counts(known)
    if known.nunique() > 1 and (len(known) <= FEW_AREAS or small_spread(values, reference, comparisons)):
        why = f"nur {len(known)} Gebiete mit Wert" if len(known) <= FEW_AREAS else "Werte liegen eng beieinander"
        centre = float(reference) if has_reference else float(known.median())
        return step_classes(known, k, centre, why, decimals, palette).with_counts(known)
    classes = classify(known, scheme, k, palette)
    n = len(classes.colours)
    count = f", {n} Klassen" if n > 1 else ", 1 Klasse"
    return Classes(classes.lower, classes.bounds, classes.colours, note=f"Klassen: {SCHEMES[scheme]}{count}").with_counts(known)


def centred_classes(known: pd.Series, reference: float, decimals: int) -> Classes:
    """Three classes around the Kreis value: unter (more than ``NEAR_SHARE`` of it below), nahe, über."""
    tolerance = max(NEAR_SHARE * abs(reference), 0.5 * 10 ** -decimals)
    low, high = reference - tolerance, reference + tolerance
    digits = decimals + (1 if number(low, decimals) == number(reference, decimals) else 0)
    names = (
        f"unter dem Kreiswert (unter {number(low, digits)})",
        f"nahe am Kreiswert ({number(low, digits)} bis {number(high, digits)})",
        f"über dem Kreiswert (über {number(high, digits)})",
    )
    # a value exactly at the lower edge counts as "nahe": the first bound lies just below it
    bounds = (float(np.nextafter(low, -math.inf)), high, math.inf)
    note = (
        f"Werte liegen eng beieinander: Klassen um den Kreiswert {number(reference, digits)} "
        f"(nahe = höchstens {number(NEAR_SHARE * 100)} % davon entfernt)"
    )
    return Classes(float(known.min()), bounds, CENTRED_COLOURS, names, CENTRED, note)


def nice_step(at_least: float) -> float:
    """The smallest of 1, 2, 2,5 and 5 times a power of ten that is at least ``at_least`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(at_least))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= at_least * (1 - 1e-9):
            return factor * power
    return 10 * power


def step_classes(known: pd.Series, k: int, centre: float, why: str, decimals: int, palette: str = PALETTE) -> Classes:
    """Fixed rounded steps over the known values: at most ``k`` classes, each one ``nice_step`` wide, bounds on
    multiples of the step; the step is at least ``SMALL_SPREAD`` of the typical value ``centre`` when the values
    lie close together (so that a spread of 0,2 around 5,4 is one class, not five)."""
    low, high = float(known.min()), float(known.max())
    at_least = max((high - low) / max(int(k), 1), 10.0 ** -decimals)
    if centre and high - low < SMALL_SPREAD * abs(centre):
        at_least = max(at_least, SMALL_SPREAD * abs(centre))
    step = nice_step(at_least)
    start = math.floor(low / step + 1e-9) * step
    count = max(1, math.ceil((high - start) / step - 1e-9))
    while count > k:  # floating edges: one step up
        step = nice_step(step * 1.01)
        start = math.floor(low / step + 1e-9) * step
        count = max(1, math.ceil((high - start) / step - 1e-9))
    bounds = tuple(round(start + (i + 1) * step, 12) for i in range(count))
    digits = next(d for d in range(8) if abs(round(step, d) - step) < 1e-9 * step)
    note = f"{why[0].upper()}{why[1:]}: Klassen in festen Stufen von {number(step, digits)}"
    # one class: the middle colour of the palette (the darkest would look like an alarm)
    colours = _sequential(palette, count) if count > 1 else (branca.utilities.color_brewer(palette, 3)[1],)
    return Classes(round(start, 12), bounds, colours, method=STEPS, note=note)


# --- counts: circles instead of colours ------------------------------------------------------------------------------


def is_count(kind: str, unit: str) -> bool:
    """Whether an indicator is an absolute number (catalogue kind "count"/"measure", or unit "Personen"): drawn as
    proportional circles, never as coloured areas."""
    return kind in COUNT_KINDS or unit == "Personen"


@dataclass(frozen=True)
class Symbols:
    """Proportional circles: the value drawn as ``max_radius`` pixels, and the values of the size legend."""

    max_value: float
    max_radius: float
    legend_values: tuple[float, ...]

    def radius(self, value: float | None) -> float:
        """Circle radius in pixels; the circle's area is proportional to the value (0 without a value)."""
        if value is None or not np.isfinite(value) or value <= 0 or self.max_value <= 0:
            return 0.0
        return self.max_radius * math.sqrt(value / self.max_value)


def proportional_symbols(values: pd.Series, max_radius: float | None = None) -> Symbols | None:
    """Circle sizes for the known positive values: the largest gets ``max_radius`` pixels (default: larger for
    few areas, 22–36 px); the size legend shows up to three rounded values (the largest, a quarter, a sixteenth)."""
    known = values.dropna().astype(float)
    known = known[known > 0]
    if known.empty:
        return None
    top = float(known.max())
    radius = max_radius if max_radius is not None else min(36.0, max(22.0, 100.0 / math.sqrt(len(known))))
    legend = []
    for share in (1, 1 / 4, 1 / 16):
        value = _round_down_nice(top * share)
        if value > 0 and value not in legend and (not legend or value < legend[-1]):
            legend.append(value)
    return Symbols(top, radius, tuple(legend))


def _round_down_nice(value: float) -> float:
    """1, 2, 2,5 or 5 times a power of ten, at most ``value`` (a size legend's round numbers)."""
    if value <= 0:
        return 0.0
    power = 10.0 ** math.floor(math.log10(value))
    return max(f * power for f in (1, 2, 2.5, 5) if f * power <= value * (1 + 1e-9))


def missing_reasons(statuses: pd.Series) -> str | None:
    """'kein Wert: wegen kleiner Fallzahl unterdrückt (2), …' for the statuses of areas without a value."""
    if statuses.empty:
        return None
    counts = statuses.value_counts()
    reasons = sorted(f"{STATUS_LABELS_DE.get(s, s)} ({n})" for s, n in counts.items())
    return "kein Wert: " + ", ".join(reasons)
