"""Streamlit glue of the story pages: the timeline, what changed between two years, the borders.

Loaders are cached per data folder (like ui's); the figures come from csto_atlas.domain and the
charts from csto_atlas.render.charts. A click on a timeline bar opens the map page on that
country and year, as its permalink (/?year=Y&country=ISO3) would.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from csto_atlas.app import evidence, ui
from csto_atlas.data.alliance import Alliance
from csto_atlas.data.dates import readable_date
from csto_atlas.data.load import Atlas
from csto_atlas.domain import borders, changes, export, permalink
from csto_atlas.domain.sources import reader_citation, short_citation
from csto_atlas.render import charts
from csto_atlas.render.style import status_labels

TIMELINE_KEY = "story_timeline"
FIRST_YEAR_KEY = "story_first_year"
LAST_YEAR_KEY = "story_last_year"
BORDER_YEAR_KEY = "story_border_year"
CHANGES_TABLE_KEY = "story_changes"
BORDERS_TABLE_KEY = "story_borders"
ACCURACY_TABLE_KEY = "story_accuracy"
MAP_PAGE = "dashboard.py"
MISSING = evidence.MISSING


# --- cached figures ------------------------------------------------------------------------


@st.cache_data(show_spinner="Measuring the borders of every year…")
def cached_border_series(data_dir: ui.DataKey, first: int, last: int) -> pd.DataFrame:
    """Outer border per year and neighbour (border_series), for years first..last."""
    return borders.border_series(ui.atlas_for(data_dir), range(first, last + 1))


@st.cache_data(show_spinner=False)
def cached_member_borders(data_dir: ui.DataKey, year: int) -> gpd.GeoDataFrame:
    """Each member's border with each non-member neighbour in `year`."""
    return borders.member_borders(ui.atlas_for(data_dir), year)


@st.cache_data(show_spinner=False)
def cached_comparison(data_dir: ui.DataKey) -> pd.DataFrame:
    """Our lengths beside the published ones (geodata/published_border_lengths.csv)."""
    return borders.published_comparison(ui.atlas_for(data_dir))


# --- the timeline --------------------------------------------------------------------------


def timeline_charts(atlas: Atlas, today: date | None = None) -> tuple[Any, Any]:
    """The membership timeline of every country with an event, to `today`, and the member count
    per year on the same time axis."""
    today = today or date.today()
    spans = changes.status_spans(atlas, today)
    # A country whose status never changed (a non-member all along) would be a grey band from
    # end to end: it is left out (the Data page's all-years table lists it).
    changed = set(spans.loc[spans["status"] != changes.DEFAULT_STATUS, "iso3"])
    spans = spans[spans["iso3"].isin(changed)].reset_index(drop=True)
    order = [code for code in changes.timeline_countries(atlas) if code in changed]
    uncertain = changes.uncertain_spans(atlas)
    timeline = charts.timeline_chart(
        spans, uncertain[uncertain["iso3"].isin(changed)], order, atlas.alliance
    )
    counts = charts.member_count_chart(
        changes.member_counts(atlas, ui.years_of(atlas, today)), spans
    )
    return timeline, counts


def picked_view(selection: Any, atlas: Atlas) -> ui.View | None:
    """The country and year of a clicked timeline bar, checked; None for anything else."""
    chosen = selection.get("selection", {}).get(charts.SPAN_SELECTION) if selection else None
    if not chosen or not isinstance(chosen, list) or not isinstance(chosen[0], Mapping):
        return None
    years = ui.years_of(atlas)
    country = permalink.parse_country(str(chosen[0].get("iso3", "")), ui.region_codes(atlas))
    year = permalink.parse_year(str(chosen[0].get("map_year", "")).split(".")[0], years)
    return ui.View(year, country) if country and year is not None else None


def open_map_at(view: ui.View) -> None:
    """Go to the map page showing `view`: its permalink in the URL, which the map's script
    reads when it opens."""
    st.switch_page(MAP_PAGE, query_params={"year": str(view.year), "country": view.country})


def show_timeline(atlas: Atlas) -> None:
    """The timeline chart; a click on a bar opens the map on that country and year."""
    timeline, counts = timeline_charts(atlas)
    selection = st.altair_chart(
        timeline,
        key=TIMELINE_KEY,
        on_select="rerun",
        selection_mode=[charts.SPAN_SELECTION],
        width="stretch",
    )
    st.caption("Members on 31 December of each year (member or frozen), one bar per year:")
    st.altair_chart(counts, key="story_member_count", width="stretch")
    view = picked_view(selection, atlas)
    if view is not None:
        open_map_at(view)


# --- what changed between two years --------------------------------------------------------


