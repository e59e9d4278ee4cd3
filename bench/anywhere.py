"""The atlas anywhere, side by side in one run (issue 19): the static atlas against the app.

- the static atlas (`csto_atlas.render.site`, as `python -m csto_atlas export site` writes it)
  in a temporary folder, served by Python's http.server on loopback (a static host, gzip when
  the browser accepts it) and opened from file://; its cold open is timed exactly as the app's
  (the probe's map check: the year shown with every region's expected colour, painted);
- the app (`streamlit run dashboard.py`) opened in fresh contexts in the same rounds, alternating
  with the static atlas; then a repeat visit in the last context (its HTTP cache kept);
- the API beside the app: GET /api/v1/countries.csv?year=2019 from one and from several
  clients on loopback, answers per second and latency;
- one session's messages for the map page on the websocket, without a browser
  (tooling/server.ScriptSession): what the server sends every visitor, the map's message the
  largest of them.

See bench/README.md, *The atlas anywhere*.
"""

import gzip
import http.client
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from playwright.sync_api import Browser

from bench.stats import rate_summary, summarise
from csto_atlas.data import paths
from csto_atlas.data.load import Atlas
from csto_atlas.data.version import data_version
from csto_atlas.render import site
from tooling.browser import MAP_FRAME
from tooling.server import AppServer, ScriptSession

KB = 1000
# The deployment's nginx compresses at level 5 (deploy/, bench/README.md "Through the proxy").
GZIP_LEVEL = 5
API_PATH = "/api/v1/countries.csv?year=2019"
API_CLIENTS = 4
API_MAX_ANSWERS = 300  # per client and phase
API_MAX_SECONDS = 8.0  # per phase
API_TIMEOUT_S = 30.0
# Targets of issue 19, item 6.
STATIC_RATIO_TARGET = 0.4
STATIC_WIRE_KB_TARGET = 450
REPEAT_VISIT_KB_TARGET = 150
API_MEDIAN_MS_TARGET = 20


class AnywhereError(RuntimeError):
    """A measurement of the atlas anywhere could not be completed."""


