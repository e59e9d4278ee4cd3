"""Streamlit glue for the evidence: the Data and Sources pages, the data version, "Cite this
view", and the map as an image or a time-lapse.

Downloads are the files `python -m csto_atlas export` writes, cached per data version and year;
map images are drawn when their button is pressed (deferred), cached the same way. The
time-lapse takes seconds, so it is made on request under a progress bar and kept for every
session of the server (same data, same bytes).
"""

import re
from collections.abc import Callable, Collection
from pathlib import Path

import pandas as pd
import streamlit as st

from csto_atlas.app import ui
from csto_atlas.data import paths
from csto_atlas.data.load import Atlas
from csto_atlas.data.version import DataVersion, data_version
from csto_atlas.domain import evidence as readable
from csto_atlas.domain import export, geo, quality
from csto_atlas.domain.citation import cite_view_templates
from csto_atlas.domain.sources import reader_citation, short_citation
from csto_atlas.render import charts, html
from csto_atlas.render.contract import CiteConfig, cite_config

ALL = "All"
SOURCE_CSS = """<style>
.csto-source blockquote { margin: .25rem 0 .4rem; padding-left: .6rem; border-left: 3px solid #bbb; }
.csto-source .csto-locator { font-size: .85rem; color: #555; }
.csto-source .csto-source-meta { color: #444; }
.csto-source li { margin-bottom: .45rem; }
</style>"""
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$:])")
# Streamlit wraps a table's text only in rows taller than 4rem (64 px): three lines of text.
WRAPPED_ROW_PX = 84
# A table is tall enough for this many rows (Streamlit's default shows about ten at 35 px only
# when nothing wraps), its header row is HEADER_PX; a missing value reads MISSING.
ROWS_SHOWN = 10
ROW_PX = 35
HEADER_PX = 38
MISSING = "—"
# The width (px) a table may take in a 1400 px window without scrolling sideways (Streamlit's
# wide layout leaves 1240 px; a little is kept for the grid's border), and a short column's.
TABLE_WIDTH_PX = 1220
SHORT_COLUMN_PX = 120
YEAR_COLUMNS = ("start_year", "end_year", "year", "year_end", "killed")


# --- cached data ---------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def cached_version(key: ui.DataKey) -> DataVersion:
    """The data version of a data folder as it is now (with the bundled geodata)."""
    return data_version(Path(key[0]))


def current_version() -> DataVersion:
    """The version of the data the app shows."""
    return cached_version(ui.data_key())


@st.cache_data(show_spinner="Preparing the downloads…")
def cached_exports(data_dir: str, digest: str, year: int) -> list[export.ExportFile]:
    """Every export file of `year` (keyed on the data version as well as the folder)."""
    return export.export_files(ui.atlas_for(ui.data_key()), year, current_version())


@st.cache_data(show_spinner=False)
def cached_map_image(
    data_dir: str, digest: str, year: int, fmt: str, highlight: tuple[str, ...] = ()
) -> bytes:
    """The map of `year` as PNG or SVG bytes, `highlight` regions outlined."""
    from csto_atlas.render import images  # matplotlib is loaded only when an image is asked for

    atlas = ui.atlas_for(ui.data_key())
    return images.render_map(atlas, year, fmt, highlight, version=current_version())


def show_compared_maps(first: int, last: int, changed: Collection[str]) -> None:
    """The maps of two years side by side, the countries that changed between them outlined."""
    version = current_version()
    data_dir = str(paths.data_dir())
    outlined = tuple(sorted(changed))
    with st.spinner("Drawing the two maps…"):
        images = [
            cached_map_image(data_dir, version.digest, year, "png", outlined)
            for year in (first, last)
        ]
    for column, year, image in zip(st.columns(2), (first, last), images, strict=True):
        with column:
            st.image(
                image,
                caption=f"31 December {year}: the countries that changed are outlined",
                alt=f"{ui.current_alliance().map_label} on 31 December {year}, the countries "
                f"whose status changed between {first} and {last} outlined"
                + f" ({len(changed)} countries)",
                width="stretch",
            )


@st.cache_resource(show_spinner=False)
def timelapse_store() -> dict[tuple[str, str, int, int], bytes]:
    """Time-lapses already made, by (data folder, data version, first year, last year)."""
    return {}


