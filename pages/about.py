"""What the atlas shows and how to read it."""

import streamlit as st

from csto_atlas.app import evidence, ui

ui.page_header("pages/about.py", "About")
alliance = ui.current_alliance()
st.title(f"About {alliance.title}")
st.markdown(
    f"""
{alliance.about}

- **Year**: drag the slider in the map or use the arrow keys on it; **▶** plays the years.
- **Click a country** (or choose it in the select box) to read its membership history, the
  notes about it with their quotes and citations, and the bases and incidents located in it.
- **Links** reopen a view: `?year=2019&country=TJK`.
- Breakaway regions (Abkhazia, South Ossetia, Transnistria, Nagorno-Karabakh) are hatched
  with a dashed border.
- Where two sources disagree about an event, both accounts are shown.

The map works offline: Leaflet is served by the app itself, and the background is drawn from
the country polygons. An OpenStreetMap background can be switched on in the layer control
(it loads tiles from the internet).
"""
)
evidence.show_status_key()
evidence.show_version()
