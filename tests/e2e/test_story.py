"""The story pages in a real browser: each draws its main element and shows no error."""

import re

import pytest

from tooling.browser import MAP_FRAME, PANEL

pytestmark = pytest.mark.e2e

CHART = '[data-testid="stVegaLiteChart"]'
TABLE = '[data-testid="stDataFrame"]'


def open_page(recorded, sync_api, path: str):
    """Open a page and wait until its script run is over."""
    errors: list[str] = []
    recorded.page.on("pageerror", lambda error: errors.append(str(error)))
    recorded.page.goto(f"{recorded.origin}/{path}")
    sync_api.expect(recorded.page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning"
    )
    return errors


def assert_no_error(recorded, sync_api, errors: list[str]) -> None:
    page = recorded.page
    sync_api.expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    sync_api.expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    assert errors == []
    assert recorded.foreign_requests() == []


def test_the_timeline_page_draws_the_timeline_and_the_member_count(recorded, sync_api):
    errors = open_page(recorded, sync_api, "timeline")
    charts = recorded.page.locator(CHART)
    sync_api.expect(charts).to_have_count(2)
    sync_api.expect(charts.first.locator("canvas, svg").first).to_be_visible()
    sync_api.expect(charts.nth(1).locator("canvas, svg").first).to_be_visible()
    assert_no_error(recorded, sync_api, errors)


def test_clicking_a_timeline_bar_opens_the_map_at_its_country_and_year(recorded, sync_api):
    errors = open_page(recorded, sync_api, "timeline")
    # Vega draws each bar as an SVG path labelled with its tooltip's fields.
    bar = recorded.page.locator(CHART).first.locator(
        'path[aria-roledescription="bar"][aria-label*="Status: suspended"]'
        '[aria-label*="Country: Uzbekistan"]'
    )
    sync_api.expect(bar).to_have_count(1)
    label = bar.get_attribute("aria-label")
    year = re.search(r"Click: the map in: (\d{4})", label).group(1)
    bar.click()
    sync_api.expect(recorded.page).to_have_url(re.compile(rf"/\?year={year}&country=UZB$"))
    panel = recorded.page.frame_locator(MAP_FRAME).locator(PANEL)
    sync_api.expect(panel.locator("h2")).to_contain_text(f"Uzbekistan in {year}")
    assert_no_error(recorded, sync_api, errors)


def test_the_changes_page_draws_the_table_of_changes(recorded, sync_api):
    errors = open_page(recorded, sync_api, "changes")
    sync_api.expect(recorded.page.locator(TABLE).first).to_be_visible()
    sync_api.expect(recorded.page.get_by_text("status changes in")).to_be_visible()
    assert_no_error(recorded, sync_api, errors)


def test_the_borders_page_draws_the_chart_the_table_and_the_download(recorded, sync_api):
    errors = open_page(recorded, sync_api, "borders")
    page = recorded.page
    sync_api.expect(page.locator(CHART).first.locator("canvas, svg").first).to_be_visible()
    sync_api.expect(page.locator(TABLE)).to_have_count(2)
    sync_api.expect(page.get_by_text("Download this year's borders (CSV)")).to_be_visible()
    assert_no_error(recorded, sync_api, errors)
