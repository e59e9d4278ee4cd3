"""The static atlas in a real browser: from file:// with the network blocked, as the app's map.

`python -m csto_atlas export site` writes the app's map frame as a page of its own
(render/site.py). Opened from file:// with every other request aborted, it must draw, follow the
slider, open a country and its panel, show popups, and keep the view in its own URL; its regions
must look as the app's do; framed in an iframe, it must fit the frame on a desktop and a phone.
"""

import re
from pathlib import Path

import pytest

from csto_atlas.data import paths
from csto_atlas.data.load import load_atlas
from csto_atlas.data.version import data_version
from csto_atlas.domain.status import status_table, year_range
from csto_atlas.render import site, style
from tooling.browser import MAP_FRAME, PANEL, REVEAL_MARKER, REVEALED_CLASS, wait_until_idle

pytestmark = pytest.mark.e2e

SLIDER = "input.csto-slider"
YEAR_BOX = ".csto-year"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}
EMBED_HEIGHT_PX = 600
# The first visit to a fresh app server loads the atlas and builds the map's payload.
FIRST_APP_VISIT_MS = 120_000

# Every region's look as the map draws it: the code, and the SVG attributes of its path.
REGION_LOOKS = """() => Object.fromEntries(
    [...document.querySelectorAll("path.csto-region")].map((path) => [
        [...path.classList].find((name) => name.startsWith("csto-iso-")),
        ["fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray"].map(
            (name) => path.getAttribute(name)
        ),
    ])
)"""
# The tallest panel of any region in any year (px) and where: every country, every year.
TALLEST_PANEL = """() => {
    const select = document.querySelector("select.csto-country");
    const slider = document.querySelector("input.csto-slider");
    let tallest = [0, "", 0];
    for (const option of [...select.options].filter((option) => option.value)) {
        select.value = option.value;
        select.dispatchEvent(new Event("change", {bubbles: true}));
        for (let year = +slider.min; year <= +slider.max; year++) {
            slider.value = String(year);
            slider.dispatchEvent(new Event("input", {bubbles: true}));
            const height = document.querySelector(".csto-sheet-body .csto-panel").scrollHeight;
            tallest = height > tallest[0] ? [height, option.value, year] : tallest;
        }
    }
    return tallest;
}"""
SET_YEAR = """(year) => {
    const slider = document.querySelector("input.csto-slider");
    slider.value = String(year);
    slider.dispatchEvent(new Event("input", {bubbles: true}));
}"""


@pytest.fixture(scope="module")
def atlas():
    """The bundled atlas, as the app shows it."""
    return load_atlas(paths.data_dir(), paths.GEODATA_DIR)


