"""The shared sidebar filters. Created once in ``app.py`` as keyed widgets whose values
live in the URL, so every page reads the same state and a copied link restores the same
view.

The date range and the switch are bound to the URL by Streamlit (``bind="query-params"``).
The choice filters (actors, kinds, theatres, routes, reliability) are not: Streamlit would
write their labels into the link ('Joint+patrol', 'B:+Usually+reliable', an actor's name
with its notes) and drop a link's ids, since a bound widget's URL value is its
``format_func`` text (streamlit/streamlit#14224). The app writes their ids into the link
itself and reads a link's ids, labels or other spellings back (``data.links``), saying what
it could not use.

``filter_from_state`` and ``filter_choices`` are pure and unit-tested;
``render_sidebar_filters`` draws the widgets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd
import streamlit as st

from data import vocab
from data.cache import derived
from data.checks import disputed_actor_notes
from data.filters import (
    PICKED_PARAM,
    SELECTION_PARAM,
    EventFilter,
    Selection,
    check_link_dates,
    latest_date,
    selection_from_params,
    selection_to_params,
)
from data.links import LinkChoices, check_link_switch, link_values, read_link_choices
from data.model import DataSet
from data.timewindow import CERTAINLY, POSSIBLY

KEY_DATES = "dates"
KEY_ACTORS = "actors"
KEY_KINDS = "kinds"
KEY_THEATRES = "theatres"
KEY_ROUTES = "routes"
KEY_RELIABILITY = "reliability"
KEY_DISPUTED = "disputed"
KEY_CERTAIN = "certain"
#: what was changed in the dates of the link this session opened
KEY_LINK_NOTES = "_pw_link_date_notes"
#: the repaired range still to be written into the link (by the run after it opened)
KEY_LINK_MEND = "_pw_link_date_mend"
#: per choice filter: what in the link could not be used, and the value used instead
KEY_CHOICE_NOTES = "_pw_link_choice_notes"
#: the choice filters were read from this session's link (its first run)
KEY_CHOICES_READ = "_pw_link_choices_read"


def date_bounds(ds: DataSet, today: date) -> tuple[date, date]:
    """The date filter's default range: the first event to today (or the last event, if
    that is later). The filter accepts any later date too (``latest_date``)."""
    first = ds.events["start"].min()
    last = ds.events["end"].max()
    lo = first.date() if pd.notna(first) else date(2019, 1, 1)
    hi = max(today, last.date()) if pd.notna(last) else today
    return lo, hi


def filter_from_state(state: Mapping[str, object], ds: DataSet, today: date) -> EventFilter:
    """Turn widget values into an ``EventFilter``. Tolerates a half-picked date range and
    values a hand-edited URL may carry that the data set doesn't know."""
    lo, hi = date_bounds(ds, today)
    dates = state.get(KEY_DATES) or (lo, hi)
    if isinstance(dates, date):
        dates = (dates,)
    dates = tuple(d for d in dates if isinstance(d, date))
    start = dates[0] if dates else lo
    end = dates[1] if len(dates) > 1 else hi
    if start > end:
        start, end = end, start
    known_actors = set(ds.actors["actor_id"])
    known_routes = set(ds.routes["route_id"])
    known_theatres = set(ds.theatres["theatre_id"])
    reliability = str(state.get(KEY_RELIABILITY) or "F")
    return EventFilter(
        start=None if start <= lo else start,
        end=None if end >= hi else end,
        actors=tuple(a for a in _seq(state.get(KEY_ACTORS)) if a in known_actors),
        kinds=tuple(k for k in _seq(state.get(KEY_KINDS)) if k in vocab.EVENT_KINDS),
        routes=tuple(r for r in _seq(state.get(KEY_ROUTES)) if r in known_routes),
        theatres=tuple(t for t in _seq(state.get(KEY_THEATRES)) if t in known_theatres),
        min_reliability=reliability if reliability in vocab.RELIABILITY else "F",
        date_rule=CERTAINLY if _truthy(state.get(KEY_CERTAIN)) else POSSIBLY,
    )


def _truthy(value: object) -> bool:
    """A toggle's value, or what a hand-edited URL may carry for it ('true', '1')."""
    if isinstance(value, str):
        return value.strip().casefold() in {"true", "1", "yes", "on"}
    return bool(value)


