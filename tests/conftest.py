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
    only read it."""
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
# The suite runs in two workers (pyproject.toml: ``--dist loadfile --no-loadscope-reorder``):
# a module is never split, so its module-scoped servers and data are made once. The modules
# are sent to the workers in the order of the collection, which this hook sorts longest
# first, so that the run does not end on one worker alone with a long browser module. The
# length of a test is what it took at its last run here (the pytest cache), or a guess for a
# test never timed (a clean clone, a new test). (``--dist loadgroup`` cannot group: with
# pytest 9 the ``@group`` that pytest-xdist 3.8 appends to a test's id is lost.)

#: session fixtures built once for the run, with the seconds the build is guessed to take:
#: counted in the first module using it until that module has been timed
SHARED_BUILDS = {"hostile_site": 120.0}
#: guessed seconds for a test the cache has not timed: by mark, else the default (a browser
#: test starts pages of the real app, often a server of its own; most others take a second)
GUESS_S = {"browser": 60.0}
GUESS_DEFAULT_S = 2.0
DURATIONS_KEY = "patrolwatch/test-durations"

_timed: dict[str, float] = {}
_finished: set[str] = set()  # tests whose teardown was reported: their time is whole


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def _guess(item: pytest.Item) -> float:
    for mark, seconds in GUESS_S.items():
        if item.get_closest_marker(mark) is not None:
            return seconds
    return GUESS_DEFAULT_S


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    cache = getattr(config, "cache", None)
    timed: dict[str, float] = cache.get(DURATIONS_KEY, {}) if cache is not None else {}
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(_module(item), []).append(item)
    builds: dict[str, float] = {}  # module -> the guessed builds it is the first to need
    counted: set[str] = set()
    for name, members in modules.items():
        for fixture, seconds in SHARED_BUILDS.items():
            if fixture not in counted and any(fixture in i.fixturenames for i in members):
                builds[name] = builds.get(name, 0.0) + seconds
                counted.add(fixture)

    def length(name: str) -> float:
        members = modules[name]
        seconds = sum(timed.get(i.nodeid, _guess(i)) for i in members)
        if not any(i.nodeid in timed for i in members):
            seconds += builds.get(name, 0.0)
        return seconds

    # longest first; a module keeps its tests in their order (sorted() is stable)
    items[:] = [i for name in sorted(modules, key=length, reverse=True) for i in modules[name]]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _timed[report.nodeid] = _timed.get(report.nodeid, 0.0) + report.duration
    if report.when == "teardown":
        _finished.add(report.nodeid)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller (or a run without workers) keeps what each test took, setup and
    teardown included, for the next run's order: only the tests that ran to the end (an
    interrupted run would otherwise keep a long test as the second its setup took)."""
    cache = getattr(session.config, "cache", None)
    if cache is None or hasattr(session.config, "workerinput") or not _finished:
        return
    timed = cache.get(DURATIONS_KEY, {})
    timed.update({k: round(v, 2) for k, v in _timed.items() if k in _finished})
    cache.set(DURATIONS_KEY, timed)
