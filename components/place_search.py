"""The place search above every map: type any spelling of a place in any script (the
gazetteer's names and other spellings, matched by ``data.gazetteer.search_places``), pick a
result, and the map opens on the place with its record.

The chosen place lives in the page address (``?place=<id>``), so a copied link opens the
same place; a link naming a place the data set does not hold says so.

``result_label``, ``results_caption`` and ``focus_from_link`` are pure;
``render_place_search`` draws the box and returns the chosen place id (or None) for the map
builders' ``focus`` argument.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from components.html import md_escape
from data import vocab
from data.gazetteer import place_row, search_places, spellings
from data.model import DataSet

#: the query parameter holding the chosen place's id
PARAM = "place"
#: results listed under the box
MAX_RESULTS = 6
PLACEHOLDER = "Any spelling, any script: Dirbêsiyê, الدرباسية, Kamışlı, ܩܡܫܠܝ…"
HELP = (
    "Matches every name and other spelling in the gazetteer, whatever the case, accents, "
    "Arabic letter forms (أ إ آ ا, ة ه, ى ي) or a leading al-/ال; failing that, names that "
    "sound alike across scripts."
)


def result_label(r: Mapping[str, object]) -> str:
    """'Dirbêsiyê → al-Darbasiyah (Town)' for a row of ``search_places`` (plain text; the
    spelling alone when it is the main name; 'no position' when the place has none)."""
    name, matched, kind = str(r["name"]), str(r["matched"]), str(r["kind"])
    head = name if matched == name else f"{matched} → {name}"
    tail = "" if bool(r["placed"]) else ", no position"
    if r.get("how") == "sounds like":
        tail += ", sounds alike"
    return f"{head} ({vocab.PLACE_KINDS.get(kind, kind)}{tail})"


def results_caption(results: pd.DataFrame, query: str) -> str:
    """One line over the results (plain text)."""
    if results.empty:
        return f"No place in the gazetteer is written like “{query.strip()[:80]}”."
    n = len(results)
    return f"{n} place{'s' if n != 1 else ''} written like “{query.strip()[:80]}”: pick one."


def focus_from_link(ds: DataSet, value: object) -> tuple[str | None, str]:
    """(place id, '') for a ``place`` value a link carries; (None, a one-line message) when
    it names no place of the data set; (None, '') when there is none."""
    if value is None or value == "":
        return None, ""
    row = place_row(ds, value)
    if row is None:
        return None, f"The link names a place this data set does not hold: “{str(value)[:80]}”."
    return str(row["place_id"]), ""


def _choose(place_id: str | None) -> None:
    if place_id:
        st.query_params[PARAM] = place_id
    elif PARAM in st.query_params:
        del st.query_params[PARAM]


def _index(ds: DataSet) -> pd.DataFrame:
    """The data set's spellings, folded once per session while the places stay the same."""
    from data.cache import session_memo

    places = ds.places[["place_id", "name", "alt_names"]]
    key = (ds.label, len(places), int(pd.util.hash_pandas_object(places, index=False).sum()))
    return session_memo(st.session_state, "place_search_index", key, lambda: spellings(ds.places))


def render_place_search(
    ds: DataSet, events: pd.DataFrame, *, key: str, record: bool = True
) -> str | None:
    """The search box and its results; the chosen place's record under them if ``record``
    (the explorer shows it in its own panel). Returns the chosen place id, or None."""
    focus, problem = focus_from_link(ds, st.query_params.get(PARAM))
    if problem:
        st.warning(md_escape(problem))
    query = st.text_input(
        "Find a place", key=f"{key}_q", placeholder=PLACEHOLDER, help=HELP, max_chars=200
    )
    if query.strip():
        results = search_places(ds, query, MAX_RESULTS, index=_index(ds))
        st.caption(md_escape(results_caption(results, query)))
        with st.container(horizontal=True, gap="small", key=f"{key}_results"):
            for r in results.to_dict("records"):
                st.button(
                    md_escape(result_label(r)),
                    key=f"{key}_pick_{r['place_id']}",
                    on_click=_choose,
                    args=(r["place_id"],),
                    type="primary" if r["place_id"] == focus else "secondary",
                )
    if focus is None:
        return None
    row = place_row(ds, focus)
    if row is not None and not bool(row["placed"]):
        st.caption(md_escape(f"{row['name']} has no position in the data set: not on the map."))
    with st.container(horizontal=True, gap="small", vertical_alignment="top"):
        if record:
            from components.map_detail import place_record, render_record
            from data.cache import current_conflicts

            rec = place_record(ds, current_conflicts(), events, focus)
            if rec is not None:
                label = f"{rec.title}: names, position, sources"
                with st.expander(md_escape(label), icon=":material/location_on:", width="stretch"):
                    render_record(rec)
        st.button("Clear the place", key=f"{key}_clear", on_click=_choose, args=(None,))
    return focus
