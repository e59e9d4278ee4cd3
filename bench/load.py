"""`python -m bench.load`: N concurrent browser sessions against one server or K replicas behind
nginx, on 127.0.0.1, for a bounded time; errors, cold open and country-to-panel times, memory.

Each session is a fresh Playwright context (its own Streamlit session) in one of a few headless
Chromium processes. It opens the map, then until the time is up repeats, at a user's pace: a
step of the year slider (in the page, no server round trip) and a country chosen in the map's
Country box (a rerun on the server), waiting each time for that country's panel. See
bench/README.md, "Many users".

With --pin (the default on a machine with 2 or more cores) the servers and nginx run on core 0
and the browsers and this script on the other cores: processes inherit this process's CPU
affinity, which is set before each side is started. The CPU time of each side is reported.
"""

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from playwright.async_api import Browser, Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

from bench.run import RESULTS_DIR
from bench.stats import median, percentile
from csto_atlas.data.load import load_atlas
from tooling.browser import launch_options
from tooling.proxy import Deployment
from tooling.server import AppServer, ServerError, tree_cpu_seconds

# What a session waits for: everything is inside the map's frame (the loop runs in the browser).
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
MAP_REGION = "path.csto-iso-UZB"
MAP_SLIDER = "input.csto-slider"
COUNTRY_BOX = "select.csto-country"
PANEL_TITLE = ".csto-sheet-body h2.csto-panel-title"
APP_ERROR = '[data-testid="stException"]'
VIEWPORT = {"width": 1280, "height": 900}

MAX_SESSIONS = 60
MAX_SECONDS = 600
COLD_TIMEOUT_MS = 60_000
ACTION_TIMEOUT_MS = 30_000
SESSIONS_PER_BROWSER = 10
MEMORY_SAMPLE_S = 1.0
COLD_OPEN_LIMIT_MS = 3000
MIB = 1024


@dataclass
class SessionLog:
    """What one simulated user saw."""

    cold_open_ms: float | None = None
    panel_ms: list[float] = field(default_factory=list)
    slider_steps: int = 0
    errors: list[str] = field(default_factory=list)


async def open_session(browser: Browser, url: str) -> tuple[Page, SessionLog, float]:
    """A fresh context on the map page; the cold open's time once the map is drawn."""
    log = SessionLog()
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.on("pageerror", lambda error: log.errors.append(f"page error: {error}"))
    started = time.perf_counter()
    await page.goto(f"{url}/", wait_until="commit", timeout=COLD_TIMEOUT_MS)
    await page.frame_locator(MAP_FRAME).locator(MAP_REGION).wait_for(timeout=COLD_TIMEOUT_MS)
    log.cold_open_ms = (time.perf_counter() - started) * 1000
    return page, log, started


async def choose_country(page: Page, iso3: str, name: str, log: SessionLog) -> None:
    """Pick a country in the map's Country box; time until its panel shows."""
    started = time.perf_counter()
    await (
        page.frame_locator(MAP_FRAME)
        .locator(COUNTRY_BOX)
        .select_option(iso3, timeout=ACTION_TIMEOUT_MS)
    )
    title = page.frame_locator(MAP_FRAME).locator(PANEL_TITLE).filter(has_text=name)
    await title.wait_for(timeout=ACTION_TIMEOUT_MS)
    log.panel_ms.append((time.perf_counter() - started) * 1000)


async def step_slider(page: Page, log: SessionLog, key: str) -> None:
    await page.frame_locator(MAP_FRAME).locator(MAP_SLIDER).press(key, timeout=ACTION_TIMEOUT_MS)
    log.slider_steps += 1


async def run_session(
    browser: Browser,
    url: str,
    countries: dict[str, str],
    seconds: float,
    think_s: float,
    seed: int,
) -> SessionLog:
    """One user: cold open, then slider steps and countries for `seconds`."""
    chooser = random.Random(seed)
    log = SessionLog()
    page = None
    try:
        page, log, _ = await open_session(browser, url)
        deadline = time.monotonic() + seconds
        key = "ArrowLeft"
        while time.monotonic() < deadline:
            await step_slider(page, log, key)
            key = chooser.choice(("ArrowLeft", "ArrowRight"))
            iso3 = chooser.choice(sorted(countries))
            await choose_country(page, iso3, countries[iso3], log)
            if await page.locator(APP_ERROR).count():
                log.errors.append("the app shows an exception")
                break
            await asyncio.sleep(think_s)  # a user's pace between actions, not a wait for the app
    except PlaywrightTimeout as error:
        log.errors.append(f"timeout: {str(error).splitlines()[0]}")
    except Exception as error:  # a closed page, a crashed renderer: counted, reported, not fatal
        log.errors.append(f"{type(error).__name__}: {str(error).splitlines()[0][:200]}")
    finally:
        if page is not None:
            await page.context.close()
    return log


