"""The choice filters a link carries (``?kinds=joint_patrol&actors=russia&reliability=B``):
read back from a link someone wrote by hand, or one the app wrote, and written into the
link as the ids the data files hold, never as the labels on screen. Pure: no streamlit.

A link's value may be an option's id (what the app writes), or its label or another known
spelling, in any case (what a person types, and what earlier versions of the app wrote);
a value that names no option is left out and reported, never dropped in silence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: the longest piece of a link's value quoted back in a notice
QUOTED_CHARS = 60


@dataclass(frozen=True)
class LinkChoices:
    """One choice filter as a link carries it: the query parameter, what one option is
    called in a notice ('an event kind'), the options (id → label, in the filter's order)
    and other spellings a link may use for them (text → id)."""

    param: str
    noun: str
    options: Mapping[str, str]
    spellings: Mapping[str, str] = field(default_factory=dict)
    #: a single choice (a slider): one value, and this one when the link gives none
    single_default: str | None = None

    def label(self, option_id: str) -> str:
        """What the filter shows for an option (its id when it has no label)."""
        return self.options.get(option_id, option_id)

    def lookup(self, text: str) -> str | None:
        """The id ``text`` names (an id, a label or a known spelling, in any case and
        spacing), or None."""
        if text in self.options:
            return text
        key = _folded(text)
        if not key:
            return None
        for option_id, label in self.options.items():
            if key in (_folded(option_id), _folded(label)):
                return option_id
        for spelling, option_id in self.spellings.items():
            if key == _folded(spelling) and option_id in self.options:
                return option_id
        return None


def _folded(text: str) -> str:
    return " ".join(str(text).replace("+", " ").replace("_", " ").split()).casefold()


def quoted(text: str) -> str:
    """``text`` as a notice quotes it: repr'd, cut to ``QUOTED_CHARS``."""
    text = str(text)
    return repr(text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 1] + "…")


def read_link_choices(values: Sequence[str], choices: LinkChoices) -> tuple[list[str], list[str]]:
    """The ids a link's values for ``choices.param`` name (in the link's order, each once)
    and one line per value that was left out, naming the parameter and the value. Empty
    values (``?kinds=``) name nothing and are no mistake. A single choice keeps the first
    value it knows (``[single_default]`` when none)."""
    ids: list[str] = []
    notes: list[str] = []
    for text in values:
        if not str(text).strip():
            continue
        found = choices.lookup(text)
        if found is None:
            notes.append(
                f"The link's {choices.param}={quoted(text)} is not {choices.noun}: it was left out."
            )
        elif found not in ids:
            ids.append(found)
    if choices.single_default is not None:
        if len(ids) > 1:
            notes.append(
                f"The link gives {len(ids)} {choices.param} values; only the first, "
                f"{quoted(ids[0])}, is used."
            )
        ids = ids[:1] or [choices.single_default]
    return ids, notes


def link_values(value: object, choices: LinkChoices) -> list[str]:
    """What the link carries for a filter's value: its ids, known ones only, in the
    filter's order; nothing for the default (all, or a single choice's default)."""
    chosen = [value] if isinstance(value, str) else list(value or ())  # type: ignore[call-overload]
    if choices.single_default is not None:
        chosen = [v for v in chosen if v != choices.single_default]
    picked = {str(v) for v in chosen}
    return [option_id for option_id in choices.options if option_id in picked]


#: the spellings of a switch Streamlit reads from a link (any case)
SWITCH_WORDS = ("true", "false")


def check_link_switch(param: str, values: Sequence[str], meaning: str) -> list[str]:
    """A line when a link's value for a switch (``certain``) is not true or false (it is
    then left off), naming the parameter, the value and ``meaning`` (what 'off' does)."""
    last = str(values[-1]) if values else ""
    if not last.strip() or last.lower() in SWITCH_WORDS:  # as Streamlit reads it
        return []
    return [
        f"The link's {param}={quoted(last)} is not true or false: the switch is off ({meaning})."
    ]
