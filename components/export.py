"""Exports of a chart: a PNG sized for a slide (title, filter summary and source line on
the image) and the chart's data as CSV.

PNG export uses plotly's static-image engine, kaleido (>= 1), which drives a Chromium
through the DevTools protocol. We point it at Debian's Chromium (``/usr/bin/chromium``, the
one the browser tests use, or ``$PATROLWATCH_CHROMIUM``), load plotly.js from the plotly
package on disk and switch MathJax off (kaleido would otherwise fetch it from a CDN), so an
export needs no internet. ``slide_figure`` and ``csv_bytes`` are pure; ``figure_png``
starts a headless Chromium for about two seconds.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from components.timeline import _plain

SLIDE_WIDTH = 1920
SLIDE_HEIGHT = 1080
#: characters that make a spreadsheet treat a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def chromium_path() -> str | None:
    """The Chromium kaleido drives: $PATROLWATCH_CHROMIUM, Debian's, or one on the PATH."""
    for candidate in (os.environ.get("PATROLWATCH_CHROMIUM", ""), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def png_export_problem() -> str | None:
    """Why a PNG cannot be made here (None when it can): kaleido or Chromium missing."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return "PNG export needs the kaleido package (pip install -r requirements.txt)."
    if chromium_path() is None:
        return "PNG export needs Chromium (Debian: apt-get install chromium)."
    return None


def slide_figure(
    fig: go.Figure,
    *,
    title: str,
    summary: str,
    source_line: str,
    width: int = SLIDE_WIDTH,
    height: int = SLIDE_HEIGHT,
    left: int = 120,
    right: int = 500,
) -> go.Figure:
    """A copy of ``fig`` laid out for a 16:9 slide: a large title and the filter summary at
    the top left, the legend in a column on the right, the source line across the foot, and
    type sized to be read across a room. Every text from the data is made inert for plotly.

    The margins are fixed (``left`` for the axis labels, ``right`` for the legend) rather
    than grown by plotly, so the source line can start at the image's left edge."""
    slide = go.Figure(fig)
    lines = textwrap.wrap(str(source_line), width=int(width / 10.2)) or [""]
    bottom = 80 + 24 * len(lines)
    plot_width = width - left - right
    head = (
        f"<b>{_plain(title)}</b><br><span style='font-size:22px;color:#444'>"
        f"{_plain(summary)}</span>"
    )
    slide.update_layout(
        width=width,
        height=height,
        title={
            "text": head,
            "xref": "container",
            "yref": "container",
            "x": 30 / width,
            "xanchor": "left",
            "y": 1 - 42 / height,
            "yanchor": "top",
            "font": {"size": 34},
        },
        font={"size": 19, "family": "DejaVu Sans, Arial, sans-serif"},
        margin={"l": left, "r": right, "t": 150, "b": bottom, "autoexpand": False},
        legend={
            "orientation": "v",
            "yanchor": "top",
            "y": 1.0,
            "x": 1.02,
            "xanchor": "left",
            "font": {"size": 16},
            "groupclick": "toggleitem",
        },
    )
    slide.update_yaxes(automargin=False)
    slide.update_xaxes(automargin=False)
    # annotations (milestone labels) keep their size relative to the new base font
    for annotation in slide.layout.annotations:
        size = annotation.font.size if annotation.font and annotation.font.size else 10
        annotation.font.size = max(size + 5, 15)
    slide.add_annotation(
        text="<br>".join(_plain(line) for line in lines),
        xref="paper",
        yref="paper",
        x=-(left - 30) / plot_width,
        y=0,
        yshift=-(bottom - 20 - 24 * len(lines)) + 8,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        align="left",
        font={"size": 15, "color": "#555"},
    )
    return slide


def figure_png(fig: go.Figure, *, width: int = SLIDE_WIDTH, height: int = SLIDE_HEIGHT) -> bytes:
    """The figure as PNG bytes, rendered offline by kaleido in Debian's Chromium."""
    import kaleido

    problem = png_export_problem()
    if problem:
        raise RuntimeError(problem)
    return kaleido.calc_fig_sync(
        fig.to_dict(),
        opts={"format": "png", "width": width, "height": height, "scale": 1},
        kopts={"path": chromium_path(), "mathjax": False},
    )


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV (with a byte-order mark, so spreadsheets read Arabic and
    Turkish names right). A text cell a spreadsheet would run as a formula (starting with =,
    +, -, @) is prefixed with an apostrophe; numbers are left as numbers."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_string_dtype(values) or values.dtype == object:
            text = values.astype("str").where(values.notna(), "")
            risky = text.str.startswith(FORMULA_START)
            out[column] = text.where(~risky, "'" + text)
    return out.to_csv(index=False).encode("utf-8-sig")


def export_name(stem: str, version: str) -> str:
    """'patrolwatch-gaps-v3' style file stems: letters, digits and dashes only."""
    safe = "".join(c if c.isalnum() else "-" for c in f"patrolwatch-{stem}-v{version}")
    return "-".join(part for part in safe.split("-") if part).lower()