def pick_years(atlas: Atlas) -> tuple[int, int]:
    """Two years from two pickers (the state on 31 December of each), earlier first."""
    years = ui.years_of(atlas)
    choices = list(range(years.start - 1, years.stop))
    left, right = st.columns(2)
    first = left.selectbox(
        "From 31 December of", choices, index=0, key=FIRST_YEAR_KEY, format_func=str
    )
    last = right.selectbox(
        "To 31 December of", choices, index=len(choices) - 1, key=LAST_YEAR_KEY, format_func=str
    )
    if first > last:
        st.info(f"Showing the changes from {last} to {first}: the earlier year comes first.")
        first, last = last, first
    return first, last


def changes_table(atlas: Atlas, listed: pd.DataFrame) -> pd.DataFrame:
    """The changes as a person reads them: the date at its precision, the country's name, what
    happened, from which status to which (the map's legend words), the event's detail, the
    source with its place in it, the quote, and the other sources' dates. No ids, no empty
    markers (a missing value is "—")."""
    sources = atlas.sources.to_dict("records")
    citations = {row["id"]: reader_citation(row) for row in sources}
    shorts = {row["id"]: short_citation(row) for row in sources}

    def cited(source_id: object, locator: object) -> str:
        where = locator if isinstance(locator, str) and locator else ""
        return citations.get(source_id, str(source_id)) + (f", {where}" if where else "")

    def accounts(others: list[dict]) -> str:
        said = [
            f"{readable_date(other['date'])} ({shorts.get(other['source_id'], other['source_id'])})"
            for other in others
        ]
        return "; ".join(said) or MISSING

    return pd.DataFrame(
        {
            "Date": listed["date"].map(readable_date),
            "Country": listed["name"],
            "Change": listed["kind"],
            "From": listed["old_status"].map(status_labels(atlas.alliance)),
            "To": listed["new_status"].map(status_labels(atlas.alliance)),
            "Detail": listed["detail"].map(lambda text: text if isinstance(text, str) else MISSING),
            "Source": [
                cited(source_id, locator)
                for source_id, locator in zip(listed["source_id"], listed["locator"], strict=True)
            ],
            "Quote": listed["quote"].map(lambda text: text if isinstance(text, str) else MISSING),
            "Other accounts": listed["other_accounts"].map(accounts),
        }
    )


# Widths (px) that fit the Changes table in a 1400 px window (1240 px of content) without
# scrolling sideways; long text wraps in rows of three lines.
CHANGES_WIDTHS = {
    "Date": 90,
    "Country": 105,
    "Change": 115,
    "From": 120,
    "To": 120,
    "Detail": 185,
    "Source": 180,
    "Quote": 185,
    "Other accounts": 115,
}


def show_changes(atlas: Atlas, first: int, last: int) -> list[str]:
    """The changes between the two years as a table; returns the changed countries' codes."""
    listed = changes.changes_between(atlas, first, last)
    countries = changes.changed_countries(listed)
    if listed.empty:
        st.info(f"No country's status changed between 31 December {first} and 31 December {last}.")
        return countries
    st.write(
        f"**{len(listed)}** status changes in **{len(countries)}** countries between "
        f"31 December {first} and 31 December {last}. Where another source dates an event "
        "otherwise, its date and source are under *other accounts*."
    )
    table = changes_table(atlas, listed)
    st.dataframe(
        table,
        key=CHANGES_TABLE_KEY,
        hide_index=True,
        width="stretch",
        height=evidence.table_height(len(table), evidence.WRAPPED_ROW_PX),
        row_height=evidence.WRAPPED_ROW_PX,
        placeholder=MISSING,
        column_config={
            name: st.column_config.TextColumn(name, width=width)
            for name, width in CHANGES_WIDTHS.items()
        },
    )
    return countries


# --- borders -------------------------------------------------------------------------------


def show_border_chart(atlas: Atlas) -> None:
    """The outer land border over the years, stacked by neighbour."""
    years = ui.years_of(atlas)
    series = cached_border_series(ui.data_key(), years.start, years.stop - 1)
    st.altair_chart(charts.border_chart(series), key="story_border_chart", width="stretch")


def pick_border_year(atlas: Atlas) -> int:
    """The year of the borders table (this year by default)."""
    years = ui.years_of(atlas)
    return st.select_slider("Year", options=list(years), value=years.stop - 1, key=BORDER_YEAR_KEY)


def borders_table(frame: gpd.GeoDataFrame, alliance: Alliance | None = None) -> pd.DataFrame:
    """A year's borders as a person reads them, longest first: names, the neighbour's status in
    the map's words, whole kilometres (no codes)."""
    return pd.DataFrame(
        {
            "Member": frame["member_name"],
            "Neighbour": frame["neighbour_name"],
            "Neighbour's status": frame["neighbour_status"].map(status_labels(alliance)),
            "km": frame["km"].round(0).astype("int64"),
        }
    )


