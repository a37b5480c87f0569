"""The data page's forms and tables: add or correct an event (with a new source if the one
cited is not held yet, and a place or a source from the same tab), the trail of changes
with undo, and the export buttons.

The event's fields are drawn by one function, ``render_event_fields``, used by this page
and by the Reports page's "Edit, then accept". They are pickers a person fills without
grid gestures: actors chosen by name, each with a role; sources chosen by publisher and
title, each with a credibility in the grading scale's words; the date at its precision;
places by any of their spellings.

Pure builders (``event_record``, ``form_problems``, ``explain``, ``change_choices``…) are
unit-tested; ``render_*`` draw and write. Every record goes through the same checks as an
import (``data.records.check_records``), and the grade rules of ``data.checks``, before it
is written; a refusal names the field in words and keeps everything typed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from components.html import md_escape, names_text
from components.sign_in import KEY_WHO, current_identity
from data import vocab
from data.auth import Identity, local_identity
from data.checks import GRADE_RULES, check_grades
from data.dates import written_date
from data.model import DataSet
from data.records import COLUMNS, ID_COLUMN, RecordProblem, check_records, event_texts
from data.store import (
    UNREACHABLE_SAVE,
    Change,
    ConflictError,
    Snapshot,
    Store,
    StoreError,
    default_user,
)

NEW_EVENT = ""
#: the form's fields in the words of their labels (a problem names the field this way)
FIELD_WORDS: dict[str, str] = {
    "event_id": "Event id",
    "theatre_id": "Theatre",
    "date": "Date",
    "date_precision": "Date known to the",
    "end_date": "End date",
    "kind": "Kind",
    "status": "Status",
    "actors": "Actors",
    "places": "Places",
    "route_id": "Route",
    "patrol_number": "Patrol number",
    "number_scheme": "Numbering scheme",
    "vehicles": "Vehicles",
    "distance_km": "Distance (km)",
    "description": "What happened",
    "milestone": "Milestone label",
    "sources": "Sources",
    "new_source": "New source",
}
#: what to do about a field left empty that must not be
MISSING_HINT: dict[str, str] = {
    "description": "say in a sentence what the sources report",
    "sources": "cite at least one source the event is known from",
    "date": "pick the day (any day inside the week, month… it is known to)",
    "theatre_id": "choose the theatre the event belongs to",
    "kind": "choose what kind of event it is",
    "status": "choose whether it was announced, carried out…",
    "publisher": "say who published it",
    "title": "give the report's title or headline",
    "url": "give the link to the report (http…)",
    "language": "give its language as two letters (en, ar, tr, ru…)",
}
SOURCE_WORDS: dict[str, str] = {
    "source_id": "id",
    "publisher": "publisher",
    "title": "title",
    "url": "link",
    "published": "date published",
    "language": "language",
    "kind": "kind",
    "affiliation": "affiliation",
    "reliability": "reliability",
    "reliability_basis": "why that grade",
}
_RULE = re.compile(r"\s*\[([a-z-]+)\]\s*$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


@dataclass(frozen=True)
class FieldProblem:
    """Why a save was refused, at one field of the form: ``field`` is a record column (or
    'new_source'), ``text`` one line naming the field in words."""

    field: str
    text: str


# --------------------------------------------------------------------------- pure


def first_day(written: str) -> date | None:
    """The first day of a written date ('2024-W21' → Monday 20 May 2024), or None."""
    from data.dates import date_window

    start, _ = date_window(pd.Series([written or "x"]))
    value = start.iloc[0]
    return None if pd.isna(value) else value.date()


def new_event_id(written: str, kind: str, taken: set[str]) -> str:
    """'ev-2024-05-22-joint-patrol', with -2, -3… if taken."""
    base = f"ev-{written.lower()}-{kind.replace('_', '-')}"
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def new_source_id(publisher: str, published: str, taken: set[str]) -> str:
    """'north-press-2024-05-22' from the publisher and the date, with -2, -3… if taken."""
    from data.importers.base import slugify

    base = "-".join(p for p in (slugify(publisher).replace("_", "-"), published.strip()) if p)
    base = base or "source"
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}-{n}", n + 1
    return sid


def place_labels(ds: DataSet) -> dict[str, str]:
    """Every place as 'Name — other spellings', so a place can be picked by typing any
    spelling of it (a name given twice gets its id in brackets)."""
    alts = ds.places["alt_names"].map(names_text)  # each isolated: RTL names keep their order
    label = ds.places["name"] + (" — " + alts).where(alts != "", "")
    twice = ds.places["name"].duplicated(keep=False)
    label = label.where(~twice, label + " (" + ds.places["place_id"] + ")")
    return dict(zip(ds.places["place_id"], label, strict=True))


def actor_names(ds: DataSet) -> dict[str, str]:
    """Each actor's name (a name given twice gets its id in brackets)."""
    a = ds.actors
    twice = a["name"].duplicated(keep=False)
    label = a["name"].where(~twice, a["name"] + " (" + a["actor_id"] + ")")
    return dict(zip(a["actor_id"], label, strict=True))


def source_names(ds: DataSet) -> dict[str, str]:
    """Each source as 'Publisher – title, published' (for the picker: type any word)."""
    s = ds.sources
    title = s["title"].str.slice(0, 70)
    when = (", " + s["published"]).where(s["published"] != "", "")
    return dict(zip(s["source_id"], s["publisher"] + " – " + title + when, strict=True))


def reliability_words(grade: str) -> str:
    """'B: usually reliable'."""
    return f"{grade}: {vocab.RELIABILITY.get(grade, 'unknown').lower()}" if grade else ""


