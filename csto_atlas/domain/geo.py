"""GeoPandas views of the atlas for one year: statuses on polygons, the points of that year."""

from datetime import date

import geopandas as gpd
import pandas as pd

from csto_atlas.data.load import Atlas
from csto_atlas.domain.status import DEFAULT_STATUS, status_on
from csto_atlas.domain.territory import feature_tables


def countries_for_year(atlas: Atlas, year: int) -> gpd.GeoDataFrame:
    """Every region's polygon with the status it is drawn with on 31 December of `year` (its
    parent's while it is part of its parent), the event's detail, and its territory status."""
    statuses = status_on(atlas.membership, date(year, 12, 31))[["status", "detail"]]
    joined = atlas.regions.merge(statuses, how="left", left_on="iso3", right_index=True)
    joined = joined.fillna({"status": DEFAULT_STATUS})
    drawn, territory = feature_tables(atlas, range(year, year + 1))
    return joined.assign(status=drawn[year].to_numpy(), territory=territory[year].to_numpy())


def bases_active(atlas: Atlas, year: int) -> pd.DataFrame:
    """Bases active at some point in `year`."""
    bases = atlas.bases
    return bases[
        (bases["start_year"] <= year) & (bases["end_year"].isna() | (bases["end_year"] >= year))
    ]


def incidents_until(atlas: Atlas, year: int) -> pd.DataFrame:
    """Incidents (every account of them) up to and including `year`."""
    return atlas.incidents[atlas.incidents["year"] <= year]


def meetings_until(atlas: Atlas, year: int) -> pd.DataFrame:
    """Meetings up to and including `year`."""
    return atlas.meetings[atlas.meetings["year"] <= year]


def notes_until(atlas: Atlas, year: int, iso3: str | None = None) -> pd.DataFrame:
    """Notes about `year` or earlier, about one region when `iso3` is given."""
    notes = atlas.notes[atlas.notes["year"] <= year]
    return notes if iso3 is None else notes[notes["iso3"] == iso3]


def history(atlas: Atlas, iso3: str, table: str = "membership") -> pd.DataFrame:
    """Every event of a region in `table` (membership or territories), alternative accounts
    included, in date order."""
    frame = getattr(atlas, table)
    events = frame[frame["iso3"] == iso3]
    return events.sort_values(["starts", "same_as"], na_position="first", kind="stable")


def points_in(points: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """The rows of a point table (bases, incidents, meetings) that fall inside region `iso3`."""
    return points[points["located_iso3"] == iso3]


def region_names(regions: pd.DataFrame) -> dict[str, str]:
    """Region code -> display name."""
    return dict(zip(regions["iso3"], regions["name"], strict=True))


def region_parents(regions: pd.DataFrame) -> dict[str, str]:
    """Region code -> the code of its parent state ("" for a state)."""
    return dict(zip(regions["iso3"], regions["parent_iso3"].fillna(""), strict=True))
