"""The export layers of a year, as the CLI writes them and the Data page offers them for download.

Every row carries its evidence: `source_id`, `locator` and `quote` where the dataset has them,
and `citation`, the source as a reader cites it. A layer that is the subset of a dataset (bases,
incidents, meetings, notes, sources) carries all of that dataset's columns, the promised ones
first, then `citation` and the export's year: drop those derived columns and the file loads as
the dataset it came from. `countries` is the map's view of the year (status, and the event and source behind it).

CSV is for spreadsheets, so a text cell that a spreadsheet would run as a formula (it begins with
`=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe, the usual OWASP
neutralisation; plain numbers such as `-12.5` are left as they are. GeoJSON carries the data
version in a top-level `metadata` member; CSV downloads carry it in their file name.

Every export of a year carries that year in a last column, `year` (`map_year` in `notes`, whose
own `year` is the note's first year), so files of several years can be stacked. `status` is the
one export of every year: a country x year table of the status each region is drawn with on
31 December (`status_table`), rows as in the map's regions, one column per year.
"""

import json
import re
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd

from csto_atlas.data.alliance import Alliance
from csto_atlas.data.load import Atlas
from csto_atlas.data.schema import PARSE_COLUMNS
from csto_atlas.data.version import DataVersion
from csto_atlas.domain import borders, geo
from csto_atlas.domain.citation import slug
from csto_atlas.domain.sources import checked_until, citations_by_id, provisional_from
from csto_atlas.domain.status import year_range
from csto_atlas.domain.yearmodel import model_table, years_model

SOURCE_COLUMNS = ["source_id", "locator", "quote", "citation"]

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
        "provisional",
        "event_id",
        "extent",  # known, or uncertain: the outline drawn is not the area held (periods.csv)
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
    "borders": borders.BORDER_COLUMNS,
}
LAYERS = tuple(LAYER_COLUMNS)
POINT_LAYERS = ("bases", "incidents", "meetings")
# Layers whose frame carries its own geometry (a GeoDataFrame): the lines members share.
OWN_GEOMETRY = ("borders",)
KM_DECIMALS = 1  # 100 m: far finer than what a 1:50m line is worth (see borders.py)
DATASET_LAYERS = ("bases", "incidents", "meetings", "notes", "sources")
DERIVED_COLUMNS = ("citation", "event_id", "year", "map_year")
# The export's own year: `year`, except where the dataset has a `year` of its own.
YEAR_COLUMN = {"notes": "map_year"}
STATUS_LAYER = "status"
STATUS_ROW_COLUMNS = ["iso3", "name", "kind", "parent_iso3"]
# The status table's last column: the first year whose statuses are provisional ("" for none).
PROVISIONAL_COLUMN = "provisional_from"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
BOUNDARIES = "Natural Earth (public domain), as built into geodata/regions.geojson"


@dataclass(frozen=True)
class ExportFile:
    """One downloadable file: its name, media type and bytes."""

    layer: str
    fmt: str
    name: str
    mime: str
    data: bytes


def layer_columns(layer: str) -> list[str]:
    """The layer's columns: the promised ones, the rest of its dataset's, then the evidence."""
    promised = LAYER_COLUMNS[layer]
    dataset = PARSE_COLUMNS[layer] if layer in DATASET_LAYERS else {}
    rest = [name for name in dataset if name not in promised]
    evidence = [name for name in SOURCE_COLUMNS if name not in promised + rest]
    if layer == "sources":
        evidence = ["citation"]
    return promised + rest + evidence


def countries_frame(atlas: Atlas, year: int) -> pd.DataFrame:
    """Each region's status on 31 December of `year` (the year model: the status it is drawn
    with), with the event and source behind it."""
    countries = geo.countries_for_year(atlas, year)
    # For the current year, up to when the data was checked (the newest source date).
    # A year whose 31 December lies after that date is provisional: its status may change.
    first_provisional = provisional_from(atlas.sources)
    countries = countries.assign(
        checked_until=checked_until(atlas.sources) if year == date.today().year else pd.NA,
        provisional=first_provisional is not None and year >= first_provisional,
    )
    events = atlas.membership.set_index("id")[["source_id", "locator", "quote"]]
    return countries.merge(events, how="left", left_on="event_id", right_index=True)