async def drive(
    url: str, sessions: int, seconds: float, think_s: float, countries: dict[str, str]
) -> list[SessionLog]:
    """All sessions at once, in ceil(sessions / 10) Chromium processes."""
    browsers_needed = -(-sessions // SESSIONS_PER_BROWSER)
    async with async_playwright() as playwright:
        browsers = [
            await playwright.chromium.launch(**launch_options()) for _ in range(browsers_needed)
        ]
        try:
            tasks = [
                run_session(browsers[n % browsers_needed], url, countries, seconds, think_s, n)
                for n in range(sessions)
            ]
            return list(await asyncio.gather(*tasks))
        finally:
            for browser in browsers:
                await browser.close()


class MemorySampler:
    """The servers' RSS (KiB), sampled every second by an asyncio task beside the sessions."""

    def __init__(self, target: AppServer | Deployment) -> None:
        self.target = target
        self.samples: list[int] = []

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.samples.append(self.target.rss_kib())
            try:
                await asyncio.wait_for(stop.wait(), MEMORY_SAMPLE_S)
            except TimeoutError:
                continue


async def measure(
    target: AppServer | Deployment, args: argparse.Namespace, sessions: int
) -> dict[str, Any]:
    """Drive the sessions while sampling memory; the raw logs and the samples."""
    countries = country_names()
    sampler = MemorySampler(target)
    stop = asyncio.Event()
    sampling = asyncio.create_task(sampler.run(stop))
    try:
        logs = await drive(target.url, sessions, args.seconds, args.think_ms / 1000, countries)
    finally:
        stop.set()
        await sampling
    return {"logs": logs, "rss_samples_kib": sampler.samples}


def country_names() -> dict[str, str]:
    """iso3 -> name of the states a user picks in the Country box."""
    atlas = load_atlas()
    states = atlas.countries[atlas.countries["kind"] == "state"]
    return dict(zip(states["iso3"], states["name"], strict=True))


@contextmanager
def pinned(cores: set[int] | None) -> Iterator[None]:
    """Run the block (and every process it starts) on `cores`; restore the affinity after."""
    if not cores:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cores)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def split_cores(pin: bool) -> tuple[set[int] | None, set[int] | None]:
    """(server cores, browser cores): core 0 against the rest, or no pinning."""
    cores = sorted(os.sched_getaffinity(0))
    if not pin or len(cores) < 2:
        return None, None
    return {cores[0]}, set(cores[1:])


def start_target(
    replicas: int, via_proxy: bool, extra_env: dict[str, str] | None = None
) -> AppServer | Deployment:
    """One server on its own, or `replicas` behind nginx (`extra_env` added to theirs)."""
    if replicas == 1 and not via_proxy:
        return AppServer(name="load", extra_env=extra_env).start()
    return Deployment(replicas=replicas, name="load", extra_env=extra_env).start()


def warm_up_urls(target: AppServer | Deployment) -> list[str]:
    """One URL per replica (straight to it: nginx would pick one at random)."""
    if isinstance(target, AppServer):
        return [target.url]
    return [server.url for server in target.servers]


def server_pids(target: AppServer | Deployment) -> list[int]:
    """The root processes of the servers (and nginx)."""
    if isinstance(target, AppServer):
        return [target.process.pid] if target.process else []
    pids = [server.process.pid for server in target.servers if server.process]
    if target.proxy is not None and target.proxy.process is not None:
        pids.append(target.proxy.process.pid)
    return pids


def summary(values: list[float]) -> dict[str, float | None]:
    """Median and p95 (nearest rank), None for no values."""
    if not values:
        return {"n": 0, "median": None, "p95": None}
    return {"n": len(values), "median": median(values), "p95": percentile(values, 0.95)}


def report(
    sessions: int,
    logs: list[SessionLog],
    rss: dict[str, Any],
    cpu: dict[str, float],
    seconds: float,
) -> dict[str, Any]:
    """The figures of one run (see bench/README.md, "Many users")."""
    cold = [log.cold_open_ms for log in logs if log.cold_open_ms is not None]
    panels = [ms for log in logs for ms in log.panel_ms]
    errors = [error for log in logs for error in log.errors]
    cold_summary = summary(cold)
    during = max(rss["during_kib"]) if rss["during_kib"] else rss["before_kib"]
    return {
        "sessions": sessions,
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:10],
        "sessions_opened": len(cold),
        "cold_open_ms": cold_summary,
        "country_to_panel_ms": summary(panels),
        "panels_opened": len(panels),
        "slider_steps": sum(log.slider_steps for log in logs),
        "rss_mib": {
            "before": rss["before_kib"] / MIB,
            "during_max": during / MIB,
            "after": rss["after_kib"] / MIB,
        },
        "rss_per_session_mib": (during - rss["before_kib"]) / MIB / sessions,
        "cpu_seconds": cpu,
        "seconds": seconds,
        "holds": not errors
        and len(cold) == sessions
        and cold_summary["p95"] is not None
        and cold_summary["p95"] <= COLD_OPEN_LIMIT_MS,
    }


