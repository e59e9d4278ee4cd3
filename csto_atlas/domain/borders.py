"""Land borders from the geodata: the lines members share with non-members, their lengths, per year.

geodata/regions.geojson is simplified as a coverage (shared edges identical), so the boundaries
of two touching polygons intersect in the line they share; points where polygons only meet at a
corner are dropped.

- **Members** in a year are the countries whose status on 31 December is `member` or `frozen`
  (Armenia from 2024 froze its participation but is still a member in law). A `suspended`
  member (Uzbekistan from 2012) is not counted: its border counts as an outer border.
- **Neighbours** are polygons, as the geodata draws them: a breakaway region (Abkhazia,
  Nagorno-Karabakh, ...) is a neighbour of its own (its parent is in `neighbour_parent_iso3`).
- **Lengths** are geodesic on the WGS84 ellipsoid (`pyproj.Geod.geometry_length`): the sum of
  the ellipsoidal distances between consecutive vertices. No projection is involved, so none
  distorts: an equidistant projection is only true along lines through its centre (azimuthal)
  or along meridians (conic, cylindrical), and the CSTO's borders run 10,000 km across Eurasia.
- **Time-aware regions**: where the regions carry `from_year`/`to_year` (nullable years), only
  the features valid in a year take part in it (`regions_in_year`).

What the lengths are worth: the map is Natural Earth 1:50m, simplified, which cuts the bends of a
river border. So the km of each line are those the geodata build measured on Natural Earth
1:10m (geodata/border_lengths.csv, `shared_lines`); a 1:10m line still comes out somewhat
shorter than a surveyed length; `published_comparison` puts ours beside published ones.
"""

import csv
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from csto_atlas.data import border_lines, paths
from csto_atlas.data.load import Atlas
from csto_atlas.domain.changes import MEMBER_STATUSES
from csto_atlas.domain.yearmodel import model_table, years_model

WGS84 = "EPSG:4326"
DENSIFY_DEG = 0.05  # about 5 km: finer than the 1:50m lines' own vertex spacing in most places
PUBLISHED_FILE = "published_border_lengths.csv"
MEASURED_FILE = "border_lengths.csv"
# The build writes each pair's length on the map to 0.01 km: a line whose map length is within
# this of it is the line the build measured at 1:10m.
MAP_KM_MATCH = 0.01
BORDER_COLUMNS = [
    "member_iso3",
    "neighbour_iso3",
    "km",
    "member_name",
    "neighbour_name",
    "neighbour_status",
    "neighbour_parent_iso3",
]


def regions_in_year(regions: gpd.GeoDataFrame, year: int) -> gpd.GeoDataFrame:
    """The features valid in `year`: their `from_year`/`to_year` (when present, empty = open) include it."""
    keep = pd.Series(True, index=regions.index)
    if "from_year" in regions:
        keep &= regions["from_year"].isna() | (regions["from_year"] <= year)
    if "to_year" in regions:
        keep &= regions["to_year"].isna() | (regions["to_year"] >= year)
    return regions[keep]


def codes_in_year(regions: gpd.GeoDataFrame, year: int) -> pd.Series:
    """The region code each feature counts as in `year`: its own while its years include it, its
    parent's outside them (Crimea is Ukraine's before 2014, Nagorno-Karabakh Azerbaijan's from
    2024), none (NA) for a feature outside its years with no parent."""
    valid = regions.index.isin(regions_in_year(regions, year).index)
    parents = regions["parent_iso3"].replace("", pd.NA) if "parent_iso3" in regions else pd.NA
    return pd.Series(regions["iso3"].where(valid, parents), index=regions.index)


def lines_in_year(
    lines: gpd.GeoDataFrame, regions: gpd.GeoDataFrame, year: int
) -> gpd.GeoDataFrame:
    """The shared lines between different regions as the map draws them in `year`."""
    codes = codes_in_year(regions, year)
    relabelled = lines.assign(
        left_iso3=lines["left"].map(codes), right_iso3=lines["right"].map(codes)
    )
    relabelled = relabelled.dropna(subset=["left_iso3", "right_iso3"])
    return relabelled[relabelled["left_iso3"] != relabelled["right_iso3"]]


def geodesic_km(geometries: gpd.GeoSeries) -> pd.Series:
    """The geodesic length on the WGS84 ellipsoid of each line, in km (any CRS, taken to WGS84)."""
    in_degrees = geometries.to_crs(WGS84) if geometries.crs is not None else geometries
    return pd.Series(border_lines.geodesic_km(in_degrees), index=geometries.index, dtype="float64")


