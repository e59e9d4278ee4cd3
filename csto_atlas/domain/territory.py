"""How each region is drawn in each year: its territory status (territories.csv) and the
membership status it is drawn with (its parent's while it is part of its parent).

A state is drawn as itself; a breakaway region as its own region until an event makes it
part of its parent (Nagorno-Karabakh from 2024); an annexed territory as part of its parent
until its annexation (Crimea: part of Ukraine to 2013, annexed by Russia from 2014).
"""

from datetime import date

import pandas as pd

from csto_atlas.data.load import Atlas
from csto_atlas.data.territories import territory_table
from csto_atlas.domain.status import status_table


def region_kinds(regions: pd.DataFrame) -> pd.Series:
    """Region code -> kind (state, breakaway, annexed territory); one row per code."""
    regions = regions.drop_duplicates("iso3")
    return pd.Series(regions["kind"].to_numpy(), index=regions["iso3"].to_numpy())


def territories_table(atlas: Atlas, years: range) -> pd.DataFrame:
    """Territory status of every region per year: rows iso3, columns years."""
    return territory_table(atlas.territories, region_kinds(atlas.regions), years)


def drawn_status_table(atlas: Atlas, years: range) -> pd.DataFrame:
    """Membership status every region is drawn with per year: its own, or its parent's while it
    is part of its parent (a territory inside a territory is not modelled)."""
    regions = atlas.regions.drop_duplicates("iso3")  # a region drawn in pieces: one row
    codes = list(regions["iso3"])
    own = status_table(atlas.membership, codes, years)
    parents = regions.set_index("iso3")["parent_iso3"].fillna("")
    parent_rows = own.reindex(parents.replace("", pd.NA).fillna(parents.index.to_series()))
    parent_rows.index = own.index
    part = territories_table(atlas, years) == "part of parent"
    return own.mask(part, parent_rows)


def annexed_by(atlas: Atlas, when: date) -> dict[str, str]:
    """Region code -> the iso3 of the state that annexed it, for regions annexed on `when`."""
    events = atlas.territories[atlas.territories["same_as"].isna()]
    events = (
        events[events["ends"] <= pd.Timestamp(when)].sort_index().sort_values("ends", kind="stable")
    )
    latest = events.groupby("iso3").tail(1)
    latest = latest[latest["status"] == "annexed"]
    return dict(zip(latest["iso3"], latest["by_iso3"], strict=True))


def territory_in(atlas: Atlas, iso3: str, year: int) -> tuple[str, str | None]:
    """A region's territory status on 31 December of `year`, and the event's detail."""
    status = territories_table(atlas, range(year, year + 1)).at[iso3, year]
    events = atlas.territories[
        (atlas.territories["iso3"] == iso3)
        & atlas.territories["same_as"].isna()
        & (atlas.territories["ends"] <= pd.Timestamp(year, 12, 31))
    ]
    if events.empty:
        return status, None
    detail = events.sort_values("ends", kind="stable").iloc[-1]["detail"]
    return status, detail if isinstance(detail, str) else None


def feature_tables(atlas: Atlas, years: range) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per feature of the regions (rows: atlas.regions' index, columns: years): the membership
    status it is drawn with and its territory status.

    A region drawn in pieces (geodata/periods.csv: Nagorno-Karabakh) has one feature per piece,
    each with its own from_year / to_year; outside them the piece is drawn as part of its
    parent (its parent's status, territory "part of parent"), inside them as its region is.
    """
    regions = atlas.regions
    drawn = drawn_status_table(atlas, years)
    territory = territories_table(atlas, years)
    codes = regions["iso3"].to_numpy()
    own_drawn = drawn.reindex(codes).set_axis(regions.index)
    own_territory = territory.reindex(codes).set_axis(regions.index)
    parents = regions["parent_iso3"].fillna("").to_numpy()
    parent_drawn = drawn.reindex(parents).set_axis(regions.index)
    columns = list(years)
    first = regions["from_year"] if "from_year" in regions else pd.Series(pd.NA, regions.index)
    last = regions["to_year"] if "to_year" in regions else pd.Series(pd.NA, regions.index)
    inside = pd.DataFrame(
        {
            year: (first.isna() | (first <= year)) & (last.isna() | (last >= year))
            for year in columns
        },
        index=regions.index,
    ).fillna(True)
    outside = (
        ~inside.astype(bool) & pd.Series(parents != "", index=regions.index).to_numpy()[:, None]
    )
    return (
        own_drawn.mask(outside, parent_drawn),
        own_territory.mask(outside, "part of parent"),
    )
