"""The import panel of the data page: drop files, choose what they don't say, read the
preview (rows to add, update, refuse; places matched; actors not found), answer its
questions, confirm.

Pure builders (``options_from``, ``decisions_from``, ``*_table``) turn widget values and
previews into options, decisions and tables; ``render_import`` draws and writes.
"""

from __future__ import annotations

import hashlib
import logging

import pandas as pd
import streamlit as st

from components.html import md_escape
from data import vocab
from data.auth import Identity, upload_refusal
from data.importers import (
    Decisions,
    ImportContext,
    ImportLimits,
    ImportOptions,
    ImportPreview,
    ImportRefused,
    apply_import,
    check_file,
    preview_import,
)
from data.importers.base import visible
from data.importers.formats import upload_help, upload_types
from data.model import DataSet
from data.store import ConflictError, Snapshot, Store, StoreError

log = logging.getLogger(__name__)
#: files above this size show a progress bar while they are read and written
PROGRESS_BYTES = 256 * 1024
LEAVE_OUT = "leave out"
NEW_SOURCE = "(a new source for this file)"


def default_source(file_name: str, file_hash: str, is_acled: bool) -> dict[str, str]:
    """The source record proposed for a file's records (the analyst edits it)."""
    stem = file_name.rsplit(".", 1)[0]
    if is_acled:
        return {
            "source_id": f"acled-export-{file_hash[:8]}",
            "publisher": "ACLED",
            "title": f"ACLED export ({file_name})",
            "url": "https://acleddata.com/",
            "kind": "dataset",
            "affiliation": "independent",
            "language": "en",
        }
    return {
        "source_id": f"file-{(stem.lower()[:30] or 'import')}-{file_hash[:6]}".replace(" ", "-"),
        "publisher": "",
        "title": f"{file_name}",
        "url": "",
        "kind": "dataset",
        "affiliation": "unknown",
        "language": "en",
    }


def options_from(values: dict[str, object]) -> ImportOptions:
    """Import options from the option widgets' values."""
    source = ()
    if values.get("source_choice") == NEW_SOURCE:
        fields = ("source_id", "publisher", "title", "url", "published", "language", "kind",
                  "affiliation", "reliability", "reliability_basis")  # fmt: skip
        raw = {k: str(values.get(f"src_{k}", "") or "").strip() for k in fields}
        source = tuple((k, v) for k, v in raw.items())
    return ImportOptions(
        source_id="" if source else str(values.get("source_choice") or ""),
        new_source=source,
        credibility=int(values.get("credibility") or 6),
        theatre_id=str(values.get("theatre_id") or ""),
        event_kind=str(values.get("event_kind") or ""),
        event_status=str(values.get("event_status") or "carried_out"),
        place_kind=str(values.get("place_kind") or "village"),
        country=str(values.get("country") or "").strip().upper(),
        actors=actor_roles(values.get("actor_ids"), values.get("actor_role")),
    )


def actor_roles(actor_ids: object, role: object) -> str:
    """'turkey:patrolling|russia:patrolling' from the actors and the role chosen in the
    import options (for files that name no actors: KML, GeoJSON)."""
    ids = [str(a) for a in (actor_ids or []) if str(a).strip()]
    return "|".join(f"{a}:{role or 'party'}" for a in ids)


def source_gaps(values: dict[str, object]) -> list[str]:
    """The fields a new source still needs before a preview makes sense."""
    if values.get("source_choice") != NEW_SOURCE:
        return []
    needed = {"src_source_id": "id", "src_publisher": "publisher", "src_title": "title",
              "src_url": "link"}  # fmt: skip
    return [label for k, label in needed.items() if not str(values.get(k) or "").strip()]


KEEP_OURS = "our place (the name)"
USE_FILE = "a new place at the file's position"


