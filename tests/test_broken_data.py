"""Broken data folders, one kind of damage each: a clear first line, no traceback, nothing lost.

Each case starts from the tiny valid dataset (tests/tiny.py), breaks one thing, and expects
`validate` to exit 1 with the root cause as its FIRST problem line (file, line and column where
they apply, the value, what was expected), and the dashboard on that folder to show the same
list on its error page, with no exception. The CLI and the app read the repo's geodata/ (the
tiny points are real places, so they fall in the same regions there).
"""

import json
import os
import pathlib
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from csto_atlas.cli import main
from csto_atlas.data import paths, read
from csto_atlas.data.errors import DataError
from csto_atlas.data.load import load_atlas
from tests.tiny import tables, write_csv, write_dataset

DASHBOARD = str(paths.REPO_DIR / "dashboard.py")
LONG_TEXT = "x" * 1001
HUGE_CELL = "x" * 131_073  # one more than the csv module's default field limit
NEXT_YEAR = date.today().year + 1


def set_cell(table: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    """Break one cell, writing the file as the csv module would."""

    def apply(data_dir: Path) -> None:
        rows = tables()[table]
        rows[row][column] = value
        write_csv(data_dir / f"{table}.csv", rows)

    return apply


def set_cells(table: str, row: int, **values: str) -> Callable[[Path], None]:
    """Break several cells of one row."""

    def apply(data_dir: Path) -> None:
        rows = tables()[table]
        rows[row].update(values)
        write_csv(data_dir / f"{table}.csv", rows)

    return apply


def edit(table: str, old: str, new: str) -> Callable[[Path], None]:
    """Replace text in a file (its first occurrence), as a hand edit would."""

    def apply(data_dir: Path) -> None:
        path = data_dir / f"{table}.csv"
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def write_bytes(table: str, transform: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """Rewrite a file's bytes."""

    def apply(data_dir: Path) -> None:
        path = data_dir / f"{table}.csv"
        path.write_bytes(transform(path.read_bytes()))

    return apply


def header_only(table: str) -> Callable[[Path], None]:
    def apply(data_dir: Path) -> None:
        path = data_dir / f"{table}.csv"
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")

    return apply


def drop_column(table: str, column: str) -> Callable[[Path], None]:
    def apply(data_dir: Path) -> None:
        rows = tables()[table]
        for row in rows:
            del row[column]
        write_csv(data_dir / f"{table}.csv", rows)

    return apply


def add_column(table: str, column: str) -> Callable[[Path], None]:
    def apply(data_dir: Path) -> None:
        rows = [{**row, column: "red"} for row in tables()[table]]
        write_csv(data_dir / f"{table}.csv", rows)

    return apply


def remove(table: str) -> Callable[[Path], None]:
    return lambda data_dir: (data_dir / f"{table}.csv").unlink()


def make_folder(table: str) -> Callable[[Path], None]:
    def apply(data_dir: Path) -> None:
        (data_dir / f"{table}.csv").unlink()
        (data_dir / f"{table}.csv").mkdir()

    return apply


def oversize(table: str) -> Callable[[Path], None]:
    def apply(data_dir: Path) -> None:
        path = data_dir / f"{table}.csv"
        filler = "\n" * (read.MAX_FILE_BYTES + 1)  # blank lines: valid, but too many bytes
        path.write_text(path.read_text(encoding="utf-8") + filler, encoding="utf-8")

    return apply


def unreadable(table: str) -> Callable[[Path], None]:
    def apply(data_dir: Path) -> None:
        (data_dir / f"{table}.csv").chmod(0)

    return apply


@dataclass(frozen=True)
class Case:
    """One kind of broken data folder and the start of the first problem line it must give."""

    name: str
    breaks: Callable[[Path], None]
    first: str
    with_sources: bool = False  # only `validate --sources` can find it (quotes)


CASES = [
    Case(
        "missing column",
        drop_column("incidents", "summary"),
        "datasets/incidents.csv column summary: is missing from the header",
    ),
    Case(
        "extra column",
        add_column("notes", "colour"),
        "datasets/notes.csv column colour: is not a column this file may have",
    ),
    Case(
        "empty file",
        write_bytes("bases", lambda _: b""),
        "datasets/bases.csv: file is empty; expected a header row",
    ),
    Case(
        "header only membership",
        header_only("membership"),
        "datasets/membership.csv: has no rows; the atlas needs at least one membership event",
    ),
    Case(
        "header only sources",
        header_only("sources"),
        "datasets/sources.csv: has no rows; the atlas needs at least one source",
    ),
    Case(
        "header only countries",
        header_only("countries"),
        "datasets/countries.csv: has no rows; the atlas needs at least one country or region",
    ),
    Case(
        "latin-1 byte",
        write_bytes(
            "countries", lambda data: data.replace(b"Uzbekistan", "Özbekistan".encode("latin-1"))
        ),
        "datasets/countries.csv line 3: byte 0xd6 at column 5 is not UTF-8",
    ),
    Case(
        "NUL byte",
        write_bytes("notes", lambda data: data.replace(b"Uzbekistan left", b"Uzbekistan\0left")),
        "datasets/notes.csv line 2: holds a NUL byte at column 34",
    ),
    Case(
        "duplicate id",
        set_cell("membership", 1, "id", "uzb-signs"),
        "datasets/membership.csv line 2, column id: 'uzb-signs' is a duplicate",
    ),
    Case(
        "malformed ISO3",
        set_cell("notes", 0, "iso3", "Uzb"),
        "datasets/notes.csv line 2, column iso3: 'Uzb' is not an ISO3 code (three capital letters)",
    ),
    Case(
        "unknown ISO3",
        set_cell("incidents", 0, "iso3", "ZZZ"),
        "datasets/incidents.csv line 2, column iso3: 'ZZZ' is not the iso3 of a country",
    ),
    Case(
        "membership of a country missing from countries.csv",
        set_cell("membership", 5, "iso3", "CHN"),
        "datasets/membership.csv line 7, column iso3: 'CHN' is not the iso3 of a country or "
        "region in countries.csv",
    ),
    Case(
        "country the geodata does not draw",
        set_cell("countries", 0, "iso3", "ZZZ"),
        "datasets/countries.csv line 2, column iso3: 'ZZZ' is not a code the geodata draws",
    ),
    Case(
        "unknown source",
        set_cell("notes", 1, "source_id", "nope"),
        "datasets/notes.csv line 3, column source_id: 'nope' is not the id of a source",
    ),
    Case(
        "bad latitude",
        set_cell("bases", 0, "lat", "243.1"),
        "datasets/bases.csv line 2, column lat: 243.1 is not a latitude (-90..90)",
    ),
    Case(
        "longitude not a number",
        set_cell("meetings", 0, "lon", "east"),
        "datasets/meetings.csv line 2, column lon: 'east' is not a number",
    ),
    Case(
        "bad date",
        set_cell("membership", 0, "date", "1992-13-01"),
        "datasets/membership.csv line 2, column date: '1992-13-01' is not a date",
    ),
    Case(
        "future date",
        set_cell("incidents", 0, "date", f"{NEXT_YEAR}-01"),
        f"datasets/incidents.csv line 2, column date: '{NEXT_YEAR}-01' is a date after today",
    ),
    Case(
        "end before start",
        set_cell("bases", 1, "end_year", "2001"),
        "datasets/bases.csv line 3, column end_year: 2001 is before start_year",
    ),
    Case(
        "meeting ends before it starts",
        set_cell("meetings", 0, "end_date", "1992-05-01"),
        "datasets/meetings.csv line 2, column end_date: '1992-05-01' is before date",
    ),
    Case(
        "status outside the vocabulary",
        set_cell("membership", 0, "status", "ally"),
        "datasets/membership.csv line 2, column status: 'ally' is not one of member",
    ),
    Case(
        "quote not in its paragraph",
        set_cell("notes", 0, "quote", "Uzbekistan never left"),
        "datasets/notes.csv line 2, column quote: 'Uzbekistan never left' is not verbatim in ¶3",
        with_sources=True,
    ),
    Case(
        "point outside its region",
        set_cell("incidents", 0, "lat", "10.0"),
        "datasets/incidents.csv line 2, column iso3: 'UZB' is declared, but the point (10.0, 69.2)",
    ),
    Case(
        "over-long text",
        set_cell("notes", 0, "text", LONG_TEXT),
        "datasets/notes.csv line 2, column text: 'xxxxx",
    ),
    Case(
        "control character",
        set_cell("bases", 0, "name", "Gyumri\x07base"),
        "datasets/bases.csv line 2, column name: 'Gyumri\\x07base' holds the control character "
        "U+0007 at character 7",
    ),
    Case(
        "tab in a cell",
        set_cell("membership", 3, "detail", "membership\tsuspended"),
        "datasets/membership.csv line 5, column detail: 'membership\\tsuspended' holds the "
        "control character U+0009",
    ),
    Case(
        "bidi override",
        set_cell("notes", 2, "text", "Armenia \u202egnirotsih\u202c hosts a base."),
        "datasets/notes.csv line 4, column text: 'Armenia \\u202egnirotsih\\u202c hosts a base.' holds "
        "the bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE) at character 9",
    ),
    Case(
        "bidi isolate",
        set_cell("countries", 0, "name", "Armenia\u2067"),
        "datasets/countries.csv line 2, column name: 'Armenia\\u2067' holds the bidirectional "
        "control U+2067",
    ),
    Case(
        "stray quote",
        edit("bases", "Gyumri base,", 'Gyumri "base,'),
        'datasets/bases.csv line 2: has a stray " at column 15',
    ),
    Case(
        "text after a closing quote",
        edit("notes", '"Armenia hosts', '"Armenia" hosts'),
        'datasets/notes.csv line 4: has a stray " at column',
    ),
    Case(
        "unclosed quote at the end",
        edit("countries", "UZB,Uzbekistan", 'UZB,"Uzbekistan'),
        "datasets/countries.csv line 3: a quoted cell opens at column 5 and is never closed",
    ),
    Case(
        "unclosed quote swallowing lines",
        edit("notes", ",Uzbekistan left.", ',"Uzbekistan left.'),
        "datasets/notes.csv line 2: a quoted cell opens at column",
    ),
    Case(
        "duplicate header column",
        edit("bases", "id,name,unit", "id,name,name"),
        "datasets/bases.csv line 1, column name: appears twice in the header (columns 2 and 3)",
    ),
    Case(
        "empty header name",
        edit("notes", "id,iso3,year,year_end,text", "id,iso3,year,,text"),
        "datasets/notes.csv line 1: column 4 of the header is empty",
    ),
    Case(
        "row with too many fields",
        edit("notes", "Uzbekistan left.,", "Uzbekistan left.,surplus,"),
        "datasets/notes.csv line 2: has 9 fields where the header has 8",
    ),
    Case("missing file", remove("meetings"), "datasets/meetings.csv: file is missing"),
    Case("missing sources.csv", remove("sources"), "datasets/sources.csv: file is missing"),
    Case("missing countries.csv", remove("countries"), "datasets/countries.csv: file is missing"),
    Case(
        "oversized file",
        oversize("notes"),
        "datasets/notes.csv: is 5,24",
    ),
    Case(
        "directory instead of a file",
        make_folder("notes"),
        "datasets/notes.csv: is a folder; expected a CSV file",
    ),
    Case(
        "unreadable file",
        unreadable("bases"),
        "datasets/bases.csv: cannot be read (Permission denied)",
    ),
    Case(
        "dangling same_as",
        set_cell("membership", 0, "same_as", "ghost"),
        "datasets/membership.csv line 2, column same_as: 'ghost' is not the id of a primary row",
    ),
    Case(
        "bad date of a source cited by other rows",
        set_cell("sources", 1, "date", "15 May 1992"),
        "datasets/sources.csv line 3, column date: '15 May 1992' is not a date (YYYY, YYYY-MM or "
        "YYYY-MM-DD) (and 8 rows citing it)",
    ),
    Case(
        "source id renamed, its citations not",
        set_cell("sources", 1, "id", "Tiny Treaty"),
        "datasets/sources.csv line 3, column id: 'Tiny Treaty' is not an id",
    ),
    Case(
        "javascript URL",
        set_cell("sources", 1, "url", "javascript:alert(1)"),
        "datasets/sources.csv line 3, column url: 'javascript:alert(1)' is not an http(s) URL",
    ),
    Case(
        "negative toll",
        set_cell("incidents", 0, "killed", "-1"),
        "datasets/incidents.csv line 2, column killed: -1 is not a number of people",
    ),
    Case(
        "cell over the csv module's field limit",
        set_cell("notes", 0, "text", HUGE_CELL),
        "datasets/notes.csv line 2, column text: '" + "x" * read.SHOWN_CHARS + "…' is 131,073 "
        "characters long; a text may be at most 1,000",
    ),
    Case(
        "year 0001",
        set_cell("membership", 0, "date", "0001"),
        f"datasets/membership.csv line 2, column date: '0001' is not a date from 1992 to "
        f"{NEXT_YEAR} (the alliance's first year to next year)",
    ),
    Case(
        "typo 0992 in a source's date",
        set_cell("sources", 1, "date", "0992-05-15"),
        "datasets/sources.csv line 3, column date: '0992-05-15' is not a date from 1992 to",
    ),
    Case(
        "meeting ending in a far year",
        set_cell("meetings", 0, "end_date", "3000"),
        f"datasets/meetings.csv line 2, column end_date: '3000' is not a date from 1992 to "
        f"{NEXT_YEAR}",
    ),
    Case(
        "note year before the alliance",
        set_cell("notes", 0, "year", "0992"),
        "datasets/notes.csv line 2, column year: 992 is not a year (1992..",
    ),
    Case(
        "full-width digits",
        set_cell("notes", 0, "year", "\uff11\uff19\uff19\uff19"),
        "datasets/notes.csv line 2, column year: '\uff11\uff19\uff19\uff19' is not a whole "
        "number (digits are ASCII 0-9, without _ or spaces)",
    ),
    Case(
        "underscored digits",
        set_cell("bases", 0, "lat", "40_79"),
        "datasets/bases.csv line 2, column lat: '40_79' is not a number (digits are ASCII 0-9",
    ),
    Case(
        "full-width digit in a latitude",
        set_cell("bases", 0, "lat", "\uff14\uff10.79"),
        "datasets/bases.csv line 2, column lat: '\uff14\uff10.79' is not a number (digits are ASCII",
    ),
    Case(
        "next line character",
        set_cell("notes", 0, "text", "Uzbekistan\u0085left."),
        "datasets/notes.csv line 2, column text: 'Uzbekistan\\x85left.' holds the control "
        "character U+0085 at character 11",
    ),
    Case(
        "line separator",
        set_cell("notes", 0, "text", "Uzbekistan\u2028left."),
        "datasets/notes.csv line 2, column text: 'Uzbekistan\\u2028left.' holds the line or "
        "paragraph separator U+2028 (LINE SEPARATOR) at character 11",
    ),
    Case(
        "zero-width space",
        set_cell("countries", 1, "iso3", "UZB\u200b"),
        "datasets/countries.csv line 3, column iso3: 'UZB\\u200b' holds the invisible character "
        "U+200B (ZERO WIDTH SPACE) at character 4",
    ),
    Case(
        "breakaway region that is its own parent",
        set_cell("countries", 3, "parent_iso3", "XAB"),
        "datasets/countries.csv line 5, column parent_iso3: 'XAB' is the region itself; "
        "a parent is a state of countries.csv",
    ),
    Case(
        "two breakaway regions parenting each other",
        set_cells("countries", 2, kind="breakaway", parent_iso3="XAB"),
        "datasets/countries.csv line 4, column parent_iso3: 'XAB' is a breakaway region or "
        "annexed territory, not a state; a parent is a state of countries.csv",
    ),
    Case(
        "territory annexed by itself",
        set_cells("territories", 0, status="annexed", by_iso3="XAB"),
        "datasets/territories.csv line 2, column by_iso3: 'XAB' is the territory itself; "
        "the annexing state is a state of countries.csv",
    ),
]


@pytest.fixture
def broken(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Case, Path, Path]:
    """The tiny data folder broken as the case says; (case, data folder, sources folder)."""
    case: Case = request.param
    data_dir, _, sources_dir = write_dataset(tmp_path)
    case.breaks(data_dir)
    if case.name == "unreadable file" and os.geteuid() == 0:
        deny_reading(monkeypatch, data_dir / "bases.csv")  # root reads a file of mode 000
    yield case, data_dir, sources_dir
    for path in data_dir.iterdir():
        path.chmod(0o755)  # so that pytest can clean up


def deny_reading(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """Opening `denied` fails as it would for a user without permission."""
    original = os.open

    def open_file(path, flags, *args, **kwargs) -> int:
        if pathlib.Path(path) == denied:
            raise PermissionError(13, "Permission denied", str(path))
        return original(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_file)


def validate(capsys, data_dir: Path, sources_dir: Path | None = None) -> tuple[int, str]:
    argv = ["validate", "--data", str(data_dir)]
    code = main(argv + (["--sources", str(sources_dir)] if sources_dir else []))
    return code, capsys.readouterr().err


def problem_lines(stderr: str) -> list[str]:
    """The problem lines of validate's report (after its count line)."""
    head, *lines = stderr.strip().splitlines()
    assert head.endswith("problem(s) in the data:"), stderr
    return [line.strip() for line in lines]


def test_there_are_at_least_thirty_kinds_of_broken_data():
    assert len({case.name for case in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("broken", CASES, ids=[case.name for case in CASES], indirect=True)
def test_validate_names_the_root_cause_first_without_a_traceback(capsys, broken):
    case, data_dir, sources_dir = broken
    code, stderr = validate(capsys, data_dir, sources_dir if case.with_sources else None)
    assert code == 1
    assert "Traceback" not in stderr
    assert problem_lines(stderr)[0].startswith(case.first), stderr


@pytest.mark.parametrize(
    "broken",
    [case for case in CASES if not case.with_sources],
    ids=[case.name for case in CASES if not case.with_sources],
    indirect=True,
)
def test_the_dashboard_shows_the_same_problems_on_a_clean_error_page(capsys, monkeypatch, broken):
    _, data_dir, _ = broken
    _, stderr = validate(capsys, data_dir)
    monkeypatch.setenv(paths.DATA_ENV_VAR, str(data_dir))
    app = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    assert "did not validate" in app.error[0].value
    assert app.code[0].value.splitlines() == problem_lines(stderr)
    assert not app.title  # the page stops at its error


@pytest.mark.parametrize(
    "name", ["stray quote", "latin-1 byte", "missing sources.csv", "duplicate header column"]
)
def test_python_dash_m_validate_reports_broken_data_in_one_clear_list(tmp_path, name):
    case = next(case for case in CASES if case.name == name)
    data_dir, _, _ = write_dataset(tmp_path)
    case.breaks(data_dir)
    done = subprocess.run(
        [sys.executable, "-m", "csto_atlas", "validate", "--data", str(data_dir)],
        capture_output=True,
        text=True,
        cwd=paths.REPO_DIR,
        check=False,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert "Traceback" not in done.stderr
    assert problem_lines(done.stderr)[0].startswith(case.first), done.stderr


def test_a_missing_sources_file_gives_its_cause_then_one_line_not_a_line_per_row(capsys, tmp_path):
    data_dir, _, _ = write_dataset(tmp_path)
    remove("sources")(data_dir)
    _, stderr = validate(capsys, data_dir)
    assert problem_lines(stderr) == [
        "datasets/sources.csv: file is missing; the rows citing it (1 in territories.csv, 6 in membership.csv, "
        "2 in bases.csv, 1 in incidents.csv, 1 in meetings.csv, 3 in notes.csv) are not checked "
        "against it until it can be read",
    ]


def test_a_bad_source_row_is_reported_once_with_the_number_of_rows_citing_it(capsys, tmp_path):
    data_dir, _, _ = write_dataset(tmp_path)
    set_cell("sources", 1, "kind", "blog")(data_dir)
    _, stderr = validate(capsys, data_dir)
    assert problem_lines(stderr) == [
        "datasets/sources.csv line 3, column kind: 'blog' is not one of article, treaty, "
        "official statement, reference, dataset (and 8 rows citing it)"
    ]


def test_a_bad_country_row_is_reported_once_not_on_every_row_naming_it(capsys, tmp_path):
    data_dir, _, _ = write_dataset(tmp_path)
    set_cell("countries", 1, "kind", "province")(data_dir)
    _, stderr = validate(capsys, data_dir)
    lines = problem_lines(stderr)
    assert lines[0].startswith(
        "datasets/countries.csv line 3, column kind: 'province' is not one of state, breakaway"
    )
    assert len(lines) == 1 and "rows citing it" in lines[0]


def test_problems_are_ordered_files_then_headers_then_rows(capsys, tmp_path):
    data_dir, _, _ = write_dataset(tmp_path)
    set_cell("bases", 0, "lat", "243.1")(data_dir)
    drop_column("incidents", "summary")(data_dir)
    remove("meetings")(data_dir)
    _, stderr = validate(capsys, data_dir)
    assert [line.split(":")[0] for line in problem_lines(stderr)] == [
        "datasets/meetings.csv",
        "datasets/incidents.csv column summary",
        "datasets/bases.csv line 2, column lat",
    ]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"\xef\xbb\xbf" + data, id="UTF-8 byte-order mark"),
        pytest.param(lambda data: data.replace(b"\n", b"\r\n"), id="CRLF line ends"),
        pytest.param(
            lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"), id="BOM and CRLF"
        ),
        pytest.param(lambda data: data + b"\n\n", id="trailing blank lines"),
        pytest.param(lambda data: data.rstrip(b"\n"), id="no final line break"),
    ],
)
def test_valid_variants_load_with_every_row(tmp_path, damage):
    data_dir, geodata_dir, _ = write_dataset(tmp_path)
    for path in data_dir.glob("*.csv"):
        path.write_bytes(damage(path.read_bytes()))
    atlas = load_atlas(data_dir, geodata_dir)
    for table, rows in tables().items():
        frame = getattr(atlas, table)
        assert len(frame) == len(rows), table
        key = next(column for column in ("id", "place_id", "iso3") if column in frame)
        assert list(frame[key]) == [row[key] for row in rows]
    assert list(atlas.sources.columns[:3]) == ["id", "kind", "author"]  # no BOM in a name


def test_a_well_formed_file_is_never_shortened(tmp_path):
    data_dir, _, _ = write_dataset(tmp_path)
    for table, rows in tables().items():
        frame, problems = read.read_table(data_dir / f"{table}.csv")
        assert problems == [] and len(frame) == len(rows), table


def test_records_read_differently_by_the_csv_module_are_an_error():
    scanned = [read.Record(1, ["a", "b"]), read.Record(2, ["1", "2"])]
    (problem,) = read.check_record_count(scanned, "a,b\n1,2\n3,4\n", "x/t.csv")
    assert str(problem) == (
        "x/t.csv: reads as 3 records with a CSV reader but 2 records by its lines and quotes; "
        "check its quoting"
    )


def test_a_quoted_cell_may_hold_commas_and_doubled_quotes(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('id,name\na,"one, ""two"""\n', encoding="utf-8")
    frame, problems = read.read_table(path)
    assert problems == [] and list(frame["name"]) == ['one, "two"']
    assert list(frame.index) == [2]


def test_long_values_are_cut_in_problem_reports():
    assert read.show_value("y" * 500) == repr("y" * read.SHOWN_CHARS + "…")


def test_the_fingerprint_changes_when_a_file_is_edited(tmp_path):
    data_dir, geodata_dir, _ = write_dataset(tmp_path)
    before = read.fingerprint(data_dir, geodata_dir)
    assert read.fingerprint(data_dir, geodata_dir) == before
    notes = data_dir / "notes.csv"
    notes.write_text(notes.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert read.fingerprint(data_dir, geodata_dir) != before


# Files that are not regular files: a named pipe would block its reader forever and a device
# never ends, so these run `validate` in a process of its own, with a timeout.
SPECIAL_FILES = {
    "named pipe": (
        lambda path: os.mkfifo(path),
        "datasets/notes.csv: is a named pipe (FIFO), not a regular file; only regular files "
        "are read",
    ),
    "symlink to /dev/zero": (
        lambda path: path.symlink_to("/dev/zero"),
        "datasets/notes.csv: is a character device, not a regular file; only regular files "
        "are read",
    ),
}


@pytest.mark.parametrize("kind", SPECIAL_FILES)
def test_only_regular_files_are_read_and_validate_never_hangs(tmp_path, kind):
    make, first = SPECIAL_FILES[kind]
    data_dir, _, _ = write_dataset(tmp_path)
    (data_dir / "notes.csv").unlink()
    make(data_dir / "notes.csv")
    done = subprocess.run(
        [sys.executable, "-m", "csto_atlas", "validate", "--data", str(data_dir)],
        capture_output=True,
        text=True,
        cwd=paths.REPO_DIR,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert problem_lines(done.stderr)[0] == first, done.stderr


def test_the_dashboard_shows_the_error_page_for_a_named_pipe(monkeypatch, tmp_path):
    data_dir, _, _ = write_dataset(tmp_path)
    (data_dir / "notes.csv").unlink()
    os.mkfifo(data_dir / "notes.csv")
    monkeypatch.setenv(paths.DATA_ENV_VAR, str(data_dir))
    app = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    assert "did not validate" in app.error[0].value
    assert app.code[0].value.splitlines()[0].startswith("datasets/notes.csv: is a named pipe")


def test_a_file_larger_than_its_size_says_is_read_no_further_than_the_limit():
    # /proc files are regular files whose size reads as 0 whatever they hold.
    data, problems = read.read_bytes(Path("/proc/self/maps"), max_bytes=100)
    assert data is None
    assert [str(p) for p in problems] == [
        "self/maps: is over 100 bytes; a data file may be at most 100 bytes"
    ]


def break_feature(index: int, **changes: object) -> Callable[[dict], None]:
    """Change one feature of the tiny geodata (properties by name, or `geometry`)."""

    def apply(collection: dict) -> None:
        feature = collection["features"][index]
        geometry = changes.pop("geometry", feature["geometry"])
        feature["properties"].update(changes)
        feature["geometry"] = geometry

    return apply


def duplicate_feature(index: int) -> Callable[[dict], None]:
    return lambda collection: collection["features"].append(collection["features"][index])


BOWTIE = {"type": "Polygon", "coordinates": [[[43, 39], [46, 41], [46, 39], [43, 41], [43, 39]]]}
OFF_THE_GLOBE = {
    "type": "Polygon",
    "coordinates": [[[43, 88], [46, 88], [46, 95], [43, 95], [43, 88]]],
}
EMPTY_POLYGON = {"type": "Polygon", "coordinates": []}

GEODATA_CASES = {
    "duplicated feature": (
        duplicate_feature(0),
        "geodata/regions.geojson feature 6, property iso3: 'ARM' is drawn by feature 1 already; "
        "a region is one feature (or one per piece, each with its own from_year/to_year)",
    ),
    "null iso3": (
        break_feature(3, iso3=None),
        "geodata/regions.geojson feature 4, property iso3: is empty; every feature needs an "
        "ISO3 code",
    ),
    "malformed iso3": (
        break_feature(3, iso3="Uzb"),
        "geodata/regions.geojson feature 4, property iso3: 'Uzb' is not an ISO3 code (three capital letters)",
    ),
    "no geometry": (
        break_feature(0, geometry=None),
        "geodata/regions.geojson feature 1, property geometry: 'ARM' has no geometry",
    ),
    "empty geometry": (
        break_feature(0, geometry=EMPTY_POLYGON),
        "geodata/regions.geojson feature 1, property geometry: 'ARM' has an empty geometry",
    ),
    "self-intersecting geometry": (
        break_feature(0, geometry=BOWTIE),
        "geodata/regions.geojson feature 1, property geometry: 'ARM' is not a valid geometry "
        "(Self-intersection at lon 44.5, lat 40)",
    ),
    "geometry off the globe": (
        break_feature(0, geometry=OFF_THE_GLOBE),
        "geodata/regions.geojson feature 1, property geometry: 'ARM' reaches lon 43..46, "
        "lat 88..95: outside lon -180..360, lat -90..90",
    ),
}


def write_broken_geodata(tmp_path: Path, breaks: Callable[[dict], None]) -> tuple[Path, Path]:
    data_dir, geodata_dir, _ = write_dataset(tmp_path)
    path = geodata_dir / "regions.geojson"
    collection = json.loads(path.read_text())
    breaks(collection)
    path.write_text(json.dumps(collection))
    return data_dir, geodata_dir


@pytest.mark.parametrize("kind", GEODATA_CASES)
def test_each_geodata_feature_is_checked(tmp_path, kind):
    breaks, first = GEODATA_CASES[kind]
    data_dir, geodata_dir = write_broken_geodata(tmp_path, breaks)
    with pytest.raises(DataError) as error:
        load_atlas(data_dir, geodata_dir)
    assert str(error.value.problems[0]) == first


def test_validate_and_the_dashboard_report_a_duplicated_feature(capsys, monkeypatch, tmp_path):
    breaks, first = GEODATA_CASES["duplicated feature"]
    data_dir, geodata_dir = write_broken_geodata(tmp_path, breaks)
    monkeypatch.setattr(paths, "GEODATA_DIR", geodata_dir)
    code, stderr = validate(capsys, data_dir)
    assert code == 1 and problem_lines(stderr)[0] == first
    monkeypatch.setenv(paths.DATA_ENV_VAR, str(data_dir))
    app = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.code[0].value.splitlines()[0] == first


def test_the_pieces_of_one_region_are_features_of_their_own(tmp_path):
    def cut_in_two(collection: dict) -> None:
        armenia = collection["features"][0]
        later = json.loads(json.dumps(armenia))
        armenia["properties"]["to_year"] = 2000
        later["properties"]["from_year"] = 2001
        collection["features"].append(later)

    data_dir, geodata_dir = write_broken_geodata(tmp_path, cut_in_two)
    assert (load_atlas(data_dir, geodata_dir).regions["iso3"] == "ARM").sum() == 2


def test_a_named_pipe_as_the_geodata_is_refused_without_a_hang(tmp_path):
    data_dir, geodata_dir, _ = write_dataset(tmp_path)
    (geodata_dir / "regions.geojson").unlink()
    os.mkfifo(geodata_dir / "regions.geojson")
    script = (
        "import sys; from pathlib import Path; from csto_atlas.data.load import load_atlas\n"
        "from csto_atlas.data.errors import DataError\n"
        "try: load_atlas(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "except DataError as error: print(error.problems[0])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(data_dir), str(geodata_dir)],
        capture_output=True,
        text=True,
        cwd=paths.REPO_DIR,
        check=False,
        timeout=60,
    )
    assert done.stdout == (
        "geodata/regions.geojson: is a named pipe (FIFO), not a regular file; only regular files "
        "are read; run python -m csto_atlas build-geodata\n"
    ), done.stderr


def test_a_named_pipe_beside_the_data_files_is_left_alone(tmp_path):
    data_dir, _, _ = write_dataset(tmp_path)
    os.mkfifo(data_dir / "scratch.csv")  # not a data file: the data version skips it too
    done = subprocess.run(
        [sys.executable, "-m", "csto_atlas", "export", "status", "--data", str(data_dir)],
        capture_output=True,
        text=True,
        cwd=paths.REPO_DIR,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.startswith("iso3,name"), done.stderr


def test_the_changes_page_shows_the_error_page_for_year_0001(capsys, monkeypatch, tmp_path):
    data_dir, _, _ = write_dataset(tmp_path)
    set_cell("membership", 0, "date", "0001")(data_dir)
    monkeypatch.setenv(paths.DATA_ENV_VAR, str(data_dir))
    app = AppTest.from_file(DASHBOARD, default_timeout=60).switch_page("pages/changes.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert "did not validate" in app.error[0].value
    assert app.code[0].value.startswith("datasets/membership.csv line 2, column date: '0001'")
