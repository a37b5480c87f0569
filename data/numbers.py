"""Numbers as every page, caption, card, chart and export writes them: whole counts with
thousands separators ("11,288", never "11288.0"), decimals only where they carry
information, and rates at a precision a reader can use ("0.03 a month" is better said
"1 in 36 months"). One module, so a figure reads the same on a card, in a caption and in a
chart's hover. Pure Python; no streamlit.
"""

from __future__ import annotations

import math
from numbers import Real

#: what a figure shows when there is no number to show
NO_FIGURE = "–"
#: plotly hover/axis format for whole counts (d3-format): "11,288"
PLOTLY_COUNT = ",d"
#: plotly format for rates: up to three significant digits, separators ("11,300", "0.333")
PLOTLY_RATE = ",.3~g"


def _finite(value: object) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, Real):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


def count(value: object) -> str:
    """A whole count: '11,288' (a float that is whole loses its '.0'; a fraction is rounded
    half away from zero); '–' for a missing or non-finite value."""
    x = _finite(value)
    if x is None:
        return NO_FIGURE
    return f"{int(math.copysign(math.floor(abs(x) + 0.5), x)):,}"


def decimal(value: object, places: int = 1) -> str:
    """A measured quantity with ``places`` decimals and separators: '1,234.5'; '–' when
    missing."""
    x = _finite(value)
    if x is None:
        return NO_FIGURE
    return f"{x:,.{places}f}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 day', '1,857 days', '0 patrols'."""
    return f"{count(n)} {one if n == 1 else (many or one + 's')}"


def rate_value(per_month: float) -> str:
    """A rate's number at a sensible precision: two decimals under 1 ('0.33'), one under
    10 ('3.4'), whole above ('11,288'); '0' for none, '–' when missing."""
    if per_month == 0:
        return "0"
    if per_month >= 10:
        return count(per_month)
    if per_month >= 1:
        return decimal(per_month, 1)
    return decimal(per_month, 2)


def monthly_rate(n: int, months: float, noun: str = "") -> str:
    """How often ``n`` things happened over ``months``, as words a reader can use:

    - '11,288 a month', '3.4 a month', '0.33 a month' (with ``noun``: '3.4 patrols a
      month');
    - under 0.1 a month, the interval instead: '1 in 36 months', '2 in 36 months' reads
      badly, so '1 in 18 months' (rounded to a whole month);
    - none at all: 'none in 36 months';
    - '–' when the window is under a month (no monthly rate is meaningful).
    """
    m = _finite(months)
    if m is None or m < 1 or n < 0:
        return NO_FIGURE
    what = f" {noun}" if noun else ""
    if n == 0:
        return f"none in {plural(round(m), 'month')}"
    per_month = n / m
    if per_month >= 0.1:
        return f"{rate_value(per_month)}{what} a month"
    every = max(1, round(m / n))
    one = noun[:-1] if noun.endswith("s") else noun
    return f"1{' ' + one if one else ''} in {plural(every, 'month')}"
