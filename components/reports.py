"""The Reports page's pieces: the report form, the candidates with their source sentences
highlighted field by field, and the review (accept, edit, reject).

Pure builders (``highlight_html``, ``field_rows``, ``candidate_title``, ``counts_table``…)
never call ``st`` and are unit-tested; ``render_*`` draw and write. Every text from the
report reaches the page escaped (``components.html.esc`` for HTML, ``md_escape`` for
markdown); nothing is written until the analyst accepts a candidate.
"""

from __future__ import annotations

import io
from dataclasses import replace

import pandas as pd
import streamlit as st

from components.data_forms import (
    actor_names,
    event_record,
    form_problems,
    form_values,
    render_event_fields,
    render_problems,
    source_names,
)
from components.html import clip, esc, md_escape
from data import vocab
from data.auth import Identity
from data.model import DataSet
from data.reports import ReportError, ReportMeta, extract, read_report, text_to_report
from data.reports.extract import EventCandidate, Evidence, Extraction
from data.reports.review import (
    accept,
    attribution_line,
    audit_note,
    check,
    conflicts_with_held,
    count_row,
    event_from,
    held_source_for,
    report_hash,
    report_source,
    same_as_held,
    with_source,
)
from data.store import ConflictError, Snapshot, Store, StoreError

LANGUAGES = {"en": "English", "ar": "Arabic", "tr": "Turkish", "ru": "Russian", "": "other"}
FIELD_LABELS = {
    "kind": "Kind",
    "status": "Status",
    "date": "Date",
    "actors": "Actors (role)",
    "places": "Places, in order",
    "entry": "Entry crossing",
    "bases": "Base",
    "round_trip": "Both ways",
    "patrol_number": "Patrol number",
    "number_scheme": "Numbering",
    "vehicles": "Vehicles",
    "helicopters": "Helicopters",
    "theatre": "Theatre",
    "route": "Route",
    "count": "Count",
    "period": "Period",
}
MARK = "background:#ffe08a;color:#111;padding:0 2px;border-radius:2px"
K = "reports_"


# --------------------------------------------------------------------------- pure


def highlight_html(text: str, start: int, end: int, marks: list[tuple[int, int]]) -> str:
    """The text between ``start`` and ``end`` (a sentence) as escaped HTML with each
    (start, end) span of ``marks`` in a <mark>. Overlapping marks are merged."""
    spans = sorted((max(s, start), min(e, end)) for s, e in marks if e > start and s < end)
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], start
    for s, e in merged:
        out.append(esc(text[pos:s]))
        out.append(f'<mark style="{MARK}">{esc(text[s:e])}</mark>')
        pos = e
    out.append(esc(text[pos:end]))
    return "".join(out)


def _sentence_html(x: Extraction, evs: list[Evidence]) -> str:
    parts = []
    for i in sorted({e.sentence for e in evs}):
        s = x.sentences[i]
        marks = [(e.start, e.end) for e in evs if e.sentence == i]
        parts.append(f"<b>s{i + 1}</b> " + highlight_html(x.text, s.start, s.end, marks))
    return "<br>".join(parts)


def field_rows(x: Extraction, fields: dict[str, list[Evidence]]) -> list[dict[str, str]]:
    """One row per field: label, value as read (escaped), how it was read (escaped), and
    its sentence(s) with the words highlighted (escaped HTML)."""
    rows = []
    for name, evs in fields.items():
        if not evs:
            continue
        sep = " → " if name == "places" else ", "
        value = sep.join(dict.fromkeys(e.shown for e in evs))
        notes = "; ".join(dict.fromkeys(e.note for e in evs if e.note))
        how = "; ".join(dict.fromkeys(e.rule for e in evs)) + (f" ({notes})" if notes else "")
        rows.append(
            {
                "field": esc(FIELD_LABELS.get(name, name)),
                "value": esc(value),
                "how": esc(how),
                "sentence": _sentence_html(x, evs),
            }
        )
    return rows


