"""The import formats, declared once each: the extensions a file of it has, how its bytes
are checked (zipped or not), the limits it is bounded by, its label and its reader. The
pipeline reads files through this registry and the upload widget takes its file types
from it, so a new format is one declaration here (and its reader).

    fmt = format_for("patrols.kmz")        # the declaration, or None
    parsed = read_with(fmt, name, data, options, limits, notes)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from data.importers.base import (
    ImportLimits,
    ImportOptions,
    ImportRefused,
    Parsed,
    check_bytes,
    decode_text,
    visible,
)

#: a reader: (file name, bytes, options, limits, notes to add to) → the parsed file
Reader = Callable[[str, bytes, ImportOptions, ImportLimits, list[str]], Parsed]


@dataclass(frozen=True)
class ImportFormat:
    """One format we import. ``key``: its short name; ``label``: in messages;
    ``extensions``: the file-name endings (lower case, with the dot); ``zipped``: a zip
    archive (checked as one, unpacked within the limits); ``limits``: the
    ``ImportLimits`` fields that bound it (named in the upload help); ``reader``: bytes
    to ``Parsed``; ``describe``: one line for the upload widget."""

    key: str
    label: str
    extensions: tuple[str, ...]
    zipped: bool
    limits: tuple[str, ...]
    reader: Reader
    describe: str = ""


# --------------------------------------------------------------------------- readers


def read_csv(name: str, data: bytes, options: ImportOptions, limits: ImportLimits,
             notes: list[str]) -> Parsed:  # fmt: skip
    """A CSV table: an ACLED export or one of our files."""
    from data.importers.tabular import parse_table, read_csv_text

    text = decode_text(name, data, notes)
    return parse_table(name, read_csv_text(name, text, limits), options)


def read_xlsx(name: str, data: bytes, options: ImportOptions, limits: ImportLimits,
              notes: list[str]) -> Parsed:  # fmt: skip
    """An Excel workbook: a sheet per kind of our records (named events, places…), or its
    first sheet as a table (an ACLED export)."""
    from data.importers.tabular import KEYS, ours, parse_table, read_excel_sheets

    sheets = read_excel_sheets(name, data, limits)
    ours_by_name = {s: f for s, f in sheets.items() if s.strip().lower() in KEYS}
    if not ours_by_name:
        sheet, frame = next(iter(sheets.items()))
        if len(sheets) > 1:
            notes.append(f"Only the first sheet ('{visible(sheet, 60)}') was read.")
        return parse_table(name, frame, options, sheet=sheet)
    parsed = Parsed(format="our workbook", rows=0)
    for sheet, frame in ours_by_name.items():
        table = sheet.strip().lower()
        part = ours(
            table,
            frame.to_dict("records"),
            rows=[int(i) + 2 for i in frame.index],
            label=f"our workbook ({table})",
        )
        parsed.records[table] = part.records[table]
        parsed.rows += part.rows
        parsed.notes.extend(f"Sheet '{visible(sheet, 60)}': {n}" for n in part.notes)
    skipped = sorted(set(sheets) - set(ours_by_name))
    if skipped:
        notes.append(f"Sheets not read: {', '.join(visible(s, 60) for s in skipped)}.")
    return parsed


def read_json(name: str, data: bytes, options: ImportOptions, limits: ImportLimits,
              notes: list[str]) -> Parsed:  # fmt: skip
    """Our JSON (a list per kind, a list of one kind, routes.json), or GeoJSON."""
    from data.importers.geo import read_geojson_doc
    from data.importers.tabular import load_json, parse_json

    doc = load_json(name, data, decode_text(name, data, notes), limits)
    return parse_json(
        name, doc, options, lambda d: read_geojson_doc(name, d, options, limits), limits
    )


def read_geojson(name: str, data: bytes, options: ImportOptions, limits: ImportLimits,
                 notes: list[str]) -> Parsed:  # fmt: skip
    """GeoJSON: a FeatureCollection or one Feature."""
    from data.importers.geo import read_geojson_doc
    from data.importers.tabular import load_json

    doc = load_json(name, data, decode_text(name, data, notes), limits)
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        raise ImportRefused(
            f"{name} is JSON but not GeoJSON (no FeatureCollection or Feature). "
            "Nothing was imported."
        )
    return read_geojson_doc(name, doc, options, limits)


def read_kml(name: str, data: bytes, options: ImportOptions, limits: ImportLimits,
             notes: list[str]) -> Parsed:  # fmt: skip
    """KML as Google Earth writes it."""
    from data.importers.geo import read_kml_bytes

    head = data[:200].decode("ascii", "replace").lower()
    declared = "encoding=" in head and "utf-8" not in head.split("?>")[0]
    if not declared:
        decode_text(name, data, notes)  # refuse a KML that is not UTF-8, clearly
    return read_kml_bytes(name, data.removeprefix(b"\xef\xbb\xbf"), options, limits)


def read_kmz(name: str, data: bytes, options: ImportOptions, limits: ImportLimits,
             notes: list[str]) -> Parsed:  # fmt: skip
    """KMZ: the KML inside a zip."""
    from data.importers.geo import read_kml_bytes

    return read_kml_bytes(name, data, options, limits, kmz=True)


# --------------------------------------------------------------------------- the registry

_TEXT = ("max_bytes", "max_field_chars")
_TABLE = (*_TEXT, "max_columns", "max_cells")
_ARCHIVE = ("max_unpacked_bytes", "max_ratio", "max_members")

FORMATS: tuple[ImportFormat, ...] = (
    ImportFormat("csv", "CSV", (".csv", ".tsv", ".txt"), False, _TABLE, read_csv,
                 "ACLED exports (either format) and our own tables, UTF-8"),
    ImportFormat("xlsx", "Excel workbook", (".xlsx", ".xlsm"), True, (*_TABLE, *_ARCHIVE),
                 read_xlsx, "a sheet per kind of record, or an ACLED export"),
    ImportFormat("json", "JSON", (".json",), False, (*_TEXT, "max_depth"), read_json,
                 "our own JSON, or GeoJSON"),
    ImportFormat("geojson", "GeoJSON", (".geojson",), False,
                 (*_TEXT, "max_depth", "max_vertices"), read_geojson,
                 "points (events, places) and lines (routes)"),
    ImportFormat("kml", "KML", (".kml",), False, (*_TEXT, "max_depth", "max_vertices"),
                 read_kml, "from Google Earth"),
    ImportFormat("kmz", "KMZ", (".kmz",), True,
                 (*_TEXT, *_ARCHIVE, "max_depth", "max_vertices"), read_kmz,
                 "zipped KML from Google Earth"),
)  # fmt: skip

#: extensions we refuse with advice rather than "not read"
REFUSED = {
    ".xls": "is an Excel 97–2003 workbook (.xls), which we don't read. Nothing was "
    "imported. Save it as .xlsx (Excel: Save As → Excel Workbook) and import that.",
}


def format_for(name: str) -> ImportFormat | None:
    """The format a file's name claims (by its extension), or None."""
    suffix = os.path.splitext(name)[1].lower()
    return next((f for f in FORMATS if suffix in f.extensions), None)


