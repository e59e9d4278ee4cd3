"""What changed between two years: every accession, withdrawal, suspension, freeze and return."""

import streamlit as st

from csto_atlas.app import story, ui

ui.page_header("pages/changes.py", "Changes")
atlas = ui.atlas_or_stop()
st.title("What changed")
st.caption(
    "Pick two years: every change of status taking effect after 31 December of the first, up to "
    "31 December of the second, with its date, source and quote."
)
first, last = story.pick_years(atlas)
changed = story.show_changes(atlas, first, last)
# --- INTEGRATOR: the two static maps go here, side by side (csto_atlas/render/images.py):
# render_map(atlas, first, fmt="png", highlight=changed) and the same for `last`, each in an
# st.columns(2) column with st.image. `changed` lists the codes of the countries to outline.
