"""ACLED exports (Armed Conflict Location & Event Data), read into our events.

Two vintages are read. The current one has 31 columns (since March 2023: ``disorder_type``,
``civilian_targeting`` and ``tags`` added; ``data_id``, ``event_id_no_cnty`` and ``iso3``
removed) and names actor types in words in ``inter1``/``inter2``. Older exports carry the
removed columns and give actor types as numbers (1 State forces … 8 External/Other forces).

How a row becomes our event (all shown in the preview before anything is written):

- ``event_id``: ``acled-`` + ``event_id_cnty`` (lower case). ACLED keeps that id when it
  revises an event, so re-importing a newer export updates the events it already gave
  instead of adding them twice.
- ``time_precision`` 1/2/3 → our ``day``/``week``/``month``. ACLED puts a week- or
  month-precision event on a day inside that week or month; we keep the whole week (the ISO
  week holding that day) or month, so the event's window covers what ACLED means rather
  than a single day it does not claim.
- ``geo_precision`` → where the event is drawn. 1: at the named town (matched through our
  gazetteer, or a new place at ACLED's coordinates with a 2 km radius: a town's extent).
  2: ACLED's coordinates stand for an area near that town; the event goes to a place
  derived at the town with a 10 km radius. 3: a larger region, coded at a provincial
  capital or landmark; a derived place with a 100 km radius (the largest our data
  accepts). The radius is drawn as the event's precision halo.
- ``event_type``/``sub_event_type``/``notes`` → our ``kind``: "Agreement" → agreement,
  "Headquarters or base established" → base_change; otherwise the notes' words, in
  English, Arabic, Turkish or Kurdish (``data/embedded/event_keywords.csv``): a joint
  patrol → joint_patrol, a patrol → single_patrol, an escort → convoy_escort; anything
  else → incident.
- actors (``actor1``, ``assoc_actor_1``, ``actor2``, ``assoc_actor_2``): resolved through
  our actor alias table; a name it does not know is shown to the analyst, never created
  silently. Roles: the actor-1 side patrols (patrols), escorts (escorts) or operates (a
  base); everything else is a ``party`` (ACLED's actor order implies no direction), except
  that every army of a joint patrol patrols (set once the actors are resolved).
- ``notes`` → description, with ACLED's type, sources and fatalities after it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.importers.base import (
    ImportOptions,
    ImportRefused,
    Parsed,
    RowProblem,
    actor_refs,
    place_refs,
    records_frame,
)

CURRENT_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
REMOVED_2023 = ("data_id", "event_id_no_cnty", "iso3")
REQUIRED = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
)

#: ACLED's numeric actor types (``inter1``/``inter2`` before the words replaced them)
INTER_CODES = {
    "1": "State forces",
    "2": "Rebel group",
    "3": "Political militia",
    "4": "Identity militia",
    "5": "Rioters",
    "6": "Protesters",
    "7": "Civilians",
    "8": "External/Other forces",
}
#: the kind of actor we would suggest for a new actor of that type ('' = the analyst says)
ACTOR_KIND = {
    "state forces": "state_forces",
    "rebel group": "armed_group",
    "rebel groups": "armed_group",
    "political militia": "armed_group",
    "political militias": "armed_group",
    "identity militia": "armed_group",
    "identity militias": "armed_group",
}

TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
#: radius (m) of the place itself, and of the area an event with that geo_precision is in
PLACE_RADIUS_M = 2000.0
AREA_RADIUS_M = {"1": 0.0, "2": 10_000.0, "3": 100_000.0}

DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y", "%d/%m/%Y")

FIELD_NAMES = {
    "event_id": "event_id_cnty",
    "date": "event_date",
    "date_precision": "time_precision",
    "places": "location",
    "actors": "actor1",
    "description": "notes",
    "kind": "sub_event_type",
}


def is_acled(columns: list[str]) -> bool:
    """True if a table's header is an ACLED export's (any vintage)."""
    return {"event_id_cnty", "event_date"} <= set(columns)


def vintage(frame: pd.DataFrame) -> str:
    """Which ACLED export format a table is, in words."""
    cols = set(frame.columns)
    numeric = "inter1" in cols and frame["inter1"].str.fullmatch(r"\d+").fillna(False).any()
    if cols & set(REMOVED_2023) or numeric:
        return "ACLED export, older format (numeric actor types, columns removed in 2023)"
    if set(CURRENT_COLUMNS) <= cols:
        return "ACLED export, current format (31 columns)"
    return "ACLED export"


def parse_dates(text: pd.Series) -> pd.Series:
    """ACLED's event dates in any of the forms its exports have used (day first)."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    for fmt in DATE_FORMATS:
        todo = out.isna()
        if not todo.any():
            break
        out[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    return out


def event_kinds(frame: pd.DataFrame) -> pd.Series:
    """Our event kind for each row (see the module's notes)."""
    from data.importers.keywords import kinds_from_notes

    sub = frame["sub_event_type"].str.strip().str.casefold()
    notes = frame.get("notes", pd.Series("", index=frame.index))
    kind = kinds_from_notes(notes, default="incident")
    kind = kind.mask(sub == "headquarters or base established", "base_change")
    kind = kind.mask(sub == "agreement", "agreement")
    return kind


def _country_code(frame: pd.DataFrame) -> pd.Series:
    import pycountry

    def code(iso: str, name: str) -> str:
        found = None
        if iso.strip().isdigit():
            found = pycountry.countries.get(numeric=f"{int(iso):03d}")
        if found is None and name.strip():
            try:
                found = pycountry.countries.lookup(name.strip())
            except LookupError:
                found = None
        return found.alpha_2 if found is not None else ""

    iso = frame.get("iso", pd.Series("", index=frame.index))
    name = frame.get("country", pd.Series("", index=frame.index))
    pairs = pd.Series(list(zip(iso, name, strict=True)), index=frame.index)
    codes = {p: code(*p) for p in pairs.unique()}
    return pairs.map(codes).astype("str")


def parse_acled(frame: pd.DataFrame, options: ImportOptions, file_name: str) -> Parsed:
    """Read an ACLED export (all text, header lower-cased) into events, place references and
    actor references. ``frame.index`` + 2 is the spreadsheet row."""
    parsed = Parsed(format=vintage(frame), rows=len(frame), field_names=dict(FIELD_NAMES))
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ImportRefused(
            f"{file_name} looks like an ACLED export but lacks the column(s) "
            f"{', '.join(missing)}. Nothing was imported."
        )
    for col in CURRENT_COLUMNS:
        if col not in frame.columns:
            frame[col] = ""
    removed = [c for c in REMOVED_2023 if c in frame.columns]
    if removed:
        parsed.notes.append(
            f"Columns ACLED has since removed ({', '.join(removed)}) were read and not used."
        )
    row = pd.Series(frame.index + 2, index=frame.index)
    bad = pd.Series(False, index=frame.index)

    def refuse(mask: pd.Series, field: str, reason: str | pd.Series) -> None:
        nonlocal bad
        mask = mask & ~bad
        reasons = reason if isinstance(reason, pd.Series) else pd.Series(reason, index=frame.index)
        parsed.problems.extend(
            RowProblem(int(r), field, str(m)) for r, m in zip(row[mask], reasons[mask], strict=True)
        )
        bad = bad | mask

    ident = frame["event_id_cnty"].str.strip()
    refuse(ident == "", "event_id_cnty", "is empty")
    refuse(~ident.str.fullmatch(r"[A-Za-z0-9_.\-]+"), "event_id_cnty", "is not an ACLED event id")
    refuse(ident.duplicated(), "event_id_cnty", "appears twice in the file")
    when = parse_dates(frame["event_date"].str.strip())
    refuse(
        when.isna(),
        "event_date",
        "'" + frame["event_date"] + "' is not a date (2024-05-22 or 22 May 2024)",
    )
    tp = frame["time_precision"].str.strip()
    refuse(~tp.isin(list(TIME_PRECISION)), "time_precision", "must be 1, 2 or 3")
    gp = frame["geo_precision"].str.strip()
    refuse(~gp.isin(list(AREA_RADIUS_M)), "geo_precision", "must be 1, 2 or 3")
    lat = pd.to_numeric(frame["latitude"].str.strip(), errors="coerce")
    lon = pd.to_numeric(frame["longitude"].str.strip(), errors="coerce")
    refuse(lat.isna(), "latitude", "is not a number")
    refuse(lon.isna(), "longitude", "is not a number")
    refuse(
        ~lat.between(-90, 90), "latitude", "'" + frame["latitude"] + "' is out of range (-90..90)"
    )
    refuse(
        ~lon.between(-180, 180),
        "longitude",
        "'" + frame["longitude"] + "' is out of range (-180..180)",
    )
    refuse((lat == 0) & (lon == 0), "latitude", "0,0 is not a position (a blank written as zero?)")
    refuse(frame["location"].str.strip() == "", "location", "is empty")

    ok = frame[~bad]
    if ok.empty:
        parsed.records["events"] = records_frame("events", [])
        return parsed
    day = when[~bad]
    precision = tp[~bad].map(TIME_PRECISION)
    iso = day.dt.isocalendar()
    written = day.dt.strftime("%Y-%m-%d")
    written = written.mask(
        precision == "week",
        iso["year"].astype("str") + "-W" + iso["week"].astype("str").str.zfill(2),
    )
    written = written.mask(precision == "month", day.dt.strftime("%Y-%m"))
    kinds = event_kinds(ok)
    event_id = "acled-" + ok["event_id_cnty"].str.strip().str.lower()
    detail = (
        " [ACLED "
        + ok["event_type"].str.strip()
        + " / "
        + ok["sub_event_type"].str.strip()
        + np.where(ok["source"].str.strip() != "", "; sources: " + ok["source"].str.strip(), "")
        + np.where(
            ok["fatalities"].str.strip() != "", "; fatalities: " + ok["fatalities"].str.strip(), ""
        )
        + "]"
    )
    notes = ok["notes"].str.strip()
    description = (notes.where(notes != "", ok["location"].str.strip()) + detail).str.strip()
    events = pd.DataFrame(
        {
            "event_id": event_id,
            "theatre_id": options.theatre_id,
            "date": written,
            "date_precision": precision,
            "kind": kinds,
            "status": "carried_out",
            "description": description,
            "sources": options.citation,
            "_row": row[~bad],
        }
    )
    parsed.records["events"] = records_frame("events", events.to_dict("records"))

    countries = _country_code(ok)
    area = gp[~bad].map(AREA_RADIUS_M)
    place_label = np.where(gp[~bad] == "2", "near or around", "somewhere in the region of")
    parsed.place_refs = place_refs(
        pd.DataFrame(
            {
                "event_id": event_id,
                "seq": 0,
                "_row": row[~bad],
                "name": ok["location"].str.strip(),
                "lat": lat[~bad],
                "lon": lon[~bad],
                "precision_m": PLACE_RADIUS_M,
                "area_m": area,
                "area_note": "ACLED geo_precision "
                + gp[~bad]
                + ": the event took place "
                + place_label
                + " "
                + ok["location"].str.strip(),
                "kind": "",
                "country": countries,
                "note": "Position from an ACLED export (geo_precision "
                + gp[~bad]
                + "; admin1 "
                + ok["admin1"].str.strip()
                + ")",
            }
        ).to_dict("records")
    )

    # actors: one reference per named actor, with a role by side and kind
    sides = []
    for col, type_col, side in (
        ("actor1", "inter1", 1),
        ("assoc_actor_1", "inter1", 1),
        ("actor2", "inter2", 2),
        ("assoc_actor_2", "inter2", 2),
    ):
        names = ok[col].str.split(";").explode().str.strip()
        names = names[names != ""]
        if names.empty:
            continue
        types = ok.loc[names.index, type_col].str.strip()
        types = types.map(lambda t: INTER_CODES.get(t, t))
        if col.startswith("assoc"):
            types = pd.Series("", index=names.index)  # ACLED types only the main actors
        sides.append(
            pd.DataFrame(
                {
                    "event_id": event_id[names.index].to_numpy(),
                    "_row": row[names.index].to_numpy(),
                    "name": names.to_numpy(),
                    "side": side,
                    "kind": kinds[names.index].to_numpy(),
                    "actor_type": types.to_numpy(),
                }
            )
        )
    if sides:
        refs = pd.concat(sides, ignore_index=True)
        acting = {
            "joint_patrol": "patrolling",
            "single_patrol": "patrolling",
            "convoy_escort": "escort",
            "base_change": "operator",
        }
        role = refs["kind"].map(acting).fillna("party")
        refs["role"] = role.where(refs["side"] == 1, "party")
        refs.loc[(refs["kind"] == "convoy_escort") & (refs["side"] == 2), "role"] = "escorted"
        parsed.actor_refs = actor_refs(refs.to_dict("records"))
    return parsed