class StaticHandler(SimpleHTTPRequestHandler):
    """http.server's file handler, sending a file gzipped when the request accepts gzip.

    What a static host does (nginx's `gzip on`, a CDN): the bytes on the wire are then the
    compressed file plus the headers. Files are compressed once, on their first request (a host
    with precompressed files, nginx's `gzip_static`, pays nothing per visitor).
    """

    compressed: ClassVar[dict[Path, bytes]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / site.INDEX
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        gzipped = "gzip" in self.headers.get("Accept-Encoding", "")
        if gzipped:
            if path not in self.compressed:
                self.compressed[path] = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
            body = self.compressed[path]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve_folder(folder: Path) -> None:
    """Serve `folder` on a free loopback port until killed; the port is the first stdout line."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(StaticHandler, directory=str(folder)))
    print(server.server_address[1], flush=True)
    server.serve_forever()


class StaticHost:
    """`python -m bench.anywhere serve FOLDER`, a process of its own (as a static host is, so it
    takes no time from the benchmark's own Python); a context manager."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "StaticHost":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.anywhere", "serve", str(self.folder)],
            cwd=paths.REPO_DIR,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.isdigit():
            self.__exit__()
            raise AnywhereError(f"the static host did not start (it said {line!r})")
        self.port = int(line)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def export_site(atlas: Atlas, out: Path) -> dict[str, Any]:
    """Write the static atlas into `out` as the export command does; its files and sizes."""
    files = site.site_files(atlas, data_version())
    site.write_site(out, files)
    return {
        "files": [file.name for file in files],
        "raw_bytes": sum(len(file.data) for file in files),
        "gzip9_bytes": sum(file.gzipped_size for file in files),
        f"gzip{GZIP_LEVEL}_bytes": sum(
            len(gzip.compress(file.data, compresslevel=GZIP_LEVEL, mtime=0)) for file in files
        ),
    }


# --- the API ------------------------------------------------------------------------------------


def api_client(
    host: str, port: int, path: str, stop_at: float, limit: int, out: list, errors: list
) -> None:
    """One client: a kept-alive connection asking `path` until `stop_at` or `limit` answers."""
    connection = http.client.HTTPConnection(host, port, timeout=API_TIMEOUT_S)
    try:
        while time.monotonic() < stop_at and len(out) < limit:
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                errors.append(repr(error))
                connection.close()
                continue
            elapsed = time.perf_counter() - started
            if response.status == 200 and body:
                out.append(elapsed)
            else:
                errors.append(f"HTTP {response.status}")
    finally:
        connection.close()


def api_phase(url: str, path: str, clients: int) -> dict[str, Any]:
    """`clients` threads asking `path` at once, bounded in answers and time."""
    host, port = url.removeprefix("http://").split(":")
    results: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    stop_at = time.monotonic() + API_MAX_SECONDS
    threads = [
        threading.Thread(
            target=api_client,
            args=(host, int(port), path, stop_at, API_MAX_ANSWERS, results[i], errors),
        )
        for i in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    summary = rate_summary([value for got in results for value in got], elapsed, len(errors))
    return {**summary, "clients": clients, "error_samples": errors[:5]}


def measure_api(url: str) -> dict[str, Any]:
    """The API's countries.csv: one warm-up answer, then one client, then API_CLIENTS."""
    connection = http.client.HTTPConnection(*url.removeprefix("http://").split(":"))
    connection.request("GET", API_PATH)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise AnywhereError(f"{url}{API_PATH}: HTTP {response.status}: {body[:200]!r}")
    return {
        "path": API_PATH,
        "body_bytes": len(body),
        "sequential": api_phase(url, API_PATH, 1),
        "concurrent": api_phase(url, API_PATH, API_CLIENTS),
    }


# --- the websocket ------------------------------------------------------------------------------


def measure_messages(url: str) -> dict[str, Any]:
    """One session's run of the map page over the websocket: how many messages, their bytes
    (serialised ForwardMsgs, as the websocket carries them uncompressed) and the largest."""
    with ScriptSession(url) as session:
        messages = session.run()
    sizes = [message.ByteSize() for message in messages]
    return {"messages": len(sizes), "total_bytes": sum(sizes), "largest_bytes": max(sizes)}


# --- the browser side ---------------------------------------------------------------------------


def static_cold_open(browser: Browser, url: str, table: dict) -> dict[str, Any]:
    """A fresh context opens the static atlas at `url`, until its map is verified and painted."""
    from bench.run import COLD_TIMEOUT_MS, Visit, poll

    visit = Visit(browser)
    try:
        tally = visit.meter.window("cold")
        visit.page.goto(url, wait_until="commit")
        arg = {"id": "cold", "kind": "map", "frame": MAP_FRAME, "expected": table, "year": None}
        done = poll(visit.page, arg, COLD_TIMEOUT_MS)
        visit.meter.window("after-cold")
        return {
            "ms": done["paintedAt"] - done["navigationStart"],
            "year": done["detail"]["year"],
            "bytes": tally.as_dict(),
        }
    finally:
        visit.close()


def repeat_visit(visit, url: str, table: dict) -> dict[str, Any]:
    """In the context of a cold open: navigate to the app again, until the map is painted."""
    from bench.run import COLD_TIMEOUT_MS, poll

    visit.meter.attach_cache(visit.context.new_cdp_session(visit.page))
    tally = visit.meter.window("repeat")
    visit.page.goto(f"{url}/", wait_until="commit")
    arg = {"id": "repeat", "kind": "map", "frame": MAP_FRAME, "expected": table, "year": None}
    done = poll(visit.page, arg, COLD_TIMEOUT_MS)
    visit.meter.window("after-repeat")
    return {"ms": done["paintedAt"] - done["navigationStart"], "bytes": tally.as_dict()}


def figures(measured: dict[str, Any]) -> dict[str, float | None]:
    """The headline figures of a measured run (see format_anywhere)."""
    app_ms = measured["app_cold_open_ms"]["median"]
    http_ms = measured["static_http_cold_open_ms"]["median"]
    file_ms = measured["static_file_cold_open_ms"]["median"]
    api = measured["api"]
    messages = measured["messages"]
    return {
        "app_cold_open_median_ms": app_ms,
        "static_http_cold_open_median_ms": http_ms,
        "static_file_cold_open_median_ms": file_ms,
        "static_http_over_app": http_ms / app_ms,
        "static_file_over_app": file_ms / app_ms,
        "app_first_visit_kb": measured["app_first_visit_bytes"]["median"] / KB,
        "static_first_visit_wire_kb": measured["static_first_visit_bytes"]["median"] / KB,
        "app_repeat_visit_kb": measured["repeat_visit"]["bytes"]["received"] / KB,
        "app_repeat_visit_http_kb": measured["repeat_visit"]["bytes"]["http_bytes"] / KB,
        "app_repeat_visit_websocket_kb": measured["repeat_visit"]["bytes"]["ws_bytes"] / KB,
        "api_sequential_per_s": api["sequential"]["answers_per_s"],
        "api_sequential_median_ms": api["sequential"]["median_ms"],
        "api_sequential_p95_ms": api["sequential"]["p95_ms"],
        "api_concurrent_per_s": api["concurrent"]["answers_per_s"],
        "api_concurrent_median_ms": api["concurrent"]["median_ms"],
        "api_concurrent_p95_ms": api["concurrent"]["p95_ms"],
        "session_messages_kb": messages["total_bytes"] / KB,
        "largest_message_kb": messages["largest_bytes"] / KB,
    }


def targets(fig: dict[str, float | None]) -> list[dict[str, Any]]:
    """Issue 19's targets of item 6, each with its value and whether it is met."""
    rows = (
        (
            f"static atlas cold open (static host) ≤ {STATIC_RATIO_TARGET}× the app's",
            "static_http_over_app",
            STATIC_RATIO_TARGET,
            "×",
        ),
        (
            f"static atlas first load on the wire ≤ {STATIC_WIRE_KB_TARGET} kB",
            "static_first_visit_wire_kb",
            STATIC_WIRE_KB_TARGET,
            "kB",
        ),
        (
            f"app repeat visit received ≤ {REPEAT_VISIT_KB_TARGET} kB",
            "app_repeat_visit_kb",
            REPEAT_VISIT_KB_TARGET,
            "kB",
        ),
        (
            f"API countries.csv median latency ≤ {API_MEDIAN_MS_TARGET} ms (one client)",
            "api_sequential_median_ms",
            API_MEDIAN_MS_TARGET,
            "ms",
        ),
    )
    return [
        {
            "target": label,
            "value": fig.get(key),
            "unit": unit,
            "met": fig.get(key) is not None and fig[key] <= limit,
        }
        for label, key, limit, unit in rows
    ]


def measure_anywhere(
    browser: Browser, atlas: Atlas, table: dict, rounds: int, log
) -> dict[str, Any]:
    """Everything above, in one run: see the module's docstring."""
    from bench.run import Visit, cold_open

    with tempfile.TemporaryDirectory(prefix="csto-site-") as folder:
        out = Path(folder)
        exported = export_site(atlas, out)
        log(f"static atlas: {exported['raw_bytes']:,} bytes, {exported['gzip9_bytes']:,} gzip -9")
        file_url = (out / site.INDEX).as_uri()
        with StaticHost(out) as host, AppServer("atlas") as server:
            # one warm-up each (the app's caches, the browser's first start of a page)
            warm, _ = cold_open(browser, server.url, table)
            warm.close()
            static_cold_open(browser, f"{host.url}/", table)
            app_runs, http_runs, file_runs = [], [], []
            last: Visit | None = None
            for index in range(rounds):
                order = ("app", "http", "file") if index % 2 == 0 else ("file", "http", "app")
                for which in order:
                    if which == "app":
                        if last is not None:
                            last.close()
                        last, run = cold_open(browser, server.url, table)
                        app_runs.append(run)
                    elif which == "http":
                        http_runs.append(static_cold_open(browser, f"{host.url}/", table))
                    else:
                        file_runs.append(static_cold_open(browser, file_url, table))
                log(
                    f"round {index}: app {app_runs[-1]['ms']:.0f} ms, static host "
                    f"{http_runs[-1]['ms']:.0f} ms, file:// {file_runs[-1]['ms']:.0f} ms"
                )
            assert last is not None
            repeat = repeat_visit(last, server.url, table)
            last.close()
            log(f"repeat visit: {repeat['bytes']['received'] / KB:.1f} kB received")
            server.check_alive()
            messages = measure_messages(server.url)
            log(
                f"one session's map page: {messages['total_bytes'] / KB:.1f} kB in "
                f"{messages['messages']} messages, the largest {messages['largest_bytes'] / KB:.1f} kB"
            )
            api = measure_api(server.url)
            server.check_alive()
            log(
                f"API: {api['sequential']['answers_per_s']:.0f}/s one client, "
                f"{api['concurrent']['answers_per_s']:.0f}/s {API_CLIENTS} clients"
            )
    measured = {
        "rounds": rounds,
        "site": exported,
        "gzip_level_of_the_static_host": GZIP_LEVEL,
        "app_cold_open_ms": summarise([run["ms"] for run in app_runs]),
        "static_http_cold_open_ms": summarise([run["ms"] for run in http_runs]),
        "static_file_cold_open_ms": summarise([run["ms"] for run in file_runs]),
        "app_first_visit_bytes": summarise([run["bytes"]["received"] for run in app_runs]),
        "static_first_visit_bytes": summarise([run["bytes"]["received"] for run in http_runs]),
        "repeat_visit": repeat,
        "messages": messages,
        "api": api,
        "runs": {"app": app_runs, "static_http": http_runs, "static_file": file_runs},
    }
    measured["figures"] = figures(measured)
    measured["targets"] = targets(measured["figures"])
    return measured


ROWS = (
    ("cold open, app (streamlit run), median (ms)", "app_cold_open_median_ms", "{:.0f}"),
    (
        "cold open, static atlas, static host, median (ms)",
        "static_http_cold_open_median_ms",
        "{:.0f}",
    ),
    ("cold open, static atlas, file://, median (ms)", "static_file_cold_open_median_ms", "{:.0f}"),
    ("  static host / app", "static_http_over_app", "{:.2f}×"),
    ("  file:// / app", "static_file_over_app", "{:.2f}×"),
    ("first visit received, app (kB)", "app_first_visit_kb", "{:.1f}"),
    ("first load on the wire, static atlas, gzip (kB)", "static_first_visit_wire_kb", "{:.1f}"),
    ("repeat visit received, app (kB)", "app_repeat_visit_kb", "{:.1f}"),
    ("  of which HTTP (kB)", "app_repeat_visit_http_kb", "{:.1f}"),
    ("  of which websocket (kB)", "app_repeat_visit_websocket_kb", "{:.1f}"),
    ("map page's messages, one session (kB)", "session_messages_kb", "{:.1f}"),
    ("  the largest, the map's (kB)", "largest_message_kb", "{:.1f}"),
    ("API countries.csv, 1 client (answers/s)", "api_sequential_per_s", "{:.0f}"),
    ("  median / p95 latency (ms)", ("api_sequential_median_ms", "api_sequential_p95_ms"), None),
    (f"API countries.csv, {API_CLIENTS} clients (answers/s)", "api_concurrent_per_s", "{:.0f}"),
    ("  median / p95 latency (ms)", ("api_concurrent_median_ms", "api_concurrent_p95_ms"), None),
)


def format_anywhere(measured: dict[str, Any]) -> str:
    """The table of the side-by-side figures, then the targets."""
    fig = measured["figures"]
    lines = [f"the atlas anywhere ({measured['rounds']} rounds, medians)", "-" * 62]
    for label, key, fmt in ROWS:
        if isinstance(key, tuple):
            shown = " / ".join("n/a" if fig[k] is None else f"{fig[k]:.1f}" for k in key)
        else:
            shown = "n/a" if fig[key] is None else fmt.format(fig[key])
        lines.append(f"{label:<52}{shown:>10}")
    site_sizes = measured["site"]
    lines.append(
        f"static atlas file: {site_sizes['raw_bytes'] / KB:.1f} kB raw, "
        f"{site_sizes['gzip9_bytes'] / KB:.1f} kB gzip -9"
    )
    lines += ["", "targets (issue 19, item 6):"]
    for check in measured["targets"]:
        value = check["value"]
        shown = "n/a" if value is None else f"{value:.2f} {check['unit']}"
        lines.append(f"  [{'met' if check['met'] else 'MISSED':>6}] {check['target']}: {shown}")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "serve":
        sys.exit("usage: python -m bench.anywhere serve FOLDER")
    serve_folder(Path(sys.argv[2]))
