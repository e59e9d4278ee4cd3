"""Browser-test fixtures: the app on a free port, Debian's Chromium driven by pytest-playwright.

pytest-playwright launches the browser (`browser`, `new_context`, `context`, `page`) with the
launch options of tooling/browser.py, and keeps a trace and a screenshot of every failed test in
test-results/ (`--tracing retain-on-failure --screenshot only-on-failure`, see pyproject.toml).
Open a page through those fixtures (`new_context`, `page`, `recorded`, or `visit` for a desktop
and a phone), not with `browser.new_context()` directly: only their pages are traced and watched
for JavaScript errors. Open the app through one helper: `open_map` (the map page, once drawn) or
`open_app_page` (any page, once its script has run).

Every browser test fails when a page logged a JavaScript error (a console error or an uncaught
exception, in the page or in the map's iframe) unless ALLOWED_ERRORS documents it.

Outside CI a missing Chromium skips these tests with the reason; under CI=true it fails them, so a
green CI always means the browser tests ran.
"""

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright import sync_api as playwright_sync_api
from playwright.sync_api import BrowserContext, ConsoleMessage, FrameLocator, Page, WebError

from tooling.browser import APP_IDLE, MAP_FRAME, chromium_path, launch_options
from tooling.server import AppServer

EXPECT_TIMEOUT_MS = 30_000
# The first visit of a fresh server builds the map's payload (a cold cache): it may take longer.
FIRST_VISIT_MS = 120_000
VIEWPORT = {"width": 1400, "height": 1000}
# The two screens every look is checked on: a desktop and a phone (touch).
VIEWPORTS = {
    "desktop": {"viewport": VIEWPORT},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}

# (pattern of the message, why it is unavoidable). A new entry needs a reason that holds for every
# run, not a flaky message to silence.
ALLOWED_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"^console error: Failed to load resource: the server responded with a status of 404 "
            r"\(Not Found\) \(http://127\.0\.0\.1:\d+/[a-z_]+/_stcore/(health|host-config)\)$"
        ),
        "Streamlit's frontend finds the server's base path by probing each candidate "
        "(baseUriPartsList): a first load of a page URL such as /data asks /data/_stcore/health "
        "and /data/_stcore/host-config, which 404, before /_stcore/health.",
    ),
]


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
    """Playwright's sync API module, its `expect` waiting up to EXPECT_TIMEOUT_MS."""
    playwright_sync_api.expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    return playwright_sync_api


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright launches Debian's Chromium headless, with our flags (skip if absent)."""
    executable = chromium_path()
    if not executable.exists():
        unavailable(f"no Chromium at {executable} (apt-get install chromium)")
    return {**browser_type_launch_args, **launch_options()}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """Every page is 1400x1000 unless a test asks otherwise."""
    return {**browser_context_args, "viewport": VIEWPORT}


@pytest.fixture(scope="session")
def app_server() -> Iterator[AppServer]:
    """The app, started once for the session and always stopped."""
    server = AppServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@dataclass
class PageErrors:
    """JavaScript errors logged by every page of the contexts it watches, iframes included."""

    errors: list[str] = field(default_factory=list)
    allowed: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    def allow(self, pattern: str, reason: str) -> None:
        """Allow errors matching `pattern` in this test only, for a reason that holds every run
        (a test that stops the server on purpose expects failed reconnections)."""
        self.allowed.append((re.compile(pattern), reason))

    def watch(self, context: BrowserContext) -> BrowserContext:
        """Collect the console errors and uncaught exceptions of every page of `context`."""
        context.on("console", self.record_console)
        context.on("weberror", self.record_exception)
        return context

    def record_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.errors.append(f"console error: {message.text} ({where})")

    def record_exception(self, error: WebError) -> None:
        url = error.page.url if error.page is not None else ""
        self.errors.append(f"uncaught exception: {error.error.message} ({url})")

    def unexpected(self) -> list[str]:
        """The errors no entry of ALLOWED_ERRORS explains."""
        return [
            error
            for error in self.errors
            if not any(pattern.search(error) for pattern, _ in [*ALLOWED_ERRORS, *self.allowed])
        ]


@pytest.fixture(autouse=True)
def page_errors() -> Iterator[PageErrors]:
    """Fail the test (at teardown, once its pages are closed) if a page logged a JS error."""
    collected = PageErrors()
    yield collected
    if unexpected := collected.unexpected():
        pytest.fail("a page logged JavaScript errors:\n" + "\n".join(unexpected), pytrace=False)


@pytest.fixture
def new_context(new_context: Callable[..., BrowserContext], page_errors: PageErrors):
    """pytest-playwright's traced contexts, each watched for JavaScript errors."""

    def make(**options) -> BrowserContext:
        return page_errors.watch(new_context(**options))

    return make


class RecordedPage:
    """A browser page plus every URL it requested."""

    def __init__(self, page: Page, origin: str) -> None:
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
def recorded(page: Page, app_server: AppServer) -> RecordedPage:
    """A fresh page (1400x1000) of the session's app server, recording its requests."""
    return RecordedPage(page, app_server.url)


def open_app_page(page: Page, origin: str, sync_api, path: str = "") -> Page:
    """Open a page of the app (`path` with its query) and wait until its script run is over."""
    page.goto(f"{origin}/{path}")
    sync_api.expect(page.locator(APP_IDLE)).to_be_attached(timeout=FIRST_VISIT_MS)
    return page


def open_map(
    page: Page, origin: str, sync_api, query: str = "", region: str = "UZB"
) -> FrameLocator:
    """Open the map page at `query`; the map frame's locator once `region` is drawn, the year box
    has its year and the app is idle. Every browser test opens the map through this."""
    page.goto(f"{origin}/{query}")
    frame = page.frame_locator(MAP_FRAME)
    sync_api.expect(frame.locator(f"path.csto-iso-{region}")).to_be_visible(timeout=FIRST_VISIT_MS)
    sync_api.expect(frame.locator(".csto-year")).to_have_attribute(
        "data-year", re.compile(r"\d{4}")
    )
    sync_api.expect(page.locator(APP_IDLE)).to_be_attached()
    return frame


class Visit:
    """A page in a fresh traced and watched context, on a desktop or a phone."""

    def __init__(self, page: Page, origin: str, sync_api, errors: PageErrors, kind: str) -> None:
        self.page = page
        self.origin = origin
        self.sync_api = sync_api
        self.expect = sync_api.expect
        self.errors = errors
        self.kind = kind

    def open(self, query: str = "") -> FrameLocator:
        """The map page; the map's frame locator once the map is drawn."""
        return open_map(self.page, self.origin, self.sync_api, query)

    def window(self):
        """The map frame's Frame (to read the map through its test hook)."""
        return self.page.locator(MAP_FRAME).element_handle().content_frame()


@pytest.fixture(params=list(VIEWPORTS))
def visit(request, new_context, app_server, sync_api, page_errors) -> Visit:
    """A fresh page of the session's app on a desktop or a phone viewport; a JavaScript error it
    logs fails the test (page_errors)."""
    page = new_context(**VIEWPORTS[request.param]).new_page()
    return Visit(page, app_server.url, sync_api, page_errors, request.param)
