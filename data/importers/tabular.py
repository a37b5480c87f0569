"""Tables: CSV and Excel files, and our own CSV and JSON.

A table is recognised by its header: an ACLED export (``event_id_cnty``…), or one of our
own files (``events.csv``, ``places.csv``, ``sources.csv``, ``actors.csv``, as the data
dictionary describes them, and the CSV and Excel this app exports). Our JSON is an object
with a list per kind of record (``{"events": [...], "places": [...]}``), a list of records
of one kind, or ``routes.json``. Pure.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pandas as pd

from data.export import EXTRA_COLUMNS
from data.importers.acled import is_acled, parse_acled
from data.importers.base import ImportOptions, ImportRefused, Parsed, records_frame
from data.records import COLUMNS

#: the columns that say a table holds records of one kind
KEYS: dict[str, tuple[str, ...]] = {
    "events": ("event_id", "date", "kind"),
    "places": ("place_id", "name", "coord_method"),
    "sources": ("source_id", "publisher", "url"),
    "actors": ("actor_id", "name", "kind"),
    "routes": ("route_id", "waypoints"),
    "aliases": ("alias", "actor_id"),
}

#: columns our own exports add for people, ignored when the file comes back
EXPORT_EXTRAS = set(EXTRA_COLUMNS)


def kind_of(columns: list[str]) -> str | None:
    """Which of our kinds of record a header holds, or None."""
    cols = set(columns)
    for table in ("events", "places", "sources", "routes", "aliases", "actors"):
        if set(KEYS[table]) <= cols:
            return table
    return None


def read_csv_text(name: str, text: str) -> pd.DataFrame:
    """A CSV's cells as text ('' for empty), header stripped and lower-cased. Comma,
    semicolon (some spreadsheets' CSV) or tab separated."""
    first = text.split("\n", 1)[0]
    sep = max((",", ";", "\t"), key=first.count)
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, sep=sep
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
        raise ImportRefused(
            f"{name} is not a CSV table we can read ({str(err).splitlines()[0]}). "
            "Nothing was imported."
        ) from None
    return _tidy(frame)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.loc[:, [not c.startswith("unnamed:") for c in frame.columns]]
    out = frame.astype("str").apply(lambda col: col.str.strip())
    return out.reset_index(drop=True)


def read_excel_sheets(name: str, data: bytes) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as text frames (header = first row), by sheet name. Dates
    come out as YYYY-MM-DD, whole numbers without '.0'."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged workbook
        raise ImportRefused(
            f"{name} is not an Excel workbook we can read ({type(err).__name__}). "
            "Nothing was imported."
        ) from None
    sheets = {}
    try:
        for ws in wb.worksheets:
            rows = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
            rows = [r for r in rows if any(v != "" for v in r)]
            if not rows:
                continue
            header = [h or f"unnamed: {i}" for i, h in enumerate(rows[0])]
            body = [r + [""] * (len(header) - len(r)) for r in rows[1:]]
            sheets[ws.title] = _tidy(pd.DataFrame([r[: len(header)] for r in body], columns=header))
    finally:
        wb.close()
    if not sheets:
        raise ImportRefused(f"{name} has no sheet with data. Nothing was imported.")
    return sheets


def _cell(value: object) -> str:
    from datetime import date, datetime

    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_table(
    name: str, frame: pd.DataFrame, options: ImportOptions, *, sheet: str = ""
) -> Parsed:
    """One table: an ACLED export or one of our kinds of record."""
    where = f"{name} (sheet '{sheet}')" if sheet else name
    if frame.empty:
        raise ImportRefused(f"{where} has a header but no rows. Nothing was imported.")
    if is_acled(list(frame.columns)):
        return parse_acled(frame, options, where)
    table = kind_of(list(frame.columns))
    if table is None:
        head = ", ".join(list(frame.columns)[:8])
        raise ImportRefused(
            f"{where} is not a table we know: its header ({head}…) is neither an ACLED "
            "export nor one of our files (events, places, sources, actors). Nothing was "
            "imported."
        )
    return ours(table, frame.to_dict("records"), start_row=2, label=f"our {table} table")


def ours(table: str, rows: list[dict], *, start_row: int, label: str) -> Parsed:
    """Records of one of our kinds, field names as in the data dictionary. Lists (JSON)
    are joined with '|'. Columns our exports add are ignored; others are noted."""

    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, list):
            return "|".join(cell(v) for v in value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    clean = [{str(k).strip().lower(): cell(v) for k, v in r.items()} for r in rows]
    known = set(COLUMNS[table])
    seen = {k for r in clean for k in r}
    unknown = sorted(seen - known - EXPORT_EXTRAS)
    parsed = Parsed(format=label, rows=len(clean), row_unit="row" if start_row == 2 else "item")
    if unknown:
        parsed.notes.append(
            f"Column(s) not in our {table} format were ignored: {', '.join(unknown)}."
        )
    for i, r in enumerate(clean):
        r["_row"] = i + start_row
    parsed.records[table] = records_frame(
        table, [{k: r.get(k, "") for k in [*known, "_row"]} for r in clean]
    )
    return parsed


def parse_json(
    name: str, text: str, options: ImportOptions, geojson: Callable[[dict], Parsed]
) -> Parsed:
    """Our JSON (a list per kind, a list of one kind, routes.json), or GeoJSON."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ImportRefused(
            f"{name} is not valid JSON (line {err.lineno}: {err.msg}). Nothing was imported."
        ) from None
    if isinstance(doc, dict) and doc.get("type") in ("FeatureCollection", "Feature"):
        return geojson(doc)
    if isinstance(doc, list):
        if not doc:
            raise ImportRefused(f"{name} holds an empty list. Nothing was imported.")
        if not all(isinstance(x, dict) for x in doc):
            raise ImportRefused(
                f"{name} must be a list of records (objects). Nothing was imported."
            )
        table = kind_of(sorted({str(k).lower() for x in doc for k in x}))
        if table is None:
            raise ImportRefused(
                f"{name} is a list of objects, but not of our records (events need event_id, "
                "date and kind; routes route_id and waypoints…). Nothing was imported."
            )
        return ours(table, doc, start_row=1, label=f"our JSON ({table})")
    if isinstance(doc, dict):
        tables = {k.lower(): v for k, v in doc.items() if k.lower() in KEYS}
        if not tables:
            raise ImportRefused(
                f"{name} is a JSON object without any of our lists "
                f"({', '.join(KEYS)}). Nothing was imported."
            )
        parsed = Parsed(format="our JSON", rows=0, row_unit="item")
        for table, items in tables.items():
            if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
                raise ImportRefused(f"{name}: '{table}' must be a list of objects.")
            part = ours(table, items, start_row=1, label="our JSON")
            parsed.records[table] = part.records[table]
            parsed.rows += part.rows
            parsed.notes.extend(part.notes)
        if parsed.rows == 0:
            raise ImportRefused(f"{name} holds no records. Nothing was imported.")
        return parsed
    raise ImportRefused(f"{name} is JSON but not a list or object of records.")
