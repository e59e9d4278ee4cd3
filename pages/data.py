"""Every dataset as a searchable table, a year's downloads, and how well the data is supported."""

import streamlit as st

from csto_atlas.app import evidence, ui

ui.page_header("pages/data.py", "Data")
atlas = ui.atlas_or_stop()
st.title("Data")
st.caption(
    "Every table the map is drawn from. Each row names its source; quotes are verbatim. "
    "Sort by clicking a header; search all tables with the box below."
)
evidence.show_data_page(atlas)
