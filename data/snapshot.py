"""Citable snapshots of a view: a content hash of the records it shows, a link that carries
the filters, the data set version and the hash, a citation line, and — when the link is
opened later — what changed since among the events the view would show.

The data set version (``dsv``, ``data.briefing.dataset_version``) carries the store's
revision (``1.0.0+store.r7``). The view as it was is rebuilt from the store as it is now by
rolling the audit trail (``data.store``'s ``pw_audit``) back to that revision, and joined to
the shipped files the same way the app joins them (``data.records.combine``). Its hash is
checked against the link's, so a reader is told when the rebuilt view is not the one cited
(the shipped files changed too).

Pure: no streamlit. Reads the store only through ``audit_since`` (one query).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import select

from data.briefing import DSV_PARAM, dataset_version, view_link
from data.filters import EventFilter, filter_events
from data.model import DataSet
from data.records import COLUMNS, ID_COLUMN, TABLES, combine, event_texts

#: the URL parameter that carries the hash of the records shown
SNAP_PARAM = "snap"
HASH_CHARS = 16
_REVISION = re.compile(r"\+store\.r(\d+)$")
#: the columns of the cited events' table
CITED_COLUMNS = ["event_id", "date", "kind", "status", "places", "route_id", "description"]
#: fields of an event as the change list names them
FIELD_WORDS = {"date": "date", "end_date": "end date", "places": "places", "sources": "sources"}


# --------------------------------------------------------------------------- the hash


def view_hash(ds: DataSet, events: pd.DataFrame) -> str:
    """A content hash of the records a view shows (16 hex digits): the events' data-
    dictionary text, in event-id order. The same records always give the same hash, on any
    machine; one changed field of one record changes it."""
    digest = hashlib.sha256()
    if len(events):
        texts = event_texts(ds, events).sort_values("event_id", kind="stable")
        # each row as ``record_json`` writes it (keys sorted), built column-wise: one
        # encoder for all rows, no per-row dict of boxed values (``to_dict`` is 10x slower)
        columns = sorted(texts.columns)
        encode = json.JSONEncoder(ensure_ascii=False).encode
        for values in zip(*(texts[c].tolist() for c in columns), strict=True):
            digest.update(encode(dict(zip(columns, values, strict=True))).encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()[:HASH_CHARS]


def revision_of(version: str) -> int:
    """The store revision a data set version was made at ('1.0.0+store.r7' → 7; a version
    with no store part → 0: the store held nothing)."""
    found = _REVISION.search(str(version).strip())
    return int(found.group(1)) if found else 0


def base_version(version: str) -> str:
    """The shipped files' version in a data set version ('1.0.0+store.r7' → '1.0.0')."""
    return _REVISION.sub("", str(version).strip())


def snapshot_link(
    page_url: str,
    params: Mapping[str, Sequence[str] | str],
    ds: DataSet,
    events: pd.DataFrame,
    *,
    window: tuple[object, object] | None = None,
    records_hash: str | None = None,
) -> str:
    """The link that reopens this view as a snapshot: the filters as the URL has them, the
    data set version (``dsv``) and the hash of the records shown (``snap``;
    ``records_hash`` when the caller has :func:`view_hash` of ``events`` already)."""
    kept = {k: v for k, v in params.items() if k not in (SNAP_PARAM, DSV_PARAM)}
    link = view_link(page_url, kept, dataset_version(ds), window=window)  # type: ignore[arg-type]
    return f"{link}&{SNAP_PARAM}={records_hash or view_hash(ds, events)}"


def citation_line(
    title: str,
    ds: DataSet,
    f: EventFilter,
    accessed: date,
    link: str,
    *,
    publisher: str = "PatrolWatch",
) -> str:
    """A citation in the shape ACLED asks its users to cite its data with: who, what, which
    version, the selection, when it was accessed, and where to find it again.

    'PatrolWatch. "Patrols in 2021". Patrol events data set, version 1.0.0+store.r7
    (records hash 3f2a…). Filters: 1 Jan 2021 – 31 Dec 2021 · all actors · all kinds.
    Accessed 1 December 2026. <link>'"""
    hashed = re.search(rf"[?&]{SNAP_PARAM}=([0-9a-f]+)", link)
    records = f" (records hash {hashed.group(1)})" if hashed else ""
    return (
        f'{publisher}. "{title}". {ds.name}, version {dataset_version(ds)}{records}. '
        f"Filters: {f.describe(ds, accessed)}. Accessed {accessed:%-d %B %Y}. {link}"
    )


