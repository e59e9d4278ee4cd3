"""All the HTML the app shows, from Jinja2 templates with autoescape on (render/templates/).

A dataset string reaches a page only through a template, so a new field is escaped without
anyone remembering to. Templates receive plain records whose missing cells are None.
"""

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import escape

from csto_atlas.data.alliance import Alliance
from csto_atlas.data.dates import readable_date
from csto_atlas.domain.evidence import BASE_KIND, FACT_KINDS, POSITION_KIND
from csto_atlas.domain.panel import is_missing, plain, plain_record
from csto_atlas.domain.sources import readable_note
from csto_atlas.render.style import status_labels, template_words

Record = dict[str, Any]
Citations = Mapping[str, str]
HTTP_URL = re.compile(r"https?://\S+")


@cache
def environment() -> Environment:
    """The one Jinja environment: package templates, autoescaped, undefined names are errors."""
    env = Environment(
        loader=PackageLoader("csto_atlas.render", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["http_url"] = is_http_url
    env.filters["readable_date"] = readable_date
    return env


def is_http_url(value: object) -> bool:
    """An http(s) URL: nothing else becomes a link."""
    return isinstance(value, str) and bool(HTTP_URL.fullmatch(value))


def render(template: str, **context: Any) -> str:
    """One template rendered with `context`."""
    return environment().get_template(template).render(**context)


def records(frame: pd.DataFrame) -> list[Record]:
    """The rows of a table as records whose missing cells are None."""
    return plain(frame)


def clean(record: Mapping[str, Any]) -> Record:
    """One record with its missing cells as None."""
    return plain_record(record)


def base_popup(
    row: Mapping[str, Any],
    citations: Citations,
    names: Mapping[str, str],
    alliance: Alliance | None = None,
) -> str:
    """A base: name, unit, host, years active, note, quote, citation and position."""
    return render(
        "base_popup.html.j2",
        row=clean(row),
        citations=citations,
        names=names,
        words=template_words(alliance),
    )


def incident_popup(
    row: Mapping[str, Any],
    others: pd.DataFrame,
    citations: Citations,
    alliance: Alliance | None = None,
) -> str:
    """An incident with every other source's account of it (its same_as rows)."""
    return render(
        "incident_popup.html.j2",
        row=clean(row),
        others=records(others),
        citations=citations,
        words=template_words(alliance),
    )


def meeting_popup(row: Mapping[str, Any], citations: Citations) -> str:
    """A meeting: name, dates, place, quote, citation and position."""
    return render("meeting_popup.html.j2", row=clean(row), citations=citations)


def panel(
    content: Mapping[str, Any], citations: Citations, alliance: Alliance | None = None
) -> str:
    """A region's panel for every year, from domain.panel.panel_content (items tagged by year)."""
    return render(
        "panel.html.j2",
        **content,
        status_labels=status_labels(alliance),
        citations=citations,
        words=template_words(alliance),
    )


# --- the Sources page -------------------------------------------------------------------

KIND_HEADINGS = {
    "Membership event": "Membership events",
    "Note": "Notes",
    "Incident": "Incidents",
    "Meeting": "Meetings",
    POSITION_KIND: "Positions (coordinates taken from this source)",
}


def fact_groups(facts: pd.DataFrame, alliance: Alliance | None = None) -> list[dict[str, Any]]:
    """The facts of one source by kind, in reading order, each kind with its heading (a base's:
    `alliance`'s name for its bases layer)."""
    headings = {**KIND_HEADINGS, BASE_KIND: template_words(alliance)["bases"]}
    groups = []
    for kind in (*FACT_KINDS, POSITION_KIND):
        rows = facts[facts["kind"] == kind].sort_values("sort", kind="stable")
        if not rows.empty:
            groups.append({"heading": headings[kind], "facts": rows.to_dict("records")})
    return groups


def source_html(
    source: Mapping[str, Any],
    facts: pd.DataFrame,
    short_citations: Mapping[str, str],
    alliance: Alliance | None = None,
) -> str:
    """One source: its metadata as a reader expects, then every fact citing it with its quote."""
    return render(
        "evidence/source.html.j2",
        kind=source.get("kind") or "",
        date=readable_date(source.get("date")),
        url=source.get("url") if is_http_url(source.get("url")) else "",
        note=readable_note(source.get("note"), short_citations),
        is_article=isinstance(source.get("file"), str) and bool(source.get("file")),
        supported=int((facts["kind"] != POSITION_KIND).sum()),
        groups=fact_groups(facts, alliance),
    )


def render_text(value: object) -> str:
    """A dataset string escaped for HTML, as a template would print it (a tooltip's text)."""
    return str(escape("" if is_missing(value) else value))
