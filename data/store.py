"""The store: everything an analyst adds, imports or corrects, kept beside the shipped files.

SQLAlchemy Core on an embedded SQLite file by default (``$PATROLWATCH_STORE/store.sqlite``,
``~/.local/share/patrolwatch/store.sqlite`` unless set), or on PostgreSQL when
``PATROLWATCH_DATABASE_URL`` names one, for a team sharing a store. The same code and the
same tests run on both.

Tables (all prefixed ``pw_`` so the store can share a PostgreSQL database):

- one per kind of record (``data.records.TABLES``): the data-dictionary text columns, and
  ``pw_version`` (1 on insert, +1 on each update), ``pw_revision`` (the change that last
  wrote it), ``pw_origin`` (form, import of a file…) and ``pw_hash`` (content hash);
- ``pw_audit``: one row per record written: when, who, what (insert/update/delete), the
  record's previous and new values, the change's revision and note, and for an undo the
  audit row it undoes;
- ``pw_state``: one row holding the store's revision, bumped by every change. The data
  layer keys its cache on it, so a change shows at once.

Every change is one transaction: it all lands or none of it does. An update or delete names
the version it was based on; if the record has moved on since (another session saved
first) the change is refused with a ``ConflictError`` naming the record, who changed it and
when. Every write names who asks for it (a ``data.auth.Identity``) and is refused with an
``AccessDenied`` if their role does not allow it (``data.auth``): the interface hides what a
role may not do, and this is where a forged request stops. A store that cannot be reached
(PostgreSQL down) raises ``StoreUnavailable`` rather than a driver error, and reads of its
revision do too, so the app can say so and show the shipped data alone. SQLite runs in WAL
mode with ``synchronous=FULL``: a change that was confirmed survives a killed server or a
power cut. Pure: no streamlit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)

from data.auth import Identity, local_identity, os_user, undo_refusal, write_refusal
from data.records import COLUMNS, ID_COLUMN, KIND, TABLES, canonical, record_json, row_hashes
from data.settings import store_dir, store_url  # noqa: F401  (the store's settings, re-exported)

SCHEMA_VERSION = 1
#: rows written between two progress reports (and two checks for a cancelled import)
CHUNK = 200

metadata = MetaData()

state_table = Table(
    "pw_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("revision", BigInteger, nullable=False),
    Column("schema_version", Integer, nullable=False),
)

audit_table = Table(
    "pw_audit",
    metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=True),
    Column("revision", BigInteger, nullable=False, index=True),
    Column("at", Text, nullable=False),
    Column("who", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("table_name", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("old_version", Integer),
    Column("new_version", Integer),
    Column("old_values", Text),
    Column("new_values", Text),
    Column("note", Text, nullable=False, server_default=""),
    Column("undoes", Integer, index=True),
    sqlite_autoincrement=True,
)


def _record_table(name: str) -> Table:
    id_col = ID_COLUMN[name]
    return Table(
        f"pw_{name}",
        metadata,
        Column(id_col, Text, primary_key=True),
        *[Column(c, Text, nullable=False, server_default="") for c in COLUMNS[name][1:]],
        Column("pw_version", Integer, nullable=False),
        Column("pw_revision", BigInteger, nullable=False),
        Column("pw_origin", Text, nullable=False, server_default=""),
        Column("pw_hash", Text, nullable=False),
    )


record_tables: dict[str, Table] = {name: _record_table(name) for name in TABLES}

BOOKKEEPING = ["pw_version", "pw_revision", "pw_origin", "pw_hash"]


# --------------------------------------------------------------------------- where it is


def display_url(url: str) -> str:
    """The URL with any password hidden, for the page."""
    return make_url(url).render_as_string(hide_password=True)


def describe_store(store: Store) -> str:
    """'the SQLite file /path/store.sqlite' or 'the PostgreSQL database postgresql://…'."""
    path = store._sqlite_path()
    if path is not None:
        return f"the SQLite file {path}"
    return f"the {store.engine.dialect.name} database {display_url(store.url)}"


def default_user() -> str:
    """Who is at the keyboard as far as the app knows: the OS user."""
    return os_user()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- errors


class StoreError(RuntimeError):
    """A change was refused; nothing of it was written."""


class ConflictError(StoreError):
    """A record changed since the version a change was based on."""


class AccessDenied(StoreError):
    """A change refused because of who asked for it (their role, or not signed in)."""


class StoreUnavailable(StoreError):
    """The store cannot be reached (its database server is down or unreachable)."""


#: what every page says while the store cannot be reached
UNREACHABLE = (
    "The store cannot be reached, so only the shipped data are shown: records added, "
    "imported or corrected here are missing until it is back."
)
#: what a save says while the store cannot be reached
UNREACHABLE_SAVE = (
    "Not saved: the store cannot be reached. Nothing was written and what you typed is "
    "kept; save again when the store is back."
)


def _unreachable(err: DBAPIError) -> StoreUnavailable:
    cause = str(getattr(err, "orig", err) or err).strip().splitlines()
    detail = f" ({cause[0][:200]})" if cause else ""
    return StoreUnavailable(UNREACHABLE_SAVE + detail)


@dataclass(frozen=True)
class Change:
    """One record to write. ``values``: the record's text columns (insert/update).
    ``expected_version``: the version the change was based on (update/delete), 0 for "must
    not exist yet" (insert)."""

    table: str
    record_id: str
    action: str  # insert | update | delete
    values: dict[str, str] | None = None
    expected_version: int = 0


