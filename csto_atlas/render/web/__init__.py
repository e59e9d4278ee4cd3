"""Our own JavaScript and CSS for the map (atlas.js, atlas.css), inlined into the map's page."""

from functools import cache
from importlib import resources


@cache
def web_asset(name: str) -> str:
    """The text of one of our own web files."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
