"""Playback: the JSON the browser plays (frames, date spans, faded coarse dates, runs and
sites), what each frame shows, and that the data text goes out as escaped JSON, never as
template source. SYNTHETIC fixture (tests/fixtures.py)."""

from __future__ import annotations

import html as html_module
import json
from datetime import date

import pandas as pd

from components.playback import PlaybackLayer, build_playback, build_playback_map, visible
from data.filters import EventFilter, filter_events


def _data(mini, **kw):
    events = filter_events(mini, EventFilter())
    return build_playback(mini, events, **kw)


def test_frames_of_each_window(mini) -> None:
    data = _data(mini, start=date(2020, 1, 1), end=date(2020, 12, 31))
    assert data["first"] == "2020-01-01" and data["last"] == "2020-12-31"
    days, weeks, months = (data["frames"][u] for u in ("day", "week", "month"))
    assert len(days) == 366  # 2020 is a leap year
    assert days[0] == [0, 0, "1 Jan 2020"]
    assert len(months) == 12
    assert months[1] == [31, 59, "Feb 2020"]  # 1-29 Feb
    # weeks start on Monday: 1 Jan 2020 was a Wednesday, so the first week starts 30 Dec
    assert weeks[0][:2] == [-2, 4] and weeks[0][2] == "Week of 30 Dec 2019"
    assert all(b - a == 6 for a, b, _ in weeks)
    assert weeks[-1][0] <= 365 <= weeks[-1][1]


def test_spans_and_faded_coarse_dates(mini) -> None:
    data = _data(mini, start=date(2020, 1, 1), end=date(2021, 12, 31))
    rows = {r[7]: r for r in data["events"]}
    # e3 is known only to March 2020: it spans the whole month and is faded
    e3 = rows["e3"]
    assert (e3[2], e3[3]) == (60, 90) and e3[4] == 1
    e1 = rows["e1"]  # 3 Feb 2020, a day
    assert (e1[2], e1[3]) == (33, 33) and e1[4] == 0
    # unplaced events are counted, not drawn
    assert "e5" not in rows and data["unplaced"] >= 1
    kinds = [k[0] for k in data["kinds"]]
    assert rows["e1"][5] == kinds.index("joint_patrol")


def test_what_each_frame_shows(mini) -> None:
    data = _data(mini, start=date(2020, 1, 1), end=date(2021, 12, 31))
    march = [i for i, f in enumerate(data["frames"]["month"]) if f[2] == "Mar 2020"][0]
    shown = visible(data, "month", march, "sliding")
    assert "e3" in shown["events"] and shown["faded"] == ["e3"]
    assert "e1" not in shown["events"]  # February's patrol is not in March's window
    # a week inside March shows the month-precision event faded, for every week of it
    weeks = data["frames"]["week"]
    in_march = [i for i, w in enumerate(weeks) if w[0] >= 60 and w[1] <= 90]
    assert in_march and all("e3" in visible(data, "week", i)["faded"] for i in in_march)
    # cumulative keeps everything up to the frame's end
    cum = visible(data, "month", march, "cumulative")
    assert {"e1", "e2", "e3"} <= set(cum["events"])
    # the base is active from Jan 2020 to June 2021; the gate has no dates: always active
    base = [i for i, s in enumerate(data["sites"]) if "Synthetic base" in s[4]][0]
    gate = [i for i, s in enumerate(data["sites"]) if "Synthetic gate" in s[4]][0]
    assert visible(data, "month", 0)["sites"] == sorted([base, gate])
    assert visible(data, "month", len(data["frames"]["month"]) - 1)["sites"] == [gate]
    # routes run: e1 and e2 ran the track in February
    feb = visible(data, "month", 1)
    assert feb["routes"] == ["track"]
    assert visible(data, "month", 2)["routes"] == ["track"]  # e3 ran it some day in March


