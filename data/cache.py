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
revision is read with one cheap query on every run). A store that cannot be reached reads
as revision 0 (the shipped data alone, ``store_unreachable()`` says so) and is tried again on
the next run, so the app recovers by itself when it is back.
"""

from __future__ import annotations

import gc
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, MutableMapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data import columnar
from data.filters import EventFilter, filter_events, in_date_order
from data.load import EMBEDDED_DIR, dataset_signature, load_dataset_files
from data.memory import reusing_pool
from data.memsize import held_bytes
from data.model import DataSet
from data.records import combine
from data.schema import DataSetError, Problem
from data.settings import cache_dir, dataset_dir, sign_in_configured
from data.sourcing import list_conflicts
from data.store import Snapshot, Store, StoreUnavailable, display_url, store_url

T = TypeVar("T")
if TYPE_CHECKING:
    from data.snapshot import SnapshotDiff
    from data.views import FrequencyView, OverviewView


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
            background=True,
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


def _settle_heap() -> None:
    """Once a data set is loaded, move everything alive into the collector's permanent
    generation (``gc.freeze``): the frames, the libraries' modules and the caches live as
    long as the server, and every full collection would otherwise walk them all again,
    holding every session's script still while it does (most of a second with the data
    set loaded). Objects frozen are still freed when no longer referenced; the previous
    freeze is undone first, so cycles left by a data set replaced since are collected."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


@st.cache_resource(max_entries=2, show_spinner="Loading the data set…")
def _load_dataset(directory: str, signature: str, store: str, revision: int) -> tuple:
    try:
        with reusing_pool():  # the load's buffers from a pool that reuses them: data.memory
            return _build_dataset(directory, signature, store, revision)
    finally:
        _settle_heap()


def _build_dataset(directory: str, signature: str, store: str, revision: int) -> tuple:
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


def load_events(
    directory: str, signature: str, store: str, revision: int, f: EventFilter
) -> pd.DataFrame:
    """The events of the data set that pass ``f``, cached on the filter: a rerun that
    changes another widget does not filter again. Shared: never mutate it.

    Kept in the shared memo ``"events"``, bounded in bytes: a filter that keeps every row
    costs nothing (it is the data set's frame itself), one year of a million events ~110 MB,
    so the least recently used filters are dropped (filtered again if asked again)."""
    return events_of(load_dataset(directory, signature, store, revision), f)


def events_of(ds: DataSet, f: EventFilter) -> pd.DataFrame:
    """``filter_events(ds, f)``, once per filter for every session (see ``load_events``)."""
    return shared_memo("events").get(("events", repr(f)), lambda: filter_events(ds, f), ds)


@st.cache_data(max_entries=4, show_spinner=False)
def load_conflicts(
    directory: str, signature: str, store: str = "", revision: int = 0
) -> pd.DataFrame:
    """Every declared and detected conflict of the data set, one row per claim."""
    return list_conflicts(load_dataset(directory, signature, store, revision))


def store_revision(url: str) -> int:
    """The store's revision (0 before its first change, or while it cannot be reached).
    Raises ``DataSetError`` naming the store if it cannot be read otherwise."""
    try:
        return load_store(url).revision()
    except StoreUnavailable:
        return 0
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
    """The store this server writes to (sharing the cached connection pool); with sign-in
    configured it takes writes from signed-in people only."""
    shared = load_store(store_url())
    return Store(shared.engine, signed_in_only=sign_in_configured())


def store_unreachable() -> bool:
    """True while the store this server uses cannot be reached (one cheap query)."""
    return not load_store(store_url()).reachable()


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


# --- the offline basemap's files --------------------------------------------------------------


