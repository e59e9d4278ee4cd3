from datetime import date
from pathlib import Path

import pytest

from csto_atlas.data.errors import DataError
from csto_atlas.data.load import load_atlas
from tests.tiny import tables, write_dataset

LONG_QUOTE = " ".join(["word"] * 41)


def load_problems(root: Path, data: dict) -> list[str]:
    data_dir, geodata_dir, _ = write_dataset(root, data)
    with pytest.raises(DataError) as caught:
        load_atlas(data_dir, geodata_dir)
    return [str(problem) for problem in caught.value.problems]


def with_cell(table: str, row: int, column: str, value: str) -> dict:
    data = tables()
    data[table][row][column] = value
    return data


def test_the_tiny_dataset_loads_with_typed_columns(tiny_atlas):
    bases = tiny_atlas.bases
    assert bases["lat"].dtype == "float64"
    assert str(bases["start_year"].dtype) == "Int64"
    assert bases.index.name == "line" and list(bases.index) == [2, 3]
    assert tiny_atlas.membership.set_index("id").at["uzb-rejoins", "precision"] == "month"


TODAY = date.today()

BAD_CELLS = [
    # (table, row, column, value, every problem the loader reports, in order)
    (
        "bases",
        0,
        "lat",
        "243.1",
        ["bases.csv line 2, column lat: 243.1 is not a latitude (-90..90)"],
    ),
    ("bases", 0, "lat", "abc", ["bases.csv line 2, column lat: 'abc' is not a number"]),
    (
        "bases",
        0,
        "lon",
        "-200",
        ["bases.csv line 2, column lon: -200.0 is not a longitude (-180..180)"],
    ),
    ("bases", 0, "lat", "", ["bases.csv line 2, column lat: is empty; a value is required"]),
    (
        "bases",
        0,
        "start_year",
        "19x5",
        ["bases.csv line 2, column start_year: '19x5' is not a whole number"],
    ),
    (
        "bases",
        1,
        "end_year",
        "2001",
        ["bases.csv line 3, column end_year: 2001 is before start_year"],
    ),
    (
        "bases",
        0,
        "start_year",
        "2090",
        [f"bases.csv line 2, column start_year: 2090 is not a year (1992..{TODAY.year})"],
    ),
    (
        "bases",
        0,
        "source_id",
        "nope",
        ["bases.csv line 2, column source_id: 'nope' is not the id of a source in sources.csv"],
    ),
    (
        "bases",
        0,
        "coord_source_id",
        "nope",
        [
            "bases.csv line 2, column coord_source_id: 'nope' is not the id of a source in sources.csv"
        ],
    ),
    (
        "bases",
        0,
        "host_iso3",
        "Arm",
        ["bases.csv line 2, column host_iso3: 'Arm' is not an ISO3 code (three capital letters)"],
    ),
    (
        "bases",
        0,
        "host_iso3",
        "FRA",
        [
            "bases.csv line 2, column host_iso3: 'FRA' is not the iso3 of a country or region "
            "in countries.csv"
        ],
    ),
    (
        "bases",
        0,
        "radius_km",
        "0",
        ["bases.csv line 2, column radius_km: 0.0 is not a radius in km (over 0, up to 1000)"],
    ),
    (
        "membership",
        0,
        "status",
        "ally",
        [
            "membership.csv line 2, column status: 'ally' is not one of member, frozen, "
            "suspended, former, observer, non-member"
        ],
    ),
    (
        "membership",
        0,
        "date",
        "1992-13-01",
        [
            "membership.csv line 2, column date: '1992-13-01' is not a date "
            "(YYYY, YYYY-MM or YYYY-MM-DD)"
        ],
    ),
    (
        "membership",
        0,
        "date",
        "2099",
        [
            f"membership.csv line 2, column date: '2099' is not a date from 1992 to "
            f"{TODAY.year + 1} (the alliance's first year to next year)"
        ],
    ),
    (
        "membership",
        1,
        "quote",
        "",
        [
            "membership.csv line 3, column quote: (empty) is empty; a row citing one of the "
            "source articles needs a verbatim quote"
        ],
    ),
    (
        "membership",
        1,
        "locator",
        "p. 3",
        [
            "membership.csv line 3, column locator: 'p. 3' is not a paragraph locator (¶N), "
            "which a row citing a source article needs"
        ],
    ),
    (
        "membership",
        0,
        "same_as",
        "ghost",
        [
            "membership.csv line 2, column same_as: 'ghost' is not the id of a primary row "
            "(one without same_as) in this file"
        ],
    ),
    (
        "membership",
        5,
        "same_as",
        "uzb-suspends-alt",
        [
            "membership.csv line 7, column same_as: 'uzb-suspends-alt' is not the id of a "
            "primary row (one without same_as) in this file"
        ],
    ),
    (
        "membership",
        0,
        "id",
        "Uzb Signs",
        [
            "membership.csv line 2, column id: 'Uzb Signs' is not an id "
            "(lowercase letters, digits, - or _)"
        ],
    ),
    (
        "membership",
        1,
        "id",
        "uzb-signs",
        [
            "membership.csv line 2, column id: 'uzb-signs' is a duplicate; ids must be unique",
            "membership.csv line 3, column id: 'uzb-signs' is a duplicate; ids must be unique",
        ],
    ),
    (
        "incidents",
        0,
        "killed",
        "-1",
        ["incidents.csv line 2, column killed: -1 is not a number of people (0 or more)"],
    ),
    (
        "incidents",
        0,
        "killed",
        "several",
        ["incidents.csv line 2, column killed: 'several' is not a whole number"],
    ),
    ("notes", 0, "year_end", "1994", ["notes.csv line 2, column year_end: 1994 is before year"]),
    (
        "notes",
        0,
        "quote",
        LONG_QUOTE,
        # A long value is shown cut to its first 60 characters.
        [f"notes.csv line 2, column quote: '{LONG_QUOTE[:60]}…' is a quote of more than 40 words"],
    ),
    ("notes", 0, "text", "", ["notes.csv line 2, column text: is empty; a value is required"]),
    (
        "meetings",
        0,
        "end_date",
        "1992-05-01",
        ["meetings.csv line 2, column end_date: '1992-05-01' is before date"],
    ),
    (
        "sources",
        0,
        "kind",
        "blog",
        [
            "sources.csv line 2, column kind: 'blog' is not one of article, treaty, "
            "official statement, reference, dataset (and 6 rows citing it)"
        ],
    ),
    (
        # The source keeps its id: the rows citing it are not reported too.
        "sources",
        0,
        "url",
        "www.example.org",
        [
            "sources.csv line 2, column url: 'www.example.org' is not an http(s) URL "
            "(and 6 rows citing it)"
        ],
    ),
    (
        "countries",
        3,
        "parent_iso3",
        "",
        [
            "countries.csv line 5, column parent_iso3: (empty) must name the parent state of a "
            "breakaway region or annexed territory, and only of one (and 2 rows citing it)"
        ],
    ),
]


