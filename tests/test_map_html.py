"""The display-only maps' HTML (components.patrol_map): scripts written compactly, never
so that the data could end a script or open a comment in it."""

from __future__ import annotations

import json

from components.patrol_map import compact_scripts, overview_map_html
from data.views import overview_map_view
from tests.test_template_safety import assert_inert, hostile_ds  # noqa: F401  (fixture)


def _script(text: str) -> str:
    return f"<script>var t = {_tojson(text)};</script>"


def _tojson(value: object) -> str:
    """As Jinja's ``tojson`` writes it."""
    return (
        json.dumps(value)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


def test_markup_in_a_script_string_is_written_plainly():
    out = compact_scripts(_script("<b class='x'>A & B</b>"))
    assert "var t = \"<b class='x'>A & B\\u003c/b>\";" in out


def test_nothing_that_ends_a_script_or_opens_a_comment_is_unescaped():
    hostile = "</script><script>alert(1)</script> <!-- x --> </SCRIPT> <\\/ --> \\u003c"
    out = compact_scripts(_script(hostile))
    body = out.split("<script>", 1)[1].rsplit("</script>", 1)[0]
    assert "</" not in body and "<!" not in body and "-->" not in body
    assert "<script" not in body.lower()
    # the script reads the same string as before
    assert json.loads(body.removeprefix("var t = ").removesuffix(";")) == hostile


def test_text_outside_scripts_is_left_as_it_is():
    page = '<div title="\\u003cb\\u003e">x</div><script>1</script>'
    assert compact_scripts(page) == page


def test_the_overview_map_stays_inert_with_hostile_text(hostile_ds):  # noqa: F811
    view = overview_map_view(hostile_ds, hostile_ds.events)
    page = overview_map_html(hostile_ds, hostile_ds.events, view, tiles=None)
    assert_inert(page)
    assert page.count("<script") == page.count("</script>")


def test_any_text_reads_the_same_and_never_breaks_out_of_its_script():
    """Random strings of the characters that matter (seeded): each comes out of a script
    the same string, with nothing in the script that could end it or open a comment."""
    import random

    rng = random.Random(16)
    alphabet = ["<", ">", "&", "'", "/", "!", "-", "\\", "script", "SCRIPT", "u003c", "x", " "]
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))
        outside = "<p title='\\u003cb\\u003e'>-\\u003e</p>"
        out = compact_scripts(outside + _script(text) + _script(text[::-1]))
        assert out.startswith(outside)  # outside the scripts: untouched
        bodies = [part.split("</script>", 1)[0] for part in out.split("<script>")[1:]]
        assert len(bodies) == 2
        for body, want in zip(bodies, (text, text[::-1]), strict=True):
            assert "</" not in body and "<!" not in body and "-->" not in body
            assert "<script" not in body.lower()
            assert json.loads(body.removeprefix("var t = ").removesuffix(";")) == want


def test_every_popup_of_the_overview_map_scrolls_inside_the_map(hostile_ds):  # noqa: F811
    """A busy place's popup lists its newest events; it scrolls past 380 px rather than
    running off the top of the map (which is 560-600 px high)."""
    import re

    view = overview_map_view(hostile_ds, hostile_ds.events)
    page = overview_map_html(hostile_ds, hostile_ds.events, view, tiles=None)
    binds = re.findall(r"bindPopup\([^;]*?\{([^}]*)\}\)", page)
    assert binds and all("maxHeight: 380" in options for options in binds), binds


def test_the_live_overview_map_places_names_from_where_it_shows_them(mini, monkeypatch):
    """The Overview's and How often's map hides every town name below NAMES_MIN_ZOOM: its
    names are placed from there on, not from the least zoom an export is framed at."""
    import json

    import streamlit as st

    from components.basemap import NAMES_MIN_ZOOM
    from components.patrol_map import render_overview_map
    from data.views import overview_map_view

    shown: list[str] = []
    monkeypatch.setattr(st, "iframe", lambda html, **_: shown.append(html))
    render_overview_map(mini, mini.events, overview_map_view(mini, mini.events), tiles=None)
    line = next(line for line in shown[0].splitlines() if '"pw-country-name"' in line)
    rows = json.loads(line[line.index("[") : line.rindex("]") + 1])
    towns = [row for row in rows if row[3] == "pw-town-name"]
    assert towns
    for row in towns:
        assert row[5] is None or row[5] >= NAMES_MIN_ZOOM
        assert all(stage[0] >= NAMES_MIN_ZOOM for stage in row[4])
