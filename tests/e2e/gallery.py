"""Regenerate the reviewer's gallery: screenshots of every page and of the map's key views, on a
desktop and on a phone, and the README's screenshot from the same run.

    .venv/bin/python -m tests.e2e.gallery [--out test-artifacts/gallery] [--only desktop|phone]

Starts the app on a free port (tooling/server.py) and opens it in Debian's headless Chromium
(tooling/browser.py). Writes one PNG per view into --out (ignored by git) plus an index.html
that shows them side by side, and copies the desktop view of 2019 with Tajikistan open to
docs/screenshot.png. Look at every picture before calling a visible change done.
"""

import argparse
import html
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from csto_atlas.app.ui import NAV_PAGES
from csto_atlas.data.paths import REPO_DIR
from tooling.browser import (
    MAP_FRAME,
    PANEL_CONTENT,
    REVEALED_CLASS,
    TEST_HOOK,
    launch_chromium,
    map_frame,
    open_sheet,
    reveal_marker,
    wait_until_idle,
)
from tooling.server import AppServer

DEFAULT_OUT = REPO_DIR / "test-artifacts" / "gallery"
README_SHOT = REPO_DIR / "docs" / "screenshot.png"
README_VIEW = "desktop-map-2019-TJK"


@dataclass(frozen=True)
class Device:
    """A viewport the gallery is taken on."""

    name: str
    width: int
    height: int
    touch: bool


DEVICES = (Device("desktop", 1400, 1000, False), Device("phone", 390, 844, True))
# The map in the years the issue names, each without and with a country's panel open.
MAP_VIEWS = ((1992, "RUS"), (1999, "GEO"), (2012, "UZB"), (2019, "TJK"), (2024, "ARM"))
# Long popups: (year, marker id) of the incidents with several accounts.
POPUPS = ((2022, "kazakhstan-2022"), (2011, "mazar-un-2011"), (2019, "ishkobod-2019"))


def page_slug(script: str) -> str:
    """`pages/timeline.py` -> `timeline`; the map page is `map`."""
    return "map" if script == "dashboard.py" else Path(script).stem


def open_view(page: Page, url: str, map_page: bool = True) -> None:
    """Open `url` and wait until Streamlit's run is over and, on the map page, the map is drawn
    and its script has run (told by the URL: the app may be idle before the frame is attached)."""
    page.goto(url)
    wait_until_idle(page, 90_000)
    if map_page:
        frame = page.frame_locator(MAP_FRAME)
        expect(frame.locator("path.csto-region").first).to_be_visible(timeout=60_000)
        map_frame(page).evaluate("document.fonts.ready.then(() => true)")
        expect(frame.locator(".csto-year")).to_have_attribute("data-year", re.compile(r"\d{4}"))
        wait_until_idle(page, 90_000)
        map_frame(page).wait_for_function(TEST_HOOK)  # the map's script has run to its end


def shoot(page: Page, out: Path, name: str, full_page: bool = False) -> Path:
    """Save the page as `out/name.png`."""
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def gallery_views(base: str) -> list[tuple[str, Callable[[Page], None], bool]]:
    """(name, how to reach it, full page?) for every view of the gallery."""
    views: list[tuple[str, Callable[[Page], None], bool]] = []
    for script, _label in NAV_PAGES:
        slug = page_slug(script)
        path = "" if slug == "map" else slug
        views.append(
            (
                f"page-{slug}",
                lambda p, path=path, slug=slug: open_view(p, f"{base}/{path}", slug == "map"),
                True,
            )
        )
    for year, iso3 in MAP_VIEWS:
        views.append((f"map-{year}", lambda p, y=year: open_view(p, f"{base}/?year={y}"), False))

        def with_panel(p: Page, y: int = year, c: str = iso3) -> None:
            open_view(p, f"{base}/?year={y}&country={c}")
            frame = p.frame_locator(MAP_FRAME)
            open_sheet(frame)  # on a phone
            expect(frame.locator(PANEL_CONTENT)).to_be_visible()

        views.append((f"map-{year}-{iso3}", with_panel, False))
    for year, marker_id in POPUPS:

        def with_popup(p: Page, y: int = year, m: str = marker_id) -> None:
            open_view(p, f"{base}/?year={y}")
            reveal_marker(p, m)
            frame = p.frame_locator(MAP_FRAME)
            frame.locator(f".{REVEALED_CLASS}").click()
            expect(frame.locator(".leaflet-popup-content")).to_be_visible()
            expect(frame.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in

        views.append((f"popup-{year}-{marker_id}", with_popup, False))
    return views


def write_index(out: Path, shots: list[Path]) -> Path:
    """An index.html showing every picture with its name."""
    items = "\n".join(
        f'<figure><img src="{html.escape(s.name)}" width="480"><figcaption>'
        f"{html.escape(s.stem)}</figcaption></figure>"
        for s in shots
    )
    index = out / "index.html"
    index.write_text(
        "<!doctype html><meta charset=utf-8><title>CSTO Atlas gallery</title>"
        "<style>body{display:flex;flex-wrap:wrap;gap:12px;font:14px sans-serif}"
        "img{border:1px solid #ccc}</style>\n" + items,
        encoding="utf-8",
    )
    return index


def take_gallery(out: Path, only: str | None = None) -> tuple[list[Path], list[str]]:
    """Start the app and save every view on every device into `out`: (pictures, failed views)."""
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    failed: list[str] = []
    server = AppServer().start()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for device in DEVICES:
                if only and device.name != only:
                    continue
                context = browser.new_context(
                    viewport={"width": device.width, "height": device.height},
                    device_scale_factor=1,
                    has_touch=device.touch,
                    is_mobile=device.touch,
                )
                for name, reach, full_page in gallery_views(server.url):
                    page = context.new_page()
                    try:
                        reach(page)
                        shots.append(shoot(page, out, f"{device.name}-{name}", full_page))
                    except Exception as error:  # a view that fails is reported, the rest go on
                        failed.append(f"{device.name}-{name}: {str(error).splitlines()[0]}")
                        # what the user is left with is worth a look too
                        shots.append(shoot(page, out, f"{device.name}-{name}-FAILED"))
                    finally:
                        page.close()
                context.close()
            browser.close()
    finally:
        server.stop()
    readme_source = out / f"{README_VIEW}.png"
    if readme_source.exists():
        shutil.copyfile(readme_source, README_SHOT)
    write_index(out, shots)
    return shots, failed


def main() -> None:
    """Command line: where to write, which device only."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", choices=[d.name for d in DEVICES])
    args = parser.parse_args()
    shots, failed = take_gallery(args.out, args.only)
    for shot in shots:
        print(shot)
    for view in failed:
        print(f"gallery: FAILED {view}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
