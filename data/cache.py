"""The one module that caches. Loaders take small hashable keys (a directory and the
signature of its files, a store URL and its revision), never DataFrames; everything they
return is read-only.

The data set is held ONCE per server (``st.cache_resource``: no pickled copy per cache
layer, no unpickled copy per run), and the same object is handed to every session. The
rule that comes with it: **never mutate a ``DataSet`` or any of its frames**; derive
(``frame.assign(...)``, ``frame[mask]``, pandas' copy-on-write keeps the original intact).
``current_dataset`` checks on every run that the frames still have the shape and columns
they were loaded with, and fails loudly if a page changed them in place.

The validated files are also kept on disk, column by column (``data.columnar``), keyed on
their signature and the builder's code: a restarted server reads them back instead of
validating a million rows again.

The data set shown is the shipped files plus the records in the store (``data.store``):
the files' ``DataSet`` is cached on their signature and the store's records on its
revision, so a change in the store reloads only the store's part, and is seen at once (the
revision is read with one cheap query on every run).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data import columnar
from data.filters import EventFilter, filter_events, in_date_order
from data.load import EMBEDDED_DIR, dataset_signature, load_dataset_files
from data.model import DataSet
from data.records import combine
from data.schema import DataSetError, Problem
from data.settings import cache_dir, dataset_dir
from data.sourcing import list_conflicts
from data.store import Snapshot, Store, display_url, store_url


@st.cache_resource(max_entries=2, show_spinner="Loading the data set…")
def load_embedded(directory: str, signature: str) -> DataSet:
    """The validated data set in ``directory`` (the files only); ``signature`` changes when
    a file does. Read from the columnar cache on disk when it holds these files, else
    validated and written there. Shared by every session: never mutate it."""
    root = cache_dir()
    if root is None:
        return _in_date_order(load_dataset_files(Path(directory)))
    # cached in date order, so that a restart reads the events in order (no sorted copy)
    return _in_date_order(
        columnar.load_or_build(
            root,
            Path(directory),
            signature,
            lambda: _in_date_order(load_dataset_files(Path(directory))),
        )
    )


def _in_date_order(ds: DataSet) -> DataSet:
    """``ds`` with its events in date order (``data.filters.in_date_order``), so that the
    rows a filter keeps are in order already, and the unfiltered view is the frame itself."""
    events = in_date_order(ds.events)
    if events is ds.events:
        return ds
    return replace(ds, events=events.reset_index(drop=True))


@st.cache_resource(max_entries=4, show_spinner=False)
def load_store(url: str) -> Store:
    """The store at ``url``: an engine (connection pool) shared by every session."""
    return Store.open(url)


@st.cache_data(max_entries=4, show_spinner=False)
def load_store_snapshot(url: str, revision: int) -> Snapshot:
    """Every record in the store; ``revision`` changes with every change written."""
    del revision  # part of the cache key only
    return load_store(url).snapshot()


def _shape(ds: DataSet) -> tuple:
    """What a mutation in place would change: each frame's identity, shape and columns."""
    return tuple(
        (id(frame), frame.shape, tuple(frame.columns))
        for frame in vars(ds).values()
        if isinstance(frame, pd.DataFrame)
    )


@st.cache_resource(max_entries=2, show_spinner="Loading the data set…")
def _load_dataset(directory: str, signature: str, store: str, revision: int) -> tuple:
    base = load_embedded(directory, signature)
    if not store or revision <= 0:
        return base, _shape(base)
    snap = load_store_snapshot(store, revision)
    ds, problems = combine(base, snap.texts(), revision=snap.revision)
    if problems:
        refused = [[p.table, p.record_id, p.field or "", p.problem] for p in problems]
        ds = replace(ds, meta={**ds.meta, "store_refused": json.dumps(refused)})
    ds = _in_date_order(ds)
    return ds, _shape(ds)


