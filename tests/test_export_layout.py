"""The export's layout, computed before anything is drawn: for each format (slide 16:9 and
4:3, A4 brief) and for views small and large, no two named boxes intersect and each lies on
the page; the map is framed on everything its view draws."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from components.briefing import (
    brief_boxes,
    build_briefing,
    drawn_bounds,
    drawn_points,
    frequency_export_view,
    slide_boxes,
    standard_view,
)
from components.export_layout import FORMATS, Box, Content, layout, overlapping
from data.briefing import Banner, default_title
from data.filters import EventFilter
from data.views import overview_view
from tests.fixtures import embedded_dataset

TODAY = date(2026, 12, 1)
AT = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
VIEWS = {
    "2021": EventFilter(start=date(2021, 1, 1), end=date(2021, 12, 31)),
    "darbasiyah-2021": EventFilter(
        start=date(2021, 1, 1), end=date(2021, 12, 31), routes=("darbasiyah",)
    ),
    "whole": EventFilter(start=date(2019, 10, 1), end=TODAY),
    "empty": EventFilter(start=date(2019, 1, 1), end=date(2019, 1, 2)),
}


@pytest.fixture(scope="module")
def embedded():
    return embedded_dataset()


@pytest.fixture(scope="module")
def briefings(embedded):
    out = {}
    for name, f in VIEWS.items():
        out[name] = build_briefing(
            embedded,
            f,
            TODAY,
            view=standard_view(embedded, f, TODAY),
            title=default_title(embedded, f, TODAY),
            link=None,
            exported_at=AT,
        )
    return out


def _check(boxes: dict[str, Box], fmt: str) -> None:
    width, height = FORMATS[fmt]
    assert overlapping(boxes.values()) == [], boxes
    for box in boxes.values():
        assert box.w > 0 and box.h > 0, box
        assert 0 <= box.x and box.right <= width + 0.01, box
        assert 0 <= box.y and box.bottom <= height + 0.01, box


@pytest.mark.parametrize("name", list(VIEWS))
@pytest.mark.parametrize("with_extras", [False, True], ids=["plain", "banner-and-link"])
def test_no_two_boxes_intersect_in_any_format(briefings, name, with_extras):
    b = briefings[name]
    if with_extras:
        b = replace(
            b,
            banner=Banner("UNCLASSIFIED"),
            link="https://patrolwatch.example.org/?dates=2021-01-01&dates=2021-12-31&dsv=1.1.0",
        )
    for aspect in ("16:9", "4:3"):
        boxes = slide_boxes(b, aspect)
        _check(boxes, aspect)
        assert {"title", "sources", "footer"} <= set(boxes)
        if b.map_html is not None:
            assert {"map", "chart"} <= set(boxes)
    boxes = brief_boxes(b)
    _check(boxes, "A4")
    assert {"title", "figures", "map", "chart", "sources", "footer"} <= set(boxes)
    if with_extras:
        assert {"banner_top", "banner_bottom"} <= set(boxes)


def test_the_legend_has_a_box_of_its_own_beside_the_map(briefings):
    b = briefings["2021"]
    for fmt in ("16:9", "4:3", "A4"):
        boxes = slide_boxes(b, fmt) if fmt != "A4" else brief_boxes(b)
        assert "legend" in boxes
        assert not boxes["legend"].intersects(boxes["map"])


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_layouts_of_odd_content(fmt):
    long = ("A very long sentence about patrols and the sources that report them. " * 8,) * 9
    for content in (
        Content(),
        Content(has_map=False, has_chart=False),
        Content(has_map=False),
        Content(has_chart=False, figures=long),
        Content(figures=long, sources=("1 A source, 2021 B2",) * 400, banner=True, link="x" * 300),
        Content(legend=[[("Events", 0.0)] + [("Russia", 30.0)] * 40] * 6, title="T" * 300),
        # the chart alone in a wider column, the key figures under the map's legend
        Content(figures=long, chart_alone=True, map_share=0.46, chart_least=900.0),
        Content(figures=("One figure.",), chart_alone=True, map_share=0.46, banner=True),
        Content(figures=long, chart_alone=True, has_map=False),
    ):
        _check(layout(fmt, content), fmt)


def test_the_map_frames_everything_its_view_draws(embedded):
    for name, f in VIEWS.items():
        view = overview_view(embedded, f, TODAY).map
        points = drawn_points(view)
        bounds = drawn_bounds(view)
        if not points:
            assert bounds is None, name
            continue
        (south, west), (north, east) = bounds
        outside = [p for p in points if not (south < p[0] < north and west < p[1] < east)]
        assert outside == [], name
        # every marker and site is among the points framed
        for frame in (view.markers, view.sites):
            for lat, lon in zip(frame["lat"], frame["lon"], strict=True):
                assert (float(lat), float(lon)) in points
        # and the export hands that frame to the map it draws
        assert standard_view(embedded, f, TODAY).focus == bounds


# --------------------------------------------------------------------------- the slide's chart


def _slide_chart_of(b):
    """The slide's chart of ``b`` as drawn in its box: the figure JSON and the box."""
    import json

    from components.briefing import slide_chart

    box = slide_boxes(b, "16:9")["chart"]
    return slide_chart(json.loads(b.figure_json), box.w, box.h), box


