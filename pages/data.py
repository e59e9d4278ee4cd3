"""Every dataset as a table, each row with the citation of its source."""

import streamlit as st

from csto_atlas.app import ui

ui.page_header("pages/data.py", "Data")
atlas = ui.atlas_or_stop()
st.title("Data")
st.caption("Every table the map is drawn from. Each row names its source; quotes are verbatim.")
ui.show_tables(atlas)
