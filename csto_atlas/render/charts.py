"""Altair charts for the story pages: the membership timeline and the borders over the years.

No Streamlit here: each builder takes frames from csto_atlas.domain and returns an Altair chart
(tested by reading its Vega-Lite spec). Colours are the map's (STATUS_COLOURS).
"""

import altair as alt
import pandas as pd

from csto_atlas.data.alliance import Alliance
from csto_atlas.data.dates import readable_date
from csto_atlas.domain.status import STATUSES
from csto_atlas.render import html
from csto_atlas.render.style import (
    STATUS_COLOURS,
    STATUS_PATTERNS,
    STATUS_SHORT,
    status_examples,
    status_labels,
)

# The name of the timeline's click selection: the page reads the clicked span's fields from it.
SPAN_SELECTION = "span"
SELECTION_FIELDS = ["iso3", "map_year"]
ROW_HEIGHT_PX = 22
UNCERTAIN_STROKE = "#222222"
# The timeline and the member count are two charts, one above the other, stretched to the page's
# width (Vega-Lite cannot stretch a concatenated chart to its container): the same time domain
# and the same room for y labels keep their time axes aligned.
Y_LABEL_ROOM_PX = 130


def status_scale(alliance: Alliance | None = None) -> alt.Scale:
    """The map legend's words -> the map's colours, every status in the map's order."""
    labels = status_labels(alliance)
    return alt.Scale(
        domain=[labels[s] for s in STATUSES], range=[STATUS_COLOURS[s] for s in STATUSES]
    )


# The border chart's neighbours: the longest borders each get their own colour (none a status
# colour), the rest are summed as one grey "other neighbours" band.
NEIGHBOUR_COLOURS = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
)
OTHER_NEIGHBOURS_COLOUR = "#bab0ac"


def time_axis(domain: tuple[str, str]) -> alt.X:
    """The x axis both charts share: days in UTC (dates have no time zone), ticks on years."""
    return alt.X(
        "start:T",
        title=None,
        scale=alt.Scale(type="utc", domain=list(domain)),
        axis=alt.Axis(format="%Y", labelAngle=0, tickCount="year"),
    )


def y_axis(**options: object) -> alt.Axis:
    """A y axis of fixed width (no ticks, labels in Y_LABEL_ROOM_PX), for aligned plots."""
    return alt.Axis(
        minExtent=Y_LABEL_ROOM_PX, maxExtent=Y_LABEL_ROOM_PX, ticks=False, labelPadding=6, **options
    )


def time_domain(spans: pd.DataFrame) -> tuple[str, str]:
    """From the first span's start to the last span's end, as `YYYY-MM-DD`."""
    return spans["start"].min().strftime("%Y-%m-%d"), spans["end"].max().strftime("%Y-%m-%d")


