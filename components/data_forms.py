"""The data page's forms and tables: add or correct an event (and add a place or a source
from the same tab), the trail of changes with undo, and the export buttons.

Pure builders (``written_date``, ``event_record``, ``form_values``, ``history_table``…)
are unit-tested; ``render_*`` draw and write. Every record goes through the same checks as
an import (``data.records.check_records``) before it is written.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import streamlit as st

from components.html import md_escape
from components.sign_in import KEY_WHO, current_identity
from data import vocab
from data.auth import Identity, local_identity
from data.dates import written_date
from data.model import DataSet
from data.records import COLUMNS, ID_COLUMN, check_records, event_texts
from data.store import (
    UNREACHABLE_SAVE,
    ConflictError,
    Snapshot,
    Store,
    StoreError,
    default_user,
)

NEW_EVENT = ""


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


def place_labels(ds: DataSet) -> dict[str, str]:
    """Every place as 'Name — other spellings (id)', so a place can be picked by typing any
    spelling of it."""
    alts = ds.places["alt_names"].str.replace("|", ", ", regex=False)
    label = (
        ds.places["name"]
        + (" — " + alts).where(alts != "", "")
        + " ("
        + ds.places["place_id"]
        + ")"
    )
    return dict(zip(ds.places["place_id"], label, strict=True))


def actor_label(ds: DataSet) -> dict[str, str]:
    """'Russian military police (ru_mp)' per actor id."""
    return dict(
        zip(
            ds.actors["actor_id"],
            ds.actors["name"] + " (" + ds.actors["actor_id"] + ")",
            strict=True,
        )
    )


def source_label(ds: DataSet) -> dict[str, str]:
    """'[B] TASS – title (id)' per source id."""
    s = ds.sources
    label = "[" + s["reliability"] + "] " + s["publisher"] + " – " + s["title"].str.slice(0, 60)
    return dict(zip(s["source_id"], label + " (" + s["source_id"] + ")", strict=True))


def _id_in(label: str) -> str:
    """The id at the end of a '… (id)' label."""
    label = str(label or "").strip()
    return label.rsplit("(", 1)[1][:-1] if label.endswith(")") and "(" in label else label


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


def actors_rows(text: str, labels: dict[str, str]) -> pd.DataFrame:
    """'russia:patrolling|turkey:patrolling' as editable rows (actor label, role)."""
    pairs = [p.split(":", 1) for p in text.split("|") if ":" in p]
    return pd.DataFrame(
        {"actor": [labels.get(a, a) for a, _ in pairs], "role": [r for _, r in pairs]},
        dtype="str",
    )


def sources_rows(text: str, labels: dict[str, str]) -> pd.DataFrame:
    """'tass-1:2|sohr-3:3' as editable rows (source label, credibility)."""
    pairs = [p.rsplit(":", 1) for p in text.split("|") if ":" in p]
    return pd.DataFrame(
        {
            "source": [labels.get(s, s) for s, _ in pairs],
            "credibility": [int(c) if c.isdigit() else 6 for _, c in pairs],
        }
    ).astype({"source": "str", "credibility": "int64"})


def event_record(values: dict[str, object]) -> dict[str, str]:
    """The event's record text from the form's values: ``actors`` and ``sources`` from
    their editable rows, ``date``/``end_date`` written at the precision."""
    precision = str(values.get("date_precision") or "day")
    day = values.get("day")
    end = values.get("end_day")
    actors = values.get("actors_rows")
    sources = values.get("sources_rows")
    actor_text = ""
    if isinstance(actors, pd.DataFrame) and len(actors):
        a = actors.dropna(subset=["actor", "role"])
        a = a[(a["actor"].astype(str) != "") & (a["role"].astype(str) != "")]
        actor_text = "|".join(
            f"{_id_in(x)}:{r}" for x, r in zip(a["actor"], a["role"], strict=True)
        )
    source_text = ""
    if isinstance(sources, pd.DataFrame) and len(sources):
        s = sources.dropna(subset=["source"])
        s = s[s["source"].astype(str) != ""]
        source_text = "|".join(
            f"{_id_in(x)}:{int(c) if pd.notna(c) else 6}"
            for x, c in zip(s["source"], s["credibility"], strict=True)
        )
    record = {
        "event_id": str(values.get("event_id") or "").strip(),
        "theatre_id": str(values.get("theatre_id") or ""),
        "date": written_date(day, precision) if isinstance(day, date) else "",
        "date_precision": precision,
        "end_date": written_date(end, precision) if isinstance(end, date) else "",
        "kind": str(values.get("kind") or ""),
        "status": str(values.get("status") or ""),
        "actors": actor_text,
        "places": "|".join(str(p) for p in values.get("places") or []),
        "route_id": str(values.get("route_id") or ""),
        "patrol_number": str(values.get("patrol_number") or "").strip(),
        "number_scheme": str(values.get("number_scheme") or "").strip(),
        "vehicles": str(values.get("vehicles") or "").strip(),
        "distance_km": str(values.get("distance_km") or "").strip(),
        "description": str(values.get("description") or "").strip(),
        "milestone": str(values.get("milestone") or "").strip(),
        "sources": source_text,
    }
    return record


def check_one(base: DataSet, snapshot: Snapshot, table: str, values: dict[str, str]) -> list[str]:
    """Problems of one record beside everything held, as 'field: reason' lines (the same
    checks as an import and as the shipped files)."""
    merged = snapshot.texts()
    id_col = ID_COLUMN[table]
    held = merged.get(table, pd.DataFrame(columns=COLUMNS[table]))
    held = held[held[id_col] != values[id_col]]
    merged[table] = pd.concat([held, pd.DataFrame([values])], ignore_index=True)
    problems = [
        p for p in check_records(base, merged) if p.table == table and p.record_id == values[id_col]
    ]
    return [f"{p.field or 'record'}: {p.problem}" for p in problems]


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
    their own changes, an admin anyone's): revision → label."""
    if history.empty:
        return {}
    open_ = history[history["undone_by"].isna()]
    if who is not None and not who.is_admin:
        others = history.loc[history["who"] != who.name, "revision"]
        open_ = open_[~open_["revision"].isin(others)]
    grouped = open_.groupby("revision", sort=False).agg(
        at=("at", "first"), who=("who", "first"), note=("note", "first"), n=("audit_id", "size")
    )
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


