"""Who may change the store: identities, roles, and the check every write goes through.

Without a sign-in configuration the app is one analyst's tool on a laptop: the person at the
keyboard is ``local_identity()`` (the OS user, or the name typed on the Data page) and may do
everything. With sign-in (``[auth]`` in ``.streamlit/secrets.toml``) a person's role comes
from the ``[roles]`` rules, matched against the claims of their identity token:

- ``reader``: every page, exports and snapshots; no change to the store at all;
- ``editor``: also imports, adds and corrects records, and undoes their own changes;
- ``admin``: also undoes anyone's change (and manages aliases and the gazetteer).

A rule is an e-mail address (``ana@ngo.example``), a whole domain (``@ngo.example``), a
group named in the group claim (``group:analysts``), or ``*`` (anyone who can sign in).
E-mail rules only match an address the provider has not marked unverified. The highest
role matched wins; a person matching no rule gets no role and sees nothing.

``data.store.Store`` asks ``write_refusal`` and ``undo_refusal`` inside its write path, so a
request the interface would never send is refused all the same. Pure: no streamlit.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum


class Role(IntEnum):
    """What a person may do, each role including the ones below it."""

    READER = 1
    EDITOR = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()


#: the largest upload per file (MB) of each role, unless ``[roles]`` sets
#: ``editor_upload_mb`` / ``admin_upload_mb``; readers upload nothing
DEFAULT_UPLOAD_MB = {Role.READER: 0, Role.EDITOR: 50, Role.ADMIN: 200}


@dataclass(frozen=True)
class Identity:
    """Who is asking. ``name`` is what the audit trail records (the e-mail address when
    signed in); ``signed_in`` is False for the single analyst of an app without sign-in."""

    name: str
    role: Role
    signed_in: bool = False
    display: str = ""
    upload_mb: int | None = None  # None: the server's own limit (server.maxUploadSize)

    @property
    def can_write(self) -> bool:
        return self.role >= Role.EDITOR

    @property
    def is_admin(self) -> bool:
        return self.role >= Role.ADMIN

    def describe(self) -> str:
        """'Ana Example (ana@ngo.example), editor'."""
        who = (
            f"{self.display} ({self.name})"
            if self.display and self.display != self.name
            else (self.name)
        )
        return f"{who}, {self.role.label}"


def os_user() -> str:
    """The OS user running the app (what a laptop install records)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def local_identity(name: str = "") -> Identity:
    """The one analyst of an app without sign-in: may do everything, as before sign-in
    existed; recorded under the name typed (else the OS user)."""
    return Identity(name=name.strip() or os_user(), role=Role.ADMIN)


# --------------------------------------------------------------------------- roles


@dataclass(frozen=True)
class RoleRules:
    """The ``[roles]`` section: who is an admin, an editor, a reader."""

    admins: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()
    readers: tuple[str, ...] = ()
    group_claim: str = "groups"
    upload_mb: tuple[tuple[Role, int], ...] = ()

    def limit_mb(self, role: Role) -> int:
        """The largest file (MB) a person of ``role`` may upload; 0 for a reader."""
        return dict(self.upload_mb).get(role, DEFAULT_UPLOAD_MB[role]) if role > Role.READER else 0


