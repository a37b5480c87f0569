"""Pieces of the app's frame shown on every page."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import pandas as pd
import streamlit as st

from data.filters import EventFilter
from data.model import DataSet
from data.schema import DataSetError


def problems_table(err: DataSetError) -> pd.DataFrame:
    """The problems of a refused data set as a table: file, row (blank for the whole
    file), field, problem; every file's problems, file by file."""
    return pd.DataFrame(
        [
            (p.file, "" if p.row is None else str(p.row), p.field or "", p.problem)
            for p in err.problems
        ],
        columns=["File", "Row", "Field", "Problem"],
    )


def dataset_error_summary(err: DataSetError) -> str:
    """One line above the table: how many problems in how many files (plain text)."""
    files = list(dict.fromkeys(p.file for p in err.problems))
    if len(err.problems) == 1 and err.problems[0].problem.startswith("the data set directory"):
        return (
            f"The data set directory {err.problems[0].file} "
            f"{err.problems[0].problem.removeprefix('the data set directory ')}: check "
            "PATROLWATCH_DATA. Nothing is shown until it is fixed."
        )
    return (
        f"The data set was refused: {len(err.problems)} problem(s) in {len(files)} file(s) "
        f"({', '.join(files)}). Nothing from it is shown until it is fixed."
    )


def render_dataset_error(err: DataSetError) -> None:
    """Explain a refused data set without rendering any of its text as markup."""
    from components.html import md_escape

    st.title("PatrolWatch")
    st.error(md_escape(dataset_error_summary(err)))
    if len(err.problems) > 1 or err.problems[0].row is not None:
        st.dataframe(problems_table(err), hide_index=True, width="stretch")


def render_footer(ds: DataSet) -> None:
    """The data set's name and version, at the foot of the sidebar."""
    with st.sidebar:
        st.divider()
        st.caption(
            f"Data: {ds.label} · {len(ds.events):,} events · {len(ds.sources):,} sources. "
            "Grades are Admiralty codes: source reliability A–F, information credibility 1–6."
        )


def render_store_status() -> None:
    """On every page while the store cannot be reached: say so at the top of the sidebar,
    and that only the shipped data are shown (checked again on each run, so it goes away
    once the store is back). The slot is there on every run, shown or not, so nothing of
    the page moves when the store goes down or comes back (an open tab stays open)."""
    from data.cache import store_unreachable
    from data.store import UNREACHABLE

    slot = st.sidebar.empty()
    if store_unreachable():
        slot.warning(UNREACHABLE, icon=":material/cloud_off:")


ROUTED_KEY = "_pw_routed"


def mark_routed() -> None:
    """Called by ``app.py``: this session has been through the router."""
    st.session_state[ROUTED_KEY] = True


def use_router() -> None:
    """Make sure this page runs through ``app.py``'s router.

    Because the project has a ``pages/`` folder, a fresh Streamlit server starts in its
    legacy pages-folder mode: a link straight to ``/sources`` would run that page alone,
    without the shared filters. For a session that has not been through the router yet,
    switching the mode off and rerunning hands the request to ``app.py``, whose
    ``st.navigation`` opens the same page with its filters read from the URL.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory and not st.session_state.get(ROUTED_KEY):
        PagesManager.uses_pages_directory = False
        st.rerun()


class PageContext(NamedTuple):
    """What every page starts from: the data set, today, the shared filter, its events."""

    ds: DataSet
    today: date
    filter: EventFilter
    events: pd.DataFrame


def page_context() -> PageContext:
    """Route the page through ``app.py`` if needed, then read the data set (cached), the
    shared sidebar filter and the events that pass it (cached on the filter)."""
    from components.filters import filter_from_state
    from data.cache import current_dataset, current_events
    from data.settings import today

    use_router()
    ds = current_dataset()
    now = today()
    f = filter_from_state(st.session_state, ds, now)
    return PageContext(ds, now, f, current_events(f))