@st.cache_resource(max_entries=2, show_spinner=False)
def basemap_texts(
    directory: str, files: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    """(layer name, GeoJSON text) of the basemap ``files`` ((layer name, file name) pairs)
    in ``directory``, read once per server (an immutable tuple of strings: safe to share)."""
    return tuple(
        (name, (Path(directory) / file).read_text(encoding="utf-8")) for name, file in files
    )


# --- per-session memos ------------------------------------------------------------------------


def session_memo(
    state: MutableMapping[str, object],
    name: str,
    key: Hashable,
    compute: Callable[[], T],
    *,
    max_entries: int = 4,
) -> T:
    """``compute()`` kept in a session's ``state`` (``st.session_state``) under ``name`` while
    ``key`` stays the same, for work too personal for a shared cache (an upload's preview).
    At most ``max_entries`` results are kept per name, the least recently used dropped."""
    memo = state.get(name)
    if not isinstance(memo, OrderedDict):
        memo = OrderedDict()
        state[name] = memo
    if key in memo:
        memo.move_to_end(key)
        return memo[key]
    value = compute()
    memo[key] = value
    while len(memo) > max_entries:
        memo.popitem(last=False)
    return value


# --- shared memos: one result per view, for every session ---------------------------------


class _Pending:
    """A result being computed by one thread, that the others asking for it wait on."""

    __slots__ = ("done", "ok", "thread", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.thread = threading.get_ident()
        self.ok = False
        self.value: object = None


class SharedMemo:
    """Bounded least-recently-used results shared by every session of the server, keyed on
    small hashable values (a filter, a data set token, a content fingerprint), for work that
    is the same for everyone who asks the same question (a map's HTML, a page's view).

    A result may depend on a live object too (the data set): pass it as ``owner``. Its
    identity is part of the key, and a weak reference to it is kept with the result, so a
    result is never handed out for another object that happens to reuse the id, and an
    entry never keeps an evicted data set alive.

    Thread-safe and computed once per key: when several sessions ask for the same missing
    result at once, one computes it and the others wait for it (never for another key: no
    lock is held while computing, so sessions asking different questions run side by
    side). If the computation fails, the waiting sessions compute it themselves.

    Bounded by ``max_entries`` and by a weight: with ``max_bytes``, by the bytes the results
    hold beyond what they were built from (``data.memsize.held_bytes``: passing a frame
    through costs nothing, a copy counts); with ``max_weight``, by the sum of
    ``weigh(result)`` (e.g. a table's rows). The most recent ``min_entries`` stay whatever
    they weigh. Every result is shared: never mutate one."""

    def __init__(
        self,
        max_entries: int,
        max_bytes: int | None = None,
        *,
        max_weight: float | None = None,
        weigh: Callable[[object], float] | None = None,
        min_entries: int = 1,
    ) -> None:
        if max_bytes is not None and max_weight is not None:
            raise ValueError("a memo is bounded by bytes or by a weight, not both")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_weight = max_bytes if max_bytes is not None else max_weight
        self.min_entries = min_entries
        self._weigh = weigh or (lambda _: 1)
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[object, weakref.ref | None, float]] = (
            OrderedDict()
        )
        self._weight = 0.0
        self._pending: dict[Hashable, _Pending] = {}
        self._dead: list[Hashable] = []  # keys whose owner is gone (appended by weakref)
        # results dropped to keep within the bounds, while something else still holds them
        # (a view holds the frame it was built from): handed out again, never made twice
        self._dropped: dict[Hashable, tuple[weakref.ref, weakref.ref | None, float]] = {}
        self.hits = 0
        self.misses = 0
        self.waits = 0

    def _drop(self, full: Hashable) -> None:
        entry = self._entries.pop(full)
        self._weight -= entry[2]

    def _evict(self, full: Hashable) -> None:
        """Drop ``full`` to keep within the bounds, remembering it (weakly) while it lives."""
        value, ref, weight = self._entries[full]
        self._drop(full)
        try:
            alive = weakref.ref(value, lambda _, d=self._dropped, k=full: d.pop(k, None))
        except TypeError:  # a str, a tuple: not weakly referable, and gone with the entry
            return
        self._dropped[full] = (alive, ref, weight)

    def _revive(self, full: Hashable, owner: object | None) -> tuple[bool, object]:
        """A dropped result of ``full`` still alive elsewhere, put back (lock held)."""
        dropped = self._dropped.pop(full, None)
        if dropped is None:
            return False, None
        alive, ref, weight = dropped
        value = alive()
        if value is None or (ref is not None and ref() is not owner):
            return False, None
        self._entries[full] = (value, ref, weight)
        self._weight += weight
        self._trim()
        return True, value

    def _purge(self) -> None:
        """Drop the entries whose owner no longer exists (called with the lock held), so a
        result (a table of the whole selection) is freed with the frame it was built from."""
        while self._dead:
            full = self._dead.pop()
            entry = self._entries.get(full)
            if entry is not None and entry[1] is not None and entry[1]() is None:
                self._drop(full)

    def _trim(self) -> None:
        """Keep within the bounds (called with the lock held), least recent first."""
        while len(self._entries) > self.max_entries or (
            self.max_weight is not None
            and self._weight > self.max_weight
            and len(self._entries) > self.min_entries
        ):
            self._evict(next(iter(self._entries)))

    def _weight_of(
        self, value: object, owner: object | None, shared: Callable[[], tuple] | None
    ) -> float:
        if self.max_bytes is not None:
            return float(held_bytes(value, shared=(owner, *(shared() if shared else ()))))
        return float(self._weigh(value)) if self.max_weight is not None else 1.0

    def get(
        self,
        key: Hashable,
        compute: Callable[[], T],
        owner: object | None = None,
        shared: Callable[[], tuple] | None = None,
    ) -> T:
        """The result for ``key`` (and ``owner``), computing it with ``compute()`` once.
        ``shared()``: what else the result may hold that is kept alive elsewhere (another
        memo's frame), left out of its size like ``owner``."""
        full = (key, None if owner is None else id(owner))
        while True:
            with self._lock:
                self._purge()
                entry = self._entries.get(full)
                if entry is not None and (entry[1] is None or entry[1]() is owner):
                    self._entries.move_to_end(full)
                    self.hits += 1
                    return entry[0]  # type: ignore[return-value]
                revived, value = self._revive(full, owner)
                if revived:
                    self.hits += 1
                    return value  # type: ignore[return-value]
                pending = self._pending.get(full)
                # the same thread asking again from inside its own computation computes anew
                if pending is None or pending.thread == threading.get_ident():
                    pending = self._pending[full] = _Pending()
                    self.misses += 1
                    break
                self.waits += 1
            # the other computation holds a reference to its owner, so that is ``owner``
            pending.done.wait()
            if pending.ok:
                return pending.value  # type: ignore[return-value]
            # it failed there: ask again (and compute it here, failing or not on our own)
        try:
            value = compute()
            weight = self._weight_of(value, owner, shared)
        except BaseException:
            with self._lock:
                if self._pending.get(full) is pending:
                    del self._pending[full]
            pending.done.set()
            raise
        dead = self._dead
        ref = None if owner is None else weakref.ref(owner, lambda _: dead.append(full))
        with self._lock:
            self._purge()
            if full in self._entries:
                self._drop(full)
            self._entries[full] = (value, ref, weight)
            self._weight += weight
            self._trim()
            if self._pending.get(full) is pending:
                del self._pending[full]
        pending.value, pending.ok = value, True
        pending.done.set()
        return value

    def nbytes(self) -> int:
        """The bytes the results kept hold beyond their owners (0 without ``max_bytes``)."""
        with self._lock:
            self._purge()
            return int(self._weight) if self.max_bytes is not None else 0

    def __len__(self) -> int:
        with self._lock:
            self._purge()
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._dropped.clear()
            self._weight = 0.0


#: bounds of the shared memos, by name (entries kept): a map's HTML is ~1.5 MB, a page's
#: view holds small frames and the (already cached) filtered events, a table of the whole
#: selection may be hundreds of MB at 1M events, so few of those
SHARED_MEMOS = {
    "map_html": 32,
    "view": 16,
    "view_hash": 32,
    "table": 16,
    "derived": 64,
    "events": 8,
}
_MB = 1_000_000
#: and the bytes their results may hold together beyond what they were built from (the
#: data set, a filtered frame, a view: ``data.memsize.held_bytes``). Counts bound the small
#: data sets; at a million events (~1 GB of frames) one filtered frame of a year is ~110 MB
#: and the patrols of every date How often compares with ~500 MB ("events" keeps both), so
#: bytes bound them there: together at most ~1.5 GB beyond the data set, usually far less.
SHARED_MEMO_BYTES = {
    "map_html": 64 * _MB,
    "view": 400 * _MB,
    "table": 150 * _MB,
    "derived": 200 * _MB,
    "events": 700 * _MB,
}
#: the newest results kept whatever they weigh (two tables of a whole selection, as the
#: Overview and How often may each show one)
SHARED_MEMO_KEEP = {"table": 2}


@st.cache_resource(max_entries=len(SHARED_MEMOS), show_spinner=False)
def shared_memo(name: str) -> SharedMemo:
    """The server's shared memo ``name`` (one of ``SHARED_MEMOS``), made once per server."""
    return SharedMemo(
        SHARED_MEMOS[name],
        SHARED_MEMO_BYTES.get(name),
        min_entries=SHARED_MEMO_KEEP.get(name, 1),
    )


def map_html(key: Hashable, owner: object, build: Callable[[], str]) -> str:
    """A map's HTML, built once by ``build()`` for every session showing the same map:
    ``key`` holds every argument of the map's builder (its content fingerprint) and
    ``owner`` the data set it was drawn from. At most ``SHARED_MEMOS['map_html']`` kept."""
    return shared_memo("map_html").get(key, build, owner)


def per_selection(
    memo: str,
    events: pd.DataFrame,
    key: Hashable,
    build: Callable[[], T],
    shared: Callable[[], tuple] | None = None,
) -> T:
    """``build()`` once per selection for every session: ``events`` is the filtered frame
    (one cached frame per filter, ``load_events``, so it stands for the filter by identity)
    and ``key`` every other input of ``build`` (the page's widgets, today, the data set's
    identity and version). ``memo`` is ``"view"`` for a page's view-model, ``"table"`` for
    a table of the whole selection. ``shared``: see :meth:`SharedMemo.get`."""
    return shared_memo(memo).get(key, build, events, shared)


def derived(owner: object, name: str, build: Callable[[], T]) -> T:
    """``build()`` once per ``owner`` for every session: something drawn from a shared,
    never-mutated object alone (a cached view, the data set), named ``name``, e.g. a view's
    chart: ``derived(view, "timeline", lambda: timeline_figure(view.counts, ...))``. The
    result must depend on nothing but ``owner`` (and constants)."""
    return shared_memo("derived").get(name, build, owner)


class RecordMemo:
    """Results per record of one data set (an event's popup block), kept for every view
    that shows the record: a view asks for its records' results and only those not yet
    made are built. Thread-safe; at most ``limit`` records kept (then it starts afresh)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._kept: dict[Hashable, object] = {}

    def get(self, ids: Iterable[Hashable], build: Callable[[list], Mapping]) -> dict:
        """{id: result} for ``ids``; ``build(missing ids)`` gives {id: result} of those."""
        wanted = list(ids)
        with self._lock:
            out = {i: self._kept[i] for i in wanted if i in self._kept}
        missing = [i for i in wanted if i not in out]
        if missing:
            made = dict(build(missing))
            out.update(made)
            with self._lock:
                if len(self._kept) + len(made) > self.limit:
                    self._kept.clear()
                self._kept.update(made)
        return out

    def __len__(self) -> int:
        return len(self._kept)


#: records whose per-record results one data set keeps (a popup block is ~1 kB)
RECORD_MEMO_LIMIT = 50_000


def per_record(
    ds: DataSet, name: str, ids: Iterable[Hashable], build: Callable[[list], Mapping]
) -> dict:
    """``build(ids)`` per record of ``ds`` for every session, each record's result made
    once (see :class:`RecordMemo`): e.g. the popup block of an event, the same in every
    view that shows it. ``name`` tells the kinds of result apart."""
    memo = derived(ds, f"per_record:{name}", lambda: RecordMemo(RECORD_MEMO_LIMIT))
    return memo.get(ids, build)


def strip_line_of(events: pd.DataFrame, theatres: tuple[str, ...]) -> str:
    """``data.timewindow.strip_line`` of ``events`` for the zone strip of ``theatres``, once
    per selection for every session (How often and the explorer both say it)."""
    from data.timewindow import strip_area, strip_line

    return derived(
        events,
        f"strip_line:{theatres!r}",
        lambda: strip_line(events, strip_area(current_zone_layer(), theatres)),
    )


def overview_view_of(
    ds: DataSet, f: EventFilter, today: object, events: pd.DataFrame, **options: object
) -> OverviewView:
    """``data.views.overview_view(ds, f, today, events=events, conflicts=..., **options)``
    once per selection and options, for every session (see :func:`per_selection`)."""
    from data.views import overview_view

    key = ("overview", id(ds), ds.version, repr(f), str(today), tuple(sorted(options.items())))
    return per_selection(
        "view",
        events,
        key,
        lambda: overview_view(
            ds, f, today, events=events, conflicts=current_conflicts(), **options
        ),  # type: ignore[arg-type]
    )


def frequency_view_of(
    ds: DataSet, f: EventFilter, today: object, events: pd.DataFrame, key: Hashable, **options
) -> FrequencyView:
    """``data.views.frequency_view(ds, f, today, events=events, conflicts=..., **options)``
    once per selection and ``key`` (the page's settings, notes) for every session. The patrols of
    every date it compares with (most of the data set: ~500 MB at a million events) are
    kept once per filter without its dates, so views that differ in dates share them."""
    from data.views import frequency_view, held_events

    every = replace(f, start=None, end=None)
    every_date = events_of(ds, every)
    disputed = bool(options.get("include_disputed", False))

    kept: list[pd.DataFrame] = []

    def view() -> FrequencyView:
        held = shared_memo("events").get(
            ("held", repr(every), disputed),
            lambda: held_events(every_date, f.kinds, include_disputed=disputed),
            every_date,
        )
        kept.append(held)
        return frequency_view(
            ds,
            f,
            today,  # type: ignore[arg-type]
            events=events,
            every_date=every_date,
            held=held,
            conflicts=current_conflicts(),
            **options,  # type: ignore[arg-type]
        )

    return per_selection(
        "view",
        events,
        ("frequency", id(ds), ds.version, repr(f), str(today), key),
        view,
        shared=lambda: (every_date, *kept),  # kept by the memo "events"
    )


def table_of(
    name: str, ds: DataSet, events: pd.DataFrame, build: Callable[[DataSet, pd.DataFrame], T]
) -> T:
    """``build(ds, events)`` (a table of the selection, e.g. ``components.overview.
    event_table``) once per selection for every session; ``name`` tells tables apart."""
    return per_selection(
        "table", events, ("table", name, id(ds), ds.version), lambda: build(ds, events)
    )


def records_hash(ds: DataSet, events: pd.DataFrame) -> str:
    """``data.snapshot.view_hash`` of ``events`` (rows of ``ds.events``), computed once per
    frame: the filtered events are one cached frame per filter (``load_events``), so every
    session and every rerun on the same filter shares one hash."""
    from data.snapshot import view_hash

    return shared_memo("view_hash").get(
        ("view_hash", id(ds), ds.version, len(events)), lambda: view_hash(ds, events), events
    )


# --- citable snapshots: a snapshot link against the data now ---------------------------------


@st.cache_data(max_entries=16, show_spinner="Comparing with the snapshot…")
def load_snapshot_diff(
    key: tuple[str, str, str, int], f: EventFilter, version_then: str, hash_wanted: str
) -> SnapshotDiff:
    """What changed since a snapshot link (``data.snapshot.snapshot_diff``) among the events
    of filter ``f``; ``key`` is ``current_key()`` (the store's revision is part of it)."""
    from data.snapshot import audit_since, revision_of, snapshot_diff

    directory, signature, url, revision = key
    base = load_embedded(directory, signature)
    now = load_dataset(directory, signature, url, revision)
    texts = load_store_snapshot(url, revision).texts() if revision > 0 else {}
    audit = audit_since(load_store(url), revision_of(version_then))
    return snapshot_diff(
        base, now, texts, audit, f, version_then=version_then, hash_wanted=hash_wanted
    )
