"""Read a data set's files, validate them, and build a ``DataSet``.

Pure: no streamlit. ``data.cache`` wraps ``load_dataset_files`` for the app. A file that
fails validation raises ``DataSetError`` whose problems each name the file, the row (as
a spreadsheet shows it: header row 1) and the field.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from data import checks, schema, vocab
from data.dates import date_window, precision_of
from data.frames import arrow_order, join_ordered, lookup, member, split_lists, split_once
from data.geo import compass_word, offset_points, path_length_km
from data.model import DataSet
from data.schema import DataSetError, Problem

EMBEDDED_DIR = Path(__file__).resolve().parent / "embedded"

#: roles that make an actor one of those who did the thing (used for "by actor" views)
ACTING_ROLES = ("patrolling", "escort", "operator", "perpetrator", "party")

RELIABILITY_RANK = {grade: rank for rank, grade in enumerate(vocab.RELIABILITY, start=1)}


def dataset_signature(directory: Path = EMBEDDED_DIR) -> str:
    """A short key that changes whenever any file of the data set changes."""
    digest = hashlib.sha1()
    for path in sorted(directory.glob("*")):
        if path.suffix in {".csv", ".json"}:
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


# --------------------------------------------------------------------------- reading


def _read_csv(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(path.name, None, None, "file is missing"))
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        problems.append(Problem(path.name, line, None, "is not UTF-8 text"))
        return None
    if not text or text.isspace():
        problems.append(Problem(path.name, None, None, "file is empty"))
        return None
    frame = _read_csv_arrow(raw, text)
    if frame is not None:
        frame.columns = [c.strip() for c in frame.columns]
        return frame.apply(lambda col: col.str.strip())
    from io import StringIO

    try:
        frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except pd.errors.ParserError as err:
        problems.append(Problem(path.name, None, None, f"is not valid CSV ({err})"))
        return None
    frame.columns = [c.strip() for c in frame.columns]
    return frame.apply(lambda col: col.str.strip())


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, each with its line end, cut one at a time as they are asked
    for (a reader that needs only the header does not copy the whole file)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _read_csv_arrow(raw: bytes, text: str) -> pd.DataFrame | None:
    """The CSV ``raw`` (UTF-8, no BOM; ``text`` is it decoded) read by pyarrow, every cell
    text and '' for empty, as pandas reads it below, several times faster. None when
    pyarrow cannot read it or its header repeats a name (pandas renames those): pandas
    then reads it, and says what is wrong in its own words."""
    header = next(csv.reader(_lines(text)), None)
    if not header or len(set(header)) != len(header):
        return None
    try:
        table = pa_csv.read_csv(
            io.BytesIO(raw),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.large_string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if table.column_names != header:
        return None
    return pd.DataFrame(
        {name: pd.array(table.column(name), dtype="str") for name in header},
        index=pd.RangeIndex(table.num_rows),
    )


def _read_routes(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        items = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        problems.append(Problem(path.name, None, None, "file is missing"))
        return None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        problems.append(Problem(path.name, None, None, f"is not valid JSON ({err})"))
        return None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        problems.append(Problem(path.name, None, None, "must be a list of route objects"))
        return None

    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, list):
            return "|".join(str(v) for v in value)
        return str(value).strip()

    frame = pd.DataFrame([{k: cell(v) for k, v in item.items()} for item in items])
    # JSON has no header row: index from -1 so that a problem's "row" (index + 2) is the
    # route's position in the list, counting from 1.
    frame.index = pd.RangeIndex(-1, len(frame) - 1)
    return frame


def _split_list(frame: pd.DataFrame, column: str, id_column: str) -> pd.DataFrame:
    """Explode a '|' list column into (row, id, position, value); row is the frame index."""
    cells = frame[column]
    filled = cells[cells != ""]
    if filled.empty:
        return pd.DataFrame(
            {
                "row": pd.Series([], dtype="int64"),
                id_column: pd.Series([], dtype="str"),
                "seq": pd.Series([], dtype="int64"),
                "value": pd.Series([], dtype="str"),
            }
        )
    if not frame.index.is_unique:  # a row label would not name one row: as pandas did
        parts = filled.str.split("|").explode()
        out = pd.DataFrame({"row": parts.index, "value": parts.to_numpy()})
        out[id_column] = frame.loc[out["row"], id_column].to_numpy()
        out["seq"] = out.groupby("row").cumcount()
        return out.reset_index(drop=True)
    parents, seq, pieces = split_lists(filled, "|")
    at = np.flatnonzero((cells != "").to_numpy())[parents]
    return pd.DataFrame(
        {
            "row": frame.index.to_numpy()[at],
            "value": pieces,
            id_column: frame[id_column].take(at).reset_index(drop=True),
            "seq": seq,
        }
    )


def _citations(frame: pd.DataFrame, record_type: str, id_column: str) -> pd.DataFrame:
    parts = _split_list(frame, "sources", id_column)
    pair = split_once(parts["value"], ":")
    return pd.DataFrame(
        {
            "row": parts["row"].to_numpy(),
            "record_type": record_type,
            "record_id": parts[id_column].to_numpy(),
            "source_id": pair[0].to_numpy() if len(parts) else [],
            "credibility": pair[1].astype(int).to_numpy() if len(parts) else [],
        }
    )


def _check_refs(
    file: str, frame: pd.DataFrame, field: str, known: pd.Series, what: str
) -> list[Problem]:
    """Problems for the filled cells of ``frame[field]`` that name an id not in ``known``."""
    has = frame[field] != ""
    return _unknown(file, frame.index[has].to_series(), field, frame.loc[has, field], known, what)


def _unknown(
    file: str,
    rows: pd.Series,
    field: str,
    values: pd.Series,
    known: pd.Series | set[str],
    what: str,
) -> list[Problem]:
    bad = ~member(values, known)
    return [
        Problem(file, int(r) + 2, field, f"{what} {v!r} is not defined")
        for r, v in zip(rows[bad], values[bad], strict=True)
    ]


# --------------------------------------------------------------------------- building


def load_dataset_files(directory: Path = EMBEDDED_DIR) -> DataSet:
    """Read, validate and build the data set in ``directory``. Raises ``DataSetError``
    with the problems of every file (a directory that is not there is one problem)."""
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "does not exist"
        raise DataSetError([Problem(str(directory), None, None, f"the data set directory {what}")])
    problems: list[Problem] = []
    texts: dict[str, pd.DataFrame] = {}
    for name, table_schema in schema.TABLES.items():
        frame = _read_csv(directory / name, problems)
        if frame is not None:
            found = schema.problems_from(name, frame, table_schema)
            problems.extend(found)
            texts[name] = frame
    routes_text = _read_routes(directory / "routes.json", problems)
    if routes_text is not None:
        for col in schema.ROUTES.columns:
            if col not in routes_text.columns:
                routes_text[col] = ""
        problems.extend(schema.problems_from("routes.json", routes_text, schema.ROUTES))
    meta_path = directory / "dataset.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        meta = {"name": directory.name, "version": "unversioned"}
    except json.JSONDecodeError as err:
        problems.append(Problem("dataset.json", None, None, f"is not valid JSON ({err})"))
        meta = {}
    geography = checks.geography_for(meta, problems)
    if problems:
        raise DataSetError(problems + _cross_file_problems(texts, routes_text, problems))
    assert routes_text is not None
    dataset = _build(texts, routes_text, problems, geography)
    if problems:
        raise DataSetError(problems)
    return DataSet(
        name=str(meta.get("name", "data set")),
        version=str(meta.get("version", "unversioned")),
        meta={k: str(v) for k, v in meta.items()},
        **dataset,
    )


def _cross_file_problems(
    texts: dict[str, pd.DataFrame], routes_text: pd.DataFrame | None, found: list[Problem]
) -> list[Problem]:
    """The cross-file problems of the files that passed their own checks, when others did
    not: a refused data set lists what is wrong in every file, not only in the first one
    checked. Best effort: a file's bad cells may stop the build, then nothing is added."""
    if routes_text is None or len(texts) < len(schema.TABLES):
        return []
    more: list[Problem] = []
    try:
        _build(texts, routes_text, more)
    except Exception:  # the bad cells already reported can break the build
        return []
    bad = {p.file for p in found}
    return [p for p in more if p.file not in bad]


