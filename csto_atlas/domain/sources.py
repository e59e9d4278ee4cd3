"""Citations: how a source row reads to a user."""

from collections.abc import Mapping
from typing import Any

import pandas as pd


def citation_text(source: Mapping[str, Any]) -> str:
    """`Author, “Title”, Publisher, date`, from a source's row."""
    return f"{source['author']}, “{source['title']}”, {source['publisher']}, {source['date']}"


def citations_by_id(sources: pd.DataFrame) -> dict[str, str]:
    """Every source's citation by id, in one pass (for callers citing many rows)."""
    return {source["id"]: citation_text(source) for source in sources.to_dict("records")}


def checked_until(sources: pd.DataFrame) -> str:
    """The newest date among the sources that report events (datasets such as the gazetteer
    excluded): the data is checked up to then."""
    reports = sources[sources["kind"] != "dataset"]
    if reports.empty:
        return ""
    return str(reports.loc[reports["starts"].idxmax(), "date"])