def line_parts(shape: shapely.Geometry) -> shapely.Geometry:
    """The lines of a boundary intersection, merged; points (corner contacts) dropped."""
    return border_lines.line_parts(shape)


def load_measured(path: Path | None = None) -> pd.DataFrame:
    """The shared borders measured at 1:10m by the geodata build (geodata/border_lengths.csv),
    indexed by the two feature keys; empty when the file is absent."""
    path = path or paths.GEODATA_DIR / MEASURED_FILE
    columns = ["a", "b", "km_10m", "km_map"]
    if not path.is_file():
        return pd.DataFrame(columns=columns).set_index(["a", "b"])
    frame = pd.read_csv(path, dtype={"a": "str", "b": "str"}, keep_default_na=False, na_values=[""])
    return frame[columns].set_index(["a", "b"])


def with_measured_km(
    shared: gpd.GeoDataFrame, keys: pd.Series, measured: pd.DataFrame
) -> gpd.GeoDataFrame:
    """`shared` with the 1:10m length in `km` where the build measured the pair and the line is
    the map's own (its length on the map matches the build's `km_map`), and `measured_on` saying
    which: "1:10m", or "1:50m" where the map's line was measured (tiny test frames, or a
    geodata file changed without a rebuild)."""
    if measured.empty or shared.empty:
        return shared.assign(measured_on="1:50m")
    first, second = keys.loc[shared["left"]].to_numpy(), keys.loc[shared["right"]].to_numpy()
    index = pd.MultiIndex.from_arrays([np.minimum(first, second), np.maximum(first, second)])
    found = measured.reindex(index)
    same_line = np.abs(found["km_map"].to_numpy() - shared["km"].to_numpy()) <= MAP_KM_MATCH
    fine = same_line & found["km_10m"].notna().to_numpy()
    return shared.assign(
        km=np.where(fine, found["km_10m"].to_numpy(), shared["km"].to_numpy()),
        measured_on=np.where(fine, "1:10m", "1:50m"),
    )


def shared_lines(
    regions: gpd.GeoDataFrame, measured: pd.DataFrame | None = None
) -> gpd.GeoDataFrame:
    """Every pair of touching features (each pair once) with the line they share and its km.

    Columns: left, right (the features' index labels), left_iso3, right_iso3, km, measured_on,
    geometry. Two features of one region (its pieces in different years) may share a line: in
    a year where one of them counts as its parent's, that line is a border (`lines_in_year`).
    The km is the build's 1:10m measurement of the line where it has one (`measured`, by
    default geodata/border_lengths.csv), the map's own line measured otherwise.
    """
    shapes = regions.geometry
    found = border_lines.shared_border_lines(shapes.reset_index(drop=True))
    labels = regions.index.to_numpy()
    left, right = labels[found["first"].to_numpy()], labels[found["second"].to_numpy()]
    shared = gpd.GeoDataFrame(
        {
            "left": left,
            "right": right,
            "left_iso3": regions.loc[left, "iso3"].to_numpy(),
            "right_iso3": regions.loc[right, "iso3"].to_numpy(),
        },
        geometry=gpd.GeoSeries(found["geometry"].to_numpy(), crs=regions.crs),
    )
    shared = shared.assign(km=geodesic_km(shared.geometry))
    measured = load_measured() if measured is None else measured
    return with_measured_km(shared, border_lines.feature_keys(regions), measured)


def statuses_by_year(atlas: Atlas, years: Iterable[int]) -> pd.DataFrame:
    """The status every region code (rows) is drawn with on 31 December of every year asked for
    (columns), from the model of a year: the map's own statuses."""
    years = sorted(set(years))
    codes = sorted(set(atlas.regions["iso3"]))
    if not years:
        return pd.DataFrame(index=pd.Index(codes, name="iso3"))
    model = years_model(atlas, range(years[0], years[-1] + 1))
    return model_table(model, "status").reindex(index=codes)[years]


def members_in(statuses: pd.DataFrame, year: int) -> frozenset[str]:
    """The codes counted as members in `year`: member or frozen on 31 December."""
    return frozenset(statuses.index[statuses[year].isin(MEMBER_STATUSES)].tolist())


