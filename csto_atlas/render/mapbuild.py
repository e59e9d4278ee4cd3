"""Folium map builders: one map carrying every year, restyled in the browser by web/atlas.js.

`map_payload(atlas, years)` turns the atlas into plain, cacheable data: the regions as GeoJSON
whose features carry one status letter per year, and marker records carrying their year span
and their (HTML-escaped) tooltip and popup, both also serialised to JSON once. `build_map(payload,
year)` turns that into a `folium.Map` whose JavaScript depends only on the payload and the
initial year, so Streamlit reruns hand streamlit-folium the same map and it never remounts.
The map is rebuilt on every rerun (a folium.Map is never cached), so building it is cheap: the
layers embed the payload's JSON strings as they are, with no per-feature Python and no
re-serialising. No Streamlit here.
"""

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import folium
import pandas as pd
import shapely
import shapely.affinity
import xyzservices
from branca.element import Element, MacroElement

from csto_atlas.data.load import Atlas
from csto_atlas.data.schema import STATUS_CODES
from csto_atlas.domain.sources import citations_by_id
from csto_atlas.domain.status import STATUSES, status_table
from csto_atlas.render import assets

STATUS_COLOURS = {
    "member": "#2f6db5",
    "frozen": "#8e7cc3",
    "suspended": "#e8a33d",
    "former": "#b8433a",
    "observer": "#8cc3e8",
    "non-member": "#dcdcd4",
}
FALLBACK_STATUS = "non-member"
PLAY_INTERVAL_MS = 900
MAP_HEIGHT_PX = 640
FOCUS_PADDING_DEG = 1.5
# Room kept clear of the controls when the map opens: the year box (top left), the layer
# control and the legend (right).
FIT_PADDING_TOP_LEFT = (10, 90)
FIT_PADDING_BOTTOM_RIGHT = (280, 10)

REGION_LOOK = {
    "fillOpacity": 0.88,
    "stroke": "#ffffff",
    "weight": 1,
    "breakawayStroke": "#4a2a6b",
    "breakawayWeight": 1.6,
    "breakawayDash": "5 3",
    "hatch": "#ffffff",
    "hoverStroke": "#1b1b1b",
    "hoverWeight": 2.5,
    "selectedStroke": "#111111",
    "selectedWeight": 3,
}

# Marker layers: their name, legend labels, the look of this year's markers and of earlier
# ones (None: shown only while active), radii, and whether the layer is on at first.
MARKER_LOOK: dict[str, dict[str, Any]] = {
    "bases": {
        "name": "Russian bases",
        "legend": "Russian base active that year",
        "current": {"color": "#ffffff", "weight": 2, "fillColor": "#1d1d1f", "fillOpacity": 1.0},
        "past": None,
        "radius": 6,
        "past_radius": 6,
        "show": True,
    },
    "incidents": {
        "name": "Incidents",
        "legend": "Incident that year",
        "legend_past": "Earlier incident",
        "current": {
            "color": "#5c0a0a",
            "weight": 2,
            "opacity": 1.0,
            "fillColor": "#e03a24",
            "fillOpacity": 0.95,
        },
        "past": {
            "color": "#7a3b3b",
            "weight": 1,
            "opacity": 0.45,
            "fillColor": "#e07a6a",
            "fillOpacity": 0.3,
        },
        "radius": 8,
        "past_radius": 5,
        "show": True,
    },
    "meetings": {
        "name": "Meetings",
        "legend": "Meeting that year",
        "legend_past": "Earlier meeting",
        "current": {
            "color": "#0d4d45",
            "weight": 2,
            "opacity": 1.0,
            "fillColor": "#2aa198",
            "fillOpacity": 0.95,
        },
        "past": {
            "color": "#3b6b66",
            "weight": 1,
            "opacity": 0.45,
            "fillColor": "#7cc4bc",
            "fillOpacity": 0.3,
        },
        "radius": 7,
        "past_radius": 4,
        "show": False,
    },
}

