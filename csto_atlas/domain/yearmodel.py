"""One model of a year: for every region, its status, the event behind it, its territory rule,
its display name and its look. Every view reads it: the map payload (and so atlas.js), the
images and the time-lapse, the Changes page's maps, the exports.

A region is drawn by its territory status on 31 December (territories.csv, csto_atlas.data
.territories): a state as itself; a breakaway region as its own region, hatched, in its own
status; a region that is part of its parent in its parent's status with no outline of its own;
an annexed territory in its own grey hatched look, never a status colour. A breakaway region in
a period of uncertain extent (geodata/periods.csv: the outline drawn is a later one, the area
held was different and has no public line) is hatched with the dotted "extent uncertain"
outline instead. The look is an abstract key (`LOOK_KEYS`): render/style.py says how each key is
drawn.
"""

from dataclasses import asdict, dataclass

import pandas as pd

from csto_atlas.data.events import in_effect_by_year
from csto_atlas.data.load import Atlas
from csto_atlas.data.periods import uncertain_years
from csto_atlas.data.schema import DEFAULT_STATUS, DEFAULT_TERRITORY, STATUSES

# The forms a region is drawn in (territory statuses; a state is "state").
DRAWN_FORMS = ("state", "breakaway", "part of parent")
# The look form of a breakaway region drawn in a period of uncertain extent.
UNCERTAIN_FORM = "extent uncertain"
ANNEXED_LOOK_KEY = "annexed"
LOOK_KEYS = (
    *(f"{form}:{status}" for form in (*DRAWN_FORMS, UNCERTAIN_FORM) for status in STATUSES),
    ANNEXED_LOOK_KEY,
)


@dataclass(frozen=True)
class RegionYear:
    """One region on 31 December of one year, as every view shows it."""

    iso3: str
    year: int
    name: str
    kind: str  # state, breakaway, annexed territory (countries.csv)
    parent_iso3: str  # "" for a state
    parent_name: str
    own_status: str  # its own membership status
    status: str  # the status it is drawn with: its parent's while it is part of its parent
    event_id: str | None  # the membership event behind `status` (None: the default)
    detail: str | None
    territory: str  # state, breakaway, part of parent, annexed
    territory_event_id: str | None
    annexed_by: str  # iso3 of the annexing state ("" unless annexed)
    annexed_by_name: str
    extent: str  # known, or uncertain: the outline drawn is not the area held (periods.csv)
    look: str  # one of LOOK_KEYS

    def as_record(self) -> dict[str, object]:
        return asdict(self)


def look_key(territory: str, status: str, extent: str = "known") -> str:
    """The look of a region drawn in `territory` form with `status` and `extent`."""
    if territory == "annexed":
        return ANNEXED_LOOK_KEY
    if territory == "breakaway" and extent == "uncertain":
        return f"{UNCERTAIN_FORM}:{status}"
    return f"{territory}:{status}"


def look_parts(key: str) -> tuple[str, str | None]:
    """(form, status) of a look key: ("breakaway", "member"); ("annexed", None)."""
    if key == ANNEXED_LOOK_KEY:
        return key, None
    form, status = key.split(":", 1)
    return form, status


def region_names(regions: pd.DataFrame) -> dict[str, str]:
    """Region code -> display name: the one mapping every view uses."""
    return dict(zip(regions["iso3"], regions["name"], strict=True))


def feature_model(atlas: Atlas, model: pd.DataFrame) -> pd.DataFrame:
    """The years model per feature of the geodata (one row per feature and year, `feature` the
    index of atlas.regions): what every drawing view draws. A region drawn in pieces held in
    different years (geodata/periods.csv: Nagorno-Karabakh) has one feature per piece, each with
    its own from_year / to_year; outside them the piece is drawn as part of its parent (its
    parent's status and event, territory "part of parent"), inside them as its region is."""
    regions = atlas.regions
    features = pd.DataFrame(
        {
            "feature": regions.index,
            "iso3": regions["iso3"].to_numpy(),
            "first": regions.get("from_year", pd.NA),
            "last": regions.get("to_year", pd.NA),
        }
    )
    rows = features.merge(model, on="iso3", how="left", sort=False)
    years = rows["year"]
    outside = (rows["first"].notna() & (years < rows["first"].fillna(years))) | (
        rows["last"].notna() & (years > rows["last"].fillna(years))
    )
    outside = outside.astype(bool) & (rows["parent_iso3"] != "")
    if outside.any():
        by_code = model.set_index(["iso3", "year"])
        keys = list(zip(rows.loc[outside, "parent_iso3"], rows.loc[outside, "year"], strict=True))
        parent = by_code.loc[keys, ["status", "event_id", "detail"]].set_axis(rows.index[outside])
        rows.loc[outside, ["status", "event_id", "detail"]] = parent
        rows.loc[outside, "territory"] = "part of parent"
        rows.loc[outside, "territory_event_id"] = None
        rows.loc[outside, ["annexed_by", "annexed_by_name"]] = ""
        rows.loc[outside, "extent"] = "known"
        rows.loc[outside, "look"] = [
            look_key("part of parent", status) for status in rows.loc[outside, "status"]
        ]
    return rows.drop(columns=["first", "last"]).sort_values(["year", "feature"], kind="stable")


