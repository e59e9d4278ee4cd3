"""The map's data for every year, as plain cacheable data serialised to JSON once.

`map_payload(atlas, years)` gives the regions as GeoJSON whose features carry one status letter
per year, and marker records carrying their year span and their (escaped) tooltip and popup.
The map is rebuilt on every rerun (a folium.Map is never cached), so the layers embed these
JSON strings as they are: no per-feature Python, no re-serialising.
"""

import json
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import shapely

from csto_atlas.data.alliance import Alliance
from csto_atlas.data.dates import readable_date
from csto_atlas.data.load import Atlas
from csto_atlas.domain import borders
from csto_atlas.domain.changes import changes_in_year
from csto_atlas.domain.panel import panel_contents
from csto_atlas.domain.sources import checked_until, citations_by_id, provisional_from
from csto_atlas.domain.yearmodel import (
    LOOK_KEYS,
    feature_model,
    feature_table,
    region_names,
    years_model,
)
from csto_atlas.render import html
from csto_atlas.render.contract import (
    ChangeEntry,
    MarkerData,
    MarkerOptions,
    pack_json,
    script_json,
    status_codes,
    territory_codes,
    unpack_json,
)
from csto_atlas.render.style import FOCUS_PADDING_DEG, FRAME_MAX_SPAN_DEG, MARKER_LOOK

# The map opens on every state that was ever in the alliance (a suspended one included).
FRAMED_STATUSES = ("member", "frozen", "suspended")


@dataclass(frozen=True)
class MapPayload:
    """Everything the map draws, for every year: plain data, picklable, no folium objects.

    `regions_json` and `markers_json` are what the map's script embeds, serialised once here
    (the payload is cached per data folder) rather than by folium on every rerun, and held only
    so: `regions` and `markers` read them back (tests and tools, not the app); `bounds`
    likewise saves parsing the regions again. `panels_packed` is every region's prepared panel,
    packed (`contract.pack_json`): 290 kB for the bundled data, none of it needed for the first
    paint, a tenth of that packed (90 ms of the cold open in `python -m bench`).
    """

    first: int
    last: int
    regions_json: str
    markers_json: dict[str, str]
    bounds: list[list[float]]
    frame: list[list[float]]
    changes: dict[str, list[ChangeEntry]]
    panels_packed: str
    checked_until: str = ""
    provisional_from: int = 0  # the first year whose statuses are provisional (0: none)
    alliance: Alliance | None = None

    def panels(self) -> dict[str, str]:
        """Every region's prepared panel HTML, by code."""
        return unpack_json(self.panels_packed)

    @property
    def regions(self) -> dict[str, Any]:
        """The regions' FeatureCollection, read back from `regions_json`."""
        return json.loads(self.regions_json)

    @property
    def markers(self) -> dict[str, list[dict[str, Any]]]:
        """The marker records of every kind, read back from `markers_json`."""
        return {
            kind: [record_of(marker) for marker in json.loads(text)]
            for kind, text in self.markers_json.items()
        }


def letters(table: pd.DataFrame, codes: dict[str, str]) -> pd.Series:
    """Each row of a table (iso3 x years) as a string of one letter per year, first year first."""
    return table.apply(lambda column: column.map(codes)).agg("".join, axis=1)


def look_indices(table: pd.DataFrame) -> pd.Series:
    """Each row of a look table (iso3 x years) as a list of indices into the look table
    (`LOOK_KEYS`, the client config's `regionLooks`), first year first."""
    index = {key: number for number, key in enumerate(LOOK_KEYS)}
    return table.apply(lambda row: [index[key] for key in row], axis=1)


def kind_order(value: str) -> str:
    """Sort key drawing states before breakaways and annexed territories (which lie on top)."""
    return {"state": "0", "breakaway": "1", "annexed territory": "1"}.get(value, value)


