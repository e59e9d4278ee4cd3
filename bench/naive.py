"""The naive baseline's map, built from scratch on every rerun from unsimplified Natural Earth.

No Streamlit here (bench/naive_app.py is the page). Natural Earth is read through the
package's own geodata readers, so the baseline draws exactly the product's region: the same
states from the 1:50m countries (unsimplified, Russia not folded across the antimeridian) and
each breakaway's 1:10m polygon drawn on top of its parent (not cut out).
"""

from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

from csto_atlas.data.geodata_build import (
    default_paths,
    read_disputed,
    read_iso3_overrides,
    read_world,
)
from csto_atlas.data.load import Atlas
from csto_atlas.domain.geo import countries_for_year
from csto_atlas.render import assets
from csto_atlas.render.style import STATUS_COLOURS

BENCH_DIR = Path(__file__).resolve().parent
STATIC_DIR = BENCH_DIR / "static"
YEAR_CLASS_PREFIX = "bench-year-"


def unsimplified_regions(atlas: Atlas, naturalearth_dir: Path | None = None) -> gpd.GeoDataFrame:
    """iso3 + Natural Earth geometry of every region the product draws; breakaways last (on top)."""
    paths = default_paths()
    source = naturalearth_dir or paths.naturalearth_dir
    world = read_world(source, read_iso3_overrides(paths.iso3_overrides_csv))
    regions = atlas.regions
    states = world[world["iso3"].isin(regions.loc[regions["kind"] == "state", "iso3"])]
    breakaways = (
        atlas.countries.loc[atlas.countries["kind"] == "breakaway", ["iso3", "ne_name"]]
        .merge(read_disputed(source), left_on="ne_name", right_on="BRK_NAME")
        .loc[lambda frame: frame["iso3"].isin(regions["iso3"])]
    )
    shapes = pd.concat(
        [states[["iso3", "geometry"]], breakaways[["iso3", "geometry"]]], ignore_index=True
    )
    return gpd.GeoDataFrame(shapes, geometry="geometry", crs="EPSG:4326")


def naive_statuses(atlas: Atlas, year: int) -> pd.DataFrame:
    """iso3, name and status of every region in `year`, one row each (a region drawn in pieces
    has a row per piece; the baseline draws its Natural Earth polygon once, as its first)."""
    return countries_for_year(atlas, year)[["iso3", "name", "status"]].drop_duplicates("iso3")


def naive_map(atlas: Atlas, shapes: gpd.GeoDataFrame, year: int) -> folium.Map:
    """The whole map of `year`: every polygon, its status colour, a tooltip; Leaflet offline."""
    statuses = naive_statuses(atlas, year)
    layer = shapes.merge(statuses, on="iso3")
    west, south, east, north = atlas.regions.total_bounds
    fmap = folium.Map(tiles=None, location=[(south + north) / 2, (west + east) / 2], zoom_start=3)
    fmap.default_js = [("leaflet", assets.leaflet_js_url())]
    fmap.default_css = [("leaflet_css", assets.leaflet_css_url())]
    folium.GeoJson(
        layer,
        style_function=lambda feature: {
            "className": f"csto-iso-{feature['properties']['iso3']} {YEAR_CLASS_PREFIX}{year}",
            "fillColor": STATUS_COLOURS[feature["properties"]["status"]],
            "fillOpacity": 0.88,
            "color": "#ffffff",
            "weight": 1,
        },
        tooltip=folium.GeoJsonTooltip(["name", "status"]),
    ).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap
