"""Every source, and under it every fact that cites it, with its quote."""

import streamlit as st

from csto_atlas.app import evidence, ui

ui.page_header("pages/sources.py", "Sources")
atlas = ui.atlas_or_stop()
st.title("Sources")
st.caption(
    "Author, “Title”, Publisher, date. Open a source to read every fact that rests on it, "
    "with the quote it rests on."
)
evidence.show_sources_page(atlas)
