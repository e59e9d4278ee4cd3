"""The folium map: one map carrying every year, restyled in the browser by web/atlas.js.

`build_map(payload)` assembles a `folium.Map` whose JavaScript depends only on the payload
(render/payload.py): the view (year, country) is read from the page URL by atlas.js, so every
run of every session hands streamlit-folium the same map and it never remounts. By default the
map carries everything in its own script and style (the static atlas); given the payload's map
file (render/mapfile.py) it loads that file and carries only the rest (the app). No Streamlit here.
"""

import folium
import xyzservices
from branca.element import Element

from csto_atlas.data.alliance import Alliance
from csto_atlas.render.contract import (
    CiteConfig,
    ClientConfig,
    client_config,
    layer_names,
    script_json,
)
from csto_atlas.render.elements import AtlasControls, MarkerLayer, OfflineMap, RegionLayer
from csto_atlas.render.mapfile import MapFile, MapTexts, inline_texts, linked_texts
from csto_atlas.render.payload import MapPayload
from csto_atlas.render.style import MARKER_LOOK, marker_look

MIN_ZOOM = 2
MAX_ZOOM = 9


def offline_map(bounds: list[list[float]], texts: MapTexts) -> folium.Map:
    """A Leaflet map with no default tiles and Leaflet inlined or loaded with the map file
    (elements.OfflineMap)."""
    fmap = OfflineMap(
        texts.leaflet_js,
        texts.js_links,
        location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
        zoom_start=3,
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,
        min_zoom=MIN_ZOOM,
        max_zoom=MAX_ZOOM,
    )
    # Without tiles folium keeps min/max zoom to itself; Leaflet.markercluster needs them.
    fmap.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)
    return fmap


def base_layers() -> tuple[folium.map.Layer, folium.map.Layer]:
    """The two backgrounds: plain and offline (default), OpenStreetMap tiles (online, off)."""
    names = layer_names()
    plain = folium.FeatureGroup(name=names["plain"], overlay=False, show=True)
    osm = folium.TileLayer(
        # The provider itself, not its name: looking a name up walks all of xyzservices' providers.
        xyzservices.providers.OpenStreetMap.Mapnik,
        name=names["osm"],
        overlay=False,
        show=False,
        control=True,
    )
    return plain, osm


def region_layer(texts: MapTexts) -> RegionLayer:
    """The countries and breakaway regions."""
    return RegionLayer(texts.regions, name="Countries and regions", smooth_factor=0.5)


def marker_layer(texts: MapTexts, kind: str, alliance: Alliance | None) -> MarkerLayer:
    """One kind of marker, each carrying its years and texts (shown and restyled by atlas.js)."""
    look = marker_look(alliance)[kind]
    return MarkerLayer(texts.markers[kind], name=look["name"], show=look["show"])


def map_config(
    payload: MapPayload, cite: CiteConfig | None = None, own_page: bool = False, image_api: str = ""
) -> ClientConfig:
    """The client config of `payload`'s map (build_map's arguments as there)."""
    return client_config(
        payload.first,
        payload.last,
        payload.frame,
        payload.changes,
        payload.checked_until,
        payload.provisional_from,
        cite,
        own_page,
        image_api,
        payload.alliance,
    )


def build_map(
    payload: MapPayload,
    cite: CiteConfig | None = None,
    own_page: bool = False,
    image_api: str = "",
    map_file: MapFile | None = None,
) -> folium.Map:
    """The map of every year; atlas.js builds its year box, panel, legend and layer control,
    and (given `cite`) the citation of the view the map shows. `own_page`: the map is a page
    of its own (the static atlas, render/site.py) and keeps the view in its own URL.
    `image_api`: the app's HTTP API path, linked from the year box for the view's PNG and SVG
    ("" for none). `map_file`: the payload's map file (`mapfile.map_file(payload)`), which the
    map then loads and reads instead of carrying its code, style and payload itself."""
    texts = linked_texts(map_file) if map_file else inline_texts(payload)
    fmap = offline_map(payload.bounds, texts)
    backgrounds = base_layers()
    for layer in backgrounds:
        layer.add_to(fmap)
    countries = region_layer(texts).add_to(fmap)
    groups = {
        kind: marker_layer(texts, kind, payload.alliance).add_to(fmap) for kind in MARKER_LOOK
    }
    config = map_config(payload, cite, own_page, image_api)
    AtlasControls(
        backgrounds, countries, groups, script_json(config), texts.panels, texts.code_js, texts.css
    ).add_to(fmap)
    number_elements(fmap)
    return fmap


def number_elements(root: Element) -> None:
    """Give every element of the map a name from its place in the tree (`map_00000000`), not
    branca's random one, so the same payload always gives the same page: the static atlas is
    written byte for byte the same, and a map message is the same for every visitor."""
    elements = [root]
    for index, element in enumerate(elements):
        element._id = f"{index:08x}"
        elements.extend(element._children.values())
