"""Settings read from the environment, in one place."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
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
