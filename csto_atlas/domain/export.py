"""The CLI's export layers: one frame per layer for a year, with documented columns first."""

import json
from datetime import date

import pandas as pd

from csto_atlas.data.load import Atlas
from csto_atlas.domain import geo
from csto_atlas.domain.sources import checked_until

# The columns the CLI promises come first, in this order; the others follow.
LAYER_COLUMNS = {
    "countries": [
        "iso3",
        "name",
        "status",
        "detail",
        "kind",
        "parent_iso3",
        "territory",
        "checked_until",
    ],
    "bases": [
        "id",
        "name",
        "lat",
        "lon",
        "host_iso3",
        "region_iso3",
        "unit",
        "start_year",
        "end_year",
        "source_id",
    ],
    "incidents": [
        "id",
        "name",
        "date",
        "lat",
        "lon",
        "iso3",
        "killed",
        "summary",
        "same_as",
        "source_id",
    ],
    "notes": ["id", "iso3", "year", "text", "source_id", "quote", "year_end", "locator"],
    "meetings": ["id", "name", "date", "end_date", "place", "lat", "lon", "iso3", "source_id"],
    "sources": ["id", "author", "title", "publisher", "date", "kind", "url"],
}
LAYERS = tuple(LAYER_COLUMNS)


def layer_frame(atlas: Atlas, layer: str, year: int) -> pd.DataFrame:
    """The rows of `layer` that belong to `year`, in the layer's columns."""
    frames = {
        "countries": lambda: countries_layer(atlas, year),
        "bases": lambda: geo.bases_active(atlas, year),
        "incidents": lambda: geo.incidents_until(atlas, year),
        "notes": lambda: geo.notes_until(atlas, year),
        "meetings": lambda: geo.meetings_until(atlas, year),
        "sources": lambda: atlas.sources,
    }
    frame = frames[layer]()
    return frame[LAYER_COLUMNS[layer]].reset_index(drop=True)


def countries_layer(atlas: Atlas, year: int) -> pd.DataFrame:
    """Every region's status in `year`; for the current year, up to when the data was checked
    (the newest source date), empty for earlier years."""
    checked = checked_until(atlas.sources) if year == date.today().year else pd.NA
    return geo.countries_for_year(atlas, year).assign(checked_until=checked)


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text, empty cells for missing values."""
    return frame.to_csv(index=False, lineterminator="\n")


def to_geojson(atlas: Atlas, layer: str, frame: pd.DataFrame) -> str:
    """A FeatureCollection: country polygons for `countries`, points for lat/lon layers, no
    geometry for notes and sources."""
    if layer == "countries":
        shapes = atlas.regions.set_index("iso3").geometry
        geometries = [shapes[code].__geo_interface__ for code in frame["iso3"]]
    elif {"lat", "lon"} <= set(frame):
        geometries = [
            {"type": "Point", "coordinates": [lon, lat]}
            for lat, lon in zip(frame["lat"], frame["lon"], strict=True)
        ]
    else:
        geometries = [None] * len(frame)
    records = json.loads(frame.to_json(orient="records", force_ascii=False))
    features = [
        {"type": "Feature", "properties": props, "geometry": geometry}
        for props, geometry in zip(records, geometries, strict=True)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
