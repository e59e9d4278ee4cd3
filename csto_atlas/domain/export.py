"""The CLI's export layers: one frame per layer for a year, with documented columns first."""

import json

import geopandas as gpd
import pandas as pd

from csto_atlas.data.load import Atlas
from csto_atlas.domain import borders, geo

# The columns the CLI promises come first, in this order; the others follow.
LAYER_COLUMNS = {
    "countries": ["iso3", "name", "status", "detail", "kind", "parent_iso3"],
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
    "borders": borders.BORDER_COLUMNS,
}
LAYERS = tuple(LAYER_COLUMNS)
# Layers whose frame carries its own geometry (a GeoDataFrame): the lines members share.
OWN_GEOMETRY = ("borders",)
KM_DECIMALS = 1  # 100 m: far finer than what a 1:50m line is worth (see borders.py)


def layer_frame(atlas: Atlas, layer: str, year: int) -> pd.DataFrame:
    """The rows of `layer` that belong to `year`, in the layer's columns."""
    frames = {
        "countries": lambda: geo.countries_for_year(atlas, year),
        "bases": lambda: geo.bases_active(atlas, year),
        "incidents": lambda: geo.incidents_until(atlas, year),
        "notes": lambda: geo.notes_until(atlas, year),
        "meetings": lambda: geo.meetings_until(atlas, year),
        "sources": lambda: atlas.sources,
        "borders": lambda: borders_frame(atlas, year),
    }
    frame = frames[layer]()
    columns = LAYER_COLUMNS[layer] + (["geometry"] if layer in OWN_GEOMETRY else [])
    return frame[columns].reset_index(drop=True)


def borders_frame(atlas: Atlas, year: int) -> gpd.GeoDataFrame:
    """Each member's land border with each non-member neighbour, km rounded to 100 m."""
    frame = borders.member_borders(atlas, year)
    return frame.assign(km=frame["km"].round(KM_DECIMALS))


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text, empty cells for missing values (a layer's own geometry stays out)."""
    table = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    return table.to_csv(index=False, lineterminator="\n")


def to_geojson(atlas: Atlas, layer: str, frame: pd.DataFrame) -> str:
    """A FeatureCollection: country polygons for `countries`, the shared lines for `borders`,
    points for lat/lon layers, no geometry for notes and sources."""
    if isinstance(frame, gpd.GeoDataFrame):
        geometries = [shape.__geo_interface__ for shape in frame.geometry]
        frame = pd.DataFrame(frame.drop(columns="geometry"))
    elif layer == "countries":
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