# --------------------------------------------------------------------------- the audit trail


def audit_since(store: object, revision: int, table: str | None = None) -> pd.DataFrame:
    """The audit trail after ``revision``, newest first (every kind of record, or one):
    audit_id, revision, at, who, action, table_name, record_id, old/new version and values,
    note, undoes. Empty for a store not created yet."""
    from data.store import audit_table

    cols = [c.name for c in audit_table.columns]
    if not store.exists():  # type: ignore[attr-defined]
        return pd.DataFrame(columns=cols)
    query = (
        select(audit_table)
        .where(audit_table.c.revision > int(revision))
        .order_by(audit_table.c.audit_id.desc())
    )
    if table is not None:
        query = query.where(audit_table.c.table_name == table)
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=cols)


def texts_at(
    now: Mapping[str, pd.DataFrame], audit: pd.DataFrame, revision: int
) -> dict[str, pd.DataFrame]:
    """The store's records (text frames per kind, as ``Snapshot.texts()``) as they were at
    ``revision``: every audited write after it undone, newest first."""
    held: dict[str, dict[str, dict[str, str]]] = {}
    for table in TABLES:
        frame = now.get(table)
        rows = [] if frame is None else frame[COLUMNS[table]].astype("str").to_dict("records")
        held[table] = {str(r[ID_COLUMN[table]]): r for r in rows}
    later = audit[audit["revision"] > revision].sort_values("audit_id", ascending=False)
    for row in later.to_dict("records"):
        table, rid = str(row["table_name"]), str(row["record_id"])
        if table not in held:
            continue
        old = row["old_values"]
        if isinstance(old, str) and old:
            values = json.loads(old)
            held[table][rid] = {c: str(values.get(c, "")) for c in COLUMNS[table]}
        else:  # it did not exist before this write
            held[table].pop(rid, None)
    return {
        t: pd.DataFrame(list(held[t].values()), columns=COLUMNS[t]).astype("str") for t in TABLES
    }


def dataset_at(
    base: DataSet, now: Mapping[str, pd.DataFrame], audit: pd.DataFrame, revision: int
) -> DataSet:
    """The data set as it was at store ``revision``: the shipped files plus the store's
    records rolled back to then."""
    then, _ = combine(base, texts_at(now, audit, revision), revision=revision)
    return then


# --------------------------------------------------------------------------- what changed


@dataclass(frozen=True)
class EventChange:
    """One event of the view that changed since the snapshot. ``change`` is 'added',
    'edited' or 'deleted'; ``fields`` are (field, before, after) for an edit; ``moved`` says
    when the edit took it into or out of the view; ``audit`` the audit-trail entries (who,
    when, what, note), newest first."""

    event_id: str
    change: str
    fields: tuple[tuple[str, str, str], ...] = ()
    moved: str = ""
    audit: tuple[dict[str, object], ...] = ()


@dataclass(frozen=True)
class SnapshotDiff:
    """A snapshot link against the data now."""

    version_then: str
    version_now: str
    revision_then: int
    hash_wanted: str
    hash_then: str
    hash_now: str
    shown_then: int
    shown_now: int
    rebuilt: bool
    changes: tuple[EventChange, ...] = field(default_factory=tuple)
    #: the events the view showed then, as text (see ``CITED_COLUMNS``); empty when the view
    #: could not be rebuilt
    cited: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def matches(self) -> bool:
        """The rebuilt view is the one the link cites (same records hash)."""
        return self.hash_then == self.hash_wanted

    @property
    def unchanged(self) -> bool:
        return self.hash_now == self.hash_wanted

    def count(self, change: str) -> int:
        return sum(1 for c in self.changes if c.change == change)


def _texts_by_id(ds: DataSet, ids: set[str]) -> dict[str, dict[str, str]]:
    rows = ds.events[ds.events["event_id"].isin(ids)]
    if rows.empty:
        return {}
    return {str(r["event_id"]): r for r in event_texts(ds, rows).to_dict("records")}


