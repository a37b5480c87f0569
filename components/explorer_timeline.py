"""The map explorer's timeline: a short strip of patrols per month under the map, drawn by
the one timeline builder (``components.timeline.timeline_figure``) and made selectable by
the same machinery as the Overview's and How often's charts, so a drag across it narrows
the map to the span and goes into the link (``render_timeline_selection``).

Pure: no streamlit.
"""

from __future__ import annotations

import plotly.graph_objects as go

from components.timeline import make_selectable, timeline_figure
from data.views import ExplorerTimeline

#: the strip's height in pixels: the map keeps most of the page
HEIGHT = 180
#: the line under the strip
HINT = (
    "Drag across the timeline to select a span: the map, its counts and the records narrow "
    "to it, and the link keeps it."
)


def explorer_timeline_figure(
    timeline: ExplorerTimeline, colours: dict[str, str] | None = None
) -> go.Figure:
    """Bars of ``timeline.counts`` per month stacked by actor (coloured as on the map), no
    title, legend or milestones: a strip ``HEIGHT`` px high, selectable by a drag."""
    fig = timeline_figure(
        timeline.counts,
        period="month",
        by="actor",
        actor_colours=colours,
        title="",
        noun=timeline.noun,
        x_range=timeline.window,
    )
    fig.update_layout(
        title=None,
        height=HEIGHT,
        margin={"l": 48, "r": 12, "t": 8, "b": 26},
        showlegend=False,
        yaxis={"title": {"text": f"{timeline.noun}/month", "font": {"size": 11}}},
        xaxis={"tickfont": {"size": 11}},
        bargap=0.05,
    )
    return make_selectable(fig)
