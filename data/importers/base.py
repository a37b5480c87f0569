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
from zlib import error as zlib_error

import pandas as pd

from data.records import empty
from data.settings import import_max_mb, today


class ImportRefused(ValueError):
    """The whole file was refused; nothing was written. The message says why, in words."""


MB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """What a file must keep to, checked before or while it is read (never after): a file
    that breaks one is refused whole, with the file and the limit named.

    ``max_bytes``: a file as uploaded, and a document inside an archive (the KML of a KMZ).
    ``max_unpacked_bytes``: everything read out of one archive (KMZ, XLSX), counted while
    it is unpacked. ``max_ratio``: unpacked ÷ packed size of one archive member, checked
    once the member has given ``ratio_grace`` bytes (a zip bomb's ratio is in the
    thousands; text compresses 5–20 times). ``max_members``: entries of an archive.
    ``max_field_chars``: one text field (a cell, a name, a description).
    ``max_depth``: nesting of JSON arrays/objects and XML elements. ``max_columns``,
    ``max_cells``: a table's width and size. ``max_vertices``: the points of one path.
    Dates before ``date_min`` or after ``date_max`` (today) are refused row by row.

    The defaults keep any import under 1 GB of memory (``bench/import_memory.py``);
    tests pass smaller limits to exercise them on small files."""

    max_bytes: int = 25 * MB
    max_unpacked_bytes: int = 100 * MB
    max_ratio: float = 100.0
    ratio_grace: int = 1 * MB
    max_members: int = 1000
    max_field_chars: int = 100_000
    max_depth: int = 64
    max_columns: int = 1000
    max_cells: int = 2_000_000
    max_vertices: int = 100_000
    date_min: date = date(1945, 1, 1)
    date_max: date | None = None

    @classmethod
    def from_env(cls) -> ImportLimits:
        """Limits with ``PATROLWATCH_IMPORT_MAX_MB`` applied (default 25 MB; an archive may
        unpack to four times that)."""
        mb = import_max_mb()
        if mb is None:
            return cls()
        return cls(max_bytes=int(mb * MB), max_unpacked_bytes=int(4 * mb * MB))

    @property
    def latest(self) -> date:
        return self.date_max or today()


def over_limit(name: str, what: str, limit: str) -> ImportRefused:
    """The refusal for a file that breaks a limit: the file, what broke it, the limit."""
    return ImportRefused(f"{name}: {what}, over the limit of {limit}. Nothing was imported.")


def size_text(n: float) -> str:
    """Bytes in words: '1.5 MB', '12 KB', '80 bytes'."""
    if n >= MB:
        return f"{n / MB:,.1f} MB".replace(".0 MB", " MB")
    if n >= 1024:
        return f"{n / 1024:,.0f} KB"
    return f"{int(n):,} bytes"


#: characters that change how text around them is shown (bidi overrides and isolates,
#: zero-width marks) or are not text at all (C0 controls): shown as <U+XXXX> in names
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
#: control characters no text field may hold (tab, newline and carriage return may)
CONTROL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def visible(text: str, max_len: int = 200) -> str:
    """A name from an upload (a file name, a header) as it may be shown: characters that
    would reorder or hide the text around them written out as <U+202E>, and cut to
    ``max_len`` characters."""
    shown = _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", str(text))
    return shown if len(shown) <= max_len else shown[: max_len - 1] + "…"


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
    its actor, so the next import resolves it by itself. ``positions``: names whose position
    in the file disagrees with the place the name matched, resolved as (name, 'file': a new
    place at the file's position, or 'ours': the place we hold, the default)."""

    places: tuple[tuple[str, str], ...] = ()
    actors: tuple[tuple[str, str], ...] = ()
    new_actors: tuple[tuple[str, str], ...] = ()
    remember: bool = True
    positions: tuple[tuple[str, str], ...] = ()


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


def check_bytes(name: str, data: bytes, label: str, zipped: bool, limits: ImportLimits) -> None:
    """A file's size and first bytes checked against the format its name claims
    (``label``; ``zipped``: a zip-based format). Raises ``ImportRefused`` for a file too
    big, empty, of another type (PDF, image…), or zipped when it should not be (or the
    other way round)."""
    if len(data) > limits.max_bytes:
        raise ImportRefused(
            f"{name} is {size_text(len(data))}, over the limit of "
            f"{size_text(limits.max_bytes)} for one file (PATROLWATCH_IMPORT_MAX_MB). "
            "Nothing was imported. Split it into smaller files."
        )
    if not data.strip():
        raise ImportRefused(f"{name} is empty. Nothing was imported.")
    is_zip = data[:4] == b"PK\x03\x04"
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise ImportRefused(f"{name} claims to be {label} but is {what}. Nothing was imported.")
    suffix = os.path.splitext(name)[1].lower()
    if zipped:
        if not is_zip:
            raise ImportRefused(
                f"{name} claims to be {label} but is not a zip archive, as every "
                f"{suffix} file is. Nothing was imported."
            )
        check_zip(name, data, limits)
    elif is_zip:
        raise ImportRefused(
            f"{name} claims to be {label} but is a zip archive (an Excel workbook or "
            "a KMZ?). Nothing was imported. Give it the right extension (.xlsx, .kmz)."
        )


def _unsafe_member(member: str) -> bool:
    parts = member.replace("\\", "/").split("/")
    return (
        member.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z]:", member) is not None
        or ".." in parts
        or "\x00" in member
    )


