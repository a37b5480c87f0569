"""A whole site seeded with the hostile corpus: the SYNTHETIC mini data set in a folder and a
store holding every record the importers accepted from the corpus (tests/hostile/corpus.py),
committed through preview and commit as the Data page does. Pages, exports and a browser
are then pointed at it with ``PATROLWATCH_DATA`` and ``PATROLWATCH_STORE``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from data.importers import ImportContext
from data.load import load_dataset_files
from data.model import DataSet
from data.records import combine
from data.store import Store
from tests.fixtures import write_mini_dataset
from tests.hostile.corpus import Outcome, import_accepted
from tests.test_store import OPTIONS


@dataclass(frozen=True)
class HostileSite:
    data_dir: Path
    store_dir: Path
    outcomes: tuple[Outcome, ...]

    def env(self) -> dict[str, str]:
        """The environment that points the app at this site."""
        return {"PATROLWATCH_DATA": str(self.data_dir), "PATROLWATCH_STORE": str(self.store_dir)}

    def dataset(self) -> DataSet:
        """The data set the pages show: the files plus the store's records."""
        base = load_dataset_files(self.data_dir)
        store = Store.open(f"sqlite:///{self.store_dir / 'store.sqlite'}")
        try:
            snap = store.snapshot()
        finally:
            store.engine.dispose()
        ds, problems = combine(base, snap.texts(), revision=snap.revision)
        assert not problems, problems
        return ds


def build_hostile_site(directory: Path) -> HostileSite:
    """Write the mini data set under ``directory`` and import the corpus into a store there."""
    data_dir = write_mini_dataset(directory / "data")
    store_dir = directory / "store"
    store_dir.mkdir(parents=True, exist_ok=True)
    base = load_dataset_files(data_dir)
    store = Store.open(f"sqlite:///{store_dir / 'store.sqlite'}")

    def context() -> ImportContext:
        snap = store.snapshot()
        return ImportContext(base, snap, combine(base, snap.texts())[0])

    try:
        outcomes = import_accepted(store, context, OPTIONS, OPTIONS.theatre_id, OPTIONS.source)
    finally:
        store.engine.dispose()
    return HostileSite(data_dir, store_dir, tuple(outcomes))
