"""CSTO Atlas, the map page: statuses by year, bases, incidents, meetings; a region's panel beside it.

Streamlit's pages/ folder holds the other pages (Data, Sources, About).
"""

import streamlit as st

from csto_atlas.app import evidence, ui

ui.page_header("dashboard.py", "Map")
ui.publish_assets()
atlas = ui.atlas_or_stop()
years = ui.years_of(atlas)
opening = ui.start_session(atlas, years)
st.title("CSTO Atlas")
ui.show_notices()
map_column, panel_column = st.columns([2, 1], gap="medium")
shown = ui.shown_view()
with panel_column:  # filled first: after a click, the notes go out before the map is rebuilt
    ui.show_panel(atlas, shown)
with map_column:
    ui.show_map(atlas, years, opening)
ui.write_permalink(shown)
evidence.show_map_downloads(atlas, shown.year)
evidence.show_cite_view(shown.year, shown.country)