@dataclass(frozen=True)
class Snapshot:
    """Every record in the store at one revision: text frames per kind, with bookkeeping."""

    revision: int
    records: dict[str, pd.DataFrame] = field(default_factory=dict)

    def texts(self) -> dict[str, pd.DataFrame]:
        """The records' data-dictionary columns only (what ``data.records.combine`` takes)."""
        return {t: f[COLUMNS[t]] for t, f in self.records.items()}

    @property
    def n_records(self) -> int:
        return sum(len(f) for f in self.records.values())


# --------------------------------------------------------------------------- engine


def make_engine(url: str) -> Engine:
    """An engine for the store at ``url``. SQLite: WAL journal, synchronous=FULL, a 30 s
    wait for a busy file, and transactions that begin as writers when they will write."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:  # noqa: ANN001
            write = conn.get_execution_options().get("pw_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    # a dead server is found before a pooled connection is used (pre-ping), and an
    # unreachable one within seconds, not a TCP timeout
    connect_args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


class Store:
    """The store at one URL. Holds an engine (a connection pool) and nothing else, so one
    instance may be shared by every session of the server.

    ``signed_in_only``: every write must come from a signed-in ``Identity`` (a team
    deployment with sign-in); otherwise a plain name stands for the one local analyst."""

    def __init__(self, engine: Engine, *, signed_in_only: bool = False) -> None:
        self.engine = engine
        self.signed_in_only = signed_in_only

    @classmethod
    def open(cls, url: str | None = None, *, signed_in_only: bool = False) -> Store:
        """A store on ``url`` (default: ``store_url()``)."""
        return cls(make_engine(url or store_url()), signed_in_only=signed_in_only)

    def identity(self, who: Identity | str) -> Identity:
        """The identity a write is made as. Raises ``AccessDenied`` for anyone not signed
        in when the store takes signed-in writes only."""
        if isinstance(who, str):
            who = local_identity(who)
        if self.signed_in_only and not who.signed_in:
            raise AccessDenied("Nothing was written: sign in to change the store.")
        return who

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def _sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        database = self.engine.url.database or ""
        return Path(database) if database and database != ":memory:" else None

    def exists(self) -> bool:
        """True once the store has been created (its first change was written)."""
        path = self._sqlite_path()
        if path is not None and not path.exists():
            return False
        try:
            with self.engine.connect() as conn:
                conn.execute(select(state_table.c.revision)).first()
            return True
        except (OperationalError, ProgrammingError):
            return False

    def create(self) -> None:
        """Create the store's tables if they are not there yet (idempotent)."""
        path = self._sqlite_path()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        metadata.create_all(self.engine, checkfirst=True)
        with self._writer() as conn, conn.begin():
            if conn.execute(select(state_table.c.id)).first() is None:
                conn.execute(
                    state_table.insert().values(id=1, revision=0, schema_version=SCHEMA_VERSION)
                )

    def _writer(self) -> Connection:
        return self.engine.connect().execution_options(pw_write=True)

    def _reader(self) -> Connection:
        conn = self.engine.connect()
        if not self.is_sqlite:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        return conn

    # ----------------------------------------------------------------------- reading

    def revision(self) -> int:
        """The store's revision: 0 for a store not created yet. One cheap query. Raises
        ``StoreUnavailable`` if the store cannot be reached."""
        path = self._sqlite_path()
        if path is not None and not path.exists():
            return 0
        try:
            conn = self.engine.connect()
        except (OperationalError, InterfaceError) as err:
            raise _unreachable(err) from err
        with conn:
            try:
                value = conn.execute(select(state_table.c.revision)).scalar()
            except ProgrammingError:  # PostgreSQL: not created yet
                return 0
            except OperationalError as err:
                if self.is_sqlite and "no such table" in str(err):
                    return 0
                raise _unreachable(err) from err
        return int(value or 0)

    def reachable(self) -> bool:
        """True if the store answers (an empty, not yet created store does)."""
        try:
            self.revision()
        except StoreUnavailable:
            return False
        return True

    def snapshot(self) -> Snapshot:
        """Every record, read in one transaction (a consistent view at one revision)."""
        if not self.exists():
            return Snapshot(0, {t: _empty_records(t) for t in TABLES})
        with self._reader() as conn, conn.begin():
            revision = int(conn.execute(select(state_table.c.revision)).scalar() or 0)
            records = {}
            for name, table in record_tables.items():
                rows = conn.execute(select(table).order_by(table.c[ID_COLUMN[name]])).all()
                frame = pd.DataFrame(rows, columns=[c.name for c in table.columns])
                frame = frame.astype({c: "str" for c in COLUMNS[name] + ["pw_origin", "pw_hash"]})
                frame = frame.astype({"pw_version": "int64", "pw_revision": "int64"})
                records[name] = frame
        return Snapshot(revision, records)

    def get(self, table: str, record_id: str) -> dict[str, object] | None:
        """One record with its bookkeeping, or None."""
        if not self.exists():
            return None
        t = record_tables[table]
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c[ID_COLUMN[table]] == record_id)).first()
        return dict(row._mapping) if row is not None else None

    def history(self, limit: int = 500, record: tuple[str, str] | None = None) -> pd.DataFrame:
        """The audit trail, newest first: one row per record written, with a one-line
        summary of what changed and, for an undone change, the change that undid it."""
        cols = [c.name for c in audit_table.columns]
        if not self.exists():
            return pd.DataFrame(columns=[*cols, "summary", "undone_by"])
        a = audit_table
        undo = audit_table.alias("undo")
        query = (
            select(a, undo.c.audit_id.label("undone_by"))
            .outerjoin(undo, undo.c.undoes == a.c.audit_id)
            .order_by(a.c.audit_id.desc())
            .limit(limit)
        )
        if record is not None:
            query = query.where(a.c.table_name == record[0], a.c.record_id == record[1])
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        frame = pd.DataFrame(rows, columns=[*cols, "undone_by"])
        frame["summary"] = [
            _summary(act, old, new)
            for act, old, new in zip(
                frame["action"], frame["old_values"], frame["new_values"], strict=True
            )
        ]
        return frame

    # ----------------------------------------------------------------------- writing

    def apply(
        self,
        changes: Sequence[Change],
        *,
        who: Identity | str,
        note: str = "",
        origin: str = "",
        progress: Callable[[float], None] | None = None,
    ) -> int:
        """Write the changes in one transaction and return the new revision. Raises
        ``ConflictError`` (nothing written) if a record moved on since the version a change
        names, or a record to insert exists already; ``AccessDenied`` if ``who`` may not
        write; ``StoreUnavailable`` if the store cannot be reached."""
        actor = self.identity(who)
        refused = write_refusal(actor)
        if refused:
            raise AccessDenied(refused)
        if not changes:
            raise StoreError("there is nothing to write")
        seen = {(c.table, c.record_id) for c in changes}
        if len(seen) != len(changes):
            raise StoreError("a change names the same record twice")
        prepared = _prepare(changes)
        who = actor.name
        try:
            self.create()
            with self._writer() as conn, conn.begin():
                revision = _bump(conn)
                at = _now()
                done = 0
                for chunk in _chunks(prepared, CHUNK):
                    inserts = [c for c in chunk if c[0].action == "insert"]
                    _insert_many(conn, inserts, revision, at, who, note, origin)
                    for change, values, digest in chunk:
                        if change.action != "insert":
                            _write(conn, change, values, digest, revision, at, who, note, origin)
                    done += len(chunk)
                    if progress is not None:
                        progress(done / len(changes))
        except IntegrityError as err:
            raise ConflictError(
                f"Nothing was written: a record to add exists already ({err.orig}). "
                "Someone else saved it meanwhile; look again and retry."
            ) from err
        except (OperationalError, InterfaceError) as err:
            raise _unreachable(err) from err
        return revision

    def insert(
        self, table: str, values: dict[str, str], *, who: Identity | str, note: str = ""
    ) -> int:
        """Add one record (refused if its id exists). Returns the new revision."""
        rid = str(values[ID_COLUMN[table]])
        return self.apply([Change(table, rid, "insert", values)], who=who, note=note, origin="form")

    def update(
        self,
        table: str,
        values: dict[str, str],
        *,
        expected_version: int,
        who: Identity | str,
        note: str = "",
    ) -> int:
        """Change one record, based on ``expected_version``. Returns the new revision."""
        rid = str(values[ID_COLUMN[table]])
        change = Change(table, rid, "update", values, expected_version)
        return self.apply([change], who=who, note=note, origin="form")

    def delete(
        self,
        table: str,
        record_id: str,
        *,
        expected_version: int,
        who: Identity | str,
        note: str = "",
    ) -> int:
        """Remove one record (kept in the audit trail; undoable). Returns the new revision."""
        change = Change(table, record_id, "delete", None, expected_version)
        return self.apply([change], who=who, note=note)

    def undo(self, audit_id: int, *, who: Identity | str) -> int:
        """Undo one record's change (itself recorded as a change). Refused if the record has
        changed since, or the change was already undone; an editor may undo only their own
        changes, an admin anyone's. Returns the new revision."""
        return self._undo(
            lambda conn: _audit_rows(conn, audit_table.c.audit_id == audit_id),
            f"change #{audit_id}",
            who,
        )

    def undo_revision(self, revision: int, *, who: Identity | str) -> int:
        """Undo every record written by change ``revision`` (an import, a saved form) and
        nothing else, newest first, in one transaction. The change is named by its id, as
        the page shows it; refused (nothing written) if there is no such change, if it was
        already undone, wholly or in part, or if a record it wrote has changed since.
        Returns the new revision."""
        if int(revision) < 1:
            raise StoreError(f"There is no change r{revision}: changes are numbered from r1.")

        def rows(conn: Connection) -> list[dict[str, object]]:
            found = _audit_rows(conn, audit_table.c.revision == int(revision))
            _refuse_undone(conn, int(revision), [int(r["audit_id"]) for r in found])
            return found

        return self._undo(rows, f"change r{revision}", who)

    def _undo(self, rows: Callable[[Connection], list], what: str, who: Identity | str) -> int:
        actor = self.identity(who)
        refused = write_refusal(actor)
        if refused:
            raise AccessDenied(refused)
        if not self.reachable():
            raise StoreUnavailable(UNREACHABLE_SAVE)
        if not self.exists():
            raise StoreError(f"There is no {what}: the store is empty.")
        try:
            with self._writer() as conn, conn.begin():
                found = sorted(rows(conn), key=lambda r: int(r["audit_id"]), reverse=True)
                if not found:
                    raise StoreError(f"There is no {what} in the store.")
                refused = undo_refusal(actor, [str(r["who"]) for r in found])
                if refused:
                    raise AccessDenied(refused)
                revision = _bump(conn)
                at = _now()
                for row in found:
                    _undo_one(conn, row, revision, at, actor.name)
        except (OperationalError, InterfaceError) as err:
            raise _unreachable(err) from err
        return revision


