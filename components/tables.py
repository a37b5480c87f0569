"""One renderer for the app's tables: text shown as text (never as markup), links as links,
and never more rows sent to the browser than a person can read.

A table of more than one page is searched, sorted and paged on the server
(:func:`table_page`, pure and unit-tested); the browser gets one page of rows, and a caption
says which rows of how many are shown. The whole selection is never cut silently: it is
downloaded from the Data page's Export tab. :func:`render_table` is the thin part that
draws the controls and the page, inside a fragment, so paging reruns the table alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from data.model import DataSet

#: rows per page: what a person reads before searching or sorting instead
PAGE_SIZE = 100
#: the "sort by" choice that keeps the order the table was given in
AS_LISTED = "(as listed)"
#: date texts as tables show them (data.dates.format_at_precision), most precise first
_DATE_FORMATS = ("%d %b %Y", "week of %d %b %Y", "%b %Y", "%Y-%m-%d", "%Y")


@dataclass(frozen=True)
class TablePage:
    """One page of a table: the rows to send and what they are out of."""

    rows: pd.DataFrame
    total: int  # rows in the table given (the selection)
    matched: int  # rows that match the search (``total`` without one)
    first: int  # 1-based position of the first row shown among the matched (0 if none)
    page: int  # 1-based page shown, after clamping
    pages: int  # pages of matched rows (at least 1)
    search: str
    sort_by: str
    descending: bool

    @property
    def last(self) -> int:
        """1-based position of the last row shown (0 if none)."""
        return self.first + len(self.rows) - 1 if len(self.rows) else 0

    def caption(self) -> str:
        """'Rows 101–200 of 8,512 matching "tal abyad" (of 100,000 in the selection) ·
        sorted by Date, newest first': how much of the selection is shown."""
        if self.total == 0:
            return "No rows in the selection."
        if self.matched == self.total and len(self.rows) == self.total:
            return f"All {self.total:,} row(s) shown."
        if self.matched == 0:
            return f'No row of the {self.total:,} in the selection matches "{self.search}".'
        shown = f"Rows {self.first:,}–{self.last:,} of {self.matched:,}"
        if self.search:
            shown += f' matching "{self.search}" (of {self.total:,} in the selection)'
        if self.sort_by != AS_LISTED:
            shown += (
                f" · sorted by {self.sort_by}, {'descending' if self.descending else 'ascending'}"
            )
        return shown


def search_mask(table: pd.DataFrame, text: str) -> pd.Series:
    """Rows of ``table`` with ``text`` in any column (case-insensitive, as plain text:
    never a pattern)."""
    needle = text.strip()
    hit = pd.Series(False, index=table.index)
    if not needle:
        return ~hit
    for col in table.columns:
        values = table[col]
        if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
            values = values.astype("str")
        hit |= values.astype("str").str.contains(needle, case=False, regex=False, na=False)
    return hit


def sort_key(values: pd.Series) -> pd.Series:
    """What a column sorts by: dates for date texts ('3 Mar 2021', 'Mar 2021', 'Q1 2021'),
    numbers for number texts, the text itself (case-folded) otherwise."""
    if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
        return values
    text = values.astype("str").fillna("")
    filled = text != ""
    if not filled.any():
        return text
    numbers = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    if numbers[filled].notna().all():
        return numbers
    when = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    quarter = text.str.extract(r"^Q([1-4]) (\d{4})$")
    if quarter[0].notna().any():
        month = (quarter[0].astype("float") * 3 - 2).astype("Int64").astype("str")
        when = pd.to_datetime(quarter[1] + "-" + month + "-01", format="%Y-%m-%d", errors="coerce")
    for fmt in _DATE_FORMATS:
        todo = when.isna() & filled
        if not todo.any():
            break
        when = when.fillna(pd.to_datetime(text.where(todo), format=fmt, errors="coerce"))
    if when[filled].notna().mean() >= 0.9:
        return when
    return text.str.casefold()


