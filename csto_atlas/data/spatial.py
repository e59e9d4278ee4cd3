"""Points into polygons: which region each dataset point falls in, by a GeoPandas spatial join."""

import geopandas as gpd
import pandas as pd


def to_points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """A frame with lat/lon columns as point geometry in EPSG:4326."""
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
    )


# The web geometry is simplified: a coastal town may fall just offshore. A point in no polygon
# counts as inside the nearest one within this many degrees (about 10 km).
COAST_TOLERANCE_DEG = 0.1


def locate_points(frame: pd.DataFrame, regions: gpd.GeoDataFrame) -> pd.Series:
    """The iso3 of the region each row's point falls in (breakaways win over their parent), or NA."""
    located = pd.Series(pd.NA, index=frame.index, dtype="str", name="located_iso3")
    if frame.empty:
        return located
    points = to_points(frame[["lat", "lon"]])
    joined = gpd.sjoin(points, regions[["iso3", "kind", "geometry"]], predicate="intersects")
    # A point on a shared border matches both sides: prefer a breakaway, then the first code.
    joined = joined.assign(is_state=joined["kind"] != "breakaway").sort_values(["is_state", "iso3"])
    inside = joined[~joined.index.duplicated(keep="first")]["iso3"]
    located.loc[inside.index] = inside
    offshore = points[located.isna()]
    if not offshore.empty:
        point_pos, region_pos = regions.sindex.nearest(
            offshore.geometry, max_distance=COAST_TOLERANCE_DEG, return_all=False
        )
        located.loc[offshore.index[point_pos]] = regions["iso3"].to_numpy()[region_pos]
    return located