UI_TEXT = {
    "year": "Year",
    "play": "Play the years",
    "pause": "Pause",
    "legendTitle": "CSTO status on 31 December",
    "breakaway": "Breakaway region (hatched)",
    "breakawayOf": "Breakaway region of",
    "inYear": "in",
    "country": "Country",
    "chooseCountry": "Choose a country…",
}


# A row of a dataset (a pandas row or a record dict), and citations by source id.
Row = pd.Series | Mapping[str, Any]
Citations = Mapping[str, str]


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


def status_codes() -> dict[str, str]:
    """One letter per status, as the browser reads it."""
    return dict(STATUS_CODES)


def year_codes(table: pd.DataFrame) -> pd.Series:
    """Each row of a status table (iso3 x years) as a string of status letters, first year first."""
    letters = table.apply(lambda column: column.map(status_codes()))
    return letters.fillna(status_codes()[FALLBACK_STATUS]).agg("".join, axis=1)


def unwrap_antimeridian(geometry: shapely.Geometry) -> shapely.Geometry:
    """Shift polygon parts lying wholly west of -150° by +360°, so Chukotka sits beside Russia."""
    parts = list(getattr(geometry, "geoms", [geometry]))
    moved = [
        shapely.affinity.translate(part, xoff=360.0) if part.bounds[2] < -150 else part
        for part in parts
    ]
    return moved[0] if len(moved) == 1 else shapely.MultiPolygon(moved)


def region_features(atlas: Atlas, years: range) -> dict[str, Any]:
    """The regions as a GeoJSON FeatureCollection; each feature carries its status letters."""
    regions = atlas.regions
    codes = year_codes(status_table(atlas.membership, list(regions["iso3"]), years))
    names = dict(zip(regions["iso3"], regions["name"], strict=True))
    frame = regions.assign(
        codes=regions["iso3"].map(codes),
        parent=regions["parent_iso3"].map(names).fillna(""),
        geometry=regions.geometry.map(unwrap_antimeridian),
    )
    frame = frame.sort_values(["kind", "iso3"], key=lambda col: col.map(kind_order)).set_index(
        "iso3", drop=False
    )
    frame = frame[["iso3", "name", "kind", "parent", "codes", "geometry"]]
    return frame.to_geo_dict(na="null", drop_id=False)


def kind_order(value: str) -> str:
    """Sort key drawing states before breakaway regions (which must lie on top)."""
    return {"state": "0", "breakaway": "1"}.get(value, value)


def esc(value: object) -> str:
    """HTML-escaped text of a cell; empty for a missing value."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def cite(citations: Citations, row: Row) -> str:
    """The row's citation (author, title, publisher, date and locator), escaped."""
    text = citations[row["source_id"]]
    locator = row.get("locator")
    return esc(text) + (f", {esc(locator)}" if isinstance(locator, str) and locator else "")


def quote_html(row: Row) -> str:
    """The row's verbatim quote as a blockquote, or nothing."""
    quote = row.get("quote")
    return f"<blockquote>“{esc(quote)}”</blockquote>" if isinstance(quote, str) and quote else ""


def evidence_html(citations: Citations, row: Row) -> str:
    """Quote and citation of a row."""
    return f'{quote_html(row)}<div class="csto-cite">{cite(citations, row)}</div>'


def position_html(citations: Citations, row: Row) -> str:
    """How precise a marker's position is, and where its coordinates come from."""
    source = citations[row["coord_source_id"]]
    return (
        f'<div class="csto-cite">Position: {esc(row["coord_precision"])}, from {esc(source)}</div>'
    )


def region_name(atlas: Atlas, iso3: object) -> str:
    """The display name of a region code (the code itself when unknown), escaped."""
    names = dict(zip(atlas.regions["iso3"], atlas.regions["name"], strict=True))
    return esc(names.get(iso3, iso3))


def years_text(start: object, end: object) -> str:
    """`1999–2012`, or `1999–today` when still active."""
    end_text = "today" if pd.isna(end) else str(int(end))
    return f"{int(start)}–{end_text}"