def _build(
    texts: dict[str, pd.DataFrame],
    routes_text: pd.DataFrame,
    problems: list[Problem],
    geography: checks.Geography | None = None,
) -> dict[str, pd.DataFrame]:
    sources = _build_sources(texts["sources.csv"])
    theatres = texts["theatres.csv"][["theatre_id", "name", "description"]].copy()
    actors = _build_actors(texts["actors.csv"], problems)
    places = _build_places(texts["places.csv"], actors, problems, geography=geography)
    problems.extend(checks.check_places(places, geography))
    routes, waypoints = _build_routes(routes_text, places, theatres, problems, geography)
    events, event_actors, event_places = _build_events(
        texts["events.csv"], actors, places, routes, theatres, problems
    )
    period_counts = _build_period_counts(texts["period_counts.csv"], routes, theatres, problems)
    conflicts = _build_conflicts(texts["conflicts.csv"])
    known = {
        "event": events["event_id"],
        "place": places["place_id"],
        "period_count": period_counts["count_id"],
        "route": routes["route_id"],
        "source": sources["source_id"],
        "actor": actors["actor_id"],
    }
    for subject_type, ids in known.items():
        rows = conflicts[conflicts["subject_type"] == subject_type]
        problems.extend(
            _unknown(
                "conflicts.csv",
                rows.index.to_series(),
                "subject",
                rows["subject_id"],
                ids,
                subject_type,
            )
        )
    sides = conflicts.groupby("conflict_id")["conflict_id"].transform("size")
    problems.extend(
        Problem("conflicts.csv", int(r) + 2, "conflict_id", "a conflict needs at least two claims")
        for r in conflicts.index[sides < 2]
    )

    citations = pd.concat(
        [
            _citations(texts["theatres.csv"], "theatre", "theatre_id").assign(file="theatres.csv"),
            _citations(texts["places.csv"], "place", "place_id").assign(file="places.csv"),
            _citations(routes_text, "route", "route_id").assign(file="routes.json"),
            _citations(texts["events.csv"], "event", "event_id").assign(file="events.csv"),
            _citations(texts["period_counts.csv"], "period_count", "count_id").assign(
                file="period_counts.csv"
            ),
            _citations(texts["conflicts.csv"].reset_index(), "conflict", "index").assign(
                file="conflicts.csv"
            ),
        ],
        ignore_index=True,
    )
    bad = ~member(citations["source_id"], sources["source_id"])
    problems.extend(
        Problem(f, int(r) + 2, "sources", f"source {s!r} is not in sources.csv")
        for f, r, s in zip(
            citations.loc[bad, "file"],
            citations.loc[bad, "row"],
            citations.loc[bad, "source_id"],
            strict=True,
        )
    )
    problems.extend(
        checks.check_grades(
            citations, sources, events, event_actors, event_places, period_counts, conflicts
        )
    )
    citations = citations[citations["record_type"] != "conflict"]
    citations = citations.drop(columns=["row", "file"]).reset_index(drop=True)

    grade_events(events, citations, sources)

    return {
        "events": events,
        "event_actors": event_actors,
        "event_places": event_places,
        "citations": citations,
        "sources": sources,
        "actors": actors,
        "places": places,
        "routes": routes,
        "route_waypoints": waypoints,
        "period_counts": period_counts,
        "conflicts": conflicts,
        "theatres": theatres,
    }