# --------------------------------------------------------------------------- rendering


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


def render_event_form(
    ds: DataSet, base: DataSet, snapshot: Snapshot, store: Store, who: Identity
) -> None:
    """Add an event or correct one (a shipped event's correction is kept in the store and
    replaces it on every page; undo it to get the shipped one back)."""
    choices = event_choices(ds, snapshot)
    event_id = st.selectbox(
        "Event",
        list(choices),
        format_func=choices.get,
        key="data_edit_event",
        help="Type to search by date, kind or place.",
    )
    values, version = _opened(event_id, *form_values(ds, snapshot, event_id))
    plabels, alabels, slabels = place_labels(ds), actor_label(ds), source_label(ds)
    k = f"data_form_{event_id or 'new'}_{version}"
    start = first_day(values["date"]) or date.today()
    until = first_day(values["end_date"])
    with st.form(k, border=True):
        c1, c2, c3 = st.columns(3)
        eid = c1.text_input(
            "Event id",
            values["event_id"],
            disabled=bool(event_id),
            key=f"{k}_id",
            help="Left blank, one is made from the date and kind.",
        )
        theatres = ds.theatres["theatre_id"].tolist()
        tnames = dict(zip(ds.theatres["theatre_id"], ds.theatres["name"], strict=True))
        theatre = c2.selectbox(
            "Theatre",
            theatres,
            index=theatres.index(values["theatre_id"]) if values["theatre_id"] in theatres else 0,
            format_func=tnames.get,
            key=f"{k}_th",
        )
        precisions = list(vocab.DATE_PRECISIONS)
        precision = c3.selectbox(
            "Date known to the",
            precisions,
            index=precisions.index(values["date_precision"] or "day"),
            key=f"{k}_prec",
        )
        d1, d2, d3 = st.columns(3)
        day = d1.date_input(
            "Date (any day inside the week, month… )",
            start,
            key=f"{k}_day",
            min_value=date(1945, 1, 1),
            max_value=date(2100, 1, 1),
        )
        has_end = d2.checkbox("It lasted until…", bool(until), key=f"{k}_hasend")
        end_day = d3.date_input(
            "End date",
            until or start,
            key=f"{k}_end",
            min_value=date(1945, 1, 1),
            max_value=date(2100, 1, 1),
        )
        e1, e2, e3 = st.columns(3)
        kinds, statuses = list(vocab.EVENT_KINDS), list(vocab.EVENT_STATUSES)
        kind = e1.selectbox(
            "Kind",
            kinds,
            index=kinds.index(values["kind"]) if values["kind"] in kinds else 0,
            format_func=vocab.EVENT_KINDS.get,
            key=f"{k}_kind",
        )
        status = e2.selectbox(
            "Status",
            statuses,
            index=statuses.index(values["status"]) if values["status"] in statuses else 1,
            format_func=vocab.EVENT_STATUSES.get,
            key=f"{k}_status",
        )
        routes = ["", *ds.routes["route_id"]]
        rnames = dict(zip(ds.routes["route_id"], ds.routes["name"], strict=True))
        route = e3.selectbox(
            "Route",
            routes,
            index=routes.index(values["route_id"]) if values["route_id"] in routes else 0,
            format_func=lambda r: rnames.get(r, "— none"),
            key=f"{k}_route",
        )
        places = st.multiselect(
            "Places, in the order passed (type any spelling: Arabic, Kurdish, Turkish…)",
            list(plabels),
            default=[p for p in values["places"].split("|") if p in plabels],
            format_func=plabels.get,
            key=f"{k}_places",
        )
        st.markdown("Actors and their roles")
        actors = st.data_editor(
            actors_rows(values["actors"], alabels),
            num_rows="dynamic",
            key=f"{k}_actors",
            width="stretch",
            hide_index=True,
            column_config={
                "actor": st.column_config.SelectboxColumn(
                    "actor", options=list(alabels.values()), required=True, width="large"
                ),
                "role": st.column_config.SelectboxColumn(
                    "role", options=list(vocab.ROLES), required=True
                ),
            },
        )
        f1, f2, f3, f4 = st.columns(4)
        patrol_number = f1.text_input("Patrol number", values["patrol_number"], key=f"{k}_pn")
        scheme = f2.text_input("Numbering scheme", values["number_scheme"], key=f"{k}_ns")
        vehicles = f3.text_input("Vehicles", values["vehicles"], key=f"{k}_veh")
        distance = f4.text_input("Distance (km)", values["distance_km"], key=f"{k}_dist")
        description = st.text_area(
            "What happened, as the sources say it", values["description"], key=f"{k}_desc"
        )
        milestone = st.text_input(
            "Milestone label (for timelines)", values["milestone"], key=f"{k}_ms"
        )
        st.markdown(
            "Sources: reliability is the source's grade (A–F, in brackets); credibility "
            "(1–6) is this claim's"
        )
        sources = st.data_editor(
            sources_rows(values["sources"], slabels),
            num_rows="dynamic",
            key=f"{k}_sources",
            width="stretch",
            hide_index=True,
            column_config={
                "source": st.column_config.SelectboxColumn(
                    "source", options=list(slabels.values()), required=True, width="large"
                ),
                "credibility": st.column_config.SelectboxColumn(
                    "credibility", options=list(vocab.CREDIBILITY), required=True
                ),
            },
        )
        saved = st.form_submit_button("Save event", type="primary")
    if saved:
        record = event_record(
            {
                "event_id": eid,
                "theatre_id": theatre,
                "date_precision": precision,
                "day": day,
                "end_day": end_day if has_end else None,
                "kind": kind,
                "status": status,
                "actors_rows": actors,
                "places": places,
                "route_id": route,
                "patrol_number": patrol_number,
                "number_scheme": scheme,
                "vehicles": vehicles,
                "distance_km": distance,
                "description": description,
                "milestone": milestone,
                "sources_rows": sources,
            }
        )
        if not record["event_id"]:
            record["event_id"] = new_event_id(record["date"], kind, set(ds.events["event_id"]))
        _save(base, snapshot, store, who, "events", record, version, is_new=not event_id)
    flash = st.session_state.pop("data_form_flash", None)
    if flash:
        st.success(flash)
    if event_id and version:
        with st.expander("Delete this event"):
            st.caption("Deleting keeps it in the trail of changes; you can undo it there.")
            if st.button("Delete", key=f"{k}_delete"):
                try:
                    revision = store.delete("events", event_id, expected_version=version, who=who)
                except (ConflictError, StoreError) as err:
                    st.error(str(err))
                else:
                    st.session_state["data_form_flash"] = (
                        f"Deleted {event_id} (change r{revision})."
                    )
                    st.session_state.pop("data_edit_opened", None)
                    st.rerun()
    c1, c2 = st.columns(2)
    with c1, st.expander("Add a place"):
        render_place_form(ds, base, snapshot, store, who)
    with c2, st.expander("Add a source"):
        render_source_form(base, snapshot, store, who)


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
    if not store.reachable():
        st.error(UNREACHABLE_SAVE)
        return False
    problems = check_one(base, snapshot, table, record)
    rid = record[ID_COLUMN[table]]
    if is_new and table == "events" and rid in set(base.events["event_id"]):
        problems.insert(0, "event_id: a shipped event has this id")
    if problems:
        st.error("Not saved. " + " · ".join(problems))
        return False
    try:
        if version:
            revision = store.update(table, record, expected_version=version, who=who)
        else:
            revision = store.insert(table, record, who=who)
    except (ConflictError, StoreError) as err:
        st.error(str(err))
        return False
    st.session_state["data_form_flash"] = f"Saved {table.rstrip('s')} {rid} (change r{revision})."
    st.session_state.pop("data_edit_opened", None)
    st.rerun()
    return True


