"""Tables: CSV and Excel files, and our own CSV and JSON.

A table is recognised by its header: an ACLED export (``event_id_cnty``…), or one of our
own files (``events.csv``, ``places.csv``, ``sources.csv``, ``actors.csv``, as the data
dictionary describes them, and the CSV and Excel this app exports). Our JSON is an object
with a list per kind of record (``{"events": [...], "places": [...]}``), a list of records
of one kind, or ``routes.json``. Pure.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pandas as pd

from data.export import EXTRA_COLUMNS
from data.importers.acled import is_acled, parse_acled
from data.importers.base import (
    ImportLimits,
    ImportOptions,
    ImportRefused,
    Parsed,
    check_text,
    check_unpacked,
    check_zip,
    json_depth,
    over_limit,
    records_frame,
    visible,
)
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


def read_csv_text(name: str, text: str, limits: ImportLimits) -> pd.DataFrame:
    """A CSV's cells as text ('' for empty), header stripped and lower-cased. Comma,
    semicolon (some spreadsheets' CSV) or tab separated. The frame's index is the
    spreadsheet row − 2 (header = row 1, a quoted line break stays inside its row, a
    blank line is a row), as every frame of ``parse_table`` has it."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportRefused(
            f"{name} holds a NUL character (line {line}): binary data, not a CSV table. "
            "Nothing was imported."
        )
    first = text[: text.find("\n")] if "\n" in text else text
    sep = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] = []
    body: list[list[str]] = []
    rows: list[int] = []
    cells = 0
    row = 0
    try:
        for row, cells_in_row in enumerate(reader, start=1):
            if row == 1:
                header = cells_in_row
                if len(header) > limits.max_columns:
                    raise over_limit(
                        name, f"its header has {len(header):,} columns",
                        f"{limits.max_columns:,} columns",
                    )  # fmt: skip
                _check_cells(name, header, limits, row)
                continue
            if not any(c.strip() for c in cells_in_row):
                continue
            if len(cells_in_row) > len(header):
                extra = cells_in_row[len(header) :]
                if any(c.strip() for c in extra):
                    raise ImportRefused(
                        f"{name} row {row} has {len(cells_in_row)} cells where the header "
                        f"has {len(header)}: a separator too many, or an unquoted "
                        f"'{visible(sep)}' in a cell? Nothing was imported."
                    )
                cells_in_row = cells_in_row[: len(header)]
            _check_cells(name, cells_in_row, limits, row)
            cells += len(header)
            if cells > limits.max_cells:
                raise over_limit(
                    name, f"it has more than {limits.max_cells:,} cells (row {row})",
                    f"{limits.max_cells:,} cells per table",
                )  # fmt: skip
            body.append(cells_in_row + [""] * (len(header) - len(cells_in_row)))
            rows.append(row)
    except csv.Error as err:
        where = row + 1 if row else 1
        if "field larger" in str(err):
            raise over_limit(
                name, f"row {where} holds a cell longer than the CSV reader takes",
                f"{limits.max_field_chars:,} characters per field",
            ) from None  # fmt: skip
        raise ImportRefused(
            f"{name} is not a CSV table we can read (row {where}: {err}). Nothing was imported."
        ) from None
    if not any(h.strip() for h in header):
        raise ImportRefused(f"{name} has no header row. Nothing was imported.")
    return _tidy(name, header, body, rows)


def _check_cells(name: str, cells: list[str], limits: ImportLimits, row: int) -> None:
    if cells and max(map(len, cells)) > limits.max_field_chars:
        col = max(range(len(cells)), key=lambda i: len(cells[i]))
        check_text(name, cells[col], limits, f"row {row}", f"column {col + 1}")


def _tidy(name: str, header: list, body: list[list[str]], rows: list[int]) -> pd.DataFrame:
    """A text frame from a header and rows (numbered as a spreadsheet shows them): header
    stripped and lower-cased; columns without a header dropped; a header named twice
    refused."""
    names = [str(h).strip().lower() for h in header]
    keep = [i for i, h in enumerate(names) if h]
    seen: set[str] = set()
    for i in keep:
        if names[i] in seen:
            raise ImportRefused(
                f"{name}: the header names the column '{visible(names[i], 60)}' twice. "
                "Nothing was imported."
            )
        seen.add(names[i])
    frame = pd.DataFrame(
        [[r[i].strip() for i in keep] for r in body],
        columns=[names[i] for i in keep],
        index=pd.Index([r - 2 for r in rows], dtype="int64"),
        dtype="str",
    )
    return frame


