"""How well the data is supported: rows per file, sources per fact, positions' precision.

A *fact* is a row of a cited table together with the rows that give another source's account of
it (`same_as`): the membership event, the incident, … Its sources are the distinct `source_id`s
of those rows. A fact resting on a single source has one.
"""

from dataclasses import dataclass

import pandas as pd

from csto_atlas.data.load import Atlas
from csto_atlas.data.version import DataVersion

CITED_TABLES = ("membership", "bases", "incidents", "meetings", "notes")
POINT_TABLES = ("bases", "incidents", "meetings")
ALL_TABLES = ("sources", "countries", *CITED_TABLES)
RADIUS_COLUMN = "radius_km"


@dataclass(frozen=True)
class Quality:
    """The data-quality summary of one data folder."""

    rows: pd.DataFrame  # file, rows
    sources_per_fact: pd.DataFrame  # file, facts, one source, two sources, three or more
    single_source: int
    facts: int
    precision: pd.DataFrame  # file x where the position comes from -> rows
    radius: pd.DataFrame | None  # file, with radius, without, smallest, largest (or None)
    checked: str


def rows_per_file(atlas: Atlas) -> pd.DataFrame:
    """How many rows each file has."""
    return pd.DataFrame(
        {
            "file": [f"{t}.csv" for t in ALL_TABLES],
            "rows": [len(getattr(atlas, t)) for t in ALL_TABLES],
        }
    )


def sources_of_facts(frame: pd.DataFrame) -> pd.Series:
    """For each fact (a primary row and its other accounts), how many distinct sources it has."""
    if frame.empty:
        return pd.Series(dtype="int64")
    fact = frame["same_as"].fillna(frame["id"]) if "same_as" in frame else frame["id"]
    return frame.assign(fact=fact).groupby("fact")["source_id"].nunique()


def sources_per_fact(atlas: Atlas) -> pd.DataFrame:
    """Per cited file: facts, and how many rest on one, two, three or more sources."""
    rows = []
    for table in CITED_TABLES:
        counts = sources_of_facts(getattr(atlas, table))
        rows.append(
            {
                "file": f"{table}.csv",
                "facts": len(counts),
                "one source": int((counts == 1).sum()),
                "two sources": int((counts == 2).sum()),
                "three or more": int((counts >= 3).sum()),
            }
        )
    return pd.DataFrame(rows)


def precision_counts(atlas: Atlas) -> pd.DataFrame:
    """Rows of each point file by where their position comes from: a gazetteer place, or a
    coordinate a source gives or a derived point (no place_id)."""
    kinds = {True: "gazetteer place", False: "cited or derived point"}
    counts = {
        f"{table}.csv": getattr(atlas, table)["place_id"].notna().map(kinds).value_counts()
        for table in POINT_TABLES
    }
    table = pd.DataFrame(counts).fillna(0).astype("int64").T
    table.index.name = "file"
    return table.reset_index()


def radius_counts(atlas: Atlas) -> pd.DataFrame | None:
    """Rows with and without a radius (km) per point file; None when no file has the column."""
    frames = {t: getattr(atlas, t) for t in POINT_TABLES if RADIUS_COLUMN in getattr(atlas, t)}
    if not frames:
        return None
    rows = []
    for table, frame in frames.items():
        radius = pd.to_numeric(frame[RADIUS_COLUMN], errors="coerce")
        rows.append(
            {
                "file": f"{table}.csv",
                "with a radius": int(radius.notna().sum()),
                "without": int(radius.isna().sum()),
                "smallest (km)": radius.min(),
                "largest (km)": radius.max(),
            }
        )
    return pd.DataFrame(rows)


def quality(atlas: Atlas, version: DataVersion) -> Quality:
    """The whole summary."""
    per_fact = sources_per_fact(atlas)
    return Quality(
        rows=rows_per_file(atlas),
        sources_per_fact=per_fact,
        single_source=int(per_fact["one source"].sum()),
        facts=int(per_fact["facts"].sum()),
        precision=precision_counts(atlas),
        radius=radius_counts(atlas),
        checked=version.checked_text,
    )
