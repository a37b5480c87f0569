"""Small HTML snippets for popups and legends. Every text from the data goes through
``esc``; every link is checked to be http(s) before it becomes an ``href``.
"""

from __future__ import annotations

import re

import pandas as pd

_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`]+$")


#: every character made an entity by ``esc``: HTML's own (quotes too, so text is safe
#: inside attributes); the backtick and ``$`` of the JavaScript template strings folium
#: wraps popup and tooltip HTML in (so ``${...}`` cannot run); and the braces, ``%`` and
#: ``#`` of Jinja, which branca renders each map element's output through a second time
#: (so ``{{ ... }}``, ``{% ... %}`` and ``{# ... #}`` from the data stay text).
ENTITIES = (
    ("&", "&amp;"),
    ("#", "&#35;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("'", "&#x27;"),
    ("`", "&#96;"),
    ("$", "&#36;"),
    ("{", "&#123;"),
    ("}", "&#125;"),
    ("%", "&#37;"),
)
_TABLE = str.maketrans(dict(ENTITIES))


def esc(text: object) -> str:
    """Text from the data made inert for HTML, for folium's JavaScript template strings and
    for the Jinja templates branca renders map elements through (see ``ENTITIES``). This is
    the one door through which data text enters a map, a popup, a tooltip or a legend."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return str(text).translate(_TABLE)


def link(url: object, text: object) -> str:
    """An external link that opens in a new tab, or the plain text if the URL isn't http(s)."""
    target = str(url or "")
    if not _SAFE_URL.match(target):
        return esc(text)
    return f'<a href="{esc(target)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")


def md_escape(text: object) -> str:
    """Text from the data made inert for Streamlit markdown (st.caption, st.markdown):
    every markdown, directive (``:red[...]``, ``:material/x:``), LaTeX and HTML character is
    backslash-escaped and line breaks are folded, so it shows as typed, on one line."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_link(url: object, text: object) -> str:
    """A markdown link, or the escaped text alone if the URL is not plain http(s)."""
    target = str(url or "")
    if not _SAFE_URL.match(target) or any(c in target for c in "()[]"):
        return md_escape(text)
    return f"[{md_escape(text)}]({target})"


def esc_series(text: pd.Series) -> pd.Series:
    """``esc`` for a whole column at once (``&`` first, then ``#``, so no entity written
    is escaped again)."""
    out = text.fillna("").astype("str")
    for raw, entity in ENTITIES:
        out = out.str.replace(raw, entity, regex=False)
    return out


def clip_series(text: pd.Series, n: int) -> pd.Series:
    """``clip`` for a whole column at once."""
    text = text.fillna("").astype("str")
    return text.where(text.str.len() <= n, text.str.slice(0, n - 1).str.rstrip() + "…")


def source_items(cites: pd.DataFrame) -> pd.Series:
    """One '<li>' per citation row (publisher linked, grade, title), vectorised; the caller
    joins them per record. Non-http(s) URLs are shown as plain text."""
    safe = cites["url"].fillna("").astype("str").str.match(_SAFE_URL.pattern)
    publisher = esc_series(cites["publisher"])
    linked = (
        '<a href="'
        + esc_series(cites["url"])
        + '" target="_blank" rel="noopener noreferrer">'
        + publisher
        + "</a>"
    )
    return (
        "<li>"
        + linked.where(safe, publisher)
        + " <span class='pw-grade' title='Admiralty grade: source reliability, information "
        "credibility'>["
        + esc_series(cites["grade"])
        + "]</span><br><span class='pw-title'>"
        + esc_series(clip_series(cites["title"], 110))
        + "</span></li>"
    )


def _clip(text: object, n: int) -> str:
    s = "" if text is None else str(text)
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def clip(text: object, n: int) -> str:
    """Shorten text to ``n`` characters with an ellipsis (not escaped)."""
    return _clip(text, n)


def plotly_text(text: object) -> str:
    """Text from the data made inert for plotly, which renders a subset of HTML in labels,
    titles and hover texts."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: Unicode's first-strong isolate and the pop that closes it: plain text's ``<bdi>``
FSI, PDI = "\u2068", "\u2069"


def _names(names: object, sep: str) -> list[str]:
    if names is None or (isinstance(names, float) and pd.isna(names)):
        return []
    items = str(names).split(sep) if isinstance(names, str) else [str(n) for n in names]  # type: ignore[attr-defined]
    return [n.strip() for n in items if n.strip()]


def names_html(names: object, *, sep: str = "|", limit: int = 200) -> str:
    """A list of names (``'a|b'`` or a sequence) as HTML, each escaped in its own
    ``<bdi>``, so an Arabic or Syriac name between Latin ones keeps its place in the list
    (without the isolation the bidi algorithm runs neighbouring right-to-left names and
    their commas together and shows them in jumbled order). Names past ``limit``
    characters are left out and counted ('… and 3 more')."""
    shown: list[str] = []
    used = 0
    items = _names(names, sep)
    for name in items:
        if shown and used + len(name) > limit:
            break
        shown.append(f"<bdi>{esc(clip(name, limit))}</bdi>")
        used += len(name) + 2
    rest = len(items) - len(shown)
    return ", ".join(shown) + (f" … and {rest} more" if rest else "")


def names_text(names: object, *, sep: str = "|") -> str:
    """A list of names as plain text, each between Unicode's isolates (FSI … PDI: the
    ``<bdi>`` of text that is not HTML, such as Streamlit markdown or a picker's option),
    joined by ', '. Not escaped: escape for where it goes."""
    return ", ".join(f"{FSI}{n}{PDI}" for n in _names(names, sep))
