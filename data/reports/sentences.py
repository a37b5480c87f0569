"""Splitting a report into sentences, keeping each sentence's offsets in the text so every
extracted field can point back at the words it came from. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

_BREAK = re.compile(r"[.!?؟۔]+[\"'”’»)\]]*(?=\s)|\n+")


@dataclass(frozen=True)
class Sentence:
    """One sentence: its number (from 0), offsets in the report text and its text."""

    index: int
    start: int
    end: int
    text: str


def split_sentences(text: str, abbreviations: frozenset[str] = frozenset()) -> list[Sentence]:
    """Sentences at full stops, question and exclamation marks (Latin and Arabic) and line
    breaks; not after an abbreviation ('Maj. Gen.') or a single initial ('J. Smith'), nor
    before a word in lower case (the Turkish ordinal '10. birleşik')."""
    out: list[Sentence] = []
    begin = 0
    for m in _BREAK.finditer(text):
        if m.group(0)[0] == ".":
            before = text[begin : m.start() + 1].split()
            word = before[-1] if before else ""
            if word in abbreviations or re.fullmatch(r"[A-Z]\.", word):
                continue
            after = text[m.end() :].lstrip()[:1]
            if after.islower():  # '10. birleşik': an ordinal, not the end of a sentence
                continue
        _add(out, text, begin, m.end())
        begin = m.end()
    _add(out, text, begin, len(text))
    return out


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    lead = len(chunk) - len(chunk.lstrip())
    chunk = chunk.strip()
    if chunk:
        s = start + lead
        out.append(Sentence(len(out), s, s + len(chunk), chunk))