def table_page(
    table: pd.DataFrame,
    *,
    search: str = "",
    sort_by: str = AS_LISTED,
    descending: bool = False,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> TablePage:
    """The rows of ``table`` to show: those matching ``search``, ordered by ``sort_by``
    (stable: ties keep the table's order), page ``page`` (clamped to the pages there are)
    of ``page_size`` rows. Never modifies ``table``."""
    total = len(table)
    rows = table
    if search.strip():
        rows = rows[search_mask(rows, search)]
    if sort_by not in rows.columns:
        sort_by = AS_LISTED
    if sort_by != AS_LISTED:
        key = sort_key(rows[sort_by])
        # rank "first": ties keep the table's order; blanks last in either direction
        ranked = key.rank(method="first", ascending=not descending, na_option="bottom")
        order = np.argsort(ranked.to_numpy(), kind="stable")
        rows = rows.iloc[order]
    elif descending:
        rows = rows.iloc[::-1]
    matched = len(rows)
    page_size = max(1, page_size)
    pages = max(1, math.ceil(matched / page_size))
    page = min(max(1, page), pages)
    start = (page - 1) * page_size
    shown = rows.iloc[start : start + page_size]
    return TablePage(
        rows=shown,
        total=total,
        matched=matched,
        first=start + 1 if len(shown) else 0,
        page=page,
        pages=pages,
        search=search.strip(),
        sort_by=sort_by,
        descending=descending,
    )


@dataclass(frozen=True)
class LazyTable:
    """A table of a whole selection whose cells are written only for the page shown:
    ``rows`` the raw records, listed in ``order``; ``build(rows)`` the table of some of
    them (in their order); ``columns`` its column names. ``sort_by`` names, per column that
    can be sorted, the raw column it sorts by; ``search`` the raw columns a search looks
    in. Searching, sorting and paging work on ``rows``; only one page is built. A shared
    value: never mutated."""

    rows: pd.DataFrame
    build: Callable[[pd.DataFrame], pd.DataFrame]
    columns: tuple[str, ...]
    sort_by: Mapping[str, str]
    search: tuple[str, ...]
    search_label: str = "text in the rows"
    #: the positions of ``rows`` in the order the table lists them (None: as they are), so
    #: that a table listing a shared frame in another order holds no copy of it
    order: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.rows)


