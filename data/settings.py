"""Settings read from the environment, in one place."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path


def today() -> date:
    """Today's date, or ``PATROLWATCH_TODAY`` (YYYY-MM-DD) for reproducible runs and tests."""
    fixed = os.environ.get("PATROLWATCH_TODAY", "").strip()
    return date.fromisoformat(fixed) if fixed else date.today()


def dataset_dir() -> Path | None:
    """A data set directory to load instead of the embedded one (``PATROLWATCH_DATA``)."""
    value = os.environ.get("PATROLWATCH_DATA", "").strip()
    return Path(value) if value else None


def secrets_section(name: str) -> dict:
    """One section of Streamlit's secrets (``.streamlit/secrets.toml``, or the files named by
    its ``secrets.files`` option) as a plain dict; {} if there is none."""
    from streamlit import config
    from streamlit.runtime.secrets import secrets_singleton

    if not secrets_singleton.load_if_toml_exists():
        # a secrets file that exists but cannot be read must not leave a team's app open
        # to anyone: refuse to start rather than run without sign-in
        for entry in config.get_option("secrets.files") or []:
            if Path(entry).is_file():
                raise ValueError(f"{entry} cannot be read as TOML; fix it or remove it.")
        return {}
    section = secrets_singleton.get(name)
    if section is None:
        return {}
    return section.to_dict() if hasattr(section, "to_dict") else dict(section)


def sign_in_configured() -> bool:
    """True when ``[auth]`` configures sign-in (a team deployment): everyone signs in,
    roles come from ``[roles]``. False: one analyst, no sign-in."""
    return bool(secrets_section("auth"))


def role_settings() -> dict:
    """The ``[roles]`` section of the secrets (see ``data.auth``)."""
    return secrets_section("roles")
