"""Read one CSV file into a frame of strings, refusing anything that could lose or bend a row.

A file is read as bytes and checked before any cell is trusted: it exists, is a regular file (not
a folder, named pipe or device), is readable, is at most MAX_FILE_BYTES (a bounded read, whatever
its size says), holds no NUL byte and is UTF-8 (a byte-order mark, as
Excel's "CSV UTF-8" writes, is accepted; so are CRLF line ends). Its quoting is then scanned
line by line: a `"` that is never closed (which makes a CSV reader swallow every following line
into one cell), a quoted cell running over a line break, or a stray `"` is reported at the line
where it happens, and nothing of that file is read. The records the scan finds must be exactly
the records Python's csv module reads, so a well-formed file is never shortened in silence.
A cell longer than the csv module reads is reported at its line and column. Finally the header
must name each column once, every row must have the header's number of
fields, and every cell passes the text hygiene of csto_atlas.data.schema (length, control and
bidi characters).
"""

import csv
import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from csto_atlas.data.errors import FILE, HEADER, Problem
from csto_atlas.data.schema import hygiene_problem

MAX_FILE_BYTES = 5 * 1024 * 1024  # 5 MiB a file: the whole bundled data set is under 0.1 MiB
BOM = b"\xef\xbb\xbf"
SHOWN_CHARS = 60


def display_path(path: Path) -> str:
    """`datasets/bases.csv`: the folder and file name, as a problem report shows them."""
    return f"{path.parent.name}/{path.name}"


def show_value(value: object) -> str:
    """A cell as a problem report shows it: strings quoted (long ones cut), missing as (empty)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "(empty)"
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, str):
        return repr(value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…")
    return str(value)


# What a path that is not a regular file is, as a problem report names it.
FILE_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """`a named pipe (FIFO)`: what a file of this mode is, when it is not a regular file."""
    return next((name for test, name in FILE_KINDS if test(mode)), "not a file")


def read_bytes(
    path: Path, max_bytes: int = MAX_FILE_BYTES, expected: str = "a CSV file"
) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, or the reason they cannot be had (`expected`: what the file should be).

    Only a regular file is read (a symlink to one is followed), and never more than `max_bytes`
    + 1 bytes of it, whatever its size says: the file is opened without blocking (a named pipe
    would otherwise wait forever for a writer) and checked on the open descriptor, so it cannot
    be swapped for something else between the check and the read.
    """
    shown = display_path(path)

    def problem(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(shown, None, None, message, FILE)]

    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return problem("file is missing")
    except OSError as error:
        return problem(f"cannot be read ({error.strerror or type(error).__name__})")
    limit = f"a data file may be at most {max_bytes:,} bytes"
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            return problem(f"is a folder; expected {expected}")
        if not stat.S_ISREG(info.st_mode):
            kind = file_kind(info.st_mode)
            return problem(f"is {kind}, not a regular file; only regular files are read")
        if info.st_size > max_bytes:
            return problem(f"is {info.st_size:,} bytes; {limit}")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        return problem(f"cannot be read ({error.strerror or type(error).__name__})")
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        return problem(f"is over {max_bytes:,} bytes; {limit}")
    return data, []


def position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters, from 1) of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def decode(data: bytes, shown: str) -> tuple[str | None, list[Problem]]:
    """The text of UTF-8 bytes (a leading byte-order mark dropped), or where it is not UTF-8."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    nul = data.find(b"\0")
    if nul >= 0:
        line, column = position(data, nul)
        message = f"holds a NUL byte at column {column}; a CSV file holds text only"
        return None, [Problem(shown, line, None, message, FILE)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = position(data, error.start)
        bad = data[error.start : error.end].hex(" ")
        message = (
            f"byte 0x{bad} at column {column} is not UTF-8 ({error.reason}); "
            "save the file as UTF-8 (Excel: CSV UTF-8)"
        )
        return None, [Problem(shown, line, None, message, FILE)]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


@dataclass
class Record:
    """One CSV record and the line it starts on."""

    line: int
    cells: list[str] = field(default_factory=list)


class QuoteScan:
    """A quote-aware scan of CSV text that knows the line of every record and every quote."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.records: list[Record] = []
        self.problems: list[Problem] = []
        self.record: Record | None = None
        self.cell: list[str] = []
        self.quoted_from: tuple[int, int] | None = None  # (line, column) of an open quote
        self.after_quote = False

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.shown, line, None, message, FILE))

    def scan(self, text: str) -> "QuoteScan":
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the final line break ends the last record; it does not start one
        for number, line in enumerate(lines, start=1):
            if self.quoted_from is None and '"' not in line:
                self.records.append(Record(number, [*line.split(",")]))
                continue
            self.scan_line(number, line)
        if self.quoted_from is not None:
            opened, column = self.quoted_from
            self.problem(
                opened,
                f'a quoted cell opens at column {column} and is never closed: a closing " is '
                f"missing, so the {len(lines) - opened} line(s) after it would be read as one cell",
            )
        return self

    def scan_line(self, number: int, line: str) -> None:
        if self.record is None:
            self.record = Record(number)
        else:  # inside a quoted cell that began on an earlier line
            self.cell.append("\n")
        column = 0
        while column < len(line):
            char = line[column]
            column += 1
            if self.quoted_from is not None:
                if char != '"':
                    self.cell.append(char)
                elif line[column : column + 1] == '"':
                    self.cell.append('"')
                    column += 1
                else:
                    self.close_quote(number)
            elif char == ",":
                self.end_cell()
            elif char == '"' and not self.cell and not self.after_quote:
                self.quoted_from = (number, column)
            elif char == '"' or self.after_quote:
                self.problem(
                    number,
                    f'has a stray " at column {column}: a cell holding " must be quoted '
                    'as a whole, with each " doubled ("say ""yes""")',
                )
                return self.abandon(number)
            else:
                self.cell.append(char)
        if self.quoted_from is None:
            self.end_cell()
            self.records.append(self.record)
            self.record = None

    def close_quote(self, number: int) -> None:
        opened, column = self.quoted_from or (number, 0)
        self.quoted_from = None
        self.after_quote = True
        if opened != number:
            self.problem(
                opened,
                f"a quoted cell opens at column {column} and runs on to line {number}: "
                'a closing " is probably missing (cells may not hold line breaks)',
            )

    def end_cell(self) -> None:
        assert self.record is not None
        self.record.cells.append("".join(self.cell))
        self.cell = []
        self.after_quote = False

    def abandon(self, number: int) -> None:
        """Drop the rest of a broken line, so that one stray quote is reported once."""
        self.cell, self.after_quote, self.record = [], False, None


