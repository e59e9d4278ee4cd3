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

from csto_atlas.app import ui
from csto_atlas.data.load import Atlas
from csto_atlas.domain import borders, changes, export, permalink
from csto_atlas.domain.sources import citations_by_id
from csto_atlas.render import charts

TIMELINE_KEY = "story_timeline"
FIRST_YEAR_KEY = "story_first_year"
LAST_YEAR_KEY = "story_last_year"
BORDER_YEAR_KEY = "story_border_year"
CHANGES_TABLE_KEY = "story_changes"
BORDERS_TABLE_KEY = "story_borders"
ACCURACY_TABLE_KEY = "story_accuracy"
MAP_PAGE = "dashboard.py"


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
    timeline = charts.timeline_chart(
        spans, changes.uncertain_spans(atlas), changes.timeline_countries(atlas)
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
    st.caption("Members on 31 December of each year (member or frozen):")
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
    """The changes as a user reads them: date, country, what happened, source, quote."""
    citations = citations_by_id(atlas.sources)
    return pd.DataFrame(
        {
            "date": listed["date"],
            "precision": listed["precision"],
            "country": listed["name"],
            "change": listed["kind"],
            "from": listed["old_status"],
            "to": listed["new_status"],
            "detail": listed["detail"],
            "source": listed["source_id"].map(citations),
            "locator": listed["locator"],
            "quote": listed["quote"],
            "other accounts": listed["other_dates"],
            "event id": listed["id"],
        }
    )


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
    st.dataframe(
        changes_table(atlas, listed),
        key=CHANGES_TABLE_KEY,
        hide_index=True,
        width="stretch",
        column_config={
            "quote": st.column_config.TextColumn(width="large"),
            "source": st.column_config.TextColumn(width="medium"),
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


def borders_table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """A year's borders as a user reads them, longest first."""
    return pd.DataFrame(
        {
            "member": frame["member_name"],
            "neighbour": frame["neighbour_name"],
            "neighbour's status": frame["neighbour_status"],
            "km": frame["km"].round(0),
            "member_iso3": frame["member_iso3"],
            "neighbour_iso3": frame["neighbour_iso3"],
        }
    )


def show_borders_of_year(atlas: Atlas, year: int) -> None:
    """The total, the table of a year's borders and the CSV download (as the CLI writes it)."""
    frame = cached_member_borders(ui.data_key(), year)
    st.metric(f"CSTO outer land border on 31 December {year}", f"{frame['km'].sum():,.0f} km")
    st.dataframe(
        borders_table(frame),
        key=BORDERS_TABLE_KEY,
        hide_index=True,
        width="stretch",
        column_config={"km": st.column_config.NumberColumn(format="%d")},
    )
    csv_text = export.to_csv(export.layer_frame(atlas, "borders", year))
    st.download_button(
        "Download this year's borders (CSV)",
        data=csv_text,
        file_name=f"csto-borders-{year}.csv",
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


def show_accuracy_note(atlas: Atlas) -> None:
    """Our lengths beside published ones, each with its source and quote."""
    st.markdown(ACCURACY_NOTE)
    compared = cached_comparison(ui.data_key())
    table = pd.DataFrame(
        {
            "border": compared["border"],
            "published km": compared["published_km"],
            "our km": compared["ne_km"].round(0),
            "difference %": compared["difference_pct"].round(0),
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
        column_config={"url": st.column_config.LinkColumn("url")},
    )
