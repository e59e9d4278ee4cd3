"""The permalink: what ?year= and ?country= ask for, made safe (pure functions, no Streamlit)."""

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

YEAR_PATTERN = re.compile(r"[0-9]{4}")
ISO3_PATTERN = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class Permalink:
    """What the URL asked for, made safe: a year, maybe a country, and notices about the rest."""

    year: int
    country: str | None
    notices: tuple[str, ...] = ()


def parse_year(text: str | None, years: range) -> int | None:
    """A year within `years` from its four digits, or None."""
    if text is None or not YEAR_PATTERN.fullmatch(text.strip()):
        return None
    year = int(text.strip())
    return year if year in years else None


def parse_country(text: str | None, known: Collection[str]) -> str | None:
    """A known region code from its ISO3 letters (any case), or None."""
    if text is None:
        return None
    code = text.strip().upper()
    return code if ISO3_PATTERN.fullmatch(code) and code in known else None


def parse_permalink(params: Mapping[str, str], years: range, known: Collection[str]) -> Permalink:
    """Read ?year= and ?country=; anything unusable falls back to the default with a notice."""
    notices = []
    year = parse_year(params.get("year"), years)
    if year is None:
        year = years.stop - 1
        if "year" in params:
            notices.append(
                f"The link's year is not a year between {years.start} and {years.stop - 1}; "
                f"showing {year} instead."
            )
    country = parse_country(params.get("country"), known)
    if country is None and params.get("country"):
        notices.append("The link's country is not a code this map knows; showing no country.")
    return Permalink(year, country, tuple(notices))
