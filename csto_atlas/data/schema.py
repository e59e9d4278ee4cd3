"""Pandera schemas for every data file, in two passes: types and formats, then values and references.

The first pass reads what a cell *is* (a number, a date, a slug); the second what it *means*
(a latitude, a known source, a country the geodata draws). A row that fails the first pass is
reported and kept out of the second, where its unparsed values would only echo the same problem.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pandera.pandas as pa

from csto_atlas.data.dates import is_partial_date

SOURCE_KINDS = ("article", "treaty", "official statement", "reference", "dataset")
# Each status and the one letter the browser reads it by (one status letter per year per region).
STATUS_CODES = {
    "member": "m",
    "frozen": "z",  # a member that froze its own participation; still a member in law
    "suspended": "s",  # membership suspended by a decision of the organisation
    "former": "f",
    "observer": "o",
    "non-member": "n",
}
STATUSES = tuple(STATUS_CODES)
# A region's status before any event about it.
DEFAULT_STATUS = "non-member"
# A state; a breakaway region (self-governing in fact, in law part of its parent state); an
# annexed territory (in law part of its parent state, annexed by another, not recognised).
REGION_KINDS = ("state", "breakaway", "annexed territory")
# How a breakaway region or annexed territory is drawn in a year (territories.csv), and the one
# letter the browser reads it by: as its own region (hatched), as part of its parent state (in
# the parent's colour, no outline of its own), or as annexed (its own grey hatched look, never
# a CSTO colour). States are drawn as themselves: "state".
TERRITORY_CODES = {
    "state": "s",
    "breakaway": "b",
    "part of parent": "p",
    "annexed": "a",
}
TERRITORY_STATUSES = tuple(status for status in TERRITORY_CODES if status != "state")
# A region's territory status before any event about it, by its kind in countries.csv.
DEFAULT_TERRITORY = {
    "state": "state",
    "breakaway": "breakaway",
    "annexed territory": "part of parent",
}
MAX_QUOTE_WORDS = 40
FIRST_YEAR = 1900

# Text hygiene, checked on every cell as a file is read (csto_atlas.data.read): a length limit
# per column (characters, after trimming), and characters no cell may hold. The limits leave
# room (the longest bundled `note` is 525 characters) while keeping one cell from swamping a
# popup or the panel. Documented in datasets/README.md.
MAX_CHARS = {
    "note": 1500,
    "text": 1000,
    "summary": 1000,
    "place_note": 600,  # what a point is, in words, and how it was placed
    "map_limits": 600,  # what the map does not show of a region
    "detail": 600,
    "quote": 400,  # at most 40 words as well
    "quote_translation": 600,  # our English for a quote in another language
    "url": 500,
    "title": 300,
    "aliases": 300,
    "name": 200,
    "author": 200,
    "publisher": 200,
    "place": 200,
    "unit": 200,
    "file": 200,
}
MAX_CHARS_OTHER = 80  # ids, codes, dates, numbers, vocabularies
# C0 control characters and DEL (a line break only inside a quoted cell, reported as such), and
# the bidirectional embeddings, overrides and isolates that can make text display in an order
# other than the order it is stored in.
CONTROL_CHARS = frozenset(map(chr, [*range(0x00, 0x20), 0x7F]))
BIDI_CHARS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))

SLUG = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
ISO3 = r"^[A-Z]{3}$"
LOCATOR = re.compile(r"^¶([1-9][0-9]*)$")
BODY = re.compile(r"^¶([1-9][0-9]*)-¶([1-9][0-9]*)$")


@dataclass(frozen=True)
class References:
    """What other files define, for the second pass: known ids and codes.

    None means the file defining them could not be read: values citing it are not checked (the
    file's own problem is reported instead of one problem per citing row).
    """

    source_ids: frozenset[str] | None
    file_source_ids: frozenset[str]
    iso3: frozenset[str] | None  # drawn by geodata/regions.geojson
    country_codes: frozenset[str] | None  # listed in countries.csv
    today: date
    place_ids: frozenset[str] = frozenset()
    territory_iso3: frozenset[str] = frozenset()


def max_chars(column: str) -> int:
    """The most characters a cell of `column` may hold."""
    return MAX_CHARS.get(column, MAX_CHARS_OTHER)


def char_name(char: str) -> str:
    """`U+202E (RIGHT-TO-LEFT OVERRIDE)`, or `U+0007` for a character without a name."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def hygiene_problem(column: str, value: str) -> str | None:
    """What is wrong with a cell's characters or length (None when nothing is)."""
    for position, char in enumerate(value, start=1):
        if char in CONTROL_CHARS:
            return (
                f"holds the control character {char_name(char)} at character {position}; "
                "cells may not hold control characters (tabs, line breaks, NUL, ...)"
            )
        if char in BIDI_CHARS:
            return (
                f"holds the bidirectional control {char_name(char)} at character {position}; "
                "cells may not hold bidi overrides or isolates (U+202A-U+202E, U+2066-U+2069)"
            )
    limit = max_chars(column)
    if len(value) > limit:
        return f"is {len(value):,} characters long; a {column} may be at most {limit:,}"
    return None


def _text(required: bool = True, *checks: pa.Check) -> pa.Column:
    return pa.Column(str, list(checks), nullable=not required, required=True)


def _optional(*checks: pa.Check) -> pa.Column:
    return pa.Column(str, list(checks), nullable=True, required=False)


def _slug_id() -> pa.Column:
    return pa.Column(
        str,
        pa.Check.str_matches(SLUG, error="is not an id (lowercase letters, digits, - or _)"),
        unique=True,
    )


def _iso3(required: bool = True) -> pa.Column:
    check = pa.Check.str_matches(ISO3, error="is not an ISO3 code (three capital letters)")
    return pa.Column(str, check, nullable=not required)


def _partial_date(required: bool = True) -> pa.Column:
    check = pa.Check(
        is_partial_date, element_wise=True, error="is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
    )
    return pa.Column(str, check, nullable=not required, required=required)


def _number(dtype: str, required: bool = True) -> pa.Column:
    return pa.Column(dtype, nullable=not required, coerce=True, required=required)


def _cited() -> dict[str, pa.Column]:
    """The columns of every table whose rows cite a source."""
    return {
        "source_id": _text(),
        "locator": _text(required=False),
        "quote": _text(required=False),
        "quote_translation": _optional(),  # ours, of a quote in another language
        "note": _optional(),
    }


def _placed() -> dict[str, pa.Column]:
    """The columns of every table whose rows are points on the map.

    `place_id` names a row of places.csv (empty when the site is not in the gazetteer),
    `radius_km` the point's uncertainty, `place_note` what the point is, in words.
    """
    return {
        "lat": _number("float64"),
        "lon": _number("float64"),
        "place_id": _text(required=False),
        "radius_km": _number("float64"),
        "place_note": _text(),
        "coord_source_id": _text(),
    }


PARSE_COLUMNS: dict[str, dict[str, pa.Column]] = {
    "sources": {
        "id": _slug_id(),
        "kind": _text(),
        "author": _text(),
        "title": _text(),
        "publisher": _text(),
        "date": _partial_date(),
        "file": _text(required=False),
        "body": _text(
            False, pa.Check.str_matches(BODY.pattern, error="is not a paragraph range (¶A-¶B)")
        ),
        "url": _text(False, pa.Check.str_matches(r"^https?://\S+$", error="is not an http(s) URL")),
        "note": _text(required=False),
    },
    "countries": {
        "iso3": pa.Column(
            str, pa.Check.str_matches(ISO3, error="is not an ISO3 code"), unique=True
        ),
        "name": _text(),
        "kind": _text(),
        "parent_iso3": _iso3(required=False),
        "ne_name": _text(required=False),
        "aliases": _text(required=False),
        "map_limits": _optional(),
    },
    "places": {
        "place_id": _slug_id(),
        "name": _text(),
        "geonames_id": _number("Int64"),
        "lat": _number("float64"),
        "lon": _number("float64"),
        "country_iso3": _iso3(),
        "feature_class": _text(),
        "feature_code": _text(required=False),
        "population": _number("Int64", required=False),
    },
    "territories": {
        "id": _slug_id(),
        "iso3": _iso3(),
        "date": _partial_date(),
        "status": _text(),
        "by_iso3": _iso3(required=False),
        "detail": _text(required=False),
        "same_as": _text(required=False),
        **_cited(),
    },
    "membership": {
        "id": _slug_id(),
        "iso3": _iso3(),
        "date": _partial_date(),
        "status": _text(),
        "detail": _text(required=False),
        "same_as": _text(required=False),
        **_cited(),
    },
    "bases": {
        "id": _slug_id(),
        "name": _text(),
        "unit": _text(required=False),
        "host_iso3": _iso3(),
        "region_iso3": _iso3(required=False),
        **_placed(),
        "start_year": _number("Int64"),
        "end_year": _number("Int64", required=False),
        **_cited(),
    },
    "incidents": {
        "id": _slug_id(),
        "name": _text(),
        "date": _partial_date(),
        "iso3": _iso3(),
        **_placed(),
        "killed": _number("Int64", required=False),
        "summary": _text(),
        "same_as": _text(required=False),
        **_cited(),
    },
    "meetings": {
        "id": _slug_id(),
        "name": _text(),
        "date": _partial_date(),
        "end_date": _partial_date(required=False),
        "place": _text(),
        "iso3": _iso3(),
        **_placed(),
        **_cited(),
    },
    "notes": {
        "id": _slug_id(),
        "iso3": _iso3(),
        "year": _number("Int64"),
        "year_end": _number("Int64", required=False),
        "text": _text(),
        **_cited(),
    },
}

TABLES = tuple(PARSE_COLUMNS)


def parse_schema(table: str) -> pa.DataFrameSchema:
    """First pass: columns present, types, formats, required cells, unique ids."""
    return pa.DataFrameSchema(PARSE_COLUMNS[table], strict=True, name=table)


def row_check(column: str, error: str, holds) -> pa.Check:
    """A check across columns of a row; `column` is the one a failure is reported against."""
    return pa.Check(holds, name=column, error=error)


def _within(values: frozenset[str] | None, error: str) -> list[pa.Check]:
    """Values among `values`; no check when they are unknown (None)."""
    return [] if values is None else [pa.Check.isin(sorted(values), error=error)]


def _years(today: date) -> pa.Check:
    return pa.Check.in_range(
        FIRST_YEAR, today.year, error=f"is not a year ({FIRST_YEAR}..{today.year})"
    )


def _not_future(today: date) -> pa.Check:
    """Dated rows are history: their date (see load.add_periods) has begun by today."""
    return row_check(
        "date",
        f"is a date after today ({today.isoformat()})",
        lambda df: df["starts"] <= pd.Timestamp(today),
    )


def _short_quote() -> pa.Check:
    return pa.Check(
        lambda quote: len(quote.split()) <= MAX_QUOTE_WORDS,
        element_wise=True,
        error=f"is a quote of more than {MAX_QUOTE_WORDS} words",
    )


def _locator_form() -> pa.Check:
    return pa.Check.str_matches(LOCATOR.pattern, error="is not a paragraph locator (¶N)")


def _not_before(later: str, earlier: str) -> pa.Check:
    """An optional closing year (`later`) is not before the opening one (`earlier`)."""
    return row_check(
        later,
        f"is before {earlier}",
        lambda df: df[later].isna() | (df[later] >= df[earlier]),
    )


def _cited_rules(refs: References) -> tuple[dict[str, pa.Column], list[pa.Check]]:
    columns = {
        "source_id": pa.Column(
            str, _within(refs.source_ids, "is not the id of a source in sources.csv")
        ),
        "quote": pa.Column(str, _short_quote(), nullable=True),
    }
    file_sources = sorted(refs.file_source_ids)
    checks = [
        row_check(
            "quote",
            "is empty; a row citing one of the source articles needs a verbatim quote",
            lambda df: ~df["source_id"].isin(file_sources) | df["quote"].notna(),
        ),
        row_check(
            "locator",
            "is not a paragraph locator (¶N), which a row citing a source article needs",
            lambda df: (
                ~df["source_id"].isin(file_sources)
                | df["locator"].fillna("").str.fullmatch(LOCATOR.pattern)
            ),
        ),
    ]
    return columns, checks


def _position_rules() -> dict[str, pa.Column]:
    return {
        "lat": pa.Column(float, pa.Check.in_range(-90, 90, error="is not a latitude (-90..90)")),
        "lon": pa.Column(
            float, pa.Check.in_range(-180, 180, error="is not a longitude (-180..180)")
        ),
    }


def _placed_rules(refs: References) -> dict[str, pa.Column]:
    return {
        **_position_rules(),
        "place_id": pa.Column(
            str,
            _within(refs.place_ids, "is not the place_id of a row of places.csv"),
            nullable=True,
        ),
        "radius_km": pa.Column(
            float,
            pa.Check.in_range(
                0, 1000, include_min=False, error="is not a radius in km (over 0, up to 1000)"
            ),
        ),
        "coord_source_id": pa.Column(
            str, _within(refs.source_ids, "is not the id of a source in sources.csv")
        ),
    }


def _drawn_iso3(refs: References, nullable: bool = False) -> pa.Column:
    return pa.Column(
        str,
        _within(refs.iso3, "is not a code the geodata draws (geodata/regions.geojson)"),
        nullable=nullable,
    )


def _known_iso3(refs: References, nullable: bool = False) -> pa.Column:
    """A country or region of countries.csv (which itself must be drawn by the geodata)."""
    return pa.Column(
        str,
        _within(refs.country_codes, "is not the iso3 of a country or region in countries.csv"),
        nullable=nullable,
    )


def _same_as_rule() -> pa.Check:
    """`same_as` names another row of the same file, one that is itself a primary account."""

    def holds(df: pd.DataFrame) -> pd.Series:
        primary_ids = set(df.loc[df["same_as"].isna(), "id"])
        return df["same_as"].isna() | df["same_as"].isin(primary_ids)

    return row_check(
        "same_as", "is not the id of a primary row (one without same_as) in this file", holds
    )


def _sources_rules(refs: References) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "kind": pa.Column(
                str, _within(frozenset(SOURCE_KINDS), f"is not one of {', '.join(SOURCE_KINDS)}")
            ),
        },
        checks=[
            _not_future(refs.today),
            row_check(
                "body",
                "must give the article's own paragraphs (¶A-¶B) when, and only when, file is set",
                lambda df: df["file"].notna() == df["body"].notna(),
            ),
        ],
        name="sources",
    )


