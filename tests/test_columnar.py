"""The columnar cache of validated data sets: what comes back equals what was validated,
and anything doubtful is a miss (validated again), never a stale data set."""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest

from data import columnar
from data.load import EMBEDDED_DIR, dataset_signature, load_dataset_files
from data.model import DataSet
from data.schema import DataSetError


@pytest.fixture(scope="module")
def embedded() -> DataSet:
    return load_dataset_files(EMBEDDED_DIR)


def _frames(ds: DataSet) -> dict[str, pd.DataFrame]:
    return {
        f.name: getattr(ds, f.name)
        for f in fields(ds)
        if isinstance(getattr(ds, f.name), pd.DataFrame)
    }


def test_round_trip_gives_the_same_data_set(tmp_path: Path, embedded: DataSet):
    columnar.save(tmp_path, "k", embedded)
    back = columnar.load(tmp_path, "k")
    assert back is not None
    assert (back.name, back.version, back.meta) == (embedded.name, embedded.version, embedded.meta)
    for name, frame in _frames(embedded).items():
        pd.testing.assert_frame_equal(getattr(back, name), frame, check_dtype=True, obj=name)
    # tuple columns come back as tuples (route coordinates, base ids)
    route = back.routes.iloc[0]
    assert isinstance(route["coords"], tuple) and isinstance(route["coords"][0], tuple)
    assert isinstance(route["base_ids"], tuple)


def test_the_key_follows_the_files(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(EMBEDDED_DIR, data)
    before = columnar.cache_key(data, dataset_signature(data))
    events = data / "events.csv"
    events.write_text(events.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert columnar.cache_key(data, dataset_signature(data)) != before


def test_the_key_follows_the_code_and_the_geography(tmp_path: Path, monkeypatch):
    """A cached data set is not reused once the code that builds it or the geography that
    judges its places changed: a new border line moves its derived crossings."""
    here = Path(columnar.__file__).resolve().parent
    copy = tmp_path / "data"
    for name in columnar._BUILDERS:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(here / name, copy / name)
    monkeypatch.setattr(columnar, "__file__", str(copy / "columnar.py"))
    keys = [columnar.cache_key(EMBEDDED_DIR, "abc")]
    for name in ("checks.py", "basemap/borders.geojson", "basemap/land.geojson"):
        with (copy / name).open("a", encoding="utf-8") as f:
            f.write("\n")
        keys.append(columnar.cache_key(EMBEDDED_DIR, "abc"))
    assert len(set(keys)) == len(keys), keys


def test_a_missing_or_broken_entry_is_a_miss(tmp_path: Path, embedded: DataSet):
    assert columnar.load(tmp_path, "nothing") is None
    folder = columnar.save(tmp_path, "k", embedded)
    (folder / "events.parquet").write_bytes(b"not parquet")
    assert columnar.load(tmp_path, "k") is None


def test_load_or_build_builds_once_then_reads(tmp_path: Path, embedded: DataSet):
    calls = []

    def build() -> DataSet:
        calls.append(1)
        return embedded

    first = columnar.load_or_build(tmp_path, EMBEDDED_DIR, "sig", build)
    second = columnar.load_or_build(tmp_path, EMBEDDED_DIR, "sig", build)
    assert first is embedded and len(calls) == 1
    pd.testing.assert_frame_equal(second.events, embedded.events)


def test_a_refused_data_set_is_not_cached(tmp_path: Path):
    def refuse() -> DataSet:
        raise DataSetError([])

    with pytest.raises(DataSetError):
        columnar.load_or_build(tmp_path / "c", EMBEDDED_DIR, "sig", refuse)
    assert not any((tmp_path / "c").glob("*/manifest.json"))


def test_an_unwritable_cache_is_skipped(tmp_path: Path, embedded: DataSet):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    ds = columnar.load_or_build(blocked, EMBEDDED_DIR, "sig", lambda: embedded)
    assert ds is embedded


def test_old_entries_are_pruned(tmp_path: Path, embedded: DataSet):
    for key in ("a", "b", "c"):
        columnar.save(tmp_path, key, embedded)
    columnar.prune(tmp_path, keep={"a"}, max_entries=1)
    left = {p.name for p in tmp_path.iterdir()}
    assert "a" in left and len(left) <= 2


def test_background_write_returns_first_and_leaves_a_whole_cache(
    tmp_path: Path, embedded: DataSet, monkeypatch: pytest.MonkeyPatch
):
    release = threading.Event()
    real_save = columnar.save

    def slow_save(root: Path, key: str, ds: DataSet) -> Path:
        assert release.wait(10)
        return real_save(root, key, ds)

    monkeypatch.setattr(columnar, "save", slow_save)
    ds = columnar.load_or_build(tmp_path, EMBEDDED_DIR, "sig", lambda: embedded, background=True)
    assert ds is embedded
    key = columnar.cache_key(EMBEDDED_DIR, "sig")
    assert columnar.load(tmp_path, key) is None  # not written yet: the caller went on
    release.set()
    columnar.wait_for_saves(10)
    pd.testing.assert_frame_equal(columnar.load(tmp_path, key).events, embedded.events)


def test_background_write_to_an_unwritable_cache_is_skipped(tmp_path: Path, embedded: DataSet):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    ds = columnar.load_or_build(blocked, EMBEDDED_DIR, "sig", lambda: embedded, background=True)
    columnar.wait_for_saves(10)
    assert ds is embedded and blocked.read_text(encoding="utf-8").startswith("a file")


def test_a_write_stopped_half_way_is_cleared_once_stale(tmp_path: Path):
    stopped = tmp_path / ".abc-123"
    stopped.mkdir()
    (stopped / "events.parquet").write_bytes(b"half")
    writing = tmp_path / ".def-456"  # another server's write, still going
    writing.mkdir()
    old = time.time() - columnar.STALE_WRITE_S - 60
    os.utime(stopped, (old, old))
    columnar.prune(tmp_path, keep=set())
    assert not stopped.exists() and writing.exists()
