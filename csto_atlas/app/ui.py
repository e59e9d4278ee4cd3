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

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import folium
import streamlit as st

from csto_atlas.app.memo import ProcessCache
from csto_atlas.data import paths
from csto_atlas.data.alliance import Alliance, bundled_alliance, geodata_dir_of, load_alliance
from csto_atlas.data.errors import DataError
from csto_atlas.data.load import Atlas, load_atlas
from csto_atlas.data.read import fingerprint
from csto_atlas.domain.permalink import parse_permalink
from csto_atlas.domain.status import year_range
from csto_atlas.render import assets, mapbuild, mapfile
from csto_atlas.render.contract import CiteConfig
from csto_atlas.render.mapfile import MapFile
from csto_atlas.render.payload import MapPayload, map_payload
from csto_atlas.render.style import MAP_HEIGHT_PX

MAP_KEY = "atlas_map"
PAGE_KEY = "atlas_page"
ARRIVED_KEY = "atlas_arrived"


# --- loaders -------------------------------------------------------------------------------


DataStamp = tuple[tuple[str, int, int], ...]


# Kept by the process (app/memo.py), not by st.cache_*: a client's `clear_cache` message would
# empty those for every visitor, and the next one would wait for the atlas to load again.
PUBLISHED: ProcessCache[str, list[str]] = ProcessCache(max_entries=1)
ATLASES: ProcessCache[tuple[str, DataStamp], Atlas] = ProcessCache(max_entries=4)
PAYLOADS: ProcessCache[tuple[str, DataStamp, int, int], MapPayload] = ProcessCache(max_entries=8)
MAP_FILES: ProcessCache[tuple[str, DataStamp, int, int], MapFile] = ProcessCache(max_entries=8)
ALLIANCES: ProcessCache[tuple[str, DataStamp], Alliance] = ProcessCache(max_entries=4)


def publish_assets() -> list[str]:
    """Copy Leaflet and its markercluster into static/ once per server process (render/assets)."""
    return PUBLISHED.get("leaflet", lambda: [str(path) for path in assets.publish_leaflet()])


def data_stamp() -> DataStamp:
    """The data's fingerprint now (file names, sizes, mtimes): a few stat calls per run."""
    return fingerprint(paths.data_dir(), geodata_dir_of(paths.data_dir()))


# Both caches are keyed on the data's fingerprint as well as its folder, so a file edited
# under a running server is read again on the next run (an invalid one shows the error page).
def cached_atlas(data_dir: str, stamp: DataStamp) -> Atlas:
    """The validated atlas of one data folder as it is now, shared by every session."""
    key = (data_dir, stamp)
    if key in ATLASES:
        return ATLASES.get(key, lambda: load_atlas(Path(data_dir)))
    with st.spinner("Loading the atlas…"):
        return ATLASES.get(key, lambda: load_atlas(Path(data_dir)))


def cached_payload(data_dir: str, stamp: DataStamp, first: int, last: int) -> MapPayload:
    """The map's data for every year, shared by every session (read-only: a frozen dataclass)."""
    return PAYLOADS.get(
        (data_dir, stamp, first, last),
        lambda: map_payload(cached_atlas(data_dir, stamp), range(first, last + 1)),
    )


DataKey = tuple[str, DataStamp]


def data_key() -> DataKey:
    """The data folder and its fingerprint now: the key of every cache of data-derived values."""
    return str(paths.data_dir()), data_stamp()


def atlas_for(key: DataKey) -> Atlas:
    """The cached atlas of a data key (see data_key)."""
    return cached_atlas(*key)


def current_alliance() -> Alliance:
    """The data folder's alliance (its title, labels and layers' names), read before the atlas:
    the bundled one's while its alliance.toml is bad (atlas_or_stop then lists the problems)."""
    data_dir, stamp = data_key()
    return ALLIANCES.get((data_dir, stamp), lambda: alliance_or_bundled(Path(data_dir)))


def alliance_or_bundled(data_dir: Path) -> Alliance:
    """The alliance of `data_dir`, or the bundled one when its file does not validate."""
    try:
        return load_alliance(data_dir)
    except DataError:
        return bundled_alliance()


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


def map_file_for(years: range) -> MapFile:
    """The map file of the cached payload for `years` (render/mapfile.py), made once."""
    key = (str(paths.data_dir()), data_stamp(), years.start, years.stop - 1)
    return MAP_FILES.get(key, lambda: mapfile.map_file(cached_payload(*key)))


def map_file_named(name: str) -> MapFile | None:
    """The map file called `name` (`<digest>.js`): one this process has made, or else the
    current data's (a replica asked for a file before its first page view made it); None when
    it is neither (another release's or data version's)."""
    for file in MAP_FILES.values():
        if file.name == name:
            return file
    current = map_file_for(years_of(atlas_for(data_key())))
    return current if current.name == name else None


# --- pages ---------------------------------------------------------------------------------
# dashboard.py is the map page and Streamlit's pages/ folder holds the others (its documented
# multipage convention, no st.navigation): every URL runs its own script from the first visit.
# The sidebar's list of file names is switched off in .streamlit/config.toml; each page draws
# this header of st.page_link instead. Text only, like the map page's buttons: an icon is a glyph
# of Streamlit's 375 kB Material Symbols font, which the map page would then decode before its
# map's first paint (README "Performance").

