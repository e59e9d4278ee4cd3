"""What a region's panel says: status, history, notes, bases, incidents (plain data).

`panel_content` gives everything a region's panel can show in any year, each item with the
years it applies to, so the browser only chooses what to show for the year on the slider.
render/html.py turns it into HTML; nothing here knows about HTML or Streamlit.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from csto_atlas.data.dates import readable_date
from csto_atlas.data.events import primary_events
from csto_atlas.data.load import Atlas
from csto_atlas.domain import geo
from csto_atlas.domain.sources import checked_until, provisional_from, short_citation
from csto_atlas.domain.yearmodel import model_table, region_names, years_model

Record = dict[str, Any]
# A membership event with the same date and detail for at least this many regions is the
# treaty's own event (the 1999 protocol, the 2002 Charter): the panel folds it away.
TREATY_WIDE_MIN = 3
# The text fields a reader sees, in which a row or source id is replaced by a citation.
READ_FIELDS = ("text", "detail", "summary", "name", "place_note")
# A word naming what an id is ("note hurriyet-2024-06-arm"): it goes with the id.
ID_WORD = r"(?:(?:note|incident|event|row|source|base|meeting)\s+)?"
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def plain(frame: pd.DataFrame) -> list[Record]:
    """Rows as dicts, every missing cell None."""
    return [plain_record(row) for row in frame.to_dict("records")]


def plain_record(row: Mapping[str, Any]) -> Record:
    """A row as a dict, every missing cell (None, NaN, NA, empty string) None."""
    return {key: None if is_missing(value) else value for key, value in row.items()}


def is_missing(value: object) -> bool:
    if isinstance(value, str):
        return not value
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def id_citations(atlas: Atlas) -> dict[str, str]:
    """Every source id and row id a text may mention -> the short citation of its source
    (`Hürriyet Daily News, Jun 2024`): what a reader sees instead of the id."""
    sources = {row["id"]: short_citation(row) for row in atlas.sources.to_dict("records")}
    tables = (atlas.membership, atlas.territories, atlas.notes, atlas.bases, atlas.incidents)
    rows = {
        row_id: sources[source_id]
        for table in tables
        for row_id, source_id in zip(table["id"], table["source_id"], strict=True)
        if source_id in sources
    }
    return rows | sources


def id_pattern(ids: Iterable[str]) -> re.Pattern[str]:
    """Any of `ids` as a whole word, with a word before it saying what it is."""
    words = "|".join(map(re.escape, sorted(ids, key=len, reverse=True)))
    return re.compile(rf"{ID_WORD}(?<![\w-])({words})(?![\w-])")


def for_reader(frame: pd.DataFrame, pattern: re.Pattern[str], cited: Mapping[str, str]):
    """A table whose texts name sources, not ids, with `quote_lang` "ru" for a Russian quote."""
    texts = {
        field: frame[field].str.replace(pattern, lambda match: cited[match.group(1)], regex=True)
        for field in READ_FIELDS
        if field in frame
    }
    russian = frame["quote"].str.contains(CYRILLIC, na=False)
    return frame.assign(**texts, quote_lang=russian.map({True: "ru", False: None}))


def with_accounts(rows: pd.DataFrame) -> list[Record]:
    """Primary rows, each with the other sources' accounts of it (its same_as rows) as `others`."""
    records = plain(rows)
    primary = [row for row in records if row["same_as"] is None]
    for row in primary:
        row["others"] = [other for other in records if other["same_as"] == row["id"]]
    return primary


def treaty_wide_ids(membership: pd.DataFrame) -> set[str]:
    """Ids of primary events shared (same date and detail) by TREATY_WIDE_MIN regions or more."""
    events = primary_events(membership)
    sizes = events.groupby(["date", "detail"], dropna=False)["iso3"].transform("nunique")
    return set(events.loc[sizes >= TREATY_WIDE_MIN, "id"])


def status_periods(row: pd.Series, events: list[Record]) -> list[Record]:
    """Runs of years with one status (a status table's row), each with the event that began it.

    The event is the region's first primary event of that status taking effect in the run's
    first year (None before any event: the default status).
    """
    periods: list[Record] = []
    for year, status in row.items():
        if periods and periods[-1]["status"] == status:
            periods[-1]["to"] = int(year)
            continue
        began = [e for e in events if e["status"] == status and e["ends"].year == int(year)]
        periods.append(
            {
                "from": int(year),
                "to": int(year),
                "status": status,
                "event": min(began, key=lambda e: e["ends"]) if began else None,
            }
        )
    return periods


def territory_periods(
    row: pd.Series, event_ids: pd.Series, events: list[Record], names: Mapping[str, str]
) -> list[Record]:
    """Runs of years with one territory status (state, breakaway, part of parent, annexed),
    each with the territory event in effect at its start (`event_ids`, the year model's; None:
    its kind's default) and, for an annexed run, the name of the state that annexed it."""
    by_id = {event["id"]: event for event in events}
    periods: list[Record] = []
    for year, territory in row.items():
        if periods and periods[-1]["territory"] == territory:
            periods[-1]["to"] = int(year)
            continue
        event = by_id.get(event_ids[year])
        annexer = event.get("by_iso3") if event and territory == "annexed" else None
        periods.append(
            {
                "from": int(year),
                "to": int(year),
                "territory": territory,
                "event": event,
                "annexed_by": names.get(annexer, annexer) if annexer else None,
            }
        )
    return periods


