"""Is an indicator rising or falling? A trend statement over the last five years with values, with a stated test.

Rules, as a planner would read them beside a time series (in the manner of FingertipsNext: the last five data
points, a two-sided test at the 5 % level):
- Only the last five years in which the area has a value count; a year without a value (suppressed, missing) is
  skipped, not guessed. With fewer than five such years there is no statement ("zu wenige Jahre für einen Trend").
- Shares in % with numerator and denominator (the numerator a part of the denominator, e.g. Anteil Kinder unter 6
  Jahren; the same shares the comparison with the Kreis tests): chi-square test for trend in proportions (Cochran–Armitage, one degree of freedom), the years as scores. It asks
  whether the share moves steadily from year to year by more than the chance variation of the counts explains.
- Other rates with counts (the numerator is no part of the denominator, e.g. Altenquotient je 100 Personen von 20–64
  Jahren, Zuzüge je 1.000 Einwohner) and counts
  (Einwohner, Arbeitslose): Poisson regression of the counts on the year (log-linear; for a rate the denominator is
  the exposure), tested by the likelihood ratio. Real counts vary more than chance alone (a reception centre opens):
  where the Pearson chi-square per degree of freedom of the fitted line exceeds 1, the test is divided by it and
  read from the F distribution with 1 and n − 2 degrees of freedom (quasi-Poisson), which makes it more cautious.
- Values without counts (published rates, averages, areas): least-squares line through the values, t-test of its
  slope with n − 2 degrees of freedom.
- Verdict: "steigend" or "fallend" where p < 0,05, else "kein signifikanter Trend (p ≥ 0,05)"; with the indicator's
  polarity "steigend – ungünstig" etc. The change is said as percentage points a year (shares in %), per cent a year
  (counts and other rates with counts) or units a year (values without counts).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from planning.comparison import is_percent
from planning.formatting import number

POINTS = 5  # the last five years with values, as FingertipsNext does
ALPHA = 0.05
RISING, FALLING, NO_TREND, NOT_TESTED = "steigend", "fallend", "kein signifikanter Trend", "nicht geprüft"
METHODS = {
    "proportion": "Chi-Quadrat-Test auf Trend in Anteilen (Cochran-Armitage)",
    "poisson": "Poisson-Regression der Fallzahlen (log-linear, Likelihood-Quotienten-Test)",
    "linear": "lineare Regression der Werte (t-Test der Steigung; ohne Fallzahlen)",
}
JUDGED = {
    ("higher_is_worse", RISING): "ungünstig", ("higher_is_worse", FALLING): "günstig",
    ("higher_is_better", RISING): "günstig", ("higher_is_better", FALLING): "ungünstig",
}  # fmt: skip


@dataclass(frozen=True)
class TestResult:
    """A slope and its two-sided p value. ``slope``: change of the share a year (proportions), of the log rate
    (Poisson) or of the value (linear); ``dispersion``: Pearson chi-square per degree of freedom (Poisson only)."""

    slope: float
    p_value: float
    statistic: float
    dispersion: float | None = None


def chi_square_trend_proportions(events: Sequence[float], totals: Sequence[float], scores: Sequence[float]) -> TestResult:
    """Cochran–Armitage test: events of totals in groups with scores (here: years).

    T = Σ sᵢ (xᵢ − nᵢ p̄), Var T = p̄ (1 − p̄) [Σ nᵢ sᵢ² − (Σ nᵢ sᵢ)² / N], χ² = T² / Var T with one degree of freedom.
    ``slope``: the share's change per score unit, the weighted least-squares slope T / Σ nᵢ (sᵢ − s̄)².
    """
    x, n, s = (np.asarray(v, dtype=float) for v in (events, totals, scores))
    total = n.sum()
    p_bar = x.sum() / total
    spread = (n * s**2).sum() - (n * s).sum() ** 2 / total
    t = (s * (x - n * p_bar)).sum()
    variance = p_bar * (1 - p_bar) * spread
    if variance <= 0 or spread <= 0:
        return TestResult(0.0, 1.0, 0.0)  # no event or nothing but events, or a single score: nothing can move
    chi2 = t**2 / variance
    return TestResult(float(t / spread), float(stats.chi2.sf(chi2, 1)), float(chi2))


def _deviance(y: np.ndarray, mu: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(y > 0, y * np.log(y / mu), 0.0)
    return float(2 * (part - (y - mu)).sum())


def poisson_trend(counts: Sequence[float], scores: Sequence[float], exposure: Sequence[float] | None = None) -> TestResult:
    """Poisson regression log μᵢ = a + b sᵢ (+ log exposureᵢ), tested by the likelihood ratio against a constant
    rate; quasi-Poisson F test where the counts vary more than Poisson allows (see the module docstring).
    ``slope``: b, the change of the log rate per score unit (exp(b) − 1 is the relative change)."""
    y = np.asarray(counts, dtype=float)
    s = np.asarray(scores, dtype=float)
    offset = np.log(np.asarray(exposure, dtype=float)) if exposure is not None else np.zeros_like(y)
    n = len(y)
    if y.sum() <= 0 or n < 3:
        return TestResult(0.0, 1.0, 0.0)
    x = s - s.mean()
    null_mu = np.exp(offset) * y.sum() / np.exp(offset).sum()
    a, b = math.log(y.sum() / np.exp(offset).sum()), 0.0
    for _ in range(100):  # Newton-Raphson with step halving; a separating series lets b grow, the deviance converges
        mu = np.exp(a + b * x + offset)
        score = np.array([(y - mu).sum(), (x * (y - mu)).sum()])
        info = np.array([[mu.sum(), (x * mu).sum()], [(x * mu).sum(), (x**2 * mu).sum()]])
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError:
            break
        current = _deviance(y, mu)
        for _ in range(30):
            trial = np.exp(a + step[0] + (b + step[1]) * x + offset)
            if _deviance(y, trial) <= current + 1e-12:
                break
            step = step / 2
        a, b = a + step[0], b + step[1]
        if np.abs(step).max() < 1e-10 or abs(b) > 50:
            break
    mu = np.exp(a + b * x + offset)
    lr = max(_deviance(y, null_mu) - _deviance(y, mu), 0.0)
    dispersion = float(((y - mu) ** 2 / mu).sum() / (n - 2))
    if dispersion > 1:
        statistic = lr / dispersion
        return TestResult(float(b), float(stats.f.sf(statistic, 1, n - 2)), float(statistic), dispersion)
    return TestResult(float(b), float(stats.chi2.sf(lr, 1)), float(lr), dispersion)


def linear_trend(values: Sequence[float], scores: Sequence[float]) -> TestResult:
    """Least-squares line through the values; t-test of the slope with n − 2 degrees of freedom."""
    y = np.asarray(values, dtype=float)
    x = np.asarray(scores, dtype=float) - np.mean(scores)
    n = len(y)
    sxx = (x**2).sum()
    if n < 3 or sxx == 0:
        return TestResult(0.0, 1.0, 0.0)
    slope = float((x * (y - y.mean())).sum() / sxx)
    residual = y - y.mean() - slope * x
    sse = float((residual**2).sum())
    if sse <= 1e-24 * max(1.0, float((y**2).sum())):
        return TestResult(slope, 0.0 if slope else 1.0, math.inf if slope else 0.0)  # an exact line
    t = slope / math.sqrt(sse / (n - 2) / sxx)
    return TestResult(slope, float(2 * stats.t.sf(abs(t), n - 2)), float(t))


@dataclass(frozen=True)
class Trend:
    """The trend statement of one series (see the module docstring)."""

    direction: str  # steigend | fallend | kein signifikanter Trend | nicht geprüft
    years: tuple[int, ...]  # the years tested
    method: str = ""  # key of METHODS, '' when not tested
    p_value: float | None = None
    change: str = ""  # '+0,3 Prozentpunkte pro Jahr'
    judged: str = ""  # günstig | ungünstig | '' (neutral or no trend)

    @property
    def verdict(self) -> str:
        """'steigend – ungünstig (p < 0,001)', 'kein signifikanter Trend (p = 0,41 ≥ 0,05)' or why none is stated."""
        if self.direction == NOT_TESTED:
            return f"zu wenige Jahre für einen Trend ({len(self.years)} von {POINTS} Jahren mit Werten)"
        if self.direction == NO_TREND:
            return f"{NO_TREND} (p = {p_text(self.p_value)} ≥ 0,05)"
        judged = f" – {self.judged}" if self.judged else ""
        return f"{self.direction}{judged} ({self.change}; p {'<' if self.p_value < 0.001 else '='} {p_text(self.p_value)})"

    @property
    def period(self) -> str:
        """'letzte 5 Jahre mit Werten: 2011–2015'."""
        if not self.years:
            return ""
        return f"letzte {len(self.years)} Jahre mit Werten: {self.years[0]}–{self.years[-1]}"

    @property
    def text(self) -> str:
        """Verdict and period, e.g. 'fallend (−0,4 Prozentpunkte pro Jahr; p = 0,003), letzte 5 Jahre mit Werten:
        2011–2015'."""
        return f"{self.verdict}, {self.period}" if self.direction != NOT_TESTED and self.period else self.verdict