def _seq(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]  # type: ignore[union-attr]


def filter_choices(ds: DataSet, disputed: Mapping[str, str]) -> dict[str, LinkChoices]:
    """The choice filters as the sidebar shows them and a link carries them: per key, the
    options (id → label, in the sidebar's order) and the other spellings a link may use
    (an actor's name, its aliases, the labels earlier versions wrote into links).
    ``disputed``: actor id → the note its label carries (``disputed_actor_notes``)."""
    actors = ds.actors
    names = dict(zip(actors["actor_id"], actors["name"], strict=True))
    order = actors.sort_values(["root_name", "parent_id", "name"])
    actor_labels: dict[str, str] = {}
    actor_spellings: dict[str, str] = {}
    for actor_id, parent, aliases in zip(
        order["actor_id"], order["parent_id"], order["aliases"], strict=True
    ):
        plain = f"{names[actor_id]} (→ {names[parent]})" if parent in names else names[actor_id]
        label = f"{plain}, {disputed[actor_id]}" if actor_id in disputed else plain
        actor_labels[actor_id] = label
        for spelling in [names[actor_id], plain, *str(aliases or "").split("|")]:
            if spelling.strip():
                actor_spellings.setdefault(spelling.strip(), actor_id)
    grades = {g: f"{g}: {meaning}" for g, meaning in vocab.RELIABILITY.items()}
    return {
        KEY_ACTORS: LinkChoices(KEY_ACTORS, "an actor", actor_labels, actor_spellings),
        KEY_KINDS: LinkChoices(KEY_KINDS, "an event kind", dict(vocab.EVENT_KINDS)),
        KEY_THEATRES: LinkChoices(
            KEY_THEATRES,
            "a theatre",
            dict(zip(ds.theatres["theatre_id"], ds.theatres["name"], strict=True)),
        ),
        KEY_ROUTES: LinkChoices(
            KEY_ROUTES,
            "a route",
            dict(zip(ds.routes["route_id"], ds.routes["name"], strict=True)),
        ),
        KEY_RELIABILITY: LinkChoices(
            KEY_RELIABILITY,
            "a source reliability grade (A to F)",
            grades,
            {meaning: g for g, meaning in vocab.RELIABILITY.items()},
            single_default="F",
        ),
    }


#: what the switch's 'off' means, for a notice about a link's value for it
_CERTAIN_OFF = "events whose date window overlaps the range are kept"


def choices_from_link(
    params: Mapping[str, Sequence[str]], choices: Mapping[str, LinkChoices]
) -> tuple[dict[str, object], dict[str, tuple[tuple[str, ...], object]]]:
    """The choice filters' values a link's ``params`` (key → all its values) give, and
    per key whose values were not all usable: the notes and the value used instead. Also
    notes a switch value Streamlit will not read (``certain=yes``)."""
    values: dict[str, object] = {}
    notes: dict[str, tuple[tuple[str, ...], object]] = {}
    for key, c in choices.items():
        ids, said = read_link_choices(list(params.get(key, ())), c)
        values[key] = ids[0] if c.single_default is not None else ids
        if said:
            notes[key] = (tuple(said), values[key])
    said = check_link_switch(KEY_CERTAIN, list(params.get(KEY_CERTAIN, ())), _CERTAIN_OFF)
    if said:
        notes[KEY_CERTAIN] = (tuple(said), False)
    return values, notes


def _history_navigation() -> bool:
    """Whether this run follows the browser's back or forward button: the URL then says
    what to show, as it does for the widgets Streamlit binds. (Streamlit's run context says
    so; without it the sidebar keeps its state, which is the safe side.)"""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


def _read_choices_from_link(choices: Mapping[str, LinkChoices]) -> None:
    """Set the choice filters from the link (its ids, labels or other spellings) before
    they are drawn, and keep what could not be used for ``render_link_notes``."""
    params = {key: st.query_params.get_all(key) for key in (*choices, KEY_CERTAIN)}
    values, notes = choices_from_link(params, choices)
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state[KEY_CHOICE_NOTES] = notes
    st.session_state[KEY_CHOICES_READ] = True