def _countries_rules(refs: References) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "iso3": _drawn_iso3(refs),
            "kind": pa.Column(
                str, _within(frozenset(REGION_KINDS), f"is not one of {', '.join(REGION_KINDS)}")
            ),
            "parent_iso3": _drawn_iso3(refs, nullable=True),
        },
        checks=[
            row_check(
                "parent_iso3",
                "must name the parent state of a breakaway region or annexed territory, "
                "and only of one",
                # A kind outside the vocabulary is reported by the kind check alone.
                lambda df: (
                    ~df["kind"].isin(REGION_KINDS)
                    | ((df["kind"] != "state") == df["parent_iso3"].notna())
                ),
            ),
        ],
        name="countries",
    )


def _places_rules(refs: References) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            **_position_rules(),
            "geonames_id": pa.Column(
                "Int64", pa.Check.gt(0, error="is not a GeoNames id"), unique=True
            ),
        },
        name="places",
    )


def _territories_rules(refs: References) -> pa.DataFrameSchema:
    cited_columns, cited_checks = _cited_rules(refs)
    return pa.DataFrameSchema(
        {
            "iso3": pa.Column(
                str,
                _within(
                    refs.territory_iso3,
                    "is not a breakaway region or annexed territory of countries.csv",
                ),
            ),
            "status": pa.Column(
                str,
                _within(
                    frozenset(TERRITORY_STATUSES), f"is not one of {', '.join(TERRITORY_STATUSES)}"
                ),
            ),
            "by_iso3": _known_iso3(refs, nullable=True),
            **cited_columns,
        },
        checks=[
            *cited_checks,
            _same_as_rule(),
            _not_future(refs.today),
            row_check(
                "by_iso3",
                "must name the annexing state when status is annexed, and only then",
                lambda df: (df["status"] == "annexed") == df["by_iso3"].notna(),
            ),
        ],
        name="territories",
    )


