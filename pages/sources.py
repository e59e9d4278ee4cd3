"""The bibliography: every source the data cites."""

import streamlit as st

from csto_atlas.app import ui

ui.page_header("pages/sources.py", "Sources")
atlas = ui.atlas_or_stop()
st.title("Sources")
st.caption("Author, “Title”, Publisher, date — every source a row of the data cites.")
ui.show_bibliography(atlas)
