"""Who said what: the sources behind records, and the claims that disagree.

Conflicts come from two places, both kept claim by claim, never merged:
- declared: rows of ``conflicts.csv``, written by whoever curated the data;
- detected: a patrol reported inside a suspension that another source reports (the
  April 2024 patrol against the Turkish MoD's halt from 5 Oct 2023 to 22 Aug 2024).
"""

from __future__ import annotations

import pandas as pd

from data import vocab
from data.eventindex import citations_of
from data.frames import arrow_order, join_ordered, member
from data.mapview import index_in
from data.model import DataSet

CITATION_COLUMNS = [
    "record_type",
    "record_id",
    "source_id",
    "publisher",
    "title",
    "url",
    "published",
    "kind",
    "affiliation",
    "reliability",
    "credibility",
    "grade",
]


def citations_for(ds: DataSet, record_type: str, record_ids: pd.Series | list[str]) -> pd.DataFrame:
    """The sources cited for these records, best graded first, with the Admiralty grade
    ('B2': source reliability B, information credibility 2)."""
    hit = citations_of(ds, record_ids) if record_type == "event" else None
    if hit is not None:
        cites = ds.citations[hit]
    else:  # by their ids, among the citations of that type of record
        of_type = ds.citations.take(ds.event_index.citations_of_type(record_type))
        cites = of_type[member(of_type["record_id"], record_ids)]
    out = _with_sources(cites, ds.sources)
    out["grade"] = out["reliability"] + out["credibility"].astype(str)
    order = arrow_order(out, ["record_id", "reliability_rank", "credibility"])
    return out.iloc[order][CITATION_COLUMNS]


#: the columns of a source that a citation's row reads
_SOURCE_COLUMNS = [c for c in CITATION_COLUMNS if c not in ("record_type", "record_id", "grade")]