def credibility_words(grade: int) -> str:
    """'2: probably true'."""
    return f"{grade}: {vocab.CREDIBILITY[grade].lower()}"


def event_choices(ds: DataSet, snapshot: Snapshot) -> dict[str, str]:
    """Events to pick for correcting, newest first: id → 'date · kind · places [added]'."""
    ev = ds.events.sort_values(["start", "event_id"], ascending=False)
    stored = set(snapshot.records.get("events", pd.DataFrame(columns=["event_id"]))["event_id"])
    mark = ev["event_id"].isin(stored).map({True: " [added or corrected here]", False: ""})
    label = (
        ev["date"]
        + " · "
        + ev["kind"].map(vocab.EVENT_KINDS).fillna(ev["kind"])
        + " · "
        + ev["place_names"].fillna("").str.slice(0, 60)
        + mark
    )
    return {NEW_EVENT: "(a new event)", **dict(zip(ev["event_id"], label, strict=True))}


def form_values(ds: DataSet, snapshot: Snapshot, event_id: str) -> tuple[dict[str, str], int]:
    """The event's text as the form starts from, and the store version it is based on
    (0: not in the store: a new event, or a shipped one being corrected)."""
    stored = snapshot.records.get("events")
    if event_id and stored is not None and event_id in set(stored["event_id"]):
        row = stored[stored["event_id"] == event_id].iloc[0]
        return {c: str(row[c]) for c in COLUMNS["events"]}, int(row["pw_version"])
    if event_id and event_id in set(ds.events["event_id"]):
        text = event_texts(ds, ds.events[ds.events["event_id"] == event_id]).iloc[0]
        return {c: str(text[c]) for c in COLUMNS["events"]}, 0
    return {c: "" for c in COLUMNS["events"]}, 0


def actor_pairs(text: str) -> list[tuple[str, str]]:
    """'russia:patrolling|turkey:patrolling' → [('russia', 'patrolling'), …]."""
    return [
        (a.strip(), r.strip()) for a, r in (p.split(":", 1) for p in text.split("|") if ":" in p)
    ]


def source_pairs(text: str) -> list[tuple[str, int | None]]:
    """'tass-1:2|sohr-3:3' → [('tass-1', 2), ('sohr-3', 3)] (None: no credibility given)."""
    out: list[tuple[str, int | None]] = []
    for part in (p.strip() for p in text.split("|")):
        if not part:
            continue
        sid, _, cred = part.rpartition(":") if ":" in part else (part, "", "")
        out.append((sid.strip(), int(cred) if cred.strip().isdigit() else None))
    return out


def event_record(values: Mapping[str, object]) -> dict[str, str]:
    """The event's record text from the form's values: ``actors`` as (actor id, role)
    pairs, ``sources`` as (source id, credibility) pairs (a pair with its role or grade
    missing is left out: ``form_problems`` names it), ``date``/``end_date`` written at the
    precision."""
    precision = str(values.get("date_precision") or "day")
    day = values.get("day")
    end = values.get("end_day")
    actors = [(a, r) for a, r in values.get("actors") or [] if a and r]  # type: ignore[union-attr]
    sources = [(s, c) for s, c in values.get("sources") or [] if s and c]  # type: ignore[union-attr]
    return {
        "event_id": str(values.get("event_id") or "").strip(),
        "theatre_id": str(values.get("theatre_id") or ""),
        "date": written_date(day, precision) if isinstance(day, date) else "",
        "date_precision": precision,
        "end_date": written_date(end, precision) if isinstance(end, date) else "",
        "kind": str(values.get("kind") or ""),
        "status": str(values.get("status") or ""),
        "actors": "|".join(f"{a}:{r}" for a, r in actors),
        "places": "|".join(str(p) for p in values.get("places") or []),  # type: ignore[union-attr]
        "route_id": str(values.get("route_id") or ""),
        "patrol_number": str(values.get("patrol_number") or "").strip(),
        "number_scheme": str(values.get("number_scheme") or "").strip(),
        "vehicles": str(values.get("vehicles") or "").strip(),
        "distance_km": str(values.get("distance_km") or "").strip(),
        "description": str(values.get("description") or "").strip(),
        "milestone": str(values.get("milestone") or "").strip(),
        "sources": "|".join(f"{s}:{int(c)}" for s, c in sources),
    }


def source_record(values: Mapping[str, str], taken: set[str]) -> dict[str, str]:
    """A new source's record from the form's fields (its id made from publisher and date
    unless given)."""
    record = {c: str(values.get(c) or "").strip() for c in COLUMNS["sources"]}
    record["language"] = record["language"].lower()
    record["source_id"] = record["source_id"].lower() or new_source_id(
        record["publisher"], record["published"], taken
    )
    return record