def _keep_choices(choices: Mapping[str, LinkChoices]) -> None:
    """Hand each choice filter its value again before it is drawn. Streamlit gives these
    widgets (keyed, in the app's script, not bound to the URL) another id after the
    session's first run and on a page switch, and a widget with a new id starts from its
    own default: a person's first pick, or the page switch, would be lost (and the
    reliability slider would start at A). A value set through ``st.session_state`` under
    the key survives that; a filter Streamlit forgot (a run that drew no sidebar) gets the
    filter's default, all."""
    for key, c in choices.items():
        default = c.single_default if c.single_default is not None else []
        st.session_state[key] = st.session_state.get(key, default)


def _write_choices_to_link(choices: Mapping[str, LinkChoices]) -> None:
    """Keep the choice filters' ids in the link (nothing for a filter at its default)."""
    for key, c in choices.items():
        want = link_values(st.session_state.get(key), c)
        if st.query_params.get_all(key) == want:
            continue
        if want:
            st.query_params[key] = want
        elif key in st.query_params:
            del st.query_params[key]


def render_sidebar_filters(ds: DataSet, today: date) -> EventFilter:
    """Draw the shared filters in the sidebar and return the filter they describe."""
    lo, hi = date_bounds(ds, today)
    # the options and their labels are the data set's: made once per data set, not per run
    choices = derived(
        ds,
        "filter_choices",
        lambda: filter_choices(ds, disputed_actor_notes(ds.conflicts)),
    )
    if KEY_CHOICES_READ not in st.session_state or _history_navigation():
        _read_choices_from_link(choices)
    else:
        _keep_choices(choices)

    limit = latest_date(today)
    if KEY_DATES not in st.session_state:  # a link just opened: read its dates first
        repaired, notes = check_link_dates(st.query_params.get_all(KEY_DATES), lo, hi, limit)
        if notes:
            # the page says what was changed, and the date filter holds the repaired range;
            # being bound to the URL, it writes that range into the link
            st.session_state[KEY_LINK_NOTES] = (tuple(notes), repaired)
            if repaired is not None:
                st.session_state[KEY_DATES] = repaired
                # and the link itself gets the repaired range: a bound widget writes a
                # value set in code into the URL only in a run after its first, so the
                # app runs once more (_mend_link_dates), then the link gives the view
                # shown, not the warning
                st.session_state[KEY_LINK_MEND] = "opened"
    elif st.session_state.get(KEY_LINK_MEND) == "mend":
        del st.session_state[KEY_LINK_MEND]
        kept = st.session_state.get(KEY_LINK_NOTES)
        if kept and kept[1] is not None:
            st.session_state[KEY_DATES] = kept[1]
    default = (lo, hi)

    with st.sidebar:
        st.header("Filters")
        st.date_input(
            "Date range",
            value=default,
            min_value=lo,
            max_value=limit,
            key=KEY_DATES,
            bind="query-params",
            format="YYYY-MM-DD",
            help="Events whose date window overlaps the range are kept (an event known only "
            "to its month is kept by a range that touches that month), unless the switch "
            "below asks for certainty.",
        )
        st.toggle(
            "Only events certainly in the range",
            key=KEY_CERTAIN,
            bind="query-params",
            help="On: keep an event only if its whole date span lies inside the range (an "
            "event known only to Nov 2019 is dropped by a range starting 15 Nov 2019). Off: "
            "keep it if its span overlaps the range. Each page says how many events the "
            "other rule would add.",
        )
        st.multiselect(
            "Actors",
            options=list(choices[KEY_ACTORS].options),
            format_func=choices[KEY_ACTORS].label,
            key=KEY_ACTORS,
            placeholder="All actors",
            help="Choosing an actor includes every actor that rolls up into it "
            "(Russia includes the Russian military police).",
        )
        st.multiselect(
            "Event kinds",
            options=list(choices[KEY_KINDS].options),
            format_func=choices[KEY_KINDS].label,
            key=KEY_KINDS,
            placeholder="All kinds",
        )
        with st.expander("More filters"):
            st.multiselect(
                "Theatres",
                options=list(choices[KEY_THEATRES].options),
                format_func=choices[KEY_THEATRES].label,
                key=KEY_THEATRES,
                placeholder="All theatres",
            )
            st.multiselect(
                "Routes",
                options=list(choices[KEY_ROUTES].options),
                format_func=choices[KEY_ROUTES].label,
                key=KEY_ROUTES,
                placeholder="All routes (and events with none)",
            )
            st.select_slider(
                "Minimum source reliability",
                options=list(choices[KEY_RELIABILITY].options),
                key=KEY_RELIABILITY,  # its value is set from the link (or "F") beforehand
                format_func=choices[KEY_RELIABILITY].label,
                help="Keep events with at least one source graded this well (Admiralty scale, "
                "A best).",
            )
        st.caption("The filters live in the page address: copy the link to share this exact view.")
        if st.session_state.get(KEY_LINK_MEND) == "opened":
            _mend_link_dates()
    _write_choices_to_link(choices)
    render_link_notes()
    return filter_from_state(st.session_state, ds, today)


