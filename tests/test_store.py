"""The store, on the embedded SQLite default and on a real PostgreSQL server: every write a
transaction, concurrent edits refused rather than lost, every change audited and undoable,
nothing lost to a killed process, and the cached data layer seeing a change at once.
SYNTHETIC records only (tests/fixtures.py, tests/fixtures_import/)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from data.importers import ImportContext, ImportOptions, ImportRefused, apply_import
from data.importers import preview_import as preview
from data.records import combine
from data.store import CHUNK, Change, ConflictError, Store, StoreError, store_url
from tests.fixtures import store_event
from tests.postgres import new_database

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures_import"

SOURCE = {
    "source_id": "synthetic-store-test",
    "publisher": "Synthetic publisher",
    "title": "SYNTHETIC store test (not real)",
    "url": "https://example.org/synthetic-store",
    "published": "2024",
    "language": "en",
    "kind": "dataset",
    "affiliation": "unknown",
    "reliability": "C",
    "reliability_basis": "synthetic",
}
OPTIONS = ImportOptions(
    new_source=tuple({**SOURCE, "source_id": "synthetic-import-test"}.items()),
    credibility=3,
    theatre_id="syn_a",
    event_kind="joint_patrol",
)


def _event(eid: str = "syn-ev-1", **kw: str) -> dict[str, str]:
    fields = {
        "date": "2024-03-04",
        "description": "SYNTHETIC event written by the store tests",
        "sources": "synthetic-store-test:2",
    }
    return store_event(eid, **{**fields, **kw})


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, sqlite_store_url) -> str:
    """A new, empty store: a SQLite file, or a new database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_store_url
    return new_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store_location(url) -> str:
    """The shared ``store`` fixture (tests/conftest.py) opens each of these stores."""
    return url


def _ctx(mini, store: Store) -> ImportContext:
    snap = store.snapshot()
    current, problems = combine(mini, snap.texts(), revision=snap.revision)
    assert not problems
    return ImportContext(mini, snap, current)


# --------------------------------------------------------------------------- basics


def test_a_new_store_is_empty_and_created_on_first_write(store):
    assert store.revision() == 0
    assert not store.exists()
    assert store.snapshot().n_records == 0
    assert store.insert("sources", SOURCE, who="alice") == 1
    assert store.exists() and store.revision() == 1
    row = store.get("sources", "synthetic-store-test")
    assert row["title"] == SOURCE["title"] and row["pw_version"] == 1


