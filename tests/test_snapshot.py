"""Citable snapshots: the records hash (stable, changed by one edit), the link and the
citation line, and what changed since a snapshot (added, edited field by field, deleted),
each with its audit-trail entry. SYNTHETIC records only (tests/fixtures.py)."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

from components.cite import diff_summary
from data.filters import EventFilter, filter_events
from data.load import load_dataset_files
from data.records import combine, event_texts
from data.snapshot import (
    SNAP_PARAM,
    audit_since,
    change_rows,
    citation_line,
    revision_of,
    snapshot_diff,
    snapshot_link,
    texts_at,
    view_hash,
)
from data.store import Store
from tests.fixtures import store_event


def _event(eid: str, **kw: str) -> dict[str, str]:
    fields = {"description": "SYNTHETIC event written by the snapshot tests", **kw}
    return store_event(eid, **fields)


def _shown(base, store: Store):
    snap = store.snapshot()
    ds, problems = combine(base, snap.texts(), revision=snap.revision)
    assert not problems
    return ds, snap


def test_hash_is_stable_and_changed_by_one_edit(mini_dir) -> None:
    a = load_dataset_files(mini_dir)
    b = load_dataset_files(mini_dir)  # a reload: new frames, same records
    f = EventFilter()
    h = view_hash(a, filter_events(a, f))
    assert h == view_hash(b, filter_events(b, f))
    assert len(h) == 16 and int(h, 16) >= 0
    # the order rows come in does not matter
    assert h == view_hash(a, filter_events(a, f).iloc[::-1])
    # one field of one record changes it
    texts = event_texts(a)
    edited = texts[texts["event_id"] == "e1"].assign(description="edited once")
    c, problems = combine(a, {"events": edited})
    assert not problems
    assert view_hash(c, filter_events(c, f)) != h
    # another selection, another hash
    assert view_hash(a, filter_events(a, EventFilter(kinds=("convoy_escort",)))) != h


def test_link_and_citation(mini) -> None:
    f = EventFilter(start=date(2020, 1, 1), end=date(2020, 12, 31))
    events = filter_events(mini, f)
    link = snapshot_link(
        "http://localhost:8501/map_explorer",
        {"dates": ["2020-01-01", "2020-12-31"], "snap": "old", "dsv": "old"},
        mini,
        events,
    )
    q = parse_qs(urlsplit(link).query)
    assert q["dates"] == ["2020-01-01", "2020-12-31"]
    assert q["dsv"] == [mini.version]
    assert q[SNAP_PARAM] == [view_hash(mini, events)]
    line = citation_line("Patrols in 2020", mini, f, date(2026, 12, 1), link)
    assert line.startswith(f'PatrolWatch. "Patrols in 2020". {mini.name}, version {mini.version}')
    assert f"records hash {view_hash(mini, events)}" in line
    assert "Accessed 1 December 2026." in line and line.endswith(link)
    assert "1 Jan 2020 – 31 Dec 2020" in line


def test_revision_of() -> None:
    assert revision_of("1.0.0+store.r7") == 7
    assert revision_of("1.0.0") == 0
    assert revision_of("nonsense+store.rx") == 0


def test_diff_lists_an_added_an_edited_and_a_deleted_event(mini, store) -> None:
    # before the snapshot: one event of ours that will be deleted later
    store.insert("events", _event("syn-snap-gone"), who="ana", note="seen in a report")
    ds, snap = _shown(mini, store)
    f = EventFilter(start=date(2020, 1, 1), end=date(2020, 12, 31))
    shown = filter_events(ds, f)
    version, wanted = ds.version, view_hash(ds, shown)
    assert version.endswith("+store.r1")

    # after it: one added, one shipped event corrected, ours deleted
    store.insert("events", _event("syn-snap-new", date="2020-07-01"), who="ben", note="new")
    e1 = event_texts(mini)
    e1 = e1[e1["event_id"] == "e1"].iloc[0].to_dict()
    store.insert(
        "events",
        {**e1, "vehicles": "12", "description": "SYNTHETIC corrected"},
        who="cem",
        note="vehicle count from the second report",
    )
    gone = store.get("events", "syn-snap-gone")
    store.delete(
        "events", "syn-snap-gone", expected_version=int(gone["pw_version"]), who="ana", note="dup"
    )
    now, snap = _shown(mini, store)
    audit = audit_since(store, revision_of(version))
    assert set(audit["revision"]) == {2, 3, 4}

    # the store rolled back to r1 is the store as it was
    then_texts = texts_at(snap.texts(), audit, 1)
    assert then_texts["events"]["event_id"].tolist() == ["syn-snap-gone"]

    diff = snapshot_diff(
        mini, now, snap.texts(), audit, f, version_then=version, hash_wanted=wanted
    )
    assert diff.rebuilt and diff.matches and not diff.unchanged
    assert diff.shown_then == len(shown) and diff.shown_now == len(shown)  # +1 -1
    by_id = {c.event_id: c for c in diff.changes}
    assert set(by_id) == {"syn-snap-new", "e1", "syn-snap-gone"}
    assert by_id["syn-snap-new"].change == "added"
    assert by_id["syn-snap-gone"].change == "deleted"
    edit = by_id["e1"]
    assert edit.change == "edited"
    assert {name: (old, new) for name, old, new in edit.fields} == {
        "vehicles": (e1["vehicles"], "12"),
        "description": (e1["description"], "SYNTHETIC corrected"),
    }
    assert edit.audit[0]["who"] == "cem"
    assert edit.audit[0]["note"] == "vehicle count from the second report"
    assert by_id["syn-snap-gone"].audit[0]["action"] == "delete"
    assert "syn-snap-gone" in set(diff.cited["event_id"])  # the view as it was cited
    assert "syn-snap-new" not in set(diff.cited["event_id"])
    assert len(diff.cited) == len(shown)
    table = change_rows(diff)
    assert len(table) == 4  # two fields of the edit, one row each for the others
    assert table.loc[table["Event"] == "e1", "Audit trail"].iloc[0].startswith("r3 · ")
    summary = diff_summary(diff)
    assert "cited at version 0-synthetic+store.r1" in summary
    assert "1 added, 1 edited, 1 deleted" in summary


def test_diff_of_an_unchanged_view(mini, store) -> None:
    ds, snap = _shown(mini, store)
    f = EventFilter()
    wanted = view_hash(ds, filter_events(ds, f))
    audit = audit_since(store, 0)
    diff = snapshot_diff(
        mini, ds, snap.texts(), audit, f, version_then=ds.version, hash_wanted=wanted
    )
    assert diff.matches and diff.unchanged and diff.changes == ()
    assert diff_summary(diff).endswith("Nothing it shows has changed since.")


def test_diff_says_when_the_shipped_files_changed(mini, store) -> None:
    ds, snap = _shown(mini, store)
    diff = snapshot_diff(
        mini,
        ds,
        snap.texts(),
        audit_since(store, 0),
        EventFilter(),
        version_then="0.0.1-other",
        hash_wanted="0" * 16,
    )
    assert not diff.rebuilt and not diff.matches and diff.changes == ()
    assert "cannot be rebuilt" in diff_summary(diff)
