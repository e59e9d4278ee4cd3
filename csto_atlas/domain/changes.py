"""What changed in a year: the regions whose status on 31 December differs from the year before.

`changes_in_year` feeds the map's year box ("2012: Uzbekistan suspended") and its outlines; the
timeline page can read the same frame. Each change names the primary event behind the new status.
"""

from datetime import date

import pandas as pd

from csto_atlas.data.load import Atlas
from csto_atlas.domain.geo import region_names
from csto_atlas.domain.status import primary_events, status_table

CHANGE_COLUMNS = ["iso3", "name", "date", "old_status", "new_status", "kind", "source_id"]


def event_behind(membership: pd.DataFrame, iso3: str, status: str, year: int) -> pd.Series | None:
    """The first primary event of `iso3` taking effect in `year` that set `status`, if any."""
    events = primary_events(membership)
    start, end = pd.Timestamp(date(year, 1, 1)), pd.Timestamp(date(year, 12, 31))
    found = events[
        (events["iso3"] == iso3)
        & (events["status"] == status)
        & (events["ends"] >= start)
        & (events["ends"] <= end)
    ].sort_values("ends", kind="stable")
    return None if found.empty else found.iloc[0]


def changes_in_year(atlas: Atlas, year: int) -> pd.DataFrame:
    """Regions whose status on 31 December `year` differs from 31 December `year - 1`.

    Columns: iso3, name, date (of the event behind the change, as written), old_status,
    new_status, kind ("status"), source_id; ordered by date then name.
    """
    codes = list(atlas.regions["iso3"])
    table = status_table(atlas.membership, codes, range(year - 1, year + 1))
    changed = table[table[year - 1] != table[year]]
    names = region_names(atlas.regions)
    rows = []
    for iso3, before, after in zip(changed.index, changed[year - 1], changed[year], strict=True):
        event = event_behind(atlas.membership, iso3, after, year)
        rows.append(
            {
                "iso3": iso3,
                "name": names[iso3],
                "date": None if event is None else event["date"],
                "old_status": before,
                "new_status": after,
                "kind": "status",
                "source_id": None if event is None else event["source_id"],
            }
        )
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    return frame.sort_values(["date", "name"], na_position="last", kind="stable").reset_index(
        drop=True
    )