def decisions_from(
    places: pd.DataFrame | None,
    actors: pd.DataFrame | None,
    positions: pd.DataFrame | None = None,
) -> Decisions:
    """Decisions from the edited question tables: fuzzy matches ticked ``confirm``; actor
    names given a ``decision`` ('map to … (id)', 'add as <kind>', 'leave out'); names
    whose position disagrees given ``resolve`` (our place, or the file's position)."""
    moved = ()
    if positions is not None and len(positions):
        chosen = positions[positions["resolve"] == USE_FILE]
        moved = tuple((n, "file") for n in chosen["name in file"])
    confirmed = ()
    if places is not None and len(places):
        ok = places[places["confirm"].astype(bool)]
        confirmed = tuple(zip(ok["name in file"], ok["place_id"], strict=True))
    mapped, new = [], []
    if actors is not None and len(actors):
        for name, decision in zip(actors["name in file"], actors["decision"], strict=True):
            decision = str(decision or LEAVE_OUT)
            if decision.startswith("map to ") and decision.endswith(")"):
                mapped.append((name, decision.rsplit("(", 1)[1][:-1]))
            elif decision.startswith("add as "):
                label = decision.removeprefix("add as ").removeprefix("new ")
                kinds = {v.casefold(): k for k, v in vocab.ACTOR_KINDS.items()}
                if label.casefold() in kinds:
                    new.append((name, kinds[label.casefold()]))
    return Decisions(places=confirmed, actors=tuple(mapped), new_actors=tuple(new), positions=moved)


def positions_table(preview: ImportPreview) -> pd.DataFrame:
    """Names whose position in the file disagrees with the place they name, to resolve."""
    p = preview.positions
    chosen = (
        set(p.loc[p["use"].str.startswith("new place at the file"), "name"]) if len(p) else set()
    )
    return pd.DataFrame(
        {
            "name in file": p.get("name", pd.Series(dtype="str")),
            "rows": p.get("rows", pd.Series(dtype="str")),
            "our place": p.get("place_name", pd.Series(dtype="str")),
            "what disagrees": p.get("evidence", pd.Series(dtype="str")),
            "resolve": [USE_FILE if n in chosen else KEEP_OURS for n in p.get("name", [])],
        }
    ).reset_index(drop=True)


def actor_choices(ds: DataSet) -> list[str]:
    """The choices for an actor name the file uses and we don't know."""
    mapped = [
        f"map to {n} ({i})" for i, n in zip(ds.actors["actor_id"], ds.actors["name"], strict=True)
    ]
    added = [f"add as new {label}" for label in vocab.ACTOR_KINDS.values()]
    return [LEAVE_OUT, *mapped, *added]


def fuzzy_table(preview: ImportPreview) -> pd.DataFrame:
    """The fuzzy place matches, to confirm one by one (unticked: a new place)."""
    p = preview.places
    fuzzy = p[p["how"].isin(["fuzzy", "position"])] if len(p) else p
    return pd.DataFrame(
        {
            "name in file": fuzzy.get("name", pd.Series(dtype="str")),
            "rows": fuzzy.get("rows", pd.Series(dtype="str")),
            "our place": fuzzy.get("place_name", pd.Series(dtype="str")),
            "spelling matched": fuzzy.get("matched", pd.Series(dtype="str")),
            "score": fuzzy.get("score", pd.Series(dtype="float")),
            "place_id": fuzzy.get("place_id", pd.Series(dtype="str")),
            "confirm": False,
        }
    ).reset_index(drop=True)


def actors_table(preview: ImportPreview) -> pd.DataFrame:
    """The actor names not found in our alias table, each to decide."""
    a = preview.actors
    return pd.DataFrame(
        {
            "name in file": a.get("name", pd.Series(dtype="str")),
            "events": a.get("events", pd.Series(dtype="int")),
            "type in file": a.get("actor_type", pd.Series(dtype="str")),
            "decision": LEAVE_OUT,
        }
    ).reset_index(drop=True)


def matches_table(preview: ImportPreview) -> pd.DataFrame:
    """Every place name in the file and what it became."""
    p = preview.places
    if p.empty:
        return pd.DataFrame(
            columns=["Name in file", "Rows", "Match", "Our place", "Position", "Result"]
        )
    how = {"exact": "same name", "spelling": "same spelling (case, accents, al-)",
           "fuzzy": "similar", "fuzzy+position": "similar name, same position",
           "position": "another name at the same position",
           "none": "not found"}  # fmt: skip
    return pd.DataFrame(
        {
            "Name in file": p["name"],
            "Rows": p["rows"],
            "Match": p["how"].map(how).fillna(p["how"]),
            "Our place": (p["place_name"] + " (" + p["place_id"] + ")").where(p["place_id"] != ""),
            "Position": p.get("evidence", pd.Series("", index=p.index)),
            "Result": p["use"],
        }
    )