def run_one(args: argparse.Namespace, sessions: int) -> dict[str, Any]:
    """Fresh servers, one warm-up open, the sessions, and the figures."""
    server_cores, browser_cores = split_cores(args.pin)
    with pinned(server_cores):
        target = start_target(args.replicas, args.via_proxy)
    try:
        with pinned(browser_cores):
            for url in warm_up_urls(target):  # every replica's caches filled, not counted
                asyncio.run(drive(url, 1, 0, 0, {}))
            before = target.rss_kib()
            servers = server_pids(target)
            cpu_before = {
                "servers": sum(tree_cpu_seconds(pid) for pid in servers),
                "browsers_and_driver": children_cpu_seconds()
                + tree_cpu_seconds(os.getpid(), set(servers)),
            }
            started = time.monotonic()
            measured = asyncio.run(measure(target, args, sessions))
            elapsed = time.monotonic() - started
            cpu = {
                "servers": sum(tree_cpu_seconds(pid) for pid in servers) - cpu_before["servers"],
                # the browsers have exited: their time is collected into this process's children
                "browsers_and_driver": children_cpu_seconds()
                + tree_cpu_seconds(os.getpid(), set(servers))
                - cpu_before["browsers_and_driver"],
            }
            target.check_alive()
            rss = {
                "before_kib": before,
                "during_kib": measured["rss_samples_kib"],
                "after_kib": target.rss_kib(),
            }
    finally:
        target.stop()
        if isinstance(target, Deployment):
            target.cleanup()
    return report(sessions, measured["logs"], rss, cpu, elapsed)


def children_cpu_seconds() -> float:
    """CPU time of this process's waited-for children (Playwright's driver and browsers)."""
    times = os.times()
    return times.children_user + times.children_system


def format_row(result: dict[str, Any]) -> str:
    cold, panel = result["cold_open_ms"], result["country_to_panel_ms"]

    def ms(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0f}"

    return (
        f"{result['sessions']:>8} {result['errors']:>6} {ms(cold['median']):>8} {ms(cold['p95']):>8}"
        f" {ms(panel['median']):>8} {ms(panel['p95']):>8} {result['panels_opened']:>6}"
        f" {result['rss_mib']['before']:>7.0f} {result['rss_mib']['during_max']:>7.0f}"
        f" {result['rss_mib']['after']:>7.0f} {result['rss_per_session_mib']:>7.1f}"
        f" {result['cpu_seconds']['servers']:>7.0f} {result['cpu_seconds']['browsers_and_driver']:>7.0f}"
        f" {'yes' if result['holds'] else 'no':>5}"
    )


HEADER = (
    f"{'sessions':>8} {'errors':>6} {'cold med':>8} {'cold p95':>8} {'pan med':>8} {'pan p95':>8}"
    f" {'panels':>6} {'rss0':>7} {'rssmax':>7} {'rss1':>7} {'MiB/ses':>7} {'cpu srv':>7}"
    f" {'cpu brw':>7} {'holds':>5}"
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument(
        "--sessions",
        type=int,
        nargs="+",
        required=True,
        help=f"concurrent sessions; several values run one after the other (each ≤ {MAX_SESSIONS})",
    )
    parser.add_argument(
        "--seconds", type=float, default=30, help=f"time each session keeps going (≤ {MAX_SECONDS})"
    )
    parser.add_argument(
        "--replicas", type=int, default=1, help="1: one server on its own; 2 or more: behind nginx"
    )
    parser.add_argument("--via-proxy", action="store_true", help="nginx in front of even one")
    parser.add_argument(
        "--think-ms", type=float, default=1000, help="a user's pause between actions (default 1000)"
    )
    parser.add_argument(
        "--no-pin", dest="pin", action="store_false", help="do not split the cores (see --help)"
    )
    parser.add_argument("--out", help="JSON file (default bench/results/load-<time>.json)")
    args = parser.parse_args(argv)
    if not all(1 <= n <= MAX_SESSIONS for n in args.sessions):
        parser.error(f"--sessions must be between 1 and {MAX_SESSIONS}")
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be in (0, {MAX_SECONDS}]")
    if args.replicas < 1 or args.think_ms < 0:
        parser.error("--replicas must be at least 1 and --think-ms not negative")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup = (
        "one server"
        if args.replicas == 1 and not args.via_proxy
        else (f"{args.replicas} replicas behind nginx")
    )
    server_cores, browser_cores = split_cores(args.pin)
    print(
        f"{setup}; {args.seconds:g} s per run; servers on cores {server_cores or 'any'},"
        f" browsers on {browser_cores or 'any'}; load average {os.getloadavg()[0]:.1f}",
        file=sys.stderr,
    )
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": vars(args),
        "setup": setup,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "runs": [],
    }
    print(HEADER)
    try:
        for sessions in args.sessions:
            result = run_one(args, sessions)
            results["runs"].append(result)
            print(format_row(result), flush=True)
    except ServerError as error:
        print(f"load run failed: {error}", file=sys.stderr)
        return 1
    results["load_average_after"] = os.getloadavg()
    out = args.out or RESULTS_DIR / f"load-{datetime.now(UTC).strftime('%Y-%m-%dT%H%M%SZ')}.json"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1, default=lambda value: asdict(value))
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
