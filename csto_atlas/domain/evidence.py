"""The evidence behind the map, for reading: every fact with the source it rests on, and the
datasets as a reader's tables (readable dates and country names, citations, no empty markers).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from csto_atlas.data.alliance import Alliance
from csto_atlas.data.dates import readable_date
from csto_atlas.data.load import Atlas
from csto_atlas.domain.sources import citations_by_id, reader_citation
from csto_atlas.domain.yearmodel import region_names

BASE_KIND = "Base"  # a base of the alliance's bases layer (its heading: the layer's name)
FACT_KINDS = ("Membership event", "Note", BASE_KIND, "Incident", "Meeting")
POSITION_KIND = "Position"
DERIVED_COLUMNS = ("precision", "starts", "ends", "located_iso3")
DATED_TABLES = ("sources", "membership", "incidents", "meetings")
COUNTRY_COLUMNS = ("iso3", "host_iso3", "region_iso3", "parent_iso3")

# Each dataset as the Data page shows it, in this order; None: the data folder's name for that
# layer (alliance.toml's [layers.*] table, else name).
TABLE_LABELS = {
    "membership": "Membership events",
    "bases": None,
    "incidents": None,
    "meetings": None,
    "notes": "Notes",
    "territories": "Territorial changes",
    "places": "Places (GeoNames gazetteer)",
    "sources": "Sources",
    "countries": "Countries and regions",
}
HEADERS = {
    "id": "Id",
    "name": "Name",
    "iso3": "Country",
    "host_iso3": "Host country",
    "region_iso3": "Breakaway region",
    "parent_iso3": "Part of",
    "date": "Date",
    "end_date": "Until",
    "date_iso": "Date (ISO, sorts in order)",
    "status": "Status",
    "detail": "Detail",
    "same_as": "Other account of",
    "source_id": "Source id",
    "citation": "Source",
    "source_url": "Source link",
    "locator": "Where in the source",
    "quote": "Quote (verbatim)",
    "note": "Note",
    "unit": "Unit",
    "lat": "Latitude",
    "lon": "Longitude",
    "place_id": "Gazetteer place",
    "place_note": "What the point is",
    "coord_source_id": "Position from (source id)",
    "start_year": "From",
    "end_year": "Until",
    "killed": "Killed",
    "summary": "Summary",
    "place": "Place",
    "year": "Year",
    "year_end": "Until",
    "text": "Note",
    "kind": "Kind",
    "author": "Author",
    "title": "Title",
    "publisher": "Publisher",
    "file": "Article file",
    "body": "Article paragraphs",
    "url": "Link",
    "ne_name": "Natural Earth name",
    "aliases": "Also named",
    "radius_km": "Radius (km)",
}
# The columns a person reads, in this order; the others (ids, positions, gazetteer fields, the
# ISO date) are a toggle away on the Data page and always in the downloads.
READER_COLUMNS = {
    "membership": ("iso3", "date", "status", "detail", "quote", "citation", "locator"),
    "bases": ("name", "host_iso3", "region_iso3", "unit", "start_year", "end_year", "citation"),
    "incidents": ("name", "date", "iso3", "killed", "summary", "quote", "citation"),
    "meetings": ("name", "date", "end_date", "place", "iso3", "quote", "citation"),
    "notes": ("iso3", "year", "year_end", "text", "quote", "citation"),
    "territories": ("iso3", "date", "status", "by_iso3", "detail", "quote", "citation"),
    "places": ("name", "country_iso3", "lat", "lon", "population"),
    "sources": ("citation", "kind", "date", "url", "note"),
    "countries": ("name", "iso3", "kind", "parent_iso3", "aliases"),
}
LONG_TEXT = ("quote", "note", "text", "summary", "detail", "title", "citation", "aliases")
LINKS = ("url", "source_url")


@dataclass(frozen=True)
class ReadableTable:
    """A dataset as a reader's table, with what the page needs to lay it out."""

    label: str
    frame: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)
    long_text: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    integers: tuple[str, ...] = ()
    shown: tuple[str, ...] = ()


# --- the facts behind every source ---------------------------------------------------------


def country_label(names: dict[str, str], code: object) -> str:
    """`Armenia (ARM)`; empty for a missing code; the code alone when unknown."""
    if not isinstance(code, str) or not code:
        return ""
    return f"{names[code]} ({code})" if code in names else code


