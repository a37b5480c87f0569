from __future__ import annotations

import os
import pickle
import shutil
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


def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this run shared by every worker process: pytest-xdist gives each worker
    a base temporary folder inside the run's own (pytest-of-USER/pytest-N/popen-gwK)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory):
    """The hostile corpus imported into a store beside the mini data set
    (tests/hostile/site.py), built once for the whole run, whichever worker asks first
    (a file lock in the run's folder: the others wait, then read what it wrote). The tests
    only read it. The modules using it share one xdist group (``pytest_collection_modifyitems``
    below), so they normally run one after the other on one worker."""
    from filelock import FileLock

    from tests.hostile.site import build_hostile_site

    root = run_dir(tmp_path_factory)
    directory = root / "hostile-site"
    built = root / "hostile-site.pickle"
    with FileLock(str(root / "hostile-site.lock")):
        if built.is_file():
            return pickle.loads(built.read_bytes())
        shutil.rmtree(directory, ignore_errors=True)  # a build that did not finish
        site = build_hostile_site(directory)
        built.write_bytes(pickle.dumps(site))
    return site


@pytest.fixture(scope="session")
def _mini_pickled(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The mini data set, written and loaded once per worker (loading validates every
    file: seconds, not milliseconds), kept as a pickle."""
    ds = load_dataset_files(write_mini_dataset(tmp_path_factory.mktemp("mini-once") / "mini"))
    return pickle.dumps(ds)


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    return write_mini_dataset(tmp_path / "mini")


@pytest.fixture
def mini(_mini_pickled: bytes):
    """The mini data set as ``load_dataset_files(mini_dir)`` gives it: a copy of its own for
    each test (unpickled: frames and the objects in their cells), so no test sees another's
    changes."""
    return pickle.loads(_mini_pickled)


# --------------------------------------------------------------------------- scheduling
# The suite runs in two workers (pyproject.toml: ``--dist loadgroup --no-loadscope-reorder``).
# Every test is put in an xdist group: its module's (a module is never split, so its
# module-scoped servers and data are made once), or the group of the modules that read one
# expensive session fixture (below), unless it names a group of its own. The groups are then
# sent to the workers longest first, so that the run does not end on one worker alone with a
# long browser module: the length of a test is what it took at its last run here (the pytest
# cache), or a guess for a test never timed (a clean clone, a new test).

#: session fixtures so costly to build that the modules using them run in one group, with
#: the seconds the build is guessed to take until the group has been timed
SHARED_GROUPS = {"hostile_site": 120.0}
#: guessed seconds for a test the cache has not timed: by mark, else the default (a browser
#: test starts pages of the real app, often a server of its own; most others take a second)
GUESS_S = {"browser": 60.0}
GUESS_DEFAULT_S = 2.0
DURATIONS_KEY = "patrolwatch/test-durations"

_timed: dict[str, float] = {}


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def _groups_of_modules(items: list[pytest.Item]) -> dict[str, str]:
    """Each module's group: a module with a test using one of SHARED_GROUPS goes whole into
    that fixture's group, any other is a group of its own."""
    groups: dict[str, str] = {}
    for item in items:
        module = _module(item)
        shared = [f for f in SHARED_GROUPS if f in item.fixturenames]
        if shared:
            groups[module] = shared[0]
        else:
            groups.setdefault(module, module)
    return groups


def _plain_nodeid(nodeid: str) -> str:
    """The test's id without the ``@group`` that xdist adds under ``--dist loadgroup``."""
    at = nodeid.rfind("@")
    return nodeid[:at] if at > nodeid.rfind("]") else nodeid


def _guess(item: pytest.Item) -> float:
    for mark, seconds in GUESS_S.items():
        if item.get_closest_marker(mark) is not None:
            return seconds
    return GUESS_DEFAULT_S


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    cache = getattr(config, "cache", None)
    timed: dict[str, float] = cache.get(DURATIONS_KEY, {}) if cache is not None else {}
    of_module = _groups_of_modules(items)
    groups: dict[str, list[pytest.Item]] = {}
    for item in items:
        mark = item.get_closest_marker("xdist_group")
        if mark is None:
            name = of_module[_module(item)]
            item.add_marker(pytest.mark.xdist_group(name))
        else:
            name = str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        groups.setdefault(name, []).append(item)

    def length(members: list[pytest.Item]) -> float:
        seconds = sum(timed.get(i.nodeid, _guess(i)) for i in members)
        name = of_module[_module(members[0])]
        if name in SHARED_GROUPS and not any(i.nodeid in timed for i in members):
            seconds += SHARED_GROUPS[name]
        return seconds

    # longest first; a group keeps its tests in their order (sorted() is stable)
    items[:] = [i for members in sorted(groups.values(), key=length, reverse=True) for i in members]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    nodeid = _plain_nodeid(report.nodeid)
    _timed[nodeid] = _timed.get(nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller (or a run without workers) keeps what each test took, setup and
    teardown included, for the next run's order."""
    cache = getattr(session.config, "cache", None)
    if cache is None or hasattr(session.config, "workerinput") or not _timed:
        return
    timed = cache.get(DURATIONS_KEY, {})
    timed.update({k: round(v, 2) for k, v in _timed.items()})
    cache.set(DURATIONS_KEY, timed)
