"""Read and validate every data file into an Atlas; a bad row fails loudly, never silently dropped.

Each frame is indexed by `line`, the row's line number in its CSV file, so that every later
check can say where a problem is.
"""

import io
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pandera.pandas as pa
import shapely

from csto_atlas.data import paths
from csto_atlas.data.alliance import Alliance, load_alliance
from csto_atlas.data.dates import parse_partial_date
from csto_atlas.data.errors import FILE, DataError, Problem
from csto_atlas.data.periods import empty_periods, read_periods
from csto_atlas.data.places import check_gazetteer_distance, check_shared_points
from csto_atlas.data.read import display_path, read_bytes, read_table, show_value
from csto_atlas.data.schema import (
    ISO3,
    NUMBER_FORMS,
    NUMBER_HINT,
    PARSE_COLUMNS,
    TABLES,
    References,
    number_columns,
    parse_schema,
    rules_schema,
)
from csto_atlas.data.spatial import locate_points

REGIONS_FILE = "regions.geojson"
MAX_GEODATA_BYTES = 64 * 1024 * 1024  # the bundled regions.geojson is 0.2 MiB
REGION_PROPERTIES = ("iso3", "name", "kind", "parent_iso3")
# Optional: the years a region is drawn as its own feature (None = open), from territories.csv.
REGION_YEARS = ("from_year", "to_year")
DATED_TABLES = ("sources", "membership", "territories", "incidents", "meetings")
POINT_TABLES = {"bases": "host_iso3", "incidents": "iso3", "meetings": "iso3"}

_READABLE_CHECKS = {
    "field_uniqueness": "is a duplicate; ids must be unique",
    "not_nullable": "is empty; a value is required",
    "column_in_dataframe": "is missing from the header",
    "column_in_schema": "is not a column this file may have",
    "coerce_dtype('float64')": "is not a number",
    "coerce_dtype('Int64')": "is not a whole number",
    "dtype('float64')": None,  # repeats the coercion failure just above it
    "dtype('Int64')": None,
}


@dataclass(frozen=True)
class Atlas:
    """Every validated table, plus the polygons they are drawn on."""

    sources: pd.DataFrame
    countries: pd.DataFrame
    places: pd.DataFrame
    membership: pd.DataFrame
    territories: pd.DataFrame
    bases: pd.DataFrame
    incidents: pd.DataFrame
    meetings: pd.DataFrame
    notes: pd.DataFrame
    regions: gpd.GeoDataFrame
    alliance: Alliance
    # geodata/periods.csv: the periods each region is drawn in (csto_atlas.data.periods)
    periods: pd.DataFrame = field(default_factory=empty_periods)


def problems_from(error: pa.errors.SchemaErrors, shown: str, frame: pd.DataFrame) -> list[Problem]:
    """Turn pandera's failure cases into Problems naming file, line, column and value."""
    problems = []
    for failure in error.schema_errors:
        check = failure.check
        reason = str(check) if isinstance(check, str) else (check.error or str(check))
        reason = _READABLE_CHECKS.get(reason, reason)
        if reason is None:
            continue
        cases = failure.failure_cases
        if isinstance(check, pa.Check) and check.name in frame and "column" in cases:
            # A check across columns, reported against the column it is named after.
            column = check.name
            lines = sorted(set(cases["index"].dropna()))
            problems += [
                Problem(shown, int(line), column, f"{show_value(frame.at[line, column])} {reason}")
                for line in lines
            ]
        elif not isinstance(cases, pd.DataFrame) or cases["index"].isna().all():
            # The whole column: missing from the file, or not allowed in it.
            if isinstance(cases, pd.DataFrame):
                names = list(cases["failure_case"].astype(str))
            else:
                names = [failure.column_name or str(cases)]
            problems += [Problem(shown, None, name, reason) for name in names]
        else:
            column = getattr(failure.schema, "name", None)
            for _, case in cases.iterrows():
                value = (
                    ""
                    if reason == _READABLE_CHECKS["not_nullable"]
                    else show_value(case["failure_case"])
                )
                problems.append(
                    Problem(shown, int(case["index"]), column, f"{value} {reason}".strip())
                )
    return problems


