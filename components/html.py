"""Small HTML snippets for popups and legends. Every text from the data goes through
``esc``; every link is checked to be http(s) before it becomes an ``href``.
"""

from __future__ import annotations

import html
import re

import pandas as pd

_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`]+$")


def esc(text: object) -> str:
    """Text made inert for HTML (quotes too, so it is safe inside attributes), and for the
    JavaScript template strings folium wraps popup and tooltip HTML in (backticks and ``$``
    become entities, so ``${...}`` cannot run)."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return html.escape(str(text), quote=True).replace("`", "&#96;").replace("$", "&#36;")


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


ENTITIES = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("'", "&#x27;"),
    ("`", "&#96;"),
    ("$", "&#36;"),
)


def esc_series(text: pd.Series) -> pd.Series:
    """``esc`` for a whole column at once."""
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
