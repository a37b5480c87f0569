"""The one module that caches. Loaders take small hashable keys (a directory and the
signature of its files), never DataFrames; everything they return is read-only.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from data.load import EMBEDDED_DIR, dataset_signature, load_dataset_files
from data.model import DataSet
from data.settings import dataset_dir
from data.sourcing import list_conflicts


@st.cache_data(max_entries=4, show_spinner="Loading the data set…")
def load_dataset(directory: str, signature: str) -> DataSet:
    """The validated data set in ``directory``; ``signature`` changes when a file does."""
    del signature  # part of the cache key only
    return load_dataset_files(Path(directory))


@st.cache_data(max_entries=4, show_spinner=False)
def load_conflicts(directory: str, signature: str) -> pd.DataFrame:
    """Every declared and detected conflict of the data set, one row per claim."""
    return list_conflicts(load_dataset(directory, signature))


def current_key() -> tuple[str, str]:
    """(directory, signature) of the data set this server shows."""
    directory = dataset_dir() or EMBEDDED_DIR
    return str(directory), dataset_signature(directory)


def current_dataset() -> DataSet:
    """The data set this server shows, from the cache."""
    return load_dataset(*current_key())


def current_conflicts() -> pd.DataFrame:
    """The conflicts of the data set this server shows, from the cache."""
    return load_conflicts(*current_key())
