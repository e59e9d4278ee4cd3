"""CSTO Atlas: page config, offline map assets, and the pages in pages/ (the map is the default).

Every page opens with `ui.enter_page(__file__)`. Streamlit treats a pages/ folder beside this
file as a legacy multipage app until st.navigation has run once in the server process, so the
very first visit to a fresh server straight at /data runs pages/data.py alone; that call sends
such a run round through this file, whose `ui.run_page` then switches on to the page asked for.
"""

import streamlit as st

from csto_atlas.app import ui

st.set_page_config(page_title="CSTO Atlas", page_icon="🗺️", layout="wide")
ui.publish_assets()
page = st.navigation(
    [
        st.Page("pages/map.py", title="Map", icon=":material/map:", default=True),
        st.Page("pages/data.py", title="Data", icon=":material/table:", url_path="data"),
        st.Page(
            "pages/sources.py", title="Sources", icon=":material/menu_book:", url_path="sources"
        ),
        st.Page("pages/about.py", title="About", icon=":material/info:", url_path="about"),
    ],
    position="top",
)
ui.run_page(page)
