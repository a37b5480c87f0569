"""Controlled vocabularies of the data model, shared by the schema, filters and views.

Pure data: no pandas, no streamlit. Labels are what an analyst reads; ids are what files hold.
"""

from __future__ import annotations

EVENT_KINDS: dict[str, str] = {
    "joint_patrol": "Joint patrol",
    "single_patrol": "Single-army patrol",
    "convoy_escort": "Convoy escort",
    "humanitarian_mission": "Humanitarian mission",
    "water_cut": "Water cut",
    "water_restored": "Water restored",
    "agreement": "Agreement",
    "suspension": "Suspension",
    "resumption": "Resumption",
    "cancellation": "Cancellation",
    "incident": "Incident",
    "base_change": "Base change",
}

#: kinds that count as a patrol in "patrols counted", frequencies and gaps
PATROL_KINDS: tuple[str, ...] = ("joint_patrol", "single_patrol")

#: kinds drawn as milestones on timelines even without a label
MILESTONE_KINDS: tuple[str, ...] = ("agreement", "suspension", "resumption")

EVENT_STATUSES: dict[str, str] = {
    "announced": "Announced",
    "carried_out": "Carried out",
    "cancelled": "Cancelled",
    "disputed": "Disputed",
}

ROLES: dict[str, str] = {
    "patrolling": "patrolling",
    "escort": "escort",
    "escorted": "escorted",
    "target": "target",
    "party": "party",
    "operator": "operator",
    "perpetrator": "perpetrator",
    "mediator": "mediator",
}

ACTOR_KINDS: dict[str, str] = {
    "state_forces": "State forces",
    "armed_group": "Armed group",
    "un_agency": "UN agency",
    "ngo": "NGO",
    "ministry": "Ministry",
    "media": "Media",
    "authority": "Authority",
}

PLACE_KINDS: dict[str, str] = {
    "city": "City",
    "town": "Town",
    "village": "Village",
    "base": "Base",
    "airport": "Airport",
    "border_crossing": "Border crossing",
    "water_station": "Water station",
    "checkpoint": "Checkpoint",
}

#: place kinds drawn as sites (icons) rather than settlements
SITE_KINDS: tuple[str, ...] = ("base", "airport", "border_crossing", "water_station", "checkpoint")

COORD_METHODS: tuple[str, ...] = ("published", "derived", "unplaced")

SOURCE_KINDS: dict[str, str] = {
    "official_statement": "Official statement",
    "news_agency": "News agency",
    "local_media": "Local media",
    "monitor": "Monitor",
    "think_tank": "Think tank",
    "encyclopedia": "Encyclopedia",
    "dataset": "Data set",
    "blog": "Blog",
}

AFFILIATIONS: dict[str, str] = {
    "turkey": "Turkey",
    "russia": "Russia",
    "syria_gov": "Syrian government",
    "sdf_aanes": "SDF / AANES",
    "syrian_opposition": "Syrian opposition",
    "un": "United Nations",
    "independent": "Independent",
    "unknown": "Unknown",
}

#: Admiralty source reliability, best first
RELIABILITY: dict[str, str] = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}

#: Admiralty information credibility, per claim
CREDIBILITY: dict[int, str] = {
    1: "Confirmed by other sources",
    2: "Probably true",
    3: "Possibly true",
    4: "Doubtful",
    5: "Improbable",
    6: "Truth cannot be judged",
}

DATE_PRECISIONS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")

ROUTE_KINDS: dict[str, str] = {
    "patrol_track": "Patrol track",
    "humanitarian_route": "Humanitarian route",
    "escort_corridor": "Escort corridor",
}

PERIOD_UNITS: tuple[str, ...] = ("total", "per_month")

PERIOD_QUALIFIERS: dict[str, str] = {
    "exact": "exact",
    "at_least": "at least",
    "about": "about",
    "range": "range",
    "cumulative_ordinal": "cumulative ordinal",
    "derived": "derived",
    "unconfirmed": "unconfirmed",
}

SUBJECT_TYPES: tuple[str, ...] = ("event", "place", "period_count", "route", "source", "actor")