def test_every_change_is_audited_with_who_when_and_the_previous_value(store):
    store.insert("sources", SOURCE, who="alice")
    store.update("sources", {**SOURCE, "title": "Retitled"}, expected_version=1, who="bob")
    h = store.history()
    assert list(h["who"]) == ["bob", "alice"]
    assert list(h["action"]) == ["update", "insert"]
    assert h["at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    assert '"title": "SYNTHETIC store test (not real)"' in h["old_values"].iloc[0]
    assert '"title": "Retitled"' in h["new_values"].iloc[0]
    assert h["summary"].iloc[0] == "title: SYNTHETIC store test (not real) → Retitled"
    assert list(h["revision"]) == [2, 1]


def test_two_sessions_editing_at_once_the_second_gets_a_conflict(url):
    first, second = Store.open(url), Store.open(url)  # two sessions, two connection pools
    first.insert("sources", SOURCE, who="setup")
    opened_a = first.get("sources", SOURCE["source_id"])["pw_version"]
    opened_b = second.get("sources", SOURCE["source_id"])["pw_version"]
    first.update("sources", {**SOURCE, "title": "Alice's title"}, expected_version=opened_a,
                 who="alice")  # fmt: skip
    revision = second.revision()
    with pytest.raises(ConflictError) as err:
        second.update("sources", {**SOURCE, "title": "Bob's title"}, expected_version=opened_b,
                      who="bob")  # fmt: skip
    message = str(err.value)
    assert "source 'synthetic-store-test' was changed by alice" in message
    assert "Nothing was written" in message and "version 1" in message
    assert second.revision() == revision
    assert second.get("sources", SOURCE["source_id"])["title"] == "Alice's title"
    for s in (first, second):
        s.engine.dispose()


def test_adding_a_record_someone_else_added_meanwhile_is_a_conflict(store):
    store.insert("sources", SOURCE, who="alice")
    with pytest.raises(ConflictError, match="was added by alice"):
        store.insert("sources", SOURCE, who="bob")


def test_undo_restores_the_previous_value_and_is_itself_audited(store):
    store.insert("sources", SOURCE, who="alice")
    store.update("sources", {**SOURCE, "title": "Wrong"}, expected_version=1, who="bob")
    change = int(store.history()["audit_id"].iloc[0])
    store.undo(change, who="carol")
    assert store.get("sources", SOURCE["source_id"])["title"] == SOURCE["title"]
    h = store.history()
    assert h["who"].iloc[0] == "carol" and int(h["undoes"].iloc[0]) == change
    assert int(h.loc[h["audit_id"] == change, "undone_by"].iloc[0]) == h["audit_id"].iloc[0]
    with pytest.raises(StoreError, match="already undone"):
        store.undo(change, who="carol")
    # the undo can be undone (redo)
    store.undo(int(h["audit_id"].iloc[0]), who="carol")
    assert store.get("sources", SOURCE["source_id"])["title"] == "Wrong"


def test_undo_is_refused_when_the_record_changed_since(store):
    store.insert("sources", SOURCE, who="alice")
    first = int(store.history()["audit_id"].iloc[0])
    store.update("sources", {**SOURCE, "title": "Later"}, expected_version=1, who="bob")
    with pytest.raises(ConflictError, match="has changed since change #1 by bob"):
        store.undo(first, who="carol")


def test_delete_keeps_the_record_in_the_trail_and_can_be_undone(store):
    store.insert("sources", SOURCE, who="alice")
    store.delete("sources", SOURCE["source_id"], expected_version=1, who="bob")
    assert store.get("sources", SOURCE["source_id"]) is None
    store.undo_revision(store.revision(), who="carol")
    assert store.get("sources", SOURCE["source_id"])["title"] == SOURCE["title"]


# --------------------------------------------------------------------------- transactions


def test_a_change_that_fails_half_way_writes_nothing(store):
    store.insert("sources", SOURCE, who="setup")
    revision = store.revision()
    changes = [
        Change("events", f"syn-bulk-{i}", "insert", _event(f"syn-bulk-{i}"))
        for i in range(CHUNK * 2)
    ]
    changes.append(Change("sources", SOURCE["source_id"], "insert", SOURCE))  # exists: fails
    with pytest.raises(ConflictError):
        store.apply(changes, who="t")
    assert store.revision() == revision
    assert store.snapshot().records["events"].empty

    def explode(done: float) -> None:  # an error injected between two chunks
        if done >= 0.5:
            raise RuntimeError("injected failure mid-transaction")

    with pytest.raises(RuntimeError, match="injected"):
        store.apply(changes[:-1], who="t", progress=explode)
    assert store.revision() == revision
    assert store.snapshot().records["events"].empty
    assert len(store.history()) == 1


def test_a_process_killed_half_way_through_an_import_writes_nothing(url, tmp_path):
    Store.open(url).insert("sources", SOURCE, who="setup")
    script = tmp_path / "slow_import.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys, time
            sys.path.insert(0, {str(ROOT)!r})
            from data.store import Change, Store
            from tests.test_store import _event
            store = Store.open({url!r})
            changes = [Change("events", f"syn-k-{{i}}", "insert", _event(f"syn-k-{{i}}"))
                       for i in range(1000)]
            def hang(done):
                if done >= 0.4:
                    print("MID", flush=True)
                    time.sleep(120)
            store.apply(changes, who="killed", progress=hang)
            """
        )
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "MID", proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    after = Store.open(url)
    assert after.revision() == 1
    assert after.snapshot().records["events"].empty
    assert list(after.history()["who"]) == ["setup"]
    after.insert("events", _event("syn-after-kill"), who="t")  # the store still takes writes
    assert after.revision() == 2
    after.engine.dispose()


def test_a_confirmed_change_survives_a_restart(url):
    first = Store.open(url)
    first.insert("sources", SOURCE, who="alice")
    first.insert("events", _event(), who="alice")
    first.engine.dispose()  # the server goes away
    again = Store.open(url)
    snap = again.snapshot()
    assert snap.revision == 2
    assert list(snap.records["events"]["event_id"]) == ["syn-ev-1"]
    again.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 's.sqlite'}")
    s.create()
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


# --------------------------------------------------------------------------- imports


def test_an_import_lands_in_one_change_and_re_importing_adds_nothing(mini, store):
    data = (FIXTURES / "acled_current.csv").read_bytes()
    first = preview("acled_current.csv", data, _ctx(mini, store), OPTIONS)
    with pytest.raises(ImportRefused, match="2 row"):  # refused rows: nothing without consent
        apply_import(store, first, who="t")
    assert store.revision() == 0
    revision = apply_import(store, first, who="analyst", allow_partial=True)
    assert revision == 1
    h = store.history()
    assert (h["revision"] == 1).all() and len(h) == first.to_write
    assert h["note"].iloc[0].startswith("import of acled_current.csv")
    ds, problems = combine(mini, store.snapshot().texts(), revision=revision)
    assert not problems
    assert {"acled-syn90001", "acled-syn90003"} <= set(ds.events["event_id"])
    again = preview("acled_current.csv", data, _ctx(mini, store), OPTIONS)
    assert again.to_write == 0
    with pytest.raises(ImportRefused, match="nothing new"):
        apply_import(store, again, who="analyst", allow_partial=True)
    # the whole import is one change: undoing it removes every record it added
    store.undo_revision(revision, who="analyst")
    assert store.snapshot().n_records == 0


def test_an_import_based_on_a_stale_preview_is_refused_whole(mini, store):
    data = (FIXTURES / "bundle.json").read_bytes()
    stale = preview("bundle.json", data, _ctx(mini, store), OPTIONS)
    apply_import(store, stale, who="first")
    with pytest.raises(ConflictError, match="was added by first"):
        apply_import(store, stale, who="second")
    assert store.revision() == 1


# --------------------------------------------------------------------------- the app sees it


def test_the_cached_data_set_sees_a_change_at_once(mini_dir, tmp_path, monkeypatch):
    from data import cache

    monkeypatch.setenv("PATROLWATCH_DATA", str(mini_dir))
    monkeypatch.setenv("PATROLWATCH_STORE", str(tmp_path / "store"))
    assert store_url().endswith(f"{tmp_path / 'store' / 'store.sqlite'}")
    before = cache.current_key()
    assert before[3] == 0
    shown = cache.current_dataset()
    assert "syn-ev-1" not in set(shown.events["event_id"])
    store = cache.current_store()
    store.insert("sources", SOURCE, who="t")
    store.insert("events", _event(), who="t")
    after = cache.current_key()
    assert after[:3] == before[:3] and after[3] == 2
    shown = cache.current_dataset()
    assert "syn-ev-1" in set(shown.events["event_id"])
    assert shown.version.endswith("+store.r2")
    row = shown.events.set_index("event_id").loc["syn-ev-1"]
    assert row["actor_label"] == "Blue forces + Red forces" and row["best_reliability"] == "C"


def test_a_store_record_that_fails_a_check_is_left_out_and_listed(mini):
    records = {
        "events": pd.DataFrame([_event(places="no_such_place", sources="synthetic-test-source:6")])
    }
    ds, problems = combine(mini, records, revision=5)
    assert "syn-ev-1" not in set(ds.events["event_id"])
    assert [str(p) for p in problems] == [
        "event 'syn-ev-1', field 'places': place 'no_such_place' is not defined"
    ]


def test_correcting_a_shipped_event_replaces_it_everywhere(mini):
    records = {"events": pd.DataFrame([_event("e1", date="2020-02-04", places="town_b",
                                              sources="synthetic-test-source:6")])}  # fmt: skip
    ds, problems = combine(mini, records, revision=1)
    assert not problems
    assert (ds.events["event_id"] == "e1").sum() == 1
    e1 = ds.events.set_index("event_id").loc["e1"]
    assert e1["location_id"] == "town_b" and str(e1["start"].date()) == "2020-02-04"
    assert len(ds.events) == len(mini.events)
    assert (ds.event_places["event_id"] == "e1").sum() == 1


# --------------------------------------------------------------------------- the form


def test_the_form_writes_dates_at_their_precision_and_checks_like_an_import(mini, store):
    from datetime import date

    from components.data_forms import (
        change_choices,
        check_one,
        event_record,
        first_day,
        history_table,
        new_event_id,
        written_date,
    )

    day = date(2024, 5, 22)
    assert [written_date(day, p) for p in ("day", "week", "month", "quarter", "year")] == [
        "2024-05-22", "2024-W21", "2024-05", "2024-Q2", "2024",
    ]  # fmt: skip
    assert first_day("2024-W21") == date(2024, 5, 20)
    assert new_event_id("2024-05", "joint_patrol", {"ev-2024-05-joint-patrol"}) == (
        "ev-2024-05-joint-patrol-2"
    )
    record = event_record(
        {
            "event_id": "syn-form-1",
            "theatre_id": "syn_a",
            "date_precision": "month",
            "day": day,
            "kind": "joint_patrol",
            "status": "carried_out",
            "actors": [("blue", "patrolling"), ("red", "patrolling")],
            "places": ["gate", "town_a"],
            "description": "SYNTHETIC from the form",
            "sources": [("synthetic-test-source", 3)],
        }
    )
    assert record["date"] == "2024-05" and record["actors"] == "blue:patrolling|red:patrolling"
    assert record["places"] == "gate|town_a" and record["sources"] == "synthetic-test-source:3"
    assert check_one(mini, store.snapshot(), "events", record) == []
    bad = {**record, "places": "nowhere_at_all", "vehicles": "many"}
    problems = check_one(mini, store.snapshot(), "events", bad)
    assert any(p.startswith("vehicles:") for p in problems)
    store.insert("events", record, who="form")
    table = history_table(store.history())
    assert table["What"].iloc[0] == "added event syn-form-1" and table["Who"].iloc[0] == "form"
    choices = change_choices(store.history())
    assert list(choices) == [1] and choices[1].endswith(
        "· form · saved from the form · 1 record(s)"
    )


# --------------------------------------------------------------------------- store down


def test_a_store_that_cannot_be_reached_says_so_refuses_saves_and_recovers(postgres_server):
    """PostgreSQL going down under a running app: reads of the revision and saves raise
    StoreUnavailable (never a raw driver error), the cached layer shows the shipped data
    alone, and the same engine works again once the server is back."""
    from data import cache
    from data.store import UNREACHABLE_SAVE, StoreUnavailable

    server = postgres_server  # the session's: a database of our own, resumed whatever happens
    url = new_database(server.url)
    try:
        store = Store.open(url)
        store.insert("sources", SOURCE, who="alice")
        assert store.revision() == 1 and store.reachable()
        server.pause()
        with pytest.raises(StoreUnavailable, match="cannot be reached"):
            store.revision()
        assert not store.reachable()
        other = {**SOURCE, "source_id": "synthetic-store-test-down"}
        with pytest.raises(StoreUnavailable) as err:
            store.insert("sources", other, who="alice")
        assert str(err.value).startswith(UNREACHABLE_SAVE)
        with pytest.raises(StoreUnavailable):
            store.undo_revision(1, who="alice")
        assert cache.store_revision(url) == 0  # the pages show the shipped data
        server.resume()
        assert store.reachable() and store.revision() == 1  # nothing lost, nothing half-written
        assert store.insert("sources", other, who="alice") == 2
        assert cache.store_revision(url) == 2
        store.engine.dispose()
        cache.load_store(url).engine.dispose()
    finally:
        if server.paused:
            server.resume()


# --------------------------------------------------------------------------- undo by id


def test_undo_revision_undoes_the_change_it_names_and_nothing_else(store):
    first = store.insert("sources", SOURCE, who="alice")
    other = {**SOURCE, "source_id": "synthetic-store-test-2"}
    second = store.insert("sources", other, who="alice")
    store.undo_revision(first, who="alice")  # the older one, named by its id
    assert store.get("sources", SOURCE["source_id"]) is None
    assert store.get("sources", other["source_id"]) is not None  # the newer one stands
    with pytest.raises(StoreError, match=f"change r{first} was already undone \\(by r3\\)"):
        store.undo_revision(first, who="alice")
    with pytest.raises(StoreError, match="There is no change r99"):
        store.undo_revision(99, who="alice")
    with pytest.raises(StoreError, match="numbered from r1"):
        store.undo_revision(0, who="alice")
    assert store.revision() == 3  # the refusals wrote nothing
    assert second == 2


def test_undo_revision_refuses_a_change_undone_in_part(store):
    other = {**SOURCE, "source_id": "synthetic-store-test-2"}
    two = [
        Change("sources", SOURCE["source_id"], "insert", SOURCE),
        Change("sources", other["source_id"], "insert", other),
    ]
    revision = store.apply(two, who="alice")
    one = int(store.history()["audit_id"].iloc[0])
    store.undo(one, who="alice")
    with pytest.raises(StoreError, match="1 of the 2 record\\(s\\) of change r1 were already"):
        store.undo_revision(revision, who="alice")
