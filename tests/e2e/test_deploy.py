"""Two replicas behind nginx on 127.0.0.1 (deploy/, tooling/proxy.py), in a real browser.

The map draws, the panel works, the big JavaScript arrives gzipped and the hashed files cacheable
for a year, every security header is there with no Content-Security-Policy violation, and a
session's page requests and its websocket all reach one replica. Streamlit's internals are not
served; one client holding many idle sockets or too many requests leaves another served; and a
replica killed under a live session is restarted while the site and the session carry on (last
in this file: it leaves the deployment as it found it). Outside CI a missing nginx skips; under
CI=true it fails.
"""

import http.client
import http.server
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus

from tests.e2e.conftest import unavailable
from tooling import proxy
from tooling.browser import MAP_FRAME
from tooling.proxy import Deployment, Limits, ProxyServer
from tooling.server import ScriptSession, process_tree, raise_open_files_limit

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
    statuses: dict[str, int] = field(default_factory=dict)
    handshakes: list[dict[str, str]] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def record(self, response) -> None:
        self.responses.append((response.url, response.all_headers()))
        self.statuses[response.url] = response.status

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
    page.on("response", seen.record)
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
    new_context, sync_api, deployment
):
    seen = Visit()
    context = new_context()
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


# --- hashed files: a year in the browser's cache -----------------------------------------------

IMMUTABLE = "public, max-age=31536000, immutable"
HASHED_STATIC = re.compile(r"/static/.+\.[A-Za-z0-9_-]{8}\.(js|css|woff2?)$")
HASHED_COMPONENT = re.compile(r"/component/[^/]+/static/.+\.[0-9a-f]{8}\.js$")


def test_streamlits_hashed_files_may_be_kept_for_a_year(visit, deployment):
    seen, _ = visit
    hashed = [
        (url, headers.get("cache-control"))
        for url, headers in seen.responses
        if url.startswith(deployment.url) and HASHED_STATIC.search(url.split("?")[0])
    ]
    assert len(hashed) > 5, [url for url, _ in seen.responses]
    assert [entry for entry in hashed if entry[1] != IMMUTABLE] == []


def test_the_map_components_hashed_script_may_be_kept_for_a_year(visit, deployment):
    seen, _ = visit
    component = [
        headers.get("cache-control")
        for url, headers in seen.responses
        if HASHED_COMPONENT.search(url.split("?")[0])
    ]
    assert component, [url for url, _ in seen.responses if "/component/" in url]
    assert set(component) == {IMMUTABLE}


def test_the_page_itself_is_not_cached_for_long(visit, deployment):
    seen, _ = visit
    assert "immutable" not in document_headers(seen, deployment).get("cache-control", "")


# --- Streamlit's internals -------------------------------------------------------------------

INTERNAL_PATHS = (
    "/_stcore/metrics",
    "/_stcore/script-health-check",
    "/_stcore/agent/openapi.json",
    "/_stcore/agent/interact",
    "/_stcore/upload_file/session/file",
    "/_stcore/bidi-components/any/file.js",
    "/data/_stcore/metrics",
)


def status_of(url: str, method: str = "GET") -> int:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("path", INTERNAL_PATHS)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_streamlits_internals_are_not_served_through_nginx(deployment, path, method):
    assert status_of(f"{deployment.url}{path}", method) == 404


def test_the_replicas_themselves_serve_their_metrics(deployment):
    """What the test above refuses is there behind nginx (so nginx is what refuses it)."""
    replica = deployment.servers[0]
    assert status_of(f"{replica.url}/_stcore/metrics") == 200


def test_the_page_needs_nothing_nginx_refuses(visit, deployment):
    seen, _ = visit
    internal = [
        (url, status)
        for url, status in seen.statuses.items()
        if url.startswith(f"{deployment.url}/_stcore/") and status >= 400
    ]
    assert internal == []
    assert f"{deployment.url}/_stcore/host-config" in seen.statuses


# --- one client against the others ---------------------------------------------------------

IDLE_SOCKETS = 1500  # one address; 1,024 connections in all took the old configuration down
OTHER_CLIENT = "127.0.0.2"  # another address of the loopback: another client to nginx
IDLE_CLOSED_WITHIN_S = 25  # client_header_timeout (10 s) and slack for a loaded machine


