"""What changed between two years: every membership event that changed a country's status.

A year's status is the status on 31 December (csto_atlas.domain.status), so the changes between
`first_year` and `last_year` are the primary events taking effect after 31 December of
`first_year`, up to and including 31 December of `last_year`. An event takes effect at the end
of its date's period (`2013` on 2013-12-31), as in the status derivation. An event that leaves
the status as it was (the 1999 protocol, the 2002 Charter for a member) is not a change.

The other sources' accounts of an event (rows whose `same_as` names it) ride along with it in
`other_accounts`, and `other_dates` says them in a line, so a disagreement is never hidden.
"""

from datetime import date

import pandas as pd

from csto_atlas.data.events import ordered_events
from csto_atlas.data.load import Atlas
from csto_atlas.domain.sources import citations_by_id
from csto_atlas.domain.status import DEFAULT_STATUS, primary_events
from csto_atlas.domain.yearmodel import model_table, region_names, years_model

# Counted as members (in the member count and the border analytics): a frozen member is still
# a member in law; a suspended one is not counted.
MEMBER_STATUSES = ("member", "frozen")

# What a move from one status to another is called, most specific first: (old, new) -> word.
KIND_BY_MOVE = {
    ("former", "member"): "returned",
    ("suspended", "member"): "returned",
    ("frozen", "member"): "resumed participation",
    ("observer", "non-member"): "lost observer status",
}
KIND_BY_NEW_STATUS = {
    "member": "joined",
    "former": "left",
    "suspended": "suspended",
    "frozen": "froze participation",
    "observer": "became observer",
    "non-member": "became non-member",
}
CHANGE_COLUMNS = [
    "iso3",
    "name",
    "date",
    "precision",
    "year",
    "old_status",
    "new_status",
    "kind",
    "detail",
    "source_id",
    "locator",
    "quote",
    "id",
    "other_accounts",
    "other_dates",
]
ACCOUNT_FIELDS = ["id", "date", "precision", "detail", "source_id", "locator", "quote"]


def kind_of(old: str, new: str) -> str:
    """A readable word for a move between two statuses: joined, left, returned, suspended..."""
    return KIND_BY_MOVE.get((old, new), KIND_BY_NEW_STATUS.get(new, new))


def status_changes(membership: pd.DataFrame) -> pd.DataFrame:
    """Every primary event with the status before it (old_status), those that change it only."""
    events = ordered_events(membership)
    old = events.groupby("iso3")["status"].shift(1).fillna(DEFAULT_STATUS)
    events = events.assign(old_status=old, new_status=events["status"])
    return events[events["old_status"] != events["new_status"]]


def accounts_of(membership: pd.DataFrame, event_ids: pd.Series) -> pd.Series:
    """For each event id: the other sources' accounts of it, as a list of plain dicts."""
    others = membership[membership["same_as"].isin(set(event_ids))]
    others = others.sort_values("starts", kind="stable")
    records = others[[*ACCOUNT_FIELDS, "same_as"]].astype(object)
    records = records.where(records.notna(), None).to_dict("records")
    grouped: dict[str, list[dict]] = {}
    for record in records:
        grouped.setdefault(record.pop("same_as"), []).append(record)
    return event_ids.map(lambda event_id: grouped.get(event_id, []))


def dates_line(accounts: list[dict]) -> str:
    """`1993-09-09 (alliansfriheten-csto)`: the other accounts' dates and sources in a line."""
    return "; ".join(f"{account['date']} ({account['source_id']})" for account in accounts)


def changes_between(atlas: Atlas, first_year: int, last_year: int) -> pd.DataFrame:
    """Every status change taking effect after 31 Dec `first_year`, up to 31 Dec `last_year`.

    Columns: CHANGE_COLUMNS, in date order (ties in file order). Raises ValueError when
    `first_year` comes after `last_year`.
    """
    if first_year > last_year:
        raise ValueError(f"the first year ({first_year}) comes after the last ({last_year})")
    changes = status_changes(atlas.membership)
    after = pd.Timestamp(first_year, 12, 31)
    until = pd.Timestamp(last_year, 12, 31)
    changes = changes[(changes["ends"] > after) & (changes["ends"] <= until)]
    names = region_names(atlas.regions)
    accounts = accounts_of(atlas.membership, changes["id"])
    changes = changes.assign(
        name=changes["iso3"].map(names).fillna(changes["iso3"]),
        kind=[
            kind_of(o, n) for o, n in zip(changes["old_status"], changes["new_status"], strict=True)
        ],
        other_accounts=accounts,
        other_dates=accounts.map(dates_line),
    )
    return changes[CHANGE_COLUMNS].reset_index(drop=True)


def changes_in_year(atlas: Atlas, year: int) -> pd.DataFrame:
    """The status changes that took effect in `year` (what the map's year differs by): the
    map's year box ("2012: Uzbekistan suspended") and its outlines read this frame."""
    return changes_between(atlas, year - 1, year)


