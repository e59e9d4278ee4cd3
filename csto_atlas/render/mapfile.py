"""The map file: what every visitor's map frame has in common, as one content-addressed script.

The map's page needs Leaflet, Leaflet.markercluster, atlas.js, their styles, and the payload of
every year (the regions' geometry and looks, the markers, the panels): about 600 kB, the same for
every visitor of one release and one data version. The static atlas (render/site.py) inlines all
of it in its one page (`inline_texts`). The app's map instead loads it as one file named by its
content (`map_file`: `/atlas/<digest>.js`), which a browser and nginx may keep for a year, and
the map's message on the websocket carries only what the file does not: the map's set-up, the
client config and the citations (`linked_texts`).

Both are the same templates (render/elements.py) filled with either the texts themselves or
JavaScript expressions naming them in the file: `CstoAtlasData["<digest>"].regions` where the
static atlas has the regions' GeoJSON. The map's script names the file it reads, so a map built
for other data never reads this file's payload, and its text changes when the file does.
"""

import gzip
import hashlib
import json
from dataclasses import dataclass, field

from csto_atlas.render import assets
from csto_atlas.render.contract import script_json
from csto_atlas.render.payload import MapPayload
from csto_atlas.render.style import MARKER_LOOK
from csto_atlas.render.web import atlas_js, web_asset

# Where the app serves the map file (app/api.py): a path of its own at the server's root.
URL_PREFIX = "/atlas"
# The global object the map files fill, one entry per file (by its digest).
DATA_GLOBAL = "CstoAtlasData"
DIGEST_CHARS = 16
# Compressed once, with the file (the app makes it on the first run of the map page, which
# deploy/run's warm-up does before a replica takes traffic): level 6 took 90 ms for the bundled
# data, level 9 190 ms for 0.3 % less (204.2 and 203.5 kB of 626 kB).
GZIP_LEVEL = 6
MEDIA_TYPE = "text/javascript; charset=utf-8"


@dataclass(frozen=True)
class MapTexts:
    """What the map's elements embed: Leaflet's code (`leaflet_js`, first in the map's script),
    markercluster's and atlas.js (`code_js`), their style (`css`), the regions' GeoJSON, each
    kind's markers and the packed panels; and the script files the map loads before its script
    runs (`js_links`). Either the texts themselves or expressions naming them in a map file."""

    leaflet_js: str
    code_js: str
    css: str
    regions: str
    markers: dict[str, str]
    panels: str
    js_links: tuple[str, ...] = ()


def code_js() -> str:
    """Leaflet.markercluster, then atlas.js (Leaflet's own code starts the map's script)."""
    return assets.markercluster_js() + "\n" + atlas_js()


def map_css() -> str:
    """Leaflet's style (its images at the app's static copy), markercluster's, then ours."""
    return "\n".join((assets.leaflet_css(), assets.markercluster_css(), web_asset("atlas.css")))


def inline_texts(payload: MapPayload) -> MapTexts:
    """Everything as it is, for a map that loads no file (the static atlas)."""
    return MapTexts(
        leaflet_js=assets.leaflet_js(),
        code_js=code_js(),
        css=map_css(),
        regions=payload.regions_json,
        markers={kind: payload.markers_json[kind] for kind in MARKER_LOOK},
        panels=script_json(payload.panels_packed),
    )


@dataclass(frozen=True)
class MapFile:
    """One map file: its digest (its name is `<digest>.js`), its bytes and those gzipped."""

    digest: str
    data: bytes = field(repr=False)
    gzipped: bytes = field(repr=False)

    @property
    def name(self) -> str:
        return f"{self.digest}.js"

    @property
    def url(self) -> str:
        """Its path on the app's server."""
        return f"{URL_PREFIX}/{self.name}"


def entry(digest: str) -> str:
    """The JavaScript expression of a map file's entry in the global it fills."""
    return f"{DATA_GLOBAL}[{json.dumps(digest)}]"


def style_loader(css: str) -> str:
    """A script that adds `css` to the page's head as a style element, at once: the map's
    script runs after the file has run, so the page is styled before the map is drawn (a
    stylesheet link would load alongside the map's script, not before it)."""
    return (
        "(function () {\n"
        '  var style = document.createElement("style");\n'
        f"  style.textContent = {script_json(css)};\n"
        "  document.head.appendChild(style);\n"
        "})();\n"
    )


def map_file(payload: MapPayload) -> MapFile:
    """The map file of a payload: the style, Leaflet, markercluster, atlas.js, then the payload
    as the entry `CstoAtlasData[<digest>]`. The digest is SHA-256 over all of these texts, so
    the same code and data always give the same name and bytes, and any change a new name."""
    texts = inline_texts(payload)
    parts = (texts.css, texts.leaflet_js, texts.code_js, texts.regions, texts.panels)
    hasher = hashlib.sha256()
    for part in (*parts, *texts.markers.keys(), *texts.markers.values()):
        hasher.update(part.encode("utf-8") + b"\0")
    digest = hasher.hexdigest()[:DIGEST_CHARS]
    markers = ", ".join(f"{json.dumps(kind)}: {text}" for kind, text in texts.markers.items())
    body = "\n".join(
        (
            f"/* CSTO Atlas map file {digest}: everything the map shares with every visitor. */",
            style_loader(texts.css),
            texts.leaflet_js,
            texts.code_js,
            f"window.{DATA_GLOBAL} = window.{DATA_GLOBAL} || {{}};",
            f"{entry(digest)} = {{",
            f"  regions: {texts.regions},",
            f"  markers: {{{markers}}},",
            f"  panels: {texts.panels}",
            "};",
            "",
        )
    )
    data = body.encode("utf-8")
    return MapFile(digest, data, gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def linked_texts(file: MapFile) -> MapTexts:
    """References into `file`, for a map that loads it before its script runs (the app)."""
    data = entry(file.digest)
    return MapTexts(
        leaflet_js="",
        code_js="",
        css="",
        regions=f"{data}.regions",
        markers={kind: f"{data}.markers[{json.dumps(kind)}]" for kind in MARKER_LOOK},
        panels=f"{data}.panels",
        js_links=(file.url,),
    )
