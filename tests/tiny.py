"""A tiny, self-consistent data folder (CSV files, source text, square polygons) for unit tests."""

import csv
import json
from pathlib import Path

from shapely.geometry import box, mapping

SOURCE_TEXT = """Tiny Article

A treaty was signed at Tashkent by Uzbekistan and others.
Uzbekistan withdrew from the pact in 1999, only to rejoin later.
Armenia hosts Russia’s “102nd” base in Gyumri.
"""

REGIONS = [
    ("ARM", "Armenia", "state", "", box(43.0, 38.8, 46.6, 41.0)),
    (
        "GEO",
        "Georgia",
        "state",
        "",
        box(40.0, 41.0, 46.0, 44.0).difference(box(40.0, 42.5, 42.0, 44.0)),
    ),
    ("XAB", "Abkhazia", "breakaway", "GEO", box(40.0, 42.5, 42.0, 44.0)),
    ("UZB", "Uzbekistan", "state", "", box(56.0, 37.0, 73.0, 46.0)),
    ("RUS", "Russia", "state", "", box(30.0, 46.0, 90.0, 70.0)),
]


def tables() -> dict[str, list[dict[str, str]]]:
    """Fresh rows for every table; tests change one cell and expect one problem."""
    return {
        "sources": [
            {
                "id": "tiny-article",
                "kind": "article",
                "author": "A. Writer",
                "title": "Tiny Article",
                "publisher": "Test Press",
                "date": "2007-03-15",
                "file": "tiny.txt",
                "body": "¶2-¶4",
                "url": "",
                "note": "",
            },
            {
                "id": "tiny-treaty",
                "kind": "treaty",
                "author": "Signatory states",
                "title": "Tiny Treaty",
                "publisher": "Signed at Tashkent",
                "date": "1992-05-15",
                "file": "",
                "body": "",
                "url": "",
                "note": "",
            },
            {
                "id": "tiny-places",
                "kind": "dataset",
                "author": "Natural Earth",
                "title": "Populated Places",
                "publisher": "Natural Earth",
                "date": "2017",
                "file": "",
                "body": "",
                "url": "",
                "note": "",
            },
        ],
        "countries": [
            {
                "iso3": "ARM",
                "name": "Armenia",
                "kind": "state",
                "parent_iso3": "",
                "ne_name": "",
                "aliases": "Armenian",
            },
            {
                "iso3": "UZB",
                "name": "Uzbekistan",
                "kind": "state",
                "parent_iso3": "",
                "ne_name": "",
                "aliases": "Uzbek",
            },
            {
                "iso3": "GEO",
                "name": "Georgia",
                "kind": "state",
                "parent_iso3": "",
                "ne_name": "",
                "aliases": "Georgian",
            },
            {
                "iso3": "XAB",
                "name": "Abkhazia",
                "kind": "breakaway",
                "parent_iso3": "GEO",
                "ne_name": "Abkhazia",
                "aliases": "",
            },
        ],
        "places": [
            {
                "place_id": "gyumri",
                "name": "Gyumri",
                "geonames_id": "616635",
                "lat": "40.79",
                "lon": "43.85",
                "country_iso3": "ARM",
                "feature_class": "P",
                "feature_code": "",
                "population": "114667",
            },
            {
                "place_id": "gudauta",
                "name": "Gudauta",
                "geonames_id": "614409",
                "lat": "43.1",
                "lon": "40.6",
                "country_iso3": "GEO",
                "feature_class": "P",
                "feature_code": "",
                "population": "8752",
            },
            {
                "place_id": "tashkent",
                "name": "Tashkent",
                "geonames_id": "1512569",
                "lat": "41.3",
                "lon": "69.2",
                "country_iso3": "UZB",
                "feature_class": "P",
                "feature_code": "",
                "population": "",
            },
        ],
        "territories": [
            {
                "id": "xab-joins-parent",
                "iso3": "XAB",
                "date": "2025-06",
                "status": "part of parent",
                "by_iso3": "",
                "detail": "drawn as Georgia's",
                "same_as": "",
                "source_id": "tiny-treaty",
                "locator": "",
                "quote": "",
                "note": "",
            },
        ],
        "membership": [
            {
                "id": "uzb-signs",
                "iso3": "UZB",
                "date": "1992-05-15",
                "status": "member",
                "detail": "",
                "same_as": "",
                "source_id": "tiny-treaty",
                "locator": "",
                "quote": "",
            },
            {
                "id": "uzb-leaves",
                "iso3": "UZB",
                "date": "1999",
                "status": "former",
                "detail": "",
                "same_as": "",
                "source_id": "tiny-article",
                "locator": "¶3",
                "quote": "Uzbekistan withdrew from the pact in 1999",
            },
            {
                "id": "uzb-rejoins",
                "iso3": "UZB",
                "date": "2006-08",
                "status": "member",
                "detail": "",
                "same_as": "",
                "source_id": "tiny-treaty",
                "locator": "",
                "quote": "",
            },
            {
                "id": "uzb-suspends",
                "iso3": "UZB",
                "date": "2012-12-31",
                "status": "suspended",
                "detail": "membership suspended",
                "same_as": "",
                "source_id": "tiny-treaty",
                "locator": "",
                "quote": "",
            },
            {
                "id": "uzb-suspends-alt",
                "iso3": "UZB",
                "date": "2012-06",
                "status": "suspended",
                "detail": "",
                "same_as": "uzb-suspends",
                "source_id": "tiny-treaty",
                "locator": "",
                "quote": "",
            },
            {
                "id": "arm-signs",
                "iso3": "ARM",
                "date": "1992-05-15",
                "status": "member",
                "detail": "",
                "same_as": "",
                "source_id": "tiny-treaty",
                "locator": "",
                "quote": "",
            },
        ],
        "bases": [
            {
                "id": "gyumri",
                "name": "Gyumri base",
                "unit": "102nd",
                "host_iso3": "ARM",
                "region_iso3": "",
                "lat": "40.79",
                "lon": "43.85",
                "place_id": "gyumri",
                "radius_km": "5",
                "place_note": "The town of Gyumri.",
                "coord_source_id": "tiny-places",
                "start_year": "1995",
                "end_year": "",
                "source_id": "tiny-article",
                "locator": "¶4",
                "quote": 'Armenia hosts Russia\'s "102nd" base in Gyumri.',
                "note": "",
            },
            {
                "id": "gudauta",
                "name": "Abkhazia base",
                "unit": "7th",
                "host_iso3": "GEO",
                "region_iso3": "XAB",
                "lat": "43.1",
                "lon": "40.6",
                "place_id": "gudauta",
                "radius_km": "5",
                "place_note": "The town of Gudauta.",
                "coord_source_id": "tiny-places",
                "start_year": "2009",
                "end_year": "2020",
                "source_id": "tiny-treaty",
                "locator": "",
                "quote": "",
                "note": "",
            },
        ],
        "incidents": [
            {
                "id": "border-clash",
                "name": "Border clash",
                "date": "2018-06",
                "iso3": "UZB",
                "lat": "41.3",
                "lon": "69.2",
                "place_id": "tashkent",
                "radius_km": "5",
                "place_note": "The town of Tashkent.",
                "coord_source_id": "tiny-places",
                "killed": "8",
                "summary": "A <b>clash</b> at a border post.",
                "same_as": "",
                "source_id": "tiny-treaty",
                "locator": "",
                "quote": "",
                "note": "",
            },
        ],
        "meetings": [
            {
                "id": "tashkent-1992",
                "name": "Tashkent signing",
                "date": "1992-05-15",
                "end_date": "",
                "place": "Tashkent",
                "iso3": "UZB",
                "lat": "41.3",
                "lon": "69.2",
                "place_id": "tashkent",
                "radius_km": "5",
                "place_note": "The town of Tashkent.",
                "coord_source_id": "tiny-places",
                "source_id": "tiny-article",
                "locator": "¶2",
                "quote": "A treaty was signed at Tashkent",
                "note": "",
            },
        ],
        "notes": [
            {
                "id": "uzb-withdrew",
                "iso3": "UZB",
                "year": "1999",
                "year_end": "",
                "text": "Uzbekistan left.",
                "source_id": "tiny-article",
                "locator": "¶3",
                "quote": "Uzbekistan withdrew from the pact in 1999",
            },
            {
                "id": "uzb-signed",
                "iso3": "UZB",
                "year": "1992",
                "year_end": "",
                "text": "Uzbekistan signed.",
                "source_id": "tiny-article",
                "locator": "¶2",
                "quote": "signed at Tashkent by Uzbekistan",
            },
            {
                "id": "arm-base",
                "iso3": "ARM",
                "year": "2007",
                "year_end": "",
                "text": "Armenia hosts a base.",
                "source_id": "tiny-article",
                "locator": "¶4",
                "quote": 'Armenia hosts Russia\'s "102nd" base',
            },
        ],
    }


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    """Write rows with the first row's keys as the header."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_regions(geodata_dir: Path) -> None:
    """The square polygons as geodata/regions.geojson."""
    geodata_dir.mkdir(parents=True, exist_ok=True)
    features = [
        {
            "type": "Feature",
            "properties": {"iso3": iso3, "name": name, "kind": kind, "parent_iso3": parent},
            "geometry": mapping(shape),
        }
        for iso3, name, kind, parent, shape in REGIONS
    ]
    (geodata_dir / "regions.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features})
    )


def write_dataset(
    root: Path, data: dict[str, list[dict[str, str]]] | None = None
) -> tuple[Path, Path, Path]:
    """Write datasets/, geodata/ and sources/ under root; return their paths."""
    data_dir, geodata_dir, sources_dir = root / "datasets", root / "geodata", root / "sources"
    for folder in (data_dir, sources_dir):
        folder.mkdir(parents=True, exist_ok=True)
    for table, rows in (data or tables()).items():
        write_csv(data_dir / f"{table}.csv", rows)
    write_regions(geodata_dir)
    (sources_dir / "tiny.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    return data_dir, geodata_dir, sources_dir
