"""Partial ISO dates (YYYY, YYYY-MM, YYYY-MM-DD): the form of the date is its precision."""

import calendar
import re
from dataclasses import dataclass
from datetime import date

PRECISIONS = ("year", "month", "day")
# English month names, independent of the process locale.
MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_PARTIAL_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    text: str
    precision: str
    start: date
    end: date

    @property
    def year(self) -> int:
        return self.start.year


def parse_partial_date(text: str) -> PartialDate:
    """Parse `1993`, `1993-12` or `1993-12-31`; raise ValueError saying what was expected."""
    match = _PARTIAL_ISO.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else None for part in match.groups())
    if month is None:
        return PartialDate(text, "year", date(year, 1, 1), date(year, 12, 31))
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} has no month {month} (01..12)")
    last_day = calendar.monthrange(year, month)[1]
    if day is None:
        return PartialDate(text, "month", date(year, month, 1), date(year, month, last_day))
    if not 1 <= day <= last_day:
        raise ValueError(f"{text!r} has no day {day} in that month (01..{last_day:02d})")
    return PartialDate(text, "day", date(year, month, day), date(year, month, day))


def is_partial_date(text: str) -> bool:
    """True when `text` parses as a partial ISO date."""
    try:
        parse_partial_date(text)
    except ValueError:
        return False
    return True


def readable_date(text: object) -> str:
    """A partial date as a reader writes it, at its precision: `1999`, `Aug 2006`, `16 Aug 2006`.

    Anything that is not a partial date comes back as text (empty for a missing value).
    """
    if not isinstance(text, str):
        return ""
    try:
        parsed = parse_partial_date(text)
    except ValueError:
        return text
    if parsed.precision == "year":
        return str(parsed.year)
    month = f"{MONTH_ABBREVIATIONS[parsed.start.month - 1]} {parsed.year}"
    return month if parsed.precision == "month" else f"{parsed.start.day} {month}"