@pytest.mark.parametrize(("table", "row", "column", "value", "expected"), BAD_CELLS)
def test_a_bad_cell_is_reported_with_file_line_column_and_reason(
    tmp_path, table, row, column, value, expected
):
    problems = load_problems(tmp_path, with_cell(table, row, column, value))
    assert problems == [f"datasets/{problem}" for problem in expected]


def test_every_problem_in_every_file_is_listed_at_once(tmp_path):
    data = with_cell("bases", 0, "lat", "243.1")
    data["membership"][0]["status"] = "ally"
    data["notes"][1]["year"] = "nineteen"
    problems = load_problems(tmp_path, data)
    assert len(problems) == 3
    assert [p.split(",")[0] for p in problems] == [
        "datasets/bases.csv line 2",
        "datasets/membership.csv line 2",
        "datasets/notes.csv line 3",
    ]


def test_a_row_with_a_type_error_is_not_reported_twice(tmp_path):
    problems = load_problems(tmp_path, with_cell("bases", 0, "lat", "north"))
    assert problems == ["datasets/bases.csv line 2, column lat: 'north' is not a number"]


def test_a_row_with_too_many_fields_is_reported_not_dropped(tmp_path):
    data_dir, geodata_dir, _ = write_dataset(tmp_path)
    path = data_dir / "notes.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + "extra,UZB,1999,,text,tiny-treaty,,,surplus\n"
    )
    with pytest.raises(DataError) as caught:
        load_atlas(data_dir, geodata_dir)
    assert [str(p) for p in caught.value.problems] == [
        "datasets/notes.csv line 5: has 9 fields where the header has 8"
    ]