def fields_html(rows: list[dict[str, str]]) -> str:
    """The field rows as an HTML table (every cell already escaped by ``field_rows``)."""
    head = (
        "<tr><th style='text-align:left'>Field</th><th style='text-align:left'>Read as</th>"
        "<th style='text-align:left'>From the report (the words read are marked)</th></tr>"
    )
    body = "".join(
        f"<tr><td style='vertical-align:top;white-space:nowrap'><b>{r['field']}</b></td>"
        f"<td style='vertical-align:top'>{r['value']}<br><small style='color:#666'>{r['how']}"
        f"</small></td><td dir='auto' style='vertical-align:top'>{r['sentence']}</td></tr>"
        for r in rows
    )
    return (
        "<table class='pw-report-fields' style='width:100%;border-collapse:collapse;"
        f"font-size:0.9rem'>{head}{body}</table>"
    )


def candidate_title(c: EventCandidate, ds: DataSet) -> str:
    """'Convoy escort · 22 May 2024 · Qamishli → al-Asadiyah → Alouk water station (both
    ways)' (plain text; escape before showing)."""
    kind = vocab.EVENT_KINDS.get(c.value("kind"), c.value("kind"))
    when = c.fields["date"][0].shown if c.fields.get("date") else "date not given"
    names = dict(zip(ds.places["place_id"], ds.places["name"], strict=True))
    route = " → ".join(names.get(p, p) for p in c.values("places")) or "no place named"
    both = " (both ways)" if c.value("round_trip") else ""
    number = f" · no. {c.value('patrol_number')}" if c.value("patrol_number") else ""
    return f"{kind}{number} · {when} · {route}{both}"


def counts_table(x: Extraction, publisher: str) -> pd.DataFrame:
    """The period counts as read (text columns, shown escaped by the table widget)."""
    rows = []
    for c in x.counts:
        unit = "a month" if c.unit == "per_month" else "in total"
        qual = vocab.PERIOD_QUALIFIERS.get(c.qualifier, c.qualifier)
        rows.append(
            {
                "Count": f"{c.count_low}"
                + (f"–{c.count_high}" if c.count_high != c.count_low else ""),
                "Of": c.metric.replace("_", " "),
                "Per": unit,
                "Qualifier": qual,
                "From": c.period_start or "not given",
                "To": c.period_end or "not given",
                "Attributed to": attribution_line(c, publisher),
                "Sentence": x.sentences[c.sentence].text,
            }
        )
    return pd.DataFrame(rows)


def counts_csv(x: Extraction, source_id: str, credibility: int, theatre: str) -> bytes:
    """The counts as rows of ``period_counts.csv``, for the data set's curator."""
    rows = [
        count_row(c, source_id, credibility, theatre, attribution_line(c, x.meta.publisher))
        for c in x.counts
    ]
    buf = io.StringIO()
    pd.DataFrame(rows).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


def places_table(x: Extraction) -> pd.DataFrame:
    roles = {
        "entry": "entry crossing",
        "base": "base",
        "area": "area named around",
        "route": "on a route",
        "mentioned": "mentioned",
    }
    return pd.DataFrame(
        {
            "Place": [p.name for p in x.places],
            "As": [roles.get(p.role, p.role) for p in x.places],
            "Words": [x.text[p.evidence.start : p.evidence.end] for p in x.places],
            "Sentence": [p.evidence.sentence + 1 for p in x.places],
        }
    )


def attributions_table(x: Extraction) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Who": [a.who for a in x.attributions],
            "Known as": [a.outlet for a in x.attributions],
            "As": [a.kind for a in x.attributions],
            "Sentence": [a.evidence.sentence + 1 for a in x.attributions],
        }
    )


def report_html(x: Extraction) -> str:
    """The whole report, escaped, with every span read marked, one sentence a line."""
    marks: list[tuple[int, int]] = []
    for c in x.events:
        marks += [(e.start, e.end) for evs in c.fields.values() for e in evs]
    for c in x.counts:
        marks += [(e.start, e.end) for evs in c.fields.values() for e in evs]
    marks += [(p.evidence.start, p.evidence.end) for p in x.places]
    marks += [(a.evidence.start, a.evidence.end) for a in x.attributions]
    direction = "rtl" if x.language == "ar" else "ltr"
    lines = [
        f"<b>s{s.index + 1}</b> " + highlight_html(x.text, s.start, s.end, marks)
        for s in x.sentences
    ]
    return f"<div dir='{direction}' style='line-height:1.6'>" + "<br>".join(lines) + "</div>"


# --------------------------------------------------------------------------- state


def _state() -> dict:
    return st.session_state.setdefault(K + "review", {})


def _done(h: str) -> dict[str, str]:
    return _state().setdefault(h, {})


