"""Browser-test fixtures: the app on a free port, Debian's Chromium driven by Playwright.

Outside CI a missing Chromium or Playwright skips these tests with the reason; under CI=true
it fails them, so a green CI always means the browser tests ran.
"""

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tooling.server import CHROMIUM_ARGS, AppServer, chromium_path

EXPECT_TIMEOUT_MS = 30_000
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def unavailable(reason: str) -> None:
    """Fail under CI, skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failed browser test shows the server's log beside its traceback."""
    report = yield
    server = getattr(item, "funcargs", {}).get("app_server")
    if report.failed and isinstance(server, AppServer):
        report.sections.append(("streamlit server log", server.log()[-20_000:]))
    return report


@pytest.fixture(scope="session")
def sync_api():
    """Playwright's sync API module (skip or fail when it is not installed)."""
    try:
        from playwright import sync_api
    except ImportError:
        unavailable("playwright is not installed (pip install -r requirements-dev.txt)")
    sync_api.expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    return sync_api


@pytest.fixture(scope="session")
def app_server() -> Iterator[AppServer]:
    """The app, started once for the session and always stopped."""
    server = AppServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(sync_api):
    """Headless Debian Chromium."""
    executable = chromium_path()
    if not executable.exists():
        unavailable(f"no Chromium at {executable} (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class RecordedPage:
    """A browser page plus every URL it requested."""

    def __init__(self, page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))

    def foreign_requests(self) -> list[str]:
        """Requests to any host but the app's own (data: and blob: URLs stay in the page)."""
        own = urlsplit(self.origin).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != own
        ]


@pytest.fixture
def recorded(browser, app_server: AppServer) -> Iterator[RecordedPage]:
    """A fresh page (1400x1000) recording its requests."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        yield RecordedPage(page, app_server.url)
    finally:
        context.close()
