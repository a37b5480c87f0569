"""Dates at a stated precision: ``2019-11-01`` (day), ``2019-W46`` (week), ``2019-11``
(month), ``2020-Q1`` (quarter), ``2019`` (year).

Each parses to the window it stands for: its first and its last day. Vectorised over a
Series; no per-row Python. Each distinct written date is read once (a million events have
a few thousand distinct dates), then spread back over the rows.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

PRECISION_OF_FORM: dict[str, str] = {
    r"^\d{4}-\d{2}-\d{2}$": "day",
    r"^\d{4}-W\d{2}$": "week",
    r"^\d{4}-\d{2}$": "month",
    r"^\d{4}-Q[1-4]$": "quarter",
    r"^\d{4}$": "year",
}


def _distinct(text: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``text``'s codes (-1 for a missing value) and its distinct values as a Series."""
    codes, uniques = pd.factorize(text)
    return codes, pd.Series(uniques, dtype=text.dtype if len(uniques) else "str")


def _spread(values: pd.Series, codes: np.ndarray, index: pd.Index, missing: object) -> pd.Series:
    """``values`` (one per distinct value) put back on the rows their ``codes`` say."""
    out = values.take(np.where(codes >= 0, codes, 0)) if len(values) else values.reindex(codes)
    out = out.set_axis(index)
    return out.where(pd.Series(codes >= 0, index=index), missing)


def precision_of(text: pd.Series) -> pd.Series:
    """The precision a date's written form implies ('' where it matches no form)."""
    codes, distinct = _distinct(text)
    return _spread(_precision_of(distinct), codes, text.index, "")


def _precision_of(text: pd.Series) -> pd.Series:
    out = pd.Series("", index=text.index, dtype="str")
    for pattern, precision in PRECISION_OF_FORM.items():
        out = out.mask(text.str.fullmatch(pattern).fillna(False), precision)
    return out


def date_window(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """First and last day (as ``datetime64``) of each written date; NaT for blanks.

    Invalid calendar dates (2021-02-30) come out NaT: callers report them.
    """
    codes, distinct = _distinct(text)
    start, end = _date_window(distinct)
    return (
        _spread(start, codes, text.index, pd.NaT),
        _spread(end, codes, text.index, pd.NaT),
    )


def _date_window(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    start = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    end = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    form = _precision_of(text)

    day = form == "day"
    d = pd.to_datetime(text[day], format="%Y-%m-%d", errors="coerce")
    start[day], end[day] = d, d

    week = form == "week"
    w = pd.to_datetime(text[week] + "-1", format="%G-W%V-%u", errors="coerce")
    start[week], end[week] = w, w + pd.Timedelta(days=6)

    month = form == "month"
    m = pd.to_datetime(text[month], format="%Y-%m", errors="coerce")
    start[month], end[month] = m, m + pd.offsets.MonthEnd(0)

    quarter = form == "quarter"
    q = pd.PeriodIndex(text[quarter].str.replace("-", "", regex=False), freq="Q")
    start[quarter] = q.start_time.normalize()
    end[quarter] = q.end_time.normalize()

    year = form == "year"
    y = pd.to_datetime(text[year], format="%Y", errors="coerce")
    start[year], end[year] = y, y + pd.offsets.YearEnd(0)
    return start, end


def format_at_precision(start: pd.Series, precision: pd.Series) -> pd.Series:
    """How an analyst reads a date at its precision: '1 Nov 2019', 'Nov 2019', 'Q1 2020'.

    Each distinct date is formatted once (a data set has a few thousand distinct dates
    however many events it holds), then looked up."""
    days = pd.DatetimeIndex(start.dropna().unique())

    def lookup(texts: pd.Index) -> pd.Series:
        return start.map(pd.Series(texts.to_numpy(), index=days, dtype="str")).astype("str")

    day = lookup(days.strftime("%-d %b %Y"))
    out = day
    out = out.mask(precision == "week", "week of " + day)
    out = out.mask(precision == "month", lookup(days.strftime("%b %Y")))
    quarters = "Q" + days.quarter.astype("str") + " " + days.strftime("%Y")
    out = out.mask(precision == "quarter", lookup(pd.Index(quarters)))
    out = out.mask(precision == "year", lookup(days.strftime("%Y")))
    return out.fillna("date unknown").astype("str")


def written_date(day: date, precision: str) -> str:
    """A day written at a precision: day 2024-05-22, week 2024-W21, month 2024-05,
    quarter 2024-Q2, year 2024."""
    if precision == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if precision == "month":
        return f"{day:%Y-%m}"
    if precision == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if precision == "year":
        return f"{day.year}"
    return day.isoformat()
