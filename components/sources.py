"""Tables of sources and of conflicting claims."""

from __future__ import annotations

import pandas as pd

from data import vocab
from data.model import DataSet


def source_table(ds: DataSet) -> pd.DataFrame:
    """Every source with its grade, kind, affiliation and how many records cite it."""
    cited = ds.citations.groupby("source_id").size()
    s = ds.sources.sort_values(["reliability_rank", "publisher"])
    return pd.DataFrame(
        {
            "Publisher": s["publisher"],
            "Title": s["title"],
            "Published": s["published"],
            "Kind": s["kind"].map(vocab.SOURCE_KINDS),
            "Affiliation": s["affiliation"].map(vocab.AFFILIATIONS),
            "Language": s["language"],
            "Reliability": s["reliability"] + " – " + s["reliability"].map(vocab.RELIABILITY),
            "Why this grade": s["reliability_basis"],
            "Records citing it": s["source_id"].map(cited).fillna(0).astype(int),
            "Link": s["url"],
        }
    ).reset_index(drop=True)


def conflict_table(conflicts: pd.DataFrame) -> pd.DataFrame:
    """One row per claim, grouped by the disagreement it belongs to."""
    c = conflicts.sort_values(["conflict_id"], kind="stable")
    return pd.DataFrame(
        {
            "Topic": c["topic"],
            "About": c["subject_type"] + " " + c["subject_id"],
            "Claim": c["claim"],
            "Sources (grade)": c["sources_text"],
            "Listed as": c["origin"],
        }
    ).reset_index(drop=True)