def drawn_periods(
    own: list[Record], parents: list[Record], territories: list[Record]
) -> list[Record]:
    """The status periods the panel states: the region's own while it is drawn as itself, its
    parent's (`of_parent`) while it is part of its parent, none while it is annexed."""
    pieces = []
    for run in territories:
        if run["territory"] == "annexed":
            continue
        of_parent = run["territory"] == "part of parent"
        for period in parents if of_parent else own:
            start, end = max(period["from"], run["from"]), min(period["to"], run["to"])
            if start <= end:
                pieces.append({**period, "from": start, "to": end, "of_parent": of_parent})
    return sorted(pieces, key=lambda piece: piece["from"])


def map_limits_of(atlas: Atlas) -> dict[str, str]:
    """Region code -> what the map does not show of its borders (countries.csv map_limits)."""
    if "map_limits" not in atlas.countries:
        return {}
    limits = atlas.countries.set_index("iso3")["map_limits"]
    return {iso3: text for iso3, text in limits.items() if not is_missing(text)}


def panel_contents(atlas: Atlas, years: range) -> dict[str, Record]:
    """Everything the panel of every region can show in `years`; every item carries its years.

    Treaty-wide events (shared by many regions, and not what set this region's status) are
    listed apart, for the panel to fold away. A region drawn as part of its parent states its
    parent's status in those years; an annexed one states who annexed it. The statuses'
    checked-until date belongs to the last year.
    """
    cited = id_citations(atlas)
    pattern = id_pattern(cited)
    readable = {
        name: for_reader(getattr(atlas, name), pattern, cited)
        for name in ("membership", "territories", "notes", "bases", "incidents")
    }
    names = region_names(atlas.regions)
    parents = geo.region_parents(atlas.regions)
    codes = list(atlas.regions["iso3"])
    model = years_model(atlas, years)
    table = model_table(model, "own_status")
    treaty_wide = treaty_wide_ids(atlas.membership)
    history = readable["membership"].sort_values(
        ["starts", "same_as"], na_position="first", kind="stable"
    )
    events_of = {iso3: with_accounts(rows) for iso3, rows in history.groupby("iso3", sort=False)}
    territories = model_table(model, "territory")
    territory_events = model_table(model, "territory_event_id")
    border_history = readable["territories"].sort_values(
        ["starts", "same_as"], na_position="first", kind="stable"
    )
    borders_of = {
        iso3: with_accounts(rows) for iso3, rows in border_history.groupby("iso3", sort=False)
    }
    limits = {
        iso3: pattern.sub(lambda match: cited[match.group(1)], text)
        for iso3, text in map_limits_of(atlas).items()
    }
    checked = readable_date(checked_until(atlas.sources)) or None
    notes = readable["notes"].assign(until=atlas.notes["year_end"].fillna(atlas.notes["year"]))
    notes_of = dict(list(notes.sort_values("year", kind="stable").groupby("iso3")))
    bases = readable["bases"].sort_values("start_year", kind="stable")
    bases_of = dict(list(bases.groupby("located_iso3")))
    incidents = readable["incidents"].sort_values("starts", kind="stable")
    incidents_of = dict(list(incidents.groupby("located_iso3")))
    empty = notes.iloc[:0]
    provisional = provisional_from(atlas.sources)
    contents = {}
    for iso3 in codes:
        events = events_of.get(iso3, [])
        own = status_periods(table.loc[iso3], events)
        # The year after the last in which an event stands in the status line: from then on
        # the history lists it (before, it would say the same thing twice).
        listed_from = {
            period["event"]["id"]: period["to"] + 1 for period in own if period["event"] is not None
        }
        shared = treaty_wide - set(listed_from)
        parent = parents[iso3]
        border_events = borders_of.get(iso3, [])
        runs = territory_periods(
            territories.loc[iso3], territory_events.loc[iso3], border_events, names
        )
        of_parent = (
            status_periods(table.loc[parent], events_of.get(parent, []))
            if parent in table.index
            else own
        )
        contents[iso3] = {
            "iso3": iso3,
            "name": names[iso3],
            "parent": names.get(parent, parent) if parent else None,
            "first": years.start,
            "last": years.stop - 1,
            "periods": drawn_periods(own, of_parent, runs),
            "territories": runs,
            "territory_events": border_events,
            "map_limits": limits.get(iso3),
            "checked_until": checked,
            "provisional_from": provisional,
            "events": [
                event | {"listed_from": listed_from.get(event["id"], event["year"])}
                for event in events
                if event["id"] not in shared
            ],
            "treaty_events": [event for event in events if event["id"] in shared],
            "notes": plain(notes_of.get(iso3, empty)),
            "bases": plain(bases_of.get(iso3, empty)),
            "incidents": with_accounts(incidents_of.get(iso3, incidents.iloc[:0])),
        }
    return contents