def text_of(value: object) -> str:
    """A cell as text: empty for a missing value."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def years_of(start: object, end: object, open_ended: str = "") -> str:
    """`2007`, `2007–2010`, or `1995–today` (`open_ended` given) for a span of years."""
    if pd.isna(start):
        return ""
    if pd.isna(end):
        return f"{int(start)}–{open_ended}" if open_ended else f"{int(start)}"
    return f"{int(start)}" if int(end) == int(start) else f"{int(start)}–{int(end)}"


def fact_rows(atlas: Atlas) -> list[dict[str, object]]:
    """Every cited row of every dataset as a fact: kind, when, what, countries, evidence."""
    names = region_names(atlas.regions)
    facts: list[dict[str, object]] = []

    def add(kind: str, row: dict, when: str, what: str, countries: Iterable[object]) -> None:
        facts.append(
            {
                "source_id": row["source_id"],
                "kind": kind,
                "when": when,
                "sort": text_of(row.get("date")) or when,
                "what": what,
                "countries": tuple(c for c in countries if isinstance(c, str) and c),
                "locator": text_of(row.get("locator")),
                "quote": text_of(row.get("quote")),
                "other_account": bool(text_of(row.get("same_as"))),
            }
        )

    for row in atlas.membership.to_dict("records"):
        detail = text_of(row["detail"])
        what = f"{names.get(row['iso3'], row['iso3'])}: {row['status']}"
        add(
            "Membership event",
            row,
            readable_date(row["date"]),
            what + (f" — {detail}" if detail else ""),
            [row["iso3"]],
        )
    for row in atlas.notes.to_dict("records"):
        add("Note", row, years_of(row["year"], row["year_end"]), row["text"], [row["iso3"]])
    for row in atlas.bases.to_dict("records"):
        when = years_of(row["start_year"], row["end_year"], "today")
        add(BASE_KIND, row, when, row["name"], [row["host_iso3"], row.get("region_iso3")])
    for row in atlas.incidents.to_dict("records"):
        summary = text_of(row["summary"])
        add(
            "Incident",
            row,
            readable_date(row["date"]),
            f"{row['name']}: {summary}" if summary else row["name"],
            [row["iso3"]],
        )
    for row in atlas.meetings.to_dict("records"):
        add(
            "Meeting",
            row,
            readable_date(row["date"]),
            f"{row['name']} ({row['place']})",
            [row["iso3"]],
        )
    for table, host in (("bases", "host_iso3"), ("incidents", "iso3"), ("meetings", "iso3")):
        for row in getattr(atlas, table).to_dict("records"):
            facts.append(
                {
                    "source_id": row["coord_source_id"],
                    "kind": POSITION_KIND,
                    "when": "",
                    "sort": "",
                    "what": f"Position of {row['name']} (within {row['radius_km']:g} km)",
                    "countries": tuple(
                        code
                        for code in (row[host], row.get("region_iso3"))
                        if isinstance(code, str)
                    ),
                    "locator": "",
                    "quote": "",
                    "other_account": False,
                }
            )
    return facts


def facts_frame(atlas: Atlas) -> pd.DataFrame:
    """Every fact (one row per cited row, and one per cited position), in a frame."""
    columns = ["source_id", "kind", "when", "sort", "what", "countries", "locator", "quote"]
    return pd.DataFrame(fact_rows(atlas), columns=[*columns, "other_account"])


def fact_counts(facts: pd.DataFrame) -> pd.Series:
    """How many facts (positions not counted) each source supports, by source id."""
    return facts[facts["kind"] != POSITION_KIND].groupby("source_id").size()


def facts_about(facts: pd.DataFrame, iso3: str | None) -> pd.DataFrame:
    """The facts concerning one country (all of them for None)."""
    if iso3 is None:
        return facts
    return facts[facts["countries"].map(lambda codes: iso3 in codes)]


def article_counts(atlas: Atlas, facts: pd.DataFrame) -> pd.DataFrame:
    """The source articles (sources with a file): citation and how many facts each supports."""
    counts = fact_counts(facts)
    articles = atlas.sources[atlas.sources["file"].notna()]
    return pd.DataFrame(
        {
            "source_id": articles["id"].to_numpy(),
            "citation": [reader_citation(row) for row in articles.to_dict("records")],
            "facts": [int(counts.get(source_id, 0)) for source_id in articles["id"]],
        }
    )


# --- the datasets as a reader's tables -----------------------------------------------------


def readable_frame(atlas: Atlas, table: str) -> pd.DataFrame:
    """One dataset for reading: dates at their precision, country names, citation and link."""
    frame = getattr(atlas, table).reset_index(drop=True)
    derived = [c for c in DERIVED_COLUMNS if c in frame]
    if table in DATED_TABLES:
        frame = frame.sort_values("starts", kind="stable")
        derived.append("year")
    frame = frame.drop(columns=derived)
    names = region_names(atlas.regions)
    for column in COUNTRY_COLUMNS:
        if column in frame:
            frame[column] = frame[column].map(lambda code: country_label(names, code))
    if "date" in frame:
        frame["date_iso"] = frame["date"]
        for column in ("date", "end_date"):
            if column in frame:
                frame[column] = frame[column].map(readable_date)
    sources = atlas.sources.set_index("id")
    cited = frame["id"] if table == "sources" else frame.get("source_id")
    if cited is not None:
        evidence = pd.DataFrame(
            {"citation": cited.map(citations_by_id(atlas.sources))}, index=frame.index
        )
        if table != "sources":  # a source's own link is its url column
            evidence["source_url"] = cited.map(sources["url"])
        first = ["name"] if "name" in frame else []
        frame = pd.concat([frame[first], evidence, frame.drop(columns=first)], axis="columns")
    if "id" in frame:  # an id is for machines: last
        frame = frame[[*[c for c in frame.columns if c != "id"], "id"]]
    return without_missing_text(frame.reset_index(drop=True))


def integral_columns(frame: pd.DataFrame) -> tuple[str, ...]:
    """The number columns whose every value is a whole number (ids, years, counts)."""
    numbers = frame.select_dtypes(include="number")
    return tuple(
        name
        for name in numbers.columns
        if bool((numbers[name].dropna() == numbers[name].dropna().round()).all())
    )


NOT_GIVEN = "—"


def without_missing_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with an explicit "—" for a missing or empty value (a link column keeps an
    empty cell, which draws no link; numbers keep their missing values)."""
    text = frame.select_dtypes(exclude=["number", "bool"]).columns
    return frame.assign(
        **{name: frame[name].map(lambda value: text_of(value) or NOT_GIVEN) for name in text}
    ).assign(**{name: frame[name].map(text_of) for name in text if name in LINKS})


