"""GUAM from its own folder in a real browser: the title, legend, layers and a panel speak of GUAM,
and no CSTO word shows on the page or in the map."""

from collections.abc import Iterator

import pytest

from csto_atlas.data import paths
from tooling.browser import MAP_FRAME, PANEL_CONTENT, wait_until_idle
from tooling.server import AppServer

pytestmark = pytest.mark.e2e

GUAM_DIR = paths.REPO_DIR / "examples" / "guam"


@pytest.fixture(scope="module")
def guam_server() -> Iterator[AppServer]:
    """The app serving examples/guam (CSTO_ATLAS_DATA), always stopped."""
    server = AppServer(name="guam", extra_env={paths.DATA_ENV_VAR: str(GUAM_DIR)})
    try:
        server.start()
        yield server
    finally:
        server.stop()


def test_the_guam_dashboard_shows_guam_words_and_no_csto(page, guam_server, sync_api):
    expect = sync_api.expect
    page.goto(f"{guam_server.url}/?year=2003&country=UZB")
    frame = page.frame_locator(MAP_FRAME)
    expect(frame.locator("path.csto-iso-UZB")).to_be_visible()
    wait_until_idle(page)
    expect(page.locator("h1")).to_have_text("GUAM Atlas")
    expect(page).to_have_title("Map · GUAM Atlas")
    legend = frame.locator(".csto-legend")
    if legend.get_attribute("open") is None:
        legend.locator("summary").click()
    expect(legend).to_contain_text("GUAM status on 31 December")
    expect(legend).to_contain_text("Member, own participation suspended")
    expect(legend).to_contain_text("Summit that year")
    expect(frame.locator(".leaflet-control-layers")).to_contain_text("Summits")
    expect(frame.locator(PANEL_CONTENT)).to_contain_text("Member, own participation suspended")
    shown = page.locator("body").inner_text() + frame.locator("body").inner_text()
    assert "CSTO" not in shown
    assert "Russian base" not in shown and "Treaty-wide" not in shown