# --------------------------------------------------------------------------- internals


def _empty_records(table: str) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in COLUMNS[table]})
    for col in BOOKKEEPING:
        frame[col] = pd.Series([], dtype="int64" if col in ("pw_version", "pw_revision") else "str")
    return frame


def _chunks(items: list, n: int) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _bump(conn: Connection) -> int:
    """Take the write lock and the next revision (the first statement of every change)."""
    conn.execute(state_table.update().values(revision=state_table.c.revision + 1))
    return int(conn.execute(select(state_table.c.revision)).scalar_one())


def _hash(table: str, values: dict[str, str]) -> str:
    return str(row_hashes(table, pd.DataFrame([values])).iloc[0])


def _current(conn: Connection, table: str, record_id: str) -> dict[str, object] | None:
    t = record_tables[table]
    row = conn.execute(select(t).where(t.c[ID_COLUMN[table]] == record_id)).first()
    return dict(row._mapping) if row is not None else None


def _last_change(conn: Connection, table: str, record_id: str) -> str:
    row = conn.execute(
        select(audit_table.c.who, audit_table.c.at, audit_table.c.revision)
        .where(audit_table.c.table_name == table, audit_table.c.record_id == record_id)
        .order_by(audit_table.c.audit_id.desc())
        .limit(1)
    ).first()
    if row is None:
        return ""
    return f" by {row.who} at {row.at} (change r{row.revision})"


