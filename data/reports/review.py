"""Candidates checked against what is held, and turned into store records once the
analyst accepts them.

- ``conflicts_with_held``: a patrol reported inside a suspension another source reports
  (or a suspension that holds reported patrols), by the same rule as the Sources page
  (``data.sourcing.detect_suspension_conflicts``), before anything is written;
- ``same_as_held``: held events of the same kind whose dates overlap and whose places
  meet (or that name none): offered as "add this source to the held event";
- ``report_source``: the report as a source row (or the held source with the same URL);
- ``event_from``: an accepted candidate as an event record citing the report;
- ``with_source``: a held event's record with the report added to its sources;
- ``accept``: write the records in one change whose note says which report and which
  sentences they came from (the audit trail keeps it).
Pure: no streamlit.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

import pandas as pd

from data import vocab
from data.auth import Identity
from data.dates import date_window
from data.model import DataSet
from data.records import ID_COLUMN, check_records
from data.reports.extract import CountCandidate, EventCandidate, Extraction
from data.reports.text import ReportMeta
from data.sourcing import detect_suspension_conflicts
from data.store import Change, Snapshot, Store

CANDIDATE_ID = "candidate-from-report"


def _window(written: str) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    if not written:
        return None, None
    start, end = date_window(pd.Series([written]))
    s, e = start.iloc[0], end.iloc[0]
    return (None, None) if pd.isna(s) else (s, e)


def _candidate_row(ds: DataSet, c: EventCandidate, description: str) -> pd.DataFrame | None:
    start, end = _window(c.value("date"))
    theatre = c.value("theatre")
    if start is None or not theatre:
        return None
    row = {col: "" for col in ds.events.columns}
    row.update(
        event_id=CANDIDATE_ID,
        theatre_id=theatre,
        date=c.value("date"),
        end_date="",
        kind=c.value("kind"),
        status=c.value("status"),
        description=description,
        start=start,
        end=end,
    )
    return pd.DataFrame([row]).astype(
        {"start": ds.events["start"].dtype, "end": ds.events["end"].dtype}
    )


def conflicts_with_held(ds: DataSet, c: EventCandidate, description: str = "") -> pd.DataFrame:
    """The held records this candidate would disagree with: one row per held claim
    (event_id, kind, date, end_date, description, sources), empty if none."""
    cols = ["event_id", "kind", "date", "end_date", "description", "sources"]
    row = _candidate_row(ds, c, description or "the report's claim")
    if row is None:
        return pd.DataFrame(columns=cols)
    trial = replace(ds, events=pd.concat([ds.events, row], ignore_index=True))
    found = detect_suspension_conflicts(trial)
    if found.empty:
        return pd.DataFrame(columns=cols)
    mine = found[found["conflict_id"].str.contains(CANDIDATE_ID, regex=False)]
    other = mine[mine["subject_id"] != CANDIDATE_ID]
    held = ds.events.set_index("event_id")
    out = pd.DataFrame(
        {
            "event_id": other["subject_id"].to_numpy(),
            "kind": other["subject_id"].map(held["kind"]).to_numpy(),
            "date": other["subject_id"].map(held["date"]).to_numpy(),
            "end_date": other["subject_id"].map(held["end_date"]).to_numpy(),
            "description": other["claim"].to_numpy(),
            "sources": other["sources"].to_numpy(),
        }
    )
    return out.drop_duplicates(subset="event_id").reset_index(drop=True)


def same_as_held(ds: DataSet, c: EventCandidate) -> pd.DataFrame:
    """Held events that look like this one: the same kind, overlapping dates, and places
    in common (or no places on one side). Columns: event_id, date, kind, place_names,
    description, sources (ids)."""
    cols = ["event_id", "date", "kind", "place_names", "description", "sources"]
    start, end = _window(c.value("date"))
    if start is None or not c.value("kind"):
        return pd.DataFrame(columns=cols)
    ev = ds.events
    hit = ev[(ev["kind"] == c.value("kind")) & (ev["start"] <= end) & (ev["end"] >= start)]
    theatre = c.value("theatre")
    if theatre:
        hit = hit[hit["theatre_id"] == theatre]
    mine = set(c.values("places"))
    if mine and len(hit):
        ep = ds.event_places[ds.event_places["event_id"].isin(hit["event_id"])]
        theirs = ep.groupby("event_id")["place_id"].agg(set)
        meets = hit["event_id"].map(lambda e: not theirs.get(e) or bool(theirs.get(e) & mine))
        hit = hit[meets.astype(bool)]
    number = c.value("patrol_number")
    if number and len(hit):  # two different numbers are two patrols
        held_no = hit["patrol_number"].fillna("").astype(str)
        hit = hit[(held_no == "") | (held_no == number)]
    cites = ds.citations[ds.citations["record_type"] == "event"]
    srcs = cites.groupby("record_id")["source_id"].agg(lambda s: "|".join(s))
    out = hit.assign(sources=hit["event_id"].map(srcs).fillna(""))
    return out.reindex(columns=cols).fillna("").reset_index(drop=True)


# --------------------------------------------------------------------------- records


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:40].strip("-")


def report_hash(text: str) -> str:
    """The report text's sha256 (hex)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def held_source_for(ds: DataSet, url: str) -> str:
    """The id of a held source with the same URL (scheme, 'www.', '/amp' and a trailing
    slash set aside), or ''."""

    def key(u: str) -> str:
        u = re.sub(r"^https?://(www\.)?", "", str(u).strip().casefold())
        return re.sub(r"(/amp)?/?$", "", u)

    if not url.strip():
        return ""
    k = key(url)
    hit = ds.sources[ds.sources["url"].map(key) == k]
    return str(hit["source_id"].iloc[0]) if len(hit) else ""


