"""Debian's Chromium driven by Playwright, and what every browser user of the app looks for.

Written once for the browser tests (tests/e2e), the README screenshot and the benchmark (bench/):
where Chromium is and how it is launched, the map's iframe, the country panel, and the wait until
Streamlit has finished its script run.
"""

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Frame, FrameLocator, Page, Playwright, expect

# Playwright drives Debian's chromium (its own browser download does not work offline); without
# the background-networking flags Chromium keeps trying to reach Google's hosts.
CHROMIUM_ENV_VAR = "CSTO_ATLAS_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# streamlit-folium's component iframe, which holds the Leaflet map (the app's and the baseline's).
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
# The country panel lives inside the map's frame (a side panel, or a sheet on a phone).
PANEL = ".csto-sheet-body"
PANEL_CONTENT = ".csto-panel"
# Streamlit marks its root element with the state of the script run.
APP_ROOT = '[data-testid="stApp"]'
SCRIPT_STATE = "data-test-script-state"
IDLE_STATE = "notRunning"
APP_IDLE = f'{APP_ROOT}[{SCRIPT_STATE}="{IDLE_STATE}"]'
IDLE_TIMEOUT_MS = 30_000


def chromium_path() -> Path:
    """Debian's Chromium, or $CSTO_ATLAS_CHROMIUM."""
    return Path(os.environ.get(CHROMIUM_ENV_VAR, DEFAULT_CHROMIUM))


def launch_options() -> dict[str, Any]:
    """Keyword arguments of BrowserType.launch for headless Debian Chromium."""
    return {"executable_path": str(chromium_path()), "headless": True, "args": CHROMIUM_ARGS}


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Debian Chromium, with the flags that keep it off the network."""
    return playwright.chromium.launch(**launch_options())


def wait_until_idle(page: Page, timeout_ms: float = IDLE_TIMEOUT_MS) -> None:
    """Wait until Streamlit's script run is over (so the layout no longer moves under the mouse)."""
    expect(page.locator(APP_ROOT)).to_have_attribute(SCRIPT_STATE, IDLE_STATE, timeout=timeout_ms)


def map_frame(page: Page) -> Frame:
    """The map iframe's Frame, to read the map's state from it (TEST_HOOK)."""
    handle = page.locator(MAP_FRAME).element_handle()
    frame = handle.content_frame() if handle is not None else None
    if frame is None:
        raise LookupError(f"no {MAP_FRAME} on {page.url}")
    return frame


# The map's test hook (render/web/atlas/80-testhook.js, documented in docs/design.md): the one way
# the browser tests read the map's state or move it, never Leaflet's private fields.
TEST_HOOK = "window.__atlasTestHook"

# Bring one marker of the map into view (the hook's revealMarker): if markers share its point, its
# cluster is drawn instead: spread it (`spread`) and go on, or stop there. What is drawn is tagged
# with REVEALED_CLASS for a real hover or click, and its kind ("marker" or "cluster") returned.
REVEALED_CLASS = "csto-test-target"
REVEAL_MARKER = f"([id, revealed, spread]) => {TEST_HOOK}.revealMarker(id, spread, revealed)"


def reveal_marker(page: Page, marker_id: str, spread: bool = True) -> str:
    """Draw a marker (or, unless `spread`, the cluster it is in) on screen, tagged REVEALED_CLASS.

    Returns "marker" or "cluster": what is drawn and tagged in the map frame.
    """
    drawn = map_frame(page).evaluate(REVEAL_MARKER, [marker_id, REVEALED_CLASS, spread])
    if drawn is None:
        raise AssertionError(f"marker {marker_id!r} could not be brought into view")
    return drawn


SHEET_TOGGLE = ".csto-sheet-toggle"


def open_sheet(frame: FrameLocator) -> None:
    """On a phone, open the notes sheet by its handle, as a person does (on a desktop the notes
    are a side panel and the handle is hidden: nothing to do)."""
    toggle = frame.locator(SHEET_TOGGLE)
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
