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

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from csto_atlas.data import paths
from csto_atlas.data.errors import DataError
from csto_atlas.data.load import Atlas, load_atlas
from csto_atlas.data.read import fingerprint
from csto_atlas.domain import geo
from csto_atlas.domain.sources import citation_text, citations_by_id
from csto_atlas.domain.status import DEFAULT_STATUS, status_on, year_range
from csto_atlas.render import assets, mapbuild
from csto_atlas.render.mapbuild import esc, evidence_html

MAP_KEY = "atlas_map"
OPENING_KEY = "atlas_opening"
SHOWN_KEY = "atlas_shown"
NOTICES_KEY = "atlas_notices"
PAGE_KEY = "atlas_page"
ARRIVED_KEY = "atlas_arrived"
PANEL_KEY = "atlas_panel"
YEAR_PATTERN = re.compile(r"[0-9]{4}")
ISO3_PATTERN = re.compile(r"[A-Z]{3}")

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
def cached_payload(data_dir: str, stamp: DataStamp, first: int, last: int) -> mapbuild.MapPayload:
    """The map's data for every year (plain data: each rerun gets its own copy)."""
    return mapbuild.map_payload(cached_atlas(data_dir, stamp), range(first, last + 1))


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


def payload_for(years: range) -> mapbuild.MapPayload:
    """The cached map data for `years`."""
    return cached_payload(str(paths.data_dir()), data_stamp(), years.start, years.stop - 1)


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


# --- the permalink -------------------------------------------------------------------------


@dataclass(frozen=True)
class Permalink:
    """What the URL asked for, made safe: a year, maybe a country, and notices about the rest."""

    year: int
    country: str | None
    notices: tuple[str, ...] = ()


def parse_year(text: str | None, years: range) -> int | None:
    """A year within `years` from its four digits, or None."""
    if text is None or not YEAR_PATTERN.fullmatch(text.strip()):
        return None
    year = int(text.strip())
    return year if year in years else None


def parse_country(text: str | None, known: Collection[str]) -> str | None:
    """A known region code from its ISO3 letters (any case), or None."""
    if text is None:
        return None
    code = text.strip().upper()
    return code if ISO3_PATTERN.fullmatch(code) and code in known else None


def parse_permalink(params: Mapping[str, str], years: range, known: Collection[str]) -> Permalink:
    """Read ?year= and ?country=; anything unusable falls back to the default with a notice."""
    notices = []
    year = parse_year(params.get("year"), years)
    if year is None:
        year = years.stop - 1
        if "year" in params:
            notices.append(
                f"The link's year is not a year between {years.start} and {years.stop - 1}; "
                f"showing {year} instead."
            )
    country = parse_country(params.get("country"), known)
    if country is None and params.get("country"):
        notices.append("The link's country is not a code this map knows; showing no country.")
    return Permalink(year, country, tuple(notices))


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


def region_names(atlas: Atlas) -> dict[str, str]:
    """Region code -> name."""
    return dict(zip(atlas.regions["iso3"], atlas.regions["name"], strict=True))


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
    st_folium(
        fmap,
        key=MAP_KEY,
        height=mapbuild.MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
        on_change=partial(take_map_click, frozenset(region_codes(atlas)), years),
        # st_folium renders the map itself; render=True would first render the whole page
        # around it too, which it does not send (tests/test_mapbuild.py checks the output).
        render=False,
    )


# --- the country panel ---------------------------------------------------------------------
# Built on every click, for one region and year. Rows are read as records and cited from one
# mapping of every source's citation: iterating pandas rows and looking each source up again
# cost tens of milliseconds a panel.

Record = dict[str, Any]


def records(frame: pd.DataFrame) -> list[Record]:
    """The rows of a table as dicts (a missing cell is NaN or None)."""
    return frame.to_dict("records")


def status_line(atlas: Atlas, iso3: str, year: int) -> str:
    """`Member on 31 December 2013 (detail)`, escaped; the default status before any event."""
    in_effect = status_on(atlas.membership, date(year, 12, 31))
    status, detail = (
        (in_effect.at[iso3, "status"], in_effect.at[iso3, "detail"])
        if iso3 in in_effect.index
        else (DEFAULT_STATUS, None)
    )
    detail_part = f" — {esc(detail)}" if isinstance(detail, str) else ""
    return f"<strong>{esc(status.capitalize())}</strong> on 31 December {year}{detail_part}"


def history_html(atlas: Atlas, citations: mapbuild.Citations, iso3: str) -> str:
    """Membership events in date order; another source's account sits under the event it disputes."""
    events = records(geo.history(atlas, iso3))
    if not events:
        return "<p>No membership event recorded.</p>"
    items = []
    for event in (event for event in events if pd.isna(event["same_as"])):
        disputed = "".join(
            f'<div class="csto-alt"><em>Another source dates it {esc(other["date"])}</em>'
            f"{detail_text(other)}{evidence_html(citations, other)}</div>"
            for other in events
            if other["same_as"] == event["id"]
        )
        items.append(
            f"<li><strong>{esc(event['date'])}</strong>: {esc(event['status'])}"
            f"{detail_text(event)}{evidence_html(citations, event)}{disputed}</li>"
        )
    return f"<ol class='csto-history'>{''.join(items)}</ol>"


def detail_text(row: Record) -> str:
    """` (detail)` when the row has one, escaped."""
    detail = row.get("detail")
    return f" ({esc(detail)})" if isinstance(detail, str) and detail else ""


