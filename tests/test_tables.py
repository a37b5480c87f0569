"""Tables page, sort and search on the server: what is sent, and the caption that says so."""

from __future__ import annotations

import pandas as pd

from components.tables import AS_LISTED, search_mask, sort_key, table_page


def _events(n: int = 250) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Date": [f"{1 + i % 28} Mar {2020 + i % 3}" for i in range(n)],
            "Kind": ["Joint patrol" if i % 2 else "Incident" for i in range(n)],
            "No.": [str(n - i) for i in range(n)],
            "Description": [f"event {i} near Tal Abyad" if i % 50 == 0 else "" for i in range(n)],
            "Event id": [f"ev-{i}" for i in range(n)],
        }
    )


def test_a_long_table_sends_one_page_and_says_so():
    table = _events(250)
    first = table_page(table, page_size=100)
    assert len(first.rows) == 100
    assert (first.total, first.matched, first.first, first.last) == (250, 250, 1, 100)
    assert first.pages == 3
    assert first.caption().startswith("Rows 1–100 of 250")
    last = table_page(table, page=3, page_size=100)
    assert list(last.rows["Event id"]) == [f"ev-{i}" for i in range(200, 250)]
    assert (last.first, last.last) == (201, 250)


def test_a_page_past_the_end_is_clamped_to_the_last():
    view = table_page(_events(250), page=9, page_size=100)
    assert view.page == 3 and view.first == 201
    assert table_page(_events(250), page=0, page_size=100).page == 1


def test_a_short_table_is_whole_and_says_so():
    view = table_page(_events(12), page_size=100)
    assert len(view.rows) == 12
    assert view.caption() == "All 12 row(s) shown."
    assert table_page(_events(0)).caption() == "No rows in the selection."


def test_search_is_plain_text_in_any_column_case_insensitive():
    table = _events(250)
    view = table_page(table, search="tal abyad", page_size=100)
    assert view.matched == 5 and view.total == 250
    assert '"tal abyad" (of 250 in the selection)' in view.caption()
    # a pattern is text, never a regular expression
    assert not search_mask(table, "ev-.*").any()
    assert search_mask(table, "EV-24").sum() == 11  # ev-24, ev-240 … ev-249
    nothing = table_page(table, search="Manbij")
    assert nothing.matched == 0 and len(nothing.rows) == 0
    assert "No row of the 250" in nothing.caption()


def test_sort_orders_the_whole_selection_not_the_page():
    table = _events(250)
    view = table_page(table, sort_by="No.", page_size=10)
    assert list(view.rows["No."]) == [str(i) for i in range(1, 11)]  # numbers, not text
    view = table_page(table, sort_by="No.", descending=True, page_size=10)
    assert list(view.rows["No."])[:2] == ["250", "249"]
    assert "sorted by No., descending" in view.caption()


def test_dates_sort_as_dates_and_ties_keep_the_given_order():
    table = pd.DataFrame(
        {
            "Date": ["Mar 2021", "2 Feb 2021", "Q1 2020", "week of 4 Jan 2021", "2021", ""],
            "Id": ["a", "b", "c", "d", "e", "f"],
        }
    )
    view = table_page(table, sort_by="Date")
    assert list(view.rows["Id"]) == ["c", "e", "d", "b", "a", "f"]  # blank last
    view = table_page(table, sort_by="Date", descending=True)
    assert list(view.rows["Id"]) == ["a", "b", "d", "e", "c", "f"]  # blank still last


def test_text_sorts_case_insensitively_and_unknown_columns_keep_the_order():
    assert list(sort_key(pd.Series(["b", "A", "c"]))) == ["b", "a", "c"]
    table = _events(5)
    assert table_page(table, sort_by="Nope").sort_by == AS_LISTED
    assert list(table_page(table, descending=True).rows["Event id"])[0] == "ev-4"


def test_the_given_table_is_not_modified():
    table = _events(250)
    before = table.copy()
    table_page(table, search="tal", sort_by="Date", descending=True, page=2)
    pd.testing.assert_frame_equal(table, before)


def _paged_app() -> None:
    import pandas as pd

    from components.tables import render_table

    n = 250
    table = pd.DataFrame(
        {
            "No.": [str(n - i) for i in range(n)],
            "Place": ["Tal Abyad" if i % 50 == 0 else "Kobani" for i in range(n)],
        }
    )
    render_table(table, key="demo_events")


