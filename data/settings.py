"""Settings read from the environment, in one place."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path


def today() -> date:
    """Today's date, or ``PATROLWATCH_TODAY`` (YYYY-MM-DD) for reproducible runs and tests."""
    fixed = os.environ.get("PATROLWATCH_TODAY", "").strip()
    return date.fromisoformat(fixed) if fixed else date.today()


def dataset_dir() -> Path | None:
    """A data set directory to load instead of the embedded one (``PATROLWATCH_DATA``)."""
    value = os.environ.get("PATROLWATCH_DATA", "").strip()
    return Path(value) if value else None


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
