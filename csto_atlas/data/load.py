"""Read and validate every data file into an Atlas; a bad row fails loudly, never silently dropped.

Each frame is indexed by `line`, the row's line number in its CSV file, so that every later
check can say where a problem is.
"""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pandera.pandas as pa

from csto_atlas.data import paths
from csto_atlas.data.dates import parse_partial_date
from csto_atlas.data.errors import DataError, Problem
from csto_atlas.data.schema import (
    PARSE_COLUMNS,
    TABLES,
    References,
    parse_schema,
    rules_schema,
)
from csto_atlas.data.spatial import locate_points

REGIONS_FILE = "regions.geojson"
REGION_PROPERTIES = ("iso3", "name", "kind", "parent_iso3")
DATED_TABLES = ("sources", "membership", "incidents", "meetings")
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
    membership: pd.DataFrame
    bases: pd.DataFrame
    incidents: pd.DataFrame
    meetings: pd.DataFrame
    notes: pd.DataFrame
    regions: gpd.GeoDataFrame


def display_path(path: Path) -> str:
    """`datasets/bases.csv`: the folder and file name, as a problem report shows them."""
    return f"{path.parent.name}/{path.name}"


def read_table(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a CSV as strings (empty cell = missing), indexed by line number; report ragged rows."""
    shown = display_path(path)
    if not path.is_file():
        return pd.DataFrame(), [Problem(shown, None, None, "file is missing")]
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            return pd.DataFrame(), [Problem(shown, 1, None, "file has no header row")]
        rows, lines, problems = [], [], []
        line = reader.line_num + 1
        for record in reader:
            if record and len(record) != len(header):
                problems.append(
                    Problem(
                        shown,
                        line,
                        None,
                        f"has {len(record)} fields where the header has {len(header)}",
                    )
                )
            elif any(cell.strip() for cell in record):
                rows.append([cell.strip() for cell in record])
                lines.append(line)
            line = reader.line_num + 1
    frame = pd.DataFrame(
        rows,
        columns=[name.strip() for name in header],
        index=pd.Index(lines, name="line"),
        dtype="str",
    )
    return frame.mask(frame == ""), problems


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


def show_value(value: object) -> str:
    """A cell as a problem report shows it: strings quoted, numbers plain, missing as (empty)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "(empty)"
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    return repr(value) if isinstance(value, str) else str(value)


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


def load_table(
    data_dir: Path, table: str, refs: References | None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Both passes over one file; `refs` None runs only the first (used for sources and countries)."""
    path = data_dir / f"{table}.csv"
    shown = display_path(path)
    frame, problems = read_table(path)
    if frame.empty and not problems:
        frame = pd.DataFrame(columns=list(PARSE_COLUMNS[table]), dtype="str")
        frame.index.name = "line"
    if problems and frame.empty:
        return frame, problems
    parsed, found = validate_frame(parse_schema(table), frame, shown)
    problems += found
    parsed = _with_optional_columns(parsed, table)
    if table in DATED_TABLES:
        parsed = add_periods(parsed)
    if refs is None:
        return parsed, problems
    checked, found = validate_frame(rules_schema(table, refs), parsed, shown)
    return checked, problems + found


def _with_optional_columns(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Optional columns absent from the file are present, empty, in the frame."""
    missing = {name: pd.NA for name, column in PARSE_COLUMNS[table].items() if name not in frame}
    return frame.assign(**missing).astype({name: "str" for name in missing}) if missing else frame


def load_regions(geodata_dir: Path) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """The polygons every ISO3 code must be drawn on."""
    path = geodata_dir / REGIONS_FILE
    shown = display_path(path)
    if not path.is_file():
        return gpd.GeoDataFrame(), [
            Problem(shown, None, None, "file is missing; run python -m csto_atlas build-geodata")
        ]
    regions = gpd.read_file(path)
    missing = [name for name in REGION_PROPERTIES if name not in regions]
    if missing:
        return regions, [Problem(shown, None, ", ".join(missing), "property missing from features")]
    regions = regions[[*REGION_PROPERTIES, "geometry"]].fillna({"parent_iso3": ""})
    return regions.set_crs("EPSG:4326", allow_override=True), []


def load_atlas(
    data_dir: Path | None = None, geodata_dir: Path | None = None, today: date | None = None
) -> Atlas:
    """Load and validate everything; raise DataError listing every problem in every file."""
    data_dir = data_dir or paths.data_dir()
    regions, problems = load_regions(geodata_dir or paths.GEODATA_DIR)
    sources, found = load_table(data_dir, "sources", None)
    problems += found
    # Every id as written: a source row with a problem of its own (a bad URL) is still the source
    # other rows cite, so they are not reported for citing it.
    listed, _ = read_table(data_dir / "sources.csv")
    refs = References(
        source_ids=frozenset(listed.get("id", pd.Series(dtype="str")).dropna()),
        file_source_ids=frozenset(
            sources.loc[sources["file"].notna(), "id"] if "file" in sources else []
        ),
        iso3=frozenset(regions.get("iso3", pd.Series(dtype="str"))),
        today=today or date.today(),
    )
    frames = {"sources": sources}
    if not sources.empty:
        frames["sources"], found = validate_frame(
            rules_schema("sources", refs), sources, display_path(data_dir / "sources.csv")
        )
        problems += found
    for table in TABLES:
        if table != "sources":
            frames[table], found = load_table(data_dir, table, refs)
            problems += found
    if not problems:
        for table, declared in POINT_TABLES.items():
            frames[table], found = place_points(
                frames[table], regions, declared, data_dir / f"{table}.csv"
            )
            problems += found
    if problems:
        raise DataError(problems)
    return Atlas(**frames, regions=regions)


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
