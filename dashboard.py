"""CSTO Atlas, the map page: statuses by year, bases, incidents, meetings, and a country's panel.

Everything on the map answers in the browser (see csto_atlas/app/ui.py). Streamlit's pages/
folder holds the other pages (Data, Sources, About).
"""

import streamlit as st

from csto_atlas.app import ui

ui.page_header("dashboard.py", "Map")
ui.publish_assets()
atlas = ui.atlas_or_stop()
years = ui.years_of(atlas)
st.title("CSTO Atlas")
ui.show_permalink_notices(atlas, years)
ui.show_map(years)
st.caption(
    "Status on 31 December of the year on the slider. Every fact cites its source: "
    "the Data page lists every row, the Sources page every source."
)
