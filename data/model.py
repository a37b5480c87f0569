"""The loaded data set: tidy frames, one per kind of record, plus the long tables that
link them. Built by ``data.load``; read by the pure filters and aggregations.

A ``DataSet`` is never mutated after it is built (the cached copy is shared by every
session of the server).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from data.eventindex import EventIndex


@dataclass(frozen=True)
class DataSet:
    """Every record of one data set.

    events         one row per event: window ``start``/``end``, precision, kind, status, the
                   first placed place's ``lat``/``lon``/``location_precision_m``, ``actor_label``
                   (rolled-up actors, e.g. "Russia + Turkey"), ``best_reliability``
    event_actors   event_id, actor_id, role, root_id (the top-level actor it rolls up to)
    event_places   event_id, seq, place_id (the ordered places it passed)
    citations      record_type, record_id, source_id, credibility
    sources        source_id, publisher, title, url, … reliability (A–F), reliability_rank (1–6)
    actors         actor_id, name, kind, parent_id, root_id, aliases, color
    places         place_id, name, alt_names, kind, lat, lon, precision_m, coord_method, …
    routes         route_id, name, theatre_id, kind, entry_id, base_ids, coords (derived), …
    route_waypoints route_id, seq, place_id, placed
    period_counts  count_id, metric, period_start, period_end, count_low, count_high, unit, …
    conflicts      conflict_id, topic, subject_type, subject_id, claim, sources
    theatres       theatre_id, name, description
    """

    name: str
    version: str
    events: pd.DataFrame
    event_actors: pd.DataFrame
    event_places: pd.DataFrame
    citations: pd.DataFrame
    sources: pd.DataFrame
    actors: pd.DataFrame
    places: pd.DataFrame
    routes: pd.DataFrame
    route_waypoints: pd.DataFrame
    period_counts: pd.DataFrame
    conflicts: pd.DataFrame
    theatres: pd.DataFrame
    meta: dict[str, str] = field(default_factory=dict)

    @cached_property
    def event_index(self) -> EventIndex:
        """Where the long tables' rows name each event (``data.eventindex``), kept with the
        data set (a cached attribute, not a field: never part of its identity or files)."""
        from data.eventindex import EventIndex

        return EventIndex(self)

    @cached_property
    def count_source_labels(self) -> pd.Series:
        """Per period count id, its best-graded source as 'publisher, grade' (what a
        reported count is labelled with), worked out once for the whole data set."""
        from data.aggregate import first_source_labels

        return first_source_labels(self, self.period_counts["count_id"])

    @property
    def label(self) -> str:
        """'name vVERSION', as printed on exports."""
        return f"{self.name} v{self.version}"
