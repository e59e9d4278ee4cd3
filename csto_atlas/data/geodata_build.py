"""Build geodata/regions.geojson from the Natural Earth extracts in ../shared/naturalearth.

load countries.csv, territories.csv (through the data layer's reader) and Natural Earth -> pick
the region -> fold Russia across the antimeridian -> cut the breakaway regions out of their
parents and the annexed territories out of the state Natural Earth puts them in -> simplify as
one coverage -> round -> the years each region is drawn as its own -> validate -> write a
deterministic GeoJSON file. See geodata/README.md for the choices made.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

from csto_atlas.data.errors import DataError, Problem
from csto_atlas.data.load import load_table
from csto_atlas.data.paths import BUNDLED_DATA_DIR, GEODATA_DIR, REPO_DIR, SHARED_DIR
from csto_atlas.data.schema import FIRST_YEAR, REGION_KINDS
from csto_atlas.data.territories import drawn_years, territory_table

NE_COUNTRIES_FILE = "ne_50m_admin_0_countries.json"
NE_DISPUTED_FILE = "ne_10m_admin_0_disputed_areas.json"
OUTPUT_FILE = "regions.geojson"
ISO3_OVERRIDES_FILE = "iso3_overrides.csv"

# Visvalingam-Whyatt tolerance in degrees: triangles smaller than about 0.05 x 0.05 degrees
# (some 20 km2 in the Caucasus) are removed, about one screen pixel at Leaflet zoom 5. It keeps
# the whole file under 250 KB without dropping any island.
SIMPLIFY_TOLERANCE_DEG = 0.05
# Three decimals = about 100 m, far below what the simplification already moves.
COORDINATE_DECIMALS = 3
# Strips of the parent narrower than twice this (about 2 x 2 km) left between a 1:10m breakaway
# and the parent's 1:50m border are given to the breakaway rather than kept as slivers.
SLIVER_HALF_WIDTH_DEG = 0.02
# Natural Earth ends some parts at -179.99995 rather than -180; closer than this counts as 180°.
ANTIMERIDIAN_SNAP_DEG = 0.001
# A breakaway's 1:10m polygon must lie mostly inside its parent's 1:50m polygon.
MIN_SHARE_INSIDE_PARENT = 0.8
# The output may have no gap narrower than this (about 1 km): a sliver between neighbours.
GAP_CHECK_WIDTH_DEG = 0.01
# from_year / to_year: the years a region is drawn as its own feature (null = open-ended);
# outside them it is drawn as part of parent_iso3 (territories.csv).
PROPERTY_KEYS = ("iso3", "name", "kind", "parent_iso3", "from_year", "to_year")


@dataclass(frozen=True)
class GeodataPaths:
    """Where the build reads and writes by default (relative to the code, never the CWD)."""

    naturalearth_dir: Path
    data_dir: Path
    out_dir: Path
    iso3_overrides_csv: Path

    @property
    def countries_csv(self) -> Path:
        return self.data_dir / "countries.csv"


def default_paths() -> GeodataPaths:
    """The default inputs and output folder of `python -m csto_atlas build-geodata`."""
    return GeodataPaths(
        naturalearth_dir=SHARED_DIR / "naturalearth",
        data_dir=BUNDLED_DATA_DIR,
        out_dir=GEODATA_DIR,
        iso3_overrides_csv=GEODATA_DIR / ISO3_OVERRIDES_FILE,
    )


def show_path(path: Path) -> str:
    """A path as errors show it: relative to the repository when inside it."""
    resolved = path.resolve()
    if resolved.is_relative_to(REPO_DIR):
        return resolved.relative_to(REPO_DIR).as_posix()
    return str(path)


def check_inputs_exist(naturalearth_dir: Path, countries_csv: Path) -> None:
    """Raise FileNotFoundError naming the first missing input file."""
    inputs = [naturalearth_dir / NE_COUNTRIES_FILE, naturalearth_dir / NE_DISPUTED_FILE]
    for path in [*inputs, countries_csv]:
        if not path.is_file():
            hint = " (pass --naturalearth DIR)" if path.parent == naturalearth_dir else ""
            raise FileNotFoundError(f"geodata input not found: {path}{hint}")


# --- load -------------------------------------------------------------------------------------


def read_data_table(data_dir: Path, table: str) -> pd.DataFrame:
    """A table through the data layer's reader and first-pass schema, with a `line` column;
    raise DataError listing its problems."""
    loaded = load_table(data_dir, table, None)
    if loaded.problems:
        raise DataError(loaded.problems)
    return loaded.frame.reset_index()


def read_countries(data_dir: Path) -> pd.DataFrame:
    """countries.csv as strings (empty cells ""), with each row's line number in the file."""
    return read_data_table(data_dir, "countries").fillna("")