def feature_table(features: pd.DataFrame, field: str) -> pd.DataFrame:
    """One field of a feature model as a table: rows the features (atlas.regions' index),
    columns the years."""
    return features.pivot(index="feature", columns="year", values=field)


def name_of(names: dict[str, str], code: object) -> str:
    """A code's display name, the code itself when the region is unknown, "" for none."""
    if not isinstance(code, str) or not code:
        return ""
    return names.get(code, code)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def years_model(atlas: Atlas, years: range) -> pd.DataFrame:
    """The model of every year in `years`: one row per region and year (year-major, regions in
    the geodata's order), columns the fields of RegionYear."""
    regions = atlas.regions.drop_duplicates("iso3")  # a region drawn in pieces is one region
    codes = list(regions["iso3"])
    names = region_names(regions)
    kinds = dict(zip(codes, regions["kind"], strict=True))
    parents = dict(zip(codes, regions["parent_iso3"].fillna(""), strict=True))
    own = in_effect_by_year(atlas.membership, codes, years, ["status", "id", "detail"])
    terr = in_effect_by_year(atlas.territories, codes, years, ["status", "id", "by_iso3"])
    uncertain = uncertain_years(atlas.periods, codes, years)
    own_by = own.set_index(["iso3", "year"])
    rows = []
    for (code, year, status, event_id, detail), (t_status, t_id, by) in zip(
        own.itertuples(index=False, name=None),
        terr[["status", "id", "by_iso3"]].itertuples(index=False, name=None),
        strict=True,
    ):
        own_status = status if isinstance(status, str) else DEFAULT_STATUS
        territory = t_status if isinstance(t_status, str) else DEFAULT_TERRITORY[kinds[code]]
        drawn = (own_status, event_id, detail)
        parent = parents[code]
        if territory == "part of parent" and parent in kinds:
            p_status, p_id, p_detail = own_by.loc[(parent, year)]
            drawn = (p_status if isinstance(p_status, str) else DEFAULT_STATUS, p_id, p_detail)
        annexer = by if territory == "annexed" and isinstance(by, str) else ""
        extent = "uncertain" if (code, int(year)) in uncertain else "known"
        rows.append(
            RegionYear(
                iso3=code,
                year=int(year),
                name=names[code],
                kind=kinds[code],
                parent_iso3=parent,
                parent_name=name_of(names, parent),
                own_status=own_status,
                status=drawn[0],
                event_id=_text(drawn[1]),
                detail=_text(drawn[2]),
                territory=territory,
                territory_event_id=_text(t_id),
                annexed_by=annexer,
                annexed_by_name=name_of(names, annexer),
                extent=extent,
                look=look_key(territory, drawn[0], extent),
            ).as_record()
        )
    return pd.DataFrame(rows, columns=list(RegionYear.__dataclass_fields__))


def year_model(atlas: Atlas, year: int) -> list[RegionYear]:
    """Every region on 31 December of `year`, in the geodata's order."""
    frame = years_model(atlas, range(year, year + 1)).astype(object)
    frame = frame.where(frame.notna(), None)
    return [RegionYear(**record) for record in frame.to_dict("records")]


def model_table(model: pd.DataFrame, field: str) -> pd.DataFrame:
    """One field of a years model as a table: rows the regions (in order), columns the years."""
    codes = list(dict.fromkeys(model["iso3"]))
    table = model.pivot(index="iso3", columns="year", values=field)
    return table.reindex(index=codes)