# --------------------------------------------------------------------------- rendering


def render_report_input() -> tuple[str, ReportMeta] | None:
    """Paste or upload a report; returns its text and metadata (prefilled from the file)."""
    paste, upload = st.tabs(["Paste text", "Upload a file"])
    with paste:
        pasted = st.text_area(
            "The report's text (English, Arabic or Turkish)",
            height=180,
            key=K + "paste",
            max_chars=200_000,
        )
    with upload:
        file = st.file_uploader(
            "A .txt, .html or .pdf report", type=["txt", "html", "htm", "pdf"], key=K + "file"
        )
    report = None
    if file is not None:
        try:
            report = read_report(file.name, file.getvalue())
        except ReportError as err:
            st.error(md_escape(str(err)))
            return None
    elif pasted.strip():
        report = text_to_report(pasted)
    if report is None:
        st.info("Paste a report or upload one to read it.")
        return None
    meta = report.meta
    if meta.found:
        st.caption(
            md_escape(
                "Prefilled from the file: " + "; ".join(f"{k} from {v}" for k, v in meta.found)
            )
        )
    h = report_hash(report.text)[:12]
    c1, c2, c3, c4 = st.columns([2, 3, 1.3, 1])
    publisher = c1.text_input("Publisher", meta.publisher, key=f"{K}pub_{h}")
    url = c2.text_input("Link (http…)", meta.url, key=f"{K}url_{h}")
    published = c3.text_input(
        "Published (YYYY-MM-DD)",
        meta.published,
        key=f"{K}date_{h}",
        help="Relative dates ('on Monday', 'last week') are resolved against this day.",
    )
    langs = list(LANGUAGES)
    language = c4.selectbox(
        "Language",
        langs,
        index=langs.index(meta.language) if meta.language in langs else 0,
        format_func=LANGUAGES.get,
        key=f"{K}lang_{h}",
    )
    title = st.text_input("Title", meta.title, key=f"{K}title_{h}")
    new_meta = replace(
        meta,
        publisher=publisher.strip(),
        url=url.strip(),
        published=published.strip(),
        language=language,
        title=title.strip(),
    )
    return report.text, new_meta


def render_source_grade(ds: DataSet, meta: ReportMeta) -> dict[str, str]:
    """How the analyst grades the report as a source (asked once per report)."""
    held = held_source_for(ds, meta.url)
    if held:
        st.caption(md_escape(f"This link is a held source ({held}): it is cited as it is."))
        return {"kind": "", "affiliation": "", "reliability": "", "basis": ""}
    if not meta.url:
        st.warning(
            "Give the report's link above before accepting: a source needs its link (an "
            "http(s) address), so that anyone can read the report again."
        )
    c1, c2, c3 = st.columns(3)
    kind = c1.selectbox(
        "Kind of source",
        list(vocab.SOURCE_KINDS),
        format_func=vocab.SOURCE_KINDS.get,
        index=list(vocab.SOURCE_KINDS).index("local_media"),
        key=K + "src_kind",
    )
    affiliation = c2.selectbox(
        "Affiliation",
        list(vocab.AFFILIATIONS),
        format_func=vocab.AFFILIATIONS.get,
        index=list(vocab.AFFILIATIONS).index("unknown"),
        key=K + "src_aff",
    )
    reliability = c3.selectbox(
        "Reliability (Admiralty)",
        list(vocab.RELIABILITY),
        format_func=lambda g: f"{g}: {vocab.RELIABILITY[g]}",
        index=5,
        key=K + "src_rel",
    )
    basis = st.text_input("Why that grade", key=K + "src_basis")
    return {"kind": kind, "affiliation": affiliation, "reliability": reliability, "basis": basis}


