"""data.cache.SharedMemo (one result per view for every session) and the map's cache key
(components.patrol_map.map_fingerprint)."""

from __future__ import annotations

import gc
import threading
from dataclasses import replace

from components.patrol_map import map_fingerprint
from data.cache import RecordMemo, SharedMemo, derived
from data.views import overview_map_view


class Owner:
    """Something a result depends on, held by identity (as a data set is)."""


def test_a_shared_memo_computes_once_per_key_and_keeps_at_most_its_bound():
    memo = SharedMemo(2)
    calls: list[str] = []

    def compute(k: str):
        return lambda: calls.append(k) or k.upper()

    assert memo.get("a", compute("a")) == "A"
    assert memo.get("a", compute("a")) == "A"
    memo.get("b", compute("b"))
    memo.get("a", compute("a"))  # a is now the most recent
    memo.get("c", compute("c"))  # drops b
    assert len(memo) == 2 and calls == ["a", "b", "c"]
    memo.get("b", compute("b"))
    assert calls == ["a", "b", "c", "b"]


def test_a_result_is_tied_to_its_owner_by_identity():
    memo = SharedMemo(4)
    one, two = Owner(), Owner()
    assert memo.get("k", lambda: 1, one) == 1
    assert memo.get("k", lambda: 2, two) == 2  # same key, another owner: its own result
    assert memo.get("k", lambda: 3, one) == 1


def test_an_entry_never_keeps_its_owner_alive_nor_serves_an_id_reused():
    memo = SharedMemo(4)
    owner = Owner()
    memo.get("k", lambda: "old", owner)
    old_id = id(owner)
    del owner
    gc.collect()
    # a new object may get the same id: the dead weak reference tells them apart
    for _ in range(1000):
        other = Owner()
        if id(other) == old_id:
            assert memo.get("k", lambda: "new", other) == "new"
            break
    else:
        fresh = Owner()
        assert memo.get("k", lambda: "new", fresh) == "new"


def test_the_map_key_changes_with_the_view_and_with_every_option(mini):
    view = overview_map_view(mini, mini.events)
    key = map_fingerprint(view, tiles=None, legend_open=False)
    assert key == map_fingerprint(
        overview_map_view(mini, mini.events), tiles=None, legend_open=False
    )
    assert key != map_fingerprint(view, tiles=None, legend_open=True)
    assert key != map_fingerprint(view, tiles=None, legend_open=False, focus="p1")
    fewer = overview_map_view(mini, mini.events.iloc[1:])
    assert key != map_fingerprint(fewer, tiles=None, legend_open=False)
    assert key != map_fingerprint(
        replace(view, binned=not view.binned), tiles=None, legend_open=False
    )


def test_derived_builds_once_per_owner_and_name():
    one, two = Owner(), Owner()
    calls: list[str] = []
    assert derived(one, "x", lambda: calls.append("one") or 1) == 1
    assert derived(one, "x", lambda: calls.append("again") or 9) == 1
    assert derived(two, "x", lambda: calls.append("two") or 2) == 2
    assert derived(one, "y", lambda: calls.append("y") or 3) == 3
    assert calls == ["one", "two", "y"]


def test_an_entry_goes_with_its_owner():
    memo = SharedMemo(4)
    owner = Owner()
    memo.get("k", lambda: "value", owner)
    memo.get("other", lambda: "kept")
    assert len(memo) == 2
    del owner
    gc.collect()
    assert len(memo) == 1


def test_sessions_asking_at_once_compute_once_and_other_keys_do_not_wait():
    memo = SharedMemo(4)
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow() -> str:
        calls.append("slow")
        started.set()
        release.wait(5)
        return "slow"

    results: list[str] = []
    first = threading.Thread(target=lambda: results.append(memo.get("k", slow)))
    first.start()
    assert started.wait(5)
    second = threading.Thread(target=lambda: results.append(memo.get("k", slow)))
    second.start()
    # another key is computed meanwhile: no lock is held while "k" is built
    assert memo.get("other", lambda: "fast") == "fast"
    release.set()
    first.join(5)
    second.join(5)
    assert results == ["slow", "slow"] and calls == ["slow"]
    assert memo.waits == 1