def get_from(address: str, url: str) -> int:
    """The status of a GET of `url` sent from the local `address`."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    connection = http.client.HTTPConnection(
        host, int(port), timeout=10, source_address=(address, 0)
    )
    try:
        connection.request("GET", "/" + url.split("//")[1].split("/", 1)[1])
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_client_holding_many_idle_sockets_leaves_another_served(deployment):
    if raise_open_files_limit() < IDLE_SOCKETS + 200:
        pytest.skip("this process may not open enough files for the test")
    host, port = deployment.url.split("//")[1].split(":")
    held: list[socket.socket] = []
    try:
        for _ in range(IDLE_SOCKETS):
            held.append(socket.create_connection((host, int(port)), timeout=10))
        # Another client gets the page and runs the map page over the websocket meanwhile.
        assert get_from(OTHER_CLIENT, f"{deployment.url}/_stcore/health") == 200
        assert get_from(OTHER_CLIENT, f"{deployment.url}/") == 200
        with ScriptSession(deployment.url, timeout=120, source=OTHER_CLIENT) as session:
            assert session.run()
        # nginx closes the idle sockets itself (no request header within client_header_timeout).
        deadline = time.monotonic() + IDLE_CLOSED_WITHIN_S
        open_ones = {sock.fileno(): sock for sock in held}
        watch = select.poll()
        for descriptor in open_ones:
            watch.register(descriptor, select.POLLIN | select.POLLHUP | select.POLLERR)
        while open_ones and time.monotonic() < deadline:
            for descriptor, _event in watch.poll(1000):
                try:
                    closed = open_ones[descriptor].recv(1) == b""
                except ConnectionResetError:
                    closed = True
                if closed:
                    watch.unregister(descriptor)
                    del open_ones[descriptor]
        assert not open_ones, f"{len(open_ones)} idle sockets still open"
    finally:
        for sock in held:
            sock.close()


SMALL_LIMITS = Limits(
    requests_open=64, request_rate=1, request_burst=10, sockets_open=3, socket_rate=600
)


@pytest.fixture(scope="module")
def limited(deployment: Deployment) -> Iterator[ProxyServer]:
    """A second nginx in front of the same replicas, with small per-address limits."""
    server = ProxyServer(list(deployment.upstream_names()), limits=SMALL_LIMITS)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        server.cleanup()


def test_one_client_over_its_request_rate_gets_429_and_another_is_served(limited):
    health = f"{limited.url}/_stcore/health"
    answers = [get_from("127.0.0.1", health) for _ in range(SMALL_LIMITS.request_burst + 10)]
    assert 429 in answers and set(answers) == {200, 429}, answers
    assert get_from(OTHER_CLIENT, health) == 200


def test_one_client_over_its_open_websockets_gets_429_and_another_connects(limited):
    sessions: list[ScriptSession] = []
    try:
        for _ in range(SMALL_LIMITS.sockets_open):
            sessions.append(ScriptSession(limited.url, timeout=30))
        with pytest.raises(InvalidStatus) as refused:
            sessions.append(ScriptSession(limited.url, timeout=30))
        assert refused.value.response.status_code == 429
        sessions.append(ScriptSession(limited.url, timeout=30, source=OTHER_CLIENT))
    finally:
        for session in sessions:
            session.close()


def test_nginx_may_hold_thousands_of_connections(deployment):
    assert deployment.proxy is not None
    config = deployment.proxy.config_path.read_text()
    connections = int(re.search(r"worker_connections (\d+);", config).group(1))
    workers = [
        pid
        for pid in process_tree(deployment.proxy.process.pid)
        if pid != deployment.proxy.process.pid
    ]
    assert workers
    for pid in workers:
        limits = Path(f"/proc/{pid}/limits").read_text()
        soft = int(re.search(r"Max open files\s+(\d+)", limits).group(1))
        assert soft >= connections >= 4096, (soft, connections)


# --- framed by another site, over HTTPS --------------------------------------------------------

EMBEDDED_HOST = "localhost"  # another site than 127.0.0.1 for the browser


class Embedder(http.server.BaseHTTPRequestHandler):
    """Any GET: a page framing the app (a server of its own on loopback: Chromium refuses a
    loopback frame in a page that has no address, such as one Playwright answers itself)."""

    page = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(scope="module")
def embedder() -> Iterator[str]:
    """The embedding site's origin, http://127.0.0.1:<port>."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Embedder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def framed(deployment: Deployment, embedder: str, tmp_path_factory) -> Iterator[ProxyServer]:
    """A second nginx serving HTTPS (a certificate made here) in front of the same replicas,
    which lets the embedder frame the app."""
    if shutil.which("openssl") is None:
        unavailable("no openssl to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", f"/CN={EMBEDDED_HOST}"),
            *("-addext", f"subjectAltName=DNS:{EMBEDDED_HOST}"),
        ],
        check=True,
        capture_output=True,
    )
    server = ProxyServer(
        list(deployment.upstream_names()),
        expose_upstream=True,
        frame_ancestors=(embedder,),
        tls=proxy.Tls(str(cert), str(key)),
        host=EMBEDDED_HOST,
    )
    try:
        server.start()
        yield server
    finally:
        server.stop()
        server.cleanup()


