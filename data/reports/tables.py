"""The keyword and pattern tables of report extraction (``data/extraction/*.csv``), read
and compiled once per folder. A new language or theatre is rows in these files, not code:
see ``data/extraction/README.md`` for what each table holds.

Patterns are Python regular expressions. Placeholders are filled from the language's own
tables before compiling: ``{NUM}`` (digits or a number word), ``{ORD}`` (an ordinal word),
``{MONTH}`` (a month name), ``{WEEKDAY}`` (a weekday name). Tables of names (attributions,
outlets, actor phrases) match case as written; the others ignore case. Pure.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TABLES_DIR = Path(__file__).resolve().parents[1] / "extraction"

#: tables whose patterns match case as written (they name people, outlets, actors)
CASE_SENSITIVE = frozenset({"attributions", "outlets", "actor_phrases"})


class TableError(ValueError):
    """A table cannot be read: names the file, the row (header = row 1) and the field."""


@dataclass(frozen=True)
class Rule:
    """One row of a pattern table: its compiled pattern and the row's other fields."""

    table: str
    row: int  # as a spreadsheet counts it (header = row 1)
    language: str
    pattern: re.Pattern[str]
    fields: tuple[tuple[str, str], ...]

    def get(self, name: str, default: str = "") -> str:
        return dict(self.fields).get(name, default)

    @property
    def label(self) -> str:
        """'dates.csv row 3': where the rule is written, for explanations."""
        return f"{self.table}.csv row {self.row}"


@dataclass(frozen=True)
class Tables:
    """Every extraction table, compiled."""

    rules: dict[str, tuple[Rule, ...]]
    months: dict[str, dict[str, int]]  # language → casefolded name → month
    weekdays: dict[str, dict[str, int]]  # language → casefolded name → 0 (Monday)…6
    numbers: dict[str, dict[str, int]]  # language → casefolded word → value
    ordinals: dict[str, dict[str, int]]
    qualifiers: dict[str, dict[str, str]]  # language → word → qualifier
    generic_words: dict[str, tuple[str, ...]]  # language → words stripped from place names
    abbreviations: frozenset[str]

    def of(self, table: str, language: str) -> tuple[Rule, ...]:
        """The rules of one table for a language (English rules also apply to a report in
        another language, for names and figures quoted in English)."""
        rows = self.rules.get(table, ())
        return tuple(r for r in rows if r.language in (language, "") or r.language == "en")

    def number(self, word: str, language: str) -> int | None:
        """A cardinal written in digits ('1,200') or words ('ten', 'ثلاث')."""
        text = word.strip().replace(",", "")
        if text.isdigit():
            return int(text)
        for lang in (language, "en"):
            value = self.numbers.get(lang, {}).get(text.casefold())
            if value is not None:
                return value
        return None

    def ordinal(self, word: str, language: str) -> int | None:
        text = word.strip()
        if text.isdigit():
            return int(text)
        for lang in (language, "en"):
            value = self.ordinals.get(lang, {}).get(text.casefold())
            if value is not None:
                return value
        return None

    def month(self, word: str, language: str) -> int | None:
        text = word.strip().rstrip(".")
        if text.isdigit():
            return int(text)
        for lang in (language, "en"):
            value = self.months.get(lang, {}).get(text.casefold())
            if value is not None:
                return value
        return None

    def weekday(self, word: str, language: str) -> int | None:
        for lang in (language, "en"):
            value = self.weekdays.get(lang, {}).get(word.strip().casefold())
            if value is not None:
                return value
        return None


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def _alternation(words: list[str]) -> str:
    ordered = sorted({w for w in words if w}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in ordered)


