"""What every importer shares: the analyst's options and decisions, the limits a file must
keep to, the checks that refuse a whole file (too big, not the format it claims, not UTF-8,
empty), and the parsed form every format is read into before it is checked. Pure."""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from data.records import empty
from data.settings import today


class ImportRefused(ValueError):
    """The whole file was refused; nothing was written. The message says why, in words."""


@dataclass(frozen=True)
class ImportLimits:
    """What a file must keep to. ``max_bytes``: the file as uploaded (and, for zip-based
    formats, what it unpacks to, at most ``max_unpacked`` times that). Dates before
    ``date_min`` or after ``date_max`` (today) are refused row by row."""

    max_bytes: int = 25 * 1024 * 1024
    max_unpacked: int = 20
    date_min: date = date(1945, 1, 1)
    date_max: date | None = None

    @classmethod
    def from_env(cls) -> ImportLimits:
        """Limits with ``PATROLWATCH_IMPORT_MAX_MB`` applied (default 25 MB)."""
        mb = os.environ.get("PATROLWATCH_IMPORT_MAX_MB", "").strip()
        return cls(max_bytes=int(float(mb) * 1024 * 1024)) if mb else cls()

    @property
    def latest(self) -> date:
        return self.date_max or today()


@dataclass(frozen=True)
class ImportOptions:
    """What the file does not say, chosen by the analyst before the preview.

    ``source_id``: the source the imported records cite (an existing one), or
    ``new_source``: a source record to add for them (data-dictionary fields as pairs).
    ``credibility``: the Admiralty credibility (1–6) of those citations. ``theatre_id``,
    ``event_kind``, ``event_status``, ``route_kind``, ``place_kind``, ``country``,
    ``precision_m``: defaults for records whose file leaves them out. ``actors``: actor
    roles (``actor_id:role|…``) for events of formats that carry none (KML, GeoJSON)."""

    source_id: str = ""
    new_source: tuple[tuple[str, str], ...] = ()
    credibility: int = 6
    theatre_id: str = ""
    event_kind: str = ""
    event_status: str = "carried_out"
    route_kind: str = "patrol_track"
    place_kind: str = "village"
    country: str = ""
    precision_m: int = 1000
    actors: str = ""

    @property
    def source(self) -> str:
        """The id of the source cited ('' if none chosen)."""
        return dict(self.new_source).get("source_id", "") or self.source_id

    @property
    def citation(self) -> str:
        """'source_id:credibility', or '' if no source was chosen."""
        return f"{self.source}:{self.credibility}" if self.source else ""


@dataclass(frozen=True)
class Decisions:
    """The analyst's answers to the preview's questions.

    ``places``: fuzzy matches confirmed, as (name in the file, place_id). ``actors``: names
    in the file mapped to one of our actors, as (name, actor_id). ``new_actors``: names to
    add as new actors, as (name, kind). ``remember``: keep each mapped name as an alias of
    its actor, so the next import resolves it by itself."""

    places: tuple[tuple[str, str], ...] = ()
    actors: tuple[tuple[str, str], ...] = ()
    new_actors: tuple[tuple[str, str], ...] = ()
    remember: bool = True


@dataclass(frozen=True)
class RowProblem:
    """Why a row of the file was refused: its row (as the file counts them), the field and
    the reason."""

    row: int
    field: str
    reason: str


@dataclass
class Parsed:
    """A file read into records (data-dictionary text, each with the ``_row`` it came from)
    plus what is still to be resolved against our data: places named in the file
    (``place_refs``) and actors named in it (``actor_refs``)."""

    format: str
    rows: int
    row_unit: str = "row"
    records: dict[str, pd.DataFrame] = field(default_factory=dict)
    place_refs: pd.DataFrame = field(default_factory=lambda: empty_place_refs())
    actor_refs: pd.DataFrame = field(default_factory=lambda: empty_actor_refs())
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: our field name → the file's, for refused-row messages in the file's own words
    field_names: dict[str, str] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        """The records of one kind (an empty frame with the columns if there are none)."""
        frame = self.records.get(name)
        if frame is None:
            frame = empty(name).assign(_row=pd.Series([], dtype="int64"))
        return frame