def form_problems(
    values: Mapping[str, object],
    actors: Mapping[str, str],
    sources: Mapping[str, str],
) -> list[FieldProblem]:
    """What the form's own fields lack, in words, one line each, before any check of the
    record (``actors``/``sources``: id → name, to name the one at fault)."""
    out: list[FieldProblem] = []
    for aid, role in values.get("actors") or []:  # type: ignore[union-attr]
        if not role:
            out.append(
                FieldProblem(
                    "actors",
                    f"Actor {actors.get(aid, aid)}: role is missing — choose what it did in "
                    "the event (patrolling, escort, target…)",
                )
            )
    cited = list(values.get("sources") or [])  # type: ignore[arg-type]
    if not cited:
        out.append(FieldProblem("sources", "Sources: none chosen — " + MISSING_HINT["sources"]))
    for n, (sid, cred) in enumerate(cited, start=1):
        if not cred:
            name = sources.get(sid, "the new source" if sid == NEW_SOURCE else sid)
            out.append(
                FieldProblem(
                    "sources",
                    f"Source {n} ({_clip(name)}): credibility is missing — choose how far "
                    "the report is confirmed (1 confirmed by other sources … 6 cannot be "
                    "judged)",
                )
            )
    new = values.get("new_source")
    if isinstance(new, Mapping):
        for field in ("publisher", "title", "url"):
            if not str(new.get(field) or "").strip():
                out.append(
                    FieldProblem(
                        "new_source",
                        f"New source, {SOURCE_WORDS[field]}: is missing — {MISSING_HINT[field]}",
                    )
                )
    day, end = values.get("day"), values.get("end_day")
    if not isinstance(day, date):
        out.append(FieldProblem("date", "Date: is missing — " + MISSING_HINT["date"]))
    elif isinstance(end, date) and end < day:
        out.append(
            FieldProblem(
                "end_date",
                f"End date: {end:%d %b %Y} is before the date ({day:%d %b %Y}) — an event "
                "ends on or after the day it starts",
            )
        )
    distance = str(values.get("distance_km") or "").strip()
    if distance and not _NUMBER.match(distance):
        out.append(
            FieldProblem(
                "distance_km",
                f"Distance (km): '{_clip(distance)}' is not a number of kilometres — "
                "write it as 42 or 42.5, or leave it blank",
            )
        )
    vehicles = str(values.get("vehicles") or "").strip()
    if vehicles and not vehicles.isdigit():
        out.append(
            FieldProblem(
                "vehicles",
                f"Vehicles: '{_clip(vehicles)}' is not a whole number — write how many "
                "vehicles (e.g. 8), or leave it blank",
            )
        )
    if not str(values.get("description") or "").strip():
        out.append(
            FieldProblem(
                "description", "What happened: is missing — " + MISSING_HINT["description"]
            )
        )
    return out


#: the id the form gives a new source until it is saved
NEW_SOURCE = "(new source)"


def _words(problem: str, field: str, hint_field: str) -> str:
    """A checker's problem text as a person reads it: 'is missing — what to do' for an
    empty field, and a broken grade rule explained."""
    if problem.strip() == "must not be empty":
        hint = MISSING_HINT.get(hint_field)
        return "is missing" + (f" — {hint}" if hint else "")
    rule = _RULE.search(problem)
    if rule and rule.group(1) in GRADE_RULES:
        name = rule.group(1)
        return f"{problem[: rule.start()]} — refused by the rule “{name}”: {GRADE_RULES[name]}"
    return problem


def explain(problems: Sequence[RecordProblem]) -> list[FieldProblem]:
    """The checks' problems (``data.records.check_records``, the grade rules) at the form's
    fields, in words: 'Vehicles: 'many' is not a whole number', 'New source, link: …'."""
    out: list[FieldProblem] = []
    for p in problems:
        field = p.field or ""
        if p.table == "sources":
            words = "New source" + (f", {SOURCE_WORDS.get(field, field)}" if field else "")
            out.append(FieldProblem("new_source", f"{words}: {_words(p.problem, field, field)}"))
            continue
        words = FIELD_WORDS.get(field, field.replace("_", " ") or "The event")
        where = field if field in FIELD_WORDS else "record"
        out.append(FieldProblem(where, f"{words}: {_words(p.problem, field, field)}"))
    return out


def grade_problems(
    ds: DataSet, record: dict[str, str], new_source: dict[str, str] | None = None
) -> list[RecordProblem]:
    """The grade rules of ``data.checks`` (confirmed-needs-two, unjudged-not-probable…)
    applied to one event's citations, as for the shipped files."""
    pairs = [(s, c) for s, c in source_pairs(record["sources"]) if c is not None]
    if not pairs:
        return []
    citations = pd.DataFrame(
        {
            "file": "form",
            "row": 0,
            "record_type": "event",
            "record_id": record["event_id"],
            "source_id": [s for s, _ in pairs],
            "credibility": [int(c) for _, c in pairs],
        }
    )
    sources = ds.sources[["source_id", "publisher", "reliability"]]
    if new_source is not None:
        sources = pd.concat(
            [sources, pd.DataFrame([{k: new_source[k] for k in sources.columns}])],
            ignore_index=True,
        )

    def none(cols: list[str], dates: tuple[str, ...] = ()) -> pd.DataFrame:
        frame = pd.DataFrame({c: pd.Series([], dtype="object") for c in cols})
        return frame.astype(dict.fromkeys(dates, "datetime64[ns]"))

    found = check_grades(
        citations,
        sources,
        none(["event_id", "theatre_id", "kind", "start", "end", "route_id"], ("start", "end")),
        none(["event_id", "actor_id"]),
        none(["event_id", "place_id"]),
        none(
            ["count_id", "qualifier", "theatre_id", "event_kind", "period_start", "period_end"]
            + ["route_ids", "note"],
            ("period_start", "period_end"),
        ),
        none(["conflict_id", "subject_type", "subject_id"]),
    )
    return [RecordProblem("events", record["event_id"], p.field, p.problem) for p in found]


def check_event(
    base: DataSet,
    ds: DataSet,
    snapshot: Snapshot,
    record: dict[str, str],
    new_source: dict[str, str] | None = None,
) -> list[RecordProblem]:
    """Problems of the event (and the new source it cites) beside everything held: the
    same checks as an import, and the grade rules."""
    records = {"events": [record], **({"sources": [new_source]} if new_source else {})}
    found = check_many(base, snapshot, records)
    return found or grade_problems(ds, record, new_source)


