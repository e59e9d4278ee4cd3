"""Shared border lines of a coverage of polygons, their geodesic lengths, and TopoJSON decoding.

The data layer's part of the border measurement: the geodata build measures the lines on
Natural Earth 1:10m (world-atlas' TopoJSON) and on the map's simplified 1:50m polygons with the
same functions, and `csto_atlas.domain.borders` draws on them for the map's own lines.

- A **feature key** names one feature of regions.geojson: its iso3, with its years when it is
  drawn as its own region only in some (`XNK:1993-2019`, `XCR:2014-`, `AFG`).
- **Lengths** are geodesic on the WGS84 ellipsoid (`pyproj.Geod.geometry_length`): the sum of
  the ellipsoidal distances between consecutive vertices; no projection distorts them.
"""

import json
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

GEOD = Geod(ellps="WGS84")


def feature_key(iso3: str, from_year: object = None, to_year: object = None) -> str:
    """`XNK:1993-2019`: a feature's iso3 and, when it has any, its years (empty = open)."""
    first = "" if from_year is None or pd.isna(from_year) else str(int(from_year))
    last = "" if to_year is None or pd.isna(to_year) else str(int(to_year))
    return iso3 if not first and not last else f"{iso3}:{first}-{last}"


def feature_keys(regions: pd.DataFrame) -> pd.Series:
    """The feature key of every row of a regions frame (years optional)."""
    first = regions["from_year"] if "from_year" in regions else pd.Series(None, index=regions.index)
    last = regions["to_year"] if "to_year" in regions else pd.Series(None, index=regions.index)
    keys = [
        feature_key(code, start, end)
        for code, start, end in zip(regions["iso3"], first, last, strict=True)
    ]
    return pd.Series(keys, index=regions.index, dtype="str")


def geodesic_km(shapes: Iterable[shapely.Geometry]) -> np.ndarray:
    """The geodesic length on the WGS84 ellipsoid of each line (longitude, latitude), in km."""
    return np.array([GEOD.geometry_length(shape) / 1000.0 for shape in shapes], dtype="float64")


def line_parts(shape: shapely.Geometry) -> shapely.Geometry:
    """The lines of a boundary intersection, merged; points (corner contacts) dropped."""
    parts = [
        part
        for part in shapely.get_parts(shape)
        if part.geom_type in ("LineString", "LinearRing") and part.length > 0
    ]
    if not parts:
        return shapely.MultiLineString()
    return shapely.line_merge(shapely.MultiLineString(parts))


def shared_border_lines(shapes: gpd.GeoSeries) -> pd.DataFrame:
    """Every pair of touching polygons (each pair once, by position) and the line they share.

    Columns: first, second (positions in `shapes`, first < second), geometry (the merged line;
    pairs that only meet at a point are left out).
    """
    tree = shapely.STRtree(shapes.to_numpy())
    first, second = tree.query(shapes.to_numpy(), predicate="intersects")
    keep = first < second
    first, second = first[keep], second[keep]
    boundaries = shapely.boundary(shapes.to_numpy())
    lines = [
        line_parts(shape) for shape in shapely.intersection(boundaries[first], boundaries[second])
    ]
    frame = pd.DataFrame({"first": first, "second": second, "geometry": lines})
    return frame[~shapely.is_empty(frame["geometry"].to_numpy())].reset_index(drop=True)


# --- TopoJSON ----------------------------------------------------------------------------------


def decode_arcs(topology: dict) -> list[np.ndarray]:
    """Every arc of a TopoJSON topology as an (n, 2) array of longitude, latitude.

    Quantized topologies store each arc's first position and then deltas, in integer steps of
    `transform.scale` from `transform.translate` (TopoJSON specification, 2.1.2 and 2.2.1).
    """
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        positions = np.asarray(arc, dtype="float64")[:, :2]
        if transform is not None:
            positions = np.cumsum(positions, axis=0)
            positions = positions * np.asarray(transform["scale"]) + np.asarray(
                transform["translate"]
            )
        arcs.append(positions)
    return arcs


def ring_of(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    """One ring from its arc indices: a negative index ~i is arc i reversed; each arc after
    the first drops its first position (the previous arc's last)."""
    pieces = []
    for position, index in enumerate(indices):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        pieces.append(arc if position == 0 else arc[1:])
    return np.concatenate(pieces)


def polygon_of(rings: list[list[int]], arcs: list[np.ndarray]) -> shapely.Polygon:
    """A polygon from its rings of arc indices (exterior first); rings that quantization
    collapsed to fewer than four positions (specks of islands) are dropped."""
    coords = [ring_of(ring, arcs) for ring in rings]
    coords = [ring for ring in coords if len(ring) >= 4]
    if not coords:
        return shapely.Polygon()
    return shapely.Polygon(coords[0], coords[1:])


def geometry_of(geometry: dict, arcs: list[np.ndarray]) -> shapely.Geometry | None:
    """A TopoJSON Polygon or MultiPolygon geometry object as a shapely geometry (None else)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [polygon_of(geometry["arcs"], arcs)]
    elif kind == "MultiPolygon":
        polygons = [polygon_of(rings, arcs) for rings in geometry["arcs"]]
    else:
        return None
    polygons = [polygon for polygon in polygons if not polygon.is_empty]
    if not polygons:
        return None
    # "structure" keeps polygons only: a ring that quantization pinched into a line is dropped.
    return shapely.make_valid(
        shapely.MultiPolygon(polygons), method="structure", keep_collapsed=False
    )


def read_topojson(path: Path, layer: str) -> gpd.GeoDataFrame:
    """One object (a GeometryCollection) of a TopoJSON file: columns id, name, geometry."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    rows = []
    for geometry in topology["objects"][layer]["geometries"]:
        shape = geometry_of(geometry, arcs)
        if shape is None or shape.is_empty:
            continue
        name = (geometry.get("properties") or {}).get("name", "")
        rows.append((str(geometry.get("id", "")), name, shape))
    ids, names, shapes = zip(*rows, strict=True) if rows else ((), (), ())
    return gpd.GeoDataFrame(
        {"id": list(ids), "name": list(names)}, geometry=list(shapes), crs="EPSG:4326"
    )
