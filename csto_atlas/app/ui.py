"""The only Streamlit glue: cached loaders, page routing, the permalink, the map, the panel, tables.

The year slider, the Play button and the country select box live inside the map
(web/atlas.js): moving through the years never reruns Python. Clicking a country, or picking
it in the map's select box, is the one map interaction that does: streamlit-folium sends the
feature, and atlas.js has written the year on screen into every feature's properties.

atlas.js also keeps the page URL's ?year= in step with the slider, so a copied link reopens
the year on screen. Streamlit itself does not see that change (its frontend sends back the
query string it last set), which is why the year reaches Python with the clicked feature
rather than through `st.query_params`.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

from csto_atlas.data import paths
from csto_atlas.data.errors import DataError
from csto_atlas.data.load import Atlas, load_atlas
from csto_atlas.data.read import fingerprint
from csto_atlas.domain.panel import panel_view
from csto_atlas.domain.permalink import parse_country, parse_permalink, parse_year
from csto_atlas.domain.sources import citations_by_id
from csto_atlas.domain.status import year_range
from csto_atlas.render import assets, html, mapbuild
from csto_atlas.render.payload import MapPayload, map_payload
from csto_atlas.render.style import MAP_HEIGHT_PX

MAP_KEY = "atlas_map"
OPENING_KEY = "atlas_opening"
SHOWN_KEY = "atlas_shown"
NOTICES_KEY = "atlas_notices"
PAGE_KEY = "atlas_page"
ARRIVED_KEY = "atlas_arrived"
PANEL_KEY = "atlas_panel"


# --- loaders -------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def publish_assets() -> list[str]:
    """Copy Leaflet into static/ once per server process (see csto_atlas.render.assets)."""
    return [str(path) for path in assets.publish_leaflet()]


DataStamp = tuple[tuple[str, int, int], ...]


def data_stamp() -> DataStamp:
    """The data's fingerprint now (file names, sizes, mtimes): a few stat calls per run."""
    return fingerprint(paths.data_dir(), paths.GEODATA_DIR)


# Both caches are keyed on the data's fingerprint as well as its folder, so a file edited
# under a running server is read again on the next run (an invalid one shows the error page).
@st.cache_resource(show_spinner="Loading the atlas…", max_entries=4)
def cached_atlas(data_dir: str, stamp: DataStamp) -> Atlas:
    """The validated atlas of one data folder as it is now, shared by every session."""
    return load_atlas(Path(data_dir))


@st.cache_data(show_spinner=False, max_entries=8)
def cached_payload(data_dir: str, stamp: DataStamp, first: int, last: int) -> MapPayload:
    """The map's data for every year (plain data: each rerun gets its own copy)."""
    return map_payload(cached_atlas(data_dir, stamp), range(first, last + 1))


DataKey = tuple[str, DataStamp]


def data_key() -> DataKey:
    """The data folder and its fingerprint now: the key of every cache of data-derived values."""
    return str(paths.data_dir()), data_stamp()


def atlas_for(key: DataKey) -> Atlas:
    """The cached atlas of a data key (see data_key)."""
    return cached_atlas(*key)


def atlas_or_stop() -> Atlas:
    """The atlas, or an error listing every problem in the data and a stop."""
    try:
        return cached_atlas(str(paths.data_dir()), data_stamp())
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
    return cached_payload(str(paths.data_dir()), data_stamp(), years.start, years.stop - 1)


# --- pages ---------------------------------------------------------------------------------
# dashboard.py is the map page and Streamlit's pages/ folder holds the others (its documented
# multipage convention, no st.navigation): every URL runs its own script from the first visit.
# The sidebar's list of file names is switched off in .streamlit/config.toml; each page draws
# this header of st.page_link instead.

NAV_PAGES = (
    ("dashboard.py", "Map", ":material/map:"),
    ("pages/timeline.py", "Timeline", ":material/timeline:"),
    ("pages/changes.py", "Changes", ":material/compare_arrows:"),
    ("pages/borders.py", "Borders", ":material/border_outer:"),
    ("pages/data.py", "Data", ":material/table:"),
    ("pages/sources.py", "Sources", ":material/menu_book:"),
    ("pages/about.py", "About", ":material/info:"),
)


def page_header(script: str, title: str) -> None:
    """Page config and the app's navigation, the first thing every page draws."""
    st.set_page_config(page_title=f"{title} · CSTO Atlas", page_icon="🗺️", layout="wide")
    with st.container(horizontal=True, key="atlas_nav", gap="medium"):
        for path, label, icon in NAV_PAGES:
            st.page_link(path, label=label, icon=icon)
    note_page(script)


def note_page(script: str) -> None:
    """Remember which page runs, and whether the user has just arrived on it from another one."""
    st.session_state[ARRIVED_KEY] = st.session_state.get(PAGE_KEY) != script
    st.session_state[PAGE_KEY] = script