def layer_frame(atlas: Atlas, layer: str, year: int) -> pd.DataFrame:
    """The rows of `layer` that belong to `year`, in the layer's columns, each with its citation."""
    frames = {
        "countries": lambda: countries_frame(atlas, year),
        "bases": lambda: geo.bases_active(atlas, year),
        "incidents": lambda: geo.incidents_until(atlas, year),
        "notes": lambda: geo.notes_until(atlas, year),
        "meetings": lambda: geo.meetings_until(atlas, year),
        "sources": lambda: atlas.sources,
        "borders": lambda: borders_frame(atlas, year),
    }
    frame = frames[layer]()
    year_column = year_column_of(layer)
    if layer in OWN_GEOMETRY:
        frame = frame.assign(**{year_column: year})
        return frame[[*LAYER_COLUMNS[layer], year_column, "geometry"]].reset_index(drop=True)
    citations = citations_by_id(atlas.sources)
    cited = frame["id"] if layer == "sources" else frame["source_id"]
    frame = frame.assign(citation=cited.map(citations), **{year_column: year})
    return pd.DataFrame(frame[[*layer_columns(layer), year_column]]).reset_index(drop=True)


def year_column_of(layer: str) -> str:
    """The name of the column holding the export's year in `layer`."""
    return YEAR_COLUMN.get(layer, "year")


# --- every year in one table ---------------------------------------------------------------


def status_table(atlas: Atlas, years: range | None = None) -> pd.DataFrame:
    """Each region's status on 31 December of every year (as the map draws it): one row per
    region (iso3, name, kind, parent_iso3), one column per year named by the year, and
    `provisional_from`: the first year whose status may still change (its 31 December after
    the date the sources are checked up to; empty for none)."""
    years = years if years is not None else year_range(atlas.membership)
    drawn = model_table(years_model(atlas, years), "status")
    # One row per region: a region drawn in pieces (geodata/periods.csv) has a feature per piece.
    regions = atlas.regions[STATUS_ROW_COLUMNS].drop_duplicates("iso3").reset_index(drop=True)
    regions = regions.assign(parent_iso3=regions["parent_iso3"].fillna(""))
    cells = drawn.reindex(regions["iso3"]).reset_index(drop=True)
    cells.columns = [str(year) for year in years]
    first_provisional = provisional_from(atlas.sources)
    marked = "" if first_provisional is None else str(first_provisional)
    return pd.concat([regions, cells], axis="columns").assign(**{PROVISIONAL_COLUMN: marked})


def file_prefix(alliance: Alliance) -> str:
    """`csto-atlas`: the atlas's title as the start of a file name."""
    return slug(alliance.title) or "atlas"


def status_file_name(years: range, version: DataVersion, fmt: str, prefix: str) -> str:
    """`csto-atlas-status-1992-2026-1a2b3c4d5e6f.csv`: the years and data version in the name."""
    return f"{prefix}-{STATUS_LAYER}-{years.start}-{years.stop - 1}-{version.digest}.{fmt}"


def region_shapes(atlas: Atlas) -> pd.Series:
    """Each region's whole shape by code (a region drawn in pieces as one shape)."""
    return atlas.regions.dissolve(by="iso3", sort=False).geometry


def status_text(
    atlas: Atlas, fmt: str, version: DataVersion | None, years: range | None = None
) -> str:
    """The status table as CSV, or as GeoJSON (each region's polygon, a property per year)."""
    years = years if years is not None else year_range(atlas.membership)
    frame = status_table(atlas, years)
    if fmt == "csv":
        return to_csv(frame)
    shapes = region_shapes(atlas)
    records = json.loads(frame.to_json(orient="records", force_ascii=False))
    features = [
        {
            "type": "Feature",
            "properties": props,
            "geometry": shapes[props["iso3"]].__geo_interface__,
        }
        for props in records
    ]
    meta: dict[str, object] = {
        "title": f"{atlas.alliance.title}: status on 31 December, {years.start}-{years.stop - 1}",
        "layer": STATUS_LAYER,
        "years": [years.start, years.stop - 1],
        "boundaries": BOUNDARIES,
        PROVISIONAL_COLUMN: provisional_from(atlas.sources),
    }
    if version is not None:
        meta |= {"data_version": version.digest, "data_checked": version.checked_text}
    collection = {"type": "FeatureCollection", "features": features, "metadata": meta}
    return json.dumps(collection, ensure_ascii=False) + "\n"


