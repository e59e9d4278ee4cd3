"""Our own JavaScript and CSS for the map (atlas/*.js, atlas.css), inlined into the map's page.

atlas.js is written as the files of atlas/, one concern each, and joined here in the fixed
order of ATLAS_PARTS (no bundler): the joined text runs as one function in strict mode, so the
files share their functions and the state object (00-state.js) and nothing else leaks out.
"""

from functools import cache
from importlib import resources

ATLAS_FOLDER = "atlas"
# The order the parts are joined in: state and helpers first, attach (the entry point) last.
ATLAS_PARTS = (
    "00-state.js",  # the page's doc comment, helpers, the state object
    "05-types.js",  # JSDoc types of the contract (render/contract.py) and the state: comments
    "10-regions.js",  # a region's status, territory and look; tooltips, hover, click
    "20-view.js",  # the year and the country shown; the year box (Play, slider, Country box)
    "30-panel.js",  # the panel or bottom sheet, the citation of the view, the text alternative
    "40-markers.js",  # clustered markers, their uncertainty circles and popups
    "50-url.js",  # the view in the URL and session storage, Back and Forward
    "60-frame.js",  # the frame's layout, legend, layer control, tile notice, size and framing
    "65-reach.js",  # a chosen country brought into view; the phone's sheet dragged; near taps
    "70-labels.js",  # the members' names on the map, where they fit
    "80-testhook.js",  # window.__atlasTestHook, what the browser tests read (docs/design.md)
    "90-attach.js",  # attach: builds it all (window.CstoAtlas.attach)
)
ATLAS_HEAD = '(function () {\n"use strict";\n'
ATLAS_TAIL = "})();\n"


@cache
def web_asset(name: str) -> str:
    """The text of one of our own web files (a path relative to this folder)."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def atlas_part(name: str) -> str:
    """The text of one part of atlas.js (a name of ATLAS_PARTS)."""
    return web_asset(f"{ATLAS_FOLDER}/{name}")


@cache
def atlas_js() -> str:
    """atlas.js: its parts joined in the order of ATLAS_PARTS, in one strict-mode function."""
    body = "\n".join(f"/* --- {name} --- */\n{atlas_part(name)}" for name in ATLAS_PARTS)
    return ATLAS_HEAD + body + ATLAS_TAIL
