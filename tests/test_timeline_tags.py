"""The live timelines' milestone tags (components.timeline: chart_tags, tagged_figure,
live_timeline): numbers over the plot instead of long vertical labels, laid out so that no
two overlap at any width the chart is drawn, the labels on hover and in a key.

The embedded data set's milestones, the mini set's (SYNTHETIC, tests/fixtures.py) and a
SYNTHETIC crowd of milestones made here."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from components import timeline
from components.colours import actor_colours
from components.timeline import (
    GAP_LABEL,
    GAP_LABEL_WIDTH,
    MIN_LIVE_WIDTH,
    TAG_GAP,
    TAG_NAME,
    TITLE_BAND,
    chart_tags,
    gap_label_boxes,
    gap_timeline_figure,
    live_timeline,
    merge_close_marks,
    stagger_rows,
    tag_boxes,
    tag_key,
    tagged_figure,
    timeline_figure,
)
from data.aggregate import counts_per_period, milestones
from data.filters import patrols
from tests.fixtures import embedded_dataset
from tests.test_frequency_components import _timeline

T = pd.Timestamp

#: the widths a live chart is drawn at: a phone, the Overview's chart beside the map or
#: stacked under it at 1000, 1400 and 1920 px windows (sidebar open or folded), How often's
WIDTHS = (320, 360, 420, 540, 568, 700, 940, 1100, 1240, 1460, 1760)


@pytest.fixture(scope="module")
def embedded():
    return embedded_dataset()


def _overview(ds, marks=None, x_range=None, **kw):
    return timeline_figure(
        counts_per_period(patrols(ds.events), ds, "month", by="actor"),
        by="actor",
        actor_colours=actor_colours(ds.actors),
        marks=milestones(ds) if marks is None else marks,
        title="Patrols per month",
        subtitle="all actors",
        x_range=x_range,
        **kw,
    )


def _crowd() -> pd.DataFrame:
    """SYNTHETIC milestones: 24 dates 3 to 110 days apart over two years, some labels
    long, one with markup characters."""
    gaps = [3, 80, 76, 90, 5, 110, 77, 78, 79, 100, 4, 76, 85, 90, 76, 2, 95, 76, 80, 81, 77, 76]
    starts = pd.Timestamp("2020-01-05") + pd.to_timedelta(pd.Series([0, *gaps]).cumsum(), "D")
    labels = [f"Synthetic milestone {i} with a rather long label" for i in range(len(starts))]
    labels[3] = "Synthetic <b>bold</b> & [link](x) *claim*"
    return pd.DataFrame({"start": starts, "label": labels})


def _figures(embedded, mini):
    crowd_range = (pd.Timestamp("2020-01-01"), pd.Timestamp("2024-12-31"))
    marks = milestones(embedded)
    return {
        "embedded overview": _overview(
            embedded, x_range=(pd.Timestamp("2019-10-16"), pd.Timestamp("2026-12-01"))
        ),
        "embedded 2020": _overview(  # the page's marks are the window's
            embedded,
            marks=marks[marks["start"].dt.year == 2020],
            x_range=(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-12-31")),
        ),
        "embedded 2021, milestones off the axis": _overview(
            embedded, x_range=(pd.Timestamp("2021-01-01"), pd.Timestamp("2021-12-31"))
        ),
        "embedded no range": _overview(embedded),
        "mini how often": _timeline(mini),
        "synthetic crowd": _overview(mini, marks=_crowd(), x_range=crowd_range),
    }


def _overlap(a, b) -> bool:
    _, l1, t1, r1, b1 = a
    _, l2, t2, r2, b2 = b
    return l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1


def test_no_two_tags_overlap_at_any_width_the_chart_is_drawn(embedded, mini):
    for name, fig in _figures(embedded, mini).items():
        live, tags = live_timeline(fig)
        assert bool(tags) == ("off the axis" not in name), name
        for width in WIDTHS:
            boxes = tag_boxes(live, width)
            assert len(boxes) == len(tags)
            for i, a in enumerate(boxes):
                for b in boxes[i + 1 :]:
                    assert not _overlap(a, b), (name, width, a, b)
                # inside the chart, between the title's band and the plot's top
                assert 0 <= a[1] and a[3] <= width, (name, width, a)
                assert a[2] >= TITLE_BAND and a[4] <= live.layout.margin.t, (name, width, a)


def test_tags_are_clear_by_the_gap_at_the_narrowest_width(embedded, mini):
    live, tags = live_timeline(_figures(embedded, mini)["synthetic crowd"])
    boxes = tag_boxes(live, MIN_LIVE_WIDTH)
    rows = {}
    for tag, box in zip(tags, boxes, strict=True):
        rows.setdefault(tag.row, []).append(box)
    assert len(rows) > 1  # the crowd needs more than one row at 320 px
    for row in rows.values():
        row.sort(key=lambda b: b[1])
        for left, right in zip(row, row[1:], strict=False):
            assert right[1] - left[3] >= TAG_GAP - 1e-9


def test_stagger_rows_lowest_free_row():
    # three tags 10 px wide: the second overlaps the first, the third clears both rows
    assert stagger_rows([100, 105, 120], [10, 10, 10]) == [0, 1, 0]
    assert stagger_rows([100, 105, 108], [10, 10, 10]) == [0, 1, 2]
    assert stagger_rows([], []) == []


def test_milestones_are_numbered_in_date_order_and_keep_every_label(embedded):
    fig = _overview(embedded, x_range=(pd.Timestamp("2019-10-16"), pd.Timestamp("2026-12-01")))
    tags = chart_tags(fig)
    merged = merge_close_marks(milestones(embedded))
    assert [t.text for t in tags] == [str(i) for i in range(1, len(merged) + 1)]
    assert [t.x for t in tags] == list(merged["start"])
    assert [line for t in tags for line in t.lines] == [d for ds in merged["dated"] for d in ds]
    key = tag_key(tags)
    assert key.startswith("Milestones: **1** ")
    assert "Sochi memorandum" in key and "Russia leaves Qamishli" in key


def test_the_live_figure_has_tags_not_long_labels_and_leaves_the_shared_one_alone(mini):
    fig = _timeline(mini)
    before = json.loads(fig.to_json())
    live, tags = live_timeline(fig)
    assert json.loads(fig.to_json()) == before
    notes = live.layout.annotations
    assert not [a for a in notes if a.textangle == -90]  # no long vertical label left
    drawn = [a for a in notes if a.name == TAG_NAME]
    assert [a.text for a in drawn] == [t.text for t in tags]
    # the gap lengths stay; the milestones' dotted lines stay
    kept = [a for a in notes if a.name is None or a.name.startswith(GAP_LABEL)]
    assert [a.text for a in kept] == [a.text for a in fig.layout.annotations if a.textangle != -90]
    assert live.layout.dragmode == "select"  # selectable, as every page's timeline


def test_markup_in_a_label_stays_text_in_the_hover_and_the_key(mini):
    fig = _overview(
        mini, marks=_crowd(), x_range=(pd.Timestamp("2020-01-01"), pd.Timestamp("2024-12-31"))
    )
    live, tags = live_timeline(fig)
    hovers = [a.hovertext for a in live.layout.annotations if a.name == TAG_NAME]
    assert any("&lt;b&gt;bold&lt;/b&gt; &amp; [link](x)" in h for h in hovers)
    assert not any("<b>" in h for h in hovers)
    # merged milestones (3 days apart): one tag, each dated label on a line of its own
    assert any(len(t.lines) == 2 for t in tags)
    assert any(h.count("<br>") == 1 for h in hovers)
    key = tag_key(tags)
    assert "\\<b\\>bold\\</b\\> \\& \\[link\\]\\(x\\) \\*claim\\*" in key


def test_notes_get_letters_and_their_own_line_in_the_key(mini):
    notes = pd.DataFrame(
        {
            "start": pd.to_datetime(["2020-06-01", "2020-06-03", "2021-02-01"]),
            "label": ["Synthetic note one", "Synthetic note two", "Synthetic note three"],
        }
    )
    tags = chart_tags(_timeline(mini, notes=notes))
    lettered = [t for t in tags if t.kind == "note"]
    assert [t.text for t in lettered] == ["A", "B"]  # the first two merged (20 days)
    key = tag_key(tags)
    assert "\n" in key and key.split("  \n")[1].startswith("Notes: **A** ")


def test_a_figure_without_milestones_is_left_as_it_is(mini):
    fig = _overview(mini, marks=milestones(mini).iloc[0:0])
    assert chart_tags(fig) == []
    copy = timeline.new_figure(fig)
    assert json.loads(tagged_figure(fig, []).to_json()) == json.loads(copy.to_json())


def test_the_live_figure_is_deterministic_and_the_same_checked_or_not(mini, monkeypatch):
    def build():
        return json.loads(live_timeline(_timeline(mini))[0].to_json())

    monkeypatch.setattr(timeline, "VALIDATE", True)
    checked = build()
    monkeypatch.setattr(timeline, "VALIDATE", False)
    assert build() == checked == build()


# --------------------------------------------------------------------------- gap labels


def _gap_labels(fig) -> list:
    return [a for a in fig.layout.annotations if (a.name or "").startswith(GAP_LABEL + ":")]


def _crowded_gaps():
    """SYNTHETIC: patrols a month apart with gaps of 61 to 400 days between them, several
    short ones side by side."""
    days = [0, 61, 125, 190, 590, 652, 715, 1115, 1180]
    starts = [T("2020-01-01") + pd.Timedelta(days=d) for d in days]
    counts = pd.DataFrame({"period_start": starts, "group": "A", "count": 1, "imprecise": 0})
    gaps = pd.DataFrame(
        {
            "gap_id": range(len(starts) - 1),
            "start": starts[:-1],
            "end": starts[1:],
            "days": [(b - a).days for a, b in zip(starts, starts[1:], strict=False)],
        }
    )
    return gap_timeline_figure(counts, by=None, gaps=gaps), gaps


@pytest.mark.parametrize("which", ["embedded", "synthetic"])
def test_the_live_charts_gap_labels_never_meet_and_the_longest_are_kept(which, embedded):
    if which == "embedded":
        fig = _timeline(embedded)
        days = sorted((int(a.name.split(":")[1]) for a in _gap_labels(fig)), reverse=True)
    else:
        fig, gaps = _crowded_gaps()
        days = sorted(gaps["days"], reverse=True)
    assert len(_gap_labels(fig)) == len(days) > 1
    live, _ = live_timeline(fig)
    assert len(_gap_labels(fig)) == len(days)  # the shared figure (and the slide's) keep all
    kept = _gap_labels(live)
    assert 0 < len(kept) <= len(days)
    assert int(kept[0].name.split(":")[1]) in days
    boxes = gap_label_boxes(live, GAP_LABEL_WIDTH)
    assert max(d for d, _, _ in boxes) == days[0]  # the longest gap is always labelled
    for k, (_, a, b) in enumerate(boxes):
        for _, c, d in boxes[k + 1 :]:
            assert b + TAG_GAP <= c or d + TAG_GAP <= a, boxes
    # a label kept says on hover what it measures
    assert all(a.hovertext.startswith("A gap of ") for a in kept)
    if which == "synthetic":
        assert len(kept) < len(days)  # the crowd did not all fit at 540 px


# --------------------------------------------------------------------------- the strip's flags


def _flags(fig, width):
    """The flags a live figure writes in its strip, as (text, left, right, lane) in pixels
    of the chart drawn ``width`` wide; the strip's marks (left, right, lane); the plot's
    edges."""
    x_of = timeline._x_px(fig, width, *timeline._axis_span(fig, []))
    left, plot_w = timeline._plot_px(fig, width)
    out = []
    for t in fig.data:
        if t.meta != "span-flag":
            continue
        for x, y, text, side in zip(t.x, t.y, t.text, t.textposition, strict=True):
            px = x_of(T(x))
            w = len(text) * timeline.FLAG_EM * timeline.FLAG_FONT
            gap = timeline.FLAG_GAP
            a, b = (px + gap, px + gap + w) if side == "middle right" else (px - gap - w, px - gap)
            out.append((text, a, b, float(y)))
    return out, timeline._strip_marks(fig, x_of), (left, left + plot_w)


@pytest.mark.parametrize("which", ["embedded", "mini"])
def test_the_strips_flags_are_whole_and_cover_nothing_at_any_width(which, embedded, mini):
    """How often's 'conflicts with other reports' ran past the chart's right edge at a
    1000 px window with the sidebar open: at every width a live chart is drawn, each flag
    of the strip lies inside the plot and covers no other mark of the strip nor another
    flag (marks a lane or more away are on another row)."""
    live, _ = live_timeline(_timeline(embedded if which == "embedded" else mini))
    for width in WIDTHS:
        flags, marks, (lo, hi) = _flags(live, width)
        assert flags, width  # the disputed patrol's flag is written
        for text, a, b, lane in flags:
            assert lo <= a and b <= hi, (width, text, a, b, lo, hi)
            for m in [*marks, *(f[1:] for f in flags if f[1:] != (a, b, lane))]:
                if abs(m[2] - lane) < timeline.FLAG_LANES:
                    assert b <= m[0] or m[1] <= a, (width, text, m)


def test_a_shortened_flag_is_explained_and_the_shared_figure_keeps_its_words(embedded):
    fig = _timeline(embedded)
    before = [t.texttemplate for t in fig.data if t.meta == "span"]
    assert any(t and "conflicts with other reports" in t for t in before)
    live, _ = live_timeline(fig)
    assert [t.texttemplate for t in fig.data if t.meta == "span"] == before  # unchanged
    assert {t.mode for t in live.data if t.meta == "span"} == {"markers"}
    written = [x for t in live.data if t.meta == "span-flag" for x in t.text]
    assert "conflict" in written  # too long for a phone's chart in full: its short form
    legend = [t.name for t in live.data if t.legendgroup == "spans" and t.meta == "legend"]
    assert legend == [timeline.SHORT_FLAG_LEGEND]


def _strip(flag_at: float, bars: tuple[float, ...] = ()):
    """A SYNTHETIC strip: a flagged span marker and span bars (on its lane), at shares of
    a 2020–2030 axis."""
    import plotly.graph_objects as go

    lo, hi = T("2020-01-01"), T("2030-01-01")
    at = [lo + (hi - lo) * s for s in (*bars, flag_at)]
    fig = go.Figure(layout={"margin": {"l": 50, "r": 20}, "xaxis": {"range": [lo, hi]}})
    for x in at[:-1]:
        fig.add_trace(
            go.Scatter(x=[x, x + pd.Timedelta(days=30), None], y=[1.0, 1.0, None], meta="span-line")
        )
    fig.add_trace(
        go.Scatter(
            x=[at[-1]],
            y=[1.25],
            meta="span",
            mode="markers+text",
            texttemplate=["conflicts with other reports"],
            textposition="middle right",
            customdata=[["e1", f"{at[-1]:%Y-%m-%d}", f"{at[-1] + pd.Timedelta(days=29):%Y-%m-%d}"]],
        )
    )
    return timeline.fit_span_flags(fig)


def _written(fig):
    return [
        (x, side)
        for t in fig.data
        if t.meta == "span-flag"
        for x, side in zip(t.text, t.textposition, strict=True)
    ]


def test_a_flag_near_the_right_edge_reads_left_where_that_covers_nothing():
    assert _written(_strip(0.95)) == [("conflicts with other reports", "middle left")]
    assert _written(_strip(0.10)) == [("conflicts with other reports", "middle right")]


def test_a_flag_hemmed_in_is_shortened_else_left_out():
    # a bar 25 % of the axis to its left: the full flag would cover it, the short one not
    fig = _strip(0.95, bars=(0.70,))
    assert _written(fig) == [("conflict", "middle left")]
    assert [d.name for d in fig.data if d.meta == "legend"] == [timeline.SHORT_FLAG_LEGEND]
    # a bar right beside it: room nowhere, the marker (and its hover) stays without a flag
    fig = _strip(0.95, bars=(0.85,))
    assert _written(fig) == [] and [d.mode for d in fig.data if d.meta == "span"] == ["markers"]
    assert not [d for d in fig.data if d.meta == "legend"]
