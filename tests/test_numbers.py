"""The one way numbers are written: counts, decimals and rates."""

from __future__ import annotations

import math

import numpy as np
import pytest

from data.numbers import count, decimal, monthly_rate, plural, rate_value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (11288, "11,288"),
        (11288.0, "11,288"),
        (np.int64(1_000_000), "1,000,000"),
        (np.float64(7.0), "7"),
        (2.5, "3"),
        (-1234, "-1,234"),
        (0, "0"),
        (None, "–"),
        (math.nan, "–"),
        (math.inf, "–"),
        ("12", "–"),
        (True, "–"),
    ],
)
def test_counts_have_separators_and_never_a_decimal(value, text):
    assert count(value) == text


def test_decimals_and_plurals():
    assert decimal(1234.56) == "1,234.6"
    assert decimal(36.0, 1) == "36.0"
    assert decimal(None) == "–"
    assert plural(1, "day") == "1 day"
    assert plural(1857, "day") == "1,857 days"
    assert plural(0, "patrol") == "0 patrols"


@pytest.mark.parametrize(
    ("n", "months", "text"),
    [
        (1_000_000, 88.6, "11,287 a month"),
        (41, 12, "3.4 a month"),
        (4, 12, "0.33 a month"),
        (1, 10, "0.10 a month"),
        (1, 36, "1 in 36 months"),
        (2, 36, "1 in 18 months"),
        (1, 100, "1 in 100 months"),
        (0, 36, "none in 36 months"),
        (5, 0.5, "–"),
    ],
)
def test_a_rate_is_never_zero_when_something_happened(n, months, text):
    assert monthly_rate(n, months) == text
    assert "0.0 " not in monthly_rate(n, months)


def test_rates_with_a_noun():
    assert monthly_rate(41, 12, "patrols") == "3.4 patrols a month"
    assert monthly_rate(1, 36, "patrols") == "1 patrol in 36 months"
    assert rate_value(0.333) == "0.33"
    assert rate_value(12.4) == "12"
    assert rate_value(0.0) == "0"
    assert rate_value(math.nan) == "–"