def report_source(
    ds: DataSet,
    meta: ReportMeta,
    *,
    kind: str,
    affiliation: str,
    reliability: str,
    basis: str,
) -> tuple[dict[str, str], bool]:
    """The report as a source record, and whether it is new. A held source with the same
    URL is reused (not written again)."""
    held = held_source_for(ds, meta.url)
    if held:
        row = ds.sources[ds.sources["source_id"] == held].iloc[0]
        return {c: str(row[c]) for c in ("source_id", "publisher", "title", "url")}, False
    base = "-".join(p for p in (_slug(meta.publisher) or "report", meta.published) if p)
    taken = set(ds.sources["source_id"])
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}-{n}", n + 1
    record = {
        "source_id": sid,
        "publisher": meta.publisher.strip(),
        "title": (meta.title or "Report").strip(),
        "url": meta.url.strip(),
        "published": meta.published.strip(),
        "language": (meta.language or "").strip().lower(),
        "kind": kind,
        "affiliation": affiliation,
        "reliability": reliability,
        "reliability_basis": basis.strip() or "graded by the analyst on reading the report",
    }
    return record, True


def attribution_line(c: EventCandidate | CountCandidate, publisher: str) -> str:
    """'According to TASS; Major General Yury Popov (reported by Enab Baladi).'"""
    names: list[str] = []
    for a in c.attributions:
        name = a.outlet or a.who
        if name and not any(name in n or n in name for n in names):
            names.append(name)
    by = f"reported by {publisher}" if publisher else ""
    if names:
        return f"According to {'; '.join(names)}" + (f" ({by})." if by else ".")
    return f"{by[0].upper()}{by[1:]}." if by else ""


def event_description(x: Extraction, c: EventCandidate, limit: int = 900) -> str:
    """What happened, as the report says it: its sentences, then who said it."""
    text = " ".join(x.sentences[i].text for i in c.sentences)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    extra = []
    if c.value("round_trip"):
        extra.append("Both ways.")
    if c.value("helicopters"):
        extra.append(f"Helicopters: {c.value('helicopters')}.")
    line = attribution_line(c, x.meta.publisher)
    return " ".join([text, *extra, line]).strip()


