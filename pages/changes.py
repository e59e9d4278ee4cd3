"""What changed between two years: every accession, withdrawal, suspension, freeze and return."""

import streamlit as st

from csto_atlas.app import evidence, story, ui

ui.page_header("pages/changes.py", "Changes")
atlas = ui.atlas_or_stop()
st.title("What changed")
st.caption(
    "Pick two years: every change of status taking effect after 31 December of the first, up to "
    "31 December of the second, with its date, source and quote."
)
first, last = story.pick_years(atlas)
changed = story.show_changes(atlas, first, last)
evidence.show_compared_maps(first, last, changed)
