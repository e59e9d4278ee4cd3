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

app = st.App("dashboard.py", routes=api.routes(), middleware=api.middleware())

if __name__ == "__main__":
    ui.page_header("dashboard.py", "Map")
    ui.publish_assets()
    atlas = ui.atlas_or_stop()
    years = ui.years_of(atlas)
    st.title("CSTO Atlas")
    view = ui.permalink_view(atlas, years)
    evidence.show_map_downloads(atlas, view.year)
    ui.show_map(years, evidence.map_citations())
    # The map answers in the browser and never reruns this script: the map images are of the
    # year the page was opened on (its link; a reload takes the current one). "Cite this view",
    # under the map's panel, follows the map.
    st.caption(
        "Status on 31 December of the year on the slider. Every fact cites its source: the Data "
        f"page lists every row, the Sources page every source. The map images above are of "
        f"{view.year}, the year this page was opened on: reload the page to take the map's "
        "current year. Cite this view is under the map's panel."
    )
