"""Schemas of the data set's files, checked with pandera on load.

Files are read as text and checked field by field before anything is converted, so a
bad cell is reported as itself (file, spreadsheet row, field, value) rather than as a
failed conversion of a whole column. Cross-file references are checked in
``data.load`` once every file has passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from data import vocab

SLUG = r"^[a-z0-9][a-z0-9_.\-]*$"
DATE_ANY = r"^\d{4}(-\d{2}(-\d{2})?|-Q[1-4]|-W\d{2})?$"
DATE_DAY = r"^\d{4}-\d{2}-\d{2}$"
NUMBER = r"^-?\d+(\.\d+)?$"
INTEGER = r"^\d+$"
CITATION = r"[a-z0-9][a-z0-9_.\-]*:[1-6]"
CITATIONS = rf"^{CITATION}(\|{CITATION})*$"
SLUG_LIST = r"^[a-z0-9][a-z0-9_.\-]*(\|[a-z0-9][a-z0-9_.\-]*)*$"
ROLE_LIST = (
    r"^[a-z0-9][a-z0-9_.\-]*:(" + "|".join(vocab.ROLES) + r")"
    r"(\|[a-z0-9][a-z0-9_.\-]*:(" + "|".join(vocab.ROLES) + r"))*$"
)
URL = r"^https?://[^\s<>\"']+$"
COLOUR = r"^#[0-9a-fA-F]{6}$"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or one file) of the data set."""

    file: str
    row: int | None  # spreadsheet row: the header is row 1, the first record row 2
    field: str | None
    problem: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.problem}"