def show_borders_of_year(atlas: Atlas, year: int) -> None:
    """The total, the table of a year's borders and the CSV download (as the CLI writes it)."""
    frame = cached_member_borders(ui.data_key(), year)
    total = f"{frame['km'].sum():,.0f} km"
    st.metric(f"{atlas.alliance.outer_border} on 31 December {year}", total)
    table = borders_table(frame, atlas.alliance)
    st.dataframe(
        table,
        key=BORDERS_TABLE_KEY,
        hide_index=True,
        width="stretch",
        height=evidence.table_height(len(table)),
        placeholder=MISSING,
        column_config={"km": st.column_config.NumberColumn(format="%d")},
    )
    version = evidence.current_version()
    csv_text = export.to_csv(export.layer_frame(atlas, "borders", year))
    st.download_button(
        "Download this year's borders (CSV)",
        data=csv_text,
        file_name=export.file_name(
            "borders", year, version, "csv", export.file_prefix(atlas.alliance)
        ),
        mime="text/csv",
        key="story_borders_csv",
    )
    st.caption(
        f"The same file from the command line: `python -m csto_atlas export borders --year {year}` "
        "(add `--format geojson` for the shared lines)."
    )


ACCURACY_NOTE = """
**How far to trust these lengths.** They are measured on Natural Earth 1:10m (the map itself
draws 1:50m, simplified for the web), as geodesic lengths on the WGS84 ellipsoid. Even at that
scale a line cuts small bends of rivers and ridges, so it comes out **shorter** than a surveyed border:
below, each published length is set beside ours. Use these figures to compare years and
neighbours, not as the borders' true lengths. Members are the countries whose status on
31 December is *member* or *frozen*; a *suspended* member's border counts as an outer border.
"""


MISSES_NOTE = """
**{missed} of {total} published lengths miss the 12 % target even at the scale used**: {list}.
Natural Earth 1:10m is generalised: a line keeps only the bends larger than its vertex spacing,
so a border that follows a winding river or ridge comes out short, and more so the more it
winds. The data is the limit, not the measure: Natural Earth's 1:10m first-level divisions,
dissolved per country, give the same lengths within 0.3 % (geodata/README.md). A finer public
geometry (OpenStreetMap) was not adopted, so these misses stand.
"""


def misses_note(compared: pd.DataFrame) -> str | None:
    """The published comparisons our lengths miss, each with its difference and scale; None
    when every one is within the target."""
    missed = compared[~compared["within_target"]]
    if missed.empty:
        return None
    listed = "; ".join(
        f"{row.border} {row.ne_km:,.0f} km at {row.measured_on} against {row.published_km:,g} km "
        f"({row.difference_pct:+.1f}\u00a0%)".replace("(-", "(−")
        for row in missed.itertuples()
    )
    return MISSES_NOTE.format(missed=len(missed), total=len(compared), list=listed)


def show_accuracy_note(atlas: Atlas) -> None:
    """Our lengths beside published ones, each with its source and quote, and every published
    length we miss by more than the target, with the scale measured."""
    st.markdown(ACCURACY_NOTE)
    compared = cached_comparison(ui.data_key())
    note = misses_note(compared)
    if note:
        st.markdown(note)
    table = pd.DataFrame(
        {
            "border": compared["border"],
            "published km": compared["published_km"],
            "our km": compared["ne_km"].round(0).astype("int64"),
            "difference %": compared["difference_pct"].round(0).astype("int64"),
            "12 % target": compared["verdict"],  # names the scale measured
            "source": compared["publisher"] + ", “" + compared["title"] + "”, " + compared["date"],
            "quote": compared["quote"],
            "url": compared["url"],
        }
    )
    st.dataframe(
        table,
        key=ACCURACY_TABLE_KEY,
        hide_index=True,
        width="stretch",
        height=evidence.table_height(len(table), evidence.WRAPPED_ROW_PX),
        row_height=evidence.WRAPPED_ROW_PX,
        placeholder=MISSING,
        # Widths that add up to evidence.TABLE_WIDTH_PX: a 1400 px window, no sideways scroll.
        column_config={
            "border": st.column_config.TextColumn(width=205),
            "published km": st.column_config.NumberColumn(format="%d", width=105),
            "our km": st.column_config.NumberColumn(format="%d", width=65),
            "difference %": st.column_config.NumberColumn(format="%d", width=95),
            "12 % target": st.column_config.TextColumn(width=160),
            "source": st.column_config.TextColumn(width=285),
            "quote": st.column_config.TextColumn(width=220),
            "url": st.column_config.LinkColumn(
                "link", width=85, display_text=r"https?://(?:www\.)?([^/]+).*"
            ),
        },
    )
