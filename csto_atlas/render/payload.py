"""The map's data for every year, as plain cacheable data serialised to JSON once.

`map_payload(atlas, years)` gives the regions as GeoJSON whose features carry one status letter
per year, and marker records carrying their year span and their (escaped) tooltip and popup.
The map is rebuilt on every rerun (a folium.Map is never cached), so the layers embed these
JSON strings as they are: no per-feature Python, no re-serialising.
"""

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
import shapely

from csto_atlas.data.load import Atlas
from csto_atlas.data.schema import DEFAULT_STATUS
from csto_atlas.domain.geo import region_names
from csto_atlas.domain.sources import checked_until, citations_by_id
from csto_atlas.domain.territory import annexed_by, drawn_status_table, territories_table
from csto_atlas.render import html
from csto_atlas.render.contract import (
    MarkerData,
    MarkerOptions,
    script_json,
    status_codes,
    territory_codes,
)
from csto_atlas.render.style import FOCUS_PADDING_DEG, MARKER_LOOK


@dataclass(frozen=True)
class MapPayload:
    """Everything the map draws, for every year: plain data, picklable, no folium objects.

    `regions_json` and `markers_json` are what the map's script embeds, serialised once here
    (the payload is cached per data folder) rather than by folium on every rerun; `bounds`
    likewise saves parsing the regions again.
    """

    first: int
    last: int
    regions: dict[str, Any]
    markers: dict[str, list[dict[str, Any]]]
    regions_json: str
    markers_json: dict[str, str]
    bounds: list[list[float]]
    checked_until: str = ""


def year_codes(table: pd.DataFrame) -> pd.Series:
    """Each row of a status table (iso3 x years) as a string of status letters, first year first."""
    codes = status_codes()
    letters = table.apply(lambda column: column.map(codes))
    return letters.fillna(codes[DEFAULT_STATUS]).agg("".join, axis=1)


def territory_letters(table: pd.DataFrame) -> pd.Series:
    """Each row of a territory table (iso3 x years) as a string of territory letters."""
    codes = territory_codes()
    return table.apply(lambda column: column.map(codes)).agg("".join, axis=1)


def status_of(feature: dict[str, Any], first: int, year: int) -> str:
    """The status of a region feature in `year`, from its letters."""
    statuses = {code: status for status, code in status_codes().items()}
    codes = feature["properties"]["codes"]
    index = year - first
    return statuses.get(codes[index], DEFAULT_STATUS) if 0 <= index < len(codes) else DEFAULT_STATUS


def kind_order(value: str) -> str:
    """Sort key drawing states before breakaways and annexed territories (which lie on top)."""
    return {"state": "0", "breakaway": "1", "annexed territory": "1"}.get(value, value)


def region_features(atlas: Atlas, years: range) -> dict[str, Any]:
    """The regions as a GeoJSON FeatureCollection; each feature carries, per year, the status
    letter it is drawn with (`codes`: its parent's while part of its parent) and its territory
    letter (`terr`), and the name of the state that annexed it (`by`, empty if none)."""
    regions = atlas.regions
    names = region_names(regions)
    codes = year_codes(drawn_status_table(atlas, years))
    annexers = annexed_by(atlas, pd.Timestamp(years.stop - 1, 12, 31).date())
    frame = regions.assign(
        codes=regions["iso3"].map(codes),
        terr=regions["iso3"].map(territory_letters(territories_table(atlas, years))),
        by=regions["iso3"].map(lambda code: names.get(annexers.get(code, ""), "")),
        parent=regions["parent_iso3"].map(names).fillna(""),
    )
    frame = frame.sort_values(["kind", "iso3"], key=lambda col: col.map(kind_order)).set_index(
        "iso3", drop=False
    )
    frame = frame[["iso3", "name", "kind", "parent", "codes", "terr", "by", "geometry"]]
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
            row, row["start_year"], row["end_year"], False, html.base_popup(row, citations, names)
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
            html.incident_popup(row, incidents[incidents["same_as"] == row["id"]], citations),
        )
        for _, row in primary.iterrows()
    ]


def meeting_records(atlas: Atlas, citations: html.Citations) -> list[dict[str, Any]]:
    """Every meeting, shown from its year on, faded after its year."""
    return [
        marker_record(row, row["year"], None, True, html.meeting_popup(row, citations))
        for _, row in atlas.meetings.iterrows()
    ]


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


def map_payload(atlas: Atlas, years: range) -> MapPayload:
    """Everything the map needs for every year in `years`, with its JSON serialised once."""
    regions = region_features(atlas, years)
    citations = citations_by_id(atlas.sources)
    markers = {
        "bases": base_records(atlas, citations),
        "incidents": incident_records(atlas, citations),
        "meetings": meeting_records(atlas, citations),
    }
    return MapPayload(
        first=years.start,
        last=years.stop - 1,
        regions=regions,
        markers=markers,
        regions_json=script_json(regions),
        markers_json={
            kind: script_json(marker_options(kind, markers.get(kind, []))) for kind in MARKER_LOOK
        },
        bounds=regions_bounds(regions),
        checked_until=checked_until(atlas.sources),
    )


def focus_bounds(payload: MapPayload) -> list[list[float]]:
    """Where the map opens: around the markers of the layers shown at first (all regions if none)."""
    points = [
        record
        for kind, records in payload.markers.items()
        if MARKER_LOOK[kind]["show"]
        for record in records
    ]
    if not points:
        return payload.bounds
    lats = [record["lat"] for record in points]
    lons = [record["lon"] for record in points]
    pad = FOCUS_PADDING_DEG
    return [[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]]
