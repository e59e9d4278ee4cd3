"""Two replicas behind nginx on 127.0.0.1 (deploy/, tooling/proxy.py), in a real browser.

The map draws, the panel works, the big JavaScript arrives gzipped, every security header is
there with no Content-Security-Policy violation, and a session's page requests and its websocket
all reach one replica. Outside CI a missing nginx skips; under CI=true it fails.
"""

import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.e2e.conftest import unavailable
from tooling import proxy
from tooling.browser import MAP_FRAME
from tooling.proxy import Deployment

pytestmark = pytest.mark.e2e

# What the map and the panel show, both inside the map's frame.
PERMALINK = "/?year=2019&country=TJK"
MAP_REGION = "path.csto-iso-UZB"
PANEL_TITLE = ".csto-sheet-body h2.csto-panel-title"
PANEL_TEXT = "Tajikistan in 2019"
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
DATA_PAGE = "/data"
DATA_TABLE = '[data-testid="stDataFrame"] canvas'
UPSTREAM_HEADER = "x-upstream"
FRESH_VISITORS = 40  # all on one of two replicas by chance: 2 ** -39
# Reported in the page (top document and the map's iframe) for every CSP violation.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + event.blockedURI);
});
"""


@dataclass
class Visit:
    """What one browser session saw: responses, its websocket's handshake, console errors."""

    responses: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    handshakes: list[dict[str, str]] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [
            text
            for text in self.console
            if "CSP violation" in text or "Content Security Policy" in text
        ]


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    """Two replicas and nginx, each replica naming itself in an X-Upstream header."""
    nginx = proxy.nginx_path()
    if not nginx.exists():
        unavailable(f"no nginx at {nginx} (apt-get install nginx)")
    with Deployment(replicas=2, expose_upstream=True) as running:
        yield running


@pytest.fixture(scope="module")
def visit(browser, sync_api, deployment: Deployment) -> Iterator[tuple[Visit, object]]:
    """One fresh session on the permalink, until the map and the panel are drawn."""
    seen = Visit()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on(
        "response", lambda response: seen.responses.append((response.url, response.all_headers()))
    )
    page.on("console", lambda message: seen.console.append(message.text))
    page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
    cdp = context.new_cdp_session(page)
    cdp.on(
        "Network.webSocketHandshakeResponseReceived",
        lambda event: seen.handshakes.append(
            {key.lower(): value for key, value in event["response"]["headers"].items()}
        ),
    )
    cdp.send("Network.enable")
    try:
        page.goto(f"{deployment.url}{PERMALINK}")
        sync_api.expect(page.frame_locator(MAP_FRAME).locator(MAP_REGION)).to_be_visible()
        sync_api.expect(page.frame_locator(MAP_FRAME).locator(PANEL_TITLE)).to_have_text(PANEL_TEXT)
        sync_api.expect(page.locator(APP_IDLE)).to_be_attached()
        yield seen, page
    finally:
        context.close()


def document_headers(seen: Visit, deployment: Deployment) -> dict[str, str]:
    """The headers of the top document's response."""
    return next(headers for url, headers in seen.responses if url == f"{deployment.url}{PERMALINK}")


def test_the_map_draws_and_the_panel_opens_through_the_proxy(visit, sync_api):
    seen, page = visit
    sync_api.expect(page.frame_locator(MAP_FRAME).locator(MAP_REGION)).to_be_visible()
    sync_api.expect(page.frame_locator(MAP_FRAME).locator(PANEL_TITLE)).to_have_text(PANEL_TEXT)
    assert seen.page_errors == []


def test_the_content_security_policy_blocks_nothing_the_map_page_loads(visit):
    seen, _ = visit
    assert seen.csp_violations() == []


def test_the_data_page_draws_its_tables_under_the_content_security_policy(
    browser, sync_api, deployment
):
    seen = Visit()
    context = browser.new_context()
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on("console", lambda message: seen.console.append(message.text))
    try:
        page.goto(f"{deployment.url}{DATA_PAGE}")
        sync_api.expect(page.locator(DATA_TABLE).first).to_be_visible()
        sync_api.expect(page.locator(APP_IDLE)).to_be_attached()
    finally:
        context.close()
    assert seen.csp_violations() == []


@pytest.mark.parametrize("header", proxy.SECURITY_HEADERS)
def test_the_page_carries_every_security_header(visit, deployment, header):
    seen, _ = visit
    assert header in document_headers(seen, deployment)


def test_the_page_may_only_be_framed_by_the_app_itself(visit, deployment):
    seen, _ = visit
    headers = document_headers(seen, deployment)
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in headers["content-security-policy"]


def test_streamlits_big_javascript_arrives_gzipped(visit):
    seen, _ = visit
    scripts = [(url, headers) for url, headers in seen.responses if url.endswith(".js")]
    index = [headers for url, headers in scripts if "/static/js/index." in url]
    assert index, [url for url, _ in scripts]
    assert index[0].get("content-encoding") == "gzip"


def test_every_text_response_of_the_first_visit_is_compressed(visit):
    seen, _ = visit
    text_types = ("text/", "application/javascript", "application/json")
    plain = [
        url
        for url, headers in seen.responses
        if headers.get("content-type", "").startswith(text_types)
        and int(headers.get("content-length", "1000")) >= 1000
        and "content-encoding" not in headers
    ]
    assert plain == []


def test_the_websocket_is_compressed_through_the_proxy(visit):
    seen, _ = visit
    assert seen.handshakes, "no websocket handshake seen"
    assert all(
        "permessage-deflate" in handshake.get("sec-websocket-extensions", "")
        for handshake in seen.handshakes
    ), seen.handshakes


def test_the_sessions_page_requests_and_websocket_all_reach_one_replica(visit, deployment):
    seen, _ = visit
    page_upstreams = {
        headers[UPSTREAM_HEADER]
        for url, headers in seen.responses
        if url.startswith(deployment.url) and UPSTREAM_HEADER in headers
    }
    socket_upstreams = {headers[UPSTREAM_HEADER] for headers in seen.handshakes}
    assert len(seen.responses) > 10
    assert seen.handshakes, "no websocket handshake seen"
    assert len(page_upstreams) == 1, page_upstreams
    assert socket_upstreams == page_upstreams
    assert page_upstreams <= set(deployment.upstream_names())


def upstream_of(url: str, cookie: str | None = None) -> str:
    """Which replica answered a plain HTTP request (with the sticky cookie, if given)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.headers[UPSTREAM_HEADER]


def test_fresh_visitors_behind_one_address_are_spread_over_both_replicas(deployment):
    health = f"{deployment.url}/_stcore/health"
    answered = {upstream_of(health) for _ in range(FRESH_VISITORS)}
    assert answered == set(deployment.upstream_names())


def test_a_visitor_with_the_cookie_always_reaches_the_same_replica(deployment):
    health = f"{deployment.url}/_stcore/health"
    cookie = f"{proxy.COOKIE}=one-visitor"
    assert len({upstream_of(health, cookie) for _ in range(FRESH_VISITORS)}) == 1
