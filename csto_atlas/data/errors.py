"""Problems found in the data, each saying where it is and what was expected."""

from dataclasses import dataclass

# How close a problem is to the root of the trouble: a file that cannot be read at all comes
# first, then a header (whose columns every row depends on), then single rows.
FILE, HEADER, ROW = 0, 1, 2
# Files other files cite come first within a stage: their problems explain the others'.
CITED_FILES = ("regions.geojson", "sources.csv", "countries.csv")


@dataclass(frozen=True, order=True)
class Problem:
    """One bad value: `datasets/bases.csv line 4, column lat: 243.1 is not a latitude (-90..90)`.

    `stage` is FILE, HEADER or ROW; None derives it (no line and no column: the file; a column
    without a line: the header; otherwise a row). In a GeoJSON file (`feature` True) the line is
    the feature's number from 1 and the column a property: `geodata/regions.geojson feature 6,
    property iso3: ...`.
    """

    file: str
    line: int | None
    column: str | None
    message: str
    stage: int | None = None
    feature: bool = False

    def __str__(self) -> str:
        where = self.file
        line, column = ("feature", "property") if self.feature else ("line", "column")
        if self.line is not None:
            where += f" {line} {self.line}"
        if self.column:
            where += (
                f", {column} {self.column}" if self.line is not None else f" {column} {self.column}"
            )
        return f"{where}: {self.message}"

    @property
    def rank(self) -> int:
        """FILE, HEADER or ROW."""
        if self.stage is not None:
            return self.stage
        if self.line is None:
            return FILE if self.column is None else HEADER
        return ROW


class DataError(Exception):
    """The data did not validate; `problems` lists every problem found, root causes first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=_sort_key)
        listing = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the data:\n{listing}")


def _sort_key(problem: Problem) -> tuple[int, int, str, int, str]:
    name = problem.file.rsplit("/", 1)[-1]
    cited = CITED_FILES.index(name) if name in CITED_FILES else len(CITED_FILES)
    return (problem.rank, cited, problem.file, problem.line or 0, problem.column or "")