def changes_table(preview: ImportPreview) -> pd.DataFrame:
    """The records, what will happen to each, and the row it comes from."""
    c = preview.changes
    verbs = {"add": "add", "update": "update", "unchanged": "already held",
             "shipped": "already shipped"}  # fmt: skip
    return pd.DataFrame(
        {
            "Action": c["action"].map(verbs),
            "Kind": c["kind"],
            "Id": c["record_id"],
            preview.row_unit.capitalize(): c["row"].astype("str").where(c["row"] > 0, "options"),
            "What": c["summary"],
        }
    )


def refused_table(preview: ImportPreview) -> pd.DataFrame:
    """Each refused row: row, field, reason (and the record, where one was made)."""
    r = preview.refused
    return pd.DataFrame(
        {
            preview.row_unit.capitalize(): r["row"].astype("str").where(r["row"] > 0, "options"),
            "Field": r["field"],
            "Reason": r["reason"],
            "Record": (r["kind"] + " " + r["record_id"]).str.strip(),
        }
    )


# --------------------------------------------------------------------------- rendering


def _options_form(key: str, ds: DataSet, name: str, digest: str, is_acled: bool) -> dict:
    """The import options of one file, in an expander; returns their values."""
    values: dict[str, object] = {}
    with st.expander("Import options: what the file does not say", expanded=not is_acled):
        c1, c2, c3 = st.columns(3)
        sources = ds.sources.sort_values("publisher")
        choices = [NEW_SOURCE, *sources["source_id"].tolist()]
        labels = dict(
            zip(sources["source_id"], sources["publisher"] + " – " + sources["title"], strict=True)
        )
        values["source_choice"] = c1.selectbox(
            "Source these records cite",
            choices,
            key=f"{key}_source",
            format_func=lambda s: labels.get(s, s)[:90],
        )
        values["credibility"] = c2.selectbox(
            "Credibility of what it says (1–6)",
            list(vocab.CREDIBILITY),
            index=5,
            key=f"{key}_cred",
            format_func=lambda c: f"{c}: {vocab.CREDIBILITY[c]}",
        )
        theatres = ds.theatres["theatre_id"].tolist()
        tnames = dict(zip(ds.theatres["theatre_id"], ds.theatres["name"], strict=True))
        values["theatre_id"] = c3.selectbox(
            "Theatre", theatres, key=f"{key}_theatre", format_func=tnames.get
        )
        if values["source_choice"] == NEW_SOURCE:
            proposed = default_source(name, digest, is_acled)
            s1, s2, s3 = st.columns(3)
            values["src_source_id"] = s1.text_input(
                "Source id", proposed["source_id"], key=f"{key}_sid"
            )
            values["src_publisher"] = s2.text_input(
                "Publisher", proposed["publisher"], key=f"{key}_spub"
            )
            values["src_title"] = s3.text_input("Title", proposed["title"], key=f"{key}_stitle")
            s4, s5, s6 = st.columns(3)
            values["src_url"] = s4.text_input("Link (http…)", proposed["url"], key=f"{key}_surl")
            values["src_reliability"] = s5.selectbox(
                "Reliability of the source (A–F)",
                list(vocab.RELIABILITY),
                index=5,
                key=f"{key}_srel",
                format_func=lambda g: f"{g}: {vocab.RELIABILITY[g]}",
            )
            values["src_kind"] = s6.selectbox(
                "Kind of source",
                list(vocab.SOURCE_KINDS),
                index=list(vocab.SOURCE_KINDS).index(proposed["kind"]),
                key=f"{key}_skind",
                format_func=vocab.SOURCE_KINDS.get,
            )
            values["src_affiliation"] = proposed["affiliation"]
            values["src_language"] = proposed["language"]
            values["src_reliability_basis"] = "graded by the analyst on import"
        d1, d2, d3 = st.columns(3)
        values["event_kind"] = d1.selectbox(
            "Kind of events the file does not name",
            ["", *vocab.EVENT_KINDS],
            key=f"{key}_kind",
            format_func=lambda k: vocab.EVENT_KINDS.get(k, "— (the file says)"),
        )
        values["place_kind"] = d2.selectbox(
            "Kind of new places",
            list(vocab.PLACE_KINDS),
            index=2,
            key=f"{key}_pkind",
            format_func=vocab.PLACE_KINDS.get,
        )
        values["country"] = d3.text_input(
            "Country of new places (ISO code; blank: the nearest place's)",
            "",
            key=f"{key}_country",
            max_chars=2,
        )
        if not is_acled:
            a1, a2 = st.columns([2, 1])
            names = dict(zip(ds.actors["actor_id"], ds.actors["name"], strict=True))
            values["actor_ids"] = a1.multiselect(
                "Actors of the events (for files that name none: KML, GeoJSON)",
                list(names),
                key=f"{key}_actors_opt",
                format_func=lambda a: names.get(a, a),
            )
            values["actor_role"] = a2.selectbox(
                "Their role",
                list(vocab.ROLES),
                index=list(vocab.ROLES).index("patrolling") if "patrolling" in vocab.ROLES else 0,
                key=f"{key}_role",
            )
    return values


