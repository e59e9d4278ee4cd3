"""The one rule for "the event in effect": which row of an event table (membership.csv,
territories.csv) decides a region's state on 31 December of a year.

An event is in effect from the end of its date's period (`ends`: `2013` on 2013-12-31). Only
primary rows count (a `same_as` row is another source's account of an event). The latest
event in effect wins; two events taking effect on the same day are taken in file order, the
later row winning. Every table of statuses, territories and the events behind them reads this.
"""

import pandas as pd


def primary_events(events: pd.DataFrame) -> pd.DataFrame:
    """The rows the derivations use: those that are not another source's account (same_as)."""
    return events[events["same_as"].isna()]


def ordered_events(events: pd.DataFrame) -> pd.DataFrame:
    """Primary events by the day they take effect, file order breaking ties (later = newer)."""
    return primary_events(events).sort_index().sort_values("ends", kind="stable")


def in_effect_by_year(
    events: pd.DataFrame, codes: list[str], years: range, columns: list[str]
) -> pd.DataFrame:
    """For every code and year: `columns` of the latest primary event in effect on 31 December
    (missing where none is). A long frame: iso3, year, then `columns`, codes in the order given
    within each year."""
    grid = pd.DataFrame(
        [(code, year, pd.Timestamp(year, 12, 31)) for year in years for code in codes],
        columns=["iso3", "year", "ends"],
    )
    grid["order"] = range(len(grid))
    ordered = ordered_events(events)[["iso3", "ends", *columns]]
    grid["ends"] = grid["ends"].astype(ordered["ends"].dtype)
    # merge_asof takes, among rows of one day, the last: the later row of the file.
    joined = pd.merge_asof(
        grid.sort_values("ends", kind="stable"), ordered, on="ends", by="iso3", direction="backward"
    )
    joined = joined.sort_values("order").reset_index(drop=True)
    return joined[["iso3", "year", *columns]]


def table_by_year(
    events: pd.DataFrame, codes: list[str], years: range, column: str
) -> pd.DataFrame:
    """`column` of the event in effect, as a table: rows the codes, columns the years."""
    long = in_effect_by_year(events, codes, years, [column])
    table = long.pivot(index="iso3", columns="year", values=column)
    return table.reindex(index=codes, columns=list(years))
