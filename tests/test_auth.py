"""Roles from the configuration and the check every write goes through: a reader changes
nothing, an editor undoes only their own changes, an admin anyone's; without sign-in the one
analyst does everything, as before. SYNTHETIC identities and records only."""

from __future__ import annotations

import pytest

from data.auth import (
    Identity,
    Role,
    claim_groups,
    local_identity,
    resolve_role,
    rules_from_config,
    signed_in_identity,
    undo_refusal,
    upload_refusal,
    write_refusal,
)
from data.store import AccessDenied, Store, StoreError
from tests import test_store
from tests.test_store import SOURCE

# the store fixtures: a new SQLite file, or a new database on the session's PostgreSQL
url = test_store.url
store_location = test_store.store_location  # tests/conftest.py's store opens it

RULES = rules_from_config(
    {
        "admins": ["lead@ngo.example"],
        "editors": ["group:analysts", "sam@ngo.example"],
        "readers": ["@ngo.example", "group:partners"],
        "group_claim": "groups",
        "editor_upload_mb": 5,
    }
)

READER = Identity("rita@ngo.example", Role.READER, signed_in=True, upload_mb=0)
EDITOR = Identity("ed@ngo.example", Role.EDITOR, signed_in=True, upload_mb=5)
EDITOR2 = Identity("sam@ngo.example", Role.EDITOR, signed_in=True, upload_mb=5)
ADMIN = Identity("lead@ngo.example", Role.ADMIN, signed_in=True, upload_mb=200)


# --------------------------------------------------------------------------- roles


@pytest.mark.parametrize(
    ("claims", "role"),
    [
        ({"email": "lead@ngo.example"}, Role.ADMIN),
        ({"email": "LEAD@ngo.example"}, Role.ADMIN),  # addresses compare without case
        ({"email": "sam@ngo.example"}, Role.EDITOR),
        ({"email": "x@ngo.example", "groups": ["analysts"]}, Role.EDITOR),
        ({"email": "x@elsewhere.example", "groups": "partners analysts"}, Role.EDITOR),
        ({"email": "rita@ngo.example"}, Role.READER),  # the whole domain reads
        ({"email": "p@elsewhere.example", "groups": ["partners"]}, Role.READER),
        ({"email": "p@elsewhere.example"}, None),  # nobody gave them a role
        ({"email": "p@ngo.example.evil.example"}, None),  # a domain rule is a suffix match
        ({"sub": "no-email", "groups": []}, None),
        # the highest role matched wins
        ({"email": "lead@ngo.example", "groups": ["partners"]}, Role.ADMIN),
    ],
)
def test_roles_are_resolved_from_email_domain_and_group_claims(claims, role):
    assert resolve_role(claims, RULES) == role


def test_an_address_marked_unverified_matches_no_email_rule():
    claims = {"email": "lead@ngo.example", "email_verified": False}
    assert resolve_role(claims, RULES) is None
    assert resolve_role({**claims, "groups": ["analysts"]}, RULES) == Role.EDITOR


def test_a_star_gives_anyone_who_can_sign_in_the_role():
    rules = rules_from_config({"readers": ["*"]})
    assert resolve_role({"sub": "abc"}, rules) == Role.READER


def test_the_group_claim_can_be_named_and_read_from_a_list_or_a_string():
    rules = rules_from_config({"editors": ["group:field"], "group_claim": "roles"})
    assert resolve_role({"roles": ["field"]}, rules) == Role.EDITOR
    assert resolve_role({"groups": ["field"]}, rules) is None
    assert claim_groups({"g": "a, b c"}, "g") == {"a", "b", "c"}
    assert claim_groups({}, "g") == set()


def test_the_signed_in_identity_is_recorded_by_email_and_carries_the_upload_limit():
    who = signed_in_identity(
        {"sub": "u1", "email": "Sam@NGO.example", "name": "Sam Example"}, RULES
    )
    assert who == Identity(
        "sam@ngo.example", Role.EDITOR, signed_in=True, display="Sam Example", upload_mb=5
    )
    assert who.describe() == "Sam Example (sam@ngo.example), editor"
    admin = signed_in_identity({"sub": "u2", "email": "lead@ngo.example"}, RULES)
    assert admin.upload_mb == 200  # the default for admins
    reader = signed_in_identity({"sub": "u3", "email": "r@ngo.example"}, RULES)
    assert reader.upload_mb == 0 and not reader.can_write
    assert signed_in_identity({"sub": "u4", "email": "x@other.example"}, RULES) is None


def test_a_bad_roles_section_is_refused_naming_the_key():
    with pytest.raises(ValueError, match="editor_upload_mb"):
        rules_from_config({"editor_upload_mb": "lots"})
    with pytest.raises(ValueError, match="admin_upload_mb"):
        rules_from_config({"admin_upload_mb": 0})
    with pytest.raises(ValueError, match="admins"):
        rules_from_config({"admins": 3})


def test_without_sign_in_the_local_analyst_may_do_everything():
    who = local_identity("")
    assert who.role == Role.ADMIN and not who.signed_in and who.name
    assert local_identity(" Ana ").name == "Ana"


# --------------------------------------------------------------------------- checks


def test_only_editors_and_admins_may_write():
    assert "is a reader and may not change the store" in write_refusal(READER)
    assert write_refusal(EDITOR) is None and write_refusal(ADMIN) is None


