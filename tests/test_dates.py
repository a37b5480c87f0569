"""Dates at a stated precision (data.dates): each distinct written date is read once and
spread back over the rows, so the result is the one row-by-row reading gives."""

from __future__ import annotations

import pandas as pd

from data.dates import date_window, precision_of

WRITTEN = [
    "2019-11-01",
    "2019-W46",
    "2019-11",
    "2020-Q1",
    "2019",
    "",
    "2021-02-30",  # no such day: NaT, reported by the callers
    "1 Nov 2019",  # no form: no precision
    "2019-11-01",  # again
    "2020-Q1",
]


def _one_by_one(text: pd.Series) -> tuple[list, list, list]:
    starts, ends, forms = [], [], []
    for i in range(len(text)):
        row = text.iloc[i : i + 1]
        start, end = date_window(row)
        starts.append(start.iloc[0])
        ends.append(end.iloc[0])
        forms.append(precision_of(row).iloc[0])
    return starts, ends, forms


def test_reading_each_distinct_date_once_gives_what_each_row_alone_gives():
    text = pd.Series(WRITTEN * 3, index=range(100, 100 + 3 * len(WRITTEN)), dtype="str")
    start, end = date_window(text)
    starts, ends, forms = _one_by_one(text)
    assert list(start.index) == list(text.index) and start.dtype == "datetime64[s]"
    assert [str(v) for v in start] == [str(v) for v in starts]
    assert [str(v) for v in end] == [str(v) for v in ends]
    assert list(precision_of(text)) == forms
    assert list(precision_of(text))[:8] == [
        "day",
        "week",
        "month",
        "quarter",
        "year",
        "",
        "day",
        "",
    ]
    assert str(start.iloc[1]) == "2019-11-11 00:00:00" and str(end.iloc[1]) == "2019-11-17 00:00:00"
    assert str(end.iloc[3]) == "2020-03-31 00:00:00" and pd.isna(start.iloc[5])
    assert pd.isna(start.iloc[6]) and pd.isna(start.iloc[7])


def test_missing_values_and_an_empty_column():
    text = pd.Series(["2020", None, "2020-05"], dtype="str")
    start, end = date_window(text)
    assert pd.isna(start.iloc[1]) and str(end.iloc[2]) == "2020-05-31 00:00:00"
    assert list(precision_of(text)) == ["year", "", "month"]
    empty = pd.Series([], dtype="str")
    assert len(date_window(empty)[0]) == 0 and len(precision_of(empty)) == 0
    blank = pd.Series([None, None], dtype="str")
    assert date_window(blank)[0].isna().all() and list(precision_of(blank)) == ["", ""]
