"""Settings read from the environment, in one place: nothing else in the app reads
``os.environ`` for a setting."""

from __future__ import annotations

import html
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

#: the settings file: ``patrolwatch.toml`` at the repository root, or the one this names
CONFIG_ENV = "PATROLWATCH_CONFIG"
CONFIG_FILE = Path(__file__).resolve().parents[1] / "patrolwatch.toml"
#: the address people open the app at, printed in the links of exports
PUBLIC_URL_ENV = "PATROLWATCH_PUBLIC_URL"


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


def config_section(
    name: str, env: Mapping[str, str] | None = None, config_file: Path | None = None
) -> dict:
    """One ``[name]`` table of the settings file (empty when the file or table is absent).
    Raises ValueError for a file that is not valid TOML."""
    env = os.environ if env is None else env
    path = config_file or Path(env.get(CONFIG_ENV) or CONFIG_FILE)
    if not path.is_file():
        return {}
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get(name, {})
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path.name} is not valid TOML: {err}") from err
    return section if isinstance(section, dict) else {}


def public_url(env: Mapping[str, str] | None = None, config_file: Path | None = None) -> str | None:
    """The public address of the app (``https://patrolwatch.example.org/``) that the
    "reopen this view" links of exports start with: ``PATROLWATCH_PUBLIC_URL``, else
    ``public_url`` under ``[export]`` in the settings file. None when neither is set (the
    exports then print no link: the address a browser on the server sees, such as
    localhost, means nothing to a reader). Raises ValueError for an address that is not
    http(s)://host[/path]."""
    env = os.environ if env is None else env
    value = (env.get(PUBLIC_URL_ENV) or "").strip()
    if not value:
        value = str(config_section("export", env, config_file).get("public_url", "")).strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ValueError(
            f"the public address {value[:80]!r} is not an http(s)://host[/path] address"
        )
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def secrets_section(name: str) -> dict:
    """One section of Streamlit's secrets (``.streamlit/secrets.toml``, or the files named by
    its ``secrets.files`` option) as a plain dict; {} if there is none."""
    from streamlit import config
    from streamlit.runtime.secrets import secrets_singleton

    if not secrets_singleton.load_if_toml_exists():
        # a secrets file that exists but cannot be read must not leave a team's app open
        # to anyone: refuse to start rather than run without sign-in
        for entry in config.get_option("secrets.files") or []:
            if Path(entry).is_file():
                raise ValueError(f"{entry} cannot be read as TOML; fix it or remove it.")
        return {}
    section = secrets_singleton.get(name)
    if section is None:
        return {}
    return section.to_dict() if hasattr(section, "to_dict") else dict(section)


def sign_in_configured() -> bool:
    """True when ``[auth]`` configures sign-in (a team deployment): everyone signs in,
    roles come from ``[roles]``. False: one analyst, no sign-in."""
    return bool(secrets_section("auth"))


def role_settings() -> dict:
    """The ``[roles]`` section of the secrets (see ``data.auth``)."""
    return secrets_section("roles")


def cache_dir() -> Path | None:
    """Where validated data sets are kept on disk between restarts: ``PATROLWATCH_CACHE_DIR``
    (``off`` for nowhere), else ``$XDG_CACHE_HOME/patrolwatch`` or ``~/.cache/patrolwatch``."""
    value = os.environ.get("PATROLWATCH_CACHE_DIR", "").strip()
    if value.lower() == "off":
        return None
    if value:
        return Path(value).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "patrolwatch" / "datasets"


def import_max_mb() -> float | None:
    """The largest file an analyst may import, in MB (``PATROLWATCH_IMPORT_MAX_MB``; None:
    the importers' default). Every other import limit scales with it (see
    ``data.importers.base.ImportLimits``)."""
    value = os.environ.get("PATROLWATCH_IMPORT_MAX_MB", "").strip()
    return float(value) if value else None


# --- the store of added and imported records ---------------------------------------------


def store_dir() -> Path:
    """Where the embedded store lives: ``PATROLWATCH_STORE``, else the user's data folder
    (``$XDG_DATA_HOME/patrolwatch`` or ``~/.local/share/patrolwatch``)."""
    value = os.environ.get("PATROLWATCH_STORE", "").strip()
    if value:
        return Path(value).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "patrolwatch"


def store_url() -> str:
    """The store's SQLAlchemy URL: ``PATROLWATCH_DATABASE_URL`` (``postgresql://…`` is run
    through psycopg 3), else the SQLite file in ``store_dir()``."""
    value = os.environ.get("PATROLWATCH_DATABASE_URL", "").strip()
    if value:
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value
    return f"sqlite:///{store_dir() / 'store.sqlite'}"
