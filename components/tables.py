"""One renderer for the app's tables: text shown as text (never as markup), links as links."""

from __future__ import annotations

import pandas as pd
import streamlit as st


def render_table(
    table: pd.DataFrame,
    key: str,
    *,
    links: tuple[str, ...] = (),
    wide: tuple[str, ...] = (),
    height: int | str = "auto",
) -> None:
    """Show ``table`` full width; ``links`` columns hold URLs shown as 'open' links and
    ``wide`` columns get room for long text."""
    config: dict[str, object] = {
        col: st.column_config.LinkColumn(col, display_text="open") for col in links
    }
    config.update({col: st.column_config.TextColumn(width="large") for col in wide})
    st.dataframe(
        table, key=key, hide_index=True, width="stretch", height=height, column_config=config
    )
