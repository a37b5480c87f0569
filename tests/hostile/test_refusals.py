"""Refusals that are not a file's content: an error nobody foresaw while importing, a
refused data set (every file's problems, a missing directory), the environment's limit."""

from __future__ import annotations

import copy
import logging

import pytest

from components.frame import dataset_error_summary, problems_table
from data.importers import (
    ImportContext,
    ImportLimits,
    ImportRefused,
    check_file,
    pipeline,
    preview_import,
)
from data.load import load_dataset_files
from data.records import combine
from data.schema import DataSetError
from data.store import Store
from tests import fixtures
from tests.hostile.corpus import events_csv
from tests.test_store import OPTIONS


def test_an_unexpected_error_is_a_short_message_naming_the_file_and_the_step(
    mini, tmp_path, monkeypatch, caplog
):
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite'}")
    snap = store.snapshot()
    ctx = ImportContext(mini, snap, combine(mini, snap.texts())[0])

    def broken(*args, **kwargs):
        raise KeyError("a server path /srv/secret")

    monkeypatch.setattr(pipeline, "resolve_places", broken)
    data = events_csv([{}], "syn_a", OPTIONS.source)
    with caplog.at_level(logging.ERROR), pytest.raises(ImportRefused) as err:
        preview_import("ev\u202e.csv", data, ctx, OPTIONS)
    msg = str(err.value)
    assert msg.startswith("ev<U+202E>.csv: matching places with the gazetteer failed")
    assert "KeyError" in msg and "/srv/secret" not in msg and "\n" not in msg
    assert "/srv/secret" in caplog.text  # the details went to the server log
    store.engine.dispose()


def test_a_file_is_checked_before_its_options_are_asked():
    check_file("ok.csv", events_csv([{}], "syn_a", "s"))  # readable: no refusal
    with pytest.raises(ImportRefused, match="levels of nesting"):
        check_file("deep.json", b"[" * 5000 + b"]" * 5000)
    with pytest.raises(ImportRefused, match="over the limit of 1 KB for one file"):
        check_file("big.csv", b"x" * 2000, ImportLimits(max_bytes=1024))


def test_the_environment_sets_the_file_limit(monkeypatch):
    monkeypatch.setenv("PATROLWATCH_IMPORT_MAX_MB", "2")
    limits = ImportLimits.from_env()
    assert limits.max_bytes == 2 * 1024 * 1024 and limits.max_unpacked_bytes == 8 * 1024 * 1024


def test_a_refused_data_set_lists_every_files_problems(tmp_path):
    events = copy.deepcopy(fixtures.EVENTS)
    events[1]["places"] = "atlantis"  # a cross-file problem in events.csv
    actors = copy.deepcopy(fixtures.ACTORS)
    actors[0]["color"] = "not a colour"  # a problem of actors.csv itself
    directory = fixtures.write_mini_dataset(tmp_path / "bad", events=events, actors=actors)
    with pytest.raises(DataSetError) as info:
        load_dataset_files(directory)
    files = {p.file for p in info.value.problems}
    assert files == {"actors.csv", "events.csv"}
    assert "2 file(s) (actors.csv, events.csv)" in dataset_error_summary(info.value)


def test_a_missing_data_set_directory_is_one_problem(tmp_path):
    with pytest.raises(DataSetError) as info:
        load_dataset_files(tmp_path / "nowhere")
    err = info.value
    assert len(err.problems) == 1 and "does not exist" in err.problems[0].problem
    assert "PATROLWATCH_DATA" in dataset_error_summary(err)
    assert problems_table(err)["Row"].tolist() == [""]