def _membership_rules(refs: References) -> pa.DataFrameSchema:
    cited_columns, cited_checks = _cited_rules(refs)
    return pa.DataFrameSchema(
        {
            "iso3": _known_iso3(refs),
            "status": pa.Column(
                str, _within(frozenset(STATUSES), f"is not one of {', '.join(STATUSES)}")
            ),
            **cited_columns,
        },
        checks=[*cited_checks, _same_as_rule(), _not_future(refs.today)],
        name="membership",
    )


def _bases_rules(refs: References) -> pa.DataFrameSchema:
    cited_columns, cited_checks = _cited_rules(refs)
    return pa.DataFrameSchema(
        {
            "host_iso3": _known_iso3(refs),
            "region_iso3": _known_iso3(refs, nullable=True),
            **_placed_rules(refs),
            "start_year": pa.Column("Int64", _years(refs.today)),
            "end_year": pa.Column("Int64", _years(refs.today), nullable=True),
            **cited_columns,
        },
        checks=[*cited_checks, _not_before("end_year", "start_year")],
        name="bases",
    )


def _incidents_rules(refs: References) -> pa.DataFrameSchema:
    cited_columns, cited_checks = _cited_rules(refs)
    return pa.DataFrameSchema(
        {
            "iso3": _known_iso3(refs),
            **_placed_rules(refs),
            "killed": pa.Column(
                "Int64",
                pa.Check.ge(0, error="is not a number of people (0 or more)"),
                nullable=True,
            ),
            **cited_columns,
        },
        checks=[*cited_checks, _same_as_rule(), _not_future(refs.today)],
        name="incidents",
    )


