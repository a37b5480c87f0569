"""A team deployment, as its people use it, in headless Chromium with no internet: a real
OpenID Connect provider on loopback (oidc-provider-mock), two app servers on one PostgreSQL
store (a database of its own on the session's server, tests/conftest.py), sign-in through
Streamlit's own ``st.login``, and roles from ``[roles]`` in the secrets.

- a reader sees no write control, and a write attempted with their signed-in session is
  refused by the store;
- an editor's file over the editors' size limit is turned away unread; they import a file
  within it, and the trail of changes says who did it;
- an admin, on the other server, sees that import and undoes it;
- two editors on the two servers correct the same event: the second gets the conflict
  message, nothing is overwritten;
- the store going down: every page says so, a save is refused with the typed form kept,
  and the app recovers by itself when the store is back.

SYNTHETIC identities, records and files only."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.conftest import (
    ROOT,
    _Server,
    _start,
    acled_in_syria,
    new_context,
    screenshot,
    wait_for_streamlit,
)
from tests.postgres import new_database

pytestmark = pytest.mark.browser

WRITE_APP = ROOT / "tests" / "browser" / "apps" / "team_write_app.py"

#: the provider's people (SYNTHETIC): a reader, two editors by group, an admin by address
PEOPLE = {
    "rita": {"email": "rita@team.example", "name": "Rita Reader"},
    "eddie": {"email": "eddie@team.example", "name": "Eddie Editor", "groups": ["analysts"]},
    "erin": {"email": "erin@team.example", "name": "Erin Editor", "groups": ["analysts"]},
    "ada": {"email": "ada@team.example", "name": "Ada Admin"},
}

SECRETS = """
[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "synthetic-cookie-secret-for-the-team-tests-0123456789"
client_id = "patrolwatch-tests"
client_secret = "synthetic-client-secret"
server_metadata_url = "{issuer}/.well-known/openid-configuration"

[roles]
admins = ["ada@team.example"]
editors = ["group:analysts"]
readers = ["@team.example"]
editor_upload_mb = 1
"""


@dataclass
class Team:
    issuer: str
    store_url: str
    a: str  # the first app server's URL
    b: str  # the second one's, on the same store
    writer: str  # the forged-write page (tests/browser/apps/team_write_app.py)
    postgres: object

    def revision(self) -> int:
        from data.store import Store

        store = Store.open(self.store_url)
        try:
            return store.revision()
        finally:
            store.engine.dispose()


@pytest.fixture(scope="module")
def team(postgres_server) -> Iterator[Team]:
    from oidc_provider_mock import User, run_server_in_thread

    # plain http on loopback, for the provider (in this process) and the app's client
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    tmp = Path(tempfile.mkdtemp(prefix="patrolwatch-team-"))
    store_url = new_database(postgres_server.url, "pw_team")
    servers: list[_Server] = []
    users = [User(sub=sub, claims=claims) for sub, claims in PEOPLE.items()]
    try:
        with run_server_in_thread(user_claims=users) as provider:
            issuer = f"http://localhost:{provider.server_port}"
            secrets = tmp / "secrets.toml"
            secrets.write_text(SECRETS.format(issuer=issuer), encoding="utf-8")
            # Streamlit reads its --secrets.files option from this variable (a list, split
            # at white space: the temporary folder's path has none)
            assert not any(c.isspace() for c in str(secrets)), secrets
            env = {
                "PATROLWATCH_DATABASE_URL": store_url,
                "AUTHLIB_INSECURE_TRANSPORT": "1",
                "PATROLWATCH_STORE": str(tmp / "unused-sqlite"),
                "STREAMLIT_SECRETS_FILES": str(secrets),
            }
            # servers of their own (the harness's _start): two on one store must be two
            for script in (ROOT / "app.py", ROOT / "app.py", WRITE_APP):
                servers.append(_start(script, tmp, env))
            yield Team(
                issuer, store_url, servers[0].url, servers[1].url, servers[2].url,
                postgres_server,
            )  # fmt: skip
    finally:
        for server in servers:
            server.stop()
        if postgres_server.paused:
            postgres_server.resume()
        shutil.rmtree(tmp, ignore_errors=True)
        os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)


def _sign_in(page, url: str, sub: str, *, opened: bool = False) -> None:
    """Open the app (unless it is ``opened`` already), press Sign in, pick the person at
    the provider, come back signed in."""
    if not opened:
        page.goto(url, wait_until="domcontentloaded")
        wait_for_streamlit(page)
    page.get_by_role("button", name="Sign in").click(timeout=60_000)
    try:
        page.get_by_role("button", name=sub, exact=True).click(timeout=60_000)
        page.get_by_text("Signed in as").first.wait_for(timeout=60_000)
    except Exception:
        screenshot(page, f"team_sign_in_{sub}_failed")
        raise AssertionError(f"signing in as {sub} stopped at {page.url}") from None
    wait_for_streamlit(page)


@pytest.fixture(scope="module")
def signed_in() -> dict[tuple[str, str], list]:
    """Each person's cookies from their first sign-in of the module on each server, which
    goes the whole way through the provider (``_sign_in``): a later test on that server
    where signing in is not the point starts signed in with them (``_as``) instead of
    signing in again."""
    return {}


def _as(page, url: str, sub: str, signed_in: dict[tuple[str, str], list]) -> None:
    """Make ``page`` signed in as ``sub`` on the server at ``url``: their first time there
    through the provider; afterwards with the cookies it gave (the next page opened must
    show them signed in: ``_data_page`` checks it)."""
    if (sub, url) in signed_in:
        page.context.add_cookies(signed_in[sub, url])
        return
    _sign_in(page, url, sub)
    signed_in[sub, url] = page.context.cookies()


def _data_page(page, url: str) -> None:
    page.goto(f"{url}/data", wait_until="domcontentloaded")
    wait_for_streamlit(page)
    page.get_by_role("heading", name="Data").wait_for(timeout=60_000)
    page.get_by_text("Signed in as").first.wait_for(timeout=60_000)
    wait_for_streamlit(page)


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def test_without_signing_in_nothing_is_shown_and_a_reader_sees_no_write_control(page, team):
    page.goto(team.a, wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    assert page.get_by_text("Sign in with your team's account").count() == 1
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    _no_exception(page)

    # the same page, signed in as a reader
    wait_for_streamlit(page)
    _sign_in(page, team.a, "rita", opened=True)
    assert page.get_by_text("Rita Reader (rita@team.example), reader").count() == 1
    _data_page(page, team.a)
    tabs = page.get_by_role("tab").all_inner_texts()
    assert [t.strip() for t in tabs] == ["Changes", "Export"]
    for control in ("Import files", "Add or correct an event", "Changes and undo"):
        assert page.get_by_role("tab", name=control).count() == 0
    page.get_by_role("tab", name="Changes").click()
    wait_for_streamlit(page)
    assert page.get_by_role("button", name="Undo this change").count() == 0
    assert page.get_by_role("button", name="Undo #").count() == 0
    assert page.get_by_label("Your name (recorded with every change you make)").count() == 0
    assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    screenshot(page, "team_reader_data")
    _no_exception(page)


def test_the_store_refuses_a_readers_write(page, team):
    # Rita's signed-in session on a page that calls the store directly (what a forged
    # request would reach): the store itself refuses
    before = team.revision()
    _sign_in(page, team.writer, "rita")
    page.get_by_text("identity: Rita Reader (rita@team.example), reader").wait_for()
    refused = page.get_by_text("refused: Nothing was written: rita@team.example is a reader")
    refused.wait_for(timeout=30_000)
    assert team.revision() == before


def test_an_editor_imports_and_the_trail_names_them(page, team, signed_in, tmp_path):
    _as(page, team.a, "eddie", signed_in)
    _data_page(page, team.a)
    assert page.get_by_label("Your name (recorded with every change you make)").count() == 0
    assert page.get_by_text("Your changes are recorded as eddie@team.example.").count() == 1
    dropzone = page.locator('[data-testid="stFileUploaderDropzoneInput"]')

    # editors may import files of up to editor_upload_mb (1 MB here); a bigger one is
    # turned away before anything is read
    big = tmp_path / "synthetic-too-big.csv"
    row = "SYNTHETIC,row,of,a,file,too,big,to,import\n"
    big.write_text("a,b,c,d,e,f,g,h,i\n" + row * (2 * 1024 * 1024 // len(row)), encoding="utf-8")
    dropzone.set_input_files(str(big))
    page.get_by_text("1.0MB").or_(page.get_by_text("1 MB")).first.wait_for(timeout=30_000)
    wait_for_streamlit(page)
    screenshot(page, "team_upload_too_big")
    assert page.get_by_text("rows read").count() == 0  # no preview: nothing was read
    _no_exception(page)

    # a file within the limit is read, previewed and imported
    dropzone.set_input_files(acled_in_syria())
    page.get_by_text("Import the rest without the 2 refused row(s)").click(timeout=60_000)
    wait_for_streamlit(page)
    page.get_by_role("button", name="Import 12 record(s)").click()
    page.get_by_text("Imported 12 record(s) from acled_current.csv").wait_for(timeout=60_000)
    wait_for_streamlit(page)
    page.get_by_role("tab", name="Changes and undo").click()
    page.get_by_role("button", name="Undo this change").wait_for(timeout=30_000)
    wait_for_streamlit(page)
    trail = page.locator('[data-testid="stDataFrame"]').filter(has_text="eddie@team.example")
    trail.wait_for(timeout=30_000)
    assert "added event acled-syn90001" in trail.text_content()
    assert "root" not in trail.text_content()
    screenshot(page, "team_editor_changes")
    _no_exception(page)


def test_an_admin_on_the_other_server_sees_the_import_and_undoes_it(page, team, signed_in):
    revision = team.revision()
    assert revision >= 1
    _as(page, team.b, "ada", signed_in)  # the second app server
    _data_page(page, team.b)
    caption = page.get_by_text("record(s) added or corrected here").first
    assert "plus 12 record(s)" in caption.inner_text()
    page.get_by_role("tab", name="Changes and undo").click()
    undo = page.locator('[data-testid="stSelectbox"]').filter(has_text="Undo a whole change")
    undo.wait_for(timeout=30_000)
    trail = page.locator('[data-testid="stDataFrame"]').filter(has_text="eddie@team.example")
    trail.wait_for(timeout=30_000)
    page.get_by_role("button", name="Undo this change").click()
    page.get_by_text(f"Change r{revision} undone").wait_for(timeout=60_000)
    wait_for_streamlit(page)
    trail = page.locator('[data-testid="stDataFrame"]').filter(has_text="ada@team.example")
    trail.wait_for(timeout=30_000)
    _no_exception(page)


def _open_event(page, nth: int) -> str:
    """Pick the nth event of the form's list (0: the newest) and return its label."""
    page.get_by_role("tab", name="Add or correct an event").click()
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Event").first
    box.click()
    option = page.get_by_role("option").nth(nth + 1)  # 0 is "(a new event)"
    label = option.inner_text()
    option.click()
    wait_for_streamlit(page)
    return label


def _describe(page, text: str) -> None:
    """Type ``text`` as the event's description once the run that picking the event started
    has filled the form (under load it can land after the typing and put the old text back,
    which no person typing after seeing the form would meet)."""
    area = page.get_by_label("What happened, as the sources say it")
    for _ in range(3):
        wait_for_streamlit(page)
        area.fill(text)
        page.wait_for_timeout(500)
        wait_for_streamlit(page)
        if area.input_value() == text:
            return
    assert area.input_value() == text


def test_two_editors_on_two_servers_correcting_one_event_the_second_gets_a_conflict(
    browser, team, signed_in
):
    first, second = new_context(browser), new_context(browser)
    try:
        eddie, erin = first.new_page(), second.new_page()
        _as(eddie, team.a, "eddie", signed_in)
        _as(erin, team.b, "erin", signed_in)
        _data_page(eddie, team.a)
        _data_page(erin, team.b)
        label = _open_event(eddie, 0)
        assert _open_event(erin, 0) == label  # both opened the same event
        _describe(eddie, "SYNTHETIC correction by Eddie")
        _describe(erin, "SYNTHETIC correction by Erin")
        eddie.get_by_role("button", name="Save event").click()
        eddie.get_by_text("Saved event").wait_for(timeout=60_000)
        erin.get_by_role("button", name="Save event").click()
        conflict = erin.get_by_text("Nothing was written: event")
        conflict.wait_for(timeout=60_000)
        assert "by eddie@team.example" in conflict.inner_text()
        # what Erin typed is kept, and Eddie's correction stands
        area = erin.get_by_label("What happened, as the sources say it")
        assert area.input_value() == "SYNTHETIC correction by Erin"
        screenshot(erin, "team_conflict")
        _data_page(erin, team.b)
        erin.get_by_role("tab", name="Changes and undo").click()
        trail = erin.locator('[data-testid="stDataFrame"]').filter(has_text="eddie@team.example")
        trail.wait_for(timeout=30_000)
        assert "erin@team.example" not in trail.text_content()  # nothing of hers was written
    finally:
        first.close()
        second.close()


def test_the_store_going_down_is_said_a_save_refused_and_the_app_recovers(page, team, signed_in):
    _as(page, team.a, "eddie", signed_in)
    _data_page(page, team.a)
    _open_event(page, 2)
    _describe(page, "SYNTHETIC correction typed while the store is down")
    team.postgres.pause()
    try:
        page.get_by_role("button", name="Save event").click()
        page.get_by_text("Not saved: the store cannot be reached").wait_for(timeout=60_000)
        area = page.get_by_label("What happened, as the sources say it")
        assert area.input_value() == "SYNTHETIC correction typed while the store is down"
        _no_exception(page)
        screenshot(page, "team_store_down_save")
        # every page says so
        other = page.context.new_page()
        for path in ("", "/sources", "/data"):
            other.goto(f"{team.a}{path}", wait_until="domcontentloaded")
            wait_for_streamlit(other)
            other.get_by_text("The store cannot be reached, so only the shipped data").wait_for(
                timeout=60_000
            )
            _no_exception(other)
    finally:
        team.postgres.resume()
    # back: the same form saves, and the notice is gone at the next run
    page.get_by_role("button", name="Save event").click()
    page.get_by_text("Saved event").wait_for(timeout=60_000)
    other.goto(team.a, wait_until="domcontentloaded")
    wait_for_streamlit(other)
    assert other.get_by_text("The store cannot be reached").count() == 0
    _no_exception(page)