def borders_of_year(
    atlas: Atlas, lines: gpd.GeoDataFrame, statuses: pd.DataFrame, year: int
) -> gpd.GeoDataFrame:
    """Each member's border with each non-member neighbour in `year`, from precomputed lines."""
    members = members_in(statuses, year)
    lines = lines_in_year(lines, atlas.regions, year)
    left_in, right_in = lines["left_iso3"].isin(members), lines["right_iso3"].isin(members)
    outer = lines[left_in ^ right_in]
    flip = outer["right_iso3"].isin(members).to_numpy()
    oriented = gpd.GeoDataFrame(
        {
            "member_iso3": np.where(flip, outer["right_iso3"], outer["left_iso3"]),
            "neighbour_iso3": np.where(flip, outer["left_iso3"], outer["right_iso3"]),
            "km": outer["km"].to_numpy(),
        },
        geometry=outer.geometry.to_numpy(),
        crs=lines.crs,
    )
    if oriented.empty:
        return gpd.GeoDataFrame(
            {
                name: pd.Series(dtype="float64" if name == "km" else "str")
                for name in BORDER_COLUMNS
            },
            geometry=gpd.GeoSeries([], crs=WGS84),
        )
    # One row per pair of codes: two features of one region in one year add up.
    merged = oriented.dissolve(by=["member_iso3", "neighbour_iso3"], aggfunc={"km": "sum"})
    merged = merged.reset_index()
    merged["geometry"] = merged.geometry.map(line_parts)
    return describe(atlas, merged, statuses[year]).set_crs(WGS84, allow_override=True)


def describe(atlas: Atlas, borders: gpd.GeoDataFrame, statuses: pd.Series) -> gpd.GeoDataFrame:
    """Names, the neighbour's status and its parent beside the codes, longest border first."""
    names = atlas.regions.drop_duplicates("iso3").set_index("iso3")
    described = borders.assign(
        member_name=borders["member_iso3"].map(names["name"]),
        neighbour_name=borders["neighbour_iso3"].map(names["name"]),
        neighbour_status=borders["neighbour_iso3"].map(statuses),
        neighbour_parent_iso3=borders["neighbour_iso3"].map(names["parent_iso3"]).fillna(""),
    )
    ordered = described.sort_values(["km", "member_iso3"], ascending=[False, True])
    return ordered[[*BORDER_COLUMNS, "geometry"]].reset_index(drop=True)


def member_borders(atlas: Atlas, year: int) -> gpd.GeoDataFrame:
    """Each member's land border with each non-member neighbour in `year` (EPSG:4326, km)."""
    lines = shared_lines(atlas.regions)
    return borders_of_year(atlas, lines, statuses_by_year(atlas, [year]), year)


def outer_border_km(atlas: Atlas, year: int) -> float:
    """The CSTO's total outer land border in `year`, in km."""
    return float(member_borders(atlas, year)["km"].sum())