def check_many(
    base: DataSet, snapshot: Snapshot, records: Mapping[str, list[dict[str, str]]]
) -> list[RecordProblem]:
    """Problems of these records beside everything held (the same checks as an import)."""
    merged = snapshot.texts()
    for table, rows in records.items():
        id_col = ID_COLUMN[table]
        ids = {r[id_col] for r in rows}
        held = merged.get(table, pd.DataFrame(columns=COLUMNS[table]))
        held = held[~held[id_col].isin(ids)]
        merged[table] = pd.concat([held, pd.DataFrame(rows)], ignore_index=True)
    mine = {(t, r[ID_COLUMN[t]]) for t, rows in records.items() for r in rows}
    return [p for p in check_records(base, merged) if (p.table, p.record_id) in mine]


def check_one(base: DataSet, snapshot: Snapshot, table: str, values: dict[str, str]) -> list[str]:
    """Problems of one record beside everything held, as 'field: reason' lines (the same
    checks as an import and as the shipped files)."""
    problems = check_many(base, snapshot, {table: [values]})
    return [f"{p.field or 'record'}: {p.problem}" for p in problems]


def saved_message(record: dict[str, str], revision: int, *, is_new: bool, source: str = "") -> str:
    """'Saved event ev-… (a new event: Joint patrol, 2024-05-22; change r12) …'."""
    kind = vocab.EVENT_KINDS.get(record["kind"], record["kind"])
    what = "a new event" if is_new else "a correction"
    also = f" with the new source {source}" if source else ""
    return (
        f"Saved event {record['event_id']} ({what}: {kind}, {record['date']}){also} as "
        f"change r{revision}. The form is cleared for the next event; find it under "
        "Changes and undo, or pick it in Event to correct it."
    )


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """The audit trail as people read it, newest first."""
    h = history
    what = h["action"].map({"insert": "added", "update": "changed", "delete": "deleted"})
    return pd.DataFrame(
        {
            "Change": "r" + h["revision"].astype("str"),
            "#": h["audit_id"],
            "When (UTC)": h["at"].str.replace("T", " ").str.rstrip("Z"),
            "Who": h["who"],
            "What": what + " " + h["table_name"].str.rstrip("s") + " " + h["record_id"],
            "Details": h["summary"],
            "Note": h["note"],
            "Undone by": h["undone_by"].map(lambda v: "" if pd.isna(v) else f"#{int(v)}"),
        }
    )


def change_choices(history: pd.DataFrame, who: Identity | None = None) -> dict[int, str]:
    """Changes (revisions) that can still be undone (by ``who``: an editor undoes only
    their own changes, an admin anyone's), newest first: revision → label."""
    if history.empty:
        return {}
    undone = set(history.loc[history["undone_by"].notna(), "revision"])
    open_ = history[~history["revision"].isin(undone)]
    if who is not None and not who.is_admin:
        others = history.loc[history["who"] != who.name, "revision"]
        open_ = open_[~open_["revision"].isin(others)]
    grouped = open_.groupby("revision", sort=False).agg(
        at=("at", "first"), who=("who", "first"), note=("note", "first"), n=("audit_id", "size")
    )
    grouped = grouped.sort_index(ascending=False)
    return {
        int(rev): f"r{rev} · {str(g['at'])[:16].replace('T', ' ')} · {g['who']} · "
        f"{g['note'] or 'saved from the form'} · {g['n']} record(s)"
        for rev, g in grouped.iterrows()
    }


def refused_records(ds: DataSet) -> pd.DataFrame:
    """Records in the store the app cannot show (they fail a check beside the shipped
    data, e.g. after the shipped files changed), as a table."""
    rows = json.loads(ds.meta.get("store_refused", "[]"))
    return pd.DataFrame(rows, columns=["Kind", "Id", "Field", "Problem"])


def _clip(value: str, n: int = 60) -> str:
    return value if len(value) <= n else value[: n - 1] + "…"


# --------------------------------------------------------------------------- rendering

#: the session key of the form's generation: bumped after a save, so every field of the
#: next form is drawn fresh (new keys) and nothing of the saved event is left in it
FORM_GENERATION = "data_form_generation"


def render_who() -> Identity:
    """Who is making changes (recorded with each): the signed-in person, or without sign-in
    the name typed in the box (the OS user unless changed)."""
    who = current_identity()
    if who is not None and who.signed_in:
        if who.can_write:
            st.caption(md_escape(f"Your changes are recorded as {who.name}."))
        else:
            st.caption(
                md_escape(
                    f"You are signed in as {who.name}, a reader: you can see, filter and "
                    "export everything, and the trail of changes, but not change the store."
                )
            )
        return who
    name = st.text_input(
        "Your name (recorded with every change you make)",
        value=default_user(),
        key=KEY_WHO,
        max_chars=80,
    )
    return local_identity(name.strip() or default_user())


def _opened(event_id: str, values: dict[str, str], version: int) -> tuple[dict[str, str], int]:
    """The event's text and version when it was opened in the form (kept while it stays
    open), so that a save after someone else's is refused rather than overwriting it, and
    what was typed stays in the form when a save is refused (a conflict, the store down)."""
    opened = st.session_state.get("data_edit_opened")
    if not opened or opened[0] != event_id:
        st.session_state["data_edit_opened"] = (event_id, version, dict(values))
        return values, version
    return dict(opened[2]), int(opened[1])


def _index(options: Sequence[object], value: object, default: int | None = 0) -> int | None:
    return options.index(value) if value in options else default