def read_excel_sheets(name: str, data: bytes, limits: ImportLimits) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as text frames (header = first row, index = spreadsheet
    row − 2), by sheet name. Dates come out as YYYY-MM-DD, whole numbers without '.0'.
    The workbook is unpacked once, counted, before openpyxl reads it."""
    from openpyxl import load_workbook

    check_unpacked(name, check_zip(name, data, limits), limits)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged workbook
        raise ImportRefused(
            f"{name} is not an Excel workbook we can read ({type(err).__name__}). "
            "Nothing was imported."
        ) from None
    sheets = {}
    cells = 0
    try:
        for ws in wb.worksheets:
            where = f"{name} (sheet '{visible(ws.title, 60)}')"
            ws.reset_dimensions()  # read the cells there are, not the size the sheet claims
            header: list[str] | None = None
            body, rows = [], []
            for row, values in enumerate(ws.iter_rows(values_only=True), start=1):
                line = [_cell(v) for v in values]
                if not any(v != "" for v in line):
                    continue
                if len(line) > limits.max_columns:
                    raise over_limit(
                        where, f"row {row} has {len(line):,} columns",
                        f"{limits.max_columns:,} columns",
                    )  # fmt: skip
                _check_cells(where, line, limits, row)
                cells += len(line)
                if cells > limits.max_cells:
                    raise over_limit(
                        where, f"it has more than {limits.max_cells:,} cells (row {row})",
                        f"{limits.max_cells:,} cells per workbook",
                    )  # fmt: skip
                if header is None:
                    header = [h or "" for h in line]
                    continue
                body.append((line + [""] * len(header))[: len(header)])
                rows.append(row)
            if header is None:
                continue
            sheets[ws.title] = _tidy(where, header, body, rows)
    except ImportRefused:
        raise
    except Exception as err:  # a damaged sheet inside a readable workbook
        raise ImportRefused(
            f"{name} is not an Excel workbook we can read ({type(err).__name__}). "
            "Nothing was imported."
        ) from None
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
    """One table (index = spreadsheet row − 2): an ACLED export or one of our kinds of
    record."""
    where = f"{name} (sheet '{visible(sheet, 60)}')" if sheet else name
    if frame.empty:
        raise ImportRefused(f"{where} has a header but no rows. Nothing was imported.")
    if is_acled(list(frame.columns)):
        return parse_acled(frame, options, where)
    table = kind_of(list(frame.columns))
    if table is None:
        head = ", ".join(visible(c, 40) for c in list(frame.columns)[:8])
        raise ImportRefused(
            f"{where} is not a table we know: its header ({head}…) is neither an ACLED "
            "export nor one of our files (events, places, sources, actors). Nothing was "
            "imported."
        )
    return ours(
        table,
        frame.to_dict("records"),
        rows=[int(i) + 2 for i in frame.index],
        label=f"our {table} table",
    )


def ours(
    table: str,
    items: list[dict],
    *,
    rows: list[int] | None = None,
    label: str,
    unit: str = "row",
    name: str = "",
    limits: ImportLimits | None = None,
) -> Parsed:
    """Records of one of our kinds, field names as in the data dictionary; ``rows``: the
    row (or item number) of each, counting from 1 for a list. Lists (JSON) are joined with
    '|'. Columns our exports add are ignored; others are noted. With ``limits``, a field
    longer than ``max_field_chars`` refuses the file (tables are checked as they are
    read)."""

    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, list):
            return "|".join(cell(v) for v in value)
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    numbers = rows if rows is not None else list(range(1, len(items) + 1))
    clean = [{str(k).strip().lower(): cell(v) for k, v in r.items()} for r in items]
    if limits is not None:
        for n, r in zip(numbers, clean, strict=True):
            for k, v in r.items():
                check_text(name, v, limits, f"{unit} {n}", f"'{visible(k, 40)}'")
    known = set(COLUMNS[table])
    seen = {k for r in clean for k in r}
    unknown = sorted(seen - known - EXPORT_EXTRAS)
    parsed = Parsed(format=label, rows=len(clean), row_unit=unit)
    if unknown:
        shown = ", ".join(visible(u, 40) for u in unknown[:20])
        more = f" (and {len(unknown) - 20} more)" if len(unknown) > 20 else ""
        parsed.notes.append(f"Column(s) not in our {table} format were ignored: {shown}{more}.")
    for r, n in zip(clean, numbers, strict=True):
        r["_row"] = n
    parsed.records[table] = records_frame(
        table, [{k: r.get(k, "") for k in [*known, "_row"]} for r in clean]
    )
    return parsed


def load_json(name: str, data: bytes, text: str, limits: ImportLimits) -> object:
    """A JSON document, its nesting checked before it is parsed."""
    depth = json_depth(data)
    if depth > limits.max_depth:
        raise over_limit(
            name, f"it nests {depth:,} levels deep", f"{limits.max_depth} levels of nesting"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ImportRefused(
            f"{name} is not valid JSON (line {err.lineno}: {err.msg}). Nothing was imported."
        ) from None
    except RecursionError:  # unreachable below max_depth; kept so it never reaches a page
        raise over_limit(name, "it nests too deeply to read", "the reader's depth") from None


def parse_json(
    name: str, doc: object, options: ImportOptions, geojson: Callable[[dict], Parsed],
    limits: ImportLimits,
) -> Parsed:  # fmt: skip
    """Our JSON (a list per kind, a list of one kind, routes.json), or GeoJSON."""
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
        return ours(table, doc, label=f"our JSON ({table})", unit="item", name=name, limits=limits)
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
            part = ours(table, items, label="our JSON", unit="item", name=name, limits=limits)
            parsed.records[table] = part.records[table]
            parsed.rows += part.rows
            parsed.notes.extend(part.notes)
        if parsed.rows == 0:
            raise ImportRefused(f"{name} holds no records. Nothing was imported.")
        return parsed
    raise ImportRefused(f"{name} is JSON but not a list or object of records.")
