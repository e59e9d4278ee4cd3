"""The story pages in a real browser: each draws its main element and shows no error."""

import re

import pytest

from tests.e2e.conftest import open_app_page
from tooling.browser import MAP_FRAME, PANEL

pytestmark = pytest.mark.e2e

CHART = '[data-testid="stVegaLiteChart"]'
TABLE = '[data-testid="stDataFrame"]'


def open_page(recorded, sync_api, path: str) -> None:
    """Open a page once its script run is over (a JavaScript error fails the test)."""
    open_app_page(recorded.page, recorded.origin, sync_api, path)


def assert_no_error(recorded, sync_api) -> None:
    page = recorded.page
    sync_api.expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    sync_api.expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    assert recorded.foreign_requests() == []


def test_the_timeline_page_draws_the_timeline_and_the_member_count(recorded, sync_api):
    open_page(recorded, sync_api, "timeline")
    charts = recorded.page.locator(CHART)
    sync_api.expect(charts).to_have_count(2)
    sync_api.expect(charts.first.locator("canvas, svg").first).to_be_visible()
    sync_api.expect(charts.nth(1).locator("canvas, svg").first).to_be_visible()
    assert_no_error(recorded, sync_api)


def test_clicking_a_timeline_bar_opens_the_map_at_its_country_and_year(recorded, sync_api):
    open_page(recorded, sync_api, "timeline")
    # Vega draws each bar as an SVG path labelled with its tooltip's fields.
    bar = recorded.page.locator(CHART).first.locator(
        'path[aria-roledescription="bar"][aria-label*="Status: Suspended"]'
        '[aria-label*="Country: Uzbekistan"]'
    )
    sync_api.expect(bar).to_have_count(1)
    label = bar.get_attribute("aria-label")
    year = re.search(r"Click: the map in: (\d{4})", label).group(1)
    bar.click()
    sync_api.expect(recorded.page).to_have_url(re.compile(rf"/\?year={year}&country=UZB$"))
    panel = recorded.page.frame_locator(MAP_FRAME).locator(PANEL)
    sync_api.expect(panel.locator("h2")).to_contain_text(f"Uzbekistan in {year}")
    assert_no_error(recorded, sync_api)


def test_the_changes_page_draws_the_table_of_changes(recorded, sync_api):
    open_page(recorded, sync_api, "changes")
    sync_api.expect(recorded.page.locator(TABLE).first).to_be_visible()
    sync_api.expect(recorded.page.get_by_text("status changes in")).to_be_visible()
    assert_no_error(recorded, sync_api)


def test_the_borders_page_draws_the_chart_the_table_and_the_download(recorded, sync_api):
    open_page(recorded, sync_api, "borders")
    page = recorded.page
    sync_api.expect(page.locator(CHART).first.locator("canvas, svg").first).to_be_visible()
    sync_api.expect(page.locator(TABLE)).to_have_count(2)
    sync_api.expect(page.get_by_text("Download this year's borders (CSV)")).to_be_visible()
    assert_no_error(recorded, sync_api)


# What a table shows, measured on Glide's scroller inside Streamlit's dataframe: its rows' height
# and whether it scrolls sideways.
GRID_GEOMETRY = """(table) => {
  const scroller = table.querySelector('.dvn-scroller');
  return {height: scroller.clientHeight, scrollWidth: scroller.scrollWidth,
          clientWidth: scroller.clientWidth};
}"""


def grid_geometry(locator) -> dict:
    """A table's scroller height and widths, once it is drawn."""
    locator.locator(".dvn-scroller").wait_for()
    return locator.evaluate(GRID_GEOMETRY)


def test_the_changes_table_shows_ten_rows_without_scrolling_sideways(recorded, sync_api):
    from csto_atlas.app import evidence

    open_page(recorded, sync_api, "changes")
    geometry = grid_geometry(recorded.page.locator(TABLE).first)
    rows_shown = (geometry["height"] - evidence.HEADER_PX) / evidence.WRAPPED_ROW_PX
    assert rows_shown >= 10 - 0.05, geometry
    assert geometry["scrollWidth"] <= geometry["clientWidth"], geometry
    assert recorded.page.get_by_text("None", exact=True).count() == 0
    # axe-core's image-alt: the two maps say what they show.
    alts = recorded.page.locator('[data-testid="stImage"] img').evaluate_all(
        "(images) => images.map((image) => image.alt)"
    )
    assert len(alts) == 2 and all(alt.startswith("Map of CSTO membership") for alt in alts)
    assert_no_error(recorded, sync_api)


def test_the_borders_table_shows_ten_rows_and_the_header_is_compact(recorded, sync_api):
    from csto_atlas.app import evidence

    open_page(recorded, sync_api, "borders")
    page = recorded.page
    sync_api.expect(page.locator(TABLE)).to_have_count(2)
    years_table = grid_geometry(page.locator(TABLE).first)
    assert (years_table["height"] - evidence.HEADER_PX) / evidence.ROW_PX >= 10 - 0.05
    for table in (page.locator(TABLE).first, page.locator(TABLE).nth(1)):
        geometry = grid_geometry(table)
        assert geometry["scrollWidth"] <= geometry["clientWidth"], geometry
    # The navigation row starts near the top (it was ~100 px down, under Streamlit's padding).
    assert page.locator(".st-key-atlas_nav").bounding_box()["y"] <= 40
    assert_no_error(recorded, sync_api)


def test_the_first_click_on_a_bar_after_coming_from_another_page_opens_the_map(recorded, sync_api):
    open_page(recorded, sync_api, "changes")
    page = recorded.page
    page.get_by_role("link", name="Timeline").click()
    bar = page.locator(CHART).first.locator(
        'path[aria-roledescription="bar"][aria-label*="Status: Member, participation frozen"]'
        '[aria-label*="Country: Armenia"]'
    )
    sync_api.expect(bar).to_have_count(1)
    bar.click()
    sync_api.expect(page).to_have_url(re.compile(r"/\?year=2024&country=ARM$"))
    assert_no_error(recorded, sync_api)


FOCUSED = """() => {
  const active = document.activeElement;
  if (active.tagName !== 'IFRAME') { return {tag: active.tagName, cls: String(active.className)}; }
  const inner = active.contentDocument.activeElement;
  return {tag: 'IFRAME', inner: inner.tagName, type: inner.type || ''};
}"""


def test_the_year_slider_is_at_most_five_tab_presses_from_page_load(recorded, sync_api):
    page = recorded.page
    page.goto(f"{recorded.origin}/?year=2019")
    frame = page.frame_locator(MAP_FRAME)
    sync_api.expect(frame.locator("path.csto-iso-UZB")).to_be_visible()
    sync_api.expect(frame.locator('.csto-year input[type="range"]')).to_be_attached()
    presses = 0
    while presses < 5:
        page.keyboard.press("Tab")
        presses += 1
        if page.evaluate(FOCUSED).get("cls") == "csto-skip":
            sync_api.expect(page.get_by_text("Skip to the map's year")).to_be_visible()
            page.keyboard.press("Enter")
            break
    assert page.evaluate(FOCUSED) == {"tag": "IFRAME", "inner": "INPUT", "type": "range"}
    assert presses <= 5
    page.keyboard.press("ArrowLeft")  # the focused slider answers the keyboard
    sync_api.expect(frame.locator('.csto-year input[type="range"]')).to_have_value("2018")
