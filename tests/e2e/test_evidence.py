"""The Data and Sources pages in a real browser: they draw without an error and offer downloads;
Cite this view on the map page cites the view the map shows."""

from datetime import date

import pytest

from csto_atlas.data.version import data_version
from csto_atlas.domain.citation import cite_view
from tests.e2e.conftest import open_app_page, open_map
from tooling.browser import PANEL

pytestmark = pytest.mark.e2e


def open_page(recorded, sync_api, path: str):
    """Open a page of the app once its script has run (a JavaScript error fails the test)."""
    return open_app_page(recorded.page, recorded.origin, sync_api, path)


def test_the_data_page_draws_its_tables_and_download_buttons(recorded, sync_api):
    page = open_page(recorded, sync_api, "data")
    sync_api.expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
    sync_api.expect(page.locator('[data-testid="stDownloadButton"]').first).to_be_visible()
    sync_api.expect(page.get_by_text("Countries (CSV)")).to_be_visible()
    sync_api.expect(page.locator('[data-testid="stDataFrame"]').first).to_be_attached()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert recorded.foreign_requests() == []


def test_every_year_in_one_table_fits_a_1400_px_window(recorded, sync_api):
    page = open_page(recorded, sync_api, "data")
    grid = page.locator(".csto-grid-wrap")
    sync_api.expect(grid).to_be_visible()
    widths = grid.evaluate("(wrap) => [wrap.scrollWidth, wrap.clientWidth]")
    assert widths[0] <= widths[1], widths
    # A cell per year, with its status on hover; the two downloads below it.
    sync_api.expect(grid.locator('td[title="Uzbekistan, 2012: Suspended"]')).to_have_count(1)
    sync_api.expect(page.get_by_text("All years (CSV)")).to_be_visible()
    sync_api.expect(page.get_by_text("All years (GEOJSON)")).to_be_visible()
    assert recorded.foreign_requests() == []


def test_the_datasets_show_ten_rows_with_ids_last_and_whole_numbers(recorded, sync_api):
    from csto_atlas.app import evidence

    page = open_page(recorded, sync_api, "data")
    tables = page.locator('[data-testid="stDataFrame"]')
    membership = tables.nth(4)  # after the data quality summary's four
    membership.scroll_into_view_if_needed()
    membership.locator(".dvn-scroller").wait_for()
    height = membership.evaluate("(t) => t.querySelector('.dvn-scroller').clientHeight")
    assert (height - evidence.HEADER_PX) / evidence.WRAPPED_ROW_PX >= 10 - 0.05
    # Every dataset's reader columns fit a 1400 px window: no sideways scrolling.
    for index in range(4, tables.count()):
        table = tables.nth(index)
        table.scroll_into_view_if_needed()
        table.locator(".dvn-scroller").wait_for()
        widths = table.evaluate(
            "(t) => { const s = t.querySelector('.dvn-scroller'); return [s.scrollWidth, s.clientWidth]; }"
        )
        assert widths[0] <= widths[1], (index, widths)
    assert recorded.foreign_requests() == []


def test_the_sources_page_opens_a_source_with_its_quotes(recorded, sync_api):
    page = open_page(recorded, sync_api, "sources")
    sync_api.expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible()
    page.locator('[data-testid="stExpander"] summary').first.click()
    sync_api.expect(page.locator(".csto-source blockquote").first).to_be_visible()
    assert page.get_by_text("(not named in the retrieved copy)").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert recorded.foreign_requests() == []


def test_cite_this_view_follows_the_map_and_reads_as_python_writes_it(recorded, sync_api):
    page = recorded.page
    frame = open_map(page, recorded.origin, sync_api, "?year=2013&country=UZB")
    sync_api.expect(frame.locator(PANEL).locator("h2")).to_contain_text("Uzbekistan in 2013")
    cite = frame.locator(".csto-cite-view")
    cite.locator("summary").click()
    plain, bibtex = cite.locator(".csto-cite-plain"), cite.locator(".csto-cite-bibtex")
    # the browser's own day is the day of access
    accessed = date.fromisoformat(
        frame.locator("body").evaluate(
            "() => { const d = new Date(); const two = (n) => String(n).padStart(2, '0');"
            " return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`; }"
        )
    )
    url = f"{recorded.origin}/?year=2013&country=UZB"
    expected = cite_view("CSTO Atlas", 2013, "Uzbekistan", data_version(), url, accessed)
    sync_api.expect(plain).to_have_text(expected[0])
    sync_api.expect(bibtex).to_have_text(expected[1])
    # the slider moves on: the citation follows it, and the map without a country is the map
    frame.locator("input.csto-slider").press("ArrowRight")
    sync_api.expect(plain).to_contain_text("“CSTO Atlas: Uzbekistan in 2014”")
    sync_api.expect(plain).to_contain_text("/?year=2014&country=UZB (accessed")
    sync_api.expect(bibtex).to_contain_text("@misc{csto-atlas-2014-uzbekistan-")
    frame.locator("select.csto-country").select_option("")
    sync_api.expect(plain).to_contain_text("“CSTO Atlas: the map in 2014”")
    sync_api.expect(plain).to_contain_text("/?year=2014 (accessed")