def test_an_editor_undoes_only_their_own_changes_an_admin_anyones():
    assert undo_refusal(EDITOR, ["ed@ngo.example"]) is None
    refused = undo_refusal(EDITOR, ["ed@ngo.example", "sam@ngo.example"])
    assert "made by sam@ngo.example" in refused and "Ask an admin" in refused
    assert undo_refusal(ADMIN, ["sam@ngo.example"]) is None
    assert undo_refusal(READER, ["rita@ngo.example"]) is not None


def test_uploads_are_limited_per_role():
    assert upload_refusal(EDITOR, "a.csv", 5 * 1024 * 1024) is None
    refused = upload_refusal(EDITOR, "big.csv", 6 * 1024 * 1024)
    assert "big.csv is 6.0 MB" in refused and "up to 5 MB" in refused
    assert upload_refusal(READER, "a.csv", 10) is not None
    assert upload_refusal(local_identity("x"), "a.csv", 10**9) is None  # the server's limit


# --------------------------------------------------------------------------- in the store


@pytest.fixture
def team_store(url) -> Store:
    """A store of a deployment with sign-in (SQLite and PostgreSQL, as tests/test_store)."""
    s = Store.open(url, signed_in_only=True)
    yield s
    s.engine.dispose()


def test_the_store_refuses_a_reader_and_anyone_not_signed_in(team_store):
    with pytest.raises(AccessDenied, match="is a reader"):
        team_store.insert("sources", SOURCE, who=READER)
    with pytest.raises(AccessDenied, match="sign in"):
        team_store.insert("sources", SOURCE, who="root")
    with pytest.raises(AccessDenied, match="sign in"):
        team_store.insert("sources", SOURCE, who=local_identity("root"))
    assert team_store.revision() == 0 and not team_store.exists()
    assert isinstance(AccessDenied("x"), StoreError)  # the pages' handlers show it


def test_the_audit_trail_records_the_signed_in_identity(team_store):
    team_store.insert("sources", SOURCE, who=EDITOR)
    team_store.update("sources", {**SOURCE, "title": "Retitled"}, expected_version=1, who=ADMIN)
    assert list(team_store.history()["who"]) == ["lead@ngo.example", "ed@ngo.example"]


def test_the_store_lets_an_editor_undo_only_their_own_change(team_store):
    mine = team_store.insert("sources", SOURCE, who=EDITOR)
    other = {**SOURCE, "source_id": "synthetic-store-test-2"}
    theirs = team_store.insert("sources", other, who=EDITOR2)
    revision = team_store.revision()
    with pytest.raises(AccessDenied, match="made by sam@ngo.example"):
        team_store.undo_revision(theirs, who=EDITOR)
    one = int(team_store.history(record=("sources", other["source_id"]))["audit_id"].iloc[0])
    with pytest.raises(AccessDenied):
        team_store.undo(one, who=EDITOR)
    with pytest.raises(AccessDenied, match="is a reader"):
        team_store.undo_revision(mine, who=READER)
    assert team_store.revision() == revision  # nothing was written
    team_store.undo_revision(mine, who=EDITOR)
    team_store.undo_revision(theirs, who=ADMIN)
    assert team_store.get("sources", SOURCE["source_id"]) is None
    assert team_store.get("sources", other["source_id"]) is None


def test_without_sign_in_a_plain_name_still_writes_as_before(store):
    store.insert("sources", SOURCE, who="alice")
    store.undo_revision(1, who="bob")  # the local analyst may undo anyone's change
    assert list(store.history()["who"]) == ["bob", "alice"]


def test_managing_aliases_and_the_gazetteer_is_for_admins():
    from data.auth import admin_refusal

    assert admin_refusal(ADMIN, "edit the gazetteer") is None
    assert "only an admin may edit the gazetteer" in admin_refusal(EDITOR, "edit the gazetteer")
    assert admin_refusal(local_identity("x")) is None


def test_an_editor_is_offered_only_their_own_changes_to_undo(team_store):
    from components.data_forms import change_choices

    team_store.insert("sources", SOURCE, who=EDITOR)
    team_store.insert("sources", {**SOURCE, "source_id": "synthetic-store-test-3"}, who=EDITOR2)
    history = team_store.history()
    assert list(change_choices(history, EDITOR)) == [1]
    assert list(change_choices(history, EDITOR2)) == [2]
    assert sorted(change_choices(history, ADMIN)) == [1, 2]


def test_a_secrets_file_that_cannot_be_read_stops_the_app_rather_than_opening_it(tmp_path):
    from streamlit import config
    from streamlit.runtime.secrets import secrets_singleton

    from data.settings import role_settings, sign_in_configured

    saved = config.get_option("secrets.files")
    bad, good = tmp_path / "bad.toml", tmp_path / "good.toml"
    bad.write_text("[auth\nclient_id = ", encoding="utf-8")
    good.write_text('[auth]\nclient_id = "x"\n[roles]\nreaders = ["*"]\n', encoding="utf-8")
    try:
        secrets_singleton._reset()
        config.set_option("secrets.files", [str(bad)])
        with pytest.raises(ValueError, match="cannot be read"):
            sign_in_configured()
        secrets_singleton._reset()
        config.set_option("secrets.files", [str(good)])
        assert sign_in_configured() and role_settings() == {"readers": ["*"]}
        secrets_singleton._reset()
        config.set_option("secrets.files", [str(tmp_path / "none.toml")])
        assert not sign_in_configured()  # no file: one analyst, no sign-in
    finally:
        secrets_singleton._reset()
        config.set_option("secrets.files", saved)
