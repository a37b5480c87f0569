"""The app's own icon (the browser tab's favicon), drawn here by code: a route with its
direction across a pale map square, in the maps' colours. Nothing is fetched to show it
(an emoji icon would make the browser ask a CDN for the emoji's picture).

Pure: no streamlit.
"""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw

ROUTE = (11, 83, 148)  # the patrol track's blue (components.layers.routes)
LAND = (244, 241, 232)  # the basemap's land
BORDER = (59, 59, 59)
EVENT = (192, 57, 43)


@lru_cache(maxsize=1)
def app_icon(size: int = 64) -> Image.Image:
    """The icon as an RGBA image of ``size`` px: a rounded land square, a dashed border
    across it, a route with an arrowhead, and an event dot."""
    scale = 4  # drawn large, then reduced: smooth edges
    s = size * scale
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle(
        [0, 0, s - 1, s - 1], radius=s // 6, fill=LAND, outline=ROUTE, width=s // 20
    )
    # the border, dashed, across the upper third
    y = s * 0.33
    for x in range(s // 12, s - s // 12, s // 8):
        d.line([(x, y), (x + s // 16, y)], fill=BORDER, width=s // 28)
    # the route, a polyline with an arrowhead at its end
    pts = [(s * 0.16, s * 0.78), (s * 0.42, s * 0.56), (s * 0.62, s * 0.68), (s * 0.8, s * 0.46)]
    d.line(pts, fill=ROUTE, width=s // 11, joint="curve")
    tip = (s * 0.9, s * 0.34)
    d.polygon([tip, (s * 0.68, s * 0.40), (s * 0.84, s * 0.56)], fill=ROUTE)
    r = s * 0.09
    cx, cy = s * 0.42, s * 0.56
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=EVENT, outline=(255, 255, 255), width=s // 40)
    return img.resize((size, size), Image.Resampling.LANCZOS)
