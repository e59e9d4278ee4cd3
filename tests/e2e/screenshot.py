"""Save docs/screenshot.png: the map page with a country's panel open, as the README shows it.

    .venv/bin/python -m tests.e2e.screenshot [--out docs/screenshot.png] [--query "?year=2019&country=TJK"]

Starts the app on a free port (tooling/server.py), opens the page in Debian's headless Chromium
(tooling/browser.py), waits until the map and the panel are drawn, and saves the picture.
"""

import argparse
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from csto_atlas.data.paths import REPO_DIR
from tooling.browser import MAP_FRAME, launch_chromium
from tooling.server import AppServer

DEFAULT_OUT = REPO_DIR / "docs" / "screenshot.png"
DEFAULT_QUERY = "?year=2019&country=TJK"
VIEWPORT = {"width": 1500, "height": 900}


def take_screenshot(out: Path, query: str) -> Path:
    """Start the app, open `query` on the map page and save a screenshot to `out`."""
    server = AppServer().start()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
            page.goto(f"{server.url}/{query}")
            frame = page.frame_locator(MAP_FRAME)
            expect(frame.locator("path.csto-region").first).to_be_visible(timeout=60_000)
            expect(frame.locator(".csto-panel")).to_be_visible(timeout=60_000)
            page.locator(MAP_FRAME).element_handle().content_frame().evaluate(
                "document.fonts.ready.then(() => true)"
            )
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
            browser.close()
    finally:
        server.stop()
    return out


def main() -> None:
    """Command line: where to save, which permalink to show."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--query", default=DEFAULT_QUERY)
    args = parser.parse_args()
    print(take_screenshot(args.out, args.query))


if __name__ == "__main__":
    main()