def changed_countries(changes: pd.DataFrame) -> list[str]:
    """The codes of the countries with a change in the list, in order of first change."""
    return list(dict.fromkeys(changes["iso3"]))


# --- the timeline: each country's statuses as spans of time ---------------------------------

SPAN_COLUMNS = [
    "iso3",
    "name",
    "status",
    "start",
    "end",
    "map_year",
    "event_id",
    "event",
    "date",
    "precision",
    "source_id",
    "source",
]
NO_EVENT = "no membership event yet (shown as the default, non-member)"


def timeline_countries(atlas: Atlas) -> list[str]:
    """The codes with a membership event: by the day they first took a status other than
    non-member (never: last), then by name."""
    names = region_names(atlas.regions)
    events = primary_events(atlas.membership)
    engaged = events["ends"].where(events["status"] != DEFAULT_STATUS)
    first = engaged.groupby(events["iso3"]).min().rename("first")
    order = first.reset_index().assign(name=lambda rows: rows["iso3"].map(names))
    return list(order.sort_values(["first", "name"], na_position="last")["iso3"])


def status_spans(atlas: Atlas, until: date) -> pd.DataFrame:
    """Each country's runs of one status, from the event that started them to the next, or `until`.

    A run starts when its event takes effect (end of the date's period, as the status derivation
    counts it). Before a country's first event a run of the default status (non-member) starts at
    the first event of all. `map_year` is the year whose map first shows the run.
    """
    events = ordered_events(atlas.membership)
    if events.empty:
        return pd.DataFrame(columns=SPAN_COLUMNS)
    previous = events.groupby("iso3")["status"].shift(1)
    starts = events[events["status"] != previous]
    origin = events["ends"].min()
    first_of = starts.groupby("iso3")["ends"].transform("min")
    defaults = starts[(first_of == starts["ends"]) & (starts["ends"] > origin)]
    defaults = defaults.assign(
        status=DEFAULT_STATUS, ends=origin, id=None, detail=NO_EVENT, date=None, precision=None
    ).assign(source_id=None)
    runs = pd.concat([defaults, starts]).sort_values(["iso3", "ends"], kind="stable")
    end = runs.groupby("iso3")["ends"].shift(-1).fillna(pd.Timestamp(until))
    names = region_names(atlas.regions)
    citations = citations_by_id(atlas.sources)
    spans = pd.DataFrame(
        {
            "iso3": runs["iso3"],
            "name": runs["iso3"].map(names).fillna(runs["iso3"]),
            "status": runs["status"],
            "start": runs["ends"],
            "end": end,
            "map_year": runs["ends"].dt.year.astype("int64"),
            "event_id": runs["id"],
            "event": runs["detail"].fillna(runs["status"]),
            "date": runs["date"],
            "precision": runs["precision"],
            "source_id": runs["source_id"],
            "source": runs["source_id"].map(citations),
        }
    )
    return spans[spans["end"] > spans["start"]].reset_index(drop=True)[SPAN_COLUMNS]


def uncertain_spans(atlas: Atlas) -> pd.DataFrame:
    """Where an event's date is uncertain: from the earliest to the latest day any account allows.

    An event is uncertain when another source dates it otherwise (`same_as`) or when its date
    is known only to the month or year. Columns: iso3, name, event_id, start, end, reason,
    accounts (each account's date and source, in a line).
    """
    membership = atlas.membership
    changing = status_changes(membership)
    accounts = pd.concat(
        [
            changing.assign(event_id=changing["id"]),
            membership[membership["same_as"].isin(set(changing["id"]))].assign(
                event_id=lambda rows: rows["same_as"]
            ),
        ]
    )
    citations = citations_by_id(atlas.sources)
    accounts = accounts.assign(
        said=accounts["date"] + " (" + accounts["source_id"].map(citations) + ")"
    )
    grouped = accounts.sort_values("starts", kind="stable").groupby("event_id", sort=False)
    spans = grouped.agg(
        iso3=("iso3", "first"),
        start=("starts", "min"),
        end=("ends", "max"),
        count=("id", "size"),
        accounts=("said", " · ".join),
    ).reset_index()
    spans = spans[spans["end"] > spans["start"]]
    names = region_names(atlas.regions)
    spans = spans.assign(
        name=spans["iso3"].map(names).fillna(spans["iso3"]),
        reason=spans["count"].map(
            lambda count: "sources disagree on the date" if count > 1 else "date known only roughly"
        ),
        end=spans["end"] + pd.Timedelta(days=1),  # to the end of the last possible day
    )
    columns = ["iso3", "name", "event_id", "start", "end", "reason", "accounts"]
    return spans[columns].reset_index(drop=True)


def member_counts(atlas: Atlas, years: range) -> pd.DataFrame:
    """How many countries are members (member or frozen) on 31 December of each year, from the
    model of a year (each region's own status: a region drawn as part of its parent is not
    counted twice)."""
    table = model_table(years_model(atlas, years), "own_status")
    counted = table.isin(MEMBER_STATUSES).sum(axis=0)
    return pd.DataFrame({"year": list(years), "members": counted.to_numpy().astype("int64")})
