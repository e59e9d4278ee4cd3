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

from csto_atlas.data.border_lines import (
    feature_keys,
    geodesic_km,
    read_topojson,
    shared_border_lines,
)
from csto_atlas.data.errors import DataError, Problem
from csto_atlas.data.load import load_table
from csto_atlas.data.paths import BUNDLED_DATA_DIR, GEODATA_DIR, REPO_DIR, SHARED_DIR
from csto_atlas.data.periods import PERIODS_FILE, piece_years, read_periods
from csto_atlas.data.schema import FIRST_YEAR, REGION_KINDS
from csto_atlas.data.territories import drawn_years, territory_table

NE_COUNTRIES_FILE = "ne_50m_admin_0_countries.json"
NE_DISPUTED_FILE = "ne_10m_admin_0_disputed_areas.json"
OUTPUT_FILE = "regions.geojson"
BORDERS_FILE = "border_lengths.csv"
# Natural Earth 1:10m countries as TopoJSON, from the npm package world-atlas pinned in
# geodata/npm/ and installed into .cache/world-atlas (read only here, to measure the borders).
WORLD_ATLAS_FILE = "countries-10m.json"
WORLD_ATLAS_LAYER = "countries"
ISO3_OVERRIDES_FILE = "iso3_overrides.csv"
# A region drawn in pieces held in different years: each piece's districts and its events.
# The few Natural Earth 1:10m first-level divisions those pieces are made of (build input).
ADMIN1_FILE = "ne_10m_admin_1_karabakh.geojson"
# A part of the rest of a region smaller than this share of its largest part is a strip left
# where the districts' lines and the region's outline come from different sources: it joins the
# piece it shares the longest line with.
MAX_STRIP_SHARE = 0.05
# The districts grow by this (about 1 km, a fifth of the simplification's tolerance) before
# they cut a region into pieces.
DISTRICT_GROW_DEG = 0.01

# Visvalingam-Whyatt tolerance in degrees: triangles smaller than about 0.05 x 0.05 degrees
# (some 20 km2 in the Caucasus) are removed, about one screen pixel at Leaflet zoom 5. It keeps
# the whole file under 250 KB without dropping any island.
SIMPLIFY_TOLERANCE_DEG = 0.05
# Three decimals = about 100 m, far below what the simplification already moves.
COORDINATE_DECIMALS = 3
# Strips of the parent narrower than twice this (about 2 x 2 km) left between a 1:10m breakaway
# and the parent's 1:50m border are given to the breakaway rather than kept as slivers.
SLIVER_HALF_WIDTH_DEG = 0.02
# A part of a parent's rest smaller than this (about 10 km²) touching its breakaway is a speck
# of the overlay, given to the breakaway.
MAX_SPECK_DEG2 = 0.001
# Natural Earth ends some parts at -179.99995 rather than -180; closer than this counts as 180°.
ANTIMERIDIAN_SNAP_DEG = 0.001
# A breakaway's 1:10m polygon must lie mostly inside its parent's 1:50m polygon.
MIN_SHARE_INSIDE_PARENT = 0.8
# The output may have no gap narrower than this (about 1 km): a sliver between neighbours.
GAP_CHECK_WIDTH_DEG = 0.01
# The grid the 1:10m pieces are snapped to before their shared lines are measured.
FINE_GRID_DEG = 1e-6
# A 1:10m country belongs to the 1:50m region holding at least this share of its area.
MIN_SHARE_IN_REGION = 0.5
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
    world_atlas_json: Path

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
        world_atlas_json=REPO_DIR
        / ".cache"
        / "world-atlas"
        / "node_modules"
        / "world-atlas"
        / WORLD_ATLAS_FILE,
    )


def show_path(path: Path) -> str:
    """A path as errors show it: relative to the repository when inside it."""
    resolved = path.resolve()
    if resolved.is_relative_to(REPO_DIR):
        return resolved.relative_to(REPO_DIR).as_posix()
    return str(path)


def check_inputs_exist(naturalearth_dir: Path, countries_csv: Path, world_atlas: Path) -> None:
    """Raise FileNotFoundError naming the first missing input file."""
    inputs = [naturalearth_dir / NE_COUNTRIES_FILE, naturalearth_dir / NE_DISPUTED_FILE]
    for path in [*inputs, countries_csv]:
        if not path.is_file():
            hint = " (pass --naturalearth DIR)" if path.parent == naturalearth_dir else ""
            raise FileNotFoundError(f"geodata input not found: {path}{hint}")
    if not world_atlas.is_file():
        hint = "install it: npm ci --prefix .cache/world-atlas (see geodata/README.md)"
        raise FileNotFoundError(f"geodata input not found: {world_atlas}; {hint}")


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