def test_render_table_sends_one_page_and_pages_on():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_paged_app, default_timeout=30)
    at.run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 100
    assert at.caption[0].value.startswith("Rows 1–100 of 250")
    at.number_input(key="demo_events_page").set_value(3).run()
    assert len(at.dataframe[0].value) == 50
    assert at.caption[0].value.startswith("Rows 201–250 of 250")
    at.text_input(key="demo_events_search").input("tal abyad").run()
    assert len(at.dataframe[0].value) == 5  # back to the first page of the matches
    assert '"tal abyad" (of 250 in the selection)' in at.caption[0].value
    at.selectbox(key="demo_events_sort").select("No.").run()
    assert list(at.dataframe[0].value["No."]) == ["50", "100", "150", "200", "250"]


def test_a_lazy_table_builds_only_the_page_shown():
    from components.tables import LazyTable, lazy_page

    raw = pd.DataFrame(
        {"n": range(250), "text": ["Tal Abyad" if i % 50 == 0 else "Kobani" for i in range(250)]}
    )
    built: list[int] = []

    def build(rows: pd.DataFrame) -> pd.DataFrame:
        built.append(len(rows))
        return pd.DataFrame({"No.": rows["n"].astype("str"), "Place": rows["text"]})

    table = LazyTable(raw, build, ("No.", "Place"), {"No.": "n"}, ("text",))
    view = lazy_page(table, page=2, page_size=100)
    assert built == [100] and list(view.rows["No."])[:2] == ["100", "101"]
    assert view.caption().startswith("Rows 101–200 of 250")
    view = lazy_page(table, search="tal abyad", sort_by="No.", descending=True, page_size=100)
    assert built[-1] == 5 and list(view.rows["No."]) == ["200", "150", "100", "50", "0"]
    assert view.caption() == (
        'Rows 1–5 of 5 matching "tal abyad" (of 250 in the selection) · sorted by No., descending'
    )
    assert lazy_page(table, sort_by="Place").sort_by == AS_LISTED  # not sortable: as listed


def test_the_event_rows_match_the_event_table(mini):
    from components.overview import event_table
    from components.tables import event_rows, lazy_page

    rows = event_rows(mini, mini.events)
    whole = event_table(mini, mini.events)
    assert rows.columns == tuple(whole.columns) and len(rows) == len(whole)
    first = lazy_page(rows, page_size=5).rows
    assert list(first["Event id"]) == list(whole["Event id"])[:5]  # newest first, same rows
    by_id = lazy_page(rows, sort_by="Event id", page_size=1000).rows
    assert list(by_id["Event id"]) == sorted(whole["Event id"])
    assert by_id.set_index("Event id").sort_index().equals(whole.set_index("Event id").sort_index())


def _lazy_app() -> None:
    import pandas as pd

    from components.tables import LazyTable, render_table

    raw = pd.DataFrame({"n": range(250)})
    render_table(
        LazyTable(raw, lambda r: pd.DataFrame({"No.": r["n"]}), ("No.",), {"No.": "n"}, ("n",)),
        key="lazy",
    )


def test_render_table_of_a_lazy_table_says_n_of_m_shown():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_lazy_app, default_timeout=30)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.dataframe[0].value) == 100
    assert at.caption[0].value.startswith("Rows 1–100 of 250")
    at.number_input(key="lazy_page").set_value(3).run()
    assert list(at.dataframe[0].value["No."])[:1] == [200]


def test_the_event_rows_hold_no_copy_of_the_events_and_list_any_frame_newest_first(mini):
    from components.tables import event_rows, lazy_page
    from data.memsize import held_bytes

    many = pd.concat([mini.events] * 200, ignore_index=True).sort_values("start", kind="stable")
    rows = event_rows(mini, many)
    assert rows.rows is many  # shared, listed through its order alone
    # beyond the events: the order and the labels, not a copy of the rows
    assert held_bytes(rows, shared=(many,)) < held_bytes(many) / 10
    shuffled = mini.events.sample(frac=1.0, random_state=3)
    listed = lazy_page(event_rows(mini, shuffled), page_size=1000).rows
    expected = shuffled.sort_values("start", ascending=False, kind="stable")["event_id"]
    assert list(listed["Event id"]) == list(expected)