class DataSetError(ValueError):
    """A data file was refused. Carries every problem found, each with file, row and field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        head = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{len(problems)} problem(s) in the data set: {head}{more}")


#: a column whose first rows are mostly distinct is checked cell by cell; any other once
#: per distinct value (1M events hold ~2,000 dates, ~80,000 source lists)
_SAMPLE = 4096
#: a column of at most this many cells (a form's record, a small import) is checked cell by
#: cell: counting and spreading back its distinct values cost more than the check itself
_SMALL = 256


def _per_value(test: Callable[[pd.Series], pd.Series]) -> Callable[[pd.Series], pd.Series]:
    """``test`` (a cell-wise check of a text column) worked out once per distinct value of
    the column and spread back over its rows: the same verdict for every cell, in a
    fraction of the time where values repeat. Small columns (at most ``_SMALL`` cells),
    columns with a missing cell, or whose values are mostly distinct (ids), are tested cell
    by cell."""

    def check(s: pd.Series) -> pd.Series:
        if len(s) <= _SMALL:
            return test(s)
        head = s.iloc[:_SAMPLE]
        if head.nunique(dropna=False) * 2 > len(head):
            return test(s)
        codes, uniques = pd.factorize(s)
        if (codes < 0).any():
            return test(s)
        verdict = test(pd.Series(uniques, dtype=s.dtype)).to_numpy(dtype=bool)
        return pd.Series(verdict[codes], index=s.index)

    return check


def _text(
    pattern: str | None = None,
    *,
    required: bool = True,
    isin: list[str] | tuple[str, ...] | None = None,
    what: str = "",
) -> pa.Column:
    """A text column; empty cells are ''. Checks apply to non-empty cells."""
    checks: list[pa.Check] = []
    if required:
        checks.append(
            pa.Check(_per_value(lambda s: s.str.strip() != ""), error="must not be empty")
        )
    if pattern is not None:
        checks.append(
            pa.Check(
                _per_value(lambda s, p=pattern: (s == "") | s.str.fullmatch(p)),
                error=f"is not {what or 'in the expected form'}",
            )
        )
    if isin is not None:
        allowed = list(isin)
        checks.append(
            pa.Check(
                _per_value(lambda s, a=allowed: (s == "") | s.isin(a)),
                error="must be one of " + ", ".join(allowed),
            )
        )
    return pa.Column(str, checks=checks, nullable=False)


def _bounded(lo: float, hi: float, what: str) -> pa.Column:
    return pa.Column(
        str,
        checks=[
            pa.Check(
                _per_value(lambda s: (s == "") | s.str.fullmatch(NUMBER)), error=f"is not {what}"
            ),
            pa.Check(
                _per_value(
                    lambda s: (
                        (s == "")
                        | ~s.str.fullmatch(NUMBER)
                        | pd.to_numeric(s, errors="coerce").between(lo, hi)
                    )
                ),
                error=f"is out of range for {what} ({lo}..{hi})",
            ),
        ],
    )


def _schema(columns: dict[str, pa.Column], unique: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(columns, strict=True, ordered=False, unique=[unique])


SOURCES = _schema(
    {
        "source_id": _text(SLUG, what="an id (lower-case letters, digits, - _ .)"),
        "publisher": _text(),
        "title": _text(),
        "url": _text(URL, what="an http(s) URL"),
        "published": _text(DATE_ANY, required=False, what="a date (YYYY, YYYY-MM, YYYY-MM-DD)"),
        "language": _text(r"^[a-z]{2}$", what="an ISO 639-1 language code"),
        "kind": _text(isin=tuple(vocab.SOURCE_KINDS)),
        "affiliation": _text(isin=tuple(vocab.AFFILIATIONS)),
        "reliability": _text(isin=tuple(vocab.RELIABILITY)),
        "reliability_basis": _text(required=False),
    },
    "source_id",
)

THEATRES = _schema(
    {
        "theatre_id": _text(SLUG, what="an id"),
        "name": _text(),
        "description": _text(required=False),
        "sources": _text(CITATIONS, what="a list of source_id:credibility"),
    },
    "theatre_id",
)

ACTORS = _schema(
    {
        "actor_id": _text(SLUG, what="an id"),
        "name": _text(),
        "kind": _text(isin=tuple(vocab.ACTOR_KINDS)),
        "parent_id": _text(SLUG, required=False, what="an actor id"),
        "aliases": _text(required=False),
        "color": _text(COLOUR, required=False, what="a colour #rrggbb"),
    },
    "actor_id",
)

PLACES = _schema(
    {
        "place_id": _text(SLUG, what="an id"),
        "name": _text(),
        "alt_names": _text(required=False),
        "kind": _text(isin=tuple(vocab.PLACE_KINDS)),
        "country": _text(r"^[A-Z]{2}$", what="an ISO 3166 country code"),
        "coord_method": _text(isin=vocab.COORD_METHODS),
        "lat": _bounded(-90, 90, "a latitude"),
        "lon": _bounded(-180, 180, "a longitude"),
        "anchor_id": _text(SLUG, required=False, what="a place id"),
        "bearing_deg": _bounded(0, 360, "a bearing in degrees"),
        "distance_km": _bounded(0, 500, "a distance in km"),
        "precision_m": _bounded(0, 100_000, "a precision radius in metres"),
        "derivation": _text(required=False),
        "operator_id": _text(SLUG, required=False, what="an actor id"),
        "active_from": _text(DATE_ANY, required=False, what="a date"),
        "active_to": _text(DATE_ANY, required=False, what="a date"),
        "sources": _text(CITATIONS, what="a list of source_id:credibility"),
        "note": _text(required=False),
    },
    "place_id",
)

EVENTS = _schema(
    {
        "event_id": _text(SLUG, what="an id"),
        "theatre_id": _text(SLUG, what="a theatre id"),
        "date": _text(DATE_ANY, what="a date (YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY-Qn or YYYY)"),
        "date_precision": _text(isin=vocab.DATE_PRECISIONS),
        "end_date": _text(DATE_ANY, required=False, what="a date"),
        "kind": _text(isin=tuple(vocab.EVENT_KINDS)),
        "status": _text(isin=tuple(vocab.EVENT_STATUSES)),
        "actors": _text(ROLE_LIST, required=False, what="a list of actor_id:role"),
        "places": _text(SLUG_LIST, required=False, what="a list of place ids"),
        "route_id": _text(SLUG, required=False, what="a route id"),
        "patrol_number": _text(r"^\d+(-\d+)?$", required=False, what="a patrol number"),
        "number_scheme": _text(SLUG, required=False, what="a numbering scheme id"),
        "vehicles": _text(INTEGER, required=False, what="a whole number"),
        "distance_km": _bounded(0, 5000, "a distance in km"),
        "description": _text(),
        "milestone": _text(required=False),
        "sources": _text(CITATIONS, what="a list of source_id:credibility"),
    },
    "event_id",
)

PERIOD_COUNTS = _schema(
    {
        "count_id": _text(SLUG, what="an id"),
        "theatre_id": _text(SLUG, what="a theatre id"),
        "metric": _text(SLUG, what="a metric id"),
        "event_kind": _text(required=False, isin=tuple(vocab.EVENT_KINDS)),
        "scope": _text(),
        "route_ids": _text(SLUG_LIST, required=False, what="a list of route ids"),
        "period_start": _text(DATE_DAY, what="a date YYYY-MM-DD"),
        "period_end": _text(DATE_DAY, what="a date YYYY-MM-DD"),
        "count_low": _bounded(0, 1e9, "a count"),
        "count_high": _bounded(0, 1e9, "a count"),
        "unit": _text(isin=vocab.PERIOD_UNITS),
        "qualifier": _text(isin=tuple(vocab.PERIOD_QUALIFIERS)),
        "sources": _text(CITATIONS, what="a list of source_id:credibility"),
        "note": _text(required=False),
    },
    "count_id",
)

CONFLICTS = pa.DataFrameSchema(
    {
        "conflict_id": _text(SLUG, what="an id"),
        "topic": _text(),
        "subject": _text(
            r"^(" + "|".join(vocab.SUBJECT_TYPES) + r"):[a-z0-9][a-z0-9_.\-]*$",
            what="a record reference such as event:<id>",
        ),
        "claim": _text(),
        "sources": _text(CITATIONS, what="a list of source_id:credibility"),
    },
    strict=True,
    ordered=False,
)

#: file name → schema, in load order
TABLES: dict[str, pa.DataFrameSchema] = {
    "sources.csv": SOURCES,
    "theatres.csv": THEATRES,
    "actors.csv": ACTORS,
    "places.csv": PLACES,
    "events.csv": EVENTS,
    "period_counts.csv": PERIOD_COUNTS,
    "conflicts.csv": CONFLICTS,
}

# routes.json is a list of objects; checked with the same machinery after flattening.
ROUTES = _schema(
    {
        "route_id": _text(SLUG, what="an id"),
        "name": _text(),
        "theatre_id": _text(SLUG, what="a theatre id"),
        "kind": _text(isin=tuple(vocab.ROUTE_KINDS)),
        "waypoints": _text(SLUG_LIST, what="a list of place ids"),
        "entry_id": _text(SLUG, required=False, what="a place id"),
        "base_ids": _text(SLUG_LIST, required=False, what="a list of place ids"),
        "description": _text(required=False),
        "sources": _text(CITATIONS, what="a list of source_id:credibility"),
    },
    "route_id",
)


def problems_from(file: str, frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[Problem]:
    """Validate ``frame`` (all text, '' for empty) and return its problems, row by row."""
    problems: list[Problem] = []
    missing = [c for c in schema.columns if c not in frame.columns]
    extra = [c for c in frame.columns if c not in schema.columns]
    for col in missing:
        problems.append(Problem(file, 1, col, "column is missing from the header"))
    for col in extra:
        problems.append(Problem(file, 1, col, "column is not part of the format"))
    if problems:
        return problems
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        for case in cases.itertuples(index=False):
            index = case.index
            row = None if index is None or pd.isna(index) else int(index) + 2
            field = None if pd.isna(case.column) else str(case.column)
            check = str(case.check)
            value = case.failure_case
            if check.startswith("field_uniqueness") or "unique" in check:
                text = f"duplicate id {value!r}"
            else:
                text = f"{value!r} {check}" if value not in ("", None) else check
            problems.append(Problem(file, row, field, text))
    return sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.field or ""))
