"""The folium map: one map carrying every year, restyled in the browser by web/atlas.js.

`build_map(payload, year)` assembles a `folium.Map` whose JavaScript depends only on the
payload (render/payload.py) and the opening view, so Streamlit reruns hand streamlit-folium
the same map and it never remounts. No Streamlit here.
"""

import folium
import xyzservices

from csto_atlas.render import assets
from csto_atlas.render.contract import client_config, script_json
from csto_atlas.render.elements import AtlasControls, MarkerLayer, RegionLayer
from csto_atlas.render.payload import MapPayload, focus_bounds
from csto_atlas.render.style import FIT_PADDING_BOTTOM_RIGHT, FIT_PADDING_TOP_LEFT, MARKER_LOOK


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


def region_layer(payload: MapPayload) -> RegionLayer:
    """The countries and breakaway regions."""
    return RegionLayer(payload.regions_json, name="Countries and regions", smooth_factor=0.5)


def marker_layer(payload: MapPayload, kind: str) -> MarkerLayer:
    """One kind of marker, each carrying its years and texts (shown and restyled by atlas.js)."""
    look = MARKER_LOOK[kind]
    return MarkerLayer(payload.markers_json[kind], name=look["name"], show=look["show"])


def opening_view(payload: MapPayload) -> folium.map.FitBounds:
    """Fit the focus bounds at once: an animated fit would swallow the user's first zoom click."""
    fit = folium.map.FitBounds(
        focus_bounds(payload),
        padding_top_left=FIT_PADDING_TOP_LEFT,
        padding_bottom_right=FIT_PADDING_BOTTOM_RIGHT,
    )
    fit.options["animate"] = False
    return fit


def build_map(payload: MapPayload, year: int, selected: str | None = None) -> folium.Map:
    """The map opening on `year` (and `selected` outlined); same arguments, same JavaScript."""
    fmap = offline_map(payload.bounds)
    for layer in base_layers():
        layer.add_to(fmap)
    countries = region_layer(payload).add_to(fmap)
    groups = [marker_layer(payload, kind).add_to(fmap) for kind in MARKER_LOOK]
    config = client_config(payload.first, payload.last, year, selected, payload.checked_until)
    AtlasControls(countries, groups, script_json(config)).add_to(fmap)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    opening_view(payload).add_to(fmap)
    return fmap