def notes_html(atlas: Atlas, citations: mapbuild.Citations, iso3: str, year: int) -> str:
    """The notes about the region up to `year`, newest first, each with quote and citation."""
    notes = records(geo.notes_until(atlas, year, iso3).sort_values("year", ascending=False))
    if not notes:
        return f"<p>No notes up to {year}.</p>"
    items = [
        f"<li><strong>{note_years(note)}</strong>: {esc(note['text'])}"
        f"{evidence_html(citations, note)}</li>"
        for note in notes
    ]
    return f"<ul class='csto-notes'>{''.join(items)}</ul>"


def note_years(note: Record) -> str:
    """`2007` or `2007–2010`."""
    end = note.get("year_end")
    return f"{int(note['year'])}" + ("" if pd.isna(end) else f"–{int(end)}")


def bases_html(atlas: Atlas, citations: mapbuild.Citations, iso3: str, year: int) -> str:
    """Every Russian base located in the region, saying whether it was active in `year`."""
    bases = records(geo.points_in(atlas.bases, iso3))
    if not bases:
        return "<p>No Russian base recorded here.</p>"
    active = set(geo.bases_active(atlas, year)["id"])
    items = []
    for base in bases:
        state = "active" if base["id"] in active else "not active"
        items.append(
            f"<li><strong>{esc(base['name'])}</strong> "
            f"({mapbuild.years_text(base['start_year'], base['end_year'])}; {state} in {year})"
            f"{evidence_html(citations, base)}</li>"
        )
    return f"<ul class='csto-bases'>{''.join(items)}</ul>"


def incidents_html(atlas: Atlas, citations: mapbuild.Citations, iso3: str, year: int) -> str:
    """The incidents located in the region up to `year` (every source's account)."""
    incidents = records(geo.points_in(geo.incidents_until(atlas, year), iso3))
    if not incidents:
        return f"<p>No incident recorded here up to {year}.</p>"
    items = [
        f"<li><strong>{esc(row['name'])}</strong>{mapbuild.incident_facts(row)}"
        f"{evidence_html(citations, row)}</li>"
        for row in incidents
    ]
    return f"<ul class='csto-incidents'>{''.join(items)}</ul>"


def panel_html(atlas: Atlas, iso3: str, year: int) -> str:
    """The whole panel of one region in one year, every dataset string escaped."""
    citations = citations_by_id(atlas.sources)
    names = region_names(atlas)
    parent = dict(zip(atlas.regions["iso3"], atlas.regions["parent_iso3"], strict=True))[iso3]
    parent_line = (
        f"<p><em>Breakaway region of {esc(names.get(parent, parent))}</em></p>" if parent else ""
    )
    return (
        f"<div class='csto-panel' data-iso3='{esc(iso3)}' data-year='{year}'>"
        f"<h3>{esc(names[iso3])} in {year}</h3>{parent_line}"
        f"<p>{status_line(atlas, iso3, year)}</p>"
        f"<h4>Membership history</h4>{history_html(atlas, citations, iso3)}"
        f"<h4>Notes up to {year}</h4>{notes_html(atlas, citations, iso3, year)}"
        f"<h4>Russian bases</h4>{bases_html(atlas, citations, iso3, year)}"
        f"<h4>Incidents</h4>{incidents_html(atlas, citations, iso3, year)}"
        "</div>"
    )


PANEL_CSS = """<style>
.csto-panel { overflow-wrap: anywhere; }
.csto-panel blockquote { margin: .3rem 0; padding-left: .6rem; border-left: 3px solid #bbb; }
.csto-panel .csto-cite { font-size: .85rem; color: #555; }
.csto-panel .csto-alt { margin: .3rem 0 0 .8rem; padding-left: .6rem; border-left: 2px dashed #b8433a; }
.csto-panel li { margin-bottom: .5rem; }
</style>"""


def show_panel(atlas: Atlas, view: View) -> None:
    """The panel of the chosen region, or a hint when none is chosen."""
    with st.container(key=PANEL_KEY, height=mapbuild.MAP_HEIGHT_PX, border=False):
        if view.country is None:
            st.info(
                "Click a country on the map, or choose it in the map's Country box, "
                "to read its history."
            )
            return
        st.html(PANEL_CSS + panel_html(atlas, view.country, view.year))


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


def bibliography_html(atlas: Atlas) -> str:
    """Every source as a bibliography entry, escaped, ordered by author then date."""
    items = []
    for source in records(atlas.sources.sort_values(["author", "date"])):
        extra = "".join(
            f"<div><em>{label}:</em> {esc(source.get(column))}</div>"
            for column, label in (("kind", "Kind"), ("file", "File"), ("note", "Note"))
            if isinstance(source.get(column), str) and source.get(column)
        )
        extra += link_html(source.get("url"))
        items.append(
            f"<li id='source-{esc(source['id'])}'>{esc(citation_text(source))}{extra}</li>"
        )
    return f"<ol class='csto-bibliography'>{''.join(items)}</ol>"


def link_html(url: object) -> str:
    """An http(s) link, escaped; nothing for any other value."""
    if not isinstance(url, str) or not re.fullmatch(r"https?://\S+", url):
        return ""
    return (
        f'<div><a href="{esc(url)}" rel="noopener noreferrer" target="_blank">{esc(url)}</a></div>'
    )


def show_bibliography(atlas: Atlas) -> None:
    """The sources page body."""
    st.html(bibliography_html(atlas))