def test_a_failed_computation_is_not_kept_and_the_waiting_session_tries_itself():
    memo = SharedMemo(4)
    started, release = threading.Event(), threading.Event()

    def failing() -> str:
        started.set()
        release.wait(5)
        raise ValueError("no")

    errors: list[Exception] = []

    def ask() -> None:
        try:
            memo.get("k", failing)
        except ValueError as err:
            errors.append(err)

    first = threading.Thread(target=ask)
    first.start()
    assert started.wait(5)
    results: list[str] = []
    second = threading.Thread(target=lambda: results.append(memo.get("k", lambda: "ok")))
    second.start()
    release.set()
    first.join(5)
    second.join(5)
    assert len(errors) == 1 and results == ["ok"]
    assert memo.get("k", lambda: "again") == "ok"


def test_a_computation_may_ask_its_own_key_again_without_waiting_on_itself():
    memo = SharedMemo(4)
    assert memo.get("k", lambda: memo.get("k", lambda: 1) + 1) == 2


def test_a_weighed_memo_keeps_its_total_weight_but_always_the_latest_entries():
    memo = SharedMemo(16, max_weight=10, weigh=len, min_entries=2)
    memo.get("a", lambda: "x" * 4)
    memo.get("b", lambda: "x" * 4)
    assert len(memo) == 2
    memo.get("c", lambda: "x" * 4)  # 12 > 10: the oldest goes
    assert len(memo) == 2
    memo.get("d", lambda: "x" * 30)
    memo.get("e", lambda: "x" * 30)  # over the weight, but the two latest stay
    assert len(memo) == 2
    memo.get("f", lambda: "")
    memo.get("g", lambda: "")
    assert len(memo) == 2  # e (30) and the two empty ones weigh 30: e goes once it may


def test_a_memo_bounded_in_bytes_drops_the_oldest_results_and_counts_no_shared_frame():
    import numpy as np
    import pandas as pd

    base = pd.DataFrame({"x": np.arange(100_000, dtype="int64")})  # 0.8 MB
    memo = SharedMemo(10, max_bytes=2_000_000)
    memo.get("whole", lambda: base, base)  # the owner itself: holds nothing more
    assert memo.nbytes() == 0
    memo.get("a", lambda: base.copy(), base)  # a copy: 0.8 MB
    memo.get("b", lambda: base.copy(), base)
    assert len(memo) == 3 and 1_600_000 <= memo.nbytes() <= 1_700_000
    memo.get("c", lambda: base.copy(), base)  # 2.4 MB together: the oldest goes
    assert len(memo) == 2 and memo.nbytes() <= 2_000_000
    calls: list[str] = []
    memo.get("a", lambda: calls.append("a") or base.copy(), base)  # dropped and gone: anew
    assert calls == ["a"]


def test_a_result_dropped_but_still_held_elsewhere_is_handed_out_again_not_made_twice():
    import numpy as np
    import pandas as pd

    memo = SharedMemo(2)
    held = memo.get("big", lambda: pd.DataFrame({"x": np.arange(10)}))  # a view keeps it
    memo.get("b", lambda: pd.DataFrame())
    memo.get("c", lambda: pd.DataFrame())  # "big" is dropped from the memo...
    assert len(memo) == 2
    calls: list[str] = []
    again = memo.get("big", lambda: calls.append("big") or pd.DataFrame())
    assert again is held and calls == []  # ...but still alive: the same frame, back in it
    assert len(memo) == 2
    del held, again
    memo.get("d", lambda: pd.DataFrame())
    memo.get("e", lambda: pd.DataFrame())  # dropped again, and this time nothing holds it
    gc.collect()
    memo.get("big", lambda: calls.append("big") or pd.DataFrame())
    assert calls == ["big"]