PLACE_REF_COLUMNS = {
    "event_id": "str",  # '' for a place in its own right (a KML placemark with no time)
    "seq": "int64",
    "_row": "int64",
    "name": "str",
    "alt_names": "str",
    "lat": "float64",
    "lon": "float64",
    "precision_m": "float64",
    "area_m": "float64",  # > 0: the event happened somewhere within this radius of the place
    "area_note": "str",
    "kind": "str",
    "country": "str",
    "note": "str",
}

ACTOR_REF_COLUMNS = {
    "event_id": "str",
    "_row": "int64",
    "name": "str",
    "role": "str",
    "actor_type": "str",
}


def empty_place_refs() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in PLACE_REF_COLUMNS.items()})


def empty_actor_refs() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in ACTOR_REF_COLUMNS.items()})


def place_refs(rows: list[dict]) -> pd.DataFrame:
    """Place references from dicts (missing fields filled)."""
    frame = pd.DataFrame(rows) if rows else empty_place_refs()
    for col, dtype in PLACE_REF_COLUMNS.items():
        if col not in frame.columns:
            frame[col] = 0 if dtype == "int64" else (float("nan") if dtype == "float64" else "")
        if dtype == "str":
            frame[col] = frame[col].fillna("").astype("str")
        else:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(dtype)
    return frame[list(PLACE_REF_COLUMNS)]


def actor_refs(rows: list[dict]) -> pd.DataFrame:
    """Actor references from dicts (missing fields filled)."""
    frame = pd.DataFrame(rows) if rows else empty_actor_refs()
    for col, dtype in ACTOR_REF_COLUMNS.items():
        if col not in frame.columns:
            frame[col] = 0 if dtype == "int64" else ""
        frame[col] = frame[col].fillna("").astype(dtype) if dtype == "str" else frame[col]
    return frame[list(ACTOR_REF_COLUMNS)]


def records_frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """Records of one kind from dicts: every text column present ('' when missing), plus
    ``_row``."""
    frame = pd.DataFrame(rows)
    base = empty(table)
    for col in base.columns:
        if col not in frame.columns:
            frame[col] = ""
    if "_row" not in frame.columns:
        frame["_row"] = 0
    text_cols = list(base.columns)
    frame[text_cols] = frame[text_cols].fillna("").astype("str")
    return frame[[*text_cols, "_row"]]


# --------------------------------------------------------------------------- file checks

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".geojson": "geojson",
    ".kml": "kml",
    ".kmz": "kmz",
}

LABELS = {
    "csv": "CSV",
    "xlsx": "Excel workbook",
    "json": "JSON",
    "geojson": "GeoJSON",
    "kml": "KML",
    "kmz": "KMZ",
}

_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old Office file (Excel 97–2003 .xls or Word .doc)",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}


def file_format(name: str, data: bytes, limits: ImportLimits) -> str:
    """The format a file claims by its name, checked against its first bytes and its size.
    Raises ``ImportRefused`` for a file too big, empty, of a type we don't read, or not
    the format its name claims."""
    suffix = os.path.splitext(name)[1].lower()
    if len(data) > limits.max_bytes:
        raise ImportRefused(
            f"{name} is {len(data) / 1024 / 1024:.1f} MB, over the limit of "
            f"{limits.max_bytes / 1024 / 1024:.0f} MB for one file (PATROLWATCH_IMPORT_MAX_MB). "
            "Nothing was imported. Split it into smaller files."
        )
    if suffix == ".xls":
        raise ImportRefused(
            f"{name} is an Excel 97–2003 workbook (.xls), which we don't read. Nothing was "
            "imported. Save it as .xlsx (Excel: Save As → Excel Workbook) and import that."
        )
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ImportRefused(f"{name}: files of type '{suffix or 'none'}' are not read ({known}).")
    kind = FORMATS[suffix]
    if not data.strip():
        raise ImportRefused(f"{name} is empty. Nothing was imported.")
    is_zip = data[:4] == b"PK\x03\x04"
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise ImportRefused(
                f"{name} claims to be {LABELS[kind]} but is {what}. Nothing was imported."
            )
    if kind in ("xlsx", "kmz"):
        if not is_zip:
            raise ImportRefused(
                f"{name} claims to be {LABELS[kind]} but is not a zip archive, as every "
                f"{suffix} file is. Nothing was imported."
            )
        check_zip(name, data, limits)
    elif is_zip:
        raise ImportRefused(
            f"{name} claims to be {LABELS[kind]} but is a zip archive (an Excel workbook or "
            "a KMZ?). Nothing was imported. Give it the right extension (.xlsx, .kmz)."
        )
    return kind


