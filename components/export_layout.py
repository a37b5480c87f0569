"""Where everything goes on an export, computed before anything is drawn: one named box
(banner, title, key figures, map, legend, chart, sources, footer) per part of a slide (16:9
or 4:3) or of the A4 brief, in CSS pixels, none over another. ``components.briefing``
places each part absolutely in its box; the tests check that no two boxes intersect.

The heights of text boxes are estimated from the text (characters per line at the box's
width and type size), generously: what still does not fit its box is cut there and counted
("and 12 more in the brief") by the document, never drawn over the next box.

Pure: the standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: the page sizes in CSS pixels (slides are drawn at 1.5×: 1920×1080 and 1920×1440)
FORMATS: dict[str, tuple[int, int]] = {"16:9": (1280, 720), "4:3": (1280, 960), "A4": (794, 1123)}
#: the average advance of a character of DejaVu Sans, in ems (a little over the real one)
CHAR_EM = 0.56
#: the same for the legend's short labels
LEGEND_EM = 0.5
#: the same for the bold face of titles
BOLD_EM = 0.66

#: the type of each text box: (font size, line height) in CSS pixels
SLIDE_TYPE = {"figures": (13.0, 17.5), "legend": (11.5, 16.0), "sources": (12.0, 16.8)}
BRIEF_TYPE = {"figures": (11.0, 15.4), "legend": (10.0, 14.0), "sources": (9.5, 12.9)}


@dataclass(frozen=True)
class Box:
    """A rectangle of the page: left, top, width, height in CSS pixels."""

    name: str
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def intersects(self, other: Box) -> bool:
        """True when the two boxes share some area (touching edges do not count)."""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def css(self) -> str:
        return f"left:{self.x:.0f}px;top:{self.y:.0f}px;width:{self.w:.0f}px;height:{self.h:.0f}px"


def overlapping(boxes: Iterable[Box]) -> list[tuple[str, str]]:
    """The pairs of boxes that intersect ([] for a good layout)."""
    listed = list(boxes)
    return [
        (a.name, b.name) for i, a in enumerate(listed) for b in listed[i + 1 :] if a.intersects(b)
    ]


def text_lines(texts: Iterable[str], width: float, font_px: float, indent: float = 0.0) -> int:
    """How many lines ``texts`` take, each starting a line, at ``width`` pixels."""
    per_line = max(8, int((width - indent) / (font_px * CHAR_EM)))
    return sum(max(1, math.ceil(len(t) / per_line)) for t in texts)


@dataclass(frozen=True)
class Content:
    """What the layout must make room for: the key-figure sentences, the legend's groups
    (each a list of entry labels), the sources' lines, and whether there is a map, a chart,
    a banner and a link. Each legend group lists (label, symbol height) pairs, its heading
    first."""

    figures: Sequence[str] = ()
    legend: Sequence[Sequence[tuple[str, float]]] = ()
    sources: Sequence[str] = ()
    has_map: bool = True
    has_chart: bool = True
    banner: bool = False
    link: str = ""
    #: the brief's note at the foot (grades, how counts are made)
    foot: str = ""
    title: str = ""
    #: the least height of the slide's chart box that holds its legend, its labels and a
    #: plot that can be read (0: the usual share of the column)
    chart_least: float = 0.0
    #: the map column's share of the slide's width (0: the usual 0.6, 0.62 on 4:3); a
    #: chart that needs more room for its legend and caption gets a wider column
    map_share: float = 0.0
    #: the chart alone in its column, as tall as the map's column, and the key figures
    #: under the map's legend (a chart whose legend and caption need the whole column)
    chart_alone: bool = False


def legend_height(
    groups: Sequence[Sequence[tuple[str, float]]], width: float, font_px: float, line: float
) -> float:
    """The legend's height when each group is one run of entries (its heading, then its
    entries side by side, wrapped), ``width`` pixels wide. Each group lists (label, symbol
    height in pixels) pairs, its heading first (height 0). Entries are packed on lines as
    the browser does (an entry that does not fit the rest of a line starts the next), and
    a line is as tall as its tallest symbol."""
    total = 0.0
    # a little under the running text's estimate: a legend a line too long is set a little
    # smaller by the document (never below 85 %) rather than cut
    em = font_px * LEGEND_EM
    for entries in groups:
        heights: list[float] = []  # of each line: its tallest symbol, or a line of text
        used = width + 1  # no line yet
        for label, h in entries:
            # a symbol (≈ 3 ems with its gap), the label and the room after it
            need = (len(label) + (3 if h else 0) + 2) * em
            tall = max(line, h + 3)
            if need > width:  # a long label wraps inside its entry: a block of lines
                heights.append(max(tall, math.ceil(need / width) * line))
                used = width
                continue
            if used + need > width:
                heights.append(tall)
                used = 0.0
            heights[-1] = max(heights[-1], tall)
            used += need
        total += sum(heights) + 1
    return total + 8 if groups else 0.0


def title_size(title: str, width: float, largest: float, smallest: float) -> float:
    """The largest bold type (down to ``smallest``) at which the title holds on one line."""
    wanted = max(len(title), 1) * BOLD_EM
    return round(max(smallest, min(largest, width / wanted)), 1)


def title_height(title: str, width: float, largest: float, smallest: float) -> float:
    """The height the title takes at :func:`title_size` (more lines when still too long)."""
    size = title_size(title, width, largest, smallest)
    lines = max(1, math.ceil(max(len(title), 1) * size * BOLD_EM / width - 0.01))
    return lines * size * 1.2


def _stack(
    x: float, y: float, w: float, parts: Sequence[tuple[str, float]], gap: float
) -> list[Box]:
    boxes = []
    for name, h in parts:
        boxes.append(Box(name, x, y, w, h))
        y += h + gap
    return boxes


def slide_layout(aspect: str, content: Content) -> dict[str, Box]:
    """The boxes of a slide: title across the top; the map and, under it, its legend on
    the left; the key figures and the chart on the right; the sources and the footer
    across the foot. ``content.map_share`` sets the map column's width; with
    ``content.chart_alone`` the chart takes the whole right column and the key figures go
    under the map's legend."""
    if aspect not in ("16:9", "4:3"):
        raise ValueError("a slide is 16:9 or 4:3")
    width, height = FORMATS[aspect]
    margin, gap = 28.0, 14.0
    boxes: dict[str, Box] = {}
    top = 0.0
    bottom = float(height)
    if content.banner:
        boxes["banner_top"] = Box("banner_top", 0, 0, width, 22)
        boxes["banner_bottom"] = Box("banner_bottom", 0, height - 22, width, 22)
        top, bottom = 22.0, height - 22.0
    inner = width - 2 * margin
    title_h = title_height(content.title, inner, 26, 17) + 26
    boxes["title"] = Box("title", margin, top + 10, inner, max(64.0, title_h))
    footer_h = 20.0 if not content.link else 34.0
    boxes["footer"] = Box("footer", margin, bottom - 4 - footer_h, inner, footer_h)
    s_font, s_line = SLIDE_TYPE["sources"]
    wanted = text_lines([" · ".join(content.sources) or "Sources: none"], inner, s_font)
    most = 4 if aspect == "16:9" else 7
    s_height = min(most, max(1, wanted)) * s_line + 8
    boxes["sources"] = Box("sources", margin, boxes["footer"].y - 6 - s_height, inner, s_height)
    main_top = boxes["title"].bottom + gap
    main_bottom = boxes["sources"].y - gap
    main_h = main_bottom - main_top

    side = content.has_chart or bool(content.figures)
    share = content.map_share or (0.6 if aspect == "16:9" else 0.62)
    left_w = inner if not side else inner * share
    f_font, f_line = SLIDE_TYPE["figures"]
    # the key figures under the map's legend (content.chart_alone): as many lines as they
    # take, up to a quarter of the column, at least the first
    under = bool(content.chart_alone and content.has_chart and content.has_map and content.figures)
    under_h = 0.0
    if under:
        lines = text_lines(content.figures, left_w, f_font, indent=18)
        first = 26 + (text_lines(content.figures[:1], left_w, f_font, indent=18) + 1) * f_line + 6
        want = 26 + lines * f_line + 6 * len(content.figures)
        under_h = min(want, max(first, main_h * 0.25))
    if content.has_map:
        l_font, l_line = SLIDE_TYPE["legend"]
        legend_h = min(legend_height(content.legend, left_w, l_font, l_line), main_h * 0.3)
        map_h = main_h - (legend_h + 8 if legend_h else 0) - (under_h + gap if under else 0)
        boxes["map"] = Box("map", margin, main_top, left_w, map_h)
        if legend_h:
            boxes["legend"] = Box("legend", margin, main_top + map_h + 8, left_w, legend_h)
        if under:
            top = main_top + map_h + (legend_h + 8 if legend_h else 0) + gap
            boxes["figures"] = Box("figures", margin, top, left_w, under_h)
    else:
        left_w = -gap
    if side:
        x = margin + left_w + gap
        w = inner - left_w - gap
        f_h = 0.0
        if content.figures and not under:
            lines = text_lines(content.figures, w, f_font, indent=18)
            f_h = 26 + lines * f_line + 6 * len(content.figures)
            # the chart keeps at least half the column (and 260 px), more when its legend
            # and labels need it, as long as the first key figure still fits
            chart_h = max(260.0, main_h * 0.5, content.chart_least)
            most = main_h - chart_h - gap if content.has_chart else main_h
            first = 26 + (text_lines(content.figures[:1], w, f_font, indent=18) + 1) * f_line + 6
            f_h = min(f_h, max(most, first) if content.has_chart else most)
        parts = [("figures", f_h)] if f_h else []
        if content.has_chart:
            parts.append(("chart", main_h - f_h - (gap if f_h else 0)))
        boxes.update({b.name: b for b in _stack(x, main_top, w, parts, gap)})
    return boxes