def check_countries(countries: pd.DataFrame, countries_csv: Path) -> None:
    """Raise DataError unless every row has a known kind and breakaways name a listed parent."""
    where = show_path(countries_csv)
    states = set(countries.loc[countries["kind"] == "state", "iso3"])
    problems = []
    for row in countries.itertuples():
        if row.kind not in REGION_KINDS:
            problems.append(
                Problem(where, row.line, "kind", f"{row.kind!r} is not {'|'.join(REGION_KINDS)}")
            )
        elif row.kind != "state" and row.parent_iso3 not in states:
            message = f"{row.parent_iso3!r} is not the iso3 of a state listed in this file"
            problems.append(Problem(where, row.line, "parent_iso3", message))
        elif row.kind != "state" and not row.ne_name:
            message = f"a {row.kind} needs the BRK_NAME of its Natural Earth disputed area"
            problems.append(Problem(where, row.line, "ne_name", message))
    if problems:
        raise DataError(problems)


def read_iso3_overrides(overrides_csv: Path) -> dict[str, str]:
    """The committed ADM0_A3 -> iso3 mapping for Natural Earth features whose ISO_A3 is -99."""
    table = pd.read_csv(overrides_csv, dtype=str, keep_default_na=False, encoding="utf-8")
    return dict(zip(table["adm0_a3"], table["iso3"], strict=True))


def assign_iso3(world: pd.DataFrame, overrides: dict[str, str]) -> pd.Series:
    """ISO_A3, or ADM0_A3 where Natural Earth has -99 (France, Norway, Kosovo), then overrides."""
    fallback = world["ADM0_A3"].map(lambda code: overrides.get(code, code))
    return world["ISO_A3"].where(world["ISO_A3"] != "-99", fallback).rename("iso3")


def read_world(naturalearth_dir: Path, overrides: dict[str, str]) -> gpd.GeoDataFrame:
    """Natural Earth 1:50m countries with an iso3 column, sorted by iso3."""
    world = gpd.read_file(naturalearth_dir / NE_COUNTRIES_FILE)
    world = world.assign(iso3=assign_iso3(world, overrides))
    duplicated = world.loc[world["iso3"].duplicated(), "iso3"].tolist()
    if duplicated:
        message = f"iso3 codes {duplicated} occur more than once; map them in {ISO3_OVERRIDES_FILE}"
        where = show_path(naturalearth_dir / NE_COUNTRIES_FILE)
        raise DataError([Problem(where, None, None, message)])
    world = world[["iso3", "NAME", "geometry"]].rename(columns={"NAME": "ne_name"})
    return world.sort_values("iso3").reset_index(drop=True)


def read_disputed(naturalearth_dir: Path) -> gpd.GeoDataFrame:
    """Natural Earth 1:10m disputed areas (BRK_NAME, geometry); any TYPE may be a breakaway."""
    disputed = gpd.read_file(naturalearth_dir / NE_DISPUTED_FILE)
    return disputed[["BRK_NAME", "geometry"]]


def check_names_in_naturalearth(
    countries: pd.DataFrame,
    countries_csv: Path,
    world: gpd.GeoDataFrame,
    disputed: gpd.GeoDataFrame,
) -> None:
    """Raise DataError unless every state is a Natural Earth iso3 and every ne_name a BRK_NAME."""
    where = show_path(countries_csv)
    known_iso3 = set(world["iso3"])
    name_counts = disputed["BRK_NAME"].value_counts()
    problems = []
    for row in countries.itertuples():
        if row.kind == "state" and row.iso3 not in known_iso3:
            message = f"{row.iso3!r} is not an iso3 of a country in {NE_COUNTRIES_FILE}"
            problems.append(Problem(where, row.line, "iso3", message))
        if row.kind != "state" and name_counts.get(row.ne_name, 0) != 1:
            found = "is not" if row.ne_name not in name_counts else "is not unique as"
            message = f"{row.ne_name!r} {found} a BRK_NAME in {NE_DISPUTED_FILE}"
            problems.append(Problem(where, row.line, "ne_name", message))
    if problems:
        raise DataError(problems)


# --- process ----------------------------------------------------------------------------------


def select_region(world: gpd.GeoDataFrame, state_iso3: set[str]) -> gpd.GeoDataFrame:
    """The listed states plus every Natural Earth country whose polygon touches one of them."""
    core = world.loc[world["iso3"].isin(state_iso3), "geometry"].union_all()
    return world[world.intersects(core)].reset_index(drop=True)


