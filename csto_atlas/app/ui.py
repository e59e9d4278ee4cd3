"""The only Streamlit glue: cached loaders, page routing, permalink notices, the map, tables.

The whole map page answers in the browser: the year slider, Play, a country click, the Country
box and the country's panel all live inside the map's own page (web/atlas.js), from content
prepared here once per data folder (`cached_payload`). st_folium is called with
`returned_objects=[]`, so nothing the user does on the map reruns Python, and an open tab keeps
working while the server restarts.

atlas.js reads the view (?year=, ?country=) from the page URL and writes it back (pushState
when the country changes, so Back and Forward step through the countries opened). Python only
reads the permalink to warn about values it cannot use; atlas.js falls back the same way.
"""

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from csto_atlas.data import paths
from csto_atlas.data.errors import DataError
from csto_atlas.data.load import Atlas, load_atlas
from csto_atlas.domain.permalink import parse_permalink
from csto_atlas.domain.sources import citations_by_id
from csto_atlas.domain.status import year_range
from csto_atlas.render import assets, html, mapbuild
from csto_atlas.render.payload import MapPayload, map_payload
from csto_atlas.render.style import MAP_HEIGHT_PX

MAP_KEY = "atlas_map"
PAGE_KEY = "atlas_page"
ARRIVED_KEY = "atlas_arrived"

TABLE_LABELS = {
    "membership": "Membership events",
    "bases": "Russian military bases",
    "incidents": "Incidents",
    "meetings": "Meetings",
    "notes": "Notes",
    "countries": "Countries and regions",
}


# --- loaders -------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def publish_assets() -> list[str]:
    """Copy Leaflet and its markercluster into static/ once per server process (render/assets)."""
    return [str(path) for path in assets.publish_leaflet()]


@st.cache_resource(show_spinner="Loading the atlas…")
def cached_atlas(data_dir: str) -> Atlas:
    """The validated atlas of one data folder, shared by every session."""
    return load_atlas(Path(data_dir))


@st.cache_data(show_spinner=False)
def cached_payload(data_dir: str, first: int, last: int) -> MapPayload:
    """The map's data for every year (plain data: each rerun gets its own copy)."""
    return map_payload(cached_atlas(data_dir), range(first, last + 1))


def atlas_or_stop() -> Atlas:
    """The atlas, or an error listing every problem in the data and a stop."""
    try:
        return cached_atlas(str(paths.data_dir()))
    except DataError as error:
        st.error("The data did not validate, so the atlas cannot be drawn. Problems found:")
        st.code("\n".join(str(problem) for problem in error.problems), language=None)
        st.stop()
        raise  # st.stop() raises; this keeps type checkers and readers sure of it


def years_of(atlas: Atlas, today: date | None = None) -> range:
    """The years the slider offers: from the first membership event to this year."""
    return year_range(atlas.membership, today)


def payload_for(years: range) -> MapPayload:
    """The cached map data for `years`."""
    return cached_payload(str(paths.data_dir()), years.start, years.stop - 1)


# --- pages ---------------------------------------------------------------------------------
# dashboard.py is the map page and Streamlit's pages/ folder holds the others (its documented
# multipage convention, no st.navigation): every URL runs its own script from the first visit.
# The sidebar's list of file names is switched off in .streamlit/config.toml; each page draws
# this header of st.page_link instead.

NAV_PAGES = (
    ("dashboard.py", "Map", ":material/map:"),
    ("pages/data.py", "Data", ":material/table:"),
    ("pages/sources.py", "Sources", ":material/menu_book:"),
    ("pages/about.py", "About", ":material/info:"),
)


# Streamlit draws captions at 60% opacity (3.9:1 on white); axe-core requires 4.5:1 for body text.
PAGE_CSS = (
    "<style>[data-testid='stCaptionContainer'] { opacity: 1; }"
    " [data-testid='stCaptionContainer'] p { color: #595856; }</style>"
)


def page_header(script: str, title: str) -> None:
    """Page config and the app's navigation, the first thing every page draws."""
    st.set_page_config(page_title=f"{title} · CSTO Atlas", page_icon="🗺️", layout="wide")
    st.html(PAGE_CSS)
    with st.container(horizontal=True, key="atlas_nav", gap="medium"):
        for path, label, icon in NAV_PAGES:
            st.page_link(path, label=label, icon=icon)
    note_page(script)


def note_page(script: str) -> None:
    """Remember which page runs, and whether the user has just arrived on it from another one."""
    st.session_state[ARRIVED_KEY] = st.session_state.get(PAGE_KEY) != script
    st.session_state[PAGE_KEY] = script


# --- the map page ------------------------------------------------------------------------


def region_codes(atlas: Atlas) -> list[str]:
    """Every region code, ordered by name."""
    return list(atlas.regions.sort_values("name")["iso3"])


def show_permalink_notices(atlas: Atlas, years: range) -> None:
    """A notice for each value of ?year= or ?country= the map cannot use (it falls back)."""
    link = parse_permalink(st.query_params.to_dict(), years, region_codes(atlas))
    for notice in link.notices:
        st.warning(notice, icon="⚠️")


def show_map(years: range) -> None:
    """The map with its year box, Country box and panel inside: it never reruns the app."""
    st_folium(
        mapbuild.build_map(payload_for(years)),
        key=MAP_KEY,
        height=MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=[],
        # st_folium renders the map itself; render=True would first render the whole page
        # around it too, which it does not send (tests/test_mapbuild.py checks the output).
        render=False,
    )


# --- the data and sources pages ------------------------------------------------------------


def with_citations(atlas: Atlas, frame: pd.DataFrame) -> pd.DataFrame:
    """The table with its source's citation beside each row."""
    if "source_id" not in frame:
        return frame
    return frame.assign(source=frame["source_id"].map(citations_by_id(atlas.sources)))


def dataset_tables(atlas: Atlas) -> dict[str, pd.DataFrame]:
    """Each dataset as displayed: its file's columns plus the citation of its source."""
    tables = {}
    for name, label in TABLE_LABELS.items():
        frame = getattr(atlas, name)
        derived = [c for c in ("precision", "starts", "ends", "located_iso3") if c in frame]
        tables[label] = with_citations(atlas, frame.drop(columns=derived).reset_index(drop=True))
    return tables


def show_tables(atlas: Atlas) -> None:
    """Every dataset as a table: cells are shown as text, never interpreted as HTML or Markdown."""
    for label, frame in dataset_tables(atlas).items():
        st.subheader(label)
        st.dataframe(
            frame, key=f"table_{label.lower().replace(' ', '_')}", hide_index=True, width="stretch"
        )


def show_bibliography(atlas: Atlas) -> None:
    """The sources page body."""
    st.html(html.bibliography(atlas.sources, citations_by_id(atlas.sources)))