def render_event_fields(
    ds: DataSet,
    values: dict[str, str],
    k: str,
    *,
    with_id: bool = True,
    id_locked: bool = False,
    with_sources: bool = True,
) -> tuple[dict[str, object], dict[str, object]]:
    """Draw the event's fields, prefilled from ``values`` (an event's record text), with
    widget keys under ``k``. Returns the form's values (for ``event_record`` and
    ``form_problems``) and, per field, the slot where its problems are shown
    (``render_problems``). Used by the Data page and by the Reports page's edit form."""
    got: dict[str, object] = {}
    slots: dict[str, object] = {"record": st.container()}
    c1, c2, c3 = st.columns(3)
    if with_id:
        got["event_id"] = c1.text_input(
            "Event id",
            values["event_id"],
            disabled=id_locked,
            key=f"{k}_id",
            help="Left blank, one is made from the date and kind.",
        )
        slots["event_id"] = c1.container()
    else:
        got["event_id"] = values["event_id"]
    theatres = ds.theatres["theatre_id"].tolist()
    tnames = dict(zip(ds.theatres["theatre_id"], ds.theatres["name"], strict=True))
    got["theatre_id"] = c2.selectbox(
        "Theatre",
        theatres,
        index=_index(theatres, values["theatre_id"]),
        format_func=tnames.get,
        key=f"{k}_th",
    )
    slots["theatre_id"] = c2.container()
    precisions = list(vocab.DATE_PRECISIONS)
    precision = c3.selectbox(
        "Date known to the",
        precisions,
        index=_index(precisions, values["date_precision"] or "day"),
        key=f"{k}_prec",
        help="A date known to the week, month… is kept as that (2024-W21, 2024-05).",
    )
    got["date_precision"] = precision
    d1, d2 = st.columns(2)
    day = d1.date_input(
        "Date (any day inside the week, month… it is known to)",
        first_day(values["date"]),
        key=f"{k}_day",
        min_value=date(1945, 1, 1),
        max_value=date(2100, 1, 1),
    )
    slots["date"] = d1.container()
    end = d2.date_input(
        "End date (blank if it lasted a day, or is not known)",
        first_day(values["end_date"]),
        key=f"{k}_end",
        min_value=date(1945, 1, 1),
        max_value=date(2100, 1, 1),
    )
    slots["end_date"] = d2.container()
    got["day"], got["end_day"] = day, end
    if isinstance(day, date):
        written = written_date(day, str(precision))
        until = f" to {written_date(end, str(precision))}" if isinstance(end, date) else ""
        d1.caption(md_escape(f"Kept as {written}{until} (known to the {precision})."))
    e1, e2, e3 = st.columns(3)
    kinds, statuses = list(vocab.EVENT_KINDS), list(vocab.EVENT_STATUSES)
    got["kind"] = e1.selectbox(
        "Kind",
        kinds,
        index=_index(kinds, values["kind"]),
        format_func=vocab.EVENT_KINDS.get,
        key=f"{k}_kind",
    )
    slots["kind"] = e1.container()
    got["status"] = e2.selectbox(
        "Status",
        statuses,
        index=_index(statuses, values["status"], 1),
        format_func=vocab.EVENT_STATUSES.get,
        key=f"{k}_status",
    )
    slots["status"] = e2.container()
    routes = ["", *ds.routes["route_id"]]
    rnames = dict(zip(ds.routes["route_id"], ds.routes["name"], strict=True))
    got["route_id"] = e3.selectbox(
        "Route",
        routes,
        index=_index(routes, values["route_id"]),
        format_func=lambda r: rnames.get(r, "— none"),
        key=f"{k}_route",
    )
    slots["route_id"] = e3.container()
    plabels = place_labels(ds)
    got["places"] = st.multiselect(
        "Places, in the order passed (type any spelling: Arabic, Kurdish, Turkish…)",
        list(plabels),
        default=[p for p in values["places"].split("|") if p in plabels],
        format_func=plabels.get,
        key=f"{k}_places",
        placeholder="Type a place's name in any spelling",
    )
    slots["places"] = st.container()
    got["actors"] = _render_actors(ds, values["actors"], k)
    slots["actors"] = st.container()
    f1, f2, f3, f4 = st.columns(4)
    got["patrol_number"] = f1.text_input("Patrol number", values["patrol_number"], key=f"{k}_pn")
    slots["patrol_number"] = f1.container()
    got["number_scheme"] = f2.text_input("Numbering scheme", values["number_scheme"], key=f"{k}_ns")
    slots["number_scheme"] = f2.container()
    got["vehicles"] = f3.text_input("Vehicles", values["vehicles"], key=f"{k}_veh")
    slots["vehicles"] = f3.container()
    got["distance_km"] = f4.text_input("Distance (km)", values["distance_km"], key=f"{k}_dist")
    slots["distance_km"] = f4.container()
    got["description"] = st.text_area(
        "What happened, as the sources say it", values["description"], key=f"{k}_desc"
    )
    slots["description"] = st.container()
    got["milestone"] = st.text_input(
        "Milestone label (for timelines; blank unless the event is one)",
        values["milestone"],
        key=f"{k}_ms",
    )
    slots["milestone"] = st.container()
    if with_sources:
        got["sources"], got["new_source"] = _render_sources(ds, values["sources"], k)
        slots["sources"] = st.container()
        slots["new_source"] = slots["sources"]
    return got, slots