def border_series(atlas: Atlas, years: Iterable[int]) -> pd.DataFrame:
    """Per year and neighbour: km of outer border (all members together) and the year's total.

    Columns: year, neighbour_iso3, neighbour_name, km, total_km. A year without members has
    one row with an empty neighbour and 0 km, so every year asked for is in the frame.
    """
    years = list(years)
    lines = shared_lines(atlas.regions)
    statuses = statuses_by_year(atlas, years)
    names = atlas.regions.drop_duplicates("iso3").set_index("iso3")["name"]
    frames = []
    for year in years:
        per_neighbour = outer_km_by_neighbour(atlas, lines, statuses, year, names)
        if per_neighbour.empty:
            per_neighbour = pd.DataFrame(
                {"neighbour_iso3": [""], "neighbour_name": [""], "km": 0.0}
            )
        frames.append(per_neighbour.assign(year=year, total_km=per_neighbour["km"].sum()))
    columns = ["year", "neighbour_iso3", "neighbour_name", "km", "total_km"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def outer_km_by_neighbour(
    atlas: Atlas, lines: gpd.GeoDataFrame, statuses: pd.DataFrame, year: int, names: pd.Series
) -> pd.DataFrame:
    """Km of outer border per non-member neighbour in `year` (neighbour_iso3, neighbour_name,
    km): `borders_of_year`'s lengths summed per neighbour, from the lines' lengths alone, without
    merging their geometry (the Borders chart needs no line)."""
    members = members_in(statuses, year)
    lines = lines_in_year(lines, atlas.regions, year)
    left_in, right_in = lines["left_iso3"].isin(members), lines["right_iso3"].isin(members)
    outer = lines[left_in ^ right_in]
    neighbours = np.where(
        outer["right_iso3"].isin(members), outer["left_iso3"], outer["right_iso3"]
    )
    per_neighbour = (
        pd.DataFrame({"neighbour_iso3": neighbours, "km": outer["km"].to_numpy()})
        .groupby("neighbour_iso3", as_index=False)["km"]
        .sum()
    )
    per_neighbour.insert(1, "neighbour_name", per_neighbour["neighbour_iso3"].map(names))
    return per_neighbour


def member_land_borders(
    atlas: Atlas, lines: gpd.GeoDataFrame, statuses: pd.DataFrame, year: int
) -> shapely.Geometry:
    """Every land border line of a member in `year` (with members and non-members alike)."""
    members = members_in(statuses, year)
    lines = lines_in_year(lines, atlas.regions, year)
    touching = lines[lines["left_iso3"].isin(members) | lines["right_iso3"].isin(members)]
    return shapely.union_all(touching.geometry.to_numpy())


def distance_km(lat: float, lon: float, lines: shapely.Geometry) -> float:
    """Geodesic distance in km from a point to the nearest point of `lines` (EPSG:4326).

    Measured in an azimuthal equidistant projection centred on the point, where every distance
    from the centre is true; the lines are first cut into pieces of at most DENSIFY_DEG, so a
    long straight edge is bent in the projection as the geodesic it stands for would be.
    """
    if lines.is_empty:
        return float("nan")
    centred = f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m"
    dense = shapely.segmentize(lines, DENSIFY_DEG)
    projected = gpd.GeoSeries([dense], crs=WGS84).to_crs(centred).iloc[0]
    return shapely.Point(0.0, 0.0).distance(projected) / 1000.0


def incident_border_distance(atlas: Atlas) -> pd.Series:
    """Km from each incident (every account, indexed by id) to the nearest member land border.

    "Border" means a land border line of a country counted as a member in the incident's year
    (member or frozen on 31 December): its border with anyone, member or not; coastlines are
    not borders. The distance is unsigned (an incident 5 km inside Tajikistan and one 5 km
    inside Afghanistan are both 5 km away); where the incident is, its `iso3` says. NaN when
    the year has no members.
    """
    incidents = atlas.incidents
    if incidents.empty:
        return pd.Series(dtype="float64", name="border_km", index=pd.Index([], name="id"))
    years = sorted(set(incidents["year"]))
    lines = shared_lines(atlas.regions)
    statuses = statuses_by_year(atlas, years)
    borders = {year: member_land_borders(atlas, lines, statuses, year) for year in years}
    distances = [
        distance_km(lat, lon, borders[year])
        for lat, lon, year in zip(
            incidents["lat"], incidents["lon"], incidents["year"], strict=True
        )
    ]
    return pd.Series(distances, index=pd.Index(incidents["id"], name="id"), name="border_km")


# --- how close Natural Earth comes to published lengths -------------------------------------


def pair_key(first: pd.Series, second: pd.Series) -> pd.Series:
    """`AFG-TJK`: the two codes of a border in alphabetical order, whichever comes first."""
    low, high = first.where(first < second, second), second.where(first < second, first)
    return low + "-" + high


def load_published(path: Path | None = None) -> pd.DataFrame:
    """Published border lengths with their sources (geodata/published_border_lengths.csv)."""
    path = path or paths.GEODATA_DIR / PUBLISHED_FILE
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    frame = pd.DataFrame(rows)
    return frame.assign(published_km=frame["published_km"].astype("float64"))


def published_comparison(atlas: Atlas, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Our geodesic length of each published border beside the published figure.

    Columns: iso3_a, iso3_b, border, published_km, ne_km, difference_pct, publisher, title,
    date, url, quote. A border our geodata does not draw has ne_km NaN.
    """
    published = load_published() if published is None else published
    lines = shared_lines(atlas.regions)
    ne_km = lines.groupby(pair_key(lines["left_iso3"], lines["right_iso3"]))["km"].sum()
    key = pair_key(published["iso3_a"], published["iso3_b"])
    names = atlas.regions.drop_duplicates("iso3").set_index("iso3")["name"]
    compared = published.assign(
        border=published["iso3_a"].map(names).fillna(published["iso3_a"])
        + "–"
        + published["iso3_b"].map(names).fillna(published["iso3_b"]),
        ne_km=key.map(ne_km).astype("float64"),
    )
    compared["difference_pct"] = (
        100.0 * (compared["ne_km"] - compared["published_km"]) / compared["published_km"]
    )
    columns = ["iso3_a", "iso3_b", "border", "published_km", "ne_km", "difference_pct"]
    return compared[[*columns, "publisher", "title", "date", "url", "quote"]]
