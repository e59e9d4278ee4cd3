"""Offline Leaflet: copy the files the map needs from xstatic-leaflet into the app's static/ folder.

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


def leaflet_js_url() -> str:
    """Where the app serves leaflet.js."""
    return f"{STATIC_URL}/{LEAFLET_FOLDER}/leaflet.js"


def leaflet_css_url() -> str:
    """Where the app serves leaflet.css."""
    return f"{STATIC_URL}/{LEAFLET_FOLDER}/leaflet.css"


def publish_leaflet(static_dir: Path | None = None) -> list[Path]:
    """Copy Leaflet's files into `static_dir`/leaflet (default: static/); return what was written."""
    source = leaflet_source_dir()
    target = (static_dir or STATIC_DIR) / LEAFLET_FOLDER
    written = []
    for name in LEAFLET_FILES:
        if copy_if_changed(source / name, target / name):
            written.append(target / name)
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
