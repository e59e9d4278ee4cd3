"""Offline Leaflet and Leaflet.markercluster: copy the files the map needs from the xstatic-leaflet
and xstatic-leaflet-markercluster packages into the app's static/ folder.

Streamlit serves `<app dir>/static/` at `/app/static/` (`server.enableStaticServing`), so the
map loads Leaflet from the app's own origin and never from a CDN. Nothing is written into the
installed package; the copy is made by `publish_leaflet()`, called explicitly when the app starts.
"""

import filecmp
import os
import shutil
import tempfile
from pathlib import Path

from csto_atlas.data import paths

STATIC_DIR = paths.REPO_DIR / "static"
STATIC_URL = "/app/static"
LEAFLET_FOLDER = "leaflet"
MARKERCLUSTER_FOLDER = "leaflet.markercluster"
MARKERCLUSTER_FILES = (
    "leaflet.markercluster.js",
    "MarkerCluster.css",
    "MarkerCluster.Default.css",
)
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


def markercluster_js_url() -> str:
    """Where the app serves leaflet.markercluster.js."""
    return f"{STATIC_URL}/{MARKERCLUSTER_FOLDER}/leaflet.markercluster.js"


def markercluster_css_urls() -> list[str]:
    """Where the app serves Leaflet.markercluster's two style sheets."""
    return [f"{STATIC_URL}/{MARKERCLUSTER_FOLDER}/{name}" for name in MARKERCLUSTER_FILES[1:]]


def leaflet_js_url() -> str:
    """Where the app serves leaflet.js."""
    return f"{STATIC_URL}/{LEAFLET_FOLDER}/leaflet.js"


def leaflet_css_url() -> str:
    """Where the app serves leaflet.css."""
    return f"{STATIC_URL}/{LEAFLET_FOLDER}/leaflet.css"


def publish_leaflet(static_dir: Path | None = None) -> list[Path]:
    """Copy Leaflet's and Leaflet.markercluster's files into `static_dir` (default: static/).

    Returns what was written (nothing when every file is already there, identical).
    """
    root = static_dir or STATIC_DIR
    written = []
    for source, folder, names in (
        (leaflet_source_dir(), LEAFLET_FOLDER, LEAFLET_FILES),
        (markercluster_source_dir(), MARKERCLUSTER_FOLDER, MARKERCLUSTER_FILES),
    ):
        for name in names:
            if copy_if_changed(source / name, root / folder / name):
                written.append(root / folder / name)
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