def table_labels(alliance: Alliance) -> dict[str, str]:
    """TABLE_LABELS with the marker layers' tables named in the alliance's words."""
    layers = alliance.layers
    return {
        table: label or layers[table].get("table", layers[table]["name"])
        for table, label in TABLE_LABELS.items()
    }


def readable_tables(atlas: Atlas) -> list[ReadableTable]:
    """Every dataset as a reader's table, in TABLE_LABELS order."""
    tables = []
    for table, label in table_labels(atlas.alliance).items():
        frame = readable_frame(atlas, table)
        tables.append(
            ReadableTable(
                label=label,
                frame=frame,
                headers={name: HEADERS.get(name, name) for name in frame.columns},
                long_text=tuple(c for c in LONG_TEXT if c in frame),
                links=tuple(c for c in LINKS if c in frame),
                numbers=tuple(frame.select_dtypes(include="number").columns),
                integers=integral_columns(frame),
                shown=tuple(c for c in READER_COLUMNS.get(table, frame.columns) if c in frame),
            )
        )
    return tables


def status_rows(table: pd.DataFrame, everyone: bool = False) -> pd.DataFrame:
    """The rows of the all-years status table (export.status_table) a reader looks at: the
    regions that were ever more than a non-member (all of them with `everyone`), by name; a
    breakaway region or a territory named with what it is part of."""
    years = [column for column in table.columns if column.isdigit()]
    shown = table if everyone else table[(table[years] != "non-member").any(axis=1)]
    names = dict(zip(table["iso3"], table["name"], strict=True))
    parent = shown["parent_iso3"].map(lambda code: names.get(code, code) if code else "")
    named = shown["name"].where(parent == "", shown["name"] + " (" + parent + ")")
    return shown.assign(name=named).sort_values("name", kind="stable").reset_index(drop=True)


def search(frame: pd.DataFrame, text: str) -> pd.DataFrame:
    """The rows with `text` (any case) in any cell."""
    needle = text.strip().lower()
    if not needle:
        return frame
    cells = frame.astype("string").fillna("").apply(lambda column: column.str.lower())
    hits = cells.apply(lambda column: column.str.contains(needle, regex=False)).any(axis=1)
    return frame[hits.to_numpy()]