def region_features(
    atlas: Atlas, years: range, model: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The regions as a GeoJSON FeatureCollection; each feature carries, per year (the year
    model, domain/yearmodel.py), its look (`looks`: an index into the look table), the status
    letter it is drawn with (`codes`: its parent's while part of its parent), its territory
    letter (`terr`), and the name of the state that annexed it (`by`, empty if none)."""
    regions = atlas.regions
    model = years_model(atlas, years) if model is None else model
    # Per feature: a region drawn in pieces (Nagorno-Karabakh) has pieces of different years.
    features = feature_model(atlas, model)
    last = features[features["year"] == years.stop - 1].set_index("feature")
    frame = regions.assign(
        codes=letters(feature_table(features, "status"), status_codes()),
        terr=letters(feature_table(features, "territory"), territory_codes()),
        looks=look_indices(feature_table(features, "look")),
        by=last["annexed_by_name"].fillna(""),
        parent=last["parent_name"].fillna(""),
    )
    frame = frame.sort_values(
        ["kind", "iso3"], key=lambda col: col.map(kind_order), kind="stable"
    ).set_index("iso3", drop=False)
    frame = frame[["iso3", "name", "kind", "parent", "codes", "terr", "looks", "by", "geometry"]]
    return frame.to_geo_dict(na="null", drop_id=False)


def marker_record(
    row: pd.Series, start: int, end: object, fade: bool, popup: str
) -> dict[str, Any]:
    """A marker: where, which years it shows, and its escaped tooltip and popup."""
    return {
        "id": str(row["id"]),
        "lat": float(row["lat"]),
        "lon": float(row["lon"]),
        "from": int(start),
        "to": None if end is None or pd.isna(end) else int(end),
        "fade": fade,
        "radius_km": float(row["radius_km"]),
        "tip": html.render_text(row["name"]),
        "popup": popup,
    }


def base_records(atlas: Atlas, citations: html.Citations) -> list[dict[str, Any]]:
    """Every base, shown from its start year to its end year."""
    names = region_names(atlas.regions)
    return [
        marker_record(
            row,
            row["start_year"],
            row["end_year"],
            False,
            html.base_popup(row, citations, names, atlas.alliance),
        )
        for _, row in atlas.bases.iterrows()
    ]


def incident_records(atlas: Atlas, citations: html.Citations) -> list[dict[str, Any]]:
    """Every incident (primary accounts), shown from its year on, faded after its year."""
    incidents = atlas.incidents
    primary = incidents[incidents["same_as"].isna()]
    return [
        marker_record(
            row,
            row["year"],
            None,
            True,
            html.incident_popup(
                row, incidents[incidents["same_as"] == row["id"]], citations, atlas.alliance
            ),
        )
        for _, row in primary.iterrows()
    ]


def meeting_records(atlas: Atlas, citations: html.Citations) -> list[dict[str, Any]]:
    """Every meeting, shown from its year on, faded after its year."""
    return [
        marker_record(row, row["year"], None, True, html.meeting_popup(row, citations))
        for _, row in atlas.meetings.iterrows()
    ]


def record_of(marker: dict[str, Any]) -> dict[str, Any]:
    """A marker's record (`marker_record`) read back from its options (`marker_options`)."""
    data = marker["options"]["csto"]
    return {
        "id": data["id"],
        "lat": marker["lat"],
        "lon": marker["lon"],
        "from": data["from"],
        "to": data["to"],
        "fade": data["fade"],
        "radius_km": data["radiusKm"],
        "tip": data["tip"],
        "popup": data["popup"],
    }


def marker_options(kind: str, records: list[dict[str, Any]]) -> list[MarkerOptions]:
    """Each marker's position and Leaflet options: this year's look, its years and texts."""
    look = MARKER_LOOK[kind]
    return [
        MarkerOptions(
            lat=record["lat"],
            lon=record["lon"],
            options={
                "radius": look["radius"],
                **look["current"],
                "pane": "markerPane",
                "csto": MarkerData(
                    kind=kind,
                    id=record["id"],
                    to=record["to"],
                    fade=record["fade"],
                    radius=look["radius"],
                    radiusKm=record["radius_km"],
                    tip=record["tip"],
                    popup=record["popup"],
                    **{"from": record["from"]},
                ),
            },
        )
        for record in records
    ]


def regions_bounds(regions: dict[str, Any]) -> list[list[float]]:
    """[[south, west], [north, east]] of a GeoJSON FeatureCollection."""
    minx, miny, maxx, maxy = shapely.bounds(shapely.from_geojson(json.dumps(regions))).tolist()
    return [[miny, minx], [maxy, maxx]]


def year_changes(atlas: Atlas, years: range) -> dict[str, list[ChangeEntry]]:
    """For every year with a change of status, its changes as the year box lists them, in the
    story's words (domain/changes.py: "Uzbekistan suspended", "Uzbekistan returned")."""
    changes: dict[str, list[ChangeEntry]] = {}
    for year in years:
        frame = changes_in_year(atlas, year)
        if not frame.empty:
            changes[str(year)] = [
                ChangeEntry(
                    iso3=row.iso3,
                    status=row.new_status,
                    text=f"{row.name} {row.kind}",
                )
                for row in frame.itertuples()
            ]
    return changes


def panels_html(atlas: Atlas, years: range, citations: html.Citations) -> dict[str, str]:
    """Every region's panel for every year, rendered once (autoescaped, items tagged by year)."""
    return {
        iso3: html.panel(content, citations, atlas.alliance)
        for iso3, content in panel_contents(atlas, years).items()
    }


def frame_bounds(
    atlas: Atlas, regions: dict[str, Any], markers: dict[str, list]
) -> list[list[float]]:
    """Where the map opens: the member states (any year) and every marker in `markers`.

    A member wider than FRAME_MAX_SPAN_DEG of longitude (Russia) does not stretch the frame: it
    is shown by its part round the others.
    """
    ever = set(atlas.membership.loc[atlas.membership["status"].isin(FRAMED_STATUSES), "iso3"])
    boxes = []
    for feature in regions["features"]:
        if feature["properties"]["iso3"] not in ever:
            continue
        (south, west), (north, east) = regions_bounds(
            {"type": "FeatureCollection", "features": [feature]}
        )
        if east - west <= FRAME_MAX_SPAN_DEG:
            boxes.append([[south, west], [north, east]])
    pad = FOCUS_PADDING_DEG
    boxes += [
        [[record["lat"] - pad, record["lon"] - pad], [record["lat"] + pad, record["lon"] + pad]]
        for records in markers.values()
        for record in records
    ]
    if not boxes:
        return regions_bounds(regions)
    return [
        [min(box[0][0] for box in boxes), min(box[0][1] for box in boxes)],
        [max(box[1][0] for box in boxes), max(box[1][1] for box in boxes)],
    ]


def shown_at_opening(markers: dict[str, list]) -> dict[str, list]:
    """The markers of the layers on when the map opens (the meetings, St Petersburg at 60 degrees
    N among them, are off: framing them gave the Arctic the top third of the map)."""
    return {kind: records for kind, records in markers.items() if MARKER_LOOK[kind]["show"]}


def with_border_distances(atlas: Atlas) -> Atlas:
    """The atlas whose incidents carry `border_km`, their distance to the nearest border of a
    member in their year (domain/borders.py), which popups and panels show."""
    distances = borders.incident_border_distance(atlas)
    incidents = atlas.incidents.assign(border_km=atlas.incidents["id"].map(distances).round(0))
    return replace(atlas, incidents=incidents)


def map_payload(atlas: Atlas, years: range) -> MapPayload:
    """Everything the map needs for every year in `years`, with its JSON serialised once."""
    atlas = with_border_distances(atlas)
    regions = region_features(atlas, years, years_model(atlas, years))
    citations = citations_by_id(atlas.sources)
    markers = {
        "bases": base_records(atlas, citations),
        "incidents": incident_records(atlas, citations),
        "meetings": meeting_records(atlas, citations),
    }
    return MapPayload(
        first=years.start,
        last=years.stop - 1,
        regions_json=script_json(regions),
        markers_json={
            kind: script_json(marker_options(kind, markers.get(kind, []))) for kind in MARKER_LOOK
        },
        bounds=regions_bounds(regions),
        frame=frame_bounds(atlas, regions, shown_at_opening(markers)),
        changes=year_changes(atlas, years),
        panels_packed=pack_json(panels_html(atlas, years, citations)),
        checked_until=readable_date(checked_until(atlas.sources)),
        provisional_from=provisional_from(atlas.sources) or 0,
        alliance=atlas.alliance,
    )