@pytest.fixture(scope="module")
def how_often(embedded):
    """How often's export of the whole window: its own timeline (milestones, gaps, spans)."""
    from components.briefing import selected_figure
    from components.colours import actor_colours
    from components.frequency import view_timeline
    from data.filters import Selection
    from data.views import frequency_view

    f = EventFilter()
    view = frequency_view(embedded, f, TODAY)
    fig = selected_figure(view_timeline(view, actor_colours(embedded.actors)), Selection())
    return build_briefing(
        embedded,
        f,
        TODAY,
        view=replace(standard_view(embedded, f, TODAY), figure=fig),
        title=default_title(embedded, f, TODAY),
        link=None,
        exported_at=AT,
    )


def test_the_slide_chart_reserves_its_legend_and_caption(briefings, how_often):
    from components.briefing import legend_height_px

    for b in (briefings["2021"], briefings["whole"], how_often):
        fig, box = _slide_chart_of(b)
        layout = fig["layout"]
        margin = layout["margin"]
        plot_w = box.w - margin["l"] - margin["r"]
        plot_h = box.h - margin["t"] - margin["b"]
        assert plot_h > 40, (box, margin)
        legend_top = -layout["legend"]["y"] * plot_h  # below the plot's foot, in pixels
        legend_h = legend_height_px(fig, plot_w + margin["l"] - 2)
        captions = [a for a in layout["annotations"] if a.get("name") == "pw-caption"]
        below = legend_top + legend_h
        if captions:  # the milestones' caption starts under the legend
            assert -captions[0]["yshift"] >= below
            lines = captions[0]["text"].count("<br>") + 1
            below = -captions[0]["yshift"] + lines * captions[0]["font"]["size"] * 1.3
        assert legend_top >= 24  # under the x labels
        assert below <= margin["b"] + 0.5  # inside the box


def test_no_two_milestone_markers_overlap_on_the_slide(how_often):
    from components.briefing import marker_boxes

    fig, box = _slide_chart_of(how_often)
    marks = marker_boxes(fig, box.w)
    assert len(marks) >= 5  # the embedded data set's milestones, numbered
    for i, (_, l1, t1, r1, b1) in enumerate(marks):
        assert 0 <= l1 and r1 <= box.w
        for _, l2, t2, r2, b2 in marks[i + 1 :]:
            assert not (l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1), marks
    # each number is explained in the caption, and no long label is left on the plot
    caption = next(a for a in fig["layout"]["annotations"] if a.get("name") == "pw-caption")
    for text, *_ in marks:
        assert f"<b>{text}</b> " in caption["text"]
    assert not [a for a in fig["layout"]["annotations"] if a.get("textangle") == -90]


# --------------------------------------------------------------------------- the plot's share


@pytest.fixture(scope="module")
def how_often_2021(embedded):
    """How often's export of 2021, as the page makes it: its own timeline for the chart."""
    from components.colours import actor_colours
    from components.frequency import view_timeline
    from data.views import frequency_view

    f = VIEWS["2021"]
    view = frequency_view(embedded, f, TODAY)
    fig = view_timeline(view, actor_colours(embedded.actors))
    return build_briefing(
        embedded,
        f,
        TODAY,
        view=frequency_export_view(embedded, f, TODAY, view, fig),
        title=default_title(embedded, f, TODAY),
        link=None,
        exported_at=AT,
    )


@pytest.mark.parametrize("aspect", ["16:9", "4:3"])
@pytest.mark.parametrize("which", ["overview-2021", "how-often-2021", "how-often-whole"])
def test_the_slide_plot_takes_a_real_share_of_its_box(
    briefings, how_often, how_often_2021, which, aspect
):
    """At the slide's pixel size (1.5 × the CSS box), the plot area of the chart — its box
    less the title, milestone numbers, x labels, legends and caption that plotly is told
    to leave around it — is at least 45 % of the box's height and tall enough to read."""
    import json

    from components.briefing import SLIDE_SCALE, slide_chart

    b = {
        "overview-2021": briefings["2021"],
        "how-often-2021": how_often_2021,
        "how-often-whole": how_often,
    }[which]
    boxes = slide_boxes(b, aspect)
    _check(boxes, aspect)
    box = boxes["chart"]
    fig = slide_chart(json.loads(b.figure_json), box.w, box.h)
    margin = fig["layout"]["margin"]
    plot_h = box.h - margin["t"] - margin["b"]
    assert plot_h / box.h >= 0.45, (which, aspect, box, margin)
    assert plot_h * SLIDE_SCALE >= 240, (which, aspect, plot_h)  # px of the PNG
    # the legends, one under another under the x labels, and the caption end in the box
    layout = fig["layout"]
    tops = sorted(
        -layout[k]["y"] * plot_h for k in layout if k.startswith("legend") and "y" in layout[k]
    )
    assert tops and tops[0] >= 24
    assert tops == sorted(set(tops))  # each its own line


def test_the_slide_chart_legend_is_one_row_per_group_when_it_fits(how_often_2021):
    """How often's legend: four groups (counted, reported, spans, gaps), each a legend of
    its own whose title is beside its entries when they hold on one line."""
    import json

    from components.briefing import legend_flow_rows, slide_chart

    box = slide_boxes(how_often_2021, "16:9")["chart"]
    fig = slide_chart(json.loads(how_often_2021.figure_json), box.w, box.h)
    layout = fig["layout"]
    legends = [k for k in layout if k.startswith("legend")]
    assert len(legends) == 4
    titles = [layout[k]["title"]["text"] for k in legends]
    assert "<b>Counted one by one</b>" in titles
    assert all(t.get("legend") in legends for t in fig["data"])
    assert not any(t.get("legendgrouptitle") for t in fig["data"])
    assert legend_flow_rows(fig, box.w - 12) <= 5
