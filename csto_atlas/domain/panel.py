"""What a region's panel says in one year: status, history, notes, bases, incidents (plain data).

render/html.py turns this into HTML; nothing here knows about HTML or Streamlit.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from csto_atlas.data.load import Atlas
from csto_atlas.data.schema import DEFAULT_STATUS
from csto_atlas.domain import geo
from csto_atlas.domain.sources import checked_until
from csto_atlas.domain.status import status_on
from csto_atlas.domain.territory import annexed_by, territory_in

Record = dict[str, Any]


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


def status_in(atlas: Atlas, iso3: str, year: int) -> tuple[str, str | None]:
    """A region's status and the event's detail on 31 December of `year`."""
    in_effect = status_on(atlas.membership, date(year, 12, 31))
    if iso3 not in in_effect.index:
        return DEFAULT_STATUS, None
    detail = in_effect.at[iso3, "detail"]
    return in_effect.at[iso3, "status"], detail if isinstance(detail, str) else None


def history_events(atlas: Atlas, iso3: str, table: str = "membership") -> list[Record]:
    """Primary events (membership, or territories) in date order, each with the other
    sources' accounts of it."""
    events = plain(geo.history(atlas, iso3, table))
    primary = [event for event in events if event["same_as"] is None]
    for event in primary:
        event["others"] = [other for other in events if other["same_as"] == event["id"]]
    return primary


def panel_view(atlas: Atlas, iso3: str, year: int) -> Record:
    """Everything the panel of `iso3` shows for `year`."""
    names = geo.region_names(atlas.regions)
    parent = geo.region_parents(atlas.regions)[iso3]
    status, detail = status_in(atlas, iso3, year)
    territory, territory_detail = territory_in(atlas, iso3, year)
    if territory == "part of parent":
        status, detail = status_in(atlas, parent, year)
    annexer = annexed_by(atlas, date(year, 12, 31)).get(iso3)
    limits = atlas.countries.set_index("iso3")["map_limits"].get(iso3)
    active = set(geo.bases_active(atlas, year)["id"])
    bases = plain(geo.points_in(atlas.bases, iso3))
    for base in bases:
        base["active"] = base["id"] in active
    return {
        "iso3": iso3,
        "year": year,
        "name": names[iso3],
        "parent": names.get(parent, parent) if parent else None,
        "status": status,
        "detail": detail,
        "territory": territory,
        "territory_detail": territory_detail,
        "annexed_by": names.get(annexer, annexer) if annexer else None,
        "map_limits": None if is_missing(limits) else limits,
        "checked_until": checked_until(atlas.sources) if year == date.today().year else None,
        "events": history_events(atlas, iso3),
        "territory_events": history_events(atlas, iso3, "territories"),
        "notes": plain(geo.notes_until(atlas, year, iso3).sort_values("year", ascending=False)),
        "bases": bases,
        "incidents": plain(geo.points_in(geo.incidents_until(atlas, year), iso3)),
    }