def test_held_bytes_counts_each_buffer_once_and_leaves_out_what_is_shared():
    import numpy as np
    import pandas as pd

    from data.memsize import held_bytes

    frame = pd.DataFrame({"x": np.arange(1000, dtype="int64"), "t": ["abc"] * 1000})
    assert held_bytes(frame) >= 8000
    assert held_bytes((frame, frame, {"again": frame})) == held_bytes(frame)
    assert held_bytes({"view": frame}, shared=(frame,)) == 0
    assert held_bytes(frame[frame["x"] > 500], shared=(frame,)) > 0  # a copy
    assert held_bytes(frame.iloc[100:700], shared=(frame,)) == 0  # a slice shares its buffers


def test_what_a_shared_object_works_out_later_is_shared_too():
    """The buffers of a shared object are kept between weighings, but not past what it
    works out after (a view's cached attributes): those are its, not the result's."""
    from dataclasses import dataclass

    import numpy as np

    from data.memsize import held_bytes

    @dataclass
    class View:
        counts: np.ndarray

    view = View(np.arange(1000))
    assert held_bytes({"n": view.counts}, shared=(view,)) == 0
    later = np.arange(2000)
    assert held_bytes({"later": later}, shared=(view,)) >= 16000
    view.later = later  # worked out since: now the view's own
    assert held_bytes({"later": later}, shared=(view,)) == 0


def test_a_record_memo_builds_each_record_once_and_starts_afresh_past_its_limit():
    built: list[list[str]] = []

    def build(ids: list[str]) -> dict[str, str]:
        built.append(list(ids))
        return {i: i.upper() for i in ids}

    memo = RecordMemo(limit=4)
    assert memo.get(["a", "b"], build) == {"a": "A", "b": "B"}
    assert memo.get(["b", "c"], build) == {"b": "B", "c": "C"}
    assert built == [["a", "b"], ["c"]]  # "b" was not built again
    assert memo.get(["d", "e"], build) == {"d": "D", "e": "E"}
    assert len(memo) == 2  # five records would pass the limit: only the newest are kept
    assert memo.get(["a"], build) == {"a": "A"} and built[-1] == ["a"]


def test_the_map_with_popup_blocks_kept_per_record_is_the_map_written_afresh(mini):
    from components.layers.events import popup_blocks
    from components.patrol_map import overview_map_html

    memo = RecordMemo(limit=1_000)
    year = mini.events[mini.events["start"].dt.year == mini.events["start"].dt.year.max()]
    for events in (year, mini.events):  # the second map reuses the first map's blocks
        view = overview_map_view(mini, events)
        kept = overview_map_html(
            mini,
            events,
            view,
            lambda ids, ev=events: memo.get(ids, lambda new: popup_blocks(mini, ev, new)),
        )
        assert _ids_out(kept) == _ids_out(overview_map_html(mini, events, view))
    assert len(memo) > 0


def _ids_out(html: str) -> str:
    """The map's HTML without folium's random element ids."""
    import re

    return re.sub(r"[0-9a-f]{32}", "", html)


def test_a_run_of_the_data_sets_events_weighs_nothing_against_the_data_set(mini):
    """Filtered events are mostly a slice of the data set's (``data.frames.rows_where``):
    weighed against the data set they hold nothing of their own; a gathered copy does."""
    import numpy as np

    from data.frames import rows_where
    from data.memsize import held_bytes

    ev = mini.events
    run = rows_where(ev, np.arange(len(ev)) >= 2)
    assert len(run) == len(ev) - 2
    assert held_bytes(run) > 0
    assert held_bytes(run, shared=(mini,)) == 0
    assert held_bytes(ev.take(np.arange(2, len(ev))), shared=(mini,)) > 0
