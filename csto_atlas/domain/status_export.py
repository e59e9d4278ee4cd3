"""Every region's status in every year, as one export (the API's `status.csv` / `.geojson`).

A stopgap with the signature of `export.status_text` on the `pages` branch (the Data page's
country x year table); once both are merged, the API calls that one and this module goes.
"""

import json

import pandas as pd

from csto_atlas.data.load import Atlas
from csto_atlas.data.version import DataVersion
from csto_atlas.domain.export import BOUNDARIES, to_csv
from csto_atlas.domain.status import year_range
from csto_atlas.domain.territory import drawn_status_table

ROW_COLUMNS = ["iso3", "name", "kind", "parent_iso3"]


def status_table(atlas: Atlas, years: range) -> pd.DataFrame:
    """One row per region (iso3, name, kind, parent_iso3), one column per year: the status it
    is drawn with on 31 December of that year."""
    regions = atlas.regions[ROW_COLUMNS].reset_index(drop=True)
    regions = regions.assign(parent_iso3=regions["parent_iso3"].fillna(""))
    cells = drawn_status_table(atlas, years).reindex(regions["iso3"]).reset_index(drop=True)
    cells.columns = [str(year) for year in years]
    return pd.concat([regions, cells], axis="columns")


def status_text(
    atlas: Atlas, fmt: str, version: DataVersion | None, years: range | None = None
) -> str:
    """The status table as CSV, or as GeoJSON (each region's polygon, a property per year)."""
    years = years if years is not None else year_range(atlas.membership)
    frame = status_table(atlas, years)
    if fmt == "csv":
        return to_csv(frame)
    shapes = atlas.regions.set_index("iso3").geometry
    records = json.loads(frame.to_json(orient="records", force_ascii=False))
    features = [
        {"type": "Feature", "properties": row, "geometry": shapes[row["iso3"]].__geo_interface__}
        for row in records
    ]
    meta: dict[str, object] = {
        "title": f"CSTO Atlas: status on 31 December, {years.start}-{years.stop - 1}",
        "layer": "status",
        "years": [years.start, years.stop - 1],
        "boundaries": BOUNDARIES,
    }
    if version is not None:
        meta |= {"data_version": version.digest, "data_checked": version.checked_text}
    collection = {"type": "FeatureCollection", "features": features, "metadata": meta}
    return json.dumps(collection, ensure_ascii=False) + "\n"
