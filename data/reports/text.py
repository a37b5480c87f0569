"""A report as text, from what the analyst pastes or uploads (.txt, .html, .pdf), with
what the file itself says about it: publisher, URL, publication date, language, title.

Every reader is bounded before it reads (file size, PDF pages, text length) and refuses
with the file and the limit named. HTML is turned into text with the standard library's
parser (scripts, styles and markup dropped; nothing is ever evaluated). Pure.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from charset_normalizer import from_bytes

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_PDF_PAGES = 60
MAX_TEXT_CHARS = 200_000

_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "figcaption",
    "table",
    "hr",
}
_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "nav", "form", "button"}


class ReportError(ValueError):
    """A report cannot be read; the message names the file and the reason."""


@dataclass(frozen=True)
class ReportMeta:
    """What the report says about itself ('' where it does not say)."""

    publisher: str = ""
    url: str = ""
    published: str = ""  # YYYY-MM-DD, YYYY-MM or YYYY
    language: str = ""  # ISO 639-1
    title: str = ""
    found: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # field → where from


@dataclass(frozen=True)
class ReportText:
    """The text the extraction reads (spans are offsets into it) and the file's metadata."""

    text: str
    meta: ReportMeta
    file_name: str = ""


def guess_language(text: str) -> str:
    """'ar' when most letters are Arabic script, 'tr' when Turkish letters appear often,
    else 'en'. A guess shown to the analyst, who can change it."""
    letters = [c for c in text[:5000] if c.isalpha()]
    if not letters:
        return ""
    arabic = sum("\u0600" <= c <= "\u06ff" for c in letters)
    if arabic / len(letters) > 0.3:
        return "ar"
    turkish = sum(c in "ğĞışŞİ" for c in letters)
    if turkish / len(letters) > 0.005:
        return "tr"
    return "en"


def normalise(text: str) -> str:
    """NFC, unified line breaks, runs of spaces folded (offsets refer to this text)."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200f", "").replace("\u200e", "")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _decode(data: bytes, name: str) -> str:
    if not data:
        return ""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise ReportError(f"{name}: the text's encoding could not be recognised") from None
        return str(best)


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.meta: dict[str, str] = {}
        self.in_title = False
        self.title = ""
        self.lang = ""
        self.canonical = ""
        self.time = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "html" and a.get("lang"):
            self.lang = a["lang"]
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"])
        if tag == "link" and "canonical" in a.get("rel", "").lower() and a.get("href"):
            self.canonical = a["href"]
        if tag == "time" and a.get("datetime") and not self.time:
            self.time = a["datetime"]
        if tag == "title":
            self.in_title = True
        if tag in _SKIP:
            self.skip += 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _SKIP and self.skip:
            self.skip -= 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif not self.skip:
            self.parts.append(data)


def _iso_date(value: str) -> str:
    m = re.match(r"^\s*(\d{4})-(\d{2})-(\d{2})", value or "")
    if m:
        return f"{m[1]}-{m[2]}-{m[3]}"
    m = re.match(r"^D?:?(\d{4})(\d{2})(\d{2})", value or "")  # PDF dates: D:20240522…
    return f"{m[1]}-{m[2]}-{m[3]}" if m else ""


def html_to_report(data: bytes, name: str) -> ReportText:
    """The visible text of an HTML page and what its head says (og:/article: tags,
    canonical link, <time>, <html lang>)."""
    parser = _HTMLText()
    parser.feed(_decode(data, name))
    parser.close()
    m = parser.meta
    found = []
    publisher = m.get("og:site_name", "") or m.get("publisher", "")
    if publisher:
        found.append(("publisher", "the page's og:site_name"))
    url = m.get("og:url", "") or parser.canonical
    if url:
        found.append(("url", "the page's og:url or canonical link"))
    published = _iso_date(
        m.get("article:published_time", "")
        or m.get("datepublished", "")
        or m.get("date", "")
        or parser.time
    )
    if published:
        found.append(("published", "the page's publication time"))
    text = normalise("".join(parser.parts))
    lang = (parser.lang or m.get("og:locale", "")).split("-")[0].split("_")[0].lower()
    if lang:
        found.append(("language", "the page's lang attribute"))
    title = (m.get("og:title", "") or parser.title).strip()
    meta = ReportMeta(publisher, url, published, lang or guess_language(text), title, tuple(found))
    return ReportText(text[:MAX_TEXT_CHARS], meta, name)


def pdf_to_report(data: bytes, name: str) -> ReportText:
    """The text of a PDF's pages (at most ``MAX_PDF_PAGES``) and its title and date."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ReportError(
                f"{name}: {len(reader.pages)} pages, more than the {MAX_PDF_PAGES} read here"
            )
        text = normalise("\n\n".join(page.extract_text() or "" for page in reader.pages))
        info = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError) as err:
        if isinstance(err, ReportError):
            raise
        raise ReportError(f"{name}: not a readable PDF ({err})") from err
    title = str(info.get("/Title", "") or "")
    published = _iso_date(str(info.get("/CreationDate", "") or ""))
    found = (("published", "the PDF's creation date"),) if published else ()
    meta = ReportMeta("", "", published, guess_language(text), title, found)
    return ReportText(text[:MAX_TEXT_CHARS], meta, name)


def text_to_report(text: str, name: str = "") -> ReportText:
    """Pasted or .txt text. A first line 'https://…' is taken as the URL."""
    text = normalise(text)
    meta = ReportMeta(language=guess_language(text))
    first = text.split("\n", 1)[0].strip()
    if re.fullmatch(r"https?://\S+", first):
        meta = ReportMeta(url=first, language=meta.language, found=(("url", "the first line"),))
    return ReportText(text[:MAX_TEXT_CHARS], meta, name)


def read_report(name: str, data: bytes) -> ReportText:
    """A report from an uploaded file (.txt, .html/.htm, .pdf), refused with its name and
    the reason when it is too big, of another kind or unreadable."""
    if len(data) > MAX_FILE_BYTES:
        raise ReportError(
            f"{name}: {len(data) / 1e6:.1f} MB, more than the {MAX_FILE_BYTES // 2**20} MB "
            "read here"
        )
    lower = name.lower()
    if lower.endswith((".html", ".htm")):
        return html_to_report(data, name)
    if lower.endswith(".pdf"):
        return pdf_to_report(data, name)
    if lower.endswith(".txt") or "." not in lower:
        return text_to_report(_decode(data, name), name)
    raise ReportError(f"{name}: not a .txt, .html or .pdf file")
