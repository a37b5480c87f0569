"""Event kinds inferred from the words of a note, in English, Arabic, Turkish and Kurdish.

The words are data, not code: ``data/embedded/event_keywords.csv``, one rule a row (kind,
language, terms, note). A rule matches a note holding every one of its ``&``-separated
terms (each term one of its ``|``-separated spellings); the first rule that matches, in
file order, gives the kind. Text and terms are compared case-folded, with accents and
Arabic diacritics set aside ("Türk" = "turk", "DEVRİYE" = "devriye"). A Latin-script term
matches at the start of a word ("patrol" in "patrolled", not in "nonpatrol"); an Arabic-
script term anywhere (Arabic writes the article and conjunctions onto the word). Pure.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

KEYWORDS_FILE = Path(__file__).resolve().parents[1] / "embedded" / "event_keywords.csv"


def fold(text: str) -> str:
    """Case-folded, accents and diacritics set aside."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _pattern(term: str) -> str:
    spellings = [fold(s.strip()) for s in term.split("|") if s.strip()]
    parts = [(r"(?<![a-z0-9])" if s[:1].isascii() else "") + re.escape(s) for s in spellings]
    return "(?:" + "|".join(parts) + ")"


def kind_rules(path: Path = KEYWORDS_FILE) -> list[tuple[str, list[str]]]:
    """The rules, in file order: (kind, [regex per term])."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return [
        (row.kind.strip(), [_pattern(t) for t in row.terms.split("&") if t.strip()])
        for row in table.itertuples(index=False)
    ]


def kinds_from_notes(notes: pd.Series, default: str = "", path: Path = KEYWORDS_FILE) -> pd.Series:
    """The kind each note's words say (``default`` where no rule matches)."""
    text = notes.fillna("").astype("str").map(fold)
    kind = pd.Series(default, index=notes.index, dtype="str")
    for rule_kind, terms in reversed(kind_rules(path)):
        hit = pd.Series(True, index=notes.index)
        for pattern in terms:
            hit &= text.str.contains(pattern, regex=True)
        kind = kind.mask(hit, rule_kind)
    return kind
