"""Pieces of the app's frame shown on every page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data.model import DataSet
from data.schema import DataSetError


def problems_table(err: DataSetError) -> pd.DataFrame:
    """The problems of a refused data set as a table: file, row, field, problem."""
    return pd.DataFrame(
        [(p.file, p.row, p.field or "", p.problem) for p in err.problems],
        columns=["File", "Row", "Field", "Problem"],
    )


def render_dataset_error(err: DataSetError) -> None:
    """Explain a refused data set without rendering any of its text as markup."""
    st.title("PatrolWatch")
    st.error("The data set was refused: nothing from it is shown until it is fixed.")
    st.dataframe(problems_table(err), hide_index=True, width="stretch")


def render_footer(ds: DataSet) -> None:
    """The data set's name and version, at the foot of the sidebar."""
    with st.sidebar:
        st.divider()
        st.caption(
            f"Data: {ds.label} · {len(ds.events):,} events · {len(ds.sources):,} sources. "
            "Grades are Admiralty codes: source reliability A–F, information credibility 1–6."
        )
