"""Offline Leaflet and Leaflet.markercluster, from the xstatic-leaflet and
xstatic-leaflet-markercluster packages: nothing comes from a CDN.

Both are inlined into the map's own script and style (elements.OfflineMap, AtlasControls):
streamlit-folium fetches a map's script files one after another, after its own frame has loaded
and before it runs the map, so every file was one more round trip before the first paint
(Leaflet's own cost the cold open about 40 ms in `python -m bench.against`; markercluster's, as a
second file, about 50 ms in `python -m bench`).

Leaflet's files are still copied into the app's static/ folder, which Streamlit serves at
`/app/static/` (`server.enableStaticServing`): the inlined style takes Leaflet's images (the
layer control's icon) from there, and the benchmark's naive baseline loads Leaflet from its own
copy the classic way. Nothing is written into the installed package; the copy is made by
`publish_leaflet()`, called explicitly when the app starts.
"""

import filecmp
import hashlib
import os
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path

from csto_atlas.data import paths

STATIC_DIR = paths.REPO_DIR / "static"
STATIC_URL = "/app/static"
LEAFLET_FOLDER = "leaflet"
MARKERCLUSTER_JS = "leaflet.markercluster.js"
MARKERCLUSTER_CSS = ("MarkerCluster.css", "MarkerCluster.Default.css")
SOURCE_MAP_COMMENT = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)
STYLE_IMAGE = re.compile(r"url\((images/[^)]+)\)")
LEAFLET_FILES = (
    "leaflet.js",
    "leaflet.js.map",
    "leaflet.css",
    "images/layers.png",
    "images/layers-2x.png",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)


def leaflet_source_dir() -> Path:
    """The folder of Leaflet's files inside the installed xstatic-leaflet package."""
    from xstatic.pkg import leaflet

    return Path(leaflet.BASE_DIR)


def markercluster_source_dir() -> Path:
    """The folder of Leaflet.markercluster's files inside xstatic-leaflet-markercluster."""
    from xstatic.pkg import leaflet_markercluster

    return Path(leaflet_markercluster.BASE_DIR)


@cache
def leaflet_js() -> str:
    """leaflet.js, to start the map's script (without its source-map comment: the map's script
    has no file for the browser to look the map up beside)."""
    text = (leaflet_source_dir() / "leaflet.js").read_text(encoding="utf-8")
    return SOURCE_MAP_COMMENT.sub("", text)


@cache
def leaflet_css() -> str:
    """leaflet.css, to inline in the map's style, its images pointed at the app's static copy."""
    text = (leaflet_source_dir() / "leaflet.css").read_text(encoding="utf-8")
    return STYLE_IMAGE.sub(lambda found: f"url({leaflet_image_url(found.group(1))})", text)


def leaflet_image_url(name: str) -> str:
    """Where the app serves one of Leaflet's images (`images/layers.png`), with its content hash
    in the query: a versioned URL, which the app serves as immutable (app/api.py)."""
    digest = hashlib.sha256((leaflet_source_dir() / name).read_bytes()).hexdigest()[:16]
    return f"{STATIC_URL}/{LEAFLET_FOLDER}/{name}?v={digest}"


@cache
def markercluster_js() -> str:
    """leaflet.markercluster.js, to inline in the map's script (after Leaflet has loaded), without
    its source-map comment."""
    text = (markercluster_source_dir() / MARKERCLUSTER_JS).read_text(encoding="utf-8")
    return SOURCE_MAP_COMMENT.sub("", text)


@cache
def markercluster_css() -> str:
    """Leaflet.markercluster's two style sheets, to inline in the map's style."""
    return "\n".join(
        (markercluster_source_dir() / name).read_text(encoding="utf-8")
        for name in MARKERCLUSTER_CSS
    )


def leaflet_js_url() -> str:
    """Where the app serves leaflet.js."""
    return f"{STATIC_URL}/{LEAFLET_FOLDER}/leaflet.js"


def leaflet_css_url() -> str:
    """Where the app serves leaflet.css."""
    return f"{STATIC_URL}/{LEAFLET_FOLDER}/leaflet.css"


def publish_leaflet(static_dir: Path | None = None) -> list[Path]:
    """Copy Leaflet's files into `static_dir` (default: static/).

    Returns what was written (nothing when every file is already there, identical).
    """
    root = static_dir or STATIC_DIR
    written = []
    for name in LEAFLET_FILES:
        target = root / LEAFLET_FOLDER / name
        if copy_if_changed(leaflet_source_dir() / name, target):
            written.append(target)
    return written


def copy_if_changed(source: Path, target: Path) -> bool:
    """Copy `source` to `target` unless an identical file is already there; True when copied."""
    if target.is_file() and filecmp.cmp(source, target, shallow=False):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    # Copy beside the target, then rename: replicas starting together never serve a half copy.
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    shutil.copyfile(source, partial)
    os.chmod(partial, 0o644)  # mkstemp made it private
    os.replace(partial, target)
    return True