def base_popup(atlas: Atlas, citations: Citations, row: Row) -> str:
    """Popup HTML of a base: name, unit, host, years active, note, quote and citation."""
    where = region_name(atlas, row["host_iso3"])
    if isinstance(row.get("region_iso3"), str) and row["region_iso3"]:
        where = f"{region_name(atlas, row['region_iso3'])} ({where})"
    unit = f"<div>{esc(row['unit'])}</div>" if isinstance(row.get("unit"), str) else ""
    note = f"<div>{esc(row['note'])}</div>" if isinstance(row.get("note"), str) else ""
    return (
        f"<h4>{esc(row['name'])}</h4>{unit}"
        f"<div>Russian base in {where}, active {years_text(row['start_year'], row['end_year'])}</div>"
        f"{note}{evidence_html(citations, row)}{position_html(citations, row)}"
    )


def incident_facts(row: Row) -> str:
    """Date, toll and summary of one account of an incident."""
    killed = "" if pd.isna(row.get("killed")) else f" · {int(row['killed'])} killed"
    return f"<div>{esc(row['date'])}{killed}</div><div>{esc(row.get('summary'))}</div>"


def incident_popup(citations: Citations, row: Row, others: pd.DataFrame) -> str:
    """Popup HTML of an incident, with every other source's account of it (same_as rows)."""
    alternatives = "".join(
        f'<div class="csto-alt"><em>Another account:</em>{incident_facts(other)}'
        f"{evidence_html(citations, other)}</div>"
        for _, other in others.iterrows()
    )
    return (
        f"<h4>{esc(row['name'])}</h4>{incident_facts(row)}{evidence_html(citations, row)}"
        f"{position_html(citations, row)}{alternatives}"
    )


def meeting_popup(citations: Citations, row: Row) -> str:
    """Popup HTML of a meeting: name, dates, place, quote and citation."""
    until = f" to {esc(row['end_date'])}" if isinstance(row.get("end_date"), str) else ""
    return (
        f"<h4>{esc(row['name'])}</h4><div>{esc(row['date'])}{until}</div>"
        f"<div>{esc(row.get('place'))}</div>{evidence_html(citations, row)}"
        f"{position_html(citations, row)}"
    )


def marker_record(row: Row, start: int, end: int | None, fade: bool, popup: str) -> dict[str, Any]:
    """A marker: where, which years it shows, and its escaped tooltip and popup."""
    return {
        "id": str(row["id"]),
        "lat": float(row["lat"]),
        "lon": float(row["lon"]),
        "from": int(start),
        "to": None if end is None or pd.isna(end) else int(end),
        "fade": fade,
        "tip": esc(row["name"]),
        "popup": popup,
    }


def base_records(atlas: Atlas, citations: Citations) -> list[dict[str, Any]]:
    """Every base, shown from its start year to its end year."""
    return [
        marker_record(
            row, row["start_year"], row["end_year"], False, base_popup(atlas, citations, row)
        )
        for _, row in atlas.bases.iterrows()
    ]


def incident_records(atlas: Atlas, citations: Citations) -> list[dict[str, Any]]:
    """Every incident (primary accounts), shown from its year on, faded after its year."""
    incidents = atlas.incidents
    primary = incidents[incidents["same_as"].isna()]
    return [
        marker_record(
            row,
            row["year"],
            None,
            True,
            incident_popup(citations, row, incidents[incidents["same_as"] == row["id"]]),
        )
        for _, row in primary.iterrows()
    ]


def meeting_records(atlas: Atlas, citations: Citations) -> list[dict[str, Any]]:
    """Every meeting, shown from its year on, faded after its year."""
    return [
        marker_record(row, row["year"], None, True, meeting_popup(citations, row))
        for _, row in atlas.meetings.iterrows()
    ]


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
    )