def status_files(atlas: Atlas, version: DataVersion) -> list[ExportFile]:
    """The status table of every year as CSV and GeoJSON, named with the years and version."""
    years = year_range(atlas.membership)
    mimes = {"csv": "text/csv", "geojson": "application/geo+json"}
    return [
        ExportFile(
            STATUS_LAYER,
            fmt,
            status_file_name(years, version, fmt, file_prefix(atlas.alliance)),
            mimes[fmt],
            status_text(atlas, fmt, version, years).encode("utf-8"),
        )
        for fmt in ("csv", "geojson")
    ]


def borders_frame(atlas: Atlas, year: int) -> gpd.GeoDataFrame:
    """Each member's land border with each non-member neighbour, km rounded to 100 m."""
    frame = borders.member_borders(atlas, year)
    return frame.assign(km=frame["km"].round(KM_DECIMALS))


def neutralise(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if (
        isinstance(cell, str)
        and cell.startswith(FORMULA_START)
        and not PLAIN_NUMBER.fullmatch(cell)
    ):
        return "'" + cell
    return cell


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text: empty cells for missing values, formula-like text cells neutralised (a layer's
    own geometry stays out)."""
    frame = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    text_columns = frame.select_dtypes(include=["object", "string"]).columns
    safe = frame.assign(**{name: frame[name].map(neutralise) for name in text_columns})
    return safe.to_csv(index=False, lineterminator="\n")


def metadata(layer: str, year: int, version: DataVersion | None, title: str) -> dict[str, object]:
    """What a GeoJSON export says about itself: the atlas, the layer, the year, the data version."""
    meta: dict[str, object] = {
        "title": f"{title}: {layer} in {year}",
        "layer": layer,
        "year": year,
        "boundaries": BOUNDARIES,
    }
    if version is not None:
        meta |= {"data_version": version.digest, "data_checked": version.checked_text}
    return meta


def to_geojson(
    atlas: Atlas,
    layer: str,
    frame: pd.DataFrame,
    year: int | None = None,
    version: DataVersion | None = None,
) -> str:
    """A FeatureCollection: country polygons for `countries`, points for lat/lon layers, no
    geometry for notes and sources, the shared lines for `borders`; with a `metadata` member when
    the year is given."""
    if isinstance(frame, gpd.GeoDataFrame):
        geometries = [shape.__geo_interface__ for shape in frame.geometry]
        frame = pd.DataFrame(frame.drop(columns="geometry"))
    elif layer == "countries":
        shapes = region_shapes(atlas)
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
    collection: dict[str, object] = {"type": "FeatureCollection", "features": features}
    if year is not None:
        collection["metadata"] = metadata(layer, year, version, atlas.alliance.title)
    return json.dumps(collection, ensure_ascii=False)


def file_name(layer: str, year: int, version: DataVersion, fmt: str, prefix: str) -> str:
    """`csto-atlas-bases-2019-1a2b3c4d5e6f.csv`: layer, year and data version in the name."""
    return f"{prefix}-{layer}-{year}-{version.digest}.{fmt}"


def formats_of(layer: str) -> tuple[str, ...]:
    """CSV for every layer; GeoJSON too for the layers with a geometry."""
    return ("csv", "geojson") if layer in ("countries", *POINT_LAYERS, *OWN_GEOMETRY) else ("csv",)


def layer_text(atlas: Atlas, layer: str, year: int, fmt: str, version: DataVersion) -> str:
    """The text of one export, exactly as `python -m csto_atlas export` writes it."""
    frame = layer_frame(atlas, layer, year)
    if fmt == "csv":
        return to_csv(frame)
    return to_geojson(atlas, layer, frame, year, version) + "\n"


def export_files(atlas: Atlas, year: int, version: DataVersion) -> list[ExportFile]:
    """Every layer of `year` in every format it has, named with the year and data version."""
    mimes = {"csv": "text/csv", "geojson": "application/geo+json"}
    return [
        ExportFile(
            layer,
            fmt,
            file_name(layer, year, version, fmt, file_prefix(atlas.alliance)),
            mimes[fmt],
            layer_text(atlas, layer, year, fmt, version).encode("utf-8"),
        )
        for layer in LAYERS
        for fmt in formats_of(layer)
    ]
