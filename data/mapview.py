"""What every map draws (Overview, How often, the Map explorer, the briefing), computed from
the filtered events: routes with how often they were run, tracks implied by events' places,
visits per village and town, events per place with how precisely each place is known (and
the newest of them, for popups), and the sites active in the window.

Everything is aggregated here, on the server, so the map sent to the browser grows with the
number of places (or grid cells past ``GRID_THRESHOLD`` of them) and routes, never with the
number of events. Pure pandas, vectorised; no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data import vocab
from data.eventindex import named_places, places_of
from data.frames import arrow_order, join_ordered, member
from data.model import DataSet

#: kinds of event that run along a route: patrols, escorted convoys and missions
MOVEMENT_KINDS: tuple[str, ...] = (*vocab.PATROL_KINDS, "convoy_escort", "humanitarian_mission")
#: statuses of a run that counts (cancelled and disputed ones do not)
COUNTED_STATUSES: tuple[str, ...] = ("carried_out", "announced")
#: place kinds whose visits are counted
SETTLEMENT_KINDS: tuple[str, ...] = ("city", "town", "village")
#: the one rule by which route runs and visits are counted (said in every map's legend)
COUNTING_RULE = (
    "A run is a patrol, escorted convoy or mission carried out or announced (cancelled and "
    "disputed ones do not count). A route's runs are the runs recorded on it; a village's or "
    "town's visits are the runs that name it or run a route through it, each run once."
)
#: a place known only to within more than this many metres is approximate
APPROX_M = 2500.0
#: past this many distinct places, events and visits are binned to a grid: cells of
#: GRID_DEG degrees, doubled until there are at most MAX_CELLS of them
GRID_THRESHOLD = 1500
GRID_DEG = 0.05
MAX_CELLS = 600
#: at most this many implied tracks are drawn (the most run first)
MAX_TRACKS = 150

MARKER_COLUMNS = [
    "key",
    "lat",
    "lon",
    "n",
    "precision_m",
    "approx",
    "name",
    "label",
    "latest",
    "places",
]


@dataclass(frozen=True)
class MapView:
    """Everything the explorer map draws, and what it cannot draw.

    routes   one row per route in scope: route_id, name, kind, coords, runs, drawable, …
    tracks   tracks implied by events' places: key, coords, names, runs
    visits   villages and towns passed by patrols: key, name, lat, lon, visits, places
    markers  events per place (or grid cell): see ``MARKER_COLUMNS``
    sites    bases, crossings, checkpoints, water stations active in the window
    """

    routes: pd.DataFrame
    tracks: pd.DataFrame
    visits: pd.DataFrame
    markers: pd.DataFrame
    sites: pd.DataFrame
    events: int
    placed: int
    no_place_named: int
    places_unplaced: int
    approximate: int
    hidden_approximate: int
    tracks_more: int
    visits_unplaced: int
    sites_unplaced: int
    binned: bool
    grid_deg: float | None
    window_start: pd.Timestamp | None
    window_end: pd.Timestamp | None

    @cached_property
    def drawable_routes(self) -> pd.DataFrame:
        """The routes with at least two placed waypoints (the explorer draws them all)."""
        return self.routes[self.routes["drawable"].to_numpy(dtype=bool)]

    @cached_property
    def drawn_routes(self) -> pd.DataFrame:
        """The drawable routes an event of the selection names (what the overview's map
        draws). Worked out once per view: the map, its frame, its legend and its summary
        all ask."""
        r = self.drawable_routes
        return r[(r["events"] > 0).to_numpy(dtype=bool)]


def index_in(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """Position of each of ``values`` in ``keys`` (-1 where absent), computed by pyarrow:
    a lookup that stays fast on Arrow-backed strings, where ``map`` and ``join`` hash every
    string in Python."""
    left = pa.array(values.astype("str"), from_pandas=True)
    right = pa.array(keys.astype("str"), from_pandas=True).cast(left.type)
    found = pc.fill_null(pc.index_in(left, value_set=right), -1)
    return np.asarray(found, dtype=np.int64)


def runs(events: pd.DataFrame) -> pd.DataFrame:
    """The events that count as a run along a route: patrols, convoy escorts and missions,
    carried out or announced; their ``event_id`` and ``route_id``, all a run is read by (the
    rows of every column would be taken: ~0.3 GB for a million events, on every map)."""
    counted = events["kind"].isin(MOVEMENT_KINDS) & events["status"].isin(COUNTED_STATUSES)
    return events.loc[counted, ["event_id", "route_id"]]


def approximate_places(places: pd.DataFrame) -> pd.Series:
    """Per place id: True where its position is approximate (derived from "about N km from
    X", or known only to within more than ``APPROX_M`` metres)."""
    approx = (places["coord_method"] == "derived") | (places["precision_m"] > APPROX_M)
    return pd.Series(approx.to_numpy(), index=places["place_id"].to_numpy())


def approximate_events(ds: DataSet, events: pd.DataFrame) -> pd.Series:
    """Per event (aligned to ``events``): True where the place it is drawn at is approximate;
    False where it is exact or not placed at all."""
    flags = approximate_places(ds.places).to_numpy(dtype=bool)
    at = index_in(events["location_id"], ds.places["place_id"])
    out = np.where(at >= 0, flags[np.maximum(at, 0)], False)
    return pd.Series(out, index=events.index, dtype=bool)


def places_in_theatres(ds: DataSet, theatres: tuple[str, ...]) -> set[str]:
    """Every place an event or route of these theatres names (waypoints, entries, bases)."""
    ev = ds.events.loc[ds.events["theatre_id"].isin(theatres), "event_id"]
    ids = set(ds.event_places.loc[_places_of(ds, ev), "place_id"])
    rt = ds.routes[ds.routes["theatre_id"].isin(theatres)]
    ids |= set(
        ds.route_waypoints.loc[ds.route_waypoints["route_id"].isin(rt["route_id"]), "place_id"]
    )
    ids |= set(rt["base_ids"].explode().dropna())
    ids |= set(rt["entry_id"])
    return ids - {""}


# --------------------------------------------------------------------------- routes


def route_runs(
    ds: DataSet,
    events: pd.DataFrame,
    *,
    theatres: tuple[str, ...] = (),
    routes: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The routes in scope (theatres and routes filters), each with ``runs``: how many of the
    filtered events ran it (see :func:`runs`), and ``events``: how many filtered events of
    any kind name it. ``drawable`` routes have at least two placed waypoints."""
    counted = runs(events)
    per_route = counted.loc[counted["route_id"] != "", "route_id"].value_counts()
    rt = ds.routes
    keep = pd.Series(True, index=rt.index)
    if theatres:
        keep &= rt["theatre_id"].isin(theatres)
    if routes:
        keep &= rt["route_id"].isin(routes)
    per_route_events = events.loc[events["route_id"] != "", "route_id"].value_counts()
    out = rt[keep].copy()
    out["runs"] = out["route_id"].map(per_route).fillna(0).astype(int)
    out["events"] = out["route_id"].map(per_route_events).fillna(0).astype(int)
    out["drawable"] = out["n_placed"] >= 2
    return out.reset_index(drop=True)


def _places_of(ds: DataSet, event_ids: pd.Series) -> np.ndarray | pd.Series:
    """Per row of ``ds.event_places``: whether it is a place of one of these events."""
    hit = places_of(ds, event_ids)
    return member(ds.event_places["event_id"], event_ids) if hit is None else hit


def _placed_sequences(ds: DataSet, event_ids: pd.Series) -> pd.DataFrame:
    """The placed places of these events in order, consecutive repeats dropped, for events
    with at least two such places: event_id, seq, place_id, lat, lon, name."""
    ep = ds.event_places[_places_of(ds, event_ids)]
    at = index_in(ep["place_id"], ds.places["place_id"])
    placed = ds.places["placed"].to_numpy(dtype=bool)
    keep = (at >= 0) & placed[np.maximum(at, 0)]
    ep, at = ep[keep], at[keep]
    ep = ep.assign(
        lat=ds.places["lat"].to_numpy()[at],
        lon=ds.places["lon"].to_numpy()[at],
        name=ds.places["name"].to_numpy()[at],
    )
    ep = ep.iloc[arrow_order(ep, ["event_id", "seq"])]  # each (event, seq) once: a total order
    same_event = ep["event_id"] == ep["event_id"].shift()
    # a place repeated, or another place at the very same point, adds no segment
    repeat = same_event & (ep["lat"] == ep["lat"].shift()) & (ep["lon"] == ep["lon"].shift())
    ep = ep[~repeat]
    size = ep.groupby("event_id")["place_id"].transform("size")
    return ep[size >= 2]


def _track_candidates(ds: DataSet, events: pd.DataFrame) -> pd.DataFrame:
    counted = runs(events)
    drawable = ds.routes.loc[ds.routes["n_placed"] >= 2, "route_id"]
    return counted[~counted["route_id"].isin(drawable)]


def track_keys(ds: DataSet, events: pd.DataFrame) -> pd.Series:
    """Per event whose route is not known (or cannot be drawn) but whose places are: the
    key of its implied track ('place>place>…'), indexed by event id."""
    seq = _placed_sequences(ds, _track_candidates(ds, events)["event_id"])
    if seq.empty:
        return pd.Series(dtype="str")
    return join_ordered(seq["event_id"], seq["place_id"], ">")


def implied_tracks(
    ds: DataSet, events: pd.DataFrame, limit: int = MAX_TRACKS
) -> tuple[pd.DataFrame, int]:
    """Tracks drawn through the places of runs whose track is not known, in the order the
    places are given; identical sequences are one track with ``runs`` events. The ``limit``
    most run are returned, with how many more there were."""
    columns = ["key", "runs", "coords", "names"]
    every = _placed_sequences(ds, _track_candidates(ds, events)["event_id"])
    if every.empty:
        return pd.DataFrame(columns=columns), 0
    keys = join_ordered(every["event_id"], every["place_id"], ">")
    counts = keys.value_counts()
    top = counts.head(limit)
    first = keys[keys.isin(top.index)]
    first = first[~first.duplicated()]  # one event per track gives its coordinates
    seq = every[member(every["event_id"], first.index.to_series())]
    names = join_ordered(seq["event_id"], seq["name"], " → ")
    # ``every`` is in (event, seq) order: each event's places are one run of rows
    ids = seq["event_id"].to_numpy(dtype=object)
    lat, lon = seq["lat"].to_numpy(dtype=float).tolist(), seq["lon"].to_numpy(dtype=float).tolist()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]).tolist()
    coords = {
        ids[a]: tuple(zip(lat[a:b], lon[a:b], strict=True))
        for a, b in zip(starts, [*starts[1:], len(ids)], strict=True)
    }  # ≤ limit tracks
    out = pd.DataFrame(
        {
            "key": first.to_numpy(),
            "runs": first.map(counts).to_numpy(),
            "coords": [coords[e] for e in first.index],
            "names": first.index.map(names),
        }
    )
    return out.sort_values("runs", ascending=False, kind="stable").reset_index(drop=True), int(
        len(counts) - len(top)
    )


# --------------------------------------------------------------------------- places


def grid_size(lat: pd.Series, lon: pd.Series, max_cells: int = MAX_CELLS) -> float:
    """The cell size in degrees (GRID_DEG, doubled as often as needed) that bins these
    points into at most ``max_cells`` cells."""
    deg = GRID_DEG
    la, lo = lat.to_numpy(float), lon.to_numpy(float)
    while True:
        cells = np.round(la / deg) * 1e6 + np.round(lo / deg)
        if len(np.unique(cells)) <= max_cells or deg >= 10:
            return deg
        deg *= 2


def _cell_key(lat: pd.Series, lon: pd.Series, deg: float) -> pd.Series:
    """'<size>:<row>:<col>' of each point's grid cell (the size makes the key self-contained)."""
    return (
        f"{deg:g}:"
        + (lat / deg).round().astype(int).astype(str)
        + ":"
        + (lon / deg).round().astype(int).astype(str)
    )


def _key_deg(ident: str) -> float:
    try:
        return float(ident.split(":")[0])
    except ValueError:
        return GRID_DEG


def run_places(ds: DataSet, events: pd.DataFrame) -> pd.DataFrame:
    """(event_id, place_id) of every place a run passes (see :func:`runs`): the places it
    names and the waypoints of the route it ran, each pair once. The one rule behind visits,
    so that a town on a route run five times shows at least five visits."""
    counted = runs(events)
    named = ds.event_places.loc[_places_of(ds, counted["event_id"]), ["event_id", "place_id"]]
    on_route = counted.loc[counted["route_id"] != "", ["event_id", "route_id"]]
    waypoints = ds.route_waypoints[["route_id", "place_id"]]
    routed = on_route.merge(waypoints, on="route_id")[["event_id", "place_id"]]
    both = pd.concat([named, routed], ignore_index=True)
    return both.drop_duplicates(["event_id", "place_id"]).reset_index(drop=True)


def _visits_per_place(ds: DataSet, events: pd.DataFrame) -> np.ndarray | None:
    """Per row of ``ds.places``: how many runs passed it, each (run, place) pair once, as
    ``run_places(ds, events)["place_id"].value_counts()`` counts them, on integer codes
    (a run's, a place's position) instead of the text pairs. None when place ids repeat."""
    places = ds.places["place_id"]
    if not places.is_unique:
        return None
    n_places = len(places)
    counted = runs(events)
    index = ds.event_index
    hit = _places_of(ds, counted["event_id"])
    hit = hit.to_numpy(dtype=bool) if isinstance(hit, pd.Series) else hit
    named_place = index.place_of_rows[hit]
    run_pos = index.positions(counted["event_id"])
    if run_pos is not None:  # runs coded by their rows of ds.events
        named_run = index.place_rows[hit]
    else:  # by their ids (the first run of an id stands for it)
        run_pos = index_in(counted["event_id"], counted["event_id"])
        named_run = index_in(ds.event_places["event_id"][hit], counted["event_id"])
    # the waypoints of each run's route (as a join on the waypoints' route ids)
    on_route = (counted["route_id"] != "").to_numpy(dtype=bool)
    wp = ds.route_waypoints
    route_ids = wp["route_id"].drop_duplicates()
    route_at = index_in(counted["route_id"][on_route], route_ids)
    wp_route = index_in(wp["route_id"], route_ids)
    wp_place = index_in(wp["place_id"], places)
    keep = wp_route >= 0
    wp_route, wp_place = wp_route[keep], wp_place[keep]
    order = np.argsort(wp_route, kind="stable")
    wp_route, wp_place = wp_route[order], wp_place[order]
    offsets = np.zeros(len(route_ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(wp_route, minlength=len(route_ids)), out=offsets[1:])
    runs_on = run_pos[on_route][route_at >= 0]
    route_at = route_at[route_at >= 0]
    sizes = offsets[route_at + 1] - offsets[route_at]
    firsts = np.repeat(offsets[route_at] - np.cumsum(sizes) + sizes, sizes)
    routed_place = wp_place[firsts + np.arange(int(sizes.sum()))]
    routed_run = np.repeat(runs_on, sizes)
    run = np.concatenate([named_run, routed_run])
    place = np.concatenate([named_place, routed_place])
    known = (place >= 0) & (run >= 0)
    # each (run, place) pair once: sorted, then the first of each run of equal codes (what
    # ``np.unique`` gives; its hash table takes ~3 s for the ~6 M pairs of a million runs,
    # the sort ~0.4 s)
    pairs = run[known].astype(np.int64) * n_places + place[known]
    pairs.sort()
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    return np.bincount(pairs % n_places, minlength=n_places)


def place_visits(ds: DataSet, events: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """How many runs (see :data:`COUNTING_RULE`) passed each village, town and city, and
    how many visited settlements have no position. Columns: key (place id, or grid cell past
    ``GRID_THRESHOLD``), name, lat, lon, visits, places (how many places it stands for)."""
    columns = ["key", "name", "lat", "lon", "visits", "places"]
    per_place = _visits_per_place(ds, events)
    if per_place is None:  # places whose ids repeat: by their ids
        visits = run_places(ds, events)["place_id"].value_counts()
        at = index_in(ds.places["place_id"], visits.index.to_series())
        visited = ds.places["kind"].isin(SETTLEMENT_KINDS).to_numpy() & (at >= 0)
        counts = visits.to_numpy()[at[visited]]
    else:
        visited = ds.places["kind"].isin(SETTLEMENT_KINDS).to_numpy() & (per_place > 0)
        counts = per_place[visited]
    pl = ds.places[visited]
    unplaced = int((~pl["placed"]).sum())
    counts = counts[pl["placed"].to_numpy(dtype=bool)]
    pl = pl[pl["placed"]]
    if pl.empty:
        return pd.DataFrame(columns=columns), unplaced
    out = pd.DataFrame(
        {
            "key": pl["place_id"].to_numpy(),
            "name": pl["name"].to_numpy(),
            "lat": pl["lat"].to_numpy(),
            "lon": pl["lon"].to_numpy(),
            "visits": counts.astype(int),
            "places": 1,
        }
    )
    if len(out) > GRID_THRESHOLD:
        deg = grid_size(out["lat"], out["lon"])
        out["key"] = "cell:" + _cell_key(out["lat"], out["lon"], deg)
        out = (
            out.groupby("key", sort=False)
            .agg(
                lat=("lat", "mean"),
                lon=("lon", "mean"),
                visits=("visits", "sum"),
                places=("places", "sum"),
            )
            .reset_index()
        )
        out["name"] = out["places"].astype(str) + " places"
        out = out[columns]
    return out.sort_values("visits", ascending=False, kind="stable").reset_index(
        drop=True
    ), unplaced


#: at most this many events are listed per marker's popup, and about POPUP_BUDGET in all
POPUP_EVENTS = 8
POPUP_BUDGET = 1200


def _factorize(keys: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of text keys as an object array (codes in order of first
    appearance, uniques as Python strings), by pyarrow's dictionary encoding when no key
    is missing: the keys are not turned into Python strings one by one."""
    if keys.dtype == "str" and not keys.isna().any():
        arr = pa.array(keys, from_pandas=True)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        encoded = pc.dictionary_encode(arr)
        codes = np.asarray(encoded.indices, dtype=np.intp)
        return codes, np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    return pd.factorize(np.asarray(keys.to_numpy(), dtype=object), sort=False)


def _text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`_factorize` of a text column with no value missing (codes, uniques); None
    for any other column."""
    if values.dtype != "str" or values.isna().any():
        return None
    return _factorize(values)


#: what :func:`event_markers` reads of each event
_MARKER_INPUTS = (
    "event_id",
    "lat",
    "lon",
    "location_id",
    "location_precision_m",
    "location_name",
    "actor_label",
    "start",
)


def event_markers(ds: DataSet, events: pd.DataFrame, *, latest: int = 0) -> pd.DataFrame:
    """The placed events grouped into one marker per place (past ``GRID_THRESHOLD``
    distinct places: per grid cell and precision). Columns: see ``MARKER_COLUMNS``; ``key``
    is the place id, or 'cell:<size>:<row>:<col>:<a|e>' for a grid cell of approximate or exact
    positions; ``precision_m`` is the place's precision radius (a cell's widest);
    ``label`` the actor group with most events there; ``latest`` its latest event's start.
    With ``latest`` > 0 a column ``event_ids`` holds the ids of each marker's newest events,
    newest first: up to ``latest``, fewer when there are many markers, so that about
    ``POPUP_BUDGET`` are listed in all."""
    keep = events["placed"].to_numpy(dtype=bool)
    # the placed rows of the columns read here only (of every column: a copy of most of the
    # frame, ~0.3 GB for a million events); all of them as they are when all are placed
    placed = (
        events
        if keep.all()
        else events.loc[keep, [c for c in _MARKER_INPUTS if c in events.columns]]
    )
    if placed.empty:
        return pd.DataFrame(columns=MARKER_COLUMNS)
    approx = approximate_events(ds, placed)
    binned = placed["location_id"].nunique() > GRID_THRESHOLD
    if binned:
        deg = grid_size(placed["lat"], placed["lon"])
        cell = _cell_key(placed["lat"], placed["lon"], deg)
        key = "cell:" + cell + ":" + np.where(approx, "a", "e")
    else:
        key = placed["location_id"]
    # the text columns as integer codes where none is missing (then ``first`` and
    # ``nunique`` of the codes are those of the texts): a million placed events are not
    # turned into Python strings, three columns of them, to be grouped
    name = _text_codes(placed["location_name"])
    place = _text_codes(placed["location_id"])
    label = _text_codes(placed["actor_label"])
    # grouped by integer codes of the keys (in order of first appearance, as
    # ``groupby(sort=False)`` orders groups): hashing the text keys once, not per aggregate;
    # per place, the place ids' codes are the keys'
    codes, uniques = place if place is not None and not binned else _factorize(key)
    frame = pd.DataFrame(
        {
            "key": codes,
            "lat": placed["lat"].to_numpy(),
            "lon": placed["lon"].to_numpy(),
            "precision_m": placed["location_precision_m"].to_numpy(),
            "approx": approx.to_numpy(),
            "name": placed["location_name"].to_numpy() if name is None else name[0],
            "location_id": placed["location_id"].to_numpy() if place is None else place[0],
            "label": placed["actor_label"].to_numpy() if label is None else label[0],
            "start": placed["start"].to_numpy(),
        }
    )
    grouped = frame.groupby("key", sort=False)
    # one plain reduction per column (named aggregations cost twice as much on small sets)
    out = pd.DataFrame(
        {
            "lat": grouped["lat"].mean(),
            "lon": grouped["lon"].mean(),
            "n": grouped.size(),
            "precision_m": grouped["precision_m"].max(),
            "approx": grouped["approx"].any(),
            "name": grouped["name"].first(),
            "latest": grouped["start"].max(),
            "places": grouped["location_id"].nunique(),
        }
    )
    dominant = (
        frame.groupby(["key", "label"], sort=False)
        .size()
        .sort_values(ascending=False, kind="stable")
        .reset_index()
        .drop_duplicates("key")
        .set_index("key")["label"]
    )
    if label is not None:
        dominant = pd.Series(label[1][dominant.to_numpy()], index=dominant.index)
    if name is not None:
        out["name"] = name[1][out["name"].to_numpy()]
    out["label"] = dominant
    if binned:
        out["name"] = out["places"].astype(str) + " places"
    out = out.reset_index()
    out["key"] = uniques[out["key"].to_numpy()]
    out = out[MARKER_COLUMNS]
    if latest > 0:
        per_marker = max(2, min(latest, POPUP_BUDGET // max(len(out), 1)))
        # newest first (a stable sort of the starts alone), then each marker's first rows
        order = (
            pd.Series(frame["start"].to_numpy())
            .sort_values(ascending=False, kind="stable")
            .index.to_numpy()
        )
        in_order = codes[order]
        rank = pd.Series(in_order).groupby(in_order, sort=False).cumcount().to_numpy()
        kept = order[rank < per_marker]
        event_ids = placed["event_id"].to_numpy(dtype=object)[kept]
        ids = _ids_per_key(pd.Series(codes[kept]), pd.Series(event_ids, dtype=object))
        out["event_ids"] = out["key"].map(ids.set_axis(uniques[ids.index.to_numpy(int)]))
    out.attrs["binned"] = binned
    out.attrs["grid_deg"] = deg if binned else None
    return out.sort_values("n", ascending=False, kind="stable").reset_index(drop=True)


def _ids_per_key(keys: pd.Series, ids: pd.Series) -> pd.Series:
    """A tuple of ``ids`` per key, in the order given, indexed by key: what
    ``groupby(keys)[ids].agg(tuple)`` gives, split from one stable sort rather than built by
    a Python call per group."""
    codes, uniques = pd.factorize(keys.to_numpy(), sort=False)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    bounds = np.flatnonzero(np.diff(sorted_codes)) + 1
    chunks = np.split(ids.to_numpy(dtype=object)[order], bounds)
    firsts = sorted_codes[np.r_[0, bounds]] if len(sorted_codes) else sorted_codes
    return pd.Series([tuple(c) for c in chunks] if len(order) else [], index=uniques[firsts])


def _active_overlap(
    places: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(active in the window, first day shown, last day shown) per place."""
    active_from = places["active_from_date"]
    active_to = places["active_to_date"]
    keep = pd.Series(True, index=places.index)
    if end is not None:
        keep &= active_from.isna() | (active_from <= end)
    if start is not None:
        keep &= active_to.isna() | (active_to >= start)
    shown_from = active_from if start is None else active_from.where(active_from > start, start)
    shown_to = active_to if end is None else active_to.where(active_to < end, end)
    if start is not None:
        shown_from = shown_from.fillna(start)
    if end is not None:
        shown_to = shown_to.fillna(end)
    return keep, shown_from, shown_to


def active_sites(
    ds: DataSet,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    theatres: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Bases, airports, crossings, checkpoints and water stations active at some point of
    [start, end] (an open end or unknown date counts as active), in the theatres' scope.
    Adds ``shown_from``/``shown_to`` (the part of the window in which the site was active)
    and ``operator_root`` (the top-level actor operating it, for its colour)."""
    places = ds.places[ds.places["kind"].isin(vocab.SITE_KINDS)]
    keep, shown_from, shown_to = _active_overlap(places, start, end)
    if theatres:
        keep &= places["place_id"].isin(places_in_theatres(ds, theatres))
    out = places[keep].copy()
    out["shown_from"] = shown_from[keep]
    out["shown_to"] = shown_to[keep]
    roots = dict(zip(ds.actors["actor_id"], ds.actors["root_name"], strict=True))
    out["operator_root"] = out["operator_id"].map(roots).fillna("")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- the whole view


#: the event columns the map needs (selecting them first makes every row filter cheaper):
#: what the markers read, and what runs and the counts read
_USED_COLUMNS = (*_MARKER_INPUTS, "kind", "status", "route_id", "placed")


def build_map_view(
    ds: DataSet,
    events: pd.DataFrame,
    *,
    window_start: pd.Timestamp | None = None,
    window_end: pd.Timestamp | None = None,
    theatres: tuple[str, ...] = (),
    routes: tuple[str, ...] = (),
    precise_only: bool = False,
    detail: bool = True,
    popup_events: int = 0,
) -> MapView:
    """Everything a map draws for the filtered ``events``: the one aggregation behind every
    map. ``precise_only`` keeps only events placed exactly among the event markers (routes,
    tracks and visits still count every run). ``detail=False`` skips the implied tracks and
    the visits (a map that draws neither); ``popup_events`` > 0 lists each marker's newest
    events (see ``event_markers``)."""
    events = events[[c for c in _USED_COLUMNS if c in events.columns]]  # no copy: a view
    approx = approximate_events(ds, events)
    markers_from = events[events["placed"] & ~approx] if precise_only else events
    markers = event_markers(ds, markers_from, latest=popup_events)
    if detail:
        tracks, more = implied_tracks(ds, events)
        visits, visits_unplaced = place_visits(ds, events)
    else:
        tracks, more = pd.DataFrame(columns=["key", "runs", "coords", "names"]), 0
        visits = pd.DataFrame(columns=["key", "name", "lat", "lon", "visits", "places"])
        visits_unplaced = 0
    sites = active_sites(ds, window_start, window_end, theatres)
    named = named_places(ds, events["event_id"])
    if named is None:  # not rows of the data set's events: by their ids
        named = member(events["event_id"], ds.event_places["event_id"]).to_numpy()
    placed = events["placed"].to_numpy(dtype=bool)
    return MapView(
        routes=route_runs(ds, events, theatres=theatres, routes=routes),
        tracks=tracks,
        visits=visits,
        markers=markers,
        sites=sites[sites["placed"]].reset_index(drop=True),
        events=len(events),
        placed=int(events["placed"].sum()),
        no_place_named=int((~named).sum()),
        places_unplaced=int((named & ~placed).sum()),
        approximate=int(approx.sum()),
        hidden_approximate=int(approx.sum()) if precise_only else 0,
        tracks_more=more,
        visits_unplaced=visits_unplaced,
        sites_unplaced=int((~sites["placed"]).sum()),
        binned=bool(markers.attrs.get("binned", False)),
        grid_deg=markers.attrs.get("grid_deg"),
        window_start=window_start,
        window_end=window_end,
    )


# --------------------------------------------------------------------------- what a click hits


def events_for(ds: DataSet, events: pd.DataFrame, kind: str, ident: str) -> pd.DataFrame:
    """The filtered events behind a clicked map object, newest first: ``events`` (a place's
    marker), ``cell`` (a grid cell 'size:row:col:a|e'), ``track`` (an implied track's key),
    ``route``, ``place`` (every event naming the place) and ``vcell`` (every event naming a
    village or town in a grid cell of the visits layer)."""
    if kind == "events":
        hit = events[events["location_id"] == ident]
    elif kind == "cell":
        parts = ident.split(":")
        placed = events[events["placed"]]
        cell = _cell_key(placed["lat"], placed["lon"], _key_deg(ident))
        approx = approximate_events(ds, placed)
        want = ":".join(parts[:3])
        flag = approx if parts[-1] == "a" else ~approx
        hit = placed[(cell == want) & flag]
    elif kind == "track":
        keys = track_keys(ds, events)
        hit = events[member(events["event_id"], keys.index[keys == ident])]
    elif kind == "route":
        hit = events[events["route_id"] == ident]
    elif kind == "place":
        named = ds.event_places.loc[ds.event_places["place_id"] == ident, "event_id"]
        passed = run_places(ds, events)
        named = pd.concat([named, passed.loc[passed["place_id"] == ident, "event_id"]])
        hit = events[member(events["event_id"], named)]
    elif kind == "vcell":
        pl = ds.places[ds.places["placed"] & ds.places["kind"].isin(SETTLEMENT_KINDS)]
        inside = pl.loc[_cell_key(pl["lat"], pl["lon"], _key_deg(ident)) == ident, "place_id"]
        named = ds.event_places.loc[member(ds.event_places["place_id"], inside), "event_id"]
        passed = run_places(ds, events)
        named = pd.concat([named, passed.loc[member(passed["place_id"], inside), "event_id"]])
        hit = events[member(events["event_id"], named)]
    else:
        hit = events.iloc[0:0]
    return hit.sort_values(["start", "event_id"], ascending=[False, True], kind="stable")