def upload_types() -> list[str]:
    """Every extension we read, without the dot (for the upload widget)."""
    return [ext.lstrip(".") for f in FORMATS for ext in f.extensions]


def upload_help(limits: ImportLimits) -> str:
    """One line per format for the upload widget: label, extensions, what it holds."""
    from data.importers.base import size_text

    lines = [
        f"{f.label} ({', '.join(f.extensions)}): {f.describe}" + (
            f", unpacked to at most {size_text(limits.max_unpacked_bytes)}" if f.zipped else ""
        )
        for f in FORMATS
    ]  # fmt: skip
    return f"Up to {size_text(limits.max_bytes)} a file. " + "; ".join(lines) + "."


def file_format(name: str, data: bytes, limits: ImportLimits) -> ImportFormat:
    """The format a file claims by its name, checked against its first bytes and its size.
    Raises ``ImportRefused`` for a file too big, empty, of a type we don't read, or not
    the format its name claims."""
    suffix = os.path.splitext(name)[1].lower()
    fmt = format_for(name)
    if fmt is None:
        if len(data) <= limits.max_bytes and suffix in REFUSED:
            raise ImportRefused(f"{name} {REFUSED[suffix]}")
        known = ", ".join(sorted(e for f in FORMATS for e in f.extensions))
        raise ImportRefused(
            f"{name}: files of type '{visible(suffix, 20) or 'none'}' are not read ({known})."
        )
    check_bytes(name, data, fmt.label, fmt.zipped, limits)
    return fmt


def read_with(
    fmt: ImportFormat, name: str, data: bytes, options: ImportOptions, limits: ImportLimits,
    notes: list[str],
) -> Parsed:  # fmt: skip
    """Read a file with its format's reader."""
    return fmt.reader(name, data, options, limits, notes)
