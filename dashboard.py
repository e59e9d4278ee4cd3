"""CSTO Atlas, the map page: statuses by year, bases, incidents, meetings, and a country's panel.

Everything on the map answers in the browser (see csto_atlas/app/ui.py). Streamlit's pages/
folder holds the other pages (Timeline, Changes, Borders, Data, Sources, About).

`streamlit run dashboard.py` finds `app` below and serves it: this page and pages/ as always,
with the HTTP API (/api/v1/...) and the cache headers of versioned files beside them
(csto_atlas/app/api.py). Streamlit runs this file as each page view's script (as __main__);
the server only imports it to find `app`.
"""

import streamlit as st

from csto_atlas.app import api, evidence, ui

api.send_without_delay()
app = st.App("dashboard.py", routes=api.routes(), middleware=api.middleware())

if __name__ == "__main__":
    ui.page_header("dashboard.py", "Map")
    ui.publish_assets()
    atlas = ui.atlas_or_stop()
    years = ui.years_of(atlas)
    st.title(atlas.alliance.title)
    ui.permalink_view(atlas, years)  # warns of a bad ?year= or ?country= (atlas.js reads them)
    # The map answers in the browser and never reruns this script: its year box links the PNG
    # and SVG of the view to the API (absolute paths: Streamlit serves st.App's routes at the
    # server's root, whatever server.baseUrlPath says), and "Cite this view" follows it too.
    ui.show_map(years, evidence.map_citations(), image_api=api.PREFIX)
    st.caption(
        "Status on 31 December of the year on the slider. Every fact cites its source: the Data "
        "page lists every row, the Sources page every source. PNG and SVG beside the year box "
        "download the map shown; the Data page makes the time-lapse GIF. Cite this view is under "
        "the map's panel."
    )
