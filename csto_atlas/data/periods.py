"""geodata/periods.csv: the periods a region is drawn in, read and checked.

A row is one period of one piece of a region: the piece's districts (`admin1`; empty = the rest
of the region), the territories.csv events that start and end the period, and its `extent`:
`known` (empty means the same) when the outline drawn is the area held, `uncertain` when the
area held was different and no public line of it exists (the outline is drawn with the
uncertain look and the panel says so). Rows sharing an iso3 and a piece are the periods of one
piece: they must share their districts, and their years must follow one another with no year
in two periods and no year left out between them.
"""

from pathlib import Path

import pandas as pd

from csto_atlas.data.errors import DataError, Problem
from csto_atlas.data.read import display_path

PERIODS_FILE = "periods.csv"
EXTENTS = ("known", "uncertain")
COLUMNS = ["iso3", "piece", "admin1", "from_year", "to_year", "extent", "line"]


def empty_periods() -> pd.DataFrame:
    """No periods: every region drawn as one feature in all its years, its extent known."""
    return pd.DataFrame(columns=COLUMNS).astype({"from_year": "Int64", "to_year": "Int64"})


def event_years(
    periods: pd.DataFrame, territories: pd.DataFrame, shown: str
) -> tuple[list[tuple], list[Problem]]:
    """Each row's (from_year, to_year) from its events: an event in effect on 31 December of its
    year sets that year, so a period runs from its from_event's year to the year before its
    to_event's (None = open). Problems name the row's line and column."""
    events = territories.drop_duplicates("id").set_index("id")
    problems, years = [], []
    for line, row in zip(periods.index, periods.itertuples(), strict=True):
        pair = []
        for column, shift in (("from_event", 0), ("to_event", -1)):
            event = getattr(row, column)
            if not event:
                pair.append(None)
            elif event not in events.index or events.at[event, "iso3"] != row.iso3:
                message = f"{event!r} is not an event of {row.iso3} in territories.csv"
                problems.append(Problem(shown, line, column, message))
                pair.append(None)
            else:
                pair.append(int(str(events.at[event, "date"])[:4]) + shift)
        if None not in pair and pair[0] > pair[1]:
            message = f"{row.piece!r} would be drawn in no year ({pair[0]} to {pair[1]})"
            problems.append(Problem(shown, line, "to_event", message))
        years.append(tuple(pair))
    return years, problems


def describe(first: int | None, last: int | None) -> str:
    """Years as the messages say them: `1993 to 2019`, `the start to 2007`, `2008 on`."""
    start = "the start" if first is None else str(first)
    return f"{start} on" if last is None else f"{start} to {last}"


def check_sequence(frame: pd.DataFrame, shown: str) -> list[Problem]:
    """The periods of each piece (rows sharing iso3 and piece) in order of their years: the
    same districts, no year in two periods, no year left out between two periods."""
    problems = []
    for (iso3, piece), rows in frame.groupby(["iso3", "piece"], sort=False):
        if rows["admin1"].nunique() > 1:
            first = rows.iloc[0]
            for row in rows.iloc[1:].itertuples():
                if row.admin1 != first["admin1"]:
                    message = (
                        f"{row.admin1!r}: a period of {iso3} {piece!r} must name the districts "
                        f"of line {first['line']} ({first['admin1']!r})"
                    )
                    problems.append(Problem(shown, row.line, "admin1", message))
        ordered = rows.assign(start=rows["from_year"].fillna(-1).astype(int)).sort_values(
            ["start", "line"], kind="stable"
        )
        previous = None
        for row in ordered.itertuples():
            if previous is not None:
                end = previous.to_year
                start = row.from_year
                named = f"{iso3} {piece!r}: {describe(start, row.to_year)}"
                before = f"line {previous.line} ({describe(previous.from_year, end)})"
                if end is None or start is None or start <= end:
                    message = f"{named} overlaps {before}; each year has one period"
                    problems.append(Problem(shown, row.line, "from_event", message))
                elif start > end + 1:
                    gap = describe(end + 1, start - 1)
                    message = f"{named} leaves {gap} without a period after {before}"
                    problems.append(Problem(shown, row.line, "from_event", message))
            previous = row
    return problems


