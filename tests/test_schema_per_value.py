"""Checks worked out once per distinct value give the verdict the cell-by-cell check gives."""

from __future__ import annotations

import pandas as pd
import pytest

from data.schema import _SAMPLE, EVENTS, _per_value, problems_from


def _date_ok(s: pd.Series) -> pd.Series:
    return (s == "") | s.str.fullmatch(r"\d{4}-\d{2}-\d{2}")


@pytest.mark.parametrize(
    "values",
    [
        # repeated values, two of them bad, spread over more rows than the sample
        ["2021-01-01", "bad", "2021-02-03", "", "2021-1-1"] * (_SAMPLE // 2),
        # mostly distinct values: checked cell by cell
        [f"2021-01-{i % 28 + 1:02d}x{i}" if i % 3 else "2021-01-01" for i in range(_SAMPLE * 2)],
        # a missing cell among repeated ones
        ["2021-01-01", None, "nope"] * _SAMPLE,
        # a small column (a form's record, a small import): checked cell by cell
        ["2021-01-01", "bad", "", "2021-01-01"],
    ],
    ids=["repeated", "distinct", "missing", "small"],
)
def test_per_value_verdict_is_the_cell_by_cell_verdict(values):
    s = pd.Series(values, dtype="object", index=range(100, 100 + len(values)))
    expected = _date_ok(s)
    got = _per_value(_date_ok)(s)
    assert got.index.equals(s.index)
    assert got.fillna(False).astype(bool).tolist() == expected.fillna(False).astype(bool).tolist()


def test_a_bad_value_repeated_on_many_rows_is_named_on_each_row():
    good = {
        "event_id": "e",
        "theatre_id": "t",
        "date": "2021-01-01",
        "date_precision": "day",
        "end_date": "",
        "kind": "joint_patrol",
        "status": "carried_out",
        "actors": "",
        "places": "",
        "route_id": "",
        "patrol_number": "",
        "number_scheme": "",
        "vehicles": "",
        "distance_km": "",
        "description": "x",
        "milestone": "",
        "sources": "s:2",
    }
    rows = []
    for i in range(_SAMPLE + 10):
        row = dict(good, event_id=f"e{i}")
        if i % 1000 == 7:
            row["date"] = "2021-1-1"
            row["distance_km"] = "9999"
        rows.append(row)
    frame = pd.DataFrame(rows, dtype="object")
    problems = problems_from("events.csv", frame, EVENTS)
    bad_rows = [i + 2 for i in range(_SAMPLE + 10) if i % 1000 == 7]
    assert sorted({p.row for p in problems if p.field == "date"}) == bad_rows
    assert sorted({p.row for p in problems if p.field == "distance_km"}) == bad_rows
    assert all("'2021-1-1'" in str(p) for p in problems if p.field == "date")
