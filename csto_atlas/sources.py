"""Citations: how a source row reads to a user."""

import pandas as pd


def format_citation(sources: pd.DataFrame, source_id: str) -> str:
    """`Author, “Title”, Publisher, date`, from the source's own row."""
    row = sources.loc[sources["id"] == source_id].iloc[0]
    return f"{row['author']}, “{row['title']}”, {row['publisher']}, {row['date']}"
