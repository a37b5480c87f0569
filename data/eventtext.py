"""How an event reads, in words: the one place its date, kind, status, number, actors and
description are put into text, for a map's popup and tooltip and for the detail panel.

Plain text, nothing escaped: the map's builders escape it for HTML (``components.html``),
the detail panel for Markdown. Column-wise, so a popup layer of a thousand events costs one
pass.
"""

from __future__ import annotations

import pandas as pd

from data import vocab
from data.dates import format_at_precision
from data.model import DataSet

#: the columns of ``event_texts``
TEXT_COLUMNS = ("when", "date", "kind", "status", "number", "actors", "description", "label")


def event_texts(events: pd.DataFrame) -> pd.DataFrame:
    """Per event, indexed by event id:

    when         its first day at its precision ('3 Feb 2020', 'Mar 2020', 'Q1 2020')
    date         ``when`` with the precision and the end: '3 Feb 2020 (day precision)
                 until 9 Feb 2020'
    kind, status in words
    number       'no. 4' or ''
    actors       'Blue forces (patrolling), Red forces (patrolling)'
    description  as recorded
    label        one line for choosing it from a list: when · kind · actors' group · no.
    """
    if events.empty:
        return pd.DataFrame(columns=list(TEXT_COLUMNS), index=pd.Index([], name="event_id"))
    ev = events.set_index("event_id")
    when = format_at_precision(ev["start"], ev["date_precision"])
    until = (" until " + ev["end"].dt.strftime("%-d %b %Y")).where(ev["end_date"] != "", "")
    kind = ev["kind"].map(vocab.EVENT_KINDS).fillna(ev["kind"])
    number = ("no. " + ev["patrol_number"].astype("str")).where(ev["patrol_number"] != "", "")
    return pd.DataFrame(
        {
            "when": when,
            "date": when + " (" + ev["date_precision"] + " precision)" + until.fillna(""),
            "kind": kind,
            "status": ev["status"].map(vocab.EVENT_STATUSES).fillna(ev["status"]),
            "number": number,
            "actors": ev["actors_text"].fillna(""),
            "description": ev["description"].fillna(""),
            "label": when
            + " · "
            + kind
            + " · "
            + ev["actor_label"].fillna("")
            + (" · " + number).where(number != "", ""),
        },
        index=ev.index,
    )


def event_text(ds: DataSet, event_id: str) -> pd.Series | None:
    """``event_texts`` of one event of the data set, or None if it is not there."""
    rows = ds.events[ds.events["event_id"] == event_id]
    return None if rows.empty else event_texts(rows).iloc[0]