@st.fragment(run_every=0.2)
def _mend_link_dates() -> None:
    """Once the run that opened the link has finished, run the app again: that run
    writes the repaired range into the link (see ``render_sidebar_filters``)."""
    state = st.session_state.get(KEY_LINK_MEND)
    if state == "opened":  # drawn by the run that opened the link: wait for its end
        st.session_state[KEY_LINK_MEND] = "armed"
    elif state == "armed":  # a run of its own, so the opening run has finished
        st.session_state[KEY_LINK_MEND] = "mend"
        st.rerun(scope="app")


def link_notes(state: Mapping[str, object]) -> tuple[str, ...]:
    """What was changed in the dates of the link this session opened, while the date
    filter still holds what was used instead (changing the dates retires the notes)."""
    kept = state.get(KEY_LINK_NOTES)
    if not kept:
        return ()
    notes, used = kept  # type: ignore[misc]
    current = state.get(KEY_DATES)
    if used is not None and tuple(sorted(current or ())) != tuple(used):
        return ()
    return tuple(notes)


def choice_notes(state: Mapping[str, object]) -> tuple[str, ...]:
    """What in the link's choice filters (and switch) could not be used, for each filter
    that still holds what was used instead (changing a filter retires its notes)."""
    kept = state.get(KEY_CHOICE_NOTES) or {}
    out: list[str] = []
    for key, (notes, used) in kept.items():  # type: ignore[union-attr]
        current = state.get(key)
        if key == KEY_CERTAIN:
            current = bool(current)
        elif isinstance(current, (list, tuple)):
            current = list(current)
        if current == used:
            out.extend(notes)
    return tuple(out)


def render_link_notes() -> None:
    """Say on the page what in the link's filters could not be used, and what was. The
    notes quote the link: escaped, never read as markdown."""
    from components.html import md_escape

    for note in link_notes(st.session_state):
        st.warning(md_escape(note), icon=":material/event_busy:")
    for note in choice_notes(st.session_state):
        st.warning(md_escape(note), icon=":material/link_off:")


# --------------------------------------------------------------------------- the selection


def _seen_key(page: str) -> str:
    return f"{page}_selection_seen"


def selection_round(page: str) -> int:
    """Bumped when the selection is cleared: the timeline's key changes with it, so the
    chart forgets the box it drew."""
    return int(st.session_state.get(f"{page}_selection_round", 0))


def current_selection(page: str, chart: Selection) -> tuple[Selection, str]:
    """The page's timeline selection, kept in the URL (``selection``/``picked``) so a copied
    link restores it. A new selection drawn on the chart (a drag, a click) replaces the
    URL's; otherwise the URL's holds (a link just opened, or a chart redrawn with other
    settings, which forgets its box). Only ``clear_selection`` removes it. Returns it and
    '' or a warning about a malformed link value."""
    seen = st.session_state.get(_seen_key(page), Selection())
    if chart != seen:
        st.session_state[_seen_key(page)] = chart
        if chart.active:
            for name in (SELECTION_PARAM, PICKED_PARAM):
                if name in st.query_params:
                    del st.query_params[name]
            for name, value in selection_to_params(chart).items():
                st.query_params[name] = value
            return chart, ""
    return selection_from_params(
        st.query_params.get(SELECTION_PARAM), st.query_params.get(PICKED_PARAM)
    )


def clear_selection(page: str) -> None:
    """Forget the page's selection: out of the URL, and a fresh chart."""
    for name in (SELECTION_PARAM, PICKED_PARAM):
        if name in st.query_params:
            del st.query_params[name]
    st.session_state[_seen_key(page)] = Selection()
    st.session_state[f"{page}_selection_round"] = selection_round(page) + 1