def render_candidates(
    x: Extraction,
    ds: DataSet,
    base: DataSet,
    snapshot: Snapshot,
    store: Store,
    who: Identity | str,
    grade: dict[str, str],
) -> None:
    """Every candidate with its fields and sentences, and the review buttons."""
    h = report_hash(x.text)[:12]
    done = _done(h)
    for note in x.notes:
        st.warning(note)
    st.subheader(f"Events ({len(x.events)})")
    if not x.events:
        st.caption("The report describes no single event the tables recognise.")
    for c in x.events:
        with st.container(border=True, key=f"{K}cand_{h}_{c.cid}"):
            st.markdown(f"**{md_escape(c.cid)}: {md_escape(candidate_title(c, ds))}**")
            if c.cid in done:
                st.success(md_escape(done[c.cid]))
                continue
            st.html(fields_html(field_rows(x, c.fields)))
            line = attribution_line(c, x.meta.publisher)
            if line:
                st.caption(md_escape(line))
            if c.mentioned_actors:
                st.caption(
                    md_escape(
                        "Also named, with no role in this kind of event: "
                        + ", ".join(dict.fromkeys(e.shown for e in c.mentioned_actors))
                    )
                )
            _render_checks_and_review(x, c, ds, base, snapshot, store, who, grade, h)
    st.subheader(f"Period counts ({len(x.counts)})")
    st.caption(
        "Counts a source reports over a period: kept as counts, never turned into events. "
        "The store does not hold counts: download them as rows of period_counts.csv for "
        "the data set."
    )
    if x.counts:
        st.dataframe(counts_table(x, x.meta.publisher), hide_index=True, width="stretch")
        for c in x.counts:
            with st.expander(md_escape(f"{c.cid}: where it was read")):
                st.html(fields_html(field_rows(x, c.fields)))
        sid = _source_id(ds, x.meta)
        st.download_button(
            "Download as period_counts.csv rows",
            data=counts_csv(x, sid, 6, _report_theatre(x)),
            file_name=f"period-counts-{sid}.csv",
            mime="text/csv",
            key=f"{K}counts_{h}",
            on_click="ignore",
        )
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("Places named")
        st.dataframe(places_table(x), hide_index=True, width="stretch")
    with c2:
        st.subheader("Who said it")
        st.dataframe(attributions_table(x), hide_index=True, width="stretch")
    with st.expander("The report, with everything read marked"):
        st.html(report_html(x))


def _report_theatre(x: Extraction) -> str:
    return next((c.value("theatre") for c in x.events if c.value("theatre")), "")


def _source_id(ds: DataSet, meta: ReportMeta) -> str:
    h = _state().get("source_of", {}).get(meta.url or meta.publisher + meta.published)
    if h:
        return h
    record, _ = report_source(ds, meta, kind="", affiliation="", reliability="F", basis="")
    return record["source_id"]


def _source(ds: DataSet, meta: ReportMeta, grade: dict[str, str]) -> tuple[dict, bool]:
    """The report's source record and whether it must be written (once per report)."""
    remembered = _state().setdefault("source_of", {})
    key = meta.url or meta.publisher + meta.published
    sid = remembered.get(key)
    if sid and sid in set(ds.sources["source_id"]):
        return {"source_id": sid}, False
    return report_source(
        ds,
        meta,
        kind=grade["kind"] or "local_media",
        affiliation=grade["affiliation"] or "unknown",
        reliability=grade["reliability"] or "F",
        basis=grade["basis"],
    )


def _write(
    x: Extraction,
    c: EventCandidate,
    ds: DataSet,
    base: DataSet,
    snapshot: Snapshot,
    store: Store,
    who: Identity | str,
    grade: dict[str, str],
    event: dict[str, str],
    version: int,
    action: str,
    h: str,
    source: dict,
    new: bool,
) -> None:
    records = {"events": [event]}
    if new:
        records["sources"] = [source]
    problems = check(base, snapshot, records)
    if problems:
        st.error(md_escape("Not saved. " + " · ".join(problems)))
        return
    sid = source["source_id"]
    try:
        revision = accept(
            store,
            who=who,
            note=audit_note(x, sid, c, action),
            source_id=sid,
            new_source=source if new else None,
            event=event,
            expected_version=version,
        )
    except (ConflictError, StoreError) as err:
        st.error(md_escape(str(err)))
        return
    _state().setdefault("source_of", {})[x.meta.url or x.meta.publisher + x.meta.published] = sid
    _done(h)[c.cid] = f"{action.capitalize()}: event {event['event_id']} (change r{revision})."
    st.rerun()