def test_the_replica_cookie_survives_a_cross_site_frame_over_https(
    new_context, sync_api, framed, embedder
):
    Embedder.page = (
        f'<iframe src="{framed.url}{PERMALINK}" width="1200" height="900"></iframe>'.encode()
    )
    context = new_context(ignore_https_errors=True)  # the test's own certificate
    seen = Visit()
    page = context.new_page()
    page.on("response", seen.record)
    try:
        page.goto(f"{embedder}/")
        app = page.frame_locator("iframe")
        sync_api.expect(app.frame_locator(MAP_FRAME).locator(MAP_REGION)).to_be_visible()
        ours = [(url, headers) for url, headers in seen.responses if url.startswith(framed.url)]
        cookies = [h["set-cookie"] for _, h in ours if proxy.COOKIE in h.get("set-cookie", "")]
        # Set once (every later request of the frame sent it back), for a cross-site frame.
        assert len(cookies) == 1, cookies
        assert all(part in cookies[0] for part in ("SameSite=None", "Secure", "Partitioned"))
        upstreams = {h[UPSTREAM_HEADER].split(", ")[-1] for _, h in ours if UPSTREAM_HEADER in h}
        assert len(ours) > 10 and len(upstreams) == 1, upstreams
        policy = next(h for url, h in ours if url == f"{framed.url}{PERMALINK}")
        assert f"frame-ancestors 'self' {embedder}" in policy["content-security-policy"]
        assert "x-frame-options" not in policy
    finally:
        context.close()


# --- a replica killed under a live session (keep last: it restores what it breaks) -------------

RECONNECT_WITHIN_S = 60
BACK_WITHIN_S = 300  # restart and warm-up: 48 s measured on the loaded 2-core test machine
NAV_LINK = '[data-testid="stPageLink"] a'
DATA_HEADING = re.compile(r"^Sources \(\d+ of \d+\)$")  # drawn by the data page's run


def test_a_killed_replica_is_replaced_while_the_site_and_the_session_carry_on(
    new_context, sync_api, deployment
):
    assert deployment.supervisor is not None
    seen = Visit()
    context = new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.on("response", seen.record)
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
        sync_api.expect(page.locator(APP_IDLE)).to_be_attached()
        first = seen.handshakes[0][UPSTREAM_HEADER]
        victim = next(s for s in deployment.servers if f"127.0.0.1:{s.port}" == first)
        old_pid = victim.process.pid
        restarts = deployment.supervisor.restarts.get(victim.name, 0)

        os.killpg(old_pid, signal.SIGKILL)
        # The site keeps answering, from the other replica, and nginx lives on.
        answers = {status_of(f"{deployment.url}/_stcore/health") for _ in range(20)}
        assert answers == {200}
        assert get_from("127.0.0.1", f"{deployment.url}/") == 200
        assert deployment.proxy is not None and deployment.proxy.alive()

        # The tab reconnects to the other replica and the session carries on: a page change
        # (a run over the websocket) draws the next page.
        deadline = time.monotonic() + RECONNECT_WITHIN_S
        while len(seen.handshakes) < 2:
            assert time.monotonic() < deadline, "the tab did not reconnect"
            page.wait_for_timeout(200)  # lets Playwright deliver the page's events meanwhile
        sync_api.expect(page.locator(APP_IDLE)).to_be_attached()
        page.locator(NAV_LINK).filter(has_text=re.compile(r"^Data$")).click()
        sync_api.expect(page.get_by_role("heading", name=DATA_HEADING)).to_be_visible()
        later = {shake[UPSTREAM_HEADER].split(", ")[-1] for shake in seen.handshakes[1:]}
        assert later and first not in later, seen.handshakes

        # The replica comes back (a new process on the same port), warmed, in rotation again.
        deadline = time.monotonic() + BACK_WITHIN_S
        while deployment.supervisor.restarts.get(victim.name, 0) <= restarts:
            assert time.monotonic() < deadline, deployment.log_tail()
            time.sleep(0.5)  # a polling interval, not a measurement
        assert victim.alive() and victim.process.pid != old_pid
        health = f"{deployment.url}/_stcore/health"
        assert {upstream_of(health) for _ in range(FRESH_VISITORS)} == set(
            deployment.upstream_names()
        )
        assert seen.page_errors == []
    finally:
        context.close()


def test_a_hung_replica_is_replaced_while_the_site_answers(deployment):
    """A replica that stops answering (SIGSTOP: its port still accepts connections) fails its
    health checks, is taken out, killed, restarted and warmed; the site answers meanwhile."""
    assert deployment.supervisor is not None
    victim = deployment.servers[-1]
    old_pid = victim.process.pid
    restarts = deployment.supervisor.restarts.get(victim.name, 0)
    os.killpg(old_pid, signal.SIGSTOP)
    answers = []
    deadline = time.monotonic() + BACK_WITHIN_S
    while deployment.supervisor.restarts.get(victim.name, 0) <= restarts:
        assert time.monotonic() < deadline, deployment.log_tail()
        answers.append(status_of(f"{deployment.url}/_stcore/health"))
        time.sleep(0.5)  # a polling interval, not a measurement
    assert victim.alive() and victim.process.pid != old_pid
    assert not Path(f"/proc/{old_pid}").exists() or "zombie" in Path(
        f"/proc/{old_pid}/status"
    ).read_text(errors="replace")
    assert len(answers) > 10 and set(answers) == {200}, answers
    assert any("failed 3 health checks" in line for line in deployment.supervisor.events)
