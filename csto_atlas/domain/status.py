"""Membership events -> the status of every country on any date, and per year (on 31 December)."""

from datetime import date

import pandas as pd

from csto_atlas.data.schema import DEFAULT_STATUS, STATUSES

__all__ = [
    "DEFAULT_STATUS",
    "STATUSES",
    "primary_events",
    "status_on",
    "status_table",
    "year_range",
]


def primary_events(membership: pd.DataFrame) -> pd.DataFrame:
    """The events the derivation uses: rows that are not another source's account (same_as)."""
    return membership[membership["same_as"].isna()]


def _ordered(events: pd.DataFrame) -> pd.DataFrame:
    """Events by the day they take effect (end of their period), file order breaking ties."""
    return events.sort_index().sort_values("ends", kind="stable")


def status_on(membership: pd.DataFrame, when: date) -> pd.DataFrame:
    """Status and detail of each country with an event in effect on `when` (iso3-indexed)."""
    events = _ordered(primary_events(membership))
    in_effect = events[events["ends"] <= pd.Timestamp(when)]
    latest = in_effect.groupby("iso3", sort=True).tail(1).set_index("iso3")
    return latest[["status", "detail", "id"]]


def year_range(membership: pd.DataFrame, today: date | None = None) -> range:
    """From the year of the first membership event to the current year, inclusive."""
    last = (today or date.today()).year
    first = int(membership["year"].min()) if not membership.empty else last
    return range(first, last + 1)


def status_table(membership: pd.DataFrame, iso3: list[str], years: range) -> pd.DataFrame:
    """Status of every code in `iso3` on 31 December of every year: rows iso3, columns years
    (a code listed twice, a region drawn in pieces, has one row)."""
    iso3 = list(dict.fromkeys(iso3))
    grid = pd.DataFrame(
        [(code, year, pd.Timestamp(year, 12, 31)) for year in years for code in iso3],
        columns=["iso3", "year", "ends"],
    ).sort_values("ends")
    events = _ordered(primary_events(membership))[["iso3", "ends", "status"]]
    grid["ends"] = grid["ends"].astype(events["ends"].dtype)
    joined = pd.merge_asof(grid, events, on="ends", by="iso3", direction="backward")
    table = joined.pivot(index="iso3", columns="year", values="status")
    return table.reindex(index=iso3, columns=list(years)).fillna(DEFAULT_STATUS)
