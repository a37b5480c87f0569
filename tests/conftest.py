from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from data.load import load_dataset_files  # noqa: E402
from tests.fixtures import write_mini_dataset  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _isolated_store(tmp_path_factory: pytest.TempPathFactory):
    """Every test (and every app a test starts) uses a store and a data set cache in
    temporary folders, never the user's own nor a database named in the environment."""
    import os

    keys = ("PATROLWATCH_STORE", "PATROLWATCH_DATABASE_URL", "PATROLWATCH_CACHE_DIR")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ["PATROLWATCH_STORE"] = str(tmp_path_factory.mktemp("store"))
    os.environ["PATROLWATCH_CACHE_DIR"] = str(tmp_path_factory.mktemp("datasets"))
    os.environ.pop("PATROLWATCH_DATABASE_URL", None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL server for the whole test session (tests/postgres.py), started on
    first use. Fails, never skips, when PostgreSQL cannot be started: CI must prove the
    store runs on it. A test that stops it (``pause``) must ``resume`` it in a ``finally``;
    each test or module works in a database of its own (``tests.postgres.new_database``)."""
    from tests.postgres import start_server

    try:
        server = start_server()
    except Exception as err:  # any reason it cannot start fails the tests
        pytest.fail(f"PostgreSQL could not be started for the store tests: {err}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server) -> str:
    """SQLAlchemy URL of the session's PostgreSQL server (its ``postgres`` database)."""
    return postgres_server.url


@pytest.fixture
def sqlite_store_url(tmp_path: Path) -> str:
    """A new, empty SQLite store in the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture
def store_location(sqlite_store_url: str) -> str:
    """The store ``store`` opens; a module overrides it to run on other stores."""
    return sqlite_store_url


@pytest.fixture
def store(store_location: str):
    """A new, empty store (data.store.Store) at ``store_location``, closed after the test."""
    from data.store import Store

    s = Store.open(store_location)
    yield s
    s.engine.dispose()


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory):
    """The hostile corpus imported into a store beside the mini data set
    (tests/hostile/site.py), built once per session: the tests only read it."""
    from tests.hostile.site import build_hostile_site

    return build_hostile_site(tmp_path_factory.mktemp("hostile-site"))


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    return write_mini_dataset(tmp_path / "mini")


@pytest.fixture
def mini(mini_dir: Path):
    return load_dataset_files(mini_dir)
