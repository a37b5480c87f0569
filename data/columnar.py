"""A columnar cache of validated data sets on disk, so a restart does not read and check
a million rows again.

Each ``DataSet`` is kept as one Parquet file per frame (pyarrow, which streamlit already
needs) plus a ``manifest.json``, in a folder named by a key: the data set's directory, the
signature of its files (``data.load.dataset_signature``) and a digest of the code that
validates and builds it. A changed file, a changed builder or a half-written folder means
a miss and a fresh validation: never a stale or partial data set. Parquet holds values
only, nothing that runs when read (unlike a pickle).

Pure: no streamlit. ``data.cache`` uses it behind its cached loaders.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import pandas as pd

from data.model import DataSet

#: bump when the layout of the cache changes
FORMAT = 1
#: the modules whose code, and the files whose data, decide what a loaded data set holds
#: (the geography's land and borders judge its places and put derived crossings on a border)
_BUILDERS = (
    "load.py",
    "schema.py",
    "dates.py",
    "model.py",
    "vocab.py",
    "geo.py",
    "frames.py",
    "checks.py",
    "basemap/land.geojson",
    "basemap/borders.geojson",
)
_FRAMES = [f.name for f in fields(DataSet) if f.name not in ("name", "version", "meta")]


def _code_digest() -> str:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha1(f"format {FORMAT};pandas {pd.__version__};".encode())
    for name in _BUILDERS:
        path = here / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(directory: Path, signature: str) -> str:
    """The folder name for the data set in ``directory`` with files at ``signature``."""
    text = f"{Path(directory).resolve()}|{signature}|{_code_digest()}"
    return hashlib.sha1(text.encode()).hexdigest()[:24]


def _tuple_depth(values: pd.Series) -> int:
    """0 for plain values; 1 for a column of tuples; 2 for tuples of tuples."""
    sample = next((v for v in values if isinstance(v, tuple) and v), None)
    if sample is None:
        return 1 if any(isinstance(v, tuple) for v in values) else 0
    return 2 if isinstance(sample[0], tuple) else 1


def _as_tuples(value: object, depth: int) -> tuple:
    if value is None:
        return ()
    if depth <= 1:
        return tuple(value)  # type: ignore[arg-type]
    return tuple(_as_tuples(v, depth - 1) for v in value)  # type: ignore[union-attr]


def save(root: Path, key: str, ds: DataSet) -> Path:
    """Write ``ds`` under ``root/key`` (atomically: a reader sees all of it or nothing)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    final = root / key
    work = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
    try:
        tuples: dict[str, dict[str, int]] = {}
        dtypes: dict[str, dict[str, str]] = {}
        for name in _FRAMES:
            frame: pd.DataFrame = getattr(ds, name)
            dtypes[name] = {str(c): str(t) for c, t in frame.dtypes.items()}
            depths = {c: _tuple_depth(frame[c]) for c in frame.columns if frame[c].dtype == object}
            depths = {c: d for c, d in depths.items() if d}
            if depths:
                tuples[name] = depths
                frame = frame.assign(**{c: frame[c].map(list) for c in depths})
            frame.to_parquet(work / f"{name}.parquet", engine="pyarrow", compression="zstd")
        manifest = {
            "format": FORMAT,
            "name": ds.name,
            "version": ds.version,
            "meta": ds.meta,
            "tuples": tuples,
            "dtypes": dtypes,
            "frames": _FRAMES,
        }
        (work / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        if final.exists():
            shutil.rmtree(final, ignore_errors=True)
        os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def load(root: Path, key: str) -> DataSet | None:
    """The data set cached under ``root/key``, or None if there is none (or it is
    unreadable: the caller validates the files again)."""
    folder = Path(root) / key
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("frames") != _FRAMES:
            return None
        frames = {}
        for name in _FRAMES:
            frame = pd.read_parquet(folder / f"{name}.parquet", engine="pyarrow")
            for col, depth in manifest["tuples"].get(name, {}).items():
                frame[col] = frame[col].map(lambda v, d=depth: _as_tuples(v, d)).astype(object)
            # Parquet has no second-resolution timestamps: give back the dtypes built
            for col, dtype in manifest["dtypes"].get(name, {}).items():
                if col in frame.columns and str(frame[col].dtype) != dtype:
                    frame[col] = frame[col].astype(dtype)
            frames[name] = frame
        return DataSet(
            name=manifest["name"], version=manifest["version"], meta=manifest["meta"], **frames
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


#: an unfinished write older than this was stopped half way (its process ended)
STALE_WRITE_S = 3600.0


def prune(root: Path, keep: set[str], max_entries: int = 4) -> None:
    """Remove cached data sets beyond the ``max_entries`` most recent (never one in
    ``keep``), and the folders of writes that were stopped half way (a server stopped
    while it wrote in the background leaves one; another server may be writing its own,
    so only those untouched for ``STALE_WRITE_S``)."""
    root = Path(root)
    if not root.is_dir():
        return
    clear_stopped_writes(root)
    entries = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in entries[max_entries:]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def clear_stopped_writes(root: Path) -> None:
    """Remove the folders of writes under ``root`` untouched for ``STALE_WRITE_S``."""
    now = time.time()
    for work in Path(root).glob(".*-*"):
        try:
            if work.is_dir() and now - work.stat().st_mtime > STALE_WRITE_S:
                shutil.rmtree(work, ignore_errors=True)
        except OSError:
            pass


#: cache writes started in the background and not yet finished (see ``wait_for_saves``)
_saving: list[threading.Thread] = []


def _save_quietly(root: Path, key: str, ds: DataSet) -> None:
    try:
        save(root, key, ds)
        prune(root, keep={key})
    except (OSError, ValueError, TypeError):
        pass  # shown all the same; validated again at the next start


def load_or_build(
    root: Path,
    directory: Path,
    signature: str,
    build: Callable[[], DataSet],
    *,
    background: bool = False,
) -> DataSet:
    """The data set of ``directory`` at ``signature`` from the cache under ``root``, else
    ``build()`` (which validates; its ``DataSetError`` passes through) written there. A
    cache that cannot be written (read-only disk, full disk) is skipped, never an error.
    With ``background``, the writing is done by a thread and the data set returned at once
    (a server shows its first page while the cache is written; the data set must not be
    changed afterwards, which a shared one never is). The write is atomic, so a process
    that stops half way leaves no cache, only a fresh validation at the next start."""
    key = cache_key(directory, signature)
    cached = load(root, key)
    if cached is not None:
        clear_stopped_writes(root)
        return cached
    ds = build()
    if not background:
        _save_quietly(root, key, ds)
        return ds
    thread = threading.Thread(
        target=_save_quietly, args=(root, key, ds), name=f"columnar-save-{key}", daemon=True
    )
    _saving[:] = [t for t in _saving if t.is_alive()] + [thread]
    thread.start()
    return ds


def wait_for_saves(timeout_s: float | None = None) -> None:
    """Block until the cache writes started in the background have finished."""
    for thread in list(_saving):
        thread.join(timeout_s)
