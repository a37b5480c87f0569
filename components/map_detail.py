"""The detail panel beside the explorer map: the record of what was clicked (an event, a
place or site, a route, an implied track, a zone), with its dates at their precision, actors
and roles, every source with its grade and link, and the claims that conflict with it.

``*_record`` builders are pure (plain text and frames, nothing escaped yet);
``render_record`` shows one with streamlit, escaping every text for Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from components.html import md_escape, md_link, names_text
from data import vocab
from data.eventtext import event_texts
from data.mapview import approximate_places, events_for
from data.model import DataSet
from data.sourcing import citations_for

#: events listed for a clicked place, route, track or cell (the newest first)
MAX_LISTED = 300


@dataclass(frozen=True)
class Record:
    """What the detail panel shows for one clicked object."""

    kind: str
    ident: str
    title: str
    facts: tuple[tuple[str, str], ...] = ()
    actors: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    conflicts: pd.DataFrame = field(default_factory=pd.DataFrame)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    events_total: int = 0
    note: str = ""


def _conflicts(conflicts: pd.DataFrame, subject_type: str, ident: str) -> pd.DataFrame:
    hit = conflicts[
        (conflicts["subject_type"] == subject_type) & (conflicts["subject_id"] == ident)
    ]
    out = conflicts[conflicts["conflict_id"].isin(hit["conflict_id"])]
    return out[["conflict_id", "topic", "subject_id", "claim", "sources_text", "origin"]]


def _sources(ds: DataSet, record_type: str, ident: str) -> pd.DataFrame:
    cites = citations_for(ds, record_type, [ident])
    return cites[["publisher", "grade", "title", "url", "published", "kind", "affiliation"]]


def event_list(ds: DataSet, events: pd.DataFrame) -> pd.DataFrame:
    """Events as short rows for choosing one: event_id and a one-line label."""
    text = event_texts(events.head(MAX_LISTED))
    return pd.DataFrame({"event_id": text.index.to_numpy(), "label": text["label"].to_numpy()})


def _position(place: pd.Series, approx: bool) -> str:
    if not bool(place["placed"]):
        return "not known (no coordinates in the data set)"
    quality = "approximate" if approx else "exact"
    text = (
        f"{place['lat']:.4f}, {place['lon']:.4f} ± {place['precision_m'] / 1000:.1f} km "
        f"({quality}; {place['coord_method']})"
    )
    return text + (f": {place['derivation']}" if place["derivation"] else "")


def event_detail(ds: DataSet, conflicts: pd.DataFrame, event_id: str) -> Record | None:
    """The full record of one event."""
    rows = ds.events[ds.events["event_id"] == event_id]
    if rows.empty:
        return None
    ev = rows.iloc[0]
    text = event_texts(rows).iloc[0]
    routes = dict(zip(ds.routes["route_id"], ds.routes["name"], strict=True))
    theatres = dict(zip(ds.theatres["theatre_id"], ds.theatres["name"], strict=True))
    facts: list[tuple[str, str]] = [
        ("Date", text["date"]),
        ("Kind", text["kind"]),
        ("Status", text["status"]),
        ("Theatre", theatres.get(ev["theatre_id"], ev["theatre_id"])),
    ]
    if ev["route_id"]:
        facts.append(("Route", routes.get(ev["route_id"], ev["route_id"])))
    places = ds.event_places[ds.event_places["event_id"] == event_id].merge(
        ds.places[["place_id", "name", "placed"]], on="place_id", how="left"
    )
    if len(places):
        names = places["name"].fillna(places["place_id"]) + places["placed"].map(
            {True: "", False: " (no position)"}
        ).fillna("")
        facts.append(("Places, in order", " → ".join(names)))
    if pd.notna(ev["location_id"]):
        place = ds.places.set_index("place_id").loc[ev["location_id"]]
        approx = bool(approximate_places(ds.places).get(ev["location_id"], False))
        facts.append(("Drawn at", f"{place['name']}: {_position(place, approx)}"))
    else:
        facts.append(("Drawn at", "nowhere: none of its places has a known position"))
    if ev["patrol_number"]:
        scheme = f" ({ev['number_scheme']} numbering)" if ev["number_scheme"] else ""
        facts.append(("Patrol number", f"{ev['patrol_number']}{scheme}"))
    if pd.notna(ev["vehicles"]):
        facts.append(("Vehicles", str(ev["vehicles"])))
    if pd.notna(ev["distance_km"]):
        facts.append(("Distance", f"{ev['distance_km']:g} km"))
    if ev["milestone"]:
        facts.append(("Milestone", ev["milestone"]))
    facts.append(("What happened", text["description"]))
    facts.append(("Best source grade", f"{ev['best_reliability']} ({ev['n_sources']} source(s))"))

    names = dict(zip(ds.actors["actor_id"], ds.actors["name"], strict=True))
    ea = ds.event_actors[ds.event_actors["event_id"] == event_id]
    actors = pd.DataFrame(
        {
            "Actor": ea["actor_id"].map(names).fillna(ea["actor_id"]).to_numpy(),
            "Role": ea["role"].map(vocab.ROLES).fillna(ea["role"]).to_numpy(),
            "Rolls up to": ea["root_name"].fillna("").to_numpy(),
        }
    )
    return Record(
        kind="event",
        ident=event_id,
        title=f"{text['kind']}, {text['when']}",
        facts=tuple(facts),
        actors=actors,
        sources=_sources(ds, "event", event_id),
        conflicts=_conflicts(conflicts, "event", event_id),
    )


def place_record(
    ds: DataSet,
    conflicts: pd.DataFrame,
    events: pd.DataFrame,
    place_id: str,
    *,
    sites: pd.DataFrame | None = None,
    kind: str = "place",
) -> Record | None:
    """A place or site, with the filtered events that name it (``kind='place'``) or that
    are drawn at it (``kind='events'``, a clicked event marker)."""
    rows = ds.places[ds.places["place_id"] == place_id]
    if rows.empty:
        return None
    p = rows.iloc[0]
    approx = bool(approximate_places(ds.places).get(place_id, False))
    facts: list[tuple[str, str]] = [
        ("Kind", vocab.PLACE_KINDS.get(p["kind"], p["kind"])),
        ("Position", _position(p, approx)),
    ]
    if p["alt_names"]:
        facts.append(("Also written", names_text(p["alt_names"])))
    if p["operator_id"]:
        names = dict(zip(ds.actors["actor_id"], ds.actors["name"], strict=True))
        facts.append(("Operated by", names.get(p["operator_id"], p["operator_id"])))
    if p["active_from"] or p["active_to"]:
        facts.append(("Active", f"{p['active_from'] or '?'} – {p['active_to'] or 'open'}"))
    if sites is not None:
        shown = sites[sites["place_id"] == place_id]
        if len(shown):
            s = shown.iloc[0]
            start = s["shown_from"].strftime("%-d %b %Y") if pd.notna(s["shown_from"]) else "start"
            end = s["shown_to"].strftime("%-d %b %Y") if pd.notna(s["shown_to"]) else "end"
            facts.append(("Shown on the map for", f"{start} – {end}"))
    if p["note"]:
        facts.append(("Note", p["note"]))
    hit = events_for(ds, events, kind, place_id)
    label = "Events drawn here" if kind == "events" else "Events naming it"
    facts.append((f"{label} (this selection)", f"{len(hit):,}"))
    return Record(
        kind=kind,
        ident=place_id,
        title=str(p["name"]),
        facts=tuple(facts),
        sources=_sources(ds, "place", place_id),
        conflicts=_conflicts(conflicts, "place", place_id),
        events=event_list(ds, hit),
        events_total=len(hit),
    )


def route_record(
    ds: DataSet, conflicts: pd.DataFrame, events: pd.DataFrame, route_id: str
) -> Record | None:
    """A route, with the filtered events that ran it."""
    rows = ds.routes[ds.routes["route_id"] == route_id]
    if rows.empty:
        return None
    r = rows.iloc[0]
    names = dict(zip(ds.places["place_id"], ds.places["name"], strict=True))
    wp = ds.route_waypoints[ds.route_waypoints["route_id"] == route_id].sort_values("seq")
    waypoints = " → ".join(
        names.get(pid, pid) + ("" if placed else " (no position)")
        for pid, placed in zip(wp["place_id"], wp["placed"], strict=True)
    )
    hit = events_for(ds, events, "route", route_id)
    facts: list[tuple[str, str]] = [
        ("Kind", vocab.ROUTE_KINDS.get(r["kind"], r["kind"])),
        ("Waypoints, in the direction drawn", waypoints),
        ("Entry crossing", names.get(r["entry_id"], r["entry_id"]) if r["entry_id"] else "none"),
        ("Starts from", ", ".join(names.get(b, b) for b in r["base_ids"]) or "not recorded"),
        (
            "Geometry",
            f"{r['geometry_method']}; {r['n_placed']} of {r['n_waypoints']} waypoints placed; "
            f"{r['length_km']:.0f} km",
        ),
        ("Events on it (this selection)", f"{len(hit):,}"),
        ("Description", r["description"]),
    ]
    return Record(
        kind="route",
        ident=route_id,
        title=str(r["name"]),
        facts=tuple(facts),
        sources=_sources(ds, "route", route_id),
        conflicts=_conflicts(conflicts, "route", route_id),
        events=event_list(ds, hit),
        events_total=len(hit),
    )


def group_record(ds: DataSet, events: pd.DataFrame, kind: str, ident: str) -> Record:
    """An implied track, or a grid cell of events or visits: the events behind it."""
    hit = events_for(ds, events, kind, ident)
    if kind == "track":
        names = dict(zip(ds.places["place_id"], ds.places["name"], strict=True))
        title = " → ".join(names.get(p, p) for p in ident.split(">"))
        note = (
            "No route is recorded for these events (or it cannot be drawn): the line runs "
            "through the places their sources name, in that order. Each event has its own "
            "sources."
        )
    else:
        title = "Grid cell of places"
        note = "Many places: events are drawn per grid cell; pick one below."
    return Record(
        kind=kind,
        ident=ident,
        title=title,
        facts=(("Events (this selection)", f"{len(hit):,}"),),
        events=event_list(ds, hit),
        events_total=len(hit),
        note=note,
    )


def zone_record(ds: DataSet, zones: dict, zone_id: str) -> Record | None:
    """A zone of an agreement (or the border it is drawn from): what it is and how drawn."""
    found = [
        f["properties"] for f in zones.get("features", []) if f["properties"]["zone_id"] == zone_id
    ]
    if not found:
        return None
    p = found[0]
    facts: list[tuple[str, str]] = []
    if p.get("width_km"):
        facts.append(("Width", f"{p['width_km']:g} km from the border"))
    if p.get("description"):
        facts.append(("What the agreement says", p["description"]))
    facts.append(("How it is drawn", p.get("derivation", "")))
    cited = [c.split(":") for c in str(p.get("sources", "")).split("|") if c]
    src = ds.sources[ds.sources["source_id"].isin([c[0] for c in cited])].copy()
    cred = {c[0]: c[-1] for c in cited}
    src["grade"] = src["reliability"] + src["source_id"].map(cred).fillna("")
    return Record(
        kind="zone",
        ident=zone_id,
        title=str(p["label"]),
        facts=tuple(facts),
        sources=src[["publisher", "grade", "title", "url", "published", "kind", "affiliation"]],
    )


def record_for(
    ds: DataSet,
    conflicts: pd.DataFrame,
    events: pd.DataFrame,
    ref: tuple[str, str],
    *,
    sites: pd.DataFrame | None = None,
    zones: dict | None = None,
) -> Record | None:
    """The record for a clicked map object's (kind, id); None if it is not in the data."""
    kind, ident = ref
    if kind in ("events", "place"):
        return place_record(ds, conflicts, events, ident, sites=sites, kind=kind)
    if kind == "route":
        return route_record(ds, conflicts, events, ident)
    if kind in ("track", "cell", "vcell"):
        return group_record(ds, events, kind, ident)
    if kind == "zone":
        return zone_record(ds, zones or {}, ident)
    return None