def _conflict(conn: Connection, change: Change, current: dict[str, object] | None) -> str:
    kind = KIND[change.table]
    rid = change.record_id
    last = _last_change(conn, change.table, rid)
    if current is None:
        return (
            f"Nothing was written: {kind} '{rid}' was deleted{last}"
            f" after you opened it (version {change.expected_version})."
        )
    if change.action == "insert":
        return (
            f"Nothing was written: {kind} '{rid}' was added{last} since you started; look at "
            "it and edit it instead."
        )
    return (
        f"Nothing was written: {kind} '{rid}' was changed{last}"
        f" since you opened it (you had version {change.expected_version}, it is now version "
        f"{current['pw_version']}). Reload it and make your change again."
    )


def _audit(
    conn: Connection,
    *,
    revision: int,
    at: str,
    who: str,
    action: str,
    table: str,
    record_id: str,
    old: dict[str, object] | None,
    new: dict[str, str] | None,
    note: str,
    undoes: int | None = None,
) -> None:
    def data(values: dict[str, object] | None) -> str | None:
        if values is None:
            return None
        return record_json({c: str(values.get(c, "")) for c in COLUMNS[table]})

    conn.execute(
        audit_table.insert().values(
            revision=revision,
            at=at,
            who=who,
            action=action,
            table_name=table,
            record_id=record_id,
            old_version=None if old is None else int(old["pw_version"]),
            new_version=None if new is None else int(new["pw_version"]),
            old_values=data(old),
            new_values=data(new),
            note=note,
            undoes=undoes,
        )
    )