def fold_antimeridian(geometry: shapely.Geometry) -> shapely.Geometry:
    """Move the parts of a 180°-crossing country lying west of 0° to +180..+190, then dissolve.

    Natural Earth cuts Russia at 180°, so Chukotka's tip sits at -180..-169: on a Leaflet map
    it would be drawn beside Alaska and make Russia's bounds span the whole globe.
    """
    xmin, _, xmax, _ = geometry.bounds
    if xmin > -180 or xmax < 180:
        return geometry
    parts = shapely.get_parts(shapely.transform(geometry, snap_to_antimeridian))
    west = shapely.bounds(parts)[:, 2] < 0
    shifted = shapely.transform(parts[west], lambda xy: xy + np.array([360.0, 0.0]))
    return shapely.union_all(np.concatenate([parts[~west], shifted]))


def snap_to_antimeridian(xy: np.ndarray) -> np.ndarray:
    """Put longitudes within ANTIMERIDIAN_SNAP_DEG of ±180 exactly on it (NE has -179.99995)."""
    near = np.abs(np.abs(xy[:, 0]) - 180.0) < ANTIMERIDIAN_SNAP_DEG
    return np.column_stack([np.where(near, np.sign(xy[:, 0]) * 180.0, xy[:, 0]), xy[:, 1]])


def absorb_slivers(breakaway: shapely.Geometry, parent: shapely.Geometry) -> shapely.Geometry:
    """The breakaway plus the narrow strips of parent squeezed between it and the parent border."""
    remainder = parent.difference(breakaway)
    # An opening with mitred joins: removes strips, keeps the corners of the rest square.
    eroded = remainder.buffer(-SLIVER_HALF_WIDTH_DEG, join_style="mitre")
    body = eroded.buffer(SLIVER_HALF_WIDTH_DEG, join_style="mitre")
    strips = shapely.get_parts(remainder.difference(body))
    touching = strips[shapely.dwithin(strips, breakaway, 1e-9)]
    return shapely.union_all(np.concatenate([[breakaway], touching]))


def cut_breakaway(
    disputed: shapely.Geometry, parent: shapely.Geometry
) -> tuple[shapely.Geometry, shapely.Geometry]:
    """(breakaway, parent without it): the 1:10m polygon clipped to the parent, then cut out."""
    breakaway = absorb_slivers(disputed.intersection(parent), parent)
    breakaway = breakaway.intersection(parent)
    return breakaway, parent.difference(breakaway)


def holder_of(source: shapely.Geometry, geometry: dict[str, shapely.Geometry]) -> str:
    """The code of the polygon holding most of `source` (first code on a tie)."""
    shares = {code: source.intersection(shape).area for code, shape in sorted(geometry.items())}
    return max(shares, key=lambda code: shares[code])