def diff_views(
    then: DataSet, now: DataSet, f: EventFilter, audit: pd.DataFrame
) -> tuple[EventChange, ...]:
    """The events the view ``f`` would show, then or now, that were added, edited or deleted
    in between, each with its audit-trail entries. In event-id order."""
    shown_then = set(filter_events(then, f)["event_id"])
    shown_now = set(filter_events(now, f)["event_id"])
    ids = shown_then | shown_now
    before = _texts_by_id(then, ids)
    after = _texts_by_id(now, ids)
    ev_audit = audit[audit["table_name"] == "events"] if len(audit) else audit
    out = []
    for eid in sorted(ids):
        a, b = before.get(eid), after.get(eid)
        if a is None and b is None:
            continue
        entries = tuple(
            {k: r[k] for k in ("audit_id", "revision", "at", "who", "action", "note")}
            for r in (
                ev_audit[ev_audit["record_id"] == eid].to_dict("records") if len(audit) else []
            )
        )
        if a is None:
            out.append(EventChange(eid, "added", audit=entries))
        elif b is None:
            out.append(EventChange(eid, "deleted", audit=entries))
        elif a != b:
            fields = tuple(
                (FIELD_WORDS.get(k, k.replace("_", " ")), a.get(k, ""), b.get(k, ""))
                for k in COLUMNS["events"]
                if a.get(k, "") != b.get(k, "")
            )
            moved = ""
            if eid in shown_then and eid not in shown_now:
                moved = "no longer shown by this view"
            elif eid not in shown_then and eid in shown_now:
                moved = "now shown by this view"
            out.append(EventChange(eid, "edited", fields, moved, entries))
    return tuple(out)


def snapshot_diff(
    base: DataSet,
    now: DataSet,
    store_texts: Mapping[str, pd.DataFrame],
    audit: pd.DataFrame,
    f: EventFilter,
    *,
    version_then: str,
    hash_wanted: str,
) -> SnapshotDiff:
    """What changed since the snapshot (``version_then``, ``hash_wanted``) among the events
    the view ``f`` shows. ``audit`` is the trail since then (``audit_since``); ``store_texts``
    the store's records now (``Snapshot.texts()``); ``base`` the shipped files."""
    revision = revision_of(version_then)
    rebuilt = base_version(version_then) == base.version
    then = dataset_at(base, store_texts, audit, revision) if rebuilt else now
    shown_then = filter_events(then, f)
    shown_now = filter_events(now, f)
    return SnapshotDiff(
        version_then=version_then,
        version_now=dataset_version(now),
        revision_then=revision,
        hash_wanted=hash_wanted,
        hash_then=view_hash(then, shown_then),
        hash_now=view_hash(now, shown_now),
        shown_then=len(shown_then),
        shown_now=len(shown_now),
        rebuilt=rebuilt,
        changes=diff_views(then, now, f, audit) if rebuilt else (),
        cited=(
            event_texts(then, shown_then)[CITED_COLUMNS].reset_index(drop=True)
            if rebuilt and len(shown_then)
            else pd.DataFrame(columns=CITED_COLUMNS)
        ),
    )


def change_rows(diff: SnapshotDiff) -> pd.DataFrame:
    """The change list as a table: one row per field changed (or per added/deleted event),
    with its audit-trail entry ('r8 · 2026-12-01 09:14 · ana · update · fixed the date')."""
    rows = []
    for c in diff.changes:
        trail = (
            "; ".join(
                f"r{a['revision']} · {a['at']} · {a['who']} · {a['action']}"
                + (f" · {a['note']}" if a["note"] else "")
                for a in c.audit
            )
            or "no store entry (the shipped files changed)"
        )
        if c.change == "edited":
            for name, old, new in c.fields:
                rows.append((c.event_id, "edited", name, old, new, c.moved, trail))
        else:
            rows.append((c.event_id, c.change, "", "", "", "", trail))
    return pd.DataFrame(
        rows, columns=["Event", "Change", "Field", "Before", "After", "In this view", "Audit trail"]
    )