def _placeholders(directory: Path) -> tuple[dict[str, dict[str, str]], dict[str, object]]:
    months: dict[str, dict[str, int]] = {}
    for r in _read(directory / "months.csv"):
        months.setdefault(r["language"], {})[r["name"].casefold()] = int(r["month"])
    weekdays: dict[str, dict[str, int]] = {}
    for r in _read(directory / "weekdays.csv"):
        weekdays.setdefault(r["language"], {})[r["name"].casefold()] = int(r["weekday"])
    numbers: dict[str, dict[str, int]] = {}
    ordinals: dict[str, dict[str, int]] = {}
    for r in _read(directory / "numbers.csv"):
        into = ordinals if r["kind"] == "ordinal" else numbers
        into.setdefault(r["language"], {})[r["word"].casefold()] = int(r["value"])
    langs = set(months) | set(weekdays) | set(numbers) | set(ordinals) | {"en"}
    fill: dict[str, dict[str, str]] = {}
    for lang in langs:
        pool = {lang, "en"}
        month_names = [m for lg in pool for m in months.get(lg, {})]
        fill[lang] = {
            "{NUM}": r"\d{1,3}(?:,\d{3})+|\d+|"
            + _alternation([w for lg in pool for w in numbers.get(lg, {})]),
            "{ORD}": _alternation([w for lg in pool for w in ordinals.get(lg, {})]),
            "{MONTH}": _alternation(month_names),
            "{WEEKDAY}": _alternation([w for lg in pool for w in weekdays.get(lg, {})]),
        }
    return fill, {"months": months, "weekdays": weekdays, "numbers": numbers, "ordinals": ordinals}


PATTERN_TABLES = (
    "event_kinds",
    "event_roles",
    "actor_phrases",
    "attributions",
    "outlets",
    "background_cues",
    "status_cues",
    "dates",
    "counts",
    "periods",
    "patrol_numbers",
    "number_schemes",
    "vehicles",
    "route_cues",
    "place_phrases",
)


@lru_cache(maxsize=4)
def load_tables(directory: str = str(TABLES_DIR)) -> Tables:
    """Every table of ``directory``, compiled. Raises ``TableError`` naming the file, row
    and field of a pattern that does not compile."""
    folder = Path(directory)
    fill, named = _placeholders(folder)
    rules: dict[str, tuple[Rule, ...]] = {}
    for table in PATTERN_TABLES:
        path = folder / f"{table}.csv"
        out = []
        for i, row in enumerate(_read(path), start=2):
            text = row.get("pattern", "")
            lang = row.get("language", "")
            if not text:  # event_roles: a lookup table, no pattern
                out.append(Rule(table, i, lang, re.compile("(?!)"), tuple(row.items())))
                continue
            for key, value in fill.get(lang, fill["en"]).items():
                text = text.replace(key, f"(?:{value})")
            flags = 0 if table in CASE_SENSITIVE else re.IGNORECASE
            try:
                pattern = re.compile(text, flags)
            except re.error as err:
                raise TableError(f"{path.name}, row {i}, field 'pattern': {err}") from err
            out.append(Rule(table, i, lang, pattern, tuple(row.items())))
        rules[table] = tuple(out)
    qualifiers: dict[str, dict[str, str]] = {}
    for r in _read(folder / "count_qualifiers.csv"):
        qualifiers.setdefault(r["language"], {})[r["word"].casefold()] = r["qualifier"]
    generic: dict[str, list[str]] = {}
    for r in _read(folder / "place_generic_words.csv"):
        generic.setdefault(r["language"], []).append(r["word"])
    abbreviations = frozenset(r["abbreviation"] for r in _read(folder / "abbreviations.csv"))
    return Tables(
        rules=rules,
        months=named["months"],  # type: ignore[arg-type]
        weekdays=named["weekdays"],  # type: ignore[arg-type]
        numbers=named["numbers"],  # type: ignore[arg-type]
        ordinals=named["ordinals"],  # type: ignore[arg-type]
        qualifiers=qualifiers,
        generic_words={k: tuple(sorted(v, key=len, reverse=True)) for k, v in generic.items()},
        abbreviations=abbreviations,
    )
