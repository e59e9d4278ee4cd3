"""Citations: how a source row reads to a user.

sources.csv says so when a page names no author or shows no title: `(not named in the
retrieved copy)`, `(title not shown in the retrieved copy)`, `report (publisher not named in the
text)`. Those notes are for the data's maintainers; a reader sees what a bibliography writes
instead: `Unsigned`, `Untitled`, and the publisher without the parenthesis.
"""

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from csto_atlas.data.dates import readable_date
from csto_atlas.data.version import newest_report_date

# A parenthesis saying that the retrieved copy does not give a value.
PLACEHOLDER = re.compile(r"\s*\((?:[^()]*\b(?:not named|not shown|not given)\b[^()]*)\)\s*")
UNSIGNED = "Unsigned"
UNTITLED = "Untitled"


def without_placeholder(value: object) -> str:
    """The value with any `(… not named …)` parenthesis removed; empty for a missing value."""
    if not isinstance(value, str):
        return ""
    return PLACEHOLDER.sub(" ", value).strip()


def author_text(source: Mapping[str, Any]) -> str:
    """The author as a bibliography writes it: `Unsigned` when the copy names none."""
    return without_placeholder(source.get("author")) or UNSIGNED


def title_text(source: Mapping[str, Any]) -> str:
    """`“Title”`, or `Untitled` when the copy shows none."""
    title = without_placeholder(source.get("title"))
    return f"“{title}”" if title else UNTITLED


def citation_text(source: Mapping[str, Any]) -> str:
    """`Author, “Title”, Publisher, date`, from a source's row, without placeholder notes."""
    parts = [
        author_text(source),
        title_text(source),
        without_placeholder(source.get("publisher")),
        source.get("date") if isinstance(source.get("date"), str) else "",
    ]
    return ", ".join(part for part in parts if part)


def reader_citation(source: Mapping[str, Any]) -> str:
    """As citation_text, with the date at its precision as a reader writes it (`16 Aug 2006`)."""
    return citation_text({**source, "date": readable_date(source.get("date"))})


def short_citation(source: Mapping[str, Any]) -> str:
    """`Publisher, 28 Jun 2012` or `Author, 2007`: enough to tell a source in running text."""
    author = without_placeholder(source.get("author"))
    who = author if author and "unsigned" not in author.lower() else ""
    who = who or without_placeholder(source.get("publisher")) or UNSIGNED
    return f"{who}, {readable_date(source.get('date'))}"


def citations_by_id(sources: pd.DataFrame) -> dict[str, str]:
    """Every source's citation by id, in one pass (for callers citing many rows)."""
    return {source["id"]: citation_text(source) for source in sources.to_dict("records")}


def readable_note(text: object, short_citations: Mapping[str, str]) -> str:
    """A note with every source id it mentions replaced by that source's short citation."""
    if not isinstance(text, str):
        return ""
    if not short_citations:
        return text
    ids = sorted(short_citations, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    return pattern.sub(lambda match: short_citations[match.group(1)], text)


def checked_until(sources: pd.DataFrame) -> str:
    """The newest date among the sources that report events (datasets such as the gazetteer
    excluded), as written: the data is checked up to then (data/version.py's rule)."""
    newest = newest_report_date(sources.to_dict("records"))
    return newest.text if newest else ""


def first_provisional_year(checked: date) -> int:
    """The first year whose status (on its 31 December) lies after `checked`, the date the
    sources are checked up to: from that year on a status is provisional."""
    return checked.year if checked < date(checked.year, 12, 31) else checked.year + 1


def provisional_from(sources: pd.DataFrame) -> int | None:
    """The first provisional year of the data (None when no source that reports events is
    dated): the year after which nothing could be checked (data/version.py's rule)."""
    newest = newest_report_date(sources.to_dict("records"))
    return first_provisional_year(newest.start) if newest else None