def _render_actors(ds: DataSet, text: str, k: str) -> list[tuple[str, str]]:
    """Actors picked by name, then a role for each."""
    names = actor_names(ds)
    held = dict(actor_pairs(text))
    chosen = st.multiselect(
        "Actors (type a name)",
        list(names),
        default=[a for a in held if a in names],
        format_func=names.get,
        key=f"{k}_actors",
        placeholder="Choose the forces or organisations taking part",
    )
    roles = list(vocab.ROLES)
    pairs: list[tuple[str, str]] = []
    for row in range(0, len(chosen), 3):
        cols = st.columns(3)
        for col, aid in zip(cols, chosen[row : row + 3], strict=False):
            role = col.selectbox(
                f"Role of {names[aid]}",
                roles,
                index=_index(roles, held.get(aid), None),
                format_func=vocab.ROLES.get,
                key=f"{k}_role_{aid}",
                placeholder="Choose a role",
            )
            pairs.append((aid, role or ""))
    return pairs


def _render_sources(
    ds: DataSet, text: str, k: str
) -> tuple[list[tuple[str, int | None]], dict[str, str] | None]:
    """Sources picked by publisher and title, each with the credibility of this claim; and
    a new source, with its fields, if the one to cite is not held yet."""
    names = source_names(ds)
    reliability = dict(zip(ds.sources["source_id"], ds.sources["reliability"], strict=True))
    held = dict(source_pairs(text))
    grades = list(vocab.CREDIBILITY)
    chosen = st.multiselect(
        "Sources (type a publisher or a word of the title)",
        list(names),
        default=[s for s in held if s in names],
        format_func=names.get,
        key=f"{k}_sources",
        placeholder="Choose the reports the event is known from",
        help="Reliability (A–F) is the source's grade; credibility (1–6) is this claim's.",
    )
    pairs: list[tuple[str, int | None]] = []
    for n, sid in enumerate(chosen, start=1):
        s1, s2 = st.columns([3, 2], vertical_alignment="bottom")
        s1.markdown(
            md_escape(f"Source {n}: {_clip(names[sid], 90)}")
            + f"  \nreliability {md_escape(reliability_words(reliability.get(sid, '')))}"
        )
        cred = s2.selectbox(
            f"Credibility of this claim (source {n})",
            grades,
            index=_index(grades, held.get(sid), None),
            format_func=credibility_words,
            key=f"{k}_cred_{sid}",
            placeholder="How far is it confirmed?",
        )
        pairs.append((sid, cred))
    new = None
    if st.toggle("Cite a source that is not in the list yet", key=f"{k}_newsrc"):
        with st.container(border=True):
            n1, n2 = st.columns(2)
            new = {
                "publisher": n1.text_input("Publisher", key=f"{k}_ns_pub"),
                "title": n2.text_input("Title", key=f"{k}_ns_title"),
            }
            n3, n4, n5 = st.columns([3, 2, 1])
            new["url"] = n3.text_input("Link (http…)", key=f"{k}_ns_url")
            new["published"] = n4.text_input(
                "Published (YYYY-MM-DD, YYYY-MM or YYYY)", key=f"{k}_ns_date"
            )
            new["language"] = n5.text_input("Language", "en", max_chars=2, key=f"{k}_ns_lang")
            n6, n7, n8 = st.columns(3)
            new["kind"] = n6.selectbox(
                "Kind of source",
                list(vocab.SOURCE_KINDS),
                format_func=vocab.SOURCE_KINDS.get,
                key=f"{k}_ns_kind",
            )
            affiliations = list(vocab.AFFILIATIONS)
            new["affiliation"] = n7.selectbox(
                "Affiliation",
                affiliations,
                format_func=vocab.AFFILIATIONS.get,
                index=_index(affiliations, "unknown"),
                key=f"{k}_ns_aff",
            )
            new["reliability"] = n8.selectbox(
                "Reliability of the source",
                list(vocab.RELIABILITY),
                format_func=reliability_words,
                index=5,
                key=f"{k}_ns_rel",
            )
            new["reliability_basis"] = st.text_input("Why that grade", key=f"{k}_ns_basis")
            cred = st.selectbox(
                f"Credibility of this claim (source {len(chosen) + 1}, the new one)",
                grades,
                index=None,
                format_func=credibility_words,
                key=f"{k}_cred_new",
                placeholder="How far is it confirmed?",
            )
            pairs.append((NEW_SOURCE, cred))
    return pairs, new


def render_problems(slots: Mapping[str, object], problems: Sequence[FieldProblem]) -> None:
    """Each problem at its field, one line each."""
    for p in problems:
        slot = slots.get(p.field) or slots["record"]
        slot.error(md_escape(p.text))  # type: ignore[attr-defined]


def render_event_form(
    ds: DataSet, base: DataSet, snapshot: Snapshot, store: Store, who: Identity
) -> None:
    """Add an event or correct one (a shipped event's correction is kept in the store and
    replaces it on every page; undo it to get the shipped one back)."""
    _event_form(ds, base, snapshot, store, who)
    c1, c2 = st.columns(2)
    with c1, st.expander("Add a place"):
        render_place_form(ds, base, snapshot, store, who)
    with c2, st.expander("Add a source (without an event)"):
        render_source_form(base, snapshot, store, who)


