"""The naive baseline the benchmark compares the dashboard with (not part of the product).

The straightforward implementation: a Streamlit `st.slider` for the year, and on every rerun
the whole Folium map rebuilt from unsimplified Natural Earth geometry and handed to
`st_folium`. Data loading is cached, as any Streamlit app would, so the baseline pays for the
rebuild and the transfer, not for reading files. Run by `python -m bench` from bench/ (whose
.streamlit/config.toml turns on static serving of bench/static/, where Leaflet is published).
"""

import streamlit as st
from streamlit_folium import st_folium

from bench.naive import naive_map, unsimplified_regions
from csto_atlas.data.load import load_atlas
from csto_atlas.domain.status import year_range
from csto_atlas.render.style import MAP_HEIGHT_PX


@st.cache_resource
def cached_atlas():
    return load_atlas()


@st.cache_resource
def cached_shapes():
    return unsimplified_regions(cached_atlas())


st.set_page_config(page_title="CSTO Atlas (naive baseline)", layout="wide")
atlas = cached_atlas()
years = year_range(atlas.membership)
year = st.slider("Year", years.start, years.stop - 1, value=years.stop - 1, key="year")
map_column, _ = st.columns([2, 1], gap="medium")
with map_column:
    st_folium(
        naive_map(atlas, cached_shapes(), year),
        key="map",
        height=MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=[],
    )
