"""The map's PNG and SVG links in the year box (issue 19, item 4), in a real browser.

They point at the app's HTTP API (/api/v1/map.{png,svg}) with the year and the country the map
shows, follow the slider and the Country box, download from inside streamlit-folium's frame, and
add no line to the year box on a phone. The static atlas, which has no API, shows none.
"""

import re
from pathlib import Path

import pytest

from csto_atlas.data import paths
from csto_atlas.data.load import load_atlas
from csto_atlas.data.version import data_version
from csto_atlas.render import site
from tests.e2e.conftest import VIEWPORTS
from tests.e2e.conftest import open_map as visit_map
from tooling.browser import map_frame

pytestmark = pytest.mark.e2e

LINKS = "a.csto-image-link"
PNG = f'{LINKS}[data-format="png"]'
SVG = f'{LINKS}[data-format="svg"]'
FETCH = """async (selector) => {
    const link = document.querySelector(selector);
    const answer = await fetch(link.href);
    return [link.href, answer.status, answer.headers.get("content-type"), await answer.text()];
}"""
BOXES = """() => Object.fromEntries(
    [".csto-year", ".csto-picker", ".csto-images", ".csto-play"].map((selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return [selector, {top: box.top, bottom: box.bottom, left: box.left, right: box.right}];
    })
)"""


def open_map(page, origin: str, sync_api, query: str):
    """The map page at `query`; the map frame's locator once its image links are there."""
    frame = visit_map(page, origin, sync_api, query)
    sync_api.expect(frame.locator(LINKS)).to_have_count(2)
    return frame


def test_the_image_links_follow_the_slider_and_the_country(recorded, sync_api):
    page, expect = recorded.page, sync_api.expect
    frame = open_map(page, recorded.origin, sync_api, "?year=2012")
    expect(frame.locator(LINKS)).to_have_text(["PNG", "SVG"])
    expect(frame.locator(PNG)).to_have_attribute("href", "/api/v1/map.png?year=2012")
    expect(frame.locator(SVG)).to_have_attribute("href", "/api/v1/map.svg?year=2012")
    expect(frame.locator(SVG)).to_have_attribute("download", "")

    frame.locator("input.csto-slider").fill("2019")
    expect(frame.locator(".csto-year")).to_have_attribute("data-year", "2019")
    expect(frame.locator(SVG)).to_have_attribute("href", "/api/v1/map.svg?year=2019")
    frame.locator("select.csto-country").select_option("TJK")
    expect(page).to_have_url(re.compile(r"year=2019&country=TJK"))
    expect(frame.locator(PNG)).to_have_attribute("href", "/api/v1/map.png?year=2019&country=TJK")
    expect(frame.locator(SVG)).to_have_attribute("href", "/api/v1/map.svg?year=2019&country=TJK")
    expect(frame.locator(SVG)).to_have_attribute("title", "Map image of 2019 (SVG)")

    # The link, fetched from inside the map's frame, is the app's SVG of that year.
    href, status, media, body = map_frame(page).evaluate(FETCH, SVG)
    assert href == f"{recorded.origin}/api/v1/map.svg?year=2019&country=TJK"
    assert (status, media) == (200, "image/svg+xml")
    assert body.lstrip().startswith("<?xml") and "<svg" in body[:2000]
    assert "CSTO Atlas · 2019" in body and "CSTO Atlas · 2012" not in body

    # A click downloads it from inside streamlit-folium's frame, named by the API.
    with page.expect_download() as download:
        frame.locator(PNG).click()
    assert re.fullmatch(
        r"csto-atlas-map-2019-TJK-[0-9a-f]{12}\.png", download.value.suggested_filename
    )
    assert recorded.foreign_requests() == []


@pytest.mark.parametrize(
    "viewport",
    [
        pytest.param(name, marks=pytest.mark.browser_context_args(**options), id=name)
        for name, options in VIEWPORTS.items()
    ],
)
def test_the_image_links_share_the_country_boxs_line(page, app_server, sync_api, viewport):
    open_map(page, app_server.url, sync_api, "?year=2019&country=TJK")
    boxes = map_frame(page).evaluate(BOXES)
    links, picker, year = boxes[".csto-images"], boxes[".csto-picker"], boxes[".csto-year"]
    # On the Country box's line (a phone's second line; a desktop's only one), inside the box
    assert abs(links["top"] - picker["top"]) <= 1 and abs(links["bottom"] - picker["bottom"]) <= 1
    assert picker["right"] <= links["left"] and links["right"] <= year["right"]
    if viewport == "desktop":
        assert abs(links["top"] - boxes[".csto-play"]["top"]) <= 1


def test_the_static_atlas_has_no_image_links(page, sync_api, tmp_path: Path):
    atlas = load_atlas(paths.data_dir(), paths.GEODATA_DIR)
    site.write_site(tmp_path, site.site_files(atlas, data_version()))
    page.route(re.compile(r"^(?!file:)"), lambda route: route.abort())
    page.goto((tmp_path / "index.html").as_uri() + "?year=2019&country=TJK")
    sync_api.expect(page.locator("path.csto-iso-UZB")).to_be_visible()
    sync_api.expect(page.locator(".csto-year")).to_have_attribute("data-year", "2019")
    sync_api.expect(page.locator(".csto-images, a.csto-image-link")).to_have_count(0)