def marker_options(kind: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each marker's position and Leaflet options: this year's look, its years and texts."""
    look = MARKER_LOOK[kind]
    return [
        {
            "lat": record["lat"],
            "lon": record["lon"],
            "options": {
                "radius": look["radius"],
                **look["current"],
                "pane": "markerPane",
                "csto": {
                    "kind": kind,
                    "from": record["from"],
                    "to": record["to"],
                    "fade": record["fade"],
                    "radius": look["radius"],
                    "tip": record["tip"],
                    "popup": record["popup"],
                },
            },
        }
        for record in records
    ]


def regions_bounds(regions: dict[str, Any]) -> list[list[float]]:
    """[[south, west], [north, east]] of a GeoJSON FeatureCollection."""
    minx, miny, maxx, maxy = shapely.bounds(shapely.from_geojson(json.dumps(regions))).tolist()
    return [[miny, minx], [maxy, maxx]]


@cache
def web_asset(name: str) -> str:
    """The text of one of our own web files (csto_atlas/web/)."""
    return resources.files("csto_atlas.render").joinpath("web", name).read_text(encoding="utf-8")


def status_of(feature: dict[str, Any], first: int, year: int) -> str:
    """The status of a region feature in `year`, from its letters."""
    letters = {code: status for status, code in status_codes().items()}
    codes = feature["properties"]["codes"]
    index = year - first
    return (
        letters.get(codes[index], FALLBACK_STATUS) if 0 <= index < len(codes) else FALLBACK_STATUS
    )


class Verbatim(Element):
    """Text that goes into the page as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class VerbatimMacro(MacroElement):
    """A MacroElement whose rendered macros go into the page as they are.

    branca's MacroElement.render wraps each macro's output in an Element, which compiles it as
    a Jinja template: for the regions' GeoJSON alone that took about 20 ms, and st_folium
    renders the map on every rerun.
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        for part in ("header", "html", "script"):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                getattr(figure, part).add_child(Verbatim(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class RegionLayer(VerbatimMacro, folium.map.Layer):
    """The countries and breakaway regions, from the payload's pre-serialised GeoJSON.

    Each path gets its classes (`csto-region csto-iso-XXX`) here; atlas.js colours them for
    the opening year before the first paint, and for every year after.
    """

    _template = folium.template.Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJson({{ this.data_json }}, {
                smoothFactor: {{ this.smooth_factor }},
                style: function (feature) {
                    return {className: "csto-region csto-iso-" + feature.properties.iso3};
                }
            }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data_json: str, name: str, smooth_factor: float = 0.5) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "RegionLayer"
        self.data_json = data_json
        self.smooth_factor = smooth_factor


class MarkerLayer(VerbatimMacro, folium.map.Layer):
    """One toggleable layer of circle markers, from pre-serialised positions and options."""

    _template = folium.template.Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup();
            {{ this.markers_json }}.forEach(function (marker) {
                L.circleMarker([marker.lat, marker.lon], marker.options)
                    .addTo({{ this.get_name() }});
            });
            {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, markers_json: str, name: str, show: bool) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "MarkerLayer"
        self.markers_json = markers_json


def region_layer(payload: MapPayload) -> RegionLayer:
    """The countries and breakaway regions."""
    return RegionLayer(payload.regions_json, name="Countries and regions", smooth_factor=0.5)


def marker_layer(payload: MapPayload, kind: str) -> MarkerLayer:
    """One kind of marker, each carrying its years and texts (shown and restyled by atlas.js)."""
    look = MARKER_LOOK[kind]
    return MarkerLayer(payload.markers_json[kind], name=look["name"], show=look["show"])


def client_config(payload: MapPayload, year: int, selected: str | None) -> dict[str, Any]:
    """What atlas.js needs: years, status letters and colours, marker looks, texts."""
    codes = status_codes()
    legend_markers = []
    for look in MARKER_LOOK.values():
        legend_markers.append({"label": look["legend"], **look["current"]})
        if look["past"]:
            legend_markers.append({"label": look["legend_past"], **look["past"]})
    return {
        "first": payload.first,
        "last": payload.last,
        "year": year,
        "selected": selected,
        "fallback": codes[FALLBACK_STATUS],
        "statuses": [
            {
                "code": codes[status],
                "name": status,
                "label": status.capitalize(),
                "colour": STATUS_COLOURS[status],
            }
            for status in STATUSES
        ],
        "look": REGION_LOOK,
        "markerLook": {
            kind: {
                "current": look["current"],
                "past": look["past"],
                "pastRadius": look["past_radius"],
            }
            for kind, look in MARKER_LOOK.items()
        },
        "legendMarkers": [
            {"label": item["label"], "color": item["color"], "fillColor": item["fillColor"]}
            | {"opacity": item.get("opacity", 1.0)}
            for item in legend_markers
        ],
        "playMs": PLAY_INTERVAL_MS,
        "text": UI_TEXT,
    }


class AtlasControls(VerbatimMacro):
    """Our own JS and CSS: the year slider and Play button, the legend, restyling by year."""

    _template = folium.template.Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            {{ this.js }}
            CstoAtlas.attach(
                {{ this._parent.get_name() }},
                {
                    countries: {{ this.countries.get_name() }},
                    markers: [{% for group in this.groups %}{{ group.get_name() }}, {% endfor %}]
                },
                {{ this.config_json }}
            );
        {% endmacro %}
        """
    )

    def __init__(
        self,
        countries: RegionLayer,
        groups: list[MarkerLayer],
        config: dict[str, Any],
    ) -> None:
        super().__init__()
        self._name = "AtlasControls"
        self.countries = countries
        self.groups = groups
        self.config_json = script_json(config)
        self.js = web_asset("atlas.js")
        self.css = web_asset("atlas.css")