def read_periods(
    geodata_dir: Path,
    territories: pd.DataFrame,
    codes: set[str] | None = None,
    foreign_data: bool = False,
) -> pd.DataFrame:
    """periods.csv, one row per period (columns COLUMNS; years Int64, null = open), checked;
    raise DataError naming file, line and column for an unknown event, a period of no year, an
    unknown extent, or periods of one piece that overlap or leave a gap. Rows of regions outside
    `codes` (when given) are left out. No file: no periods.

    `foreign_data`: `territories` is not the data the geodata was built from (a `--data` folder
    drawn on the bundled geodata), so rows naming an event it lacks are left out rather than
    refused: their regions are drawn with a known extent."""
    path = geodata_dir / PERIODS_FILE
    if not path.is_file():
        return empty_periods()
    shown = display_path(path)
    periods = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if "extent" not in periods:
        periods["extent"] = ""
    periods.index = periods.index + 2  # the line in the file
    if codes is not None:
        periods = periods[periods["iso3"].isin(codes)]
    if foreign_data:
        pairs = set(zip(territories["id"], territories["iso3"], strict=True))
        ours = [
            all(not event or (event, iso3) in pairs for event in (start, end))
            for iso3, start, end in zip(
                periods["iso3"], periods["from_event"], periods["to_event"], strict=True
            )
        ]
        periods = periods[ours]
    years, problems = event_years(periods, territories, shown)
    for line, extent in periods["extent"].items():
        if extent and extent not in EXTENTS:
            message = f"{extent!r} is not an extent (expected one of {', '.join(EXTENTS)})"
            problems.append(Problem(shown, line, "extent", message))
    frame = pd.DataFrame(
        {
            "iso3": periods["iso3"].to_numpy(),
            "piece": periods["piece"].to_numpy(),
            "admin1": periods["admin1"].to_numpy(),
            "from_year": pd.array([first for first, _ in years], dtype="Int64"),
            "to_year": pd.array([last for _, last in years], dtype="Int64"),
            "extent": [extent or "known" for extent in periods["extent"]],
            "line": periods.index.to_numpy(),
        },
        columns=COLUMNS,
    )
    if not problems:
        problems += check_sequence(frame.astype(object).where(frame.notna(), None), shown)
    if problems:
        raise DataError(problems)
    return frame


def piece_years(periods: pd.DataFrame) -> pd.DataFrame:
    """One row per piece (iso3, piece, admin1) with the years of all its periods together
    (null = open), in the file's order: what the geodata draws as one feature."""
    rows = []
    for (iso3, piece), group in periods.groupby(["iso3", "piece"], sort=False):
        first = None if group["from_year"].isna().any() else int(group["from_year"].min())
        last = None if group["to_year"].isna().any() else int(group["to_year"].max())
        rows.append((iso3, piece, group["admin1"].iloc[0], first, last))
    frame = pd.DataFrame(rows, columns=["iso3", "piece", "admin1", "from_year", "to_year"])
    return frame.astype({"from_year": "Int64", "to_year": "Int64"})


def uncertain_years(periods: pd.DataFrame, codes: list[str], years: range) -> set[tuple]:
    """(iso3, year) of every region and year drawn in a period of uncertain extent."""
    found = set()
    for row in periods[periods["extent"] == "uncertain"].itertuples():
        if row.iso3 not in codes:
            continue
        first = years.start if pd.isna(row.from_year) else max(int(row.from_year), years.start)
        last = years.stop - 1 if pd.isna(row.to_year) else min(int(row.to_year), years.stop - 1)
        found.update((row.iso3, year) for year in range(first, last + 1))
    return found