def _prepare(changes: Sequence[Change]) -> list[tuple[Change, dict[str, str], str]]:
    """Each change with its canonical values and content hash, computed per kind of record
    in one vectorised pass (not a frame per record)."""
    out: dict[int, tuple[Change, dict[str, str], str]] = {}
    for table in {c.table for c in changes}:
        if table not in record_tables:
            raise StoreError(f"unknown kind of record {table!r}")
        idx = [i for i, c in enumerate(changes) if c.table == table]
        rows = [{**(changes[i].values or {}), ID_COLUMN[table]: changes[i].record_id} for i in idx]
        frame = canonical(table, pd.DataFrame(rows))
        hashes = row_hashes(table, frame).tolist()
        for i, values, digest in zip(idx, frame.to_dict("records"), hashes, strict=True):
            given = (changes[i].values or {}).get(ID_COLUMN[table])
            if given is not None and str(given).strip() != changes[i].record_id:
                raise StoreError(f"record id {changes[i].record_id!r} does not match its values")
            out[i] = (changes[i], values, digest)
    return [out[i] for i in range(len(changes))]


def _insert_many(
    conn: Connection,
    items: list[tuple[Change, dict[str, str], str]],
    revision: int,
    at: str,
    who: str,
    note: str,
    origin: str,
) -> None:
    """Insert new records in bulk (one existence check and two multi-row inserts per kind)."""
    for table in {c.table for c, _, _ in items}:
        mine = [(c, v, h) for c, v, h in items if c.table == table]
        t = record_tables[table]
        id_col = t.c[ID_COLUMN[table]]
        ids = [c.record_id for c, _, _ in mine]
        held = conn.execute(select(id_col).where(id_col.in_(ids))).first()
        if held is not None:
            change = next(c for c, _, _ in mine if c.record_id == held[0])
            raise ConflictError(_conflict(conn, change, _current(conn, table, held[0])))
        rows = [
            {**v, "pw_version": 1, "pw_revision": revision, "pw_origin": origin, "pw_hash": h}
            for _, v, h in mine
        ]
        conn.execute(t.insert(), rows)
        conn.execute(
            audit_table.insert(),
            [
                {
                    "revision": revision,
                    "at": at,
                    "who": who,
                    "action": "insert",
                    "table_name": table,
                    "record_id": c.record_id,
                    "old_version": None,
                    "new_version": 1,
                    "old_values": None,
                    "new_values": record_json({k: v[k] for k in COLUMNS[table]}),
                    "note": note,
                    "undoes": None,
                }
                for c, v, _ in mine
            ],
        )


