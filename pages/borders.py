"""The CSTO's outer land border: over the years, by neighbour, and how far to trust it."""

import streamlit as st

from csto_atlas.app import story, ui

ui.page_header("pages/borders.py", "Borders")
atlas = ui.atlas_or_stop()
st.title("Borders")
st.caption(
    "The land border between the members (member or frozen on 31 December) and every "
    "non-member neighbour, measured on the map's polygons."
)
story.show_border_chart(atlas)
year = story.pick_border_year(atlas)
story.show_borders_of_year(atlas, year)
story.show_accuracy_note(atlas)
