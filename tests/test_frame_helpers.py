"""The vectorised text helpers of ``data.frames`` give what the pandas idioms they replace
give (``isin``, ``str.split(...).explode()``, ``str.split(sep, n=1, expand=True)``, the
pivot-based join), on small inputs with missing values, empty strings and non-ASCII text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.frames import (
    distinct_rows,
    join_ordered,
    lookup,
    member,
    rows_where,
    split_lists,
    split_once,
)

CELLS = [
    ["a|b|c", "", "x", "||", "é|ü|中文", "a", "b|a"],
    ["only"],
    [""],
    ["a|b", None, "", "c|"],
    ["Ünïcödé|ñ", "emoji 🚀|x"],
]


def _old_join_ordered(keys: pd.Series, values: pd.Series, sep: str) -> pd.Series:
    """The pivot-based implementation this replaces."""
    if keys.empty:
        return pd.Series(dtype="str")
    frame = pd.DataFrame({"key": keys.to_numpy(), "value": values.to_numpy()})
    frame = frame.dropna(subset=["value"])
    frame["value"] = frame["value"].astype("str")
    frame["pos"] = frame.groupby("key", sort=False).cumcount()
    wide = frame.pivot(index="key", columns="pos", values="value")
    out = wide[0]
    for col in wide.columns[1:]:
        out = out.where(wide[col].isna(), out + sep + wide[col].fillna(""))
    out.index.name = None
    return out


@pytest.mark.parametrize("cells", CELLS)
def test_split_lists_matches_explode(cells: list[str | None]) -> None:
    s = pd.Series(cells, dtype="str", index=range(10, 10 + len(cells)))
    exploded = s.str.split("|").explode()
    parents, seq, pieces = split_lists(s, "|")
    assert list(s.index[parents]) == list(exploded.index)
    pd.testing.assert_series_equal(
        pieces, exploded.reset_index(drop=True).astype("str"), check_names=False
    )
    assert list(seq) == list(exploded.groupby(level=0).cumcount())


@pytest.mark.parametrize(
    "cells",
    [
        ["a:1", "b:2", "c:3:4", "d:", ":e"],
        ["a:1", "b", None, "", "é:ü"],
        ["a", "b"],
        ["中:文", "x:y"],
    ],
)
def test_split_once_matches_expand(cells: list[str | None]) -> None:
    s = pd.Series(cells, dtype="str", index=range(5, 5 + len(cells)))
    pd.testing.assert_frame_equal(split_once(s, ":"), s.str.split(":", n=1, expand=True))


def test_member_matches_isin() -> None:
    values = pd.Series(["a", "", None, "é", "中文", "b", "a"], dtype="str", index=range(3, 10))
    for of in (["a", "é"], ["", "中文"], [], ["zz"], ["a", None]):
        expected = values.isin(of)
        pd.testing.assert_series_equal(member(values, of), expected)
        pd.testing.assert_series_equal(member(values, pd.Series(of, dtype="str")), expected)
    pd.testing.assert_series_equal(member(values, {"a", "b"}), values.isin(["a", "b"]))
    # many more to look among than values (the few are hashed, the many scanned)
    many = [f"id-{i}" for i in range(500)]
    for extra in (["a"], ["中文", ""], [None], []):
        of = many + extra
        pd.testing.assert_series_equal(member(values, of), values.isin(of))
        pd.testing.assert_series_equal(member(values, pd.Series(of, dtype="str")), values.isin(of))


@pytest.mark.parametrize(
    ("keys", "values"),
    [
        (["e2", "e1", "e2", "e1", "e3"], ["b", "a", "c", "", "中文"]),
        (["e1", "e1", "e2"], ["x", None, "y"]),
        (["k"], ["only"]),
        ([3, 1, 3, 2], ["c", "a", "d", "é"]),
        (["b", "a", "b", "a", "b"], ["1", "2", "3", "4", "5"]),
    ],
)
def test_join_ordered_matches_pivot(keys: list[object], values: list[str | None]) -> None:
    k = pd.Series(keys)
    v = pd.Series(values, dtype="str")
    pd.testing.assert_series_equal(join_ordered(k, v, " + "), _old_join_ordered(k, v, " + "))


def test_join_ordered_empty() -> None:
    assert join_ordered(pd.Series([], dtype="str"), pd.Series([], dtype="str"), ",").empty
    assert np.all(join_ordered(pd.Series(["a"]), pd.Series([None], dtype="str"), ",").empty)


def test_split_once_of_nothing_has_both_columns() -> None:
    out = split_once(pd.Series([], dtype="str"), ":")
    assert list(out.columns) == [0, 1]
    assert out.empty


@pytest.mark.parametrize(
    "mapping",
    [
        pd.Series(["x", "", "中文"], index=["a", "é", "b"], dtype="str"),
        pd.Series([1, 2, 3], index=["a", "b", "c"]),
        pd.Series([1.5, None], index=["a", ""]),
    ],
)
def test_lookup_matches_map(mapping: pd.Series) -> None:
    for keys in (["a", "b", "zz", "", None, "é"], ["a", "b"], []):
        k = pd.Series(keys, dtype="str", index=range(7, 7 + len(keys)), name="key")
        pd.testing.assert_series_equal(lookup(k, mapping), k.map(mapping))


def test_join_ordered_leaves_out_missing_keys() -> None:
    keys = pd.Series(["a", None, "a", "b"], dtype="str")
    joined = join_ordered(keys, pd.Series(["1", "2", "3", "4"], dtype="str"), ",")
    assert joined.to_dict() == {"a": "1,3", "b": "4"}


def test_distinct_rows_matches_unique_rows() -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(size=(40, 3))
    base[5] = [0.0, 1.0, 2.0]
    base[6] = [0.0, 1.0, 3.0]  # differs from row 5 in one column only
    rows = base[rng.integers(0, 40, 5000)]
    first, which = distinct_rows(rows[:, 0], rows[:, 1], rows[:, 2])
    assert (rows[first][which] == rows).all()  # every row given back by its distinct row
    assert len(first) == len(np.unique(rows, axis=0))  # and each distinct row once
    assert (np.diff(first) > 0).all() and first[0] == 0  # in order of first occurrence


def test_distinct_rows_tells_missing_values_apart_from_numbers() -> None:
    a = np.array([np.nan, 0.0, np.nan, 0.0, 1.0])
    b = np.array([1.0, 1.0, 1.0, 2.0, np.nan])
    first, which = distinct_rows(a, b)
    assert first.tolist() == [0, 1, 3, 4]
    assert which.tolist() == [0, 1, 0, 2, 3]


def test_distinct_rows_of_nothing() -> None:
    first, which = distinct_rows(np.array([]), np.array([]))
    assert len(first) == 0 and len(which) == 0


def _mixed_frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {
            "id": pd.Series([f"e{i}" for i in range(n)], dtype="str"),
            "start": pd.Series(np.arange(n).astype("datetime64[D]").astype("datetime64[s]")),
            "vehicles": pd.array([None if i % 7 == 0 else i for i in range(n)], dtype="Int64"),
            "lat": rng.normal(size=n),
            "placed": rng.random(n) > 0.5,
            "pair": pd.Series([(f"a{i}", i) for i in range(n)], dtype=object),
        },
        index=pd.RangeIndex(10, 10 + n),
    )


@pytest.mark.parametrize(
    "pattern",
    ["none", "all", "one", "one run", "run with strays", "alternate", "random", "two runs"],
)
def test_rows_where_is_the_boolean_selection(pattern: str) -> None:
    n = 3000
    frame = _mixed_frame(n)
    rng = np.random.default_rng(9)
    keep = np.zeros(n, dtype=bool)
    if pattern == "all":
        keep[:] = True
    elif pattern == "one":
        keep[1234] = True
    elif pattern == "one run":
        keep[700:2400] = True
    elif pattern == "run with strays":  # a date range: one run, a few earlier long events
        keep[900:2500] = True
        keep[rng.choice(900, 40, replace=False)] = True
        keep[2600] = True
    elif pattern == "alternate":
        keep[::2] = True
    elif pattern == "random":
        keep = rng.random(n) > 0.3
    elif pattern == "two runs":
        keep[100:1000] = True
        keep[1500:2900] = True
    got = rows_where(frame, keep)
    want = frame[keep]
    pd.testing.assert_frame_equal(got, want)
    assert list(got.dtypes) == list(want.dtypes)
    assert got is not frame