def _meetings_rules(refs: References) -> pa.DataFrameSchema:
    cited_columns, cited_checks = _cited_rules(refs)
    return pa.DataFrameSchema(
        {"iso3": _known_iso3(refs), **_placed_rules(refs), **cited_columns},
        checks=[
            *cited_checks,
            _not_future(refs.today),
            row_check("end_date", "is before date", lambda df: df["ends"] >= df["starts"]),
        ],
        name="meetings",
    )


def _notes_rules(refs: References) -> pa.DataFrameSchema:
    cited_columns, cited_checks = _cited_rules(refs)
    return pa.DataFrameSchema(
        {
            "iso3": _known_iso3(refs),
            "year": pa.Column("Int64", _years(refs.today)),
            "year_end": pa.Column("Int64", _years(refs.today), nullable=True),
            **cited_columns,
        },
        checks=[*cited_checks, _not_before("year_end", "year")],
        name="notes",
    )


# One rule builder per table: the second pass of each file.
RULES: dict[str, Callable[[References], pa.DataFrameSchema]] = {
    "sources": _sources_rules,
    "countries": _countries_rules,
    "places": _places_rules,
    "membership": _membership_rules,
    "territories": _territories_rules,
    "bases": _bases_rules,
    "incidents": _incidents_rules,
    "meetings": _meetings_rules,
    "notes": _notes_rules,
}


def rules_schema(table: str, refs: References) -> pa.DataFrameSchema:
    """Second pass: allowed values, ranges, references to other files, rules across columns."""
    return RULES[table](refs)
