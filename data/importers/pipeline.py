"""From an uploaded file to a preview, and from a confirmed preview to the store.

``preview_import`` reads the file (refusing a bad file whole), resolves the places and
actors it names against ours, checks every record exactly as the shipped files are checked,
and sorts the records into: to add, to update, unchanged (already held: re-importing a file
adds nothing twice), shipped (already in the shipped data set), refused (row, field,
reason). Nothing is written. ``apply_import`` writes a preview's additions and updates in
one transaction, or nothing. Pure but for ``apply_import``'s write.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data import vocab
from data.auth import Identity
from data.dates import date_window
from data.frames import join_ordered
from data.importers.base import (
    CONTROL_CHARS,
    Decisions,
    ImportLimits,
    ImportOptions,
    ImportRefused,
    Parsed,
    RowProblem,
    file_hash,
    records_frame,
    short_hash,
    slugify,
    visible,
)
from data.importers.gazetteer import match_names, nearest_places, places_along
from data.model import DataSet
from data.records import (
    COLUMNS,
    ID_COLUMN,
    KIND,
    TABLES,
    canonical,
    check_records,
    event_texts,
    row_hashes,
)
from data.store import Change, Snapshot, Store

Progress = Callable[[float, str], None]

log = logging.getLogger(__name__)

#: colours for new top-level actors (Okabe-Ito, then Tableau 10), first unused wins
PALETTE = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1",
    "#FF9DA7", "#9C755F", "#BAB0AC",
)  # fmt: skip


@dataclass(frozen=True)
class ImportContext:
    """What a file is checked against: the shipped data set, the store's records, and the
    two together (what the app shows: the gazetteer and the actors to match)."""

    base: DataSet
    snapshot: Snapshot
    current: DataSet


@dataclass
class ImportPreview:
    """What importing a file would do. Nothing has been written."""

    file_name: str
    file_hash: str
    format: str
    rows: int
    row_unit: str
    revision: int
    notes: list[str] = field(default_factory=list)
    #: one row per record: table, kind, record_id, action, rows, expected_version, summary
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the records to add or update, by kind (data-dictionary text)
    records: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: refused rows: row, kind, record_id, field, reason
    refused: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: places named in the file: name, rows, how, place_id, place_name, matched, score, use
    places: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: actor names not found among ours: name, events, actor_type, suggested_kind, decision
    actors: pd.DataFrame = field(default_factory=pd.DataFrame)

    def count(self, action: str, table: str | None = None) -> int:
        """How many records would be ``action``-ed (of one kind, or all)."""
        c = self.changes
        if c.empty:
            return 0
        mask = c["action"] == action
        if table:
            mask &= c["table"] == table
        return int(mask.sum())

    @property
    def positions(self) -> pd.DataFrame:
        """Names whose position in the file lies beyond the precision of the place the
        name matched: a warning for the analyst to resolve (our place, or a new place at
        the file's position)."""
        p = self.places
        if p.empty or "evidence" not in p:
            return p
        return p[p["evidence"].str.startswith("name and position disagree")]

    @property
    def refused_rows(self) -> int:
        """How many rows of the file were refused."""
        return 0 if self.refused.empty else int(self.refused["row"].nunique())

    @property
    def to_write(self) -> int:
        return self.count("add") + self.count("update")

    @property
    def pending_fuzzy(self) -> int:
        """Fuzzy place matches the analyst has not confirmed."""
        p = self.places
        asks = p["how"].isin(["fuzzy", "position"]) if len(p) else None
        return 0 if p.empty else int((asks & (p["use"] != "confirmed")).sum())

    def summary(self) -> str:
        """'12 rows read: 10 events to add, 1 to update, 1 row refused…'"""
        unit = self.row_unit + ("s" if self.rows != 1 else "")
        parts = [f"{self.rows:,} {unit} read ({self.format})"]
        for action, verb in (
            ("add", "to add"),
            ("update", "to update"),
            ("unchanged", "already held"),
            ("shipped", "already shipped"),
        ):
            n = self.count(action)
            if n:
                kinds = self.changes[self.changes["action"] == action]["kind"].value_counts()
                what = ", ".join(f"{v:,} {k}{'s' if v != 1 else ''}" for k, v in kinds.items())
                parts.append(f"{what} {verb}")
        if self.refused_rows:
            parts.append(f"{self.refused_rows:,} {self.row_unit}(s) refused")
        return "; ".join(parts)


# --------------------------------------------------------------------------- reading


def read_file(
    name: str, data: bytes, options: ImportOptions, limits: ImportLimits
) -> tuple[Parsed, list[str]]:
    """Parse a file of any format of the registry (``data.importers.formats``). Raises
    ``ImportRefused`` for a bad file."""
    from data.importers.formats import file_format, read_with

    notes: list[str] = []
    fmt = file_format(name, data, limits)
    parsed = read_with(fmt, name, data, options, limits, notes)
    drop_control_chars(parsed)
    return parsed, notes + parsed.notes


def drop_control_chars(parsed: Parsed) -> None:
    """Rows with a control character (NUL…) in any text field are refused row by row and
    left out of every table of the file: no text may hold one (PostgreSQL refuses NUL)."""
    frames = {**parsed.records, "place references": parsed.place_refs,
              "actor references": parsed.actor_refs}  # fmt: skip
    bad: dict[int, str] = {}
    for frame in frames.values():
        if frame.empty:
            continue
        for col in frame.columns:
            if col.startswith("_") or not pd.api.types.is_string_dtype(frame[col]):
                continue
            hit = frame[col].astype("str").str.contains(CONTROL_CHARS, regex=True)
            for row, value in zip(frame.loc[hit, "_row"], frame.loc[hit, col], strict=True):
                char = next(c for c in value if ord(c) < 32 or ord(c) == 127)
                bad.setdefault(int(row), f"{col}|{ord(char):04X}")
    if not bad:
        return
    for row, what in sorted(bad.items()):
        col, code = what.split("|")
        parsed.problems.append(
            RowProblem(row, col, f"holds the control character U+{code}, which no text may")
        )
    rows = set(bad)
    for table, frame in parsed.records.items():
        parsed.records[table] = frame[~frame["_row"].isin(rows)].reset_index(drop=True)
    parsed.place_refs = parsed.place_refs[~parsed.place_refs["_row"].isin(rows)]
    parsed.actor_refs = parsed.actor_refs[~parsed.actor_refs["_row"].isin(rows)]


def check_file(name: str, data: bytes, limits: ImportLimits | None = None) -> None:
    """Refuse a file that breaks a limit or cannot be read, before the analyst is asked for
    its import options. Raises ``ImportRefused`` (unexpected errors too, logged)."""
    limits = limits or ImportLimits.from_env()
    shown = visible(name)
    with _unexpected(shown, "reading the file"):
        read_file(shown, data, ImportOptions(), limits)


@contextmanager
def _unexpected(name: str, doing: str) -> Iterator[None]:
    """Turn an error nobody foresaw into a short refusal naming the file and the step; the
    traceback goes to the server log, never to the page."""
    try:
        yield
    except ImportRefused:
        raise
    except Exception as err:
        log.exception("import of %s failed while %s", name, doing)
        raise ImportRefused(
            f"{name}: {doing} failed unexpectedly ({type(err).__name__}). Nothing was "
            "imported; the details are in the server log."
        ) from None


# --------------------------------------------------------------------------- resolving


def _new_id(name: str, taken: set[str], prefix: str = "place") -> str:
    """An id for a new record named ``name``: its transliteration, or ``prefix`` and a hash
    of the name when that is empty; never one already taken, never empty."""
    base = slugify(name) or f"{prefix}_{short_hash(name, n=8)}"
    if base not in taken:
        return base
    n = 6
    while f"{base}_{short_hash(name, n=n)}" in taken and n < 40:
        n += 2
    return f"{base}_{short_hash(name, n=n)}"


def resolve_places(
    parsed: Parsed,
    ctx: ImportContext,
    options: ImportOptions,
    decisions: Decisions,
    file_name: str,
) -> pd.DataFrame:
    """Match the places the file names; make records for the new ones (and for areas
    around a place, ACLED's geo_precision 2 and 3); fill the events' ``places``. Returns
    the table of names for the preview."""
    refs = parsed.place_refs.copy()
    cols = ["name", "rows", "how", "place_id", "place_name", "matched", "also", "score",
            "distance_m", "evidence", "use"]  # fmt: skip
    if refs.empty:
        return pd.DataFrame(columns=cols)
    gaz = ctx.current.places
    matches = _same_position(match_names(refs["name"], gaz).set_index("name"), refs, gaz)
    confirmed = dict(decisions.places)
    refs["how"] = refs["name"].map(matches["how"])
    refs["place_id"] = refs["name"].map(matches["place_id"])
    agreed = refs["how"].isin(["fuzzy", "position"]) & refs["name"].map(confirmed).notna()
    refs.loc[agreed, "place_id"] = refs.loc[agreed, "name"].map(confirmed)

    # the file's position as evidence: for a similar name, and against a matched name
    distance, tolerance, area = _position_check(refs, gaz)
    worst = distance.groupby(refs["name"]).max()
    same = tolerance.groupby(refs["name"]).min()  # a point: the precisions
    allowed = area.groupby(refs["name"]).min()  # what the file means: an area may be wider
    near = refs["name"].map(worst <= same).fillna(False).astype(bool)
    by_position = (refs["how"] == "fuzzy") & near & ~agreed
    named = refs["how"].isin(["exact", "spelling"]) | agreed | by_position
    far = named & refs["name"].map(worst > allowed).fillna(False).astype(bool)
    own_position = dict(decisions.positions)
    moved = far & (refs["name"].map(own_position) == POSITION_FILE)
    use = named & ~moved
    refs.loc[~use, "place_id"] = ""

    # new places: one per name, from its first row
    taken = set(gaz["place_id"])
    new_rows = refs[~use].drop_duplicates("name")
    countries = nearest_places(new_rows["lat"].fillna(0), new_rows["lon"].fillna(0), gaz)
    records, new_ids = [], {}
    for i, r in new_rows.iterrows():
        pid = _new_id(r["name"], taken)
        taken.add(pid)
        new_ids[r["name"]] = pid
        placed = pd.notna(r["lat"]) and pd.notna(r["lon"])
        country = r["country"] or options.country or (countries.at[i, "country"] if placed else "")
        precision = r["precision_m"] if pd.notna(r["precision_m"]) else options.precision_m
        records.append(
            {
                "place_id": pid,
                "name": r["name"],
                "alt_names": r["alt_names"],
                "kind": r["kind"] or options.place_kind,
                "country": country,
                "coord_method": "published" if placed else "unplaced",
                "lat": f"{r['lat']:.6f}" if placed else "",
                "lon": f"{r['lon']:.6f}" if placed else "",
                "precision_m": f"{precision:g}" if placed else "",
                "derivation": f"position as given in {file_name} ({parsed.format})"
                if placed
                else "",
                "sources": options.citation,
                "note": r["note"],
                "_row": int(r["_row"]),
            }
        )
    refs.loc[~use, "place_id"] = refs.loc[~use, "name"].map(new_ids)

    # areas: "somewhere within N km of the place"
    area = refs["area_m"].fillna(0) > 0
    if area.any():
        known = (
            pd.concat(
                [
                    gaz[["place_id", "name", "kind", "country"]],
                    pd.DataFrame(records, columns=["place_id", "name", "kind", "country"]),
                ],
                ignore_index=True,
            )
            .drop_duplicates("place_id")
            .set_index("place_id")
        )
        a = refs[area].copy()
        km = (a["area_m"] / 1000).round().astype(int).astype("str")
        a["area_id"] = a["place_id"] + "-within-" + km + "km"
        for _, r in a.drop_duplicates("area_id").iterrows():
            anchor = known.loc[r["place_id"]]
            records.append(
                {
                    "place_id": r["area_id"],
                    "name": f"{anchor['name']} (within {int(round(r['area_m'] / 1000))} km)",
                    "kind": anchor["kind"],
                    "country": anchor["country"],
                    "coord_method": "derived",
                    "anchor_id": r["place_id"],
                    "distance_km": "0",
                    "precision_m": f"{r['area_m']:g}",
                    "derivation": r["area_note"],
                    "sources": options.citation,
                    "_row": int(r["_row"]),
                }
            )
        refs.loc[area, "place_id"] = a["area_id"]
    if records:
        parsed.records["places"] = pd.concat(
            [parsed.table("places"), records_frame("places", records)], ignore_index=True
        )
        parsed.records["places"]["_from_ref"] = parsed.records["places"]["place_id"].isin(
            refs.loc[refs["event_id"] != "", "place_id"]
        ) & ~parsed.records["places"]["place_id"].isin(refs.loc[refs["event_id"] == "", "place_id"])

    # the events' places, in order
    ev = refs[refs["event_id"] != ""].sort_values(["event_id", "seq", "_row"], kind="stable")
    if not ev.empty and "events" in parsed.records:
        joined = join_ordered(ev["event_id"], ev["place_id"], "|")
        events = parsed.records["events"]
        events["places"] = events["event_id"].map(joined).fillna(events["places"])

    # standalone places matched to ours are not added again: say so
    own = refs[(refs["event_id"] == "") & use]
    parsed.notes.extend(
        f"{parsed.row_unit.capitalize()} {r['_row']}: '{r['name']}' is already held as "
        f"{gaz.set_index('place_id').at[r['place_id'], 'name']} ({r['place_id']}); not added."
        for _, r in own.drop_duplicates("name").iterrows()
    )

    table = matches.reset_index()
    rows = refs.groupby("name")["_row"].agg(lambda s: _rows_text(s))
    table["rows"] = table["name"].map(rows)
    table["distance_m"] = table["name"].map(worst).round(0)
    table["tolerance_m"] = table["name"].map(allowed)
    table["same_m"] = table["name"].map(same)
    positioned = table["name"].isin(refs.loc[by_position, "name"])
    disagree = table["name"].isin(refs.loc[far, "name"])
    kept = table["name"].isin(refs.loc[far & ~moved, "name"])
    table["evidence"] = np.select(
        [positioned, disagree, table["distance_m"].notna() & (table["how"] != "none")],
        [
            "similar name at the same position (" + _metres(table["distance_m"])
            + " from our place, within the precision of " + _metres(table["same_m"]) + ")",
            "name and position disagree: " + _metres(table["distance_m"])
            + " from our place, beyond its precision of " + _metres(table["tolerance_m"]),
            "position agrees (" + _metres(table["distance_m"]) + " from our place)",
        ],
        default="",
    )  # fmt: skip
    table["use"] = np.select(
        [
            disagree & ~kept,
            kept,
            table["how"].isin(["exact", "spelling"]),
            table["how"].isin(["fuzzy", "position"]) & table["name"].map(confirmed).notna(),
            positioned,
            table["how"].isin(["fuzzy", "position"]),
        ],
        [
            "new place at the file's position (the analyst's choice)",
            "matched by name: check the position",
            "matched",
            "confirmed",
            "matched by name and position",
            "needs confirmation (a new place until confirmed)",
        ],
        default="new place",
    )
    table.loc[positioned, "how"] = "fuzzy+position"
    return table[cols]


def _same_position(matches: pd.DataFrame, refs: pd.DataFrame, gaz: pd.DataFrame) -> pd.DataFrame:
    """A name that matches none of ours but whose position is one of our places' (within
    the precisions of both) is proposed as that place (``how`` 'position', to confirm like
    a similar name): it is not made a second place at the same position unasked."""
    from data.importers.gazetteer import nearest_places

    none = matches.index[matches["how"] == "none"]
    first = refs[refs["name"].isin(none) & refs["lat"].notna()].drop_duplicates("name")
    if first.empty:
        return matches
    near = nearest_places(first["lat"], first["lon"], gaz)
    prec = gaz.drop_duplicates("place_id").set_index("place_id")["precision_m"].astype(float)
    tol = pd.concat([near["place_id"].map(prec), first["precision_m"]], axis=1).max(axis=1)
    hit = near["distance_m"] <= tol.fillna(0)
    names = gaz.drop_duplicates("place_id").set_index("place_id")["name"]
    out = matches.copy()
    for i in first.index[hit]:
        name, pid = first.at[i, "name"], near.at[i, "place_id"]
        out.loc[name, ["how", "place_id", "place_name", "matched"]] = [
            "position",
            pid,
            names[pid],
            f"(at {near.at[i, 'distance_m']:.0f} m)",
        ]
    return out


#: a name/position disagreement resolved with the file's position (a new place)
POSITION_FILE = "file"
POSITION_OURS = "ours"


def _metres(values: pd.Series) -> pd.Series:
    v = pd.to_numeric(values, errors="coerce")
    km = (v / 1000).round(1).astype("str") + " km"
    m = v.round(0).astype("Int64").astype("str") + " m"
    return km.where(v >= 1000, m).where(v.notna(), "?")


def _position_check(
    refs: pd.DataFrame, gaz: pd.DataFrame
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """For each reference with a position and a candidate place that has one: the distance
    (m) between them; within which the two are the same position (the larger of the
    place's and the reference's precision); and within which they agree (that, or the area
    the reference stands for: ACLED's geo_precision 2 and 3). NaN where either has no
    position."""
    from data.importers.gazetteer import distance_m

    pos = gaz.drop_duplicates("place_id").set_index("place_id")
    placed = pos["placed"].astype(bool) if "placed" in pos else pos["lat"].notna()
    cand = refs["place_id"].where(refs["place_id"].isin(pos.index[placed]), None)
    lat2 = cand.map(pos["lat"]).astype(float)
    lon2 = cand.map(pos["lon"]).astype(float)
    d = pd.Series(distance_m(refs["lat"], refs["lon"], lat2, lon2), index=refs.index)
    tol = pd.concat(
        [cand.map(pos["precision_m"]).astype(float), refs["precision_m"]], axis=1
    ).max(axis=1).fillna(0)  # fmt: skip
    area = pd.concat([tol, refs["area_m"]], axis=1).max(axis=1).fillna(0)
    return d, tol.where(d.notna()), area.where(d.notna())


def _rows_text(rows: pd.Series, n: int = 6) -> str:
    values = sorted(set(int(r) for r in rows))
    text = ", ".join(str(v) for v in values[:n])
    return text + (f" … (+{len(values) - n})" if len(values) > n else "")


def _actor_index(actors: pd.DataFrame) -> dict[str, str]:
    spellings = (actors["actor_id"] + "|" + actors["name"] + "|" + actors["aliases"]).str.split("|")
    long = pd.DataFrame({"actor_id": actors["actor_id"], "s": spellings}).explode("s")
    long["s"] = long["s"].str.strip().str.casefold()
    long = long[long["s"] != ""].drop_duplicates("s")
    return dict(zip(long["s"], long["actor_id"], strict=True))


def _armies_patrol(
    refs: pd.DataFrame, parsed: Parsed, actors: pd.DataFrame, new: list[dict]
) -> None:
    """Every army of a joint patrol patrols: an actor of kind ``state_forces`` (or typed
    'State forces' by the file) named by a joint patrol gets the role ``patrolling``, on
    whichever side of the file it stands."""
    events = parsed.records.get("events")
    if events is None or refs.empty:
        return
    kinds = events.drop_duplicates("event_id").set_index("event_id")["kind"]
    actor_kinds = pd.concat(
        [actors.set_index("actor_id")["kind"],
         pd.Series({r["actor_id"]: r["kind"] for r in new}, dtype="str")]
    )  # fmt: skip
    actor_kinds = actor_kinds[~actor_kinds.index.duplicated()]
    army = (refs["actor_id"].map(actor_kinds) == "state_forces") | (
        refs["actor_type"].str.strip().str.casefold() == "state forces"
    )
    joint = refs["event_id"].map(kinds) == "joint_patrol"
    refs.loc[joint & army & (refs["actor_id"] != ""), "role"] = "patrolling"


def resolve_actors(
    parsed: Parsed, ctx: ImportContext, decisions: Decisions, file_name: str
) -> pd.DataFrame:
    """Resolve the actor names of the file through our alias table (and the analyst's
    decisions); fill the events' ``actors``; make records for actors and aliases the analyst
    chose to add. Returns the names still unresolved (left out) for the preview."""
    refs = parsed.actor_refs.copy()
    cols = ["name", "events", "actor_type", "suggested_kind", "decision"]
    if refs.empty:
        return pd.DataFrame(columns=cols)
    from data.importers.acled import ACTOR_KIND

    actors = ctx.current.actors
    index = _actor_index(actors)
    refs["actor_id"] = refs["name"].str.casefold().map(index).fillna("")
    mapped = dict(decisions.actors)
    new_kinds = dict(decisions.new_actors)
    records, aliases = [], []
    taken = set(actors["actor_id"])
    used = set(actors["color"])
    palette = [c for c in PALETTE if c not in used] or list(PALETTE)
    for name in refs.loc[refs["actor_id"] == "", "name"].unique():
        if mapped.get(name):
            refs.loc[refs["name"] == name, "actor_id"] = mapped[name]
            if decisions.remember:
                aliases.append(
                    {
                        "alias": name,
                        "actor_id": mapped[name],
                        "note": f"mapped while importing {file_name}",
                        "_row": int(refs.loc[refs["name"] == name, "_row"].min()),
                    }
                )
        elif new_kinds.get(name):
            aid = _new_id(name, taken, "actor")
            taken.add(aid)
            records.append(
                {
                    "actor_id": aid,
                    "name": name,
                    "kind": new_kinds[name],
                    "color": palette[len(records) % len(palette)],
                    "_row": int(refs.loc[refs["name"] == name, "_row"].min()),
                }
            )
            refs.loc[refs["name"] == name, "actor_id"] = aid
    if records:
        parsed.records["actors"] = records_frame("actors", records)
    if aliases:
        parsed.records["aliases"] = records_frame("aliases", aliases)
    _armies_patrol(refs, parsed, actors, records)

    found = refs[refs["actor_id"] != ""].drop_duplicates(["event_id", "actor_id", "role"])
    if not found.empty and "events" in parsed.records:
        joined = join_ordered(found["event_id"], found["actor_id"] + ":" + found["role"], "|")
        events = parsed.records["events"]
        events["actors"] = events["event_id"].map(joined).fillna(events["actors"])

    left = refs[refs["actor_id"] == ""]
    table = (
        left.groupby("name")
        .agg(events=("event_id", "nunique"), actor_type=("actor_type", "max"))
        .reset_index()
    )
    table["suggested_kind"] = table["actor_type"].str.casefold().map(ACTOR_KIND).fillna("")
    table["decision"] = "left out"
    return table[cols]


# --------------------------------------------------------------------------- checking


def _date_problems(events: pd.DataFrame, limits: ImportLimits) -> list[tuple[int, str, str]]:
    start, end = date_window(events["date"].where(events["date"] != "", "x"))
    lo, hi = pd.Timestamp(limits.date_min), pd.Timestamp(limits.latest)
    out = []
    early = start.notna() & (start < lo)
    late = start.notna() & (start > hi)
    out += [
        (i, "date", f"{d} is before {limits.date_min:%Y-%m-%d}: out of range")
        for i, d in zip(events.index[early], events.loc[early, "date"], strict=True)
    ]
    out += [
        (i, "date", f"{d} is after today ({limits.latest:%Y-%m-%d}): out of range")
        for i, d in zip(events.index[late], events.loc[late, "date"], strict=True)
    ]
    _, until = date_window(events["end_date"].where(events["end_date"] != "", "x"))
    late_end = until.notna() & (until > hi + pd.Timedelta(days=366 * 5))
    out += [
        (i, "end_date", "is more than five years after today: out of range")
        for i in events.index[late_end]
    ]
    return out


def _classify(table: str, frame: pd.DataFrame, ctx: ImportContext) -> pd.DataFrame:
    """action (add/update/unchanged/shipped) and expected_version for each record."""
    id_col = ID_COLUMN[table]
    ids = frame[id_col]
    stored = ctx.snapshot.records.get(table)
    hashes = row_hashes(table, frame)
    out = pd.DataFrame({"action": "add", "expected_version": 0}, index=frame.index)
    if stored is not None and len(stored):
        s = stored.set_index(id_col)
        held = ids.isin(s.index)
        same = held & (hashes == ids.map(s["pw_hash"]))
        out.loc[held, "action"] = "update"
        out.loc[held, "expected_version"] = ids[held].map(s["pw_version"]).astype(int)
        out.loc[same, "action"] = "unchanged"
    else:
        held = pd.Series(False, index=frame.index)
    shipped_ids = {
        "sources": ctx.base.sources["source_id"],
        "actors": ctx.base.actors["actor_id"],
        "places": ctx.base.places["place_id"],
        "routes": ctx.base.routes["route_id"],
    }
    if table in shipped_ids:
        out.loc[~held & ids.isin(shipped_ids[table]), "action"] = "shipped"
    elif table == "events":
        base_ids = ids[~held & ids.isin(ctx.base.events["event_id"])]
        if len(base_ids):
            shipped = ctx.base.events[ctx.base.events["event_id"].isin(base_ids)]
            texts = event_texts(ctx.base, shipped).set_index("event_id")
            base_hash = row_hashes("events", texts.reset_index()).set_axis(texts.index)
            same = base_ids.map(base_hash) == hashes[base_ids.index]
            out.loc[base_ids.index, "action"] = np.where(same, "unchanged", "update")
    return out


def preview_import(
    name: str,
    data: bytes,
    ctx: ImportContext,
    options: ImportOptions | None = None,
    decisions: Decisions | None = None,
    limits: ImportLimits | None = None,
    progress: Progress | None = None,
) -> ImportPreview:
    """What importing ``data`` (the file ``name``) would do. Raises ``ImportRefused`` if the
    file is refused whole; otherwise every row is accounted for in the preview. The file's
    name appears in messages as ``visible`` shows it; an unexpected error is logged and
    refused with the file and the step that failed."""
    name = visible(name)
    doing = ["reading the file"]

    def step(frac: float, text: str) -> None:
        doing[0] = text.rstrip("…").lower()
        if progress is not None:
            progress(frac, text)

    try:
        return _preview_import(
            name, data, ctx, options or ImportOptions(), decisions or Decisions(),
            limits or ImportLimits.from_env(), step,
        )  # fmt: skip
    except ImportRefused:
        raise
    except Exception as err:
        log.exception("preview of %s failed while %s", name, doing[0])
        raise ImportRefused(
            f"{name}: {doing[0]} failed unexpectedly ({type(err).__name__}). Nothing was "
            "imported; the details are in the server log."
        ) from None


def _preview_import(
    name: str,
    data: bytes,
    ctx: ImportContext,
    options: ImportOptions,
    decisions: Decisions,
    limits: ImportLimits,
    step: Callable[[float, str], None],
) -> ImportPreview:

    step(0.05, "Reading the file…")
    parsed, notes = read_file(name, data, options, limits)
    step(0.3, "Matching places with the gazetteer…")
    places = resolve_places(parsed, ctx, options, decisions, name)
    step(0.5, "Resolving actors through the alias table…")
    actors = resolve_actors(parsed, ctx, decisions, name)
    if options.new_source and options.source not in set(parsed.table("sources")["source_id"]):
        cited_lists = [
            f["sources"] for t, f in parsed.records.items() if "sources" in f and t != "sources"
        ]
        cited = (
            pd.concat(cited_lists, ignore_index=True) if cited_lists else pd.Series([], dtype="str")
        )
        if cited.str.split("|").explode().str.split(":").str[0].eq(options.source).any():
            source = dict(options.new_source)
            parsed.records["sources"] = pd.concat(
                [parsed.table("sources"), records_frame("sources", [{**source, "_row": 0}])],
                ignore_index=True,
            )
    if "routes" in parsed.records:
        rt = parsed.records["routes"]
        todo = (rt["waypoints"] == "") & (rt["path"] != "")
        rt.loc[todo, "waypoints"] = rt.loc[todo, "path"].map(
            lambda p: "|".join(
                places_along(
                    [tuple(map(float, pt.split(","))) for pt in p.split("|")], ctx.base.places
                )
            )
        )
    step(0.6, "Checking every record…")

    refused: list[dict] = [
        {"row": p.row, "kind": "", "record_id": "", "field": p.field, "reason": p.reason}
        for p in parsed.problems
    ]
    field_name = parsed.field_names

    def refuse(table: str, rid: str, row: int, fld: str | None, reason: str) -> None:
        refused.append(
            {
                "row": row,
                "kind": KIND[table],
                "record_id": rid,
                "field": field_name.get(fld or "", fld or ""),
                "reason": reason,
            }
        )

    cand = {t: parsed.records[t].reset_index(drop=True) for t in TABLES if t in parsed.records}
    if "events" in cand:
        ev = cand["events"]
        bad = set()
        for i, fld, reason in _date_problems(ev, limits):
            refuse("events", ev.at[i, "event_id"], int(ev.at[i, "_row"]), fld, reason)
            bad.add(i)
        cand["events"] = ev.drop(index=list(bad)).reset_index(drop=True)

    # what the file leaves out and the options must say
    for table, fld, reason in (
        (
            "events",
            "kind",
            "the file does not say what kind of event this is: choose one in the import options",
        ),
        ("events", "theatre_id", "no theatre: choose one in the import options"),
        ("routes", "theatre_id", "no theatre: choose one in the import options"),
        ("places", "country", "no country: choose one in the import options"),
        ("events", "sources", "cites no source: choose the source in the import options"),
        ("places", "sources", "cites no source: choose the source in the import options"),
        ("routes", "sources", "cites no source: choose the source in the import options"),
    ):
        if table not in cand:
            continue
        frame = cand[table]
        shipped = {
            "events": ctx.base.events["event_id"],
            "routes": ctx.base.routes["route_id"],
            "places": ctx.base.places["place_id"],
        }[table]
        blank = (frame[fld].astype("str").str.strip() == "") & ~frame[ID_COLUMN[table]].isin(
            shipped
        )
        for rid, row in zip(
            frame.loc[blank, ID_COLUMN[table]], frame.loc[blank, "_row"], strict=True
        ):
            refuse(table, rid, int(row), fld, reason)
        cand[table] = frame[~blank].reset_index(drop=True)

    # classify, then check what would be written beside everything already held
    changes: list[pd.DataFrame] = []
    for table, frame in cand.items():
        frame = frame.copy()
        text = canonical(table, frame)
        frame[COLUMNS[table]] = text
        dup = frame[ID_COLUMN[table]].duplicated()
        for _, r in frame[dup].iterrows():
            if table != "places" or not r.get("_from_ref", False):
                refuse(
                    table,
                    r[ID_COLUMN[table]],
                    int(r["_row"]),
                    ID_COLUMN[table],
                    "appears twice in the file",
                )
        frame = frame[~dup]
        frame = frame.join(_classify(table, frame, ctx))
        cand[table] = frame
    for _ in range(len(TABLES) + 2):
        merged = ctx.snapshot.texts()
        writing = {}
        for table, frame in cand.items():
            w = frame[frame["action"].isin(["add", "update"])]
            writing[table] = set(w[ID_COLUMN[table]])
            held = merged.get(table, pd.DataFrame(columns=COLUMNS[table]))
            held = held[~held[ID_COLUMN[table]].isin(writing[table])]
            merged[table] = pd.concat([held, w[COLUMNS[table]]], ignore_index=True)
        problems = [
            p for p in check_records(ctx.base, merged) if p.record_id in writing.get(p.table, set())
        ]
        if not problems:
            break
        for p in problems:
            frame = cand[p.table]
            hit = frame[frame[ID_COLUMN[p.table]] == p.record_id]
            row = int(hit["_row"].iloc[0]) if len(hit) else 0
            refuse(p.table, p.record_id, row, p.field, p.problem)
            cand[p.table] = frame[frame[ID_COLUMN[p.table]] != p.record_id]
    step(0.85, "Preparing the preview…")

    # places made only for refused events are not needed
    if "places" in cand and "_from_ref" in cand["places"].columns:
        needed = set()
        if "events" in cand:
            needed = set(cand["events"]["places"].str.split("|").explode())
        pl = cand["places"]
        anchors = set(pl.loc[pl["place_id"].isin(needed), "anchor_id"])
        keep = ~pl["_from_ref"].astype(bool) | pl["place_id"].isin(needed | anchors)
        cand["places"] = pl[keep]

    for table in TABLES:
        if table in cand:
            frame = cand[table]
            changes.append(
                pd.DataFrame(
                    {
                        "table": table,
                        "kind": KIND[table],
                        "record_id": frame[ID_COLUMN[table]],
                        "action": frame["action"],
                        "row": frame["_row"].astype(int),
                        "expected_version": frame["expected_version"].astype(int),
                        "summary": _describe(table, frame),
                    }
                )
            )
    change_cols = ["table", "kind", "record_id", "action", "row", "expected_version", "summary"]
    change_frame = (
        pd.concat(changes, ignore_index=True) if changes else pd.DataFrame(columns=change_cols)
    )
    refused_frame = pd.DataFrame(refused, columns=["row", "kind", "record_id", "field", "reason"])
    refused_frame = refused_frame.sort_values(["row", "field"], kind="stable").reset_index(
        drop=True
    )
    records = {
        t: f.loc[f["action"].isin(["add", "update"]), COLUMNS[t]].reset_index(drop=True)
        for t, f in cand.items()
    }
    if not options.source and any(
        len(f) and (f.get("sources", pd.Series(dtype=str)) == "").any() for f in records.values()
    ):
        notes.append("Choose the source these records cite in the import options.")
    step(1.0, "Done")
    return ImportPreview(
        file_name=name,
        file_hash=file_hash(data),
        format=parsed.format,
        rows=parsed.rows,
        row_unit=parsed.row_unit,
        revision=ctx.snapshot.revision,
        notes=notes,
        changes=change_frame,
        records={t: f for t, f in records.items() if len(f)},
        refused=refused_frame,
        places=places,
        actors=actors,
    )


def _describe(table: str, r: pd.DataFrame) -> pd.Series:
    """One line per record for the preview, vectorised."""
    if table == "events":
        label = r["kind"].map(vocab.EVENT_KINDS).fillna(r["kind"])
        places = r["places"].where(r["places"] != "", "no place")
        actors = r["actors"].where(r["actors"] != "", "no actor")
        return r["date"] + " · " + label + " · " + places + " · " + actors
    if table == "places":
        where = (r["lat"] + ", " + r["lon"]).where(r["lat"] != "", r["coord_method"])
        radius = r["precision_m"].where(r["precision_m"] != "", "?")
        return r["name"] + " (" + r["kind"] + ", " + where + ", ±" + radius + " m)"
    if table == "routes":
        points = r["path"].str.count(r"\|").add(1).where(r["path"] != "", 0)
        return r["name"] + " (" + points.astype("str") + " points drawn)"
    if table == "sources":
        return r["publisher"] + ": " + r["title"] + " (graded " + r["reliability"] + ")"
    if table == "actors":
        return r["name"] + " (" + r["kind"] + ")"
    if table == "aliases":
        return "'" + r["alias"] + "' → " + r["actor_id"]
    return pd.Series("", index=r.index)


# --------------------------------------------------------------------------- writing


def changes_for(preview: ImportPreview) -> list[Change]:
    """The store changes a preview stands for (its additions and updates)."""
    out = []
    for table in TABLES:
        frame = preview.records.get(table)
        if frame is None or frame.empty:
            continue
        plan = preview.changes[preview.changes["table"] == table].set_index("record_id")
        for values in frame.to_dict("records"):
            rid = values[ID_COLUMN[table]]
            action, version = plan.at[rid, "action"], int(plan.at[rid, "expected_version"])
            if action == "update" and version > 0:
                out.append(Change(table, rid, "update", values, version))
            else:  # an addition, or the correction of a shipped event (a new store record)
                out.append(Change(table, rid, "insert", values, 0))
    return out


def apply_import(
    store: Store,
    preview: ImportPreview,
    *,
    who: Identity | str,
    allow_partial: bool = False,
    progress: Callable[[float], None] | None = None,
) -> int:
    """Write a preview's additions and updates in one transaction; return the new
    revision. Refused if the preview refused rows (unless ``allow_partial``), if it left
    fuzzy matches unconfirmed with nothing else to go on, or if there is nothing to write.
    A record changed by someone else since the preview raises ``ConflictError``; nothing is
    written then."""
    if preview.refused_rows and not allow_partial:
        raise ImportRefused(
            f"{preview.refused_rows} {preview.row_unit}(s) of {preview.file_name} were refused; "
            "nothing was written. Fix them and import the file again, or choose to import "
            "the rest without them."
        )
    changes = changes_for(preview)
    if not changes:
        raise ImportRefused(
            f"{preview.file_name} holds nothing new: every record is already held. "
            "Nothing was written."
        )
    note = f"import of {preview.file_name} ({preview.format}; sha256 {preview.file_hash[:12]}…)"
    return store.apply(
        changes, who=who, note=note, origin=f"import:{preview.file_name}", progress=progress
    )
