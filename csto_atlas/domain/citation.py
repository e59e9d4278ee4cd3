"""`Cite this view`: a ready citation of what the user sees, in plain text and in BibTeX.

The citation names the view (title, year, country), the data version it was drawn from (the
digest of the data files and the date the data was checked up to), the URL that reopens it and
the day it was accessed. BibTeX fields escape LaTeX's special characters; the URL goes into
biblatex's `url` field, where only braces, backslashes and spaces would break it (they are
percent-encoded).
"""

import re
from datetime import date

from csto_atlas.data.version import DataVersion

LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
URL_UNSAFE = {"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20"}


def view_title(title: str, year: int | str, country_name: str | None) -> str:
    """`CSTO Atlas: Tajikistan in 2019`, or `CSTO Atlas: the map in 2019` without a country."""
    subject = country_name or "the map"
    return f"{title}: {subject} in {year}"


def latex_escape(text: str) -> str:
    """Text with every LaTeX special character escaped."""
    return re.sub(r"[\\&%$#_{}~^]", lambda match: LATEX_SPECIALS[match.group(0)], text)


def bibtex_url(url: str) -> str:
    """A URL safe inside a BibTeX `url = {…}` field."""
    return "".join(URL_UNSAFE.get(character, character) for character in url)


def slug(text: str) -> str:
    """`Tajikistan` -> `tajikistan`: ASCII letters, digits and hyphens only."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def bibtex_key(year: int | str, country_name: str | None, version: DataVersion, title: str) -> str:
    """`csto-atlas-2019-tajikistan-1a2b3c` (the atlas's title first): ASCII letters, digits and
    hyphens only."""
    subject = slug(country_name or "map") or "view"
    return f"{slug(title) or 'atlas'}-{year}-{subject}-{version.digest[:6]}"


def cite_view(
    title: str,
    year: int,
    country_name: str | None,
    version: DataVersion,
    url: str,
    accessed: date,
    author: str | None = None,
) -> tuple[str, str]:
    """(plain text, BibTeX) citing one view of the atlas (`author`: by default the title's
    contributors)."""
    return citation_texts(
        title,
        str(year),
        country_name,
        version,
        url,
        str(accessed.year),
        day_month_year(accessed),
        accessed.isoformat(),
        author,
    )


def day_month_year(day: date) -> str:
    """`2 November 2026`: the day of access as the citations write it."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# The map's script cites the view the user sees, whatever year and country they move to: Python
# writes one citation per country with these slots, the browser fills them (atlas.js, fillCitation,
# as `fill_citation` below does). None of them holds a character that escaping would change.
YEAR_SLOT = "@@YEAR@@"
URL_SLOT = "@@URL@@"
ACCESSED_YEAR_SLOT = "@@ACCESSED_YEAR@@"
ACCESSED_ON_SLOT = "@@ACCESSED_ON@@"
URLDATE_SLOT = "@@URLDATE@@"


def cite_view_templates(
    title: str, country_names: dict[str, str], version: DataVersion, author: str | None = None
) -> dict[str, tuple[str, str]]:
    """(plain text, BibTeX) with slots, for the map ("") and for each country code."""
    names: dict[str, str | None] = {"": None, **country_names}
    return {
        code: citation_texts(
            title,
            YEAR_SLOT,
            name,
            version,
            URL_SLOT,
            ACCESSED_YEAR_SLOT,
            ACCESSED_ON_SLOT,
            URLDATE_SLOT,
            author,
        )
        for code, name in names.items()
    }


def fill_citation(text: str, year: int, url: str, accessed: date, bibtex: bool) -> str:
    """A citation template with its slots filled, as the map's script fills it."""
    for slot, value in (
        (YEAR_SLOT, str(year)),
        (URL_SLOT, bibtex_url(url) if bibtex else url),
        (ACCESSED_YEAR_SLOT, str(accessed.year)),
        (ACCESSED_ON_SLOT, day_month_year(accessed)),
        (URLDATE_SLOT, accessed.isoformat()),
    ):
        text = text.replace(slot, value)
    return text


def citation_texts(
    title: str,
    year: str,
    country_name: str | None,
    version: DataVersion,
    url: str,
    accessed_year: str,
    accessed_on: str,
    accessed_iso: str,
    author: str | None = None,
) -> tuple[str, str]:
    """(plain text, BibTeX) from the view's parts, each already written as text (`author`: by
    default the title's contributors)."""
    author = author or f"{title} contributors"
    full_title = view_title(title, year, country_name)
    checked = f", checked up to {version.checked_text}" if version.checked_text else ""
    data_note = f"Data version {version.digest}{checked}"
    plain = (
        f"{author}, “{full_title}” [map], {title}, {accessed_year}. "
        f"{data_note}. {url} (accessed {accessed_on})."
    )
    fields = [
        ("author", "{" + latex_escape(author) + "}"),
        ("title", "{" + latex_escape(full_title) + "}"),
        ("howpublished", latex_escape(f"{title}, interactive map")),
        ("year", accessed_year),
        ("url", bibtex_url(url)),
        ("urldate", accessed_iso),
        ("note", latex_escape(data_note)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    bibtex = f"@misc{{{bibtex_key(year, country_name, version, title)},\n{body}\n}}"
    return plain, bibtex