def test_data_goes_out_as_escaped_json_not_template(mini) -> None:
    events = filter_events(mini, EventFilter()).copy()
    evil = "{{ 7*7 }} <script>alert(1)</script> `${x}`"
    events["location_name"] = events["location_name"].where(events["event_id"] != "e1", evil)
    data = build_playback(mini, events, title="{{ 6*7 }} <b>t</b>", sources="{% raw %}")
    m = build_playback_map(mini, data, export=True)
    html = m.get_root().render()
    assert "<script>alert(1)" not in html
    # template syntax in the data arrives as text: nothing of it was run
    assert "{{ 6*7 }}" in html and "{% raw %}" in html  # title and sources: JSON text
    assert "{{ 7*7 }}" not in html  # the place name goes as entities
    # the tooltip text is HTML-escaped, then JSON-encoded for a script (& becomes \u0026)
    assert "\\u0026lt;script\\u0026gt;alert(1)\\u0026lt;/script\\u0026gt;" in html
    assert "\\u003cb\\u003et\\u003c/b\\u003e" in html  # the title, as JSON data
    assert "{{ 6*7 }}" in html
    # the layer's JSON parses back to the builder's data
    start = html.index("var D = ") + len("var D = ")
    end = html.index(";\n", start)
    sent = json.loads(html[start:end])
    assert sent["frames"] == data["frames"]
    tip = next(r[6] for r in sent["events"] if r[7] == "e1")
    assert tip.startswith(
        "&#123;&#123; 7*7 &#125;&#125; &lt;script&gt;alert(1)&lt;/script&gt; "
        "&#96;&#36;&#123;x&#125;&#96;"
    )
    assert html_module.unescape(tip).startswith(evil)


def test_layer_adds_control_and_hooks(mini) -> None:
    data = _data(mini)
    html = build_playback_map(mini, data).get_root().render()
    assert "window.pwPlayback" in html and "pw-play-event" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html  # assets served locally
    assert isinstance(PlaybackLayer(data), PlaybackLayer)
    assert pd.Timestamp(data["first"]) == mini.events["start"].min()


def test_bar_strip_counts_match_the_frames(mini) -> None:
    data = _data(mini, start=date(2020, 1, 1), end=date(2021, 12, 31))
    for unit in ("week", "month"):
        counts = data["counts"][unit]
        assert len(counts) == len(data["frames"][unit])
        assert counts == [visible(data, unit, k)["count"] for k in range(len(counts))]
    assert "day" not in data["counts"]  # a bar a day is too thin to read: no strip


def test_many_events_are_grouped_per_place_and_week(mini) -> None:
    from components.playback import event_rows

    events = filter_events(mini, EventFilter())
    placed = events[events["placed"]]
    kinds = {k: i for i, k in enumerate(sorted(set(events["kind"])))}
    t0 = pd.Timestamp("2020-01-01")
    rows, grouped = event_rows(placed, t0, kinds)
    assert grouped == "" and sum(r[8] for r in rows) == len(placed)
    # with room for only 2 rows: grouped per week, month, quarter, then year; nothing lost
    rows, grouped = event_rows(placed, t0, kinds, max_rows=2)
    assert grouped == "year" and sum(r[8] for r in rows) == len(placed)
    # a day event drawn over its year: e1 (3 Feb 2020) spans 2020
    e1 = next(r for r in rows if r[7].split(" ")[0] == "e1" or r[7].startswith("e1 +"))
    assert (e1[2], e1[3]) == (0, 365)
    # the month-precision e3 keeps its own span
    assert any(r[4] == 1 and (r[2], r[3]) == (60, 90) for r in rows)
    # with room for the monthly groups, month it is
    by_month, _ = event_rows(placed, t0, kinds, max_rows=10_000)
    monthly, grouped = event_rows(placed, t0, kinds, max_rows=len(by_month) - 1)
    assert grouped in ("week", "month", "quarter", "year") and len(monthly) < len(by_month)


def test_explorer_page_with_playback_and_cite(monkeypatch) -> None:
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    at = AppTest.from_file(app, default_timeout=90)
    at.run()
    at.switch_page("pages/map_explorer.py").run()
    at.toggle(key="mx_play").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not any("snap=" in c.value for c in at.code)  # made only once opened
    at.session_state["mx_cite_open"] = True  # the reader opens "Cite this view"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    codes = [c.value for c in at.code]
    assert any("snap=" in c and "dsv=" in c for c in codes)
    assert any(c.startswith("PatrolWatch. ") and "Accessed 24 November 2026." in c for c in codes)