def grade_events(events: pd.DataFrame, citations: pd.DataFrame, sources: pd.DataFrame) -> None:
    """Add each event's best source grade and number of sources, in place, to a frame being
    built: ``best_reliability_rank``, ``best_reliability``, ``n_sources``."""
    # the best grade among an event's sources, for "minimum reliability" filtering
    cited = citations[citations["record_type"] == "event"]
    ranks = sources.drop_duplicates("source_id").set_index("source_id")["reliability_rank"]
    if events.empty or cited.empty or not events["event_id"].is_unique:  # as pandas did
        ranked = cited.merge(sources[["source_id", "reliability_rank"]], on="source_id")
        best = ranked.groupby("record_id")["reliability_rank"].min()
        n_sources = ranked.groupby("record_id")["source_id"].nunique()
        best_rank = lookup(events["event_id"], best).fillna(6).astype(int)
        n = lookup(events["event_id"], n_sources).fillna(0).astype(int)
    else:  # by position: each citation's event and source found once by pyarrow
        event_at = np.asarray(
            pc.fill_null(pc.index_in(_arrow(cited["record_id"]), _arrow(events["event_id"])), -1)
        )
        source_at = np.asarray(
            pc.fill_null(pc.index_in(_arrow(cited["source_id"]), _arrow(ranks.index)), -1)
        )
        ok = (event_at >= 0) & (source_at >= 0)
        event_at, source_at = event_at[ok], source_at[ok]
        best_rank = np.full(len(events), 6, dtype=np.int64)
        np.minimum.at(best_rank, event_at, ranks.to_numpy(dtype=np.int64)[source_at])
        # distinct (event, source) pairs; a hash table, not a sort: their order is not used
        pairs = pd.unique(event_at.astype(np.int64) * len(ranks) + source_at)
        n = np.bincount(pairs // len(ranks), minlength=len(events)).astype(np.int64)
    events["best_reliability_rank"] = pd.Series(np.asarray(best_rank), index=events.index)
    events["best_reliability"] = events["best_reliability_rank"].map(
        dict(enumerate(vocab.RELIABILITY, start=1))
    )
    events["n_sources"] = pd.Series(np.asarray(n), index=events.index)


def _arrow(values: pd.Series | pd.Index) -> pa.Array:
    """Text values as a pyarrow array (missing values null)."""
    return pa.array(pd.Series(values).astype("str"), from_pandas=True)


def _build_sources(text: pd.DataFrame) -> pd.DataFrame:
    out = text.copy()
    out["reliability_rank"] = out["reliability"].map(RELIABILITY_RANK).astype(int)
    return out


def _build_actors(text: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    out = text.copy()
    problems.extend(_check_refs("actors.csv", out, "parent_id", out["actor_id"], "actor"))
    parent = dict(zip(out["actor_id"], out["parent_id"], strict=True))
    root = out["actor_id"].copy()
    for _ in range(len(out) + 1):
        step = root.map(parent).fillna("")
        moved = step != ""
        if not moved.any():
            break
        root = root.mask(moved, step)
    else:
        problems.append(Problem("actors.csv", None, "parent_id", "parents form a cycle"))
    out["root_id"] = root
    colour = dict(zip(out["actor_id"], out["color"], strict=True))
    out["color"] = out["root_id"].map(colour).fillna("")
    no_colour = (out["color"] == "") & (out["parent_id"] == "")
    problems.extend(
        Problem("actors.csv", int(r) + 2, "color", "a top-level actor needs a colour")
        for r in out.index[no_colour]
    )
    names = dict(zip(out["actor_id"], out["name"], strict=True))
    out["root_name"] = out["root_id"].map(names)
    return out


def _build_places(
    text: pd.DataFrame,
    actors: pd.DataFrame,
    problems: list[Problem],
    known: pd.DataFrame | None = None,
    geography: checks.Geography | None = None,
) -> pd.DataFrame:
    """Build places from their text. ``known``: places already built (the shipped data set,
    when records added beside it are built), which may serve as anchors. With a
    ``geography``, a derived border crossing is placed on the border (``checks``)."""
    out = text.copy()
    file = "places.csv"
    for col in ("lat", "lon", "bearing_deg", "distance_km", "precision_m"):
        out[col] = pd.to_numeric(out[col].replace("", np.nan))

    published = out["coord_method"] == "published"
    derived = out["coord_method"] == "derived"
    unplaced = out["coord_method"] == "unplaced"
    rules = [
        (published & (out["lat"].isna() | out["lon"].isna()), "lat", "published needs lat and lon"),
        (derived & out["anchor_id"].eq(""), "anchor_id", "derived needs anchor_id"),
        (
            derived & out["bearing_deg"].isna() & out["distance_km"].ne(0),
            "bearing_deg",
            "derived needs bearing_deg (blank only when distance_km is 0: at the anchor)",
        ),
        (derived & out["distance_km"].isna(), "distance_km", "derived needs distance_km"),
        (derived & out["lat"].notna(), "lat", "derived places take no lat/lon (computed)"),
        (unplaced & out["lat"].notna(), "lat", "unplaced places take no lat/lon"),
        (
            (published | derived) & out["precision_m"].isna(),
            "precision_m",
            "a placed place needs its precision radius",
        ),
    ]
    for mask, field, message in rules:
        problems.extend(Problem(file, int(r) + 2, field, message) for r in out.index[mask])

    known_ids = out["place_id"]
    if known is not None:
        known_ids = pd.concat([known["place_id"], out["place_id"]], ignore_index=True)
    problems.extend(_check_refs(file, out, "anchor_id", known_ids, "place"))
    problems.extend(_check_refs(file, out, "operator_id", actors["actor_id"], "actor"))

    # derive positions from their anchors (anchors may themselves be derived)
    names = dict(zip(out["place_id"], out["name"], strict=True))
    if known is not None:
        names = {**dict(zip(known["place_id"], known["name"], strict=True)), **names}
    for _ in range(3):
        todo = derived & out["lat"].isna()
        if not todo.any():
            break
        anchors = out[["place_id", "lat", "lon"]]
        if known is not None:
            anchors = pd.concat([known[["place_id", "lat", "lon"]], anchors], ignore_index=True)
        anchors = anchors.drop_duplicates("place_id", keep="last").set_index("place_id")
        anchor_lat = out.loc[todo, "anchor_id"].map(anchors["lat"])
        anchor_lon = out.loc[todo, "anchor_id"].map(anchors["lon"])
        ready = anchor_lat.notna()
        if not ready.any():
            break
        idx = anchor_lat.index[ready]
        lat, lon = offset_points(
            anchor_lat[ready],
            anchor_lon[ready],
            out.loc[idx, "bearing_deg"].fillna(0.0),
            out.loc[idx, "distance_km"],
        )
        out.loc[idx, "lat"] = lat
        out.loc[idx, "lon"] = lon
        problems.extend(
            checks.crossings_onto_border(out, idx, anchor_lat, anchor_lon, names, geography)
        )
    still = derived & out["lat"].isna() & member(out["anchor_id"], known_ids)
    problems.extend(
        Problem(file, int(r) + 2, "anchor_id", "anchor place has no position to derive from")
        for r in out.index[still]
    )
    auto = derived & (out["derivation"] == "")
    out.loc[auto, "derivation"] = [
        f"at {names.get(a, a)}"
        if d == 0
        else f"about {d:g} km {compass_word(b)} of {names.get(a, a)}"
        for d, b, a in zip(
            out.loc[auto, "distance_km"],
            out.loc[auto, "bearing_deg"],
            out.loc[auto, "anchor_id"],
            strict=True,
        )
    ]
    out["placed"] = out["lat"].notna() & out["lon"].notna()
    start, _ = date_window(out["active_from"])
    _, end = date_window(out["active_to"])
    out["active_from_date"] = start
    out["active_to_date"] = end
    out["search_text"] = (out["name"] + "|" + out["alt_names"]).str.casefold()
    return out


def _build_routes(
    text: pd.DataFrame,
    places: pd.DataFrame,
    theatres: pd.DataFrame,
    problems: list[Problem],
    geography: checks.Geography | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    file = "routes.json"
    problems.extend(_check_refs(file, text, "theatre_id", theatres["theatre_id"], "theatre"))
    wp = _split_list(text, "waypoints", "route_id").rename(columns={"value": "place_id"})
    problems.extend(
        _unknown(file, wp["row"], "waypoints", wp["place_id"], places["place_id"], "place")
    )
    problems.extend(_check_refs(file, text, "entry_id", places["place_id"], "place"))
    bases = _split_list(text, "base_ids", "route_id")
    problems.extend(
        _unknown(file, bases["row"], "base_ids", bases["value"], places["place_id"], "place")
    )

    pos = places.set_index("place_id")[["lat", "lon", "placed"]]
    wp = wp.join(pos, on="place_id")
    wp["placed"] = wp["placed"].fillna(False).astype(bool)
    placed = wp[wp["placed"]]
    coords = placed.groupby("route_id").apply(
        lambda g: tuple(zip(g["lat"].round(6), g["lon"].round(6), strict=True)),
        include_groups=False,
    )
    if placed.empty:  # no route has a placed waypoint: apply returns an empty frame
        coords = pd.Series(dtype=object)
    out = text[["route_id", "name", "theatre_id", "kind", "entry_id", "description"]].copy()
    out["base_ids"] = text["base_ids"].str.split("|").map(lambda xs: tuple(x for x in xs if x))
    out["coords"] = out["route_id"].map(coords).map(lambda c: c if isinstance(c, tuple) else ())
    out["n_waypoints"] = out["route_id"].map(wp.groupby("route_id").size()).fillna(0).astype(int)
    out["n_placed"] = out["coords"].map(len)
    if geography is not None:  # keep each route inside its waypoints' country
        country = wp.join(places.set_index("place_id")["country"], on="place_id")
        home = country.groupby("route_id")["country"].agg(lambda c: c.mode().iat[0])
        out["coords"] = [
            checks.keep_inside(c, home.get(r, ""), geography)
            for r, c in zip(out["route_id"], out["coords"], strict=True)
        ]
    out["length_km"] = out["coords"].map(path_length_km).round(1)
    out["geometry_method"] = "derived: straight segments between placed waypoints" + (
        ", along the border where one would leave their country" if geography else ""
    )
    return out.reset_index(drop=True), wp.drop(columns=["row"])[
        ["route_id", "seq", "place_id", "placed"]
    ]


def _build_events(
    text: pd.DataFrame,
    actors: pd.DataFrame,
    places: pd.DataFrame,
    routes: pd.DataFrame,
    theatres: pd.DataFrame,
    problems: list[Problem],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    file = "events.csv"
    out = text.copy()
    start, end = date_window(out["date"])
    _, until = date_window(out["end_date"])
    form = precision_of(out["date"])
    checks = [
        (form != out["date_precision"], "date_precision", "does not match the form of 'date'"),
        (start.isna(), "date", "is not a real calendar date"),
        ((out["end_date"] != "") & until.isna(), "end_date", "is not a real calendar date"),
        (until.notna() & (until < start), "end_date", "is before 'date'"),
    ]
    for mask, field, message in checks:
        problems.extend(Problem(file, int(r) + 2, field, message) for r in out.index[mask])
    problems.extend(_check_refs(file, out, "theatre_id", theatres["theatre_id"], "theatre"))
    problems.extend(_check_refs(file, out, "route_id", routes["route_id"], "route"))
    out["start"] = start
    out["end"] = until.fillna(end)
    out["vehicles"] = pd.to_numeric(out["vehicles"].replace("", np.nan)).astype("Int64")
    out["distance_km"] = pd.to_numeric(out["distance_km"].replace("", np.nan))

    ea = _split_list(out, "actors", "event_id")
    pair = split_once(ea["value"], ":")
    event_actors = pd.DataFrame(
        {
            "row": ea["row"],
            "event_id": ea["event_id"],
            "actor_id": pair[0] if len(ea) else pd.Series([], dtype="str"),
            "role": pair[1] if len(ea) else pd.Series([], dtype="str"),
        }
    )
    problems.extend(
        _unknown(
            file,
            event_actors["row"],
            "actors",
            event_actors["actor_id"],
            actors["actor_id"],
            "actor",
        )
    )
    roots = actors.set_index("actor_id")[["root_id", "root_name"]]
    event_actors = event_actors.join(roots, on="actor_id").drop(columns=["row"])

    ep = _split_list(out, "places", "event_id").rename(columns={"value": "place_id"})
    problems.extend(
        _unknown(file, ep["row"], "places", ep["place_id"], places["place_id"], "place")
    )
    event_places = ep.drop(columns=["row"])[["event_id", "seq", "place_id"]]

    # where the event is drawn: its first placed place
    pos = places.set_index("place_id")[["lat", "lon", "precision_m", "placed", "name"]]
    located = event_places.join(pos, on="place_id")
    located = located[located["placed"].fillna(False).astype(bool)]
    first = (
        located.iloc[arrow_order(located, ["event_id", "seq"])]
        .drop_duplicates("event_id")
        .set_index("event_id")
    )
    out = out.join(
        first[["place_id", "lat", "lon", "precision_m", "name"]].rename(
            columns={
                "place_id": "location_id",
                "precision_m": "location_precision_m",
                "name": "location_name",
            }
        ),
        on="event_id",
    )
    out["placed"] = out["lat"].notna()
    named = event_places.join(pos["name"], on="place_id").dropna(subset=["name"])
    out["place_names"] = (
        lookup(out["event_id"], join_ordered(named["event_id"], named["name"], " → "))
        .astype("str")
        .fillna("")
    )

    known = event_actors.dropna(subset=["root_name"])
    acting = known[known["role"].isin(ACTING_ROLES)]
    fallback = known[~member(known["event_id"], acting["event_id"])]
    labelled = pd.concat([acting, fallback]).drop_duplicates(["event_id", "root_name"])
    labelled = labelled.iloc[arrow_order(labelled, ["event_id", "root_name"])]
    labels = join_ordered(labelled["event_id"], labelled["root_name"], " + ")
    out["actor_label"] = lookup(out["event_id"], labels).astype("str").fillna("No actor named")
    actor_names = actors.set_index("actor_id")["name"]
    ordered = event_actors.iloc[arrow_order(event_actors, ["event_id", "actor_id"])]
    everyone = join_ordered(
        ordered["event_id"],
        lookup(ordered["actor_id"], actor_names).fillna(ordered["actor_id"])
        + " ("
        + ordered["role"]
        + ")",
        ", ",
    )
    out["actors_text"] = lookup(out["event_id"], everyone).astype("str").fillna("")
    out = out.drop(columns=["sources"])
    return out.reset_index(drop=True), event_actors.reset_index(drop=True), event_places


def _build_period_counts(
    text: pd.DataFrame, routes: pd.DataFrame, theatres: pd.DataFrame, problems: list[Problem]
) -> pd.DataFrame:
    file = "period_counts.csv"
    out = text.copy()
    out["period_start"] = pd.to_datetime(out["period_start"], format="%Y-%m-%d", errors="coerce")
    out["period_end"] = pd.to_datetime(out["period_end"], format="%Y-%m-%d", errors="coerce")
    out["count_low"] = pd.to_numeric(out["count_low"])
    out["count_high"] = pd.to_numeric(out["count_high"])
    checks = [
        (out["period_start"].isna(), "period_start", "is not a real calendar date"),
        (out["period_end"].isna(), "period_end", "is not a real calendar date"),
        (out["period_end"] < out["period_start"], "period_end", "is before period_start"),
        (out["count_high"] < out["count_low"], "count_high", "is below count_low"),
    ]
    for mask, field, message in checks:
        problems.extend(Problem(file, int(r) + 2, field, message) for r in out.index[mask])
    problems.extend(_check_refs(file, out, "theatre_id", theatres["theatre_id"], "theatre"))
    rs = _split_list(out, "route_ids", "count_id")
    problems.extend(
        _unknown(file, rs["row"], "route_ids", rs["value"], routes["route_id"], "route")
    )
    out["route_ids"] = out["route_ids"].str.split("|").map(lambda xs: tuple(x for x in xs if x))
    days = (out["period_end"] - out["period_start"]).dt.days + 1
    out["months"] = days / (365.25 / 12)
    per_month = out["unit"] == "per_month"
    out["rate_low"] = out["count_low"].where(per_month, out["count_low"] / out["months"])
    out["rate_high"] = out["count_high"].where(per_month, out["count_high"] / out["months"])
    return out


def _build_conflicts(text: pd.DataFrame) -> pd.DataFrame:
    out = text.copy()
    parts = split_once(out["subject"], ":")
    out["subject_type"] = parts[0]
    out["subject_id"] = parts[1]
    return out
