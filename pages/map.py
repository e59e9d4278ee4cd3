"""The map: statuses by year, bases, incidents, meetings; a region's panel beside it."""

import streamlit as st

from csto_atlas import ui

ui.enter_page(__file__)
atlas = ui.atlas_or_stop()
years = ui.years_of(atlas)
opening = ui.start_session(atlas, years)
st.title("CSTO Atlas")
ui.show_notices()
map_column, panel_column = st.columns([2, 1], gap="medium")
with map_column:
    ui.show_map(atlas, years, opening)
shown = ui.shown_view()
with panel_column:
    ui.show_panel(atlas, shown)
ui.write_permalink(shown)