def read_fine_countries(world_atlas: Path, region: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Natural Earth 1:10m countries (world-atlas) as the 1:50m region's iso3 codes.

    Each 1:10m country takes the code of the 1:50m country holding most of its area (at least
    MIN_SHARE_IN_REGION; others lie outside the region and are left out), so Baikonur's lease
    area, its own feature at 1:10m, is Kazakhstan's; then one feature per code.
    """
    fine = read_topojson(world_atlas, WORLD_ATLAS_LAYER)
    fine = fine.assign(geometry=fine.geometry.map(fold_antimeridian))
    pairs = fine[["geometry"]].sjoin(region[["iso3", "geometry"]], predicate="intersects")
    overlap = shapely.intersection(
        fine.geometry.loc[pairs.index].to_numpy(),
        region.geometry.loc[pairs["index_right"]].to_numpy(),
    )
    # Shares of areas in degrees²: both areas lie at the same latitudes, so the ratio holds.
    own_area = shapely.area(fine.geometry.loc[pairs.index].to_numpy())
    pairs = pairs.assign(share=shapely.area(overlap) / own_area)
    best = pairs.sort_values("share", kind="stable").groupby(level=0).tail(1)
    best = best[best["share"] >= MIN_SHARE_IN_REGION]
    kept = gpd.GeoDataFrame(
        {"iso3": best["iso3"].to_numpy()}, geometry=fine.geometry.loc[best.index].to_numpy()
    )
    merged = kept.dissolve(by="iso3").reset_index()
    return (
        merged.set_crs("EPSG:4326", allow_override=True).sort_values("iso3").reset_index(drop=True)
    )


def read_admin1(geodata_dir: Path) -> dict[str, shapely.Geometry]:
    """adm1_code -> polygon of the committed Natural Earth first-level divisions."""
    path = geodata_dir / ADMIN1_FILE
    if not path.is_file():
        return {}
    admin1 = gpd.read_file(path)
    return dict(zip(admin1["adm1_code"], admin1.geometry.make_valid(), strict=True))


def split_pieces(
    cut: gpd.GeoDataFrame,
    periods: pd.DataFrame,
    admin1: dict[str, shapely.Geometry],
    parents: dict[str, str],
) -> gpd.GeoDataFrame:
    """`cut` with each region of periods.csv replaced by its pieces (columns iso3, from_year,
    to_year, geometry; years null for whole regions).

    A piece is the region's part inside its districts (`admin1`, `;`-separated adm1 codes); the
    piece without districts takes the rest. Strips of the rest (see MAX_STRIP_SHARE) join the
    piece they share the longest line with. Tongues of a piece narrower than twice
    SLIVER_HALF_WIDTH_DEG go to the region's parent (`parents`: iso3 -> parent iso3): the
    simplification would fold them onto the parent's border (one ran along the Araks).
    """
    rows = []
    given = {}
    by_piece = piece_years(periods)
    for row in cut.itertuples():
        pieces = by_piece[by_piece["iso3"] == row.iso3]
        if pieces.empty:
            rows.append((row.iso3, pd.NA, pd.NA, row.geometry))
            continue
        if len(pieces) == 1 and not pieces["admin1"].iloc[0]:  # one piece: the whole region
            piece = pieces.iloc[0]
            rows.append((row.iso3, piece["from_year"], piece["to_year"], row.geometry))
            continue
        shapes, taken = [], shapely.Polygon()
        for piece in pieces.itertuples():
            if not piece.admin1:
                shapes.append(None)
                continue
            codes = piece.admin1.split(";")
            missing = [code for code in codes if code not in admin1]
            if missing:
                message = f"{missing} not in {ADMIN1_FILE}"
                raise DataError([Problem(PERIODS_FILE, None, "admin1", message)])
            area = polygonal(
                row.geometry.intersection(shapely.union_all([admin1[c] for c in codes]))
            )
            area = polygonal(area.difference(taken))
            taken = shapely.union(taken, area)
            shapes.append(area)
        rest = polygonal(row.geometry.difference(taken))
        shapes = absorb_strips(shapes, rest)
        parent = cut.loc[cut["iso3"] == parents[row.iso3], "geometry"]
        shapes, tongues = give_tongues(shapes, parent.iloc[0] if len(parent) else None)
        given[parents[row.iso3]] = tongues
        rows += [
            (row.iso3, piece.from_year, piece.to_year, shape)
            for piece, shape in zip(pieces.itertuples(), shapes, strict=True)
            if not shape.is_empty
        ]
    frame = pd.DataFrame(rows, columns=["iso3", "from_year", "to_year", "geometry"])
    frame = frame.astype({"from_year": "Int64", "to_year": "Int64"})
    for parent, tongues in given.items():
        at = frame.index[frame["iso3"] == parent]
        frame.loc[at, "geometry"] = [
            polygonal(shapely.union(shape, tongues)) for shape in frame.loc[at, "geometry"]
        ]
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def without_tongues(shape: shapely.Geometry) -> shapely.Geometry:
    """A piece less its parts narrower than twice SLIVER_HALF_WIDTH_DEG (an opening)."""
    body = shape.buffer(-SLIVER_HALF_WIDTH_DEG, join_style="mitre").buffer(
        SLIVER_HALF_WIDTH_DEG, join_style="mitre"
    )
    return polygonal(shape.intersection(body))


def give_tongues(
    shapes: list[shapely.Geometry], parent: shapely.Geometry | None
) -> tuple[list[shapely.Geometry], shapely.Geometry]:
    """The pieces without their tongues (`without_tongues`), each tongue given to the piece or
    the parent it shares the longest line with; returns the pieces and what the parent gets."""
    bodies = [without_tongues(shape) for shape in shapes]
    to_parent = []
    for shape, body in zip(shapes, list(bodies), strict=True):
        for tongue in shapely.get_parts(polygonal(shape.difference(body))):
            shared = [
                shapely.intersection(tongue.boundary, other.boundary).length for other in bodies
            ]
            outside = 0.0
            if parent is not None:
                outside = shapely.intersection(tongue.boundary, parent.boundary).length
            if outside > max(shared):
                to_parent.append(tongue)
                continue
            best = int(np.argmax(shared))
            bodies[best] = polygonal(shapely.union(bodies[best], tongue))
    return bodies, shapely.union_all(to_parent) if to_parent else shapely.Polygon()


def absorb_strips(shapes: list, rest: shapely.Geometry) -> list[shapely.Geometry]:
    """The pieces with the rest given out: its main parts to the piece without districts (None
    in `shapes`), its strips to the piece they share the longest line with."""
    parts = shapely.get_parts(rest)
    largest = shapely.area(parts).max() if len(parts) else 0.0
    main = [part for part in parts if shapely.area(part) >= MAX_STRIP_SHARE * largest]
    strips = [part for part in parts if shapely.area(part) < MAX_STRIP_SHARE * largest]
    shapes = [shapely.union_all(main) if shape is None else shape for shape in shapes]
    for strip in strips:
        shared = [shapely.intersection(strip.boundary, shape.boundary).length for shape in shapes]
        best = int(np.argmax(shared))
        shapes[best] = polygonal(shapely.union(shapes[best], strip))
    return [polygonal(shape) for shape in shapes]


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


def polygonal(shape: shapely.Geometry) -> shapely.Geometry:
    """The polygons of an overlay's result, without the lines or points it may also hold."""
    if shape.geom_type in ("Polygon", "MultiPolygon"):
        return shape
    parts = [part for part in shapely.get_parts(shape) if part.geom_type == "Polygon"]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def cut_breakaway(
    disputed: shapely.Geometry, parent: shapely.Geometry
) -> tuple[shapely.Geometry, shapely.Geometry]:
    """(breakaway, parent without it): the 1:10m polygon clipped to the parent, then cut out."""
    breakaway = absorb_slivers(polygonal(disputed.intersection(parent)), parent)
    breakaway = polygonal(breakaway.intersection(parent))
    return absorb_specks(breakaway, polygonal(parent.difference(breakaway)))


def absorb_specks(
    breakaway: shapely.Geometry, rest: shapely.Geometry
) -> tuple[shapely.Geometry, shapely.Geometry]:
    """Give the breakaway the specks of the parent's rest that touch it: parts smaller than
    MAX_SPECK_DEG2 left by the overlay where the two sources' lines nearly coincide (at 1:10m,
    Transnistria's 2017 outline against Moldova's 4.1.0 border left 56 of them, each a piece of
    "Moldova" between Transnistria and Ukraine)."""
    parts = shapely.get_parts(rest)
    specks = (shapely.area(parts) < MAX_SPECK_DEG2) & shapely.dwithin(parts, breakaway, 1e-9)
    if not specks.any():
        return breakaway, rest
    grown = polygonal(shapely.union_all(np.concatenate([[breakaway], parts[specks]])))
    return grown, polygonal(shapely.union_all(parts[~specks]))


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
    rounded = shapely.remove_repeated_points(rounded)
    # Rounding can fold a narrow neck onto another edge (the Karabakh pieces near Qubadli did):
    # snap the coverage again and round once more; a valid coverage is left exactly as it is.
    if not shapely.coverage_is_valid(rounded, gap_width=GAP_CHECK_WIDTH_DEG):
        cleaned = shapely.coverage_clean(rounded)
        rounded = shapely.transform(cleaned, lambda xy: np.round(xy, COORDINATE_DECIMALS) + 0.0)
        rounded = shapely.remove_repeated_points(rounded)
    return rounded


def label_regions(
    iso3: pd.Series,
    geometries: np.ndarray,
    world: gpd.GeoDataFrame,
    countries: pd.DataFrame,
    territories: pd.DataFrame,
    piece_years: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """The output frame: countries.csv's name/kind/parent where listed, Natural Earth's NAME
    else, and the years each region is drawn as its own (territories.csv), narrowed to the
    years of its piece where it is drawn in pieces (`piece_years`: from_year, to_year, aligned
    with `iso3`)."""
    listed = countries.set_index("iso3")
    ne_names = world.set_index("iso3")["ne_name"]
    name = iso3.map(listed["name"]).fillna(iso3.map(ne_names))
    kind = iso3.map(listed["kind"]).fillna("state")
    parent = iso3.map(listed["parent_iso3"]).fillna("")
    years = range(FIRST_YEAR, date.today().year + 1)
    kinds = pd.Series(kind.values, index=iso3.values)
    kinds = kinds[~kinds.index.duplicated()]
    spans = drawn_years(territory_table(territories, kinds, years))
    from_year = iso3.map(spans["from_year"]).astype("Int64")
    to_year = iso3.map(spans["to_year"]).astype("Int64")
    if piece_years is not None:
        from_year = latest(from_year, piece_years["from_year"].set_axis(iso3.index))
        to_year = earliest(to_year, piece_years["to_year"].set_axis(iso3.index))
    columns = {
        "iso3": iso3,
        "name": name,
        "kind": kind,
        "parent_iso3": parent,
        "from_year": from_year,
        "to_year": to_year,
    }
    return gpd.GeoDataFrame(columns, geometry=geometries, crs="EPSG:4326")


def latest(first: pd.Series, second: pd.Series) -> pd.Series:
    """The later of two nullable first years (null = from the start)."""
    both = pd.concat([first, second], axis=1).astype("Float64")
    return both.max(axis=1, skipna=True).round().astype("Int64")


def earliest(first: pd.Series, second: pd.Series) -> pd.Series:
    """The earlier of two nullable last years (null = open-ended)."""
    both = pd.concat([first, second], axis=1).astype("Float64")
    return both.min(axis=1, skipna=True).round().astype("Int64")


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


def pieces_like(fine: gpd.GeoDataFrame, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The 1:10m regions (iso3, geometry) cut into the map's pieces where the map draws a region
    in pieces: each piece takes the 1:10m region inside the map's piece, and the 1:10m region's
    bits outside every map piece (along the finer outline) go to the piece they share the
    longest line with, so both scales share their pieces' lines.
    Columns iso3, from_year, to_year, geometry."""
    rows = []
    for row in fine.itertuples():
        pieces = frame[frame["iso3"] == row.iso3]
        if len(pieces) == 1:
            piece = pieces.iloc[0]
            rows.append((row.iso3, piece["from_year"], piece["to_year"], row.geometry))
            continue
        shapes = [polygonal(row.geometry.intersection(shape)) for shape in pieces.geometry]
        rest = polygonal(row.geometry.difference(shapely.union_all(pieces.geometry.to_numpy())))
        # The strips along the finer outline go, bit by bit, to the map piece within the
        # simplification's reach (first come first served where two are), then what is left
        # to the piece it shares the longest line with.
        for index, shape in enumerate(pieces.geometry):
            near = polygonal(rest.intersection(shape.buffer(2 * SIMPLIFY_TOLERANCE_DEG)))
            shapes[index] = polygonal(shapely.union(shapes[index], near))
            rest = polygonal(rest.difference(near))
        for part in shapely.get_parts(rest):
            shared = [
                shapely.intersection(part.boundary, shape.boundary).length for shape in shapes
            ]
            best = int(np.argmax(shared))
            shapes[best] = polygonal(shapely.union(shapes[best], part))
        rows += [
            (row.iso3, start, end, shape)
            for start, end, shape in zip(
                pieces["from_year"], pieces["to_year"], shapes, strict=True
            )
        ]
    frame = pd.DataFrame(rows, columns=["iso3", "from_year", "to_year", "geometry"])
    frame = frame.astype({"from_year": "Int64", "to_year": "Int64"})
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def pair_lengths(frame: gpd.GeoDataFrame) -> pd.Series:
    """km of the line each pair of touching features shares, by (a, b) feature keys, a < b."""
    keys = feature_keys(frame).to_numpy()
    lines = shared_border_lines(frame.geometry.reset_index(drop=True))
    first, second = keys[lines["first"].to_numpy()], keys[lines["second"].to_numpy()]
    table = pd.DataFrame(
        {
            "a": np.minimum(first, second),
            "b": np.maximum(first, second),
            "km": geodesic_km(lines["geometry"]),
        }
    )
    return table.groupby(["a", "b"])["km"].sum()


def measure_borders(fine: gpd.GeoDataFrame, drawn: gpd.GeoDataFrame) -> pd.DataFrame:
    """Each pair of features sharing a line on the map: its km at 1:10m and on the map.

    Columns a, b (feature keys, a < b), km_10m (0 where the two meet only on the map: Crimea
    and Russia across the Kerch Strait at 1:50m), km_map (the map's own length, which tells a
    reader the line is the map's).
    """
    # On a 1e-6° grid (about 0.1 m): the overlays that cut the pieces can move a shared vertex
    # by less than that, and the two sides' lines must be equal to be found as shared.
    fine = fine.assign(geometry=shapely.set_precision(fine.geometry.to_numpy(), FINE_GRID_DEG))
    table = pd.concat({"km_10m": pair_lengths(fine), "km_map": pair_lengths(drawn)}, axis=1)
    table = table.dropna(subset=["km_map"]).fillna({"km_10m": 0.0}).reset_index()
    return table.sort_values(["a", "b"]).reset_index(drop=True)[["a", "b", "km_10m", "km_map"]]


def format_border_lengths(table: pd.DataFrame) -> str:
    """The lengths as CSV: km_10m to 0.1 km, km_map to 0.01 km (a fingerprint of the line)."""
    lines = ["a,b,km_10m,km_map"]
    for row in table.itertuples():
        fine = "" if pd.isna(row.km_10m) else f"{row.km_10m:.1f}"
        lines.append(f"{row.a},{row.b},{fine},{row.km_map:.2f}")
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Write via a .partial file and a rename: a failed build leaves the old file whole."""
    partial = path.with_name(f"{path.name}.partial")
    partial.write_text(text, encoding="utf-8", newline="\n")
    partial.replace(path)


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
    world_atlas_json: Path | None = None,
) -> Path:
    """Build out_dir/regions.geojson from Natural Earth and data_dir's countries.csv and
    territories.csv, and out_dir/border_lengths.csv (the shared borders measured at 1:10m);
    return the path of regions.geojson."""
    overrides_csv = iso3_overrides_csv or default_paths().iso3_overrides_csv
    world_atlas = world_atlas_json or default_paths().world_atlas_json
    countries_csv = data_dir / "countries.csv"
    check_inputs_exist(naturalearth_dir, countries_csv, world_atlas)
    countries = read_countries(data_dir)
    check_countries(countries, countries_csv)
    territories = read_data_table(data_dir, "territories")
    world = read_world(naturalearth_dir, read_iso3_overrides(overrides_csv))
    disputed = read_disputed(naturalearth_dir)
    check_names_in_naturalearth(countries, countries_csv, world, disputed)

    states = set(countries.loc[countries["kind"] == "state", "iso3"])
    region = select_region(world, states)
    region = region.assign(geometry=region.geometry.map(fold_antimeridian))
    periods = read_periods(overrides_csv.parent, territories, set(countries["iso3"]))
    admin1 = read_admin1(overrides_csv.parent)
    parents = dict(zip(countries["iso3"], countries["parent_iso3"], strict=True))
    cut = split_pieces(
        cut_breakaways(region, countries, countries_csv, disputed), periods, admin1, parents
    )
    geometries = round_coordinates(simplify_coverage(cut.geometry.values))
    frame = label_regions(
        cut["iso3"], geometries, world, countries, territories, cut[["from_year", "to_year"]]
    )
    fine = cut_breakaways(
        read_fine_countries(world_atlas, region), countries, countries_csv, disputed
    )
    lengths = measure_borders(pieces_like(fine, frame), frame)

    out_file = out_dir / OUTPUT_FILE
    validate_regions(frame, countries, out_file)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(out_file, format_feature_collection(frame))
    write_atomically(out_dir / BORDERS_FILE, format_border_lengths(lengths))
    return out_file