def day_text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Date columns as `YYYY-MM-DD` text (what Vega-Lite reads as a UTC day)."""
    return frame.assign(**{column: frame[column].dt.strftime("%Y-%m-%d") for column in columns})


def timeline_chart(
    spans: pd.DataFrame,
    uncertain: pd.DataFrame,
    order: list[str],
    alliance: Alliance | None = None,
) -> alt.LayerChart:
    """One row per country, bars coloured by status (in `alliance`'s words); uncertain dates
    as dashed outlined stretches. Clicking a bar selects its country and first year
    (SPAN_SELECTION)."""
    names = spans.drop_duplicates("iso3").set_index("iso3")["name"]
    row_order = [names.get(code, code) for code in order]
    domain = time_domain(spans)
    y = alt.Y("name:N", title=None, sort=row_order, axis=y_axis())
    click = alt.selection_point(name=SPAN_SELECTION, fields=SELECTION_FIELDS, on="click")
    spans = day_text(spans, ["start", "end"]).assign(
        when=lambda rows: rows["date"].map(readable_date).replace("", "not given"),
        source=lambda rows: rows["source"].fillna("not given"),
        label=lambda rows: rows["status"].map(status_labels(alliance)),
    )
    bars = (
        alt.Chart(spans)
        .mark_bar(height=ROW_HEIGHT_PX - 6, cursor="pointer")
        .encode(
            x=time_axis(domain),
            x2="end:T",
            y=y,
            color=alt.Color(
                "label:N",
                scale=status_scale(alliance),
                title="Status on 31 December",
                legend=alt.Legend(orient="top", columns=3, labelLimit=360),
            ),
            opacity=alt.condition(click, alt.value(1.0), alt.value(0.55)),
            tooltip=[
                alt.Tooltip("name:N", title="Country"),
                alt.Tooltip("label:N", title="Status"),
                alt.Tooltip("event:N", title="Started by"),
                alt.Tooltip("when:N", title="Date"),
                alt.Tooltip("source:N", title="Source"),
                alt.Tooltip("map_year:Q", title="Click: the map in", format="d"),
            ],
        )
        .add_params(click)
    )
    uncertain = day_text(uncertain, ["start", "end"])
    stretches = (
        alt.Chart(uncertain)
        .mark_bar(
            height=ROW_HEIGHT_PX - 2,
            fill="#ffffff",
            fillOpacity=0.45,
            stroke=UNCERTAIN_STROKE,
            strokeDash=[3, 2],
            strokeWidth=1.2,
        )
        .encode(
            x=time_axis(domain),
            x2="end:T",
            y=y,
            tooltip=[
                alt.Tooltip("name:N", title="Country"),
                alt.Tooltip("reason:N", title="Uncertain date"),
                alt.Tooltip("accounts:N", title="Accounts"),
            ],
        )
    )
    return alt.layer(bars, stretches).properties(height=alt.Step(ROW_HEIGHT_PX), width="container")


def member_count_chart(counts: pd.DataFrame, spans: pd.DataFrame) -> alt.Chart:
    """Members (member or frozen) on 31 December of each year, drawn over that year (from 1
    January to 31 December), on the timeline's axis: hovering 1997 reads 1997's count."""
    points = counts.assign(
        start=pd.to_datetime(counts["year"].astype(str) + "-01-01"),
        end=pd.to_datetime((counts["year"] + 1).astype(str) + "-01-01"),
    )
    points = day_text(points, ["start", "end"])
    return (
        alt.Chart(points)
        .mark_bar(color=STATUS_COLOURS["member"], stroke="#ffffff", strokeWidth=0.5, clip=True)
        .encode(
            x=time_axis(time_domain(spans)),
            x2="end:T",
            y=alt.Y("members:Q", title=None, axis=y_axis(tickMinStep=1)),
            y2=alt.datum(0),
            tooltip=[
                alt.Tooltip("year:Q", title="31 December of", format="d"),
                alt.Tooltip("members:Q", title="Members (incl. frozen)"),
            ],
        )
        .properties(height=120, width="container")
    )


def neighbour_bands(series: pd.DataFrame) -> pd.DataFrame:
    """The border series with its neighbours past the longest few summed as `Other neighbours`
    (their names listed in `neighbours`)."""
    bars = series[series["neighbour_iso3"] != ""]
    longest = bars.groupby("neighbour_name")["km"].max().sort_values(ascending=False)
    kept = set(longest.index[: len(NEIGHBOUR_COLOURS)])
    own = bars[bars["neighbour_name"].isin(kept)].assign(
        band=lambda rows: rows["neighbour_name"], neighbours=lambda rows: rows["neighbour_name"]
    )
    rest = bars[~bars["neighbour_name"].isin(kept)]
    other = (
        rest.groupby("year")
        .agg(km=("km", "sum"), total_km=("total_km", "first"), neighbours=("neighbour_name", list))
        .reset_index()
    )
    other = other.assign(
        band=OTHER_NEIGHBOURS,
        neighbours=other["neighbours"].map(lambda names: ", ".join(sorted(set(names)))),
    )
    columns = ["year", "band", "neighbours", "km", "total_km"]
    return pd.concat([own[columns], other[columns]], ignore_index=True)


OTHER_NEIGHBOURS = "Other neighbours"


def border_chart(series: pd.DataFrame) -> alt.Chart:
    """The CSTO's outer land border per year, stacked by neighbour (km): the longest borders
    each in a colour of their own, the others in one grey band; names, not codes."""
    bands = neighbour_bands(series)
    named = list(
        bands[bands["band"] != OTHER_NEIGHBOURS].groupby("band")["km"].max().sort_values().index
    )[::-1]
    domain = [*named, OTHER_NEIGHBOURS]
    colours = [*NEIGHBOUR_COLOURS[: len(named)], OTHER_NEIGHBOURS_COLOUR]
    return (
        alt.Chart(bands)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=None),
            y=alt.Y("sum(km):Q", title="Outer land border (km)"),
            color=alt.Color(
                "band:N",
                title="Neighbour",
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(orient="bottom", columns=5, labelLimit=220, symbolLimit=0),
            ),
            order=alt.Order("km:Q", sort="descending"),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("neighbours:N", title="Neighbour"),
                alt.Tooltip("km:Q", title="km with it", format=",.0f"),
                alt.Tooltip("total_km:Q", title="Total km that year", format=",.0f"),
            ],
        )
        .properties(height=360, width="container")
    )


# --- every year in one table ---------------------------------------------------------------

GRID_CSS = """<style>
.csto-grid-wrap { overflow-x: auto; max-width: 100%; }
.csto-grid { border-collapse: collapse; font-size: 12px; table-layout: fixed; width: 0; }
.csto-grid caption { text-align: left; color: #444; padding-bottom: 4px; }
.csto-grid th, .csto-grid td { border: 1px solid #fff; padding: 2px 0; text-align: center;
  width: 28px; }
.csto-grid thead th { font-weight: 600; color: #333; height: 44px; vertical-align: bottom; }
.csto-grid thead th span { display: inline-block; transform: rotate(-60deg);
  transform-origin: 50% 50%; white-space: nowrap; font-size: 11px; }
.csto-grid .csto-grid-name { width: 150px; text-align: left; padding: 2px 6px;
  font-weight: 500; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.csto-grid-key span { margin-right: 14px; white-space: nowrap; }
.csto-grid-key b { display: inline-block; min-width: 22px; text-align: center; padding: 0 3px; }
</style>"""


def ink_on(colour: str) -> str:
    """Black or white text, whichever reads better on `colour` (WCAG relative luminance)."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def status_background(status: str) -> str:
    """A cell's CSS background: the status colour, under its stripes where it has a pattern
    (STATUS_PATTERNS: a frozen member is a member's blue, paler, striped)."""
    colour = STATUS_COLOURS[status]
    pattern = STATUS_PATTERNS.get(status)
    if pattern is None:
        return colour
    stripe = pattern["stripe"] + format(round(pattern["opacity"] * 255), "02x")
    width, size = pattern["width"], pattern["size"]
    return (
        f"repeating-linear-gradient({pattern['angle']}deg, {stripe} 0 {width}px, "
        f"{colour} {width}px {size}px)"
    )


def status_grid_html(table: pd.DataFrame, caption: str, alliance: Alliance | None = None) -> str:
    """The country x year status table (domain.export.status_table) as an HTML table: a cell
    per year in the status's colour with its short word, the full label on hover, and a key."""
    labels = status_labels(alliance)
    years = [column for column in table.columns if column.isdigit()]
    rows = [
        {
            "name": record["name"],
            "cells": [
                {
                    "year": year,
                    "colour": status_background(record[year]),
                    "ink": ink_on(STATUS_COLOURS[record[year]]),
                    "short": STATUS_SHORT[record[year]],
                    "label": labels[record[year]],
                }
                for year in years
            ],
        }
        for record in table.to_dict("records")
    ]
    key = [
        {
            "colour": status_background(status),
            "ink": ink_on(STATUS_COLOURS[status]),
            "short": STATUS_SHORT[status],
            "label": labels[status],
        }
        for status in STATUSES
    ]
    body = html.render(
        "evidence/status_grid.html.j2", caption=caption, years=years, rows=rows, key=key
    )
    return GRID_CSS + body


def status_key_html(alliance: Alliance | None = None) -> str:
    """Each status as the map's legend shows it (colour, pattern, words) and what it means, with
    an example from the data: the About page's key."""
    labels, examples = status_labels(alliance), status_examples(alliance)
    items = [
        {
            "colour": status_background(status),
            "label": labels[status],
            "meaning": examples[status],
        }
        for status in STATUSES
    ]
    return html.render("evidence/status_key.html.j2", items=items)
