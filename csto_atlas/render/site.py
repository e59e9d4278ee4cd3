"""The static atlas: the app's map as one page of its own (`python -m csto_atlas export site`).

The page is the app's map frame itself: the same `mapbuild.build_map` (Leaflet, markercluster,
atlas.js, its style and the payload all inlined), rendered by folium as a whole HTML page instead
of being handed to streamlit-folium. The only differences are the page around it (a title and a
language) and `own_page`, which tells atlas.js that the view (?year=, ?country=) lives in this
page's own URL rather than in the app's page around the map's frame. Leaflet's style takes its
images from the app's static/ folder; here they are written into the page as data: URLs, so the
page needs no other file and no network: it works opened from file:// and from any static host.
"""

import base64
import gzip
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import Figure

from csto_atlas.data.load import Atlas
from csto_atlas.data.version import DataVersion
from csto_atlas.domain import geo
from csto_atlas.domain.citation import cite_view_templates
from csto_atlas.domain.status import year_range
from csto_atlas.render import assets, mapbuild
from csto_atlas.render.contract import cite_config
from csto_atlas.render.payload import map_payload

INDEX = "index.html"
LEAFLET_IMAGES = tuple(name for name in assets.LEAFLET_FILES if name.startswith("images/"))


class SitePage(Figure):
    """branca's Figure (folium's whole page) with a language, and a line for browsers without
    JavaScript; the map and everything in it are the app's."""

    _template = folium.template.Template(
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        "<title>{{ this.title }}</title>\n"
        "    {{ this.header.render(**kwargs) }}\n"
        "</head>\n"
        "<body>\n"
        "<noscript><p>The {{ this.title }} needs JavaScript to draw its map.</p></noscript>\n"
        "    {{ this.html.render(**kwargs) }}\n"
        "</body>\n"
        "<script>\n"
        "    {{ this.script.render(**kwargs) }}\n"
        "</script>\n"
        "</html>\n"
    )


@dataclass(frozen=True)
class SiteFile:
    """One file of the static atlas and its size."""

    name: str
    data: bytes

    @property
    def gzipped_size(self) -> int:
        """Its size gzipped (level 9), as a static host would send it compressed."""
        return len(gzip.compress(self.data, compresslevel=9, mtime=0))


def leaflet_image_data_url(name: str) -> str:
    """One of Leaflet's images (`images/layers.png`) as a data: URL."""
    data = (assets.leaflet_source_dir() / name).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def inline_leaflet_images(html: str) -> str:
    """Point Leaflet's style at data: URLs instead of the app's static copy of its images."""
    for name in LEAFLET_IMAGES:
        served = f"url({assets.leaflet_image_url(name)})"
        html = html.replace(served, f"url({leaflet_image_data_url(name)})")
    return html


def site_html(atlas: Atlas, version: DataVersion, years: range | None = None) -> str:
    """The static atlas's page: the app's map of every year (default: the slider's years), with
    its citations, as a standalone HTML page."""
    years = years or year_range(atlas.membership)
    alliance = atlas.alliance  # the page's title and the citations', as in the app
    names = geo.region_names(atlas.regions)
    cite = cite_config(
        cite_view_templates(alliance.title, names, version, alliance.citation_author)
    )
    fmap = mapbuild.build_map(map_payload(atlas, years), cite, own_page=True)
    page = SitePage(title=alliance.title)
    page.add_child(fmap)
    return inline_leaflet_images(page.render())


def site_files(atlas: Atlas, version: DataVersion, years: range | None = None) -> list[SiteFile]:
    """Every file of the static atlas (one: index.html)."""
    return [SiteFile(INDEX, site_html(atlas, version, years).encode("utf-8"))]


def write_site(out: Path, files: list[SiteFile]) -> list[Path]:
    """Write the static atlas's files into `out` (made if missing); returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for file in files:
        target = out / file.name
        target.write_bytes(file.data)
        written.append(target)
    return written
