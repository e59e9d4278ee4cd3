"""How each breakaway region and annexed territory is drawn in each year (territories.csv).

A state is drawn as itself. A breakaway region or annexed territory has a territory status on
31 December of each year: the latest primary event (no `same_as`) in effect by then, or its
kind's default before any event (countries.csv `kind`: a breakaway is drawn as its own region,
an annexed territory as part of its parent state). The geodata build writes the years a
region is drawn as its own feature (`from_year`, `to_year`); the map reads a letter per year.
"""

import pandas as pd

from csto_atlas.data.events import table_by_year
from csto_atlas.data.schema import DEFAULT_TERRITORY


def territory_table(territories: pd.DataFrame, kinds: pd.Series, years: range) -> pd.DataFrame:
    """Territory status of every region in `kinds` (iso3 -> kind) per year: rows iso3."""
    table = table_by_year(territories, list(kinds.index), years, "status")
    defaults = kinds.map(DEFAULT_TERRITORY)
    return table.apply(lambda column: column.fillna(defaults))


def drawn_years(table: pd.DataFrame) -> pd.DataFrame:
    """from_year and to_year (None = open) of the years each region is drawn as its own region.

    A region drawn as part of its parent in every year has neither; a region whose own years
    are not one unbroken span is an error (ValueError naming it).
    """
    rows = {}
    years = list(table.columns)
    for iso3, statuses in table.iterrows():
        own = [
            year for year, status in zip(years, statuses, strict=True) if status != "part of parent"
        ]
        if not own:
            rows[iso3] = (None, None)
            continue
        if own != list(range(own[0], own[-1] + 1)):
            raise ValueError(f"{iso3} is drawn as its own region in broken spans of years: {own}")
        rows[iso3] = (
            None if own[0] == years[0] else own[0],
            None if own[-1] == years[-1] else own[-1],
        )
    spans = pd.DataFrame.from_dict(rows, orient="index", columns=["from_year", "to_year"])
    return spans.astype("Int64")