def overlong_cells(records: list[Record], shown: str) -> list[Problem]:
    """Cells longer than the csv module reads (its field limit), at their line and column.

    Reported before the csv module reads the file (check_record_count), which would stop at the
    first of them with an error of its own.
    """
    limit = csv.field_size_limit()
    header = [name.strip() for name in records[0].cells] if records else []
    problems = []
    for record in records:
        for number, cell in enumerate(record.cells):
            if len(cell) > limit:
                name = header[number] if number < len(header) else f"{number + 1}"
                found = hygiene_problem(name, cell.strip()) or f"is {len(cell):,} characters long"
                problems.append(Problem(shown, record.line, name, f"{show_value(cell)} {found}"))
    return problems


def check_record_count(scanned: list[Record], text: str, shown: str) -> list[Problem]:
    """The scan and Python's csv module must read the same records, or nothing is trusted."""
    expected = [record.cells for record in scanned if record.cells != [""]]
    read = [row for row in csv.reader(io.StringIO(text)) if row]
    if read == expected:
        return []
    return [
        Problem(
            shown,
            None,
            None,
            f"reads as {len(read)} records with a CSV reader but {len(expected)} records "
            "by its lines and quotes; check its quoting",
            FILE,
        )
    ]


def header_problems(header: list[str], shown: str) -> list[Problem]:
    """Every column named, and named once."""
    problems = []
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        if not name:
            message = f"column {number} of the header is empty; every column needs a name"
            problems.append(Problem(shown, 1, None, message, HEADER))
        elif name in seen:
            message = (
                f"appears twice in the header (columns {seen[name]} and {number}); "
                "each column may appear once"
            )
            problems.append(Problem(shown, 1, name, message, HEADER))
        else:
            seen[name] = number
    return problems


def row_problems(record: Record, header: list[str], shown: str) -> list[Problem]:
    """Field count and text hygiene of one record."""
    if len(record.cells) != len(header):
        message = f"has {len(record.cells)} fields where the header has {len(header)}"
        return [Problem(shown, record.line, None, message)]
    problems = []
    for name, cell in zip(header, record.cells, strict=True):
        found = hygiene_problem(name, cell.strip())
        if found:
            problems.append(Problem(shown, record.line, name, f"{show_value(cell)} {found}"))
    return problems


def read_table(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[pd.DataFrame, list[Problem]]:
    """A CSV as strings (empty cell = missing) indexed by line number, and every problem found.

    A file whose bytes, quoting or header are broken gives an empty frame and its problems. A
    row of the wrong length is reported and left out; a row whose cells fail the text hygiene is
    reported and kept (its id may be cited elsewhere: see load.load_table). Blank lines are
    skipped.
    """
    shown = display_path(path)
    data, problems = read_bytes(path, max_bytes)
    if data is None:
        return pd.DataFrame(), problems
    text, problems = decode(data, shown)
    if text is None:
        return pd.DataFrame(), problems
    if not text.strip():
        return pd.DataFrame(), [
            Problem(shown, None, None, "file is empty; expected a header row", FILE)
        ]
    scan = QuoteScan(shown).scan(text)
    problems = (
        scan.problems
        or overlong_cells(scan.records, shown)
        or check_record_count(scan.records, text, shown)
    )
    if problems:
        return pd.DataFrame(), problems
    header_record, *records = [r for r in scan.records if any(c.strip() for c in r.cells)]
    header = [name.strip() for name in header_record.cells]
    problems = header_problems(header, shown)
    if problems:
        return pd.DataFrame(), problems
    rows, lines = [], []
    for record in records:
        problems += row_problems(record, header, shown)
        if len(record.cells) == len(header):
            rows.append([cell.strip() for cell in record.cells])
            lines.append(record.line)
    frame = pd.DataFrame(rows, columns=header, index=pd.Index(lines, name="line"), dtype="str")
    return frame.mask(frame == ""), problems


def fingerprint(*folders: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the files in `folders`: cheap, and changed by any edit.

    Used as a cache key, so that data edited under a running server is read again.
    """
    stamps = []
    for folder in folders:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            stamps.append((str(folder), -1, -1))
            continue
        for entry in entries:
            try:
                stat = entry.stat()
            except OSError:
                stamps.append((str(entry), -1, -1))
                continue
            stamps.append((str(entry), stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)
