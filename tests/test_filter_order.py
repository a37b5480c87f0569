"""Events in date order without pandas' slow text sort, and no copy when already in order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.filters import in_date_order


def _events(n: int = 2_000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Series(
        pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
    )
    return pd.DataFrame(
        {
            "start": start,
            "event_id": pd.Series([f"ev-{rng.integers(0, 500)}" for _ in range(n)], dtype="str"),
            "row": np.arange(n),
        },
        index=rng.permutation(n),
    )


def test_same_order_as_pandas_stable_sort():
    events = _events()
    expected = events.sort_values(["start", "event_id"], kind="stable")
    pd.testing.assert_frame_equal(in_date_order(events), expected)


def test_unknown_starts_go_last():
    events = _events(50)
    events.loc[events.index[:3], "start"] = pd.NaT
    out = in_date_order(events)
    assert out["start"].iloc[-3:].isna().all() and out["start"].iloc[:-3].notna().all()


def test_already_in_order_is_returned_as_it_is():
    ordered = in_date_order(_events())
    assert in_date_order(ordered) is ordered
    assert in_date_order(ordered.iloc[::7]) is not None
    empty = ordered.iloc[:0]
    assert in_date_order(empty) is empty