def validate_frame(
    schema: pa.DataFrameSchema, frame: pd.DataFrame, shown: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate lazily; return the rows that passed (coerced) and the problems of the others."""
    try:
        return schema.validate(frame, lazy=True), []
    except pa.errors.SchemaErrors as error:
        problems = problems_from(error, shown, frame)
    bad_lines = {p.line for p in problems if p.line is not None}
    if any(p.line is None for p in problems):
        return frame.iloc[0:0], problems
    try:
        return schema.validate(frame.drop(index=list(bad_lines)), lazy=True), problems
    except pa.errors.SchemaErrors:
        return frame.iloc[0:0], problems


def add_periods(frame: pd.DataFrame) -> pd.DataFrame:
    """Dated rows get `precision`, `year`, `starts` and `ends` (end of the period, or of end_date)."""
    if frame.empty:
        empty_dates = pd.Series(dtype="datetime64[s]", index=frame.index)
        return frame.assign(
            precision=pd.Series(dtype="str", index=frame.index),
            year=pd.Series(dtype="int64", index=frame.index),
            starts=empty_dates,
            ends=empty_dates,
        )
    dates = frame["date"].map(parse_partial_date)
    ends = dates.map(lambda d: d.end)
    if "end_date" in frame:
        ends = frame["end_date"].map(lambda text: parse_partial_date(text).end, na_action="ignore")
        ends = ends.where(frame["end_date"].notna(), dates.map(lambda d: d.end))
    return frame.assign(
        precision=dates.map(lambda d: d.precision),
        year=dates.map(lambda d: d.year).astype("int64"),
        starts=pd.to_datetime(dates.map(lambda d: d.start)),
        ends=pd.to_datetime(ends),
    )


@dataclass(frozen=True)
class Loaded:
    """One file after both passes: the rows that passed, every problem, and what the file holds.

    `keys` maps the line of every row read, valid or not, to the value of its key column (None
    when the file could not be read): other files citing the key of a bad row are not flagged
    again, and rows citing a file that cannot be read are left unchecked, not all called wrong.
    """

    frame: pd.DataFrame
    problems: list[Problem]
    keys: dict[int, str] | None

    @property
    def key_set(self) -> frozenset[str] | None:
        """Every key the file holds, or None when it could not be read."""
        return None if self.keys is None else frozenset(self.keys.values())


# The tables the atlas cannot be drawn without, with what a row of each is.
REQUIRED_ROWS = {
    "sources": "source",
    "countries": "country or region",
    "membership": "membership event",
}
KEY_COLUMNS = {"sources": "id", "countries": "iso3", "places": "place_id"}


def load_table(data_dir: Path, table: str, refs: References | None) -> Loaded:
    """Both passes over one file; `refs` None runs only the first (used for sources)."""
    path = data_dir / f"{table}.csv"
    shown = display_path(path)
    frame, problems = read_table(path)
    if problems and frame.empty:
        return Loaded(frame, problems, None)
    if frame.empty:
        if table in REQUIRED_ROWS:
            message = f"has no rows; the atlas needs at least one {REQUIRED_ROWS[table]}"
            return Loaded(frame, [Problem(shown, None, None, message, FILE)], None)
        frame = pd.DataFrame(columns=list(PARSE_COLUMNS[table]), dtype="str")
        frame.index.name = "line"
    key = KEY_COLUMNS.get(table, "")
    keys = frame[key].dropna().to_dict() if key in frame else None
    problems += number_problems(frame, table, shown)
    # A row whose text was refused is reported once, not again by the schema.
    frame = frame.drop(index=sorted({p.line for p in problems if p.line in frame.index}))
    parsed, found = validate_frame(parse_schema(table), frame, shown)
    problems += found
    parsed = _with_optional_columns(parsed, table)
    if table in DATED_TABLES:
        parsed = add_periods(parsed)
    if refs is None:
        return Loaded(parsed, problems, keys)
    checked, found = validate_frame(rules_schema(table, refs), parsed, shown)
    return Loaded(checked, problems + found, keys)


def number_problems(frame: pd.DataFrame, table: str, shown: str) -> list[Problem]:
    """Number cells not written in ASCII digits (schema.NUMBER_FORMS), before pandera reads them."""
    problems = []
    for column, dtype in number_columns(table).items():
        if column in frame:
            pattern, reason = NUMBER_FORMS[dtype]
            values = frame[column].dropna()
            bad = values[~values.str.fullmatch(pattern)]
            problems += [
                Problem(shown, int(line), column, f"{show_value(value)} {reason}{hint(value)}")
                for line, value in bad.items()
            ]
    return problems


def hint(value: str) -> str:
    """NUMBER_HINT, for a number that looks like one to a reader but not to the CSV's users."""
    return f" {NUMBER_HINT}" if "_" in value or not value.isascii() else ""


def _with_optional_columns(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Optional columns absent from the file are present, empty, in the frame."""
    missing = {name: pd.NA for name, column in PARSE_COLUMNS[table].items() if name not in frame}
    return frame.assign(**missing).astype({name: "str" for name in missing}) if missing else frame


def load_regions(geodata_dir: Path) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """The polygons every ISO3 code must be drawn on."""
    path = geodata_dir / REGIONS_FILE
    shown = display_path(path)
    data, problems = read_bytes(path, MAX_GEODATA_BYTES, "a GeoJSON file")
    if data is None:
        return gpd.GeoDataFrame(), [
            replace(problem, message=f"{problem.message}; run python -m csto_atlas build-geodata")
            for problem in problems
        ]
    try:
        regions = gpd.read_file(io.BytesIO(data))
    except Exception as error:  # any reader failure is a problem to report, never a crash
        message = f"cannot be read as GeoJSON ({type(error).__name__}); run build-geodata"
        return gpd.GeoDataFrame(), [Problem(shown, None, None, message)]
    missing = [name for name in REGION_PROPERTIES if name not in regions]
    if missing:
        return gpd.GeoDataFrame(), [
            Problem(shown, None, ", ".join(missing), "property missing from features")
        ]
    years = [name for name in REGION_YEARS if name in regions]
    problems = feature_problems(
        regions, [*years, *(["piece"] if "piece" in regions else [])], shown
    )
    if problems:
        return gpd.GeoDataFrame(), problems
    regions = regions[[*REGION_PROPERTIES, *years, "geometry"]].fillna({"parent_iso3": ""})
    regions = regions.assign(**{name: regions[name].astype("Int64") for name in years})
    return regions.set_crs("EPSG:4326", allow_override=True), []


# Where a feature's coordinates may lie: longitudes east of 180° stand for Russia's parts across
# the antimeridian, shifted by +360° (geodata/README.md, "Antimeridian").
LON_RANGE, LAT_RANGE = (-180.0, 360.0), (-90.0, 90.0)


def feature_problems(regions: gpd.GeoDataFrame, piece_keys: list[str], shown: str) -> list[Problem]:
    """Each feature has an ISO3 code of its own and a valid, non-empty geometry on the globe.

    A region drawn in pieces has one feature per piece, told apart by `piece_keys` (from_year,
    to_year, and piece when the geodata names it). Features are numbered from 1, in file order.
    """

    def problem(index: int, name: str, message: str) -> Problem:
        return Problem(shown, int(index) + 1, name, message, feature=True)

    # A few dozen features: plain Python reads them faster than pandas' string methods.
    iso3 = pd.Series(
        [None if pd.isna(code) else str(code).strip() or None for code in regions["iso3"]],
        index=regions.index,
        dtype=object,
    )
    pieces = [[None if pd.isna(value) else value for value in regions[k]] for k in piece_keys]
    problems = []
    first_feature: dict[tuple, int] = {}
    for index, code, *piece in zip(regions.index, iso3, *pieces, strict=True):
        if code is None:
            problems.append(problem(index, "iso3", "is empty; every feature needs an ISO3 code"))
        elif not re.fullmatch(ISO3, code):
            message = f"{show_value(code)} is not an ISO3 code (three capital letters)"
            problems.append(problem(index, "iso3", message))
        elif (code, *piece) in first_feature:
            message = (
                f"{show_value(code)} is drawn by feature {first_feature[(code, *piece)] + 1} "
                "already; a region is one feature (or one per piece, each with its own "
                "from_year/to_year)"
            )
            problems.append(problem(index, "iso3", message))
        else:
            first_feature[(code, *piece)] = index
    return problems + geometry_problems(regions, iso3, problem)


def geometry_problems(regions: gpd.GeoDataFrame, iso3: pd.Series, problem) -> list[Problem]:
    """Missing, empty, invalid or off-the-globe geometries, one problem per feature."""
    geometry = regions.geometry.array  # the checks run over every shape at once (GEOS)
    missing = shapely.is_missing(geometry)
    empty = ~missing & shapely.is_empty(geometry)
    invalid = ~missing & ~empty & ~shapely.is_valid(geometry)
    bounds = shapely.bounds(geometry)  # west, south, east, north; NaN for missing and empty
    off = (
        ~missing
        & ~empty
        & ~invalid
        & (
            (bounds[:, 0] < LON_RANGE[0])
            | (bounds[:, 2] > LON_RANGE[1])
            | (bounds[:, 1] < LAT_RANGE[0])
            | (bounds[:, 3] > LAT_RANGE[1])
        )
    )
    problems = []
    for position, index in enumerate(regions.index):
        code = show_value(iso3[index])
        if missing[position]:
            message = f"{code} has no geometry"
        elif empty[position]:
            message = f"{code} has an empty geometry"
        elif invalid[position]:
            reason = readable_validity(shapely.is_valid_reason(geometry[position]))
            message = f"{code} is not a valid geometry ({reason})"
        elif off[position]:
            west, south, east, north = bounds[position]
            message = (
                f"{code} reaches lon {west:g}..{east:g}, lat {south:g}..{north:g}: outside "
                f"lon {LON_RANGE[0]:g}..{LON_RANGE[1]:g}, lat {LAT_RANGE[0]:g}..{LAT_RANGE[1]:g}"
            )
        else:
            continue
        problems.append(problem(index, "geometry", message))
    return problems


def readable_validity(reason: str) -> str:
    """`Self-intersection at lon 44.5, lat 40` for GEOS's `Self-intersection[44.5 40]`."""
    match = re.fullmatch(r"(.*)\[(\S+) (\S+)\]", reason)
    if not match:
        return reason
    text, lon, lat = match.groups()
    return f"{text} at lon {float(lon):g}, lat {float(lat):g}"


# Columns that cite a row of another file, by the file they cite.
CITING_COLUMNS = {
    "sources": ("source_id", "coord_source_id"),
    "countries": ("iso3", "host_iso3", "region_iso3"),
}


def load_atlas(
    data_dir: Path | None = None, geodata_dir: Path | None = None, today: date | None = None
) -> Atlas:
    """Load and validate everything; raise DataError listing every problem, root causes first."""
    data_dir = data_dir or paths.data_dir()
    alliance, problems = alliance_of(data_dir)
    regions, found = load_regions(geodata_dir or alliance.geodata_dir)
    problems += found
    sources = load_table(data_dir, "sources", None)
    refs = References(
        source_ids=sources.key_set,
        file_source_ids=frozenset(
            sources.frame.loc[sources.frame["file"].notna(), "id"]
            if "file" in sources.frame
            else []
        ),
        iso3=frozenset(regions["iso3"]) if "iso3" in regions else None,
        country_codes=None,
        today=today or date.today(),
    )
    loaded = {"sources": sources}
    if not sources.frame.empty:
        frame, found = validate_frame(
            rules_schema("sources", refs), sources.frame, display_path(data_dir / "sources.csv")
        )
        loaded["sources"] = Loaded(frame, sources.problems + found, sources.keys)
    loaded["countries"] = load_table(data_dir, "countries", refs)
    countries = loaded["countries"].frame
    territories = countries.loc[countries["kind"] != "state", "iso3"] if "kind" in countries else []
    # A code whose own row is bad may be a territory: rows citing it are not flagged again.
    unchecked = (loaded["countries"].key_set or frozenset()) - set(countries.get("iso3", []))
    refs = replace(
        refs,
        country_codes=loaded["countries"].key_set,
        territory_iso3=frozenset(territories) | unchecked,
    )
    loaded["places"] = load_table(data_dir, "places", refs)
    refs = replace(refs, place_ids=loaded["places"].key_set or frozenset())
    for table in TABLES:
        if table not in loaded:
            loaded[table] = load_table(data_dir, table, refs)
    problems += [problem for result in loaded.values() for problem in result.problems]
    problems = note_unchecked_citations(
        count_citing_rows(problems, loaded, data_dir), loaded, data_dir
    )
    frames = {table: result.frame for table, result in loaded.items()}
    periods = empty_periods()
    if not problems:
        problems += check_points(frames, regions, data_dir)
        try:
            drawn_on = geodata_dir or alliance.geodata_dir
            periods = read_periods(
                drawn_on,
                frames["territories"],
                foreign_data=drawn_on.resolve() == paths.GEODATA_DIR.resolve()
                and data_dir.resolve() != paths.BUNDLED_DATA_DIR.resolve(),
            )
        except DataError as error:
            problems += error.problems
    if problems:
        raise DataError(problems)
    return Atlas(**frames, regions=regions, periods=periods, alliance=alliance)


def alliance_of(data_dir: Path) -> tuple[Alliance, list[Problem]]:
    """The data folder's alliance.toml; when it is bad, its problems and the bundled one's."""
    try:
        return load_alliance(data_dir), []
    except DataError as error:
        return load_alliance(paths.BUNDLED_DATA_DIR), error.problems


def check_points(
    frames: dict[str, pd.DataFrame], regions: gpd.GeoDataFrame, data_dir: Path
) -> list[Problem]:
    """Each point in its declared region, within its radius of its place; no shared points."""
    problems: list[Problem] = []
    table_paths = {table: data_dir / f"{table}.csv" for table in POINT_TABLES}
    for table, declared in POINT_TABLES.items():
        frames[table], found = place_points(frames[table], regions, declared, table_paths[table])
        problems += found
        problems += check_gazetteer_distance(
            frames[table], frames["places"], display_path(table_paths[table])
        )
        geonames = frames["places"].set_index("place_id")["geonames_id"]
        frames[table] = frames[table].assign(geonames_id=frames[table]["place_id"].map(geonames))
    problems += check_shared_points({table: frames[table] for table in POINT_TABLES}, table_paths)
    return problems


def rows_citing(loaded: dict[str, Loaded], cited: str, key: str) -> int:
    """How many rows of the other files cite `key` of `cited`."""
    count = 0
    for table, result in loaded.items():
        columns = [c for c in CITING_COLUMNS[cited] if c in result.frame]
        if table != cited and columns:
            count += int((result.frame[columns] == key).any(axis=1).sum())
    return count


def count_citing_rows(
    problems: list[Problem], loaded: dict[str, Loaded], data_dir: Path
) -> list[Problem]:
    """A bad row of sources.csv or countries.csv says how many rows of other files cite it.

    Those rows are not flagged themselves: the key they cite exists, its row is what is wrong.
    """
    counts = {}
    for cited in CITING_COLUMNS:
        keys = loaded[cited].keys or {}
        valid = set(loaded[cited].frame.get(KEY_COLUMNS[cited], pd.Series(dtype="str")))
        shown = display_path(data_dir / f"{cited}.csv")
        for line, key in keys.items():
            if key not in valid:
                counts[(shown, line)] = rows_citing(loaded, cited, key)
    result = []
    for problem in DataError(problems).problems:
        count = counts.pop((problem.file, problem.line), 0)  # the first problem of the row only
        if count:
            problem = replace(problem, message=f"{problem.message} (and {count} rows citing it)")
        result.append(problem)
    return result


def note_unchecked_citations(
    problems: list[Problem], loaded: dict[str, Loaded], data_dir: Path
) -> list[Problem]:
    """The first problem of a cited file that could not be read says how many rows go unchecked.

    The rows citing it are not flagged one by one (a missing sources.csv would otherwise make
    every row of every file a problem).
    """
    notes = {}
    for cited, columns in CITING_COLUMNS.items():
        if loaded[cited].keys is not None:
            continue
        citing = {
            table: int(
                result.frame[[c for c in columns if c in result.frame]].notna().any(axis=1).sum()
            )
            for table, result in loaded.items()
            if table != cited and any(c in result.frame for c in columns)
        }
        where = ", ".join(f"{count} in {table}.csv" for table, count in citing.items() if count)
        if where:
            notes[display_path(data_dir / f"{cited}.csv")] = (
                f"; the rows citing it ({where}) are not checked against it until it can be read"
            )
    result = []
    for problem in DataError(problems).problems:
        note = notes.pop(problem.file, "")
        result.append(replace(problem, message=problem.message + note) if note else problem)
    return result


def place_points(
    frame: pd.DataFrame, regions: gpd.GeoDataFrame, declared: str, path: Path
) -> tuple[pd.DataFrame, list[Problem]]:
    """Join each point to the region it falls in; a point outside its declared region is a problem."""
    located = locate_points(frame, regions)
    expected = frame[declared]
    if declared == "host_iso3":  # a base in a breakaway region must fall in that region
        expected = frame["region_iso3"].fillna(frame["host_iso3"])
    wrong = located.fillna("") != expected
    problems = [
        Problem(
            display_path(path),
            int(line),
            "region_iso3"
            if declared == "host_iso3" and pd.notna(frame.at[line, "region_iso3"])
            else declared,
            f"{expected[line]!r} is declared, but the point ({frame.at[line, 'lat']}, "
            f"{frame.at[line, 'lon']}) falls in {located[line] if pd.notna(located[line]) else 'no region the geodata draws'}",
        )
        for line in frame.index[wrong]
    ]
    return frame.assign(located_iso3=located), problems