@pytest.fixture(scope="module")
def site_dir(atlas, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The static atlas of the bundled data, written once, with a page that frames it."""
    out = tmp_path_factory.mktemp("site")
    site.write_site(out, site.site_files(atlas, data_version()))
    (out / "embed.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>An article</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        '<body style="margin:0"><h1 style="margin:8px;font:16px sans-serif">An article</h1>'
        '<iframe src="index.html?year=2019" title="CSTO Atlas" '
        f'style="width:100%;height:{EMBED_HEIGHT_PX}px;border:0"></iframe></body></html>',
        "utf-8",
    )
    return out


def colour(atlas, iso3: str, year: int) -> str:
    """The fill colour the map must give a state in `year`."""
    statuses = status_table(atlas.membership, [iso3], year_range(atlas.membership))
    return style.STATUS_COLOURS[statuses.at[iso3, year]]


class OfflinePage:
    """A page on which every request that is not for a file is aborted and written down."""

    def __init__(self, page) -> None:
        self.page = page
        self.blocked: list[str] = []
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.route("**/*", self.only_files)

    def only_files(self, route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def not_files(self) -> list[str]:
        """Every URL the page asked for that is not a file, data: or blob: URL."""
        return [url for url in self.requests if not url.startswith(("file:", "data:", "blob:"))]


@pytest.fixture
def offline(page) -> OfflinePage:
    return OfflinePage(page)


def open_site(offline: OfflinePage, site_dir: Path, sync_api, query: str = ""):
    """Open the static atlas from file:// and wait until its regions are drawn."""
    offline.page.goto((site_dir / "index.html").as_uri() + query)
    sync_api.expect(offline.page.locator("path.csto-iso-UZB")).to_be_visible()
    return offline.page


def test_the_static_atlas_works_from_file_with_the_network_blocked(
    offline, site_dir, sync_api, atlas
):
    page = open_site(offline, site_dir, sync_api, "?year=2008")
    uzbekistan = page.locator("path.csto-iso-UZB")
    sync_api.expect(page.locator(YEAR_BOX)).to_have_attribute("data-year", "2008")
    sync_api.expect(uzbekistan).to_have_attribute("fill", colour(atlas, "UZB", 2008))
    sync_api.expect(page.locator(".csto-legend")).to_contain_text("Member")

    page.locator(SLIDER).focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    sync_api.expect(page.locator(YEAR_BOX)).to_have_attribute("data-year", "2012")
    assert colour(atlas, "UZB", 2012) != colour(atlas, "UZB", 2008)
    sync_api.expect(uzbekistan).to_have_attribute("fill", colour(atlas, "UZB", 2012))
    sync_api.expect(page.locator(".csto-changes")).to_contain_text("Uzbekistan")
    sync_api.expect(page.locator("#csto-summary")).to_contain_text("2012")
    sync_api.expect(page).to_have_url(re.compile(r"\?year=2012$"))

    page.locator("select.csto-country").select_option("TJK")
    panel = page.locator(PANEL)
    sync_api.expect(panel.locator("h2")).to_have_text("Tajikistan in 2012")
    sync_api.expect(panel.locator(".csto-cite").first).to_be_visible()
    sync_api.expect(panel.locator("blockquote:visible").first).to_be_visible()  # a quote
    sync_api.expect(page).to_have_url(re.compile(r"\?year=2012&country=TJK$"))

    page.locator(".csto-cite-view summary").click()
    cite = page.locator(".csto-cite-plain")
    sync_api.expect(cite).to_contain_text("index.html?year=2012&country=TJK")
    sync_api.expect(cite).to_contain_text("Tajikistan")

    base = atlas.bases.sort_values("start_year").iloc[0]
    assert page.evaluate(REVEAL_MARKER, [base["id"], REVEALED_CLASS, True]) == "marker"
    page.locator(f".{REVEALED_CLASS}").click(force=True)
    sync_api.expect(page.locator(".leaflet-popup-content h4")).to_have_text(base["name"])

    page.locator(".csto-play").click()
    sync_api.expect(page.locator(YEAR_BOX)).to_have_attribute("data-year", "2013")
    page.locator(".csto-play").click()

    assert offline.blocked == []
    assert offline.not_files() == []


def test_a_permalink_of_the_static_atlas_opens_its_year_and_country_and_back_returns(
    offline, site_dir, sync_api, atlas
):
    page = open_site(offline, site_dir, sync_api, "?year=2019&country=TJK")
    sync_api.expect(page.locator(YEAR_BOX)).to_have_attribute("data-year", "2019")
    sync_api.expect(page.locator(f"{PANEL} h2")).to_have_text("Tajikistan in 2019")
    sync_api.expect(page.locator("path.csto-iso-UZB")).to_have_attribute(
        "fill", colour(atlas, "UZB", 2019)
    )
    page.locator("select.csto-country").select_option("ARM")
    sync_api.expect(page).to_have_url(re.compile(r"\?year=2019&country=ARM$"))
    page.go_back()
    sync_api.expect(page.locator(f"{PANEL} h2")).to_have_text("Tajikistan in 2019")
    assert offline.not_files() == []


def test_the_static_atlas_draws_every_region_as_the_app_does(
    offline, site_dir, sync_api, new_context, app_server, atlas
):
    years = [1993, 1999, 2008, 2012, 2022, year_range(atlas.membership).stop - 1]
    page = open_site(offline, site_dir, sync_api)
    app = new_context().new_page()
    app.goto(app_server.url)
    app_map = app.frame_locator(MAP_FRAME).locator("path.csto-iso-UZB")
    sync_api.expect(app_map).to_be_visible(timeout=FIRST_APP_VISIT_MS)
    wait_until_idle(app)
    app_frame = app.locator(MAP_FRAME).element_handle().content_frame()
    for year in years:
        looks = []
        for window in (page, app_frame):
            window.evaluate(SET_YEAR, year)
            sync_api.expect(window.locator(YEAR_BOX)).to_have_attribute("data-year", str(year))
            looks.append(window.evaluate(REGION_LOOKS))
        static_looks, app_looks = looks
        assert len(static_looks) > 20
        assert static_looks == app_looks, f"the regions differ in {year}"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_static_atlas_fits_its_frame_in_an_article(site_dir, sync_api, page, viewport):
    page.set_viewport_size(viewport)
    page.goto((site_dir / "embed.html").as_uri())
    frame = page.frame_locator("iframe")
    sync_api.expect(frame.locator("path.csto-iso-UZB")).to_be_visible()
    sync_api.expect(frame.locator(YEAR_BOX)).to_have_attribute("data-year", "2019")
    box = page.locator("iframe").bounding_box()
    assert box["width"] == viewport["width"] and box["height"] == EMBED_HEIGHT_PX
    window = page.locator("iframe").element_handle().content_frame()
    # Nothing wider than the frame, nothing scrolls the page inside it.
    overflow = window.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth,"
        " document.documentElement.scrollHeight, document.documentElement.clientHeight]"
    )
    assert overflow[0] <= overflow[1] and overflow[2] <= overflow[3]
    # The year box, the map and the panel's handle (or the panel) are inside the frame.
    parts = [YEAR_BOX, SLIDER, "select.csto-country", ".csto-map", ".csto-sheet"]
    for selector in parts:
        part = frame.locator(selector).bounding_box()
        assert part is not None, selector
        assert part["x"] >= box["x"] - 0.5 and part["y"] >= box["y"] - 0.5, selector
        assert part["x"] + part["width"] <= box["x"] + box["width"] + 0.5, selector
        assert part["y"] + part["height"] <= box["y"] + box["height"] + 0.5, selector
    assert frame.locator(".csto-map").bounding_box()["height"] >= EMBED_HEIGHT_PX / 3