def _write(
    conn: Connection,
    change: Change,
    prepared: dict[str, str],
    digest: str,
    revision: int,
    at: str,
    who: str,
    note: str,
    origin: str,
) -> None:
    """An update or a delete, checked against the version it was based on."""
    if change.table not in record_tables:
        raise StoreError(f"unknown kind of record {change.table!r}")
    t = record_tables[change.table]
    id_col = t.c[ID_COLUMN[change.table]]
    current = _current(conn, change.table, change.record_id)
    if change.action not in ("update", "delete"):
        raise StoreError(f"unknown action {change.action!r}")
    if current is None or int(current["pw_version"]) != change.expected_version:
        raise ConflictError(_conflict(conn, change, current))
    where = (id_col == change.record_id, t.c.pw_version == change.expected_version)
    row = None
    if change.action == "update":
        row = {
            **prepared,
            "pw_version": change.expected_version + 1,
            "pw_revision": revision,
            "pw_origin": origin or str(current["pw_origin"]),
            "pw_hash": digest,
        }
        done = conn.execute(t.update().where(*where).values(**row))
    else:
        done = conn.execute(t.delete().where(*where))
    if done.rowcount != 1:  # someone else wrote it between our read and our write
        raise ConflictError(_conflict(conn, change, _current(conn, change.table, change.record_id)))
    _audit(
        conn,
        revision=revision,
        at=at,
        who=who,
        action=change.action,
        table=change.table,
        record_id=change.record_id,
        old=current,
        new=row,
        note=note,
    )


def _audit_rows(conn: Connection, where: object) -> list[dict[str, object]]:
    rows = conn.execute(select(audit_table).where(where)).all()
    return [dict(r._mapping) for r in rows]