def check_zip(name: str, data: bytes, limits: ImportLimits) -> zipfile.ZipFile:
    """Open a zip-based file, refusing a damaged one or one that unpacks too big."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(i.file_size for i in archive.infolist())
    except zipfile.BadZipFile as err:
        raise ImportRefused(
            f"{name} is a damaged zip archive ({err}). Nothing was imported."
        ) from None
    if unpacked > limits.max_bytes * limits.max_unpacked:
        raise ImportRefused(
            f"{name} unpacks to {unpacked / 1024 / 1024:.0f} MB, more than we accept. "
            "Nothing was imported."
        )
    return archive


LIKELY_ENCODINGS = ["cp1256", "iso8859_6", "cp1254", "cp1251", "cp1252", "latin_1"]

ENCODING_NAMES = {
    "cp1256": "Windows-1256 (Arabic)",
    "windows-1256": "Windows-1256 (Arabic)",
    "iso8859_6": "ISO-8859-6 (Arabic)",
    "cp1252": "Windows-1252 (Western European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1254": "Windows-1254 (Turkish)",
    "latin_1": "Latin-1",
    "mac_arabic": "Mac Arabic",
    "utf_16": "UTF-16",
}


def decode_text(name: str, data: bytes, notes: list[str]) -> str:
    """The file as text. Only UTF-8 is read (a leading UTF-8 byte-order mark, as Excel's
    'CSV UTF-8' writes, is removed and noted). Any other encoding is refused with the
    encoding it looks like, rather than guessed: a wrong guess garbles Arabic names
    silently."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused(
            f"{name} is UTF-16 text (as Excel's 'Unicode Text' writes), not UTF-8. Nothing was "
            "imported. Save it as 'CSV UTF-8 (comma delimited)' and import that."
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        notes.append(
            "The file starts with a UTF-8 byte-order mark (as Excel's 'CSV UTF-8' writes); "
            "it was removed and the file read as UTF-8."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        from charset_normalizer import from_bytes

        # the encodings analysts' files come in (Arabic, Turkish, Cyrillic, Western);
        # unrestricted, a short file of mostly ASCII is often taken for a Mac code page
        guess = from_bytes(data, cp_isolation=LIKELY_ENCODINGS).best()
        looks = ""
        if guess is not None:
            enc = guess.encoding.lower()
            looks = f"; it looks like {ENCODING_NAMES.get(enc, enc)}"
        raise ImportRefused(
            f"{name} is not UTF-8 text (the first byte that isn't is on line {line}{looks}). "
            "Nothing was imported: guessing an encoding can garble Arabic and other names "
            "without a trace. Save the file as UTF-8 (Excel: Save As → 'CSV UTF-8 (comma "
            "delimited)'; LibreOffice: character set 'Unicode (UTF-8)') and import it again."
        ) from None
    if "\ufeff" in text:
        line = text[: text.index("\ufeff")].count("\n") + 1
        raise ImportRefused(
            f"{name} has a byte-order mark inside it (line {line}): two files joined into "
            "one? Nothing was imported."
        )
    if not text.strip():
        raise ImportRefused(f"{name} is empty. Nothing was imported.")
    return text


# --------------------------------------------------------------------------- small helpers


def slugify(text: str, max_len: int = 48) -> str:
    """'Tell Abyad (near)' → 'tell_abyad_near' (ASCII letters, digits and _)."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")
    return slug[:max_len].strip("_")


def short_hash(*parts: object, n: int = 10) -> str:
    """A short stable hash of the parts (for ids of records a file gives no id)."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:n]


def file_hash(data: bytes) -> str:
    """SHA-256 of the file, in hex."""
    return hashlib.sha256(data).hexdigest()