def render_place_form(
    ds: DataSet, base: DataSet, snapshot: Snapshot, store: Store, who: Identity
) -> None:
    """Add a place (then pick it in the event form)."""
    slabels = source_label(ds)
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
        cred = st.selectbox("Credibility", list(vocab.CREDIBILITY), index=1)
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
    a saved form) or one record's change."""
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
    choices = change_choices(history, who)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    rev = (
        c1.selectbox(
            "Undo a whole change", list(choices), format_func=choices.get, key="data_undo_rev"
        )
        if choices
        else None
    )
    if c2.button("Undo this change", key="data_undo_rev_go", disabled=rev is None):
        try:
            done = store.undo_revision(int(rev), who=who)
        except (ConflictError, StoreError) as err:
            st.error(str(err))
        else:
            st.session_state["data_changes_flash"] = f"Change r{rev} undone (as change r{done})."
            st.rerun()
    c3, c4 = st.columns([3, 1], vertical_alignment="bottom")
    one = c3.number_input(
        "…or one record's change (its # below)",
        min_value=1,
        step=1,
        value=int(history["audit_id"].iloc[0]),
        key="data_undo_one",
    )
    if c4.button("Undo #", key="data_undo_one_go"):
        try:
            done = store.undo(int(one), who=who)
        except (ConflictError, StoreError) as err:
            st.error(str(err))
        else:
            st.session_state["data_changes_flash"] = f"#{one} undone (as change r{done})."
            st.rerun()
    flash = st.session_state.pop("data_changes_flash", None)
    if flash:
        st.success(flash)
    st.dataframe(history_table(history), hide_index=True, width="stretch", key="data_history")
