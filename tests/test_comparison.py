"""Comparison with the Kreis (Fingertips convention): Wilson intervals by hand, polarity, what is not assessed."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import binomtest

from planning import comparison
from planning.comparison import BETTER, HIGHER, LOWER, NOT_ASSESSED, SIMILAR, WORSE, compare, wilson_interval


def _wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n), written out independently of the module."""
    p = k / n
    denominator = 1 + z**2 / n
    centre = p + z**2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return (centre - spread) / denominator, (centre + spread) / denominator


def test_wilson_interval_matches_hand_computed_values():
    # k = 10, n = 100: p = 0.1, z² = 3.8415; centre (0.1 + 0.019207) / 1.038415, spread 1.96·sqrt(0.0009 + 0.000096)
    low, high = wilson_interval(10, 100)
    assert low == pytest.approx(0.0552, abs=5e-5) and high == pytest.approx(0.1744, abs=5e-5)
    # k = 0, n = 20: the interval starts at 0 and is not degenerate (unlike the Wald interval)
    low, high = wilson_interval(0, 20)
    assert low == 0.0 and high == pytest.approx(0.1611, abs=5e-5)
    # k = n = 20: mirror image
    low, high = wilson_interval(20, 20)
    assert low == pytest.approx(0.8389, abs=5e-5) and high == 1.0
    # k = 3, n = 7: small numbers give wide intervals
    low, high = wilson_interval(3, 7)
    assert (round(low, 4), round(high, 4)) == (0.1582, 0.7495)


@pytest.mark.parametrize("k,n", [(10, 100), (0, 20), (20, 20), (3, 7), (1602, 25819), (57, 61)])
def test_wilson_interval_agrees_with_formula_and_scipy(k: int, n: int):
    expected = _wilson_by_hand(k, n)
    assert wilson_interval(k, n) == pytest.approx(expected, abs=1e-12)
    scipy_ci = binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert wilson_interval(k, n) == pytest.approx((scipy_ci.low, scipy_ci.high), abs=1e-12)


def test_wilson_interval_rounds_counts_and_rejects_impossible_ones():
    assert wilson_interval(9.6, 100.4) == wilson_interval(10, 100)
    with pytest.raises(ValueError):
        wilson_interval(5, 0)
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def _rate(value_pct: float, k: float, n: float, kreis: float, polarity: str = "neutral", **overrides) -> comparison.Comparison:
    args = dict(value=value_pct, status="ok", numerator=k, denominator=n, unit="%", per=100.0, polarity=polarity, benchmark=kreis)
    args.update(overrides)
    return compare(**args)


def test_interval_entirely_above_or_below_the_benchmark_differs_else_similar():
    # 10/100 → 5,52 … 17,44 %
    assert _rate(10.0, 10, 100, 5.0).category == HIGHER
    assert _rate(10.0, 10, 100, 18.0).category == LOWER
    assert _rate(10.0, 10, 100, 12.0).category == SIMILAR
    # the bounds themselves count as "similar" (interval touches the benchmark)
    low, high = wilson_interval(10, 100)
    assert _rate(10.0, 10, 100, low * 100).category == SIMILAR
    assert _rate(10.0, 10, 100, high * 100).category == SIMILAR
    result = _rate(10.0, 10, 100, 12.0)
    assert result.ci == pytest.approx((5.5229, 17.4366), abs=1e-4), "interval in percent"


def test_large_counts_make_small_differences_significant():
    # Musterstadt-like: 1.602 of 25.819 = 6,2 % against a Kreis value of 5,6 %
    assert _rate(6.2, 1602, 25819, 5.6).category == HIGHER
    # the same share in a small Gemeinde is only "similar"
    assert _rate(6.2, 31, 500, 5.6).category == SIMILAR


@pytest.mark.parametrize(
    "polarity,direction_benchmark,expected,label",
    [
        ("higher_is_better", 5.0, BETTER, "besser"),
        ("higher_is_better", 18.0, WORSE, "schlechter"),
        ("higher_is_worse", 5.0, WORSE, "schlechter"),
        ("higher_is_worse", 18.0, BETTER, "besser"),
        ("neutral", 5.0, HIGHER, "höher"),
        ("neutral", 18.0, LOWER, "niedriger"),
        ("higher_is_worse", 12.0, SIMILAR, "ähnlich"),
    ],
)
def test_polarity_turns_direction_into_judgement(polarity, direction_benchmark, expected, label):
    result = _rate(10.0, 10, 100, direction_benchmark, polarity)
    assert result.category == expected
    assert result.label == label


def test_neutral_indicators_never_say_better_or_worse():
    labels = {_rate(10.0, 10, 100, b, "neutral").label for b in (1.0, 12.0, 30.0)}
    assert labels == {"höher", "ähnlich", "niedriger"}


@pytest.mark.parametrize(
    "overrides,reason",
    [
        ({"unit": "Personen", "numerator": None, "denominator": None}, "kein Anteil in %"),  # a count
        ({"unit": "je 100 Personen von 20–64 J."}, "kein Anteil in %"),  # a quotient, not bounded by 100
        ({"numerator": None, "denominator": None}, "ohne Zähler und Nenner veröffentlicht"),  # published rate
        ({"numerator": float("nan"), "denominator": float("nan")}, "ohne Zähler und Nenner veröffentlicht"),
        ({"status": "suppressed", "value": None}, "kein Wert"),
        ({"status": "locked", "value": None}, "kein Wert"),
        ({"value": float("nan")}, "kein Wert"),
        ({"value": pd.NA}, "kein Wert"),
        ({"numerator": pd.NA, "denominator": pd.NA}, "ohne Zähler und Nenner veröffentlicht"),
        ({"benchmark": None}, "kein Vergleichswert"),
        ({"denominator": 0}, "Nenner null"),
        ({"numerator": 120, "denominator": 100}, "Zähler größer als Nenner"),
    ],
)
def test_not_assessed_cases_say_why(overrides, reason):
    result = _rate(10.0, 10, 100, 5.0, "higher_is_worse", **overrides)
    assert result.category == NOT_ASSESSED
    assert result.label == "nicht bewertet"
    assert result.reason == reason
    assert result.text == f"nicht bewertet ({reason})"
    assert result.ci is None


def test_percent_of_a_subgroup_is_a_share_too():
    assert comparison.is_percent("%") and comparison.is_percent("% der Arbeitslosen")
    assert not comparison.is_percent("je 100 Einwohner") and not comparison.is_percent("Personen")
    assert _rate(10.0, 10, 100, 5.0, unit="% der Arbeitslosen").category == HIGHER


def test_zero_status_is_a_value_and_is_compared():
    result = _rate(0.0, 0, 200, 5.0, "higher_is_worse", status="zero")
    assert result.category == BETTER, "0 of 200 lies clearly below 5 %"


def test_every_category_has_label_and_colour_and_polarity_words():
    assert set(comparison.ORDER) == set(comparison.LABELS) == set(comparison.COLOURS)
    assert comparison.polarity_text("higher_is_worse") == "Höhere Werte sind ungünstiger."
    assert "neutral" in comparison.polarity_text("neutral").lower()
