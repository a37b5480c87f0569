"""One colour per actor, used the same way on every chart and map.

A group of several actors ("Russia + Turkey") is drawn in the first actor's colour with
the second's as a pattern (plotly) or outline (map), so a joint patrol never looks like
either army alone.
"""

from __future__ import annotations

import pandas as pd

from data import vocab

NEUTRAL = "#7f7f7f"

KIND_COLOURS: dict[str, str] = {
    "joint_patrol": "#0b5394",
    "single_patrol": "#6fa8dc",
    "convoy_escort": "#38761d",
    "humanitarian_mission": "#93c47d",
    "water_cut": "#cc0000",
    "water_restored": "#45818e",
    "agreement": "#674ea7",
    "suspension": "#b45f06",
    "resumption": "#bf9000",
    "cancellation": "#999999",
    "incident": "#990000",
    "base_change": "#4c1130",
}

ROUTE_PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d"]


def actor_colours(actors: pd.DataFrame) -> dict[str, str]:
    """Root actor name → colour (children share their root's colour)."""
    roots = actors[actors["parent_id"] == ""]
    return dict(zip(roots["name"], roots["color"], strict=True))


def group_style(label: str, colours: dict[str, str]) -> tuple[str, str | None]:
    """(fill colour, second colour or None) for a group label such as 'Russia + Turkey'."""
    names = [n.strip() for n in label.split(" + ")]
    first = colours.get(names[0], NEUTRAL)
    second = colours.get(names[1], NEUTRAL) if len(names) > 1 else None
    return first, second


def group_colours(labels: list[str], by: str | None, colours: dict[str, str]) -> dict[str, str]:
    """Colour of each group for a grouping: actors by their colour, kinds by kind colour."""
    if by == "actor":
        return {label: group_style(label, colours)[0] for label in labels}
    if by == "kind":
        by_label = {vocab.EVENT_KINDS[k]: c for k, c in KIND_COLOURS.items()}
        return {label: by_label.get(label, NEUTRAL) for label in labels}
    return {
        label: ROUTE_PALETTE[i % len(ROUTE_PALETTE)] if label != "No route recorded" else NEUTRAL
        for i, label in enumerate(sorted(labels))
    }


def rgba(hex_colour: str, alpha: float) -> str:
    """'#rrggbb' with an opacity, as CSS 'rgba(r,g,b,a)'."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
