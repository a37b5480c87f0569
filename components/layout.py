"""Page layout that follows the width the page's content actually has.

Streamlit stacks columns only when the whole window is at most 640 px wide; with the
sidebar open a 1000 px window leaves the content some 540 px, and two columns there are
too narrow for a map or a chart. ``stacking_css`` makes a row of columns stack (each the
full width, in their order: the first on top) whenever the row's own container is narrower
than a given width, with a CSS container query, so it answers to the sidebar being open or
folded, to the window's size and to a resize, with no rerun.

``stacking_css`` is pure; ``render_stacking_columns`` lays the row out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: below this width of the content (in CSS pixels) the Overview's map and chart stack:
#: side by side each would be under ~590 px, too narrow for either to be read
STACK_BELOW_PX = 1200

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def stacking_css(key: str, below_px: int = STACK_BELOW_PX) -> str:
    """The CSS that stacks the columns of the row directly inside the container keyed
    ``key`` (``st.container(key=key)``, whose element carries the class ``st-key-<key>``)
    while that container is narrower than ``below_px``; nested rows are left alone."""
    if not _KEY.match(key):
        raise ValueError(f"a container key for CSS must be letters, digits, - or _: {key!r}")
    row = f'.st-key-{key} > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"]'
    return (
        f".st-key-{key}{{container-type:inline-size;container-name:pw-{key}}}"
        f"@container pw-{key} (max-width:{below_px - 0.02}px){{"
        f"{row}{{flex-wrap:wrap}}"
        f'{row} > [data-testid="stColumn"]'
        "{flex:1 1 100% !important;width:100% !important;min-width:100% !important}}"
    )


def render_stacking_columns(
    spec: int | Sequence[float], *, key: str, below_px: int = STACK_BELOW_PX, gap: str = "medium"
) -> Sequence[object]:
    """``st.columns(spec, gap=gap)`` in a container keyed ``key`` that stacks them, first
    on top, whenever the content is narrower than ``below_px`` (:func:`stacking_css`)."""
    import streamlit as st

    st.html(f"<style>{stacking_css(key, below_px)}</style>")
    return st.container(key=key).columns(spec, gap=gap)
