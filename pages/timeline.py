"""Every country's status from 1992 to today; a click on a bar opens the map there."""

import streamlit as st

from csto_atlas.app import story, ui

ui.page_header("pages/timeline.py", "Timeline")
atlas = ui.atlas_or_stop()
st.title("Timeline")
st.caption(
    "Each country's status over time, in the map's colours; the bars below count the members "
    "(member or frozen) on 31 December of each year. A dashed outline marks an uncertain date: "
    "sources disagree, or the date is known only to the month or year. Hover a bar for the event "
    "that started it and its source; click it to open the map on that country and year."
)
story.show_timeline(atlas)