def load_dataset(directory: str, signature: str, store: str = "", revision: int = 0) -> DataSet:
    """The data set in ``directory`` plus the records of the store at ``store`` (URL) at
    ``revision``. Store records that fail a check are left out and listed, as JSON, in
    ``meta['store_refused']``. One object shared by every session: never mutate it."""
    ds, shape = _load_dataset(directory, signature, store, revision)
    if _shape(ds) != shape:
        raise RuntimeError(
            "the shared data set was changed in place (a frame's shape or columns differ "
            "from when it was loaded): derive a new frame instead of modifying one"
        )
    return ds


@st.cache_resource(max_entries=8, show_spinner=False)
def _load_events(
    directory: str, signature: str, store: str, revision: int, filter_key: str, _f: EventFilter
) -> pd.DataFrame:
    del filter_key  # the key of ``_f`` (``repr``: a frozen dataclass of dates and strings)
    return filter_events(load_dataset(directory, signature, store, revision), _f)


def load_events(
    directory: str, signature: str, store: str, revision: int, f: EventFilter
) -> pd.DataFrame:
    """The events of the data set that pass ``f``, cached on the filter: a rerun that
    changes another widget does not filter again. Shared: never mutate it."""
    return _load_events(directory, signature, store, revision, repr(f), f)


@st.cache_data(max_entries=4, show_spinner=False)
def load_conflicts(
    directory: str, signature: str, store: str = "", revision: int = 0
) -> pd.DataFrame:
    """Every declared and detected conflict of the data set, one row per claim."""
    return list_conflicts(load_dataset(directory, signature, store, revision))


def store_revision(url: str) -> int:
    """The store's revision (0 before its first change). Raises ``DataSetError`` naming the
    store if it cannot be read."""
    try:
        return load_store(url).revision()
    except SQLAlchemyError as err:
        problem = f"cannot be read ({type(err).__name__}: {str(err).splitlines()[0]})"
        raise DataSetError([Problem(f"store {display_url(url)}", None, None, problem)]) from err


def current_key() -> tuple[str, str, str, int]:
    """(directory, signature, store URL, store revision) of the data set this server shows."""
    directory = dataset_dir() or EMBEDDED_DIR
    url = store_url()
    return str(directory), dataset_signature(directory), url, store_revision(url)


def current_dataset() -> DataSet:
    """The data set this server shows, from the cache."""
    return load_dataset(*current_key())


def current_events(f: EventFilter) -> pd.DataFrame:
    """The events that pass ``f`` in the data set this server shows, from the cache."""
    return load_events(*current_key(), f)


def current_conflicts() -> pd.DataFrame:
    """The conflicts of the data set this server shows, from the cache."""
    return load_conflicts(*current_key())


def current_store() -> Store:
    """The store this server writes to."""
    return load_store(store_url())


def current_embedded() -> DataSet:
    """The shipped data set alone (what store records are checked against)."""
    directory = dataset_dir() or EMBEDDED_DIR
    return load_embedded(str(directory), dataset_signature(directory))


def current_snapshot() -> Snapshot:
    """Every record in the store this server writes to, from the cache."""
    url = store_url()
    return load_store_snapshot(url, store_revision(url))


# --- map explorer: the agreements' zones (border strip, 30 km line) ---------------------------


@st.cache_data(max_entries=2, show_spinner=False)
def load_zone_layer(zones_file: str, borders_file: str, signature: str) -> dict:
    """The declared zones as GeoJSON for the map (``data.zones.zone_layer``); ``signature``
    changes when either file does."""
    from data.zones import read_borders, read_zones, zone_layer

    del signature  # part of the cache key only
    return zone_layer(read_zones(Path(zones_file)), read_borders(Path(borders_file)))


def current_zone_layer() -> dict:
    """The zones of ``data/agreements/zones.json`` on the shipped borders, from the cache."""
    from data.zones import BORDERS_FILE, ZONES_FILE, files_signature

    return load_zone_layer(
        str(ZONES_FILE), str(BORDERS_FILE), files_signature(ZONES_FILE, BORDERS_FILE)
    )