def _preview(
    key: str,
    name: str,
    data: bytes,
    ctx: ImportContext,
    options: ImportOptions,
    decisions: Decisions,
) -> ImportPreview:
    """The preview, kept in the session while the file, options and decisions stay the same
    (so a rerun for another widget does not read the file again)."""
    memo = st.session_state.setdefault("data_previews", {})
    ident = (key, ctx.snapshot.revision, options, decisions)
    if memo.get(key, (None,))[0] == ident:
        return memo[key][1]
    bar = st.progress(0.0, text=f"Reading {name}…") if len(data) > PROGRESS_BYTES else None
    try:
        preview = preview_import(
            name,
            data,
            ctx,
            options,
            decisions,
            progress=(lambda f, t: bar.progress(min(f, 1.0), text=t)) if bar else None,
        )
    finally:
        if bar is not None:
            bar.empty()
    memo[key] = (ident, preview)
    return preview


def _refusal(key: str, name: str, data: bytes) -> str | None:
    """Why the file is refused as soon as it is uploaded (a limit broken, unreadable), or
    None; kept in the session per file while it stays uploaded."""
    memo = st.session_state.setdefault("data_checked", {})
    if key not in memo:
        try:
            check_file(name, data)
            memo[key] = None
        except ImportRefused as err:
            memo[key] = str(err)
    return memo[key]


def _forget_removed(keys: set[str]) -> None:
    """Drop what the session keeps for files no longer uploaded (the memos stay small)."""
    for memo_key in ("data_checked", "data_previews"):
        memo = st.session_state.get(memo_key, {})
        for k in [k for k in memo if not any(k.startswith(u) for u in keys)]:
            del memo[k]


def render_import(
    ds: DataSet, base: DataSet, snapshot: Snapshot, store: Store, who: Identity | str
) -> None:
    """Drop files, read their previews, answer their questions, confirm."""
    st.markdown(
        "Drop ACLED exports (either format), KML or KMZ from Google Earth, GeoJSON, Excel, or "
        "our own CSV and JSON. Nothing is written until you confirm a file's preview."
    )
    limit = getattr(who, "upload_mb", None)  # per role when signed in (data.auth)
    files = st.file_uploader(
        "Files to import",
        type=upload_types(),
        accept_multiple_files=True,
        key="data_upload",
        max_upload_size=limit,
        help=upload_help(ImportLimits.from_env()),
    )
    done = st.session_state.setdefault("data_imported", {})
    ctx = ImportContext(base=base, snapshot=snapshot, current=ds)
    keys = set()
    for upload in files or []:
        refused = upload_refusal(who, upload.name, upload.size) if limit else None
        if refused:
            st.error(md_escape(refused))
            continue
        data = upload.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        key = f"data_imp_{digest[:12]}"
        keys.add(key)
        with st.container(border=True):
            st.subheader(md_escape(visible(upload.name)))
            if key in done:
                st.success(md_escape(done[key]))
                continue
            try:
                _render_file(key, upload.name, data, digest, ds, ctx, store, who, done)
            except Exception as err:  # never a traceback on the page
                log.exception("import of %s failed", visible(upload.name))
                st.error(
                    md_escape(
                        f"{visible(upload.name)}: the import failed unexpectedly "
                        f"({type(err).__name__}). Nothing was imported; the details are in "
                        "the server log."
                    )
                )
    _forget_removed(keys)


