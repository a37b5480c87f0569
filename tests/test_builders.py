"""Pure builders, tested without a browser: the Leaflet code and figure they produce."""

from __future__ import annotations

import copy
from datetime import date

import pandas as pd

from components.colours import actor_colours
from components.filters import filter_from_state
from components.leaflet import PointLayer
from components.overview import event_table, headline_cards
from components.patrol_map import build_patrol_map
from components.timeline import timeline_figure
from data.aggregate import counts_per_period, headline, milestones, overlapping_period_counts
from data.filters import EventFilter, filter_events, patrols
from data.load import load_dataset_files
from data.mapview import event_markers
from tests import fixtures
from tests.test_template_safety import js_decoded


def _html(m) -> str:
    """The map's page as its scripts see it (JSON string escapes undone)."""
    return js_decoded(m.get_root().render())


def _children(m, cls):
    out, todo = [], [m]
    while todo:
        el = todo.pop()
        if isinstance(el, cls):
            out.append(el)
        todo.extend(el._children.values())
    return out


def test_map_holds_routes_sites_and_events(mini):
    m, summary = build_patrol_map(mini, mini.events, basemap=False)
    html = _html(m)
    assert "pw-route-track" in html  # the route drawn as a polyline
    assert "Synthetic base" in html and "pw-site-base" in html
    assert summary.routes == 1
    assert summary.unplaced == int((~mini.events["placed"]).sum()) > 0
    assert summary.markers == mini.events.loc[mini.events["placed"], "location_id"].nunique()


def test_inactive_base_is_absent(mini):
    m, _ = build_patrol_map(
        mini, mini.events, window_start=pd.Timestamp("2022-01-01"), basemap=False
    )
    assert "Synthetic base" not in _html(m)  # active only until 30 Jun 2021


def test_popup_escapes_script(tmp_path):
    events = copy.deepcopy(fixtures.EVENTS)
    events[1]["description"] = "<script>alert('x')</script> & <b>bold</b> ${alert(2)} `x`"
    places = copy.deepcopy(fixtures.PLACES)
    places[0]["name"] = "<img src=x onerror=alert(1)>"
    ds = load_dataset_files(
        fixtures.write_mini_dataset(tmp_path / "x", events=events, places=places)
    )
    m, _ = build_patrol_map(ds, ds.events)
    html = _html(m)
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>bold</b>" not in html
    # folium puts popup and tooltip HTML in JavaScript template strings: no ${...} may survive
    assert "${alert(2)}" not in html and "`x`" not in html
    assert "&#36;&#123;alert(2)&#125;" in html


def test_popup_shows_date_precision_actors_and_graded_sources(mini):
    m, _ = build_patrol_map(mini, mini.events, basemap=False)
    html = _html(m)
    assert "Mar 2020" in html and "(month precision)" in html
    assert "Blue forces (patrolling), Red forces (patrolling)" in html
    assert "https://example.org/synthetic" in html and "[F6]" in html


def test_approximate_places_get_a_halo_of_their_precision(mini):
    locations = event_markers(mini, mini.events).set_index("key")
    assert locations.loc["gate", "precision_m"] == 3000
    m, _ = build_patrol_map(mini, mini.events, basemap=False)
    halos = [p for p in _children(m, PointLayer) if p.shape == "metres"]
    assert [row[2] for layer in halos for row in layer.rows] == [3000.0]
    assert "pw-approx" in _html(m)


def test_markers_aggregate_per_place(mini):
    one = mini.events[mini.events["location_id"] == "town_a"].iloc[[0]]
    many = pd.concat([one] * 50, ignore_index=True).assign(
        event_id=[f"s{i}" for i in range(50)],
        start=pd.date_range("2020-01-01", periods=50, freq="D"),
    )
    locations = event_markers(mini, many, latest=8)
    assert len(locations) == 1 and locations.iloc[0]["n"] == 50
    assert locations.iloc[0]["event_ids"] == tuple(f"s{i}" for i in range(49, 41, -1))


def test_frequency_figure_bars_bands_and_milestones(mini):
    ev = patrols(mini.events)
    counts = counts_per_period(ev, mini, "month", by="actor")
    reported = overlapping_period_counts(mini, None, None)
    fig = timeline_figure(
        counts,
        by="actor",
        actor_colours=actor_colours(mini.actors),
        reported=reported,
        marks=milestones(mini),
    )
    bars = [t for t in fig.data if t.type == "bar"]
    bands = [t for t in fig.data if t.type == "scatter"]
    assert {b.name for b in bars} == {"Blue forces + Red forces", "Blue forces"}
    joint = next(b for b in bars if b.name == "Blue forces + Red forces")
    assert joint.marker.color == "#0072B2" and joint.marker.pattern.fgcolor == "#D55E00"
    assert len(bands) == 2 and all(b.fill == "toself" for b in bands)
    labels = {a.text for a in fig.layout.annotations}
    assert {"Synthetic accord", "Synthetic halt", "Synthetic resumption"} <= labels
    assert fig.layout.barmode == "stack"