def _entries(value: object, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise ValueError(f"[roles] {what} must be a list of e-mail addresses, @domains or groups")
    out = tuple(str(v).strip() for v in value if str(v).strip())
    return out


def rules_from_config(section: Mapping[str, object] | None) -> RoleRules:
    """The rules of a ``[roles]`` section (see the module's doc). Raises ``ValueError``
    naming the key for a value of the wrong kind."""
    section = dict(section or {})
    uploads = []
    for role in (Role.EDITOR, Role.ADMIN):
        key = f"{role.label}_upload_mb"
        if key in section:
            try:
                value = int(section[key])  # type: ignore[call-overload]
            except (TypeError, ValueError):
                raise ValueError(f"[roles] {key} must be a whole number of megabytes") from None
            if value < 1:
                raise ValueError(f"[roles] {key} must be at least 1")
            uploads.append((role, value))
    return RoleRules(
        admins=_entries(section.get("admins"), "admins"),
        editors=_entries(section.get("editors"), "editors"),
        readers=_entries(section.get("readers"), "readers"),
        group_claim=str(section.get("group_claim") or "groups"),
        upload_mb=tuple(uploads),
    )


def claim_groups(claims: Mapping[str, object], claim: str) -> set[str]:
    """The groups a person is in, from a list claim or a space/comma separated string."""
    value = claims.get(claim)
    if value is None:
        return set()
    if isinstance(value, str):
        return {g for g in value.replace(",", " ").split() if g}
    if isinstance(value, Iterable):
        return {str(g).strip() for g in value if str(g).strip()}
    return {str(value)}


def claim_email(claims: Mapping[str, object]) -> str:
    """The person's e-mail address, lower case, or '' if absent or marked unverified."""
    email = str(claims.get("email") or "").strip().lower()
    if claims.get("email_verified") is False or str(claims.get("email_verified")) == "false":
        return ""
    return email


def _matches(rule: str, email: str, groups: set[str]) -> bool:
    rule = rule.strip()
    if rule == "*":
        return True
    if rule.startswith("group:"):
        return rule[len("group:") :].strip() in groups
    if not email:
        return False
    if rule.startswith("@"):
        return email.endswith(rule.lower())
    return email == rule.lower()


def resolve_role(claims: Mapping[str, object], rules: RoleRules) -> Role | None:
    """The highest role whose rules match the claims, or None (no access)."""
    email = claim_email(claims)
    groups = claim_groups(claims, rules.group_claim)
    for role, entries in (
        (Role.ADMIN, rules.admins),
        (Role.EDITOR, rules.editors),
        (Role.READER, rules.readers),
    ):
        if any(_matches(rule, email, groups) for rule in entries):
            return role
    return None


def signed_in_identity(claims: Mapping[str, object], rules: RoleRules) -> Identity | None:
    """The identity of a signed-in person (recorded by e-mail, else by the provider's
    subject id), or None if the rules give them no role."""
    role = resolve_role(claims, rules)
    if role is None:
        return None
    email = claim_email(claims) or str(claims.get("email") or "").strip().lower()
    name = email or str(claims.get("sub") or "").strip()
    if not name:
        return None
    display = str(claims.get("name") or "").strip()
    return Identity(
        name=name, role=role, signed_in=True, display=display, upload_mb=rules.limit_mb(role)
    )


# --------------------------------------------------------------------------- checks
# Each returns why a request is refused, or None if it may go ahead; ``data.store`` raises
# its ``AccessDenied`` with that text.


def write_refusal(who: Identity) -> str | None:
    """Why an addition, correction, deletion or import by ``who`` is refused (below
    editor), or None."""
    if who.can_write:
        return None
    return (
        f"Nothing was written: {who.name} is a {who.role.label} and may not change the "
        "store. Ask an admin of your team for the editor role."
    )


def undo_refusal(who: Identity, authors: Iterable[str]) -> str | None:
    """Why an undo by ``who`` of changes made by ``authors`` is refused (a reader; an
    editor undoing someone else's change), or None."""
    refused = write_refusal(who)
    if refused or who.is_admin:
        return refused
    others = sorted({a for a in authors if a != who.name})
    if others:
        return (
            f"Nothing was written: that change was made by {', '.join(others)}; an editor "
            "may undo only their own changes. Ask an admin to undo it."
        )
    return None


def upload_refusal(who: Identity, file_name: str, size_bytes: int) -> str | None:
    """Why a file of ``size_bytes`` is refused for ``who`` (a reader; over their role's
    limit), or None."""
    refused = write_refusal(who)
    if refused or who.upload_mb is None:
        return refused
    if size_bytes > who.upload_mb * 1024 * 1024:
        return (
            f"{file_name} is {size_bytes / 1024 / 1024:.1f} MB; a {who.role.label} may import "
            f"files of up to {who.upload_mb} MB. Nothing was read from it."
        )
    return None


def admin_refusal(who: Identity, what: str = "do that") -> str | None:
    """Why ``who`` may not ``what`` (managing aliases, the gazetteer: admins only), or
    None."""
    if who.is_admin:
        return None
    return f"Nothing was written: only an admin may {what}; {who.name} is a {who.role.label}."