def cut_breakaways(
    region: gpd.GeoDataFrame,
    countries: pd.DataFrame,
    countries_csv: Path,
    disputed: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """The region with each breakaway and annexed territory of countries.csv as its own feature.

    A breakaway is cut out of its parent state; an annexed territory out of the state whose
    Natural Earth polygon holds it (Crimea: Russia's, in the 2017 release), whoever its parent.
    """
    geometry = dict(zip(region["iso3"], region["geometry"], strict=True))
    polygons = dict(zip(disputed["BRK_NAME"], disputed["geometry"], strict=True))
    territories = countries[countries["kind"] != "state"].sort_values("iso3")
    for row in territories.itertuples():
        source = polygons[row.ne_name]
        holder = row.parent_iso3 if row.kind == "breakaway" else holder_of(source, geometry)
        inside = source.intersection(geometry[holder]).area
        if inside < MIN_SHARE_INSIDE_PARENT * source.area:
            message = (
                f"only {inside / source.area:.0%} of Natural Earth's {row.ne_name!r} lies inside "
                f"{holder} in {NE_COUNTRIES_FILE}; is parent_iso3 right?"
            )
            raise DataError([Problem(show_path(countries_csv), row.line, "parent_iso3", message)])
        cut, rest = cut_breakaway(source, geometry[holder])
        geometry[row.iso3], geometry[holder] = cut, rest
    codes = sorted(geometry)
    return gpd.GeoDataFrame({"iso3": codes}, geometry=[geometry[c] for c in codes], crs="EPSG:4326")


def simplify_coverage(geometries: np.ndarray) -> np.ndarray:
    """Edge-match the polygons (snapping), then simplify them as one coverage."""
    cleaned = shapely.coverage_clean(geometries)
    return shapely.coverage_simplify(cleaned, SIMPLIFY_TOLERANCE_DEG)


def round_coordinates(geometries: np.ndarray) -> np.ndarray:
    """Round every coordinate to COORDINATE_DECIMALS (shared vertices round alike)."""
    rounded = shapely.transform(geometries, lambda xy: np.round(xy, COORDINATE_DECIMALS) + 0.0)
    return shapely.remove_repeated_points(rounded)


def label_regions(
    iso3: pd.Series,
    geometries: np.ndarray,
    world: gpd.GeoDataFrame,
    countries: pd.DataFrame,
    territories: pd.DataFrame,
) -> gpd.GeoDataFrame:
    """The output frame: countries.csv's name/kind/parent where listed, Natural Earth's NAME
    else, and the years each region is drawn as its own (territories.csv)."""
    listed = countries.set_index("iso3")
    ne_names = world.set_index("iso3")["ne_name"]
    name = iso3.map(listed["name"]).fillna(iso3.map(ne_names))
    kind = iso3.map(listed["kind"]).fillna("state")
    parent = iso3.map(listed["parent_iso3"]).fillna("")
    years = range(FIRST_YEAR, date.today().year + 1)
    spans = drawn_years(territory_table(territories, pd.Series(kind.values, index=iso3), years))
    columns = {
        "iso3": iso3,
        "name": name,
        "kind": kind,
        "parent_iso3": parent,
        "from_year": iso3.map(spans["from_year"]).astype("Int64"),
        "to_year": iso3.map(spans["to_year"]).astype("Int64"),
    }
    return gpd.GeoDataFrame(columns, geometry=geometries, crs="EPSG:4326")


def validate_regions(frame: gpd.GeoDataFrame, countries: pd.DataFrame, out_file: Path) -> None:
    """Raise DataError unless the output is a valid coverage holding every listed iso3."""
    where = show_path(out_file)
    geometries = frame.geometry.values
    usable = shapely.is_valid(geometries) & ~shapely.is_empty(geometries)
    problems = [
        Problem(where, None, None, f"{code}: geometry is empty or invalid")
        for code in frame.loc[~usable, "iso3"]
    ]
    problems += [
        Problem(where, None, None, f"{code}: missing; it is listed in countries.csv")
        for code in sorted(set(countries["iso3"]) - set(frame["iso3"]))
    ]
    if not shapely.coverage_is_valid(geometries, gap_width=GAP_CHECK_WIDTH_DEG):
        edges = shapely.coverage_invalid_edges(geometries, gap_width=GAP_CHECK_WIDTH_DEG)
        bad = frame.loc[~shapely.is_empty(edges) & ~shapely.is_missing(edges), "iso3"].tolist()
        message = f"not a valid coverage (overlaps, unmatched edges or slivers) around {bad}"
        problems.append(Problem(where, None, None, message))
    if problems:
        raise DataError(problems)


# --- write ------------------------------------------------------------------------------------


def format_feature(properties: dict[str, str], geometry: shapely.Geometry) -> str:
    """One GeoJSON feature on one line, keys in a fixed order."""
    feature = {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}
    return json.dumps(feature, ensure_ascii=False, separators=(",", ":"))


def plain(value: object) -> object:
    """A property as JSON writes it: missing -> None, numpy/pandas integers -> int."""
    if value is None or value is pd.NA:
        return None
    return int(value) if isinstance(value, (int, np.integer)) else value


def format_feature_collection(frame: gpd.GeoDataFrame) -> str:
    """The whole FeatureCollection, one feature per line (diff-friendly), no timestamps."""
    lines = [
        format_feature({key: plain(getattr(row, key)) for key in PROPERTY_KEYS}, row.geometry)
        for row in frame.itertuples()
    ]
    body = ",\n".join(lines)
    return f'{{"type":"FeatureCollection","features":[\n{body}\n]}}\n'


def build_geodata(
    naturalearth_dir: Path,
    data_dir: Path,
    out_dir: Path,
    iso3_overrides_csv: Path | None = None,
) -> Path:
    """Build out_dir/regions.geojson from Natural Earth and data_dir's countries.csv and
    territories.csv; return its path."""
    overrides_csv = iso3_overrides_csv or default_paths().iso3_overrides_csv
    countries_csv = data_dir / "countries.csv"
    check_inputs_exist(naturalearth_dir, countries_csv)
    countries = read_countries(data_dir)
    check_countries(countries, countries_csv)
    territories = read_data_table(data_dir, "territories")
    world = read_world(naturalearth_dir, read_iso3_overrides(overrides_csv))
    disputed = read_disputed(naturalearth_dir)
    check_names_in_naturalearth(countries, countries_csv, world, disputed)

    states = set(countries.loc[countries["kind"] == "state", "iso3"])
    region = select_region(world, states)
    region = region.assign(geometry=region.geometry.map(fold_antimeridian))
    cut = cut_breakaways(region, countries, countries_csv, disputed)
    geometries = round_coordinates(simplify_coverage(cut.geometry.values))
    frame = label_regions(cut["iso3"], geometries, world, countries, territories)

    out_file = out_dir / OUTPUT_FILE
    validate_regions(frame, countries, out_file)
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = out_file.with_name(f"{OUTPUT_FILE}.partial")
    partial.write_text(format_feature_collection(frame), encoding="utf-8", newline="\n")
    partial.replace(out_file)
    return out_file
