"""CSTO Atlas, the map page: statuses by year, bases, incidents, meetings, and a country's panel.

Everything on the map answers in the browser (see csto_atlas/app/ui.py). Streamlit's pages/
folder holds the other pages (Timeline, Changes, Borders, Data, Sources, About).
"""

import streamlit as st

from csto_atlas.app import evidence, ui

ui.page_header("dashboard.py", "Map")
ui.publish_assets()
atlas = ui.atlas_or_stop()
years = ui.years_of(atlas)
st.title("CSTO Atlas")
view = ui.permalink_view(atlas, years)
ui.show_map(years)
st.caption(
    "Status on 31 December of the year on the slider. Every fact cites its source: "
    "the Data page lists every row, the Sources page every source."
)
# The map answers in the browser and never reruns this script: the downloads and the
# citation are of the view the page was opened on (its link; a reload takes the current one).
st.caption(
    f"Downloads and citation of {view.year}"
    + (f" ({view.country})" if view.country else "")
    + ", the view this page was opened on; reload the page to take the map's current view."
)
evidence.show_map_downloads(atlas, view.year)
evidence.show_cite_view(view.year, view.country)