# --- the session's view ----------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A year and maybe a region: what the map opens on, or what the panel shows."""

    year: int
    country: str | None


def start_session(atlas: Atlas, years: range) -> View:
    """Read the permalink once per session; return the view the map opens on (fixed per session).

    The map's JavaScript is built from this view only, so it is identical on every rerun of the
    session and streamlit-folium never remounts it (which would lose the user's zoom and year).
    """
    if OPENING_KEY not in st.session_state:
        link = parse_permalink(st.query_params.to_dict(), years, region_codes(atlas))
        st.session_state[OPENING_KEY] = View(link.year, link.country)
        st.session_state[SHOWN_KEY] = View(link.year, link.country)
        st.session_state[NOTICES_KEY] = link.notices
    elif st.session_state.get(ARRIVED_KEY):
        # Back from another page: the map is mounted anew anyway, so it may open on the
        # view the panel shows rather than on the session's first one.
        st.session_state[OPENING_KEY] = st.session_state[SHOWN_KEY]
    return st.session_state[OPENING_KEY]


def show_notices() -> None:
    """The permalink's notices, once."""
    for notice in st.session_state.pop(NOTICES_KEY, ()):
        st.warning(notice, icon="⚠️")


def shown_view() -> View:
    """The year and region the panel shows: the last clicked, else the permalink's."""
    return st.session_state[SHOWN_KEY]


def write_permalink(view: View) -> None:
    """Make the URL reopen this year and panel (only touching what changed)."""
    if st.query_params.get("year") != str(view.year):
        st.query_params["year"] = str(view.year)
    if view.country is None:
        if "country" in st.query_params:
            del st.query_params["country"]
    elif st.query_params.get("country") != view.country:
        st.query_params["country"] = view.country


# --- the map -------------------------------------------------------------------------------


def region_codes(atlas: Atlas) -> list[str]:
    """Every region code, ordered by name."""
    return list(atlas.regions.sort_values("name")["iso3"])


def clicked_view(value: Any, known: Collection[str], years: range) -> View | None:
    """The region and year of a click in the map's returned value, or None."""
    drawing = value.get("last_active_drawing") if isinstance(value, dict) else None
    props = drawing.get("properties") if isinstance(drawing, dict) else None
    if not isinstance(props, dict):
        return None
    country = parse_country(str(props.get("iso3", "")), known)
    year = parse_year(str(props.get("year", "")), years)
    return View(year, country) if country and year is not None else None


def take_map_click(known: Collection[str], years: range) -> None:
    """Callback: a region was clicked (or picked in the map's select box); show its panel."""
    clicked = clicked_view(st.session_state.get(MAP_KEY), known, years)
    if clicked is not None:
        st.session_state[SHOWN_KEY] = clicked


def show_map(atlas: Atlas, years: range, opening: View) -> None:
    """The map, with the year slider, Play button and country select box inside it."""
    fmap = mapbuild.build_map(payload_for(years), opening.year, opening.country)
    show_folium(fmap, on_change=partial(take_map_click, frozenset(region_codes(atlas)), years))


def show_folium(fmap: folium.Map, on_change: Callable[[], None] | None = None) -> None:
    """Hand a built map to streamlit-folium, as the app does (the benchmark calls this too)."""
    st_folium(
        fmap,
        key=MAP_KEY,
        height=MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
        on_change=on_change,
        # st_folium renders the map itself; render=True would first render the whole page
        # around it too, which it does not send (tests/test_mapbuild.py checks the output).
        render=False,
    )


# --- the country panel ---------------------------------------------------------------------


def panel_html(atlas: Atlas, iso3: str, year: int) -> str:
    """The whole panel of one region in one year (autoescaped template)."""
    return html.panel(panel_view(atlas, iso3, year), citations_by_id(atlas.sources))


PANEL_CSS = """<style>
.csto-panel { overflow-wrap: anywhere; }
.csto-panel blockquote { margin: .3rem 0; padding-left: .6rem; border-left: 3px solid #bbb; }
.csto-panel .csto-cite { font-size: .85rem; color: #555; }
.csto-panel .csto-alt { margin: .3rem 0 0 .8rem; padding-left: .6rem; border-left: 2px dashed #b8433a; }
.csto-panel li { margin-bottom: .5rem; }
</style>"""


def show_panel(atlas: Atlas, view: View) -> None:
    """The panel of the chosen region, or a hint when none is chosen."""
    with st.container(key=PANEL_KEY, height=MAP_HEIGHT_PX, border=False):
        if view.country is None:
            st.info(
                "Click a country on the map, or choose it in the map's Country box, "
                "to read its history."
            )
            return
        st.html(PANEL_CSS + panel_html(atlas, view.country, view.year))