# --------------------------------------------------------------------------- as Markdown


def facts_markdown(rec: Record) -> str:
    """The record's facts as Markdown lines, every value escaped."""
    return "  \n".join(f"**{md_escape(k)}:** {md_escape(v)}" for k, v in rec.facts)


def sources_markdown(sources: pd.DataFrame) -> str:
    """One Markdown bullet per source: grade, publisher (linked), title, date."""
    if sources.empty:
        return ""
    lines = []
    for s in sources.itertuples(index=False):
        published = f", {md_escape(s.published)}" if s.published else ""
        lines.append(
            f"- **{md_escape(s.grade)}** {md_link(s.url, s.publisher)}: "
            f"{md_escape(s.title)}{published}"
        )
    return "\n".join(lines)


def conflicts_markdown(conflicts: pd.DataFrame) -> str:
    """Each disagreement with its sides, escaped."""
    lines = []
    for cid, sides in conflicts.groupby("conflict_id", sort=False):
        del cid
        lines.append(f"- **{md_escape(sides['topic'].iloc[0])}**")
        for s in sides.itertuples(index=False):
            lines.append(f"    - {md_escape(s.claim)} ({md_escape(s.sources_text)})")
    return "\n".join(lines)


def render_record(rec: Record, *, heading: bool = True) -> None:
    """Show a record: title, facts, actors, sources, conflicts (all text escaped)."""
    if heading:
        st.markdown(f"#### {md_escape(rec.title)}")
    if rec.note:
        st.caption(rec.note)
    if rec.facts:
        st.markdown(facts_markdown(rec))
    if not rec.actors.empty:
        st.markdown("**Actors and roles**")
        st.dataframe(rec.actors, hide_index=True, width="stretch")
    if not rec.sources.empty:
        st.markdown(
            f"**Sources ({len(rec.sources)})** · grade = source reliability A–F, "
            "information credibility 1–6"
        )
        st.markdown(sources_markdown(rec.sources))
    elif rec.kind in ("event", "place", "route", "zone"):
        st.caption("No source is cited for this record.")
    if not rec.conflicts.empty:
        st.markdown("**Claims that conflict**")
        st.markdown(conflicts_markdown(rec.conflicts))
