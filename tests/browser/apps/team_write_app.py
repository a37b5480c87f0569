"""A page for tests/browser/test_team.py: it tries to write to the store as whoever this
browser session signed in as, without the Data page's interface in the way, which is what a
forged request would reach. The store must refuse a reader. SYNTHETIC record."""

from __future__ import annotations

import streamlit as st

from components.sign_in import current_identity
from data.cache import current_store
from data.store import StoreError

RECORD = {
    "source_id": "synthetic-forged-write",
    "publisher": "Synthetic publisher",
    "title": "SYNTHETIC record a forged request tries to write",
    "url": "https://example.org/synthetic-forged",
    "published": "2024",
    "language": "en",
    "kind": "dataset",
    "affiliation": "unknown",
    "reliability": "C",
    "reliability_basis": "synthetic",
}

st.title("Forged write")
if not st.user.is_logged_in:
    if st.button("Sign in"):
        st.login()
    st.stop()
who = current_identity()
st.caption("Signed in as")
st.text(f"identity: {who.describe() if who else 'nobody signed in'}")
try:
    revision = current_store().insert("sources", RECORD, who=who or "anonymous")
except StoreError as err:
    st.error(f"refused: {err}")
else:
    st.success(f"written as change r{revision}")
