"""Arrow's allocator for the load (data.memory): jemalloc, kept for a while and then
returned, unless the operator named a pool; every other allocation on the default pool."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest

from data.memory import POOL_ENV, reusing_pool, use_reusing_pool


@pytest.fixture
def pool_restored() -> Iterator[None]:
    before = pa.default_memory_pool()
    yield
    pa.set_memory_pool(before)


def test_arrow_buffers_come_from_jemalloc(
    pool_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(POOL_ENV, raising=False)
    pa.set_memory_pool(pa.system_memory_pool())
    assert use_reusing_pool() == "jemalloc"
    assert pa.default_memory_pool().backend_name == "jemalloc"
    column = pa.array(["Tal Abyad"] * 1000)  # allocated by the pool now in use
    assert pa.jemalloc_memory_pool().bytes_allocated() >= column.nbytes
    assert use_reusing_pool() == "jemalloc"  # a second call changes nothing


def test_a_pool_the_operator_named_is_kept(
    pool_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(POOL_ENV, "system")
    pa.set_memory_pool(pa.system_memory_pool())
    assert use_reusing_pool() == "system"
    assert pa.default_memory_pool().backend_name == "system"


def test_only_the_block_allocates_from_it(
    pool_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(POOL_ENV, raising=False)
    pa.set_memory_pool(pa.system_memory_pool())
    with reusing_pool() as name:
        assert name == pa.default_memory_pool().backend_name == "jemalloc"
    assert pa.default_memory_pool().backend_name == "system"
