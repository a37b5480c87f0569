"""Settings read from the environment, in one place: nothing else in the app reads
``os.environ`` for a setting."""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit


def today() -> date:
    """Today's date, or ``PATROLWATCH_TODAY`` (YYYY-MM-DD) for reproducible runs and tests."""
    fixed = os.environ.get("PATROLWATCH_TODAY", "").strip()
    return date.fromisoformat(fixed) if fixed else date.today()


def dataset_dir() -> Path | None:
    """A data set directory to load instead of the embedded one (``PATROLWATCH_DATA``)."""
    value = os.environ.get("PATROLWATCH_DATA", "").strip()
    return Path(value) if value else None


# --- online map tiles -------------------------------------------------------------------

#: URL template of the online tiles, e.g. https://tiles.example.org/{z}/{x}/{y}.png, or
#: "none" to draw no online tiles (the offline basemap alone). Unset: OpenStreetMap.
TILES_ENV = "PATROLWATCH_TILES"
#: HTML shown in the map's attribution corner for those tiles. Unset: OpenStreetMap's for
#: OpenStreetMap tiles, else the tile server's host name.
TILES_ATTRIBUTION_ENV = "PATROLWATCH_TILES_ATTRIBUTION"

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
_OFF = {"none", "off", "no", "false", "0"}


@dataclass(frozen=True)
class TileSettings:
    """Which online tiles to draw under the data. ``url`` is ``None`` when they are off."""

    url: str | None
    attribution: str | None

    @property
    def enabled(self) -> bool:
        return self.url is not None


def default_attribution(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if url == OSM_TILES or host == "openstreetmap.org" or host.endswith(".openstreetmap.org"):
        return OSM_ATTRIBUTION
    return f"Map tiles: {html.escape(host or url)}"


def tile_settings(env: Mapping[str, str] | None = None) -> TileSettings:
    """The online-tile settings from the environment (``PATROLWATCH_TILES`` and
    ``PATROLWATCH_TILES_ATTRIBUTION``; see :data:`TILES_ENV`). ``env`` replaces
    ``os.environ``, for tests. Raises ValueError for a URL that is not a tile template."""
    env = os.environ if env is None else env
    raw = (env.get(TILES_ENV) or "").strip()
    attribution = (env.get(TILES_ATTRIBUTION_ENV) or "").strip() or None
    if not raw:
        return TileSettings(OSM_TILES, attribution or OSM_ATTRIBUTION)
    if raw.lower() in _OFF:
        return TileSettings(None, None)
    if not raw.startswith(("https://", "http://", "/")) or not all(
        part in raw for part in ("{z}", "{x}", "{y}")
    ):
        raise ValueError(
            f"{TILES_ENV}={raw!r} is not a tile URL template like "
            "'https://tiles.example.org/{z}/{x}/{y}.png' (or 'none' for no online tiles)"
        )
    return TileSettings(raw, attribution or default_attribution(raw))