def event_from(
    ds: DataSet, x: Extraction, c: EventCandidate, source_id: str, credibility: int
) -> dict[str, str]:
    """The candidate as an event record citing the report (blank where the text is)."""
    date = c.value("date")
    kind = c.value("kind")
    taken = set(ds.events["event_id"])
    base = f"ev-{date.lower()}-{kind.replace('_', '-')}" if date else f"ev-report-{kind}"
    eid, n = base, 2
    while eid in taken:
        eid, n = f"{base}-{n}", n + 1
    return {
        "event_id": eid,
        "theatre_id": c.value("theatre"),
        "date": date,
        "date_precision": c.precision if date else "",
        "end_date": "",
        "kind": kind,
        "status": c.value("status"),
        "actors": "|".join(c.values("actors")),
        "places": "|".join(c.values("places")),
        "route_id": c.value("route"),
        "patrol_number": c.value("patrol_number"),
        "number_scheme": c.value("number_scheme"),
        "vehicles": c.value("vehicles"),
        "distance_km": "",
        "description": event_description(x, c),
        "milestone": "",
        "sources": f"{source_id}:{credibility}",
    }


def with_source(values: dict[str, str], source_id: str, credibility: int) -> dict[str, str]:
    """A held event's record with the report added to its sources (unchanged if cited)."""
    cited = [s for s in values.get("sources", "").split("|") if s]
    if any(s.rsplit(":", 1)[0] == source_id for s in cited):
        return dict(values)
    return {**values, "sources": "|".join([*cited, f"{source_id}:{credibility}"])}


def count_row(
    c: CountCandidate, source_id: str, credibility: int, theatre: str, note: str
) -> dict[str, str]:
    """A period count as a row of ``period_counts.csv`` (the store does not hold counts:
    the analyst adds the row to the data set's files)."""
    return {
        "count_id": f"pc-{source_id}-{c.cid}",
        "theatre_id": theatre,
        "metric": c.metric,
        "event_kind": c.event_kind,
        "scope": "",
        "route_ids": "",
        "period_start": c.period_start,
        "period_end": c.period_end,
        "count_low": str(c.count_low),
        "count_high": str(c.count_high),
        "unit": c.unit,
        "qualifier": c.qualifier,
        "sources": f"{source_id}:{credibility}",
        "note": note,
    }


def check(base: DataSet, snapshot: Snapshot, records: dict[str, list[dict[str, str]]]) -> list[str]:
    """Problems of these records beside everything held ('kind id, field: reason'), the
    same checks as the form and the importers."""
    merged = snapshot.texts()
    for table, rows in records.items():
        id_col = ID_COLUMN[table]
        ids = {r[id_col] for r in rows}
        held = merged.get(table, pd.DataFrame())
        if len(held):
            held = held[~held[id_col].isin(ids)]
        merged[table] = pd.concat([held, pd.DataFrame(rows)], ignore_index=True)
    mine = {(t, r[ID_COLUMN[t]]) for t, rows in records.items() for r in rows}
    return [str(p) for p in check_records(base, merged) if (p.table, p.record_id) in mine]


def audit_note(x: Extraction, source_id: str, c: EventCandidate, action: str) -> str:
    """The change's note: which report, which candidate, which sentence gave which field."""
    parts = []
    for name, evs in c.fields.items():
        sentences = sorted({e.sentence + 1 for e in evs})
        parts.append(f"{name} s{','.join(map(str, sentences))}")
    where = x.meta.url or x.meta.publisher or "pasted text"
    return (
        f"from report {source_id} ({where}; sha256 {report_hash(x.text)[:12]}): "
        f"{action} {c.cid}; fields from sentences: {'; '.join(parts)}"
    )


def accept(
    store: Store,
    *,
    who: Identity | str,
    note: str,
    source_id: str,
    new_source: dict[str, str] | None,
    event: dict[str, str],
    expected_version: int = 0,
) -> int:
    """Write the report's source (if new) and the event in one change; an event already
    in the store (``expected_version`` > 0) is updated, anything else inserted (a shipped
    event's id makes it a correction of that event). Returns the new revision."""
    changes = []
    if new_source is not None:
        changes.append(Change("sources", new_source["source_id"], "insert", new_source))
    action = "update" if expected_version else "insert"
    changes.append(Change("events", event["event_id"], action, event, expected_version))
    return store.apply(changes, who=who, note=note, origin=f"report:{source_id}")


def kind_label(kind: str) -> str:
    return vocab.EVENT_KINDS.get(kind, kind or "—")