def test_a_missing_column_is_named(tmp_path):
    data = tables()
    for row in data["incidents"]:
        del row["summary"]
    problems = load_problems(tmp_path, data)
    assert problems == ["datasets/incidents.csv column summary: is missing from the header"]


def test_an_unknown_column_is_named(tmp_path):
    data = tables()
    for row in data["notes"]:
        row["colour"] = "red"
    problems = load_problems(tmp_path, data)
    assert problems == ["datasets/notes.csv column colour: is not a column this file may have"]


def test_a_missing_file_is_reported(tmp_path):
    data_dir, geodata_dir, _ = write_dataset(tmp_path)
    (data_dir / "meetings.csv").unlink()
    with pytest.raises(DataError, match=r"datasets/meetings\.csv: file is missing"):
        load_atlas(data_dir, geodata_dir)


def test_missing_geodata_says_how_to_build_it(tmp_path):
    data_dir, geodata_dir, _ = write_dataset(tmp_path)
    (geodata_dir / "regions.geojson").unlink()
    with pytest.raises(DataError, match="build-geodata"):
        load_atlas(data_dir, geodata_dir)


def test_a_point_outside_its_declared_region_is_an_error(tmp_path):
    # The Abkhazia base declared only as Georgia: its point falls inside Abkhazia.
    problems = load_problems(tmp_path, with_cell("bases", 1, "region_iso3", ""))
    assert problems == [
        "datasets/bases.csv line 3, column host_iso3: 'GEO' is declared, but the point (43.1, 40.6) falls in XAB"
    ]


def test_a_point_in_no_region_is_an_error(tmp_path):
    data = with_cell("incidents", 0, "lat", "10.0")
    data["incidents"][0]["place_id"] = ""
    problems = load_problems(tmp_path, data)
    assert problems == [
        "datasets/incidents.csv line 2, column iso3: 'UZB' is declared, but the point (10.0, 69.2) "
        "falls in no region the geodata draws"
    ]


def test_a_coastal_point_just_offshore_counts_as_inside_the_nearest_region(tmp_path):
    # 0.05° west of the Abkhazia square's coast: inside the simplification tolerance.
    data = with_cell("bases", 1, "lon", "39.95")
    data["bases"][1]["radius_km"] = "60"
    atlas_dirs = write_dataset(tmp_path, data)
    atlas = load_atlas(*atlas_dirs[:2])
    assert atlas.bases.set_index("id").at["gudauta", "located_iso3"] == "XAB"


def test_an_empty_table_loads_as_an_empty_frame(tmp_path):
    data_dir, geodata_dir, _ = write_dataset(tmp_path)
    header = (data_dir / "meetings.csv").read_text(encoding="utf-8").splitlines()[0]
    (data_dir / "meetings.csv").write_text(header + "\n", encoding="utf-8")
    atlas = load_atlas(data_dir, geodata_dir)
    assert atlas.meetings.empty and "located_iso3" in atlas.meetings