def _render_file(
    key: str,
    name: str,
    data: bytes,
    digest: str,
    ds: DataSet,
    ctx: ImportContext,
    store: Store,
    who: str,
    done: dict[str, str],
) -> None:
    """One uploaded file: refused at once, or its options, questions, preview, confirm."""
    refused = _refusal(key, name, data)
    if refused:
        st.error(md_escape(refused))
        return
    head = data[:2048].decode("utf-8", "ignore").lower()
    is_acled = "event_id_cnty" in head
    values = _options_form(key, ds, name, digest, is_acled)
    missing = source_gaps(values)
    if missing:
        st.warning(
            "Say where these records come from: fill in the new source's "
            f"{' and '.join(missing)} in the import options, or choose a source we "
            "hold. Every record cites its source."
        )
        return
    options = options_from(values)
    try:
        first = _preview(f"{key}_q", name, data, ctx, options, Decisions())
    except ImportRefused as err:
        st.error(md_escape(str(err)))
        return
    questions = fuzzy_table(first)
    unknown = actors_table(first)
    disagreeing = positions_table(first)
    edited_places = edited_actors = edited_positions = None
    if len(disagreeing):
        st.warning(
            f"{len(disagreeing)} name(s) in the file lie beyond the precision of the place "
            "they name. Keep our place, or make a new place at the file's position."
        )
        edited_positions = st.data_editor(
            disagreeing,
            key=f"{key}_positions",
            hide_index=True,
            width="stretch",
            disabled=["name in file", "rows", "our place", "what disagrees"],
            column_config={
                "resolve": st.column_config.SelectboxColumn(
                    "resolve", options=[KEEP_OURS, USE_FILE], required=True, width="medium"
                )
            },
        )
    if len(questions):
        st.markdown(
            "**Places that only look like ours.** Tick those that are the same "
            "place; unticked ones become new places."
        )
        edited_places = st.data_editor(
            questions,
            key=f"{key}_places",
            hide_index=True,
            width="stretch",
            disabled=["name in file", "rows", "our place", "spelling matched", "score", "place_id"],
            column_config={
                "place_id": None,
                "confirm": st.column_config.CheckboxColumn("same place?"),
            },
        )
    if len(unknown):
        st.markdown(
            "**Actors our alias table does not know.** Map each to one of "
            "ours (remembered as an alias), add it as a new actor, or leave it "
            "out of the events."
        )
        edited_actors = st.data_editor(
            unknown,
            key=f"{key}_actors",
            hide_index=True,
            width="stretch",
            disabled=["name in file", "events", "type in file"],
            column_config={
                "decision": st.column_config.SelectboxColumn(
                    "decision", options=actor_choices(ds), required=True, width="large"
                )
            },
        )
    decisions = decisions_from(edited_places, edited_actors, edited_positions)
    preview = first
    if decisions != Decisions():
        try:
            preview = _preview(key, name, data, ctx, options, decisions)
        except ImportRefused as err:
            st.error(md_escape(str(err)))
            return
    _render_preview(preview)
    _render_confirm(key, preview, store, who, done)


def _render_preview(preview: ImportPreview) -> None:
    refused = preview.refused_rows
    (st.warning if refused else st.info)(md_escape(preview.summary()))
    for note in preview.notes:
        st.caption(md_escape(note))
    if refused:
        st.markdown(f"**Refused {preview.row_unit}s** (nothing of them will be written):")
        st.dataframe(refused_table(preview), hide_index=True, width="stretch")
    if len(preview.places):
        with st.expander(f"Places named in the file ({len(preview.places)})"):
            st.dataframe(matches_table(preview), hide_index=True, width="stretch")
    with st.expander(f"Records ({len(preview.changes)})", expanded=preview.to_write <= 20):
        st.dataframe(changes_table(preview), hide_index=True, width="stretch")


def _render_confirm(
    key: str, preview: ImportPreview, store: Store, who: str, done: dict[str, str]
) -> None:
    partial = False
    if preview.refused_rows and preview.to_write:
        partial = st.checkbox(
            f"Import the rest without the {preview.refused_rows} refused {preview.row_unit}(s)",
            key=f"{key}_partial",
        )
    blocked = preview.to_write == 0 or (preview.refused_rows > 0 and not partial)
    label = f"Import {preview.to_write} record(s)" if preview.to_write else "Nothing new to import"
    if st.button(label, key=f"{key}_go", type="primary", disabled=blocked):
        bar = st.progress(0.0, text="Writing…") if preview.to_write > 200 else None
        try:
            revision = apply_import(
                store,
                preview,
                who=who,
                allow_partial=partial,
                progress=(lambda f: bar.progress(min(f, 1.0), text="Writing…")) if bar else None,
            )
        except (ImportRefused, ConflictError, StoreError) as err:
            st.error(md_escape(str(err)))
            return
        done[key] = (
            f"Imported {preview.to_write} record(s) from {preview.file_name} as change "
            f"r{revision}. They are on every page now; undo the change on the Changes tab."
        )
        st.session_state.get("data_previews", {}).clear()
        st.rerun()