def test_figure_text_is_inert(mini):
    counts = pd.DataFrame(
        {
            "period_start": [pd.Timestamp("2020-01-01")],
            "group": ["<b>x</b>"],
            "count": [1],
            "imprecise": [0],
        }
    )
    fig = timeline_figure(counts, by="kind", title="<script>t</script>")
    assert "<script>" not in fig.layout.title.text


def test_event_table_has_sources(mini):
    table = event_table(mini, mini.events)
    assert list(table["Event id"])[0] == "e7"  # newest first
    row = table.set_index("Event id").loc["e-halt"]
    assert row["Sources (grade)"] == "Synthetic ministry (B2)"
    assert row["Best source"] == "https://example.org/official"


def test_headline_cards(mini):
    f = EventFilter()
    cards = headline_cards(headline(filter_events(mini, f), f, date(2022, 1, 1)))
    assert [c[0] for c in cards][:2] == ["Patrols counted", "Last patrol"]
    assert cards[0][1] == "7"


def test_filter_from_state_tolerates_partial_and_unknown_values(mini):
    today = date(2022, 1, 1)
    f = filter_from_state(
        {
            "dates": (date(2021, 1, 1),),
            "actors": ["blue", "martians"],
            "kinds": ["picnic"],
            "reliability": "Z",
        },
        mini,
        today,
    )
    assert f.start == date(2021, 1, 1) and f.end is None
    assert f.actors == ("blue",) and f.kinds == () and f.min_reliability == "F"
    full = filter_from_state({}, mini, today)
    assert full == EventFilter()


def test_chart_bands_keep_theatre_wide_counts_unless_a_route_is_chosen(mini):
    from data.aggregate import chart_bands

    reported = overlapping_period_counts(mini, None, None)
    assert list(chart_bands(reported)["count_id"]) == ["pc-total"]
    assert set(chart_bands(reported, ("track",))["count_id"]) == {"pc-total", "pc-rate"}


def test_reported_line_puts_theatre_wide_counts_first(mini):
    from components.overview import reported_line

    line = reported_line(overlapping_period_counts(mini, None, None))
    assert line.startswith("Sources report: 12 (Jan 2020–Feb 2021, synthetic, all; ")
    assert "3–5 a month" in line
    assert reported_line(overlapping_period_counts(mini, None, None).iloc[0:0]).startswith("No ")


def test_markdown_from_the_data_is_inert():
    from components.html import md_escape

    text = md_escape("![x](http://e.org/a.png) <b>b</b> :red[alert] $x$ [l](javascript:1)")
    assert "![" not in text and "](" not in text and "<b>" not in text and ":red[" not in text


def test_marker_sizes_are_on_a_bounded_scale_the_legend_gives():
    from components.layers.events import size_legend_html
    from components.leaflet import MAX_RADIUS, MIN_RADIUS, marker_radius

    assert marker_radius(1, 1_000_000) == MIN_RADIUS
    assert marker_radius(1_000_000, 1_000_000) == MAX_RADIUS
    assert marker_radius(100, 20) == MAX_RADIUS == marker_radius(10**9, 10**6)  # capped
    assert marker_radius(7, 7) == marker_radius(7, 20)  # small maps keep one scale
    assert marker_radius(7, 7) > 2.5 * marker_radius(1, 7)  # and 1 and 7 read apart
    assert marker_radius(250_000, 1_000_000) < marker_radius(500_000, 1_000_000) < MAX_RADIUS
    legend = size_legend_html(1_000_000)
    assert "1 event<" in legend and "1,000,000 events" in legend


def test_the_overview_map_grows_with_places_not_events(mini):
    many = pd.concat([mini.events] * 200, ignore_index=True)
    many["event_id"] = [f"x{i}" for i in range(len(many))]
    small, s1 = build_patrol_map(mini, mini.events, basemap=False)
    big, s2 = build_patrol_map(mini, many, basemap=False)
    assert s2.events == 200 * s1.events and s2.markers == s1.markers
    assert len(_html(big)) < 1.3 * len(_html(small))


def test_a_selections_event_table_made_of_the_whole_tables_rows_is_the_same(mini):
    from components.overview import event_table_rows

    whole = event_table(mini, mini.events)
    ev = mini.events
    for part in (
        ev,
        ev.iloc[::2],
        ev.iloc[[3, 0, 5]],
        ev.iloc[:0],
        ev[ev["kind"] == "joint_patrol"],
    ):
        pd.testing.assert_frame_equal(event_table_rows(whole, part), event_table(mini, part))