def _with_sources(cites: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """``cites.merge(sources, on="source_id", how="left")`` for the columns a citation row
    reads (and ``reliability_rank``), by position: every source is looked up once by
    pyarrow instead of a hash join of the text keys. The merge itself when a source id
    is missing or repeated (its result's types then differ)."""
    wanted = [c for c in (*_SOURCE_COLUMNS, "reliability_rank") if c in sources.columns]
    at = index_in(cites["source_id"], sources["source_id"])
    if not sources["source_id"].is_unique or (at < 0).any() or "credibility" not in cites:
        return cites.merge(sources, on="source_id", how="left")
    index = pd.RangeIndex(len(cites))
    columns = {c: cites[c].set_axis(index) for c in cites.columns}
    for col in wanted:
        if col in columns:
            continue
        values = sources[col]
        columns[col] = pd.Series(values.array.take(at), index=index, dtype=values.dtype)
    return pd.DataFrame(columns, index=index)


def sources_text(ds: DataSet, record_type: str, record_ids: pd.Series) -> pd.Series:
    """Per record: 'TASS (B2); SOHR (C3)', indexed by record id."""
    return citations_text(citations_for(ds, record_type, record_ids))


def citations_text(cites: pd.DataFrame) -> pd.Series:
    """``sources_text`` of citations already looked up (``citations_for``)."""
    return join_ordered(cites["record_id"], cites["publisher"] + " (" + cites["grade"] + ")", "; ")


def _declared(ds: DataSet) -> pd.DataFrame:
    c = ds.conflicts.copy()
    c["origin"] = "declared"
    return c[["conflict_id", "topic", "origin", "subject_type", "subject_id", "claim", "sources"]]


def _event_sources(ds: DataSet) -> pd.Series:
    ev = ds.citations[ds.citations["record_type"] == "event"]
    return join_ordered(ev["record_id"], ev["source_id"] + ":" + ev["credibility"].astype(str), "|")


def detect_suspension_conflicts(ds: DataSet) -> pd.DataFrame:
    """Patrols (carried out, announced or disputed) whose date window falls wholly inside a
    reported suspension of the same theatre, the suspension running from its date to its
    end date. Each pair gives two claims: the patrol's and the suspension's."""
    ev = ds.events
    halts = (ev["kind"] == "suspension") & ev["end_date"].ne("")
    patrols = ev["kind"].isin(vocab.PATROL_KINDS) & ev["status"].isin(
        ["carried_out", "announced", "disputed"]
    )
    if not halts.any() or not patrols.any():
        return pd.DataFrame(columns=list(_declared(ds).columns))
    # every patrol meets every suspension of its theatre: only the columns a claim needs,
    # taken before the rows (the rows of every column: ~1 s at a million events)
    needed = ev[["event_id", "theatre_id", "start", "end", "description"]]
    pairs = needed[patrols].merge(needed[halts], on="theatre_id", suffixes=("", "_s"))
    # strictly after the day the halt began and before the day patrols resumed
    inside = (pairs["start"] > pairs["start_s"]) & (pairs["end"] < pairs["end_s"])
    pairs = pairs[inside]
    if pairs.empty:
        return pd.DataFrame(columns=list(_declared(ds).columns))
    src = _event_sources(ds)
    cid = "detected:" + pairs["event_id"] + ":" + pairs["event_id_s"]
    topic = "Patrol reported during a reported suspension"
    patrol_side = pd.DataFrame(
        {
            "conflict_id": cid,
            "topic": topic,
            "origin": "detected",
            "subject_type": "event",
            "subject_id": pairs["event_id"],
            "claim": pairs["description"],
            "sources": pairs["event_id"].map(src).fillna(""),
        }
    )
    halt_side = pd.DataFrame(
        {
            "conflict_id": cid,
            "topic": topic,
            "origin": "detected",
            "subject_type": "event",
            "subject_id": pairs["event_id_s"],
            "claim": pairs["description_s"],
            "sources": pairs["event_id_s"].map(src).fillna(""),
        }
    )
    return pd.concat([patrol_side, halt_side], ignore_index=True)


def list_conflicts(ds: DataSet) -> pd.DataFrame:
    """Every disagreement, one row per claim. A detected conflict between two records that a
    declared conflict already sets side by side is not listed twice."""
    declared = _declared(ds)
    detected = detect_suspension_conflicts(ds)
    if not detected.empty:
        pairs_declared = declared.groupby("conflict_id")["subject_id"].agg(frozenset)
        pairs_detected = detected.groupby("conflict_id")["subject_id"].agg(frozenset)
        dup = pairs_detected[pairs_detected.isin(set(pairs_declared))].index
        detected = detected[~detected["conflict_id"].isin(dup)]
    out = pd.concat([declared, detected], ignore_index=True)
    readable = out["sources"].str.split("|").map(lambda xs: [x.split(":")[0] for x in xs if x])
    pubs = dict(zip(ds.sources["source_id"], ds.sources["publisher"], strict=True))
    grades = dict(zip(ds.sources["source_id"], ds.sources["reliability"], strict=True))
    creds = out["sources"].str.split("|").map(lambda xs: [x.split(":")[-1] for x in xs if x])
    out["sources_text"] = [
        "; ".join(
            f"{pubs.get(s, s)} ({grades.get(s, '?')}{c})" for s, c in zip(ss, cs, strict=True)
        )
        for ss, cs in zip(readable, creds, strict=True)
    ]
    return out


def claims_involving(
    conflicts: pd.DataFrame, subject_type: str, subject_ids: pd.Series | list[str]
) -> pd.DataFrame:
    """From a ``list_conflicts`` frame: all claims of every conflict that involves one of
    these records (both sides, so a disagreement is never shown half)."""
    hit = conflicts[
        (conflicts["subject_type"] == subject_type) & member(conflicts["subject_id"], subject_ids)
    ]
    return conflicts[conflicts["conflict_id"].isin(hit["conflict_id"])]


def conflicts_for(
    ds: DataSet, subject_type: str, subject_ids: pd.Series | list[str]
) -> pd.DataFrame:
    """All claims of every conflict that involves one of these records."""
    return claims_involving(list_conflicts(ds), subject_type, subject_ids)
