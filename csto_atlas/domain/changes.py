"""What changed between two years: every membership event that changed a country's status.

A year's status is the status on 31 December (csto_atlas.domain.status), so the changes between
`first_year` and `last_year` are the primary events taking effect after 31 December of
`first_year`, up to and including 31 December of `last_year`. An event takes effect at the end
of its date's period (`2013` on 2013-12-31), as in the status derivation. An event that leaves
the status as it was (the 1999 protocol, the 2002 Charter for a member) is not a change.

The other sources' accounts of an event (rows whose `same_as` names it) ride along with it in
`other_accounts`, and `other_dates` says them in a line, so a disagreement is never hidden.
"""

import pandas as pd

from csto_atlas.data.load import Atlas
from csto_atlas.domain.status import DEFAULT_STATUS, primary_events

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
    events = primary_events(membership).sort_index().sort_values("ends", kind="stable")
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
    names = atlas.regions.drop_duplicates("iso3").set_index("iso3")["name"]
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
    """The status changes that took effect in `year` (what the map's year differs by)."""
    return changes_between(atlas, year - 1, year)


def changed_countries(changes: pd.DataFrame) -> list[str]:
    """The codes of the countries with a change in the list, in order of first change."""
    return list(dict.fromkeys(changes["iso3"]))