NAV_PAGES = (
    ("dashboard.py", "Map"),
    ("pages/timeline.py", "Timeline"),
    ("pages/changes.py", "Changes"),
    ("pages/borders.py", "Borders"),
    ("pages/data.py", "Data"),
    ("pages/sources.py", "Sources"),
    ("pages/about.py", "About"),
)


# Streamlit draws captions at 60% opacity (3.9:1 on white); axe-core requires 4.5:1 for body text.
# Its page starts 6rem (96 px) down, under a header bar that is empty here: 1rem is enough, and
# the navigation row (on the left) sits beside the bar's menu (on the right).
PAGE_CSS = (
    "<style>[data-testid='stCaptionContainer'] { opacity: 1; }"
    " [data-testid='stCaptionContainer'] p { color: #595856; }"
    " [data-testid='stMainBlockContainer'] { padding-top: 1rem; }</style>"
)


# The map page's own skip link, the second Tab stop after Streamlit's "Skip to main content": it
# moves the focus onto the year slider inside the map's frame (same origin), past the navigation
# and the image buttons. Hidden until focused, as skip links are.
YEAR_SKIP_LINK = """<style>
.csto-skip { position: absolute; left: -10000px; top: auto; width: 1px; height: 1px;
  overflow: hidden; }
.csto-skip:focus { position: fixed; left: 1rem; top: .5rem; width: auto; height: auto;
  z-index: 1000000; padding: .4rem .8rem; background: #ffffff; color: #1b1b1b;
  border: 2px solid #1b1b1b; border-radius: 4px; }
</style>
<a class="csto-skip" href="#year">Skip to the map's year</a>
<script>
(function () {
  var link = document.querySelector("a.csto-skip");
  if (!link || link.dataset.ready) { return; }
  link.dataset.ready = "1";
  link.addEventListener("click", function (event) {
    var frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
    var slider = frame && frame.contentDocument
      ? frame.contentDocument.querySelector('.csto-year input[type="range"]') : null;
    if (slider) {
      event.preventDefault();
      frame.focus();
      slider.focus();
    }
  });
})();
</script>"""


def page_header(script: str, title: str) -> None:
    """Page config and the app's navigation, the first thing every page draws (on the map page,
    after a skip link to the year slider)."""
    atlas_title = current_alliance().title
    st.set_page_config(page_title=f"{title} · {atlas_title}", page_icon="🗺️", layout="wide")
    st.html(PAGE_CSS)
    if script == "dashboard.py":
        st.html(YEAR_SKIP_LINK, unsafe_allow_javascript=True)
    with st.container(horizontal=True, key="atlas_nav", gap="medium"):
        for path, label in NAV_PAGES:
            st.page_link(path, label=label)
    note_page(script)


def note_page(script: str) -> None:
    """Remember which page runs, and whether the user has just arrived on it from another one."""
    st.session_state[ARRIVED_KEY] = st.session_state.get(PAGE_KEY) != script
    st.session_state[PAGE_KEY] = script


# --- the map page ------------------------------------------------------------------------


def region_codes(atlas: Atlas) -> list[str]:
    """Every region code, ordered by name."""
    return list(atlas.regions.sort_values("name")["iso3"])


@dataclass(frozen=True)
class View:
    """A year and maybe a region: what a link opens the map on."""

    year: int
    country: str | None


def permalink_view(atlas: Atlas, years: range) -> View:
    """The view the page's link asks for (?year=, ?country=; the latest year by default), with
    a notice for each value the map cannot use (atlas.js falls back the same way)."""
    link = parse_permalink(st.query_params.to_dict(), years, region_codes(atlas))
    for notice in link.notices:
        st.warning(notice, icon="⚠️")
    return View(link.year, link.country)


def show_map(years: range, cite: CiteConfig | None = None, image_api: str = "") -> None:
    """The map with its year box, Country box and panel inside (and, given `cite`, the
    citation of the view it shows; given `image_api`, the HTTP API's path, the year box's
    links to the view's PNG and SVG): it never reruns the app. What every visitor shares (code,
    style, the payload) comes from the map file (/atlas/<digest>.js, app/api.py), which browsers
    keep; the map's message carries the rest."""
    fmap = mapbuild.build_map(
        payload_for(years), cite, image_api=image_api, map_file=map_file_for(years)
    )
    show_folium(fmap)


def show_folium(fmap: folium.Map) -> None:
    """Hand a built map to streamlit-folium, as the app does (the benchmark calls this too).

    Nothing comes back (`returned_objects=[]`), so nothing done on the map reruns the app.
    """
    # Imported here, inside a script run: streamlit-folium declares its component when it is
    # imported, and Streamlit registers a component only if that happens in a script run. The
    # server imports dashboard.py outside one (to find its st.App); imported then, the map's
    # component would never be served.
    from streamlit_folium import st_folium

    st_folium(
        fmap,
        key=MAP_KEY,
        height=MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=[],
        # st_folium renders the map itself; render=True would first render the whole page
        # around it too, which it does not send (tests/test_mapbuild.py checks the output).
        render=False,
    )
