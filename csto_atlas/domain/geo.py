"""GeoPandas views of the atlas for one year: the year model on polygons, the points of that year."""

import geopandas as gpd
import pandas as pd

from csto_atlas.data.load import Atlas
from csto_atlas.domain.yearmodel import region_names, years_model

__all__ = [
    "bases_active",
    "countries_for_year",
    "incidents_until",
    "meetings_until",
    "notes_until",
    "region_names",
    "region_parents",
]


def countries_for_year(atlas: Atlas, year: int) -> gpd.GeoDataFrame:
    """Every region's polygon with its year model (domain/yearmodel.py) on 31 December of
    `year`: the status it is drawn with (its parent's while it is part of its parent), the
    event behind it (`event_id`, `detail`), its territory status and its look."""
    model = years_model(atlas, range(year, year + 1)).drop(columns=["name", "kind", "year"])
    model = model.rename(columns={"parent_iso3": "model_parent_iso3"})
    joined = atlas.regions.merge(model, how="left", on="iso3")
    return joined.drop(columns="model_parent_iso3")


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


def region_parents(regions: pd.DataFrame) -> dict[str, str]:
    """Region code -> the code of its parent state ("" for a state)."""
    return dict(zip(regions["iso3"], regions["parent_iso3"].fillna(""), strict=True))