def script_json(value: object) -> str:
    """JSON safe to place inside a <script> element (no `<`, `>`, `&` or `'` left raw)."""
    return (
        json.dumps(value, sort_keys=True, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


def offline_map(bounds: list[list[float]]) -> folium.Map:
    """A Leaflet map with no default tiles, loading Leaflet only from the app's own static files."""
    fmap = folium.Map(
        location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
        zoom_start=3,
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,
        min_zoom=2,
        max_zoom=9,
    )
    fmap.default_js = [("leaflet", assets.leaflet_js_url())]
    fmap.default_css = [("leaflet_css", assets.leaflet_css_url())]
    return fmap


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


def base_layers() -> list[folium.map.Layer]:
    """The two backgrounds: plain and offline (default), OpenStreetMap tiles (online, off)."""
    plain = folium.FeatureGroup(name="Plain background (offline)", overlay=False, show=True)
    osm = folium.TileLayer(
        # The provider itself, not its name: looking a name up walks all of xyzservices' providers.
        xyzservices.providers.OpenStreetMap.Mapnik,
        name="OpenStreetMap (online)",
        overlay=False,
        show=False,
        control=True,
    )
    return [plain, osm]


def build_map(payload: MapPayload, year: int, selected: str | None = None) -> folium.Map:
    """The map opening on `year` (and `selected` outlined); same arguments, same JavaScript."""
    fmap = offline_map(payload.bounds)
    for layer in base_layers():
        layer.add_to(fmap)
    countries = region_layer(payload).add_to(fmap)
    groups = [marker_layer(payload, kind).add_to(fmap) for kind in MARKER_LOOK]
    AtlasControls(countries, groups, client_config(payload, year, selected)).add_to(fmap)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    opening_view(payload).add_to(fmap)
    return fmap


def opening_view(payload: MapPayload) -> folium.map.FitBounds:
    """Fit the focus bounds at once: an animated fit would swallow the user's first zoom click."""
    fit = folium.map.FitBounds(
        focus_bounds(payload),
        padding_top_left=FIT_PADDING_TOP_LEFT,
        padding_bottom_right=FIT_PADDING_BOTTOM_RIGHT,
    )
    fit.options["animate"] = False
    return fit
