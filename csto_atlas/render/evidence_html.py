"""HTML of the Sources page: one block per source, through autoescaped Jinja2 templates.

Every value reaches the page through a template with autoescape on (templates/evidence/), so a
dataset string is always shown as text. (When the shared csto_atlas/render/html.py environment
exists, these templates can move under it unchanged.)
"""

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import jinja2
import pandas as pd

from csto_atlas.data.dates import readable_date
from csto_atlas.domain.evidence import FACT_KINDS, POSITION_KIND
from csto_atlas.domain.sources import readable_note

SAFE_URL = re.compile(r"https?://\S+")
KIND_HEADINGS = {
    "Membership event": "Membership events",
    "Note": "Notes",
    "Russian base": "Russian bases",
    "Incident": "Incidents",
    "Meeting": "Meetings",
    POSITION_KIND: "Positions (coordinates taken from this source)",
}


@cache
def environment() -> jinja2.Environment:
    """The templates of this module, autoescaped."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("csto_atlas.render", "templates/evidence"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def safe_url(value: object) -> str:
    """An http(s) URL, or empty: nothing else becomes a link."""
    return value if isinstance(value, str) and SAFE_URL.fullmatch(value) else ""


def fact_groups(facts: pd.DataFrame) -> list[dict[str, Any]]:
    """The facts of one source by kind, in reading order, each kind with its heading."""
    groups = []
    for kind in (*FACT_KINDS, POSITION_KIND):
        rows = facts[facts["kind"] == kind].sort_values("sort", kind="stable")
        if not rows.empty:
            groups.append({"heading": KIND_HEADINGS[kind], "facts": rows.to_dict("records")})
    return groups


def source_html(
    source: Mapping[str, Any], facts: pd.DataFrame, short_citations: Mapping[str, str]
) -> str:
    """One source: its metadata as a reader expects, then every fact citing it with its quote."""
    return (
        environment()
        .get_template("source.html.j2")
        .render(
            kind=source.get("kind") or "",
            date=readable_date(source.get("date")),
            url=safe_url(source.get("url")),
            note=readable_note(source.get("note"), short_citations),
            is_article=isinstance(source.get("file"), str) and bool(source.get("file")),
            supported=int((facts["kind"] != POSITION_KIND).sum()),
            groups=fact_groups(facts),
        )
    )