def _refuse_undone(conn: Connection, revision: int, audit_ids: list[int]) -> None:
    """Raise if change ``revision`` (its records' audit rows ``audit_ids``) was undone,
    wholly or in part, naming the change that undid it."""
    if not audit_ids:
        return
    undone = conn.execute(
        select(audit_table.c.undoes, audit_table.c.revision).where(
            audit_table.c.undoes.in_(audit_ids)
        )
    ).all()
    if not undone:
        return
    by = ", ".join(sorted({f"r{int(u.revision)}" for u in undone}))
    if len(undone) == len(audit_ids):
        raise StoreError(f"Nothing was written: change r{revision} was already undone (by {by}).")
    raise StoreError(
        f"Nothing was written: {len(undone)} of the {len(audit_ids)} record(s) of change "
        f"r{revision} were already undone (by {by}); undo the others one record at a time."
    )


def _undo_one(conn: Connection, r: dict[str, object], revision: int, at: str, who: str) -> None:
    """Undo one audited write ``r`` (a pw_audit row) if the record is still as it left it."""
    table, rid, audit_id = str(r["table_name"]), str(r["record_id"]), int(r["audit_id"])
    label = f"{KIND.get(table, table)} '{rid}'"
    undone = conn.execute(
        select(audit_table.c.audit_id, audit_table.c.revision).where(
            audit_table.c.undoes == audit_id
        )
    ).first()
    if undone is not None:
        raise StoreError(
            f"Nothing was written: change #{audit_id} to {label} was already undone by "
            f"change #{undone.audit_id} (r{undone.revision})."
        )
    current = _current(conn, table, rid)
    version = None if current is None else int(current["pw_version"])
    if r["action"] in ("insert", "update") and version != r["new_version"]:
        raise ConflictError(
            f"Nothing was written: {label} has changed since change #{audit_id}"
            f"{_last_change(conn, table, rid)}; undo the later change first."
        )
    if r["action"] == "delete" and current is not None:
        raise ConflictError(
            f"Nothing was written: {label} exists again{_last_change(conn, table, rid)}."
        )
    t = record_tables[table]
    id_col = t.c[ID_COLUMN[table]]
    note = f"undo of change #{audit_id} (r{r['revision']})"
    if r["action"] == "insert":
        conn.execute(t.delete().where(id_col == rid))
        action, row = "delete", None
    else:
        old = json.loads(str(r["old_values"]))
        row = {
            **old,
            "pw_version": (version or int(r["old_version"])) + 1,
            "pw_revision": revision,
            "pw_origin": "undo",
            "pw_hash": _hash(table, old),
        }
        if r["action"] == "update":
            conn.execute(t.update().where(id_col == rid).values(**row))
            action = "update"
        else:
            conn.execute(t.insert().values(**row))
            action = "insert"
    _audit(
        conn,
        revision=revision,
        at=at,
        who=who,
        action=action,
        table=table,
        record_id=rid,
        old=current,
        new=row,
        note=note,
        undoes=audit_id,
    )


def _summary(action: str, old: object, new: object) -> str:
    """'date: 2020-01 → 2020-02; status: announced → carried_out' (or 'added', 'deleted')."""
    before = json.loads(old) if isinstance(old, str) and old else {}
    after = json.loads(new) if isinstance(new, str) and new else {}
    if action == "insert" and not before:
        return "added"
    if action == "delete":
        return "deleted"
    diffs = [
        f"{k}: {_clip(before.get(k, ''))} → {_clip(after.get(k, ''))}"
        for k in after
        if before.get(k, "") != after.get(k, "")
    ]
    if action == "insert":
        return "restored" + (f" ({'; '.join(diffs)})" if diffs else "")
    return "; ".join(diffs) or "no change"


def _clip(value: object, n: int = 40) -> str:
    s = str(value)
    return s if len(s) <= n else s[: n - 1] + "…"


def count_records(store: Store) -> dict[str, int]:
    """How many records of each kind the store holds."""
    if not store.exists():
        return dict.fromkeys(TABLES, 0)
    with store.engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
            for name, t in record_tables.items()
        }