def _render_checks_and_review(
    x: Extraction,
    c: EventCandidate,
    ds: DataSet,
    base: DataSet,
    snapshot: Snapshot,
    store: Store,
    who: Identity | str,
    grade: dict[str, str],
    h: str,
) -> None:
    conflicts = conflicts_with_held(ds, c)
    for row in conflicts.itertuples():
        st.warning(
            md_escape(
                f"Conflicts with held {row.kind} {row.event_id} ({row.date} to {row.end_date}): "
                f"{row.description}"
            )
        )
    matches = same_as_held(ds, c)
    k = f"{K}{h}_{c.cid}"
    cred = st.selectbox(
        "Credibility of this claim (Admiralty 1–6)",
        list(vocab.CREDIBILITY),
        format_func=lambda g: f"{g}: {vocab.CREDIBILITY[g]}",
        index=5,
        key=f"{k}_cred",
    )
    source, new = _source(ds, x.meta, grade)
    for row in matches.itertuples():
        st.info(
            md_escape(
                f"Looks like held event {row.event_id} ({row.date}, {row.place_names or 'no place'}"
                f"): {clip(row.description, 200)}"
            )
        )
        cited = source["source_id"] in str(row.sources).split("|")
        if cited:
            st.caption(md_escape(f"{row.event_id} already cites this report."))
        elif st.button(f"Add this report to {row.event_id}", key=f"{k}_add_{row.event_id}"):
            values, version = form_values(ds, snapshot, row.event_id)
            event = with_source(values, source["source_id"], int(cred))
            _write(
                x,
                c,
                ds,
                base,
                snapshot,
                store,
                who,
                grade,
                event,
                version,
                f"added as a source of {row.event_id} from",
                h,
                source,
                new,
            )
    record = event_from(ds, x, c, source["source_id"], int(cred))
    b1, b2, _ = st.columns([1, 1, 4])
    if b1.button("Accept", key=f"{k}_accept", type="primary"):
        _write(x, c, ds, base, snapshot, store, who, grade, record, 0, "accepted", h, source, new)
    if b2.button("Reject", key=f"{k}_reject"):
        _done(h)[c.cid] = "Rejected: nothing written."
        st.rerun()
    with st.expander("Edit, then accept"):
        render_edit_form(x, c, ds, base, snapshot, store, who, grade, record, h, source, new)


def render_edit_form(
    x: Extraction,
    c: EventCandidate,
    ds: DataSet,
    base: DataSet,
    snapshot: Snapshot,
    store: Store,
    who: Identity | str,
    grade: dict[str, str],
    values: dict[str, str],
    h: str,
    source: dict,
    new: bool,
) -> None:
    """The candidate in the fields of 'Add or correct an event' (the same function draws
    them), prefilled; saving accepts the edited record, citing the report (same checks,
    same write)."""
    # the fields start again when what the candidate was read as changes (a date given
    # for the report, say); the credibility chosen above does not reset them
    read_as = report_hash(repr(sorted((f, v) for f, v in values.items() if f != "sources")))
    k = f"{K}{h}_{c.cid}_edit_{read_as[:8]}"
    got, slots = render_event_fields(ds, values, k, with_id=False, with_sources=False)
    cited = values["sources"].rsplit(":", 1)
    cred = int(cited[1]) if len(cited) == 2 and cited[1].isdigit() else 6
    st.caption(
        md_escape(
            f"Cites the report ({source['source_id']}) at credibility "
            f"{cred}: {vocab.CREDIBILITY.get(cred, '')} (chosen above)."
        )
    )
    if not st.button("Save and accept", type="primary", key=f"{k}_save"):
        return
    got["sources"] = [(source["source_id"], cred)]
    problems = form_problems(got, actor_names(ds), source_names(ds))
    if problems:
        render_problems(slots, problems)
        st.error("Not saved: each thing to put right is said at its field.")
        return
    record = event_record(got)
    _write(
        x,
        c,
        ds,
        base,
        snapshot,
        store,
        who,
        grade,
        record,
        0,
        "edited and accepted",
        h,
        source,
        new,
    )


def render_reports(
    ds: DataSet, base: DataSet, snapshot: Snapshot, store: Store, who: Identity | str
) -> None:
    """The whole review: the report, how it is graded, and its candidates."""
    got = render_report_input()
    if got is None:
        return
    text, meta = got
    grade = render_source_grade(ds, meta)
    x = extract(text, meta, ds)
    st.caption(
        md_escape(
            f"{len(x.sentences)} sentence(s) read; {len(x.events)} event(s), "
            f"{len(x.counts)} period count(s), {len(x.places)} place mention(s). Nothing "
            "is written until you accept a candidate."
        )
    )
    render_candidates(x, ds, base, snapshot, store, who, grade)