@st.fragment
def _event_form(
    ds: DataSet, base: DataSet, snapshot: Snapshot, store: Store, who: Identity
) -> None:
    """The event form, a fragment: picking an actor or a source redraws the form alone."""
    generation = int(st.session_state.get(FORM_GENERATION, 0))
    flash = st.session_state.pop("data_form_flash", None)
    if flash:
        st.success(md_escape(flash))
    choices = event_choices(ds, snapshot)
    event_id = st.selectbox(
        "Event",
        list(choices),
        format_func=choices.get,
        key=f"data_edit_event_{generation}",
        help="Type to search by date, kind or place; (a new event) to add one.",
    )
    values, version = _opened(event_id, *form_values(ds, snapshot, event_id))
    k = f"data_form_{generation}_{event_id or 'new'}_{version}"
    with st.container(border=True):
        got, slots = render_event_fields(ds, values, k, id_locked=bool(event_id))
        problems: list[FieldProblem] = st.session_state.get(f"{k}_problems", [])
        b1, b2 = st.columns([1, 4], vertical_alignment="center")
        saved = b1.button("Save event", type="primary", key=f"{k}_save")
        message = b2.empty()
        if saved:
            problems = _save_event(ds, base, snapshot, store, who, got, version, event_id, message)
            st.session_state[f"{k}_problems"] = problems
        render_problems(slots, problems)
        if problems:
            message.error(
                f"Not saved: {len(problems)} thing(s) to put right, each said at its field. "
                "Nothing you typed is lost."
            )
    if event_id and version:
        with st.expander("Delete this event"):
            st.caption("Deleting keeps it in the trail of changes; you can undo it there.")
            if st.button("Delete", key=f"{k}_delete"):
                try:
                    revision = store.delete("events", event_id, expected_version=version, who=who)
                except (ConflictError, StoreError) as err:
                    st.error(md_escape(str(err)))
                else:
                    _cleared(f"Deleted {event_id} (change r{revision}).")


def _cleared(flash: str) -> None:
    """After a save: a fresh form (new widget keys), the message, a full rerun."""
    st.session_state[FORM_GENERATION] = int(st.session_state.get(FORM_GENERATION, 0)) + 1
    st.session_state["data_form_flash"] = flash
    st.session_state.pop("data_edit_opened", None)
    for key in [k for k in st.session_state if str(k).endswith("_problems")]:
        del st.session_state[key]
    st.rerun()


def _save_event(
    ds: DataSet,
    base: DataSet,
    snapshot: Snapshot,
    store: Store,
    who: Identity,
    got: dict[str, object],
    version: int,
    event_id: str,
    message: object,
) -> list[FieldProblem]:
    """Check and write the event (and its new source); the problems, if refused."""
    if not store.reachable():
        message.error(UNREACHABLE_SAVE)  # type: ignore[attr-defined]
        return []
    new = got.get("new_source")
    source = source_record(new, set(ds.sources["source_id"])) if isinstance(new, dict) else None
    if source is not None:
        got["sources"] = [
            (source["source_id"] if s == NEW_SOURCE else s, c)
            for s, c in got["sources"]  # type: ignore[union-attr]
        ]
    names = source_names(ds)
    if source is not None:
        names[source["source_id"]] = "the new source"
    problems = form_problems(got, actor_names(ds), names)
    record = event_record(got)
    if not record["event_id"] and record["date"]:
        record["event_id"] = new_event_id(
            record["date"], record["kind"], set(ds.events["event_id"])
        )
    if not problems:
        problems = explain(check_event(base, ds, snapshot, record, source))
        if not event_id and record["event_id"] in set(base.events["event_id"]):
            problems.insert(
                0, FieldProblem("event_id", "Event id: a shipped event has this id — give another")
            )
    if problems:
        return problems
    changes = [Change("sources", source["source_id"], "insert", source)] if source else []
    action = "update" if version else "insert"
    changes.append(Change("events", record["event_id"], action, record, version))
    try:
        revision = store.apply(changes, who=who, origin="form")
    except (ConflictError, StoreError) as err:
        message.error(md_escape(str(err)))  # type: ignore[attr-defined]
        return []
    _cleared(
        saved_message(
            record,
            revision,
            is_new=not event_id,
            source=source["source_id"] if source else "",
        )
    )
    return []


def _save(
    base: DataSet,
    snapshot: Snapshot,
    store: Store,
    who: Identity,
    table: str,
    record: dict[str, str],
    version: int,
    *,
    is_new: bool,
) -> bool:
    """Write a place or a source from its own form."""
    if not store.reachable():
        st.error(UNREACHABLE_SAVE)
        return False
    problems = check_many(base, snapshot, {table: [record]})
    if problems:
        for p in problems:
            field = SOURCE_WORDS.get(p.field or "", p.field or "record").replace("_", " ")
            words = _words(p.problem, p.field or "", p.field or "")
            st.error(md_escape(f"Not saved: {KIND_WORDS[table]}, {field}: {words}"))
        return False
    try:
        if version:
            revision = store.update(table, record, expected_version=version, who=who)
        else:
            revision = store.insert(table, record, who=who)
    except (ConflictError, StoreError) as err:
        st.error(md_escape(str(err)))
        return False
    st.session_state["data_form_flash"] = (
        f"Saved {table.rstrip('s')} {record[ID_COLUMN[table]]} (change r{revision})."
    )
    st.rerun()
    return True


KIND_WORDS = {"sources": "Source", "places": "Place"}


