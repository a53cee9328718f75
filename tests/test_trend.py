"""The trend statement (planning.trend) on hand-computed fixtures: the chi-square test for trend in proportions
(Cochran–Armitage), the Poisson regression of counts and the least-squares line, and the verdict a planner reads."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from planning import trend

YEARS = [2011, 2012, 2013, 2014, 2015]


# --- Cochran–Armitage -------------------------------------------------------------------------------------------------

def test_proportions_by_hand_small_counts_not_significant():
    # x = 10, 12, 14, 16, 18 of n = 100 each, scores 0..4 (years give the same: the test is shift-invariant)
    # p̄ = 70/500 = 0,14; T = Σ s x − p̄ Σ s n = 160 − 140 = 20
    # Var T = p̄ (1 − p̄) [Σ n s² − (Σ n s)² / N] = 0,14 · 0,86 · (3000 − 1000²/500) = 0,1204 · 1000 = 120,4
    # χ² = 20² / 120,4 = 3,3223; p = P(χ²₁ > 3,3223) = 0,0683
    result = trend.chi_square_trend_proportions([10, 12, 14, 16, 18], [100] * 5, YEARS)
    assert result.statistic == pytest.approx(400 / 120.4)
    assert result.p_value == pytest.approx(0.068348, abs=1e-5)
    assert result.slope == pytest.approx(0.02), "two percentage points a year"
    verdict = trend.trend(YEARS, [10, 12, 14, 16, 18], kind="rate", unit="%", per=100, numerators=[10, 12, 14, 16, 18],
                          denominators=[100] * 5)  # fmt: skip
    assert verdict.direction == trend.NO_TREND and verdict.method == "proportion"
    assert verdict.text == "kein signifikanter Trend (p = 0,068 ≥ 0,05), letzte 5 Jahre mit Werten: 2011–2015"


def test_proportions_by_hand_large_counts_rising_and_judged_by_polarity():
    # ten times the counts: T = 200, Var T = 0,1204 · 10000 = 1204, χ² = 40000 / 1204 = 33,22, p ≈ 8,2e-9
    result = trend.chi_square_trend_proportions([100, 120, 140, 160, 180], [1000] * 5, range(5))
    assert result.statistic == pytest.approx(40000 / 1204)
    assert result.p_value == pytest.approx(stats.chi2.sf(40000 / 1204, 1))
    verdict = trend.trend(YEARS, [10, 12, 14, 16, 18], kind="rate", unit="%", per=100, numerators=[100, 120, 140, 160, 180],
                          denominators=[1000] * 5, polarity="higher_is_worse")  # fmt: skip
    assert verdict.direction == trend.RISING and verdict.judged == "ungünstig"
    assert verdict.verdict == "steigend – ungünstig (+2,0 Prozentpunkte pro Jahr; p < 0,001)"


def test_proportions_without_any_event_cannot_move():
    assert trend.chi_square_trend_proportions([0] * 5, [50] * 5, range(5)).p_value == 1.0


# --- Poisson regression -----------------------------------------------------------------------------------------------

def test_counts_doubling_every_year_fit_exactly():
    # y = 100 · 2^t is a log-linear line: the fit is exact (b = ln 2, deviance 0, Pearson χ² 0); the likelihood ratio
    # is the null deviance 2 Σ y ln(y / ȳ) with ȳ = 620
    counts = [100, 200, 400, 800, 1600]
    result = trend.poisson_trend(counts, range(5))
    assert result.slope == pytest.approx(math.log(2))
    assert result.statistic == pytest.approx(2 * sum(y * math.log(y / 620) for y in counts))
    assert result.dispersion == pytest.approx(0, abs=1e-12)
    verdict = trend.trend(YEARS, counts, kind="count", unit="Personen")
    assert verdict.direction == trend.RISING and verdict.change == "+100,0 % pro Jahr"


def test_constant_counts_have_no_trend():
    result = trend.poisson_trend([250] * 5, range(5))
    assert result.slope == pytest.approx(0, abs=1e-12) and result.p_value == pytest.approx(1)


def test_overdispersed_counts_are_tested_with_the_quasi_poisson_f_test():
    counts, scores = np.array([100, 150, 90, 160, 140]), np.arange(5) - 2.0
    result = trend.poisson_trend(counts, range(5))

    # independent maximum likelihood fit of log μ = a + b s
    def negative_loglik(theta):
        mu = np.exp(theta[0] + theta[1] * scores)
        return float((mu - counts * np.log(mu)).sum())

    fit = optimize.minimize(negative_loglik, [math.log(counts.mean()), 0.0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12})
    mu = np.exp(fit.x[0] + fit.x[1] * scores)
    null_deviance = 2 * (counts * np.log(counts / counts.mean())).sum()
    deviance = 2 * (counts * np.log(counts / mu) - (counts - mu)).sum()
    dispersion = ((counts - mu) ** 2 / mu).sum() / 3
    assert dispersion > 1, "the fixture varies more than Poisson allows"
    assert result.slope == pytest.approx(fit.x[1], abs=1e-5)
    assert result.dispersion == pytest.approx(dispersion, rel=1e-4)
    assert result.p_value == pytest.approx(stats.f.sf((null_deviance - deviance) / dispersion, 1, 3), rel=1e-3)


def test_a_quotient_that_is_no_share_uses_poisson_even_where_the_numerator_is_smaller():
    # Altenquotient: people 65+ je 100 people aged 20–64 – the numerator is no part of the denominator
    verdict = trend.trend(YEARS, [30.0, 31, 32, 33, 34], kind="rate", unit="je 100 Personen von 20–64 J.", per=100,
                          numerators=[300, 310, 320, 330, 340], denominators=[1000] * 5)  # fmt: skip
    assert verdict.method == "poisson"


def test_rates_whose_numerator_exceeds_the_denominator_use_poisson_with_exposure():
    # Kinder je pädagogischer Fachkraft: numerator and denominator known, but the numerator is no part of the whole
    verdict = trend.trend(YEARS, [5.0, 6, 7, 8, 9], kind="rate", unit="Kinder je VZE", per=1,
                          numerators=[500, 600, 700, 800, 900], denominators=[100] * 5)  # fmt: skip
    assert verdict.method == "poisson" and verdict.direction == trend.RISING
    exact = trend.poisson_trend([500, 600, 700, 800, 900], range(5), exposure=[100] * 5)
    assert exact.slope == pytest.approx(trend.poisson_trend([500, 600, 700, 800, 900], range(5)).slope), \
        "a constant exposure leaves the slope of the rate as that of the counts"


# --- least squares ------------------------------------------------------------------------------------------------------

def test_line_through_published_rates_by_hand():
    # y = 1, 3, 2, 4, 3 over s = 0..4: slope = Σ(s − 2)(y − 2,6) / Σ(s − 2)² = 5 / 10 = 0,5; residuals −0,6, 0,9,
    # −0,6, 0,9, −0,6: SSE = 2,7; se = √(2,7 / 3 / 10) = 0,3; t = 1,667 with 3 degrees of freedom, p = 0,194
    result = trend.linear_trend([1, 3, 2, 4, 3], range(5))
    assert result.slope == pytest.approx(0.5) and result.statistic == pytest.approx(0.5 / 0.3)
    assert result.p_value == pytest.approx(2 * stats.t.sf(0.5 / 0.3, 3))
    assert result.p_value == pytest.approx(0.1942, abs=1e-4)
    verdict = trend.trend(YEARS, [5.1, 4.9, 4.6, 4.4, 4.2], kind="rate", unit="%", polarity="higher_is_worse")
    assert verdict.method == "linear" and verdict.direction == trend.FALLING and verdict.judged == "günstig"
    assert verdict.change == "−0,2 Prozentpunkte pro Jahr"
    small = trend.trend(YEARS, [5.10, 5.12, 5.14, 5.16, 5.18], kind="rate", unit="%")
    assert small.change == "+0,02 Prozentpunkte pro Jahr", "a small change is not rounded away"


# --- which years -------------------------------------------------------------------------------------------------------

def test_only_the_last_five_years_with_values_count_and_fewer_give_no_statement():
    years = list(range(2008, 2016))
    values = [1.0, 2.0, 3.0, None, 5.0, 5.0, 5.0, 5.0]
    verdict = trend.trend(years, values, kind="measure")
    assert verdict.years == (2010, 2012, 2013, 2014, 2015), "a gap is skipped, not filled"
    few = trend.trend(YEARS, [1.0, None, 2.0, None, 3.0], kind="measure")
    assert few.direction == trend.NOT_TESTED and few.text == "zu wenige Jahre für einen Trend (3 von 5 Jahren mit Werten)"


def test_method_note_names_each_test_once():
    note = trend.method_note(["proportion", "proportion", "poisson"])
    assert note.count("Cochran-Armitage") == 1 and "Poisson" in note and "5-%-Niveau" in note
    assert trend.method_note([]) == ""