def brief_layout(content: Content) -> dict[str, Box]:
    """The boxes of the A4 brief's first page: title (with the filter line, the data set
    and the link), the key figures, the map with its legend under it, the chart, the
    sources and the note on grades at the foot. Sources that do not fit follow on a page
    of their own."""
    width, height = FORMATS["A4"]
    margin, gap = 40.0, 12.0
    inner = width - 2 * margin
    boxes: dict[str, Box] = {}
    top, bottom = 0.0, float(height)
    if content.banner:
        boxes["banner_top"] = Box("banner_top", 0, 0, width, 20)
        boxes["banner_bottom"] = Box("banner_bottom", 0, height - 20, width, 20)
        top, bottom = 20.0, height - 20.0
    meta = "Data: PatrolWatch data set · exported 1 Jan 2026, 00:00 UTC · reopen this view: "
    meta_lines = text_lines([meta + content.link], inner, 9.5)
    title_h = title_height(content.title, inner, 21, 14) + 24 + 13 * meta_lines + 8
    boxes["title"] = Box("title", margin, top + 20, inner, title_h)
    foot_h = max(24.0, text_lines([content.foot], inner, 8.5) * 11.5 + 2)
    boxes["footer"] = Box("footer", margin, bottom - 14 - foot_h, inner, foot_h)
    f_font, f_line = BRIEF_TYPE["figures"]
    s_font, s_line = BRIEF_TYPE["sources"]
    y = boxes["title"].bottom + gap
    avail = boxes["footer"].y - gap - y
    map_min, chart_min = 260.0, 140.0
    # the sources keep at least a few lines (the rest go to the next page)
    s_min = 22 + 4 * s_line if content.sources else 40.0
    s_wanted = 22 + math.ceil(len(content.sources) / 3 + 0.5) * s_line * 1.35 + 4
    l_font, l_line = BRIEF_TYPE["legend"]
    legend_h = min(legend_height(content.legend, inner, l_font, l_line), 150.0)
    legend_room = legend_h + 6 if (legend_h and content.has_map) else 0.0
    need = (map_min + legend_room + gap if content.has_map else 0.0) + (
        chart_min + gap if content.has_chart else 0.0
    )
    f_h = 0.0
    if content.figures:
        f_h = 22 + text_lines(content.figures, inner, f_font, indent=16) * f_line
        f_h += 2 * len(content.figures)
        # figures beyond what leaves the pictures and a few sources their room are cut
        f_h = min(f_h, max(40.0, avail - need - s_min - gap))
        boxes["figures"] = Box("figures", margin, y, inner, f_h)
        y += f_h + gap
    room = boxes["footer"].y - gap - y
    chart_h = max(chart_min, min(190.0, room * 0.26)) if content.has_chart else 0.0
    map_h = 0.0
    if content.has_map:
        # the map itself keeps its least height; its legend comes on top of that
        least = map_min + (legend_h + 6 if legend_h else 0)
        free = room - chart_h - (gap if chart_h else 0) - s_wanted - gap
        map_h = min(480.0 + legend_h, max(least, free))
    used = map_h + (gap if map_h else 0) + chart_h + (gap if chart_h else 0)
    s_h = max(s_min, min(s_wanted, room - used))
    # what is left over goes to the map
    if content.has_map:
        map_h += max(0.0, room - used - s_h)
    if content.has_map:
        # the legend under the map, across its width (a wide theatre gets a wide map)
        picture_h = map_h - (legend_h + 6 if legend_h else 0)
        boxes["map"] = Box("map", margin, y, inner, picture_h)
        if legend_h:
            boxes["legend"] = Box("legend", margin, y + picture_h + 6, inner, legend_h)
        y += map_h + gap
    if chart_h:
        boxes["chart"] = Box("chart", margin, y, inner, chart_h)
        y += chart_h + gap
    boxes["sources"] = Box("sources", margin, y, inner, boxes["footer"].y - gap - y)
    return boxes


def layout(fmt: str, content: Content) -> dict[str, Box]:
    """The boxes of a slide ('16:9', '4:3') or of the brief ('A4')."""
    return brief_layout(content) if fmt == "A4" else slide_layout(fmt, content)
