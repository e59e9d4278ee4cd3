"""CSTO Atlas: page config, offline map assets, and the pages (the map is the default).

The pages live in app_pages/, not pages/: Streamlit treats a pages/ folder beside the main
script as a legacy multipage app until st.navigation has run once in the server process, so a
first visit straight to /data would bypass this file.
"""

import streamlit as st

from csto_atlas import ui

st.set_page_config(page_title="CSTO Atlas", page_icon="🗺️", layout="wide")
ui.publish_assets()
page = st.navigation(
    [
        st.Page("app_pages/map.py", title="Map", icon=":material/map:", default=True),
        st.Page("app_pages/data.py", title="Data", icon=":material/table:", url_path="data"),
        st.Page(
            "app_pages/sources.py", title="Sources", icon=":material/menu_book:", url_path="sources"
        ),
        st.Page("app_pages/about.py", title="About", icon=":material/info:", url_path="about"),
    ],
    position="top",
)
ui.note_page(page.url_path)
page.run()
