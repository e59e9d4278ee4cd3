"""The Data and Sources pages in a real browser: they draw without an error and offer downloads."""

import pytest

pytestmark = pytest.mark.e2e


def open_page(recorded, sync_api, path: str):
    """Open a page of the app and wait until its script has run."""
    page = recorded.page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{recorded.origin}/{path}")
    sync_api.expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning"
    )
    return page, errors


def test_the_data_page_draws_its_tables_and_download_buttons(recorded, sync_api):
    page, errors = open_page(recorded, sync_api, "data")
    sync_api.expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
    sync_api.expect(page.locator('[data-testid="stDownloadButton"]').first).to_be_visible()
    sync_api.expect(page.get_by_text("Countries (CSV)")).to_be_visible()
    sync_api.expect(page.locator('[data-testid="stDataFrame"]').first).to_be_attached()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert errors == [] and recorded.foreign_requests() == []


def test_the_sources_page_opens_a_source_with_its_quotes(recorded, sync_api):
    page, errors = open_page(recorded, sync_api, "sources")
    sync_api.expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible()
    page.locator('[data-testid="stExpander"] summary').first.click()
    sync_api.expect(page.locator(".csto-source blockquote").first).to_be_visible()
    assert page.get_by_text("(not named in the retrieved copy)").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert errors == [] and recorded.foreign_requests() == []