# --- small helpers -------------------------------------------------------------------------


def plain_label(text: str) -> str:
    """Text for a widget label, which Streamlit reads as Markdown: every special escaped."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


def column_config(table: readable.ReadableTable, every_column: bool = False) -> dict[str, object]:
    """Readable headers, wrapped text, links, whole numbers for one reader's table: the reader's
    columns sized to fit a 1400 px window (every column, at Streamlit's widths, on request)."""
    widths: dict[str, object] = {} if every_column else dict(column_widths(table, table.shown))
    config: dict[str, object] = {}
    for name, header in table.headers.items():
        if name in table.links:
            config[name] = st.column_config.LinkColumn(
                header,
                width=widths.get(name, "medium"),
                display_text=r"https?://(?:www\.)?([^/]+).*",
            )
        elif name in table.long_text:
            config[name] = st.column_config.TextColumn(header, width=widths.get(name, "large"))
        elif name in YEAR_COLUMNS:
            config[name] = st.column_config.NumberColumn(
                header, format="%d", width=widths.get(name, "small")
            )
        elif name in table.integers:
            config[name] = st.column_config.NumberColumn(
                header, format="%d", width=widths.get(name)
            )
        elif name in table.numbers:
            config[name] = st.column_config.NumberColumn(
                header, format="%.4f", width=widths.get(name)
            )
        else:
            config[name] = st.column_config.TextColumn(header, width=widths.get(name))
    return config


def column_widths(table: readable.ReadableTable, columns: tuple[str, ...]) -> dict[str, int]:
    """Pixel widths for `columns`: short ones SHORT_COLUMN_PX, the long texts and citations
    sharing the rest of TABLE_WIDTH_PX, so the reader's columns fit a 1400 px window."""
    long = [name for name in columns if name in table.long_text]
    short = [name for name in columns if name not in long]
    share = (TABLE_WIDTH_PX - SHORT_COLUMN_PX * len(short)) // max(len(long), 1)
    return {name: share if name in long else SHORT_COLUMN_PX for name in columns}


def table_height(rows: int, row_px: int = ROW_PX) -> int:
    """Pixels for a table showing up to ROWS_SHOWN rows of `row_px` (fewer rows: no blank)."""
    return HEADER_PX + min(max(rows, 1), ROWS_SHOWN) * row_px + 3


def table_key(label: str) -> str:
    """A widget key from a table's label."""
    return "table_" + re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


# --- the Data page -------------------------------------------------------------------------


def show_data_page(atlas: Atlas) -> None:
    """A year's downloads, the data-quality summary, and every dataset as a searchable table."""
    version = current_version()
    years = ui.years_of(atlas)
    year = st.selectbox(
        "Year of the downloads",
        list(reversed(years)),
        index=0,
        key="data_year",
        help="Countries with their status on 31 December of that year; bases active that year; "
        "incidents, meetings and notes up to that year; every source.",
    )
    show_downloads(year, version)
    show_status_table(atlas, version)
    show_timelapse(atlas, str(paths.data_dir()), version)
    show_quality(atlas, version)
    show_tables(atlas)


def show_downloads(year: int, version: DataVersion) -> None:
    """One download button per file of `year`, as `python -m csto_atlas export` writes them."""
    st.subheader(f"Downloads for {year}")
    st.caption(
        "Every row carries its source: source id, citation, locator and quote. The data version "
        f"`{version.digest}` is in each file name and in each GeoJSON file's `metadata`. "
        f"Same files: `python -m csto_atlas export all --year {year} --out DIR`. "
        "In CSV, a text cell starting with = + - @ gets a leading ' so spreadsheets show it as text."
    )
    files = cached_exports(str(paths.data_dir()), version.digest, year)
    download_row(
        files, "data_downloads", lambda file: f"{file.layer.capitalize()} ({file.fmt.upper()})"
    )


def download_row(
    files: list[export.ExportFile],
    key: str,
    label: Callable[[export.ExportFile], str],
) -> None:
    """One row of download buttons, one per file, each labelled by `label`."""
    with st.container(horizontal=True, key=key, gap="small"):
        for file in files:
            st.download_button(
                label(file),
                data=file.data,
                file_name=file.name,
                mime=file.mime,
                key=f"download_{file.layer}_{file.fmt}",
                on_click="ignore",
                icon=":material/download:",
            )


@st.cache_data(show_spinner=False)
def cached_status_files(data_dir: str, digest: str) -> list[export.ExportFile]:
    """The all-years status table as CSV and GeoJSON (keyed on the data version)."""
    return export.status_files(ui.atlas_for(ui.data_key()), current_version())


def show_status_table(atlas: Atlas, version: DataVersion) -> None:
    """Every region's status in every year, one table, and its downloads."""
    years = ui.years_of(atlas)
    st.subheader(f"Every year in one table, {years.start}–{years.stop - 1}")
    everyone = st.toggle(
        "Show every region (also those never more than not a member)", key="status_everyone"
    )
    table = readable.status_rows(export.status_table(atlas, years), everyone)
    caption = (
        f"Status on 31 December of each year, {len(table)} regions. Hover a cell for its status."
    )
    st.html(charts.status_grid_html(table, caption, ui.current_alliance()))
    files = cached_status_files(str(paths.data_dir()), version.digest)
    download_row(files, "status_downloads", lambda file: f"All years ({file.fmt.upper()})")
    st.caption(
        "Every region of the map, one column per year (CSV), or each region's polygon with a "
        "property per year (GeoJSON). Same files: `python -m csto_atlas export status "
        "[--format geojson] [--out DIR]`."
    )


def show_quality(atlas: Atlas, version: DataVersion) -> None:
    """Rows per file, sources per fact, positions' precision, radii, the date last checked."""
    summary = quality.quality(atlas, version)
    with st.expander("Data quality", expanded=False):
        st.markdown(
            f"**Data checked up to {summary.checked or 'an unknown date'}** (the newest "
            f"source's date) · data version `{version.digest}`. "
            f"**{summary.single_source} of {summary.facts} facts rest on a single source**; "
            "a fact with other accounts (`same_as`) counts each distinct source once."
        )
        left, right = st.columns(2)
        with left:
            st.dataframe(summary.rows, hide_index=True, key="quality_rows")
        with right:
            st.dataframe(summary.sources_per_fact, hide_index=True, key="quality_sources")
        st.caption("Positions: what each point's coordinates stand for.")
        st.dataframe(summary.precision, hide_index=True, key="quality_precision")
        if summary.radius is not None:
            st.caption("Radii: places drawn as an area around their point.")
            st.dataframe(summary.radius, hide_index=True, key="quality_radius", placeholder="")


def show_tables(atlas: Atlas) -> None:
    """Every dataset as a sortable table; one search box filters them all."""
    st.subheader("The datasets")
    needle = st.text_input(
        "Search every table",
        key="data_search",
        placeholder="a name, a country, a word of a quote…",
    )
    every_column = st.toggle(
        "Show every column (ids, positions, gazetteer fields, ISO dates)", key="data_all_columns"
    )
    for table in readable.readable_tables(atlas):
        shown = readable.search(table.frame, needle)
        st.markdown(f"#### {plain_label(table.label)} ({len(shown)} of {len(table.frame)})")
        row_px = WRAPPED_ROW_PX if table.long_text else ROW_PX
        st.dataframe(
            shown,
            key=table_key(table.label),
            hide_index=True,
            width="stretch",
            height=table_height(len(shown), row_px),
            column_config=column_config(table, every_column),
            column_order=None if every_column else table.shown,
            placeholder=MISSING,
            row_height=row_px,
        )


# --- the Sources page ----------------------------------------------------------------------


def ordered_sources(atlas: Atlas) -> pd.DataFrame:
    """The source articles first, then every other source by date."""
    sources = atlas.sources.assign(article=atlas.sources["file"].isna())
    return sources.sort_values(["article", "starts"], kind="stable")


def show_sources_page(atlas: Atlas) -> None:
    """The articles and what they support, the filters, then every source with its facts."""
    facts = readable.facts_frame(atlas)
    articles = readable.article_counts(atlas, facts)
    st.subheader(atlas.alliance.articles)
    st.dataframe(
        articles[["citation", "facts"]],
        hide_index=True,
        key="source_articles",
        column_config={
            "citation": st.column_config.TextColumn("Article", width="large"),
            "facts": st.column_config.NumberColumn("Facts it supports", format="%d"),
        },
    )
    sources = ordered_sources(atlas)
    citations = {row["id"]: reader_citation(row) for row in sources.to_dict("records")}
    shorts = {row["id"]: short_citation(row) for row in sources.to_dict("records")}
    names = geo.region_names(atlas.regions)
    mentioned = sorted({code for codes in facts["countries"] for code in codes}, key=names.get)
    left, right = st.columns(2)
    with left:
        chosen_source = st.selectbox(
            "Source",
            [ALL, *citations],
            format_func=lambda key: "All sources" if key == ALL else citations[key],
            key="sources_source",
        )
    with right:
        chosen_country = st.selectbox(
            "Country",
            [ALL, *mentioned],
            format_func=lambda key: "All countries" if key == ALL else names.get(key, key),
            key="sources_country",
        )
    about = readable.facts_about(facts, None if chosen_country == ALL else chosen_country)
    shown = 0
    for source in sources.to_dict("records"):
        if chosen_source not in (ALL, source["id"]):
            continue
        own = about[about["source_id"] == source["id"]]
        if chosen_country != ALL and own.empty:
            continue
        shown += 1
        with st.expander(plain_label(citations[source["id"]]), expanded=chosen_source != ALL):
            st.html(SOURCE_CSS + html.source_html(source, own, shorts, atlas.alliance))
    if shown == 0:
        st.info("No source cites a fact about this country.")
    st.caption(f"{shown} of {len(sources)} sources shown.")


# --- the About page ------------------------------------------------------------------------


def show_status_key() -> None:
    """What each status means, in the map's colours and words, with an example from the data."""
    st.subheader("What the colours mean")
    st.html(charts.status_key_html(ui.current_alliance()))


def show_version() -> None:
    """The data version and the date the data was checked up to."""
    version = current_version()
    st.markdown(
        f"**Data version** `{version.digest}`, data checked up to "
        f"**{version.checked_text or 'an unknown date'}**. The version is a digest of the data "
        "files and the boundaries: any change to a row gives another version. Every export, "
        "image and citation carries it."
    )


# --- the map page's citations; the time-lapse (on the Data page) ---------------------------


def map_citations() -> CiteConfig:
    """`Cite this view` for the map's own script: one citation template per country (and one
    for the map), filled in the browser with the year and country shown, the page's address and
    the day (so it cites what the user sees, wherever the slider is)."""
    return cached_map_citations(ui.data_key())


@st.cache_data(show_spinner=False)
def cached_map_citations(key: ui.DataKey) -> CiteConfig:
    """The map's citations of a data key, written and packed once (not on every rerun)."""
    atlas = ui.atlas_for(key)
    names = geo.region_names(atlas.regions)
    alliance = atlas.alliance
    return cite_config(
        cite_view_templates(alliance.title, names, cached_version(key), alliance.citation_author)
    )


def show_timelapse(atlas: Atlas, data_dir: str, version: DataVersion) -> None:
    """A button making the GIF of every year under a progress bar, then its download. (The
    map's PNG and SVG of one year are links in the map's year box, to the HTTP API.)"""
    from csto_atlas.render import images  # matplotlib is loaded only when a time-lapse is made

    years = ui.years_of(atlas)
    st.subheader(f"Time-lapse of the map, {years.start}–{years.stop - 1}")
    key = (data_dir, version.digest, years.start, years.stop - 1)
    store = timelapse_store()
    if key not in store and st.button(
        f"Make the time-lapse {years.start}–{years.stop - 1} (GIF)",
        key="make_timelapse",
    ):
        bar = st.progress(0.0, text="Drawing the years…")

        def advance(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Drawing {years.start + done - 1} ({done}/{total})")

        store[key] = images.animate(atlas, years, "gif", advance, version=version)
        bar.empty()
    if key in store:
        st.download_button(
            f"Time-lapse {years.start}–{years.stop - 1} (GIF)",
            data=store[key],
            file_name=f"{export.file_prefix(atlas.alliance)}-{years.start}-{years.stop - 1}-"
            f"{version.digest}.gif",
            mime="image/gif",
            key="timelapse_gif",
            on_click="ignore",
        )