def check_zip(name: str, data: bytes, limits: ImportLimits) -> zipfile.ZipFile:
    """Open a zip-based file, refusing a damaged one, one with too many entries or an
    unsafe entry name (``../``, an absolute path), or one whose entries say they unpack
    to more than ``max_unpacked_bytes``. What is then read out of it is counted again
    while it is unpacked (``read_member``, ``check_unpacked``)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as err:
        raise ImportRefused(
            f"{name} is a damaged zip archive ({err}). Nothing was imported."
        ) from None
    if len(infos) > limits.max_members:
        raise over_limit(
            name, f"the archive has {len(infos):,} entries", f"{limits.max_members:,} entries"
        )
    unsafe = [i.filename for i in infos if _unsafe_member(i.filename)]
    if unsafe:
        raise ImportRefused(
            f"{name} holds an entry with an unsafe name ('{visible(unsafe[0], 80)}': a path "
            "that leaves the archive or is absolute). Nothing was imported."
        )
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_unpacked_bytes:
        raise over_limit(
            name,
            f"the archive says it unpacks to {size_text(declared)}",
            f"{size_text(limits.max_unpacked_bytes)} unpacked",
        )
    return archive


class Unpacked:
    """The bytes read out of one archive so far, checked against the limits as each
    chunk is unpacked: nothing is unpacked past a limit."""

    CHUNK = 256 * 1024

    def __init__(self, name: str, archive: zipfile.ZipFile, limits: ImportLimits) -> None:
        self.name, self.archive, self.limits = name, archive, limits
        self.total = 0

    def read(self, member: str, *, keep: bool = True, cap: int | None = None) -> bytes:
        """The member's bytes (``b''`` if ``keep`` is false: only counted). ``cap``: the
        most this one member may give."""
        info = self.archive.getinfo(member)
        packed = max(info.compress_size, 1)
        out: list[bytes] = []
        got = 0
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(self.CHUNK):
                    got += len(chunk)
                    self.total += len(chunk)
                    self._check(member, got, packed, cap)
                    if keep:
                        out.append(chunk)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as err:
            raise ImportRefused(
                f"{self.name}: its entry '{visible(member, 80)}' cannot be unpacked ({err}). "
                "Nothing was imported."
            ) from None
        except zlib_error as err:
            raise ImportRefused(
                f"{self.name}: its entry '{visible(member, 80)}' is damaged ({err}). "
                "Nothing was imported."
            ) from None
        return b"".join(out)

    def _check(self, member: str, got: int, packed: int, cap: int | None) -> None:
        lim = self.limits
        entry = f"'{visible(member, 80)}'"
        if got > lim.ratio_grace and got / packed > lim.max_ratio:
            raise over_limit(
                self.name,
                f"its entry {entry} unpacks to more than {got / packed:,.0f} times its "
                "packed size (a zip bomb?)",
                f"a compression ratio of {lim.max_ratio:g}",
            )
        if self.total > lim.max_unpacked_bytes:
            raise over_limit(
                self.name,
                f"it unpacks to more than {size_text(lim.max_unpacked_bytes)}",
                f"{size_text(lim.max_unpacked_bytes)} unpacked per archive",
            )
        if cap is not None and got > cap:
            raise over_limit(
                self.name, f"its entry {entry} unpacks to more than {size_text(cap)}",
                f"{size_text(cap)} for one document",
            )  # fmt: skip


def check_unpacked(name: str, archive: zipfile.ZipFile, limits: ImportLimits) -> None:
    """Unpack every entry of an archive without keeping it, refusing it as soon as it
    breaks a limit (before a reader such as openpyxl unpacks it for real)."""
    unpacked = Unpacked(name, archive, limits)
    for info in archive.infolist():
        if not info.is_dir():
            unpacked.read(info.filename, keep=False)


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


def json_depth(data: bytes) -> int:
    """How deeply a JSON text nests arrays and objects (brackets inside strings aside),
    found without parsing it."""
    import numpy as np

    bare = np.frombuffer(_JSON_STRING.sub(b'""', data), dtype=np.uint8)
    opens = (bare == 0x5B) | (bare == 0x7B)
    closes = (bare == 0x5D) | (bare == 0x7D)
    pos = np.flatnonzero(opens | closes)
    if not len(pos):
        return 0
    depth = np.cumsum(np.where(opens[pos], 1, -1), dtype=np.int64)
    return int(depth.max())


def check_text(name: str, text: str, limits: ImportLimits, where: str, field: str) -> str:
    """A text field within ``max_field_chars``; refuses the file otherwise."""
    if len(text) > limits.max_field_chars:
        raise over_limit(
            name,
            f"{where}, {field} holds {len(text):,} characters",
            f"{limits.max_field_chars:,} characters per field",
        )
    return text


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
    """'Tell Abyad (near)' → 'tell_abyad_near', 'الدرباسية' → 'ldrbsyh' (ASCII letters,
    digits and _; any script transliterated with anyascii). May be '' (a name of
    punctuation only): ids are made by ``new_id``, never empty."""
    from anyascii import anyascii

    ascii_ = anyascii(unicodedata.normalize("NFC", text))
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")
    return slug[:max_len].strip("_")


def short_hash(*parts: object, n: int = 10) -> str:
    """A short stable hash of the parts (for ids of records a file gives no id)."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:n]


def file_hash(data: bytes) -> str:
    """SHA-256 of the file, in hex."""
    return hashlib.sha256(data).hexdigest()
