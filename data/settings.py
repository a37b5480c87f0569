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


def import_max_mb() -> float | None:
    """The largest file an analyst may import, in MB (``PATROLWATCH_IMPORT_MAX_MB``; None:
    the importers' default). Every other import limit scales with it (see
    ``data.importers.base.ImportLimits``)."""
    value = os.environ.get("PATROLWATCH_IMPORT_MAX_MB", "").strip()
    return float(value) if value else None