def test_a_panel_is_short_its_earlier_notes_folded_and_a_provisional_year_says_so(
    offline, site_dir, sync_api
):
    page = open_site(offline, site_dir, sync_api, "?year=2024&country=ARM")
    panel = page.locator(f"{PANEL} .csto-panel")
    sync_api.expect(panel.locator("h2")).to_have_text("Armenia in 2024")
    folded = panel.locator(".csto-split details.csto-older").first
    sync_api.expect(folded).to_be_visible()
    assert folded.get_attribute("open") is None
    assert int(folded.locator(".csto-count").inner_text()) > 10
    # The status line's event is said once: not again in the history beside it.
    said = "Participation frozen: Prime Minister"
    assert panel.locator(".csto-status:visible", has_text=said).count() == 1
    assert panel.locator(".csto-history li:visible", has_text=said).count() == 0
    assert panel.evaluate("(node) => node.scrollHeight") < 2500  # 5,566 px before
    # Every region in every year at 1400x1000: the tallest was Russia in 2026, 9,038 px.
    height, iso3, year = page.evaluate(TALLEST_PANEL)
    assert height < 4000, (iso3, year)
    page.goto((site_dir / "index.html").as_uri() + "?year=2024&country=ARM")
    sync_api.expect(page.locator(".csto-checked")).to_be_hidden()
    sync_api.expect(panel.locator(".csto-provisional")).to_be_hidden()
    page.evaluate(SET_YEAR, 2026)
    sync_api.expect(page.locator(".csto-checked")).to_contain_text("Provisional:")
    sync_api.expect(panel.locator(".csto-provisional")).to_be_visible()
    page.set_viewport_size(PHONE)
    sync_api.expect(page.locator(".csto-checked")).to_be_in_viewport()