def lazy_page(
    table: LazyTable,
    *,
    search: str = "",
    sort_by: str = AS_LISTED,
    descending: bool = False,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> TablePage:
    """:func:`table_page` of a :class:`LazyTable`: the raw rows are searched (in
    ``table.search``), sorted (by the raw column behind ``sort_by``) and paged, and only the
    page's rows are built into the table shown."""
    rows = table.rows
    at = np.arange(len(rows)) if table.order is None else table.order
    if search.strip():
        found = search_mask(rows[list(table.search)], search).to_numpy(dtype=bool)
        at = at[found[at]]
    raw_sort = table.sort_by.get(sort_by)
    raw = table_page(
        # the one column sorted by (or none), in the order listed: never a copy of every column
        rows[[raw_sort] if raw_sort else []].iloc[at],
        sort_by=raw_sort or AS_LISTED,
        descending=descending,
        page=page,
        page_size=page_size,
    )
    return replace(
        raw,
        rows=table.build(table.rows.loc[raw.rows.index]),
        total=len(table.rows),
        search=search.strip(),
        sort_by=sort_by if raw_sort else AS_LISTED,
    )


def _column_config(links: tuple[str, ...], wide: tuple[str, ...]) -> Mapping[str, object]:
    import streamlit as st

    config: dict[str, object] = {
        col: st.column_config.LinkColumn(col, display_text="open") for col in links
    }
    config.update({col: st.column_config.TextColumn(width="large") for col in wide})
    return config


def _count_config(table: pd.DataFrame) -> Mapping[str, object]:
    """Whole-number columns shown with thousands separators ('2,289'), as
    ``data.numbers.count`` writes them everywhere else."""
    import streamlit as st

    return {
        col: st.column_config.NumberColumn(col, format="localized")
        for col in table.columns
        if pd.api.types.is_integer_dtype(table[col]) and not pd.api.types.is_bool_dtype(table[col])
    }


def render_table(
    table: pd.DataFrame | LazyTable,
    key: str,
    *,
    links: tuple[str, ...] = (),
    wide: tuple[str, ...] = (),
    height: int | str = "auto",
    page_size: int = PAGE_SIZE,
) -> None:
    """Show ``table`` full width; ``links`` columns hold URLs shown as 'open' links and
    ``wide`` columns get room for long text. A table longer than ``page_size`` rows is
    searched, sorted and paged on the server: one page is sent (and, for a
    :class:`LazyTable`, built), with a caption saying which rows of how many."""
    import streamlit as st

    if isinstance(table, LazyTable) and len(table) <= page_size:
        table = table.build(table.rows)
    if isinstance(table, pd.DataFrame) and len(table) <= page_size:
        config = {**_count_config(table), **_column_config(links, wide)}
        st.dataframe(
            table, key=key, hide_index=True, width="stretch", height=height, column_config=config
        )
        if len(table) > 10:
            st.caption(table_page(table, page_size=page_size).caption())
        return
    _render_paged(table, key, links, wide, height, page_size)


def _render_paged(
    table: pd.DataFrame | LazyTable,
    key: str,
    links: tuple[str, ...],
    wide: tuple[str, ...],
    height: int | str,
    page_size: int,
) -> None:
    import streamlit as st

    lazy = isinstance(table, LazyTable)
    sortable = [c for c in table.columns if not lazy or c in table.sort_by]

    @st.fragment
    def paged() -> None:
        k_search, k_sort, k_desc, k_page = (
            f"{key}_{s}" for s in ("search", "sort", "desc", "page")
        )

        def first_page() -> None:
            st.session_state[k_page] = 1

        search_col, sort_col, desc_col, page_col = st.columns([3, 2, 1.2, 1.2])
        search = search_col.text_input(
            f"Search the {len(table):,} rows",
            key=k_search,
            placeholder=table.search_label if lazy else "any text in any column",
            on_change=first_page,
        )
        sort_by = sort_col.selectbox(
            "Sort by", [AS_LISTED, *sortable], key=k_sort, on_change=first_page
        )
        descending = desc_col.toggle("Descending", key=k_desc, on_change=first_page)
        view = (lazy_page if lazy else table_page)(
            table,  # type: ignore[arg-type]
            search=search,
            sort_by=sort_by or AS_LISTED,
            descending=descending,
            page=int(st.session_state.get(k_page) or 1),
            page_size=page_size,
        )
        if st.session_state.get(k_page, 1) != view.page:
            st.session_state[k_page] = view.page
        page_col.number_input(
            f"Page (of {view.pages:,})", min_value=1, max_value=view.pages, step=1, key=k_page
        )
        st.dataframe(
            view.rows,
            key=key,
            hide_index=True,
            width="stretch",
            height=height,
            column_config={**_count_config(view.rows), **_column_config(links, wide)},
        )
        st.caption(
            view.caption() + ". Column headers sort this page only; the whole selection "
            "downloads from Data → Export."
        )

    paged()


#: the event table's columns (``components.overview.event_table``) and the raw event
#: columns they sort by
EVENT_SORTS = {
    "Date": "start",
    "Precision": "date_precision",
    "Kind": "kind",
    "Status": "status",
    "Actors": "actors_text",
    "Places": "place_names",
    "Route": "route_id",
    "No.": "patrol_number",
    "Description": "description",
    "Event id": "event_id",
}
#: every column of the event table, in its order (checked against it by a test)
EVENT_COLUMNS = (
    *list(EVENT_SORTS)[:-1],
    "Sources (grade)",
    "Best source",
    "Event id",
)
EVENT_SEARCH = ("description", "place_names", "actors_text", "kind", "status", "event_id")


def event_rows(ds: DataSet, events: pd.DataFrame) -> LazyTable:
    """The event table (``components.overview.event_table``: newest first, with sources) of
    ``events``, its cells written only for the page shown; searched in the descriptions,
    places, actors, kinds, statuses and ids."""
    from components.overview import event_table

    def build(rows: pd.DataFrame) -> pd.DataFrame:
        table = event_table(ds, rows)  # newest first: put back in the order asked for
        order = pd.Index(table["Event id"]).get_indexer(rows["event_id"])
        return table.iloc[order].reset_index(drop=True)

    start = events["start"].reset_index(drop=True)
    newest_first = (
        np.arange(len(events) - 1, -1, -1)  # the data set is held in date order: no sort
        if start.is_monotonic_increasing
        else start.sort_values(ascending=False, kind="stable").index.to_numpy()
    )
    return LazyTable(
        rows=events,  # the filtered frame itself, shared: only the order is the table's
        order=newest_first,
        build=build,
        columns=EVENT_COLUMNS,
        sort_by=EVENT_SORTS,
        search=EVENT_SEARCH,
        search_label="text in the descriptions, places, actors, kinds or ids",
    )
