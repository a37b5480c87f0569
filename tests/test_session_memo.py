"""data.cache.session_memo: a per-session memo with a bound."""

from __future__ import annotations

from data.cache import session_memo


def test_a_session_memo_keeps_at_most_its_bound_and_reuses_what_it_holds():
    state: dict[str, object] = {}
    calls: list[int] = []

    def compute(i: int):
        return lambda: calls.append(i) or i * 10

    assert session_memo(state, "m", 1, compute(1), max_entries=2) == 10
    assert session_memo(state, "m", 1, compute(1), max_entries=2) == 10
    session_memo(state, "m", 2, compute(2), max_entries=2)
    session_memo(state, "m", 1, compute(1), max_entries=2)  # 1 is now the most recent
    session_memo(state, "m", 3, compute(3), max_entries=2)  # drops 2
    assert list(state["m"]) == [1, 3] and calls == [1, 2, 3]