def render_place_form(
    ds: DataSet, base: DataSet, snapshot: Snapshot, store: Store, who: Identity
) -> None:
    """Add a place (then pick it in the event form)."""
    slabels = source_names(ds)
    with st.form("data_place_form", clear_on_submit=False):
        name = st.text_input("Name")
        alt = st.text_input("Other spellings, separated by |")
        c1, c2 = st.columns(2)
        kind = c1.selectbox("Kind", list(vocab.PLACE_KINDS), format_func=vocab.PLACE_KINDS.get)
        country = c2.text_input("Country (ISO code)", "SY", max_chars=2)
        c3, c4, c5 = st.columns(3)
        lat = c3.text_input("Latitude (blank if unknown)")
        lon = c4.text_input("Longitude")
        precision = c5.text_input("Precision radius (m)", "1000")
        source = st.selectbox("Source of the position", list(slabels), format_func=slabels.get)
        cred = st.selectbox(
            "Credibility", list(vocab.CREDIBILITY), index=1, format_func=credibility_words
        )
        note = st.text_input("Note")
        add = st.form_submit_button("Add place")
    if add:
        from data.importers.base import slugify

        placed = bool(lat.strip() and lon.strip())
        pid = slugify(name) or "place"
        record = {c: "" for c in COLUMNS["places"]} | {
            "place_id": pid,
            "name": name.strip(),
            "alt_names": alt.strip(),
            "kind": kind,
            "country": country.strip().upper(),
            "coord_method": "published" if placed else "unplaced",
            "lat": lat.strip() if placed else "",
            "lon": lon.strip() if placed else "",
            "precision_m": precision.strip() if placed else "",
            "sources": f"{source}:{cred}",
            "note": note.strip(),
        }
        if pid in set(ds.places["place_id"]):
            st.error(
                f"Not saved: a place with the id {pid} exists already ("
                f"{ds.places.set_index('place_id').at[pid, 'name']})."
            )
            return
        _save(base, snapshot, store, who, "places", record, 0, is_new=True)


def render_source_form(base: DataSet, snapshot: Snapshot, store: Store, who: Identity) -> None:
    """Add a source (then cite it in the event form)."""
    with st.form("data_source_form"):
        sid = st.text_input("Id (lower case, e.g. tass-1086889)")
        publisher = st.text_input("Publisher")
        title = st.text_input("Title")
        url = st.text_input("Link (http…)")
        c1, c2, c3 = st.columns(3)
        published = c1.text_input("Published (YYYY-MM-DD, YYYY-MM or YYYY)")
        language = c2.text_input("Language (ISO 639-1)", "en", max_chars=2)
        kind = c3.selectbox("Kind", list(vocab.SOURCE_KINDS), format_func=vocab.SOURCE_KINDS.get)
        c4, c5 = st.columns(2)
        affiliation = c4.selectbox(
            "Affiliation", list(vocab.AFFILIATIONS), format_func=vocab.AFFILIATIONS.get, index=7
        )
        reliability = c5.selectbox(
            "Reliability (Admiralty)",
            list(vocab.RELIABILITY),
            format_func=lambda g: f"{g}: {vocab.RELIABILITY[g]}",
            index=5,
        )
        basis = st.text_input("Why that grade")
        add = st.form_submit_button("Add source")
    if add:
        record = {
            "source_id": sid.strip().lower(),
            "publisher": publisher.strip(),
            "title": title.strip(),
            "url": url.strip(),
            "published": published.strip(),
            "language": language.strip().lower(),
            "kind": kind,
            "affiliation": affiliation,
            "reliability": reliability,
            "reliability_basis": basis.strip(),
        }
        _save(base, snapshot, store, who, "sources", record, 0, is_new=True)


def render_changes(ds: DataSet, store: Store, who: Identity) -> None:
    """The trail of changes, and undo (for editors and admins): a whole change (an import,
    a saved form) or one record's change. The undo picker starts on the newest change after
    every change (its key names the newest), and the button names the change it undoes."""
    if not store.reachable():
        st.warning("The trail of changes is in the store, which cannot be reached just now.")
        return
    refused = refused_records(ds)
    if len(refused):
        st.warning(
            f"{len(refused)} record(s) in the store cannot be shown: they fail a check "
            "beside the shipped data. They are kept; correct or undo them."
        )
        st.dataframe(refused, hide_index=True, width="stretch")
    history = store.history(limit=500)
    if history.empty:
        st.info("No change yet: everything shown comes from the shipped data set.")
        return
    if not who.can_write:
        st.dataframe(history_table(history), hide_index=True, width="stretch", key="data_history")
        return
    flash = st.session_state.pop("data_changes_flash", None)
    if flash:
        st.success(md_escape(flash))
    newest = int(history["audit_id"].max())
    choices = change_choices(history, who)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    rev = (
        c1.selectbox(
            "Undo a whole change (the newest first)",
            list(choices),
            format_func=choices.get,
            key=f"data_undo_rev_{newest}",
        )
        if choices
        else None
    )
    label = f"Undo this change (r{rev})" if rev is not None else "Undo this change"
    if c2.button(label, key=f"data_undo_rev_go_{rev}", disabled=rev is None):
        try:
            done = store.undo_revision(int(rev), who=who)
        except (ConflictError, StoreError) as err:
            st.error(md_escape(str(err)))
        else:
            st.session_state["data_changes_flash"] = f"Change r{rev} undone (as change r{done})."
            st.rerun()
    c3, c4 = st.columns([3, 1], vertical_alignment="bottom")
    one = c3.number_input(
        "…or one record's change (its # below)",
        min_value=1,
        step=1,
        value=newest,
        key=f"data_undo_one_{newest}",
    )
    if c4.button(f"Undo #{int(one)}", key=f"data_undo_one_go_{int(one)}"):
        try:
            done = store.undo(int(one), who=who)
        except (ConflictError, StoreError) as err:
            st.error(md_escape(str(err)))
        else:
            st.session_state["data_changes_flash"] = f"#{one} undone (as change r{done})."
            st.rerun()
    st.dataframe(history_table(history), hide_index=True, width="stretch", key="data_history")
