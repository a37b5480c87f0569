"""Importing what analysts already have: ACLED exports (both vintages), KML/KMZ from Google
Earth, GeoJSON, Excel, and our own CSV and JSON.

    preview = preview_import(name, data, ImportContext(base, snapshot, current), options)
    # … the analyst reads the preview, confirms fuzzy matches, decides on unknown actors …
    revision = apply_import(store, preview, who="analyst")

Nothing is written until ``apply_import``, and then all of it or nothing.
"""

from data.importers.base import Decisions, ImportLimits, ImportOptions, ImportRefused
from data.importers.pipeline import (
    ImportContext,
    ImportPreview,
    apply_import,
    changes_for,
    check_file,
    preview_import,
)

__all__ = [
    "Decisions",
    "ImportContext",
    "ImportLimits",
    "ImportOptions",
    "ImportPreview",
    "ImportRefused",
    "apply_import",
    "changes_for",
    "check_file",
    "preview_import",
]
