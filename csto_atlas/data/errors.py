"""Problems found in the data, each saying where it is and what was expected."""

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One bad value: `datasets/bases.csv line 4, column lat: 243.1 is not a latitude (-90..90)`."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.column:
            where += (
                f", column {self.column}" if self.line is not None else f" column {self.column}"
            )
        return f"{where}: {self.message}"


class DataError(Exception):
    """The data did not validate; `problems` lists every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=_sort_key)
        listing = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the data:\n{listing}")


def _sort_key(problem: Problem) -> tuple[str, int, str]:
    return (problem.file, problem.line or 0, problem.column or "")
