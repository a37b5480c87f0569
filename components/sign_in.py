"""Sign-in and who is asking: Streamlit's own OpenID Connect support (``st.login``,
``st.user``, ``st.logout``) when ``[auth]`` is configured, else the one local analyst.

The identity is worked out again on every run from ``st.user`` (read from the signed
identity cookie on the server), never from anything the browser sends with a widget, and
handed to the store with every write (``data.store`` checks it).
"""

from __future__ import annotations

import streamlit as st

from components.html import md_escape
from data.auth import Identity, local_identity, rules_from_config, signed_in_identity
from data.settings import role_settings, sign_in_configured

#: the name box of an app without sign-in (the name recorded with each change)
KEY_WHO = "data_who"


def current_identity() -> Identity | None:
    """Who is using this session: the signed-in person with their role, None if not
    signed in or given no role; without sign-in, the local analyst (under the name typed
    on the Data page, else the OS user)."""
    if not sign_in_configured():
        return local_identity(str(st.session_state.get(KEY_WHO) or ""))
    if not st.user.is_logged_in:
        return None
    return signed_in_identity(dict(st.user), rules_from_config(role_settings()))


def _sign_in_screen() -> None:
    """The only page of a session not signed in (or given no role): why, and the button."""
    st.title("PatrolWatch")
    try:
        rules = rules_from_config(role_settings())
    except ValueError as err:
        st.error(md_escape(f"The sign-in configuration is refused: {err}"))
        return
    if not st.user.is_logged_in:
        st.info("Sign in with your team's account to see PatrolWatch.")
        if st.button("Sign in", type="primary", key="auth_sign_in"):
            st.login()
        return
    if signed_in_identity(dict(st.user), rules) is None:
        email = str(st.user.get("email") or st.user.get("sub") or "this account")
        st.warning(
            md_escape(
                f"You are signed in as {email}, but this PatrolWatch gives that account no "
                "role. Ask your team lead to add you to the readers, editors or admins."
            )
        )
        if st.button("Sign out", key="auth_sign_out_norole"):
            st.logout()


def signed_out_page() -> st.Page:
    """The page ``app.py`` routes to until the person has signed in with a role: the
    sign-in screen, and neither the page list nor any page of the app."""
    return st.Page(_sign_in_screen, title="Sign in", url_path="sign-in", default=True)


def render_sign_in() -> Identity | None:
    """Called by ``app.py`` before any page. Without sign-in configured: the local analyst.
    With it: the signed-in person with their role (their name, role and a sign-out button
    go in the sidebar), or None until they have signed in and been given a role (then
    ``signed_out_page`` is all there is)."""
    try:
        if not sign_in_configured():
            return current_identity()
        rules = rules_from_config(role_settings())
    except ValueError:
        return None  # the sign-in screen says what is wrong
    if not st.user.is_logged_in:
        return None
    who = signed_in_identity(dict(st.user), rules)
    if who is None:
        return None
    with st.sidebar:
        st.caption(md_escape(f"Signed in as {who.describe()}."))
        if st.button("Sign out", key="auth_sign_out"):
            st.logout()
    return who
