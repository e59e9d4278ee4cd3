"""Membership events -> the status of every country per year (on 31 December).

Which event is in effect is decided in one place, csto_atlas.data.events.
"""

from datetime import date

import pandas as pd

from csto_atlas.data.events import primary_events, table_by_year
from csto_atlas.data.schema import DEFAULT_STATUS, STATUSES

__all__ = [
    "DEFAULT_STATUS",
    "STATUSES",
    "primary_events",
    "status_table",
    "year_range",
]


def year_range(membership: pd.DataFrame, today: date | None = None) -> range:
    """From the year of the first membership event to the current year, inclusive."""
    last = (today or date.today()).year
    first = int(membership["year"].min()) if not membership.empty else last
    return range(first, last + 1)


def status_table(membership: pd.DataFrame, iso3: list[str], years: range) -> pd.DataFrame:
    """Status of every code in `iso3` on 31 December of every year: rows iso3, columns years."""
    return table_by_year(membership, iso3, years, "status").fillna(DEFAULT_STATUS)