def p_text(p: float | None) -> str:
    """'0,032', '0,41', '0,001' for p < 0,001; three decimals below 0,1, so that p = 0,0496 does not read '0,05'."""
    if p is None:
        return "–"
    if p < 0.001:
        return "0,001"
    return number(p, 3 if p < 0.1 else 2)


def _signed(value: float, decimals: int) -> str:
    """'+0,4', '−1,2'; more decimals where the change would round to zero ('+0,02', not '+0,0')."""
    while value and round(abs(value), decimals) == 0 and decimals < 4:
        decimals += 1
    text = number(abs(value), decimals)
    return ("+" if value > 0 else "−" if value < 0 and text.strip("0,") else "±") + text


def trend(
    years: Sequence[int], values: Sequence[float | None], *, kind: str, unit: str = "", per: float | None = None,
    numerators: Sequence[float | None] | None = None, denominators: Sequence[float | None] | None = None,
    polarity: str = "neutral", decimals: int = 1, points: int = POINTS,
) -> Trend:  # fmt: skip
    """The trend of one series over its last ``points`` years with values (see the module docstring).

    ``values`` (None where a year has none) and, for rates, ``numerators``/``denominators`` align with ``years``.
    """
    counts_given = numerators is not None and denominators is not None
    rows = [
        (int(y), float(v), _num(numerators[i]) if counts_given else None, _num(denominators[i]) if counts_given else None)
        for i, (y, v) in enumerate(zip(years, values))
        if v is not None and not (isinstance(v, float) and math.isnan(v))
    ]
    rows = sorted(rows)[-points:]
    tested = tuple(r[0] for r in rows)
    if len(rows) < points:
        return Trend(NOT_TESTED, tested)
    scores = [r[0] for r in rows]
    with_counts = all(r[2] is not None and r[3] is not None and r[3] > 0 and r[2] >= 0 for r in rows)
    if kind == "rate" and with_counts and is_percent(unit) and all(r[2] <= r[3] for r in rows):
        method = "proportion"
        result = chi_square_trend_proportions([r[2] for r in rows], [r[3] for r in rows], scores)
        scale = per or 1.0
        word = "Prozentpunkte" if unit.startswith("%") else unit
        change = f"{_signed(result.slope * scale, decimals)} {word} pro Jahr".replace("  ", " ")
    elif (kind == "rate" and with_counts) or (kind == "count" and all(r[1] >= 0 for r in rows)):
        method = "poisson"
        exposure = [r[3] for r in rows] if kind == "rate" else None
        result = poisson_trend([r[2] for r in rows] if kind == "rate" else [r[1] for r in rows], scores, exposure)
        change = f"{_signed(100 * (math.exp(result.slope) - 1), 1)} % pro Jahr"
    else:
        method = "linear"
        result = linear_trend([r[1] for r in rows], scores)
        word = "Prozentpunkte" if unit.startswith("%") else ("" if unit == "Personen" else unit)
        change = f"{_signed(result.slope, decimals)} {word} pro Jahr".replace("  ", " ")
    if result.p_value >= ALPHA or result.slope == 0:
        return Trend(NO_TREND, tested, method, result.p_value)
    direction = RISING if result.slope > 0 else FALLING
    return Trend(direction, tested, method, result.p_value, change, JUDGED.get((polarity, direction), ""))


def _num(x: object) -> float | None:
    if x is None:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def method_note(methods: Sequence[str]) -> str:
    """'Trend: Chi-Quadrat-Test … ; zweiseitig, 5-%-Niveau, letzte 5 Jahre mit Werten' for the methods used."""
    used = [METHODS[m] for m in dict.fromkeys(methods) if m in METHODS]
    if not used:
        return ""
    return f"Trendtest: {'; '.join(used)} – zweiseitig auf dem 5-%-Niveau, über die letzten {POINTS} Jahre mit Werten."
