"""Run the benchmark: the dashboard and the naive baseline, each on its own server, in Chromium.

start server -> cold opens (fresh contexts) -> slider steps -> clicks to notes -> memory ->
stop server; then the same for the baseline; then a table on stdout and JSON in bench/results/.
See bench/README.md for the exact definition of every figure.
"""

import argparse
import json
import logging
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Frame, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench import anywhere
from bench.expected import (
    Fills,
    Step,
    baseline_fills,
    changed_regions,
    expected_fills,
    plan_steps,
)
from bench.naive import BENCH_DIR, STATIC_DIR, naive_map, unsimplified_regions
from bench.stats import (
    STREAMLIT_PARTS,
    ByteMeter,
    Tally,
    median,
    median_or_none,
    phases,
    summarise,
)
from csto_atlas.data import paths
from csto_atlas.data.load import Atlas, load_atlas
from csto_atlas.domain.status import year_range
from csto_atlas.render import assets, mapbuild, mapfile, style
from csto_atlas.render import payload as payloads
from tooling.browser import (
    MAP_FRAME,
    PANEL_CONTENT,
    chromium_path,
    launch_chromium,
    map_frame,
    wait_until_idle,
)
from tooling.proxy import COOKIE, Deployment
from tooling.server import AppServer, ServerError

VIEWPORT = {"width": 1280, "height": 900}
PROBE_JS = BENCH_DIR / "probe.js"
RESULTS_DIR = BENCH_DIR / "results"
PAGE_SLIDER = '[data-testid="stSlider"] input[type="range"]'
MAP_SLIDER = "input.csto-slider"
PANEL = PANEL_CONTENT + '[data-iso3="{iso3}"]'  # inside the map's iframe
PICKER = "select.csto-country"
WEBSOCKET_COMPRESSION_ENV_VAR = "STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION"
COLD_TIMEOUT_MS = 90_000
STEP_TIMEOUT_MS = 30_000
KB = 1000

TARGETS = (
    # (figure, app, key in the app's results, limit, unit)
    ("slider step median", "atlas", "slider_step_median_ms", 50, "ms"),
    ("slider step p95", "atlas", "slider_step_p95_ms", 200, "ms"),
    ("cold open median", "atlas", "cold_open_median_ms", 2500, "ms"),
    ("first map received", "atlas", "first_map_kb", 500, "kB"),
    ("largest slider step received", "atlas", "slider_step_max_kb", 50, "kB"),
    ("click to notes median", "atlas", "click_median_ms", 100, "ms"),
)
SPEEDUP_TARGET = 5.0


class BenchError(RuntimeError):
    """A measurement could not be completed (the message says what the page showed)."""


@dataclass(frozen=True)
class App:
    """One app under test and how to drive it."""

    name: str
    label: str
    script: Path
    cwd: Path
    slider_in_map: bool  # the dashboard's slider is a Leaflet control inside the map's iframe
    has_panel: bool  # a country click opens a notes panel


ATLAS = App("atlas", "CSTO Atlas", paths.REPO_DIR / "dashboard.py", paths.REPO_DIR, True, True)
NAIVE = App("naive", "naive baseline", BENCH_DIR / "naive_app.py", BENCH_DIR, False, False)


# --- the browser side ------------------------------------------------------------------------


class Visit:
    """A fresh browser context with one page, the probe installed and the bytes metered."""

    def __init__(self, browser: Browser) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.add_init_script(path=str(PROBE_JS))
        self.page = self.context.new_page()
        self.meter = ByteMeter().attach(self.context.new_cdp_session(self.page))

    def close(self) -> None:
        self.context.close()

    def session_cookie(self) -> str | None:
        """The proxy's sticky cookie of this context (None when there is no proxy)."""
        values = [cookie["value"] for cookie in self.context.cookies() if cookie["name"] == COOKIE]
        return values[0] if values else None


def outcome(
    target: Page | Frame, wait_id: str, wait: Callable[[int], Any], timeout_ms: int
) -> dict[str, Any]:
    """The result of a probe wait: wait_for_function until window.__cstoBench reports it."""
    try:
        result = wait(timeout_ms)
    except PlaywrightTimeout as error:
        try:
            why = target.evaluate("id => window.__cstoBench.why(id)", wait_id)
            target.evaluate("id => window.__cstoBench.cancel(id)", wait_id)
        except Exception as reason:  # the frame itself may be gone; say so rather than mask it
            why = f"(could not ask the page: {reason})"
        raise BenchError(f"{wait_id}: timed out after {timeout_ms} ms; last seen: {why}") from error
    if "error" in result:
        raise BenchError(f"{wait_id}: the app shows an exception: {result['error']}")
    return result


def poll(target: Page | Frame, arg: dict[str, Any], timeout_ms: int) -> dict[str, Any]:
    """Wait until the probe's check of `arg` passes, Playwright polling it every animation frame."""
    return outcome(
        target,
        arg["id"],
        lambda timeout: target.wait_for_function(
            "arg => window.__cstoBench.poll(arg)", arg=arg, polling="raf", timeout=timeout
        ).json_value(),
        timeout_ms,
    )


def watch(
    target: Page | Frame, arg: dict[str, Any], act: Callable[[], None], timeout_ms: int
) -> dict[str, Any]:
    """Start the probe's per-frame check of `arg` in the page, then `act`, then wait for it.

    The check runs from before the input, in the page, so it sees the change in the first frame
    it is there: Playwright's own round trips add nothing to the time measured.
    """
    target.evaluate("arg => window.__cstoBench.watch(arg)", arg)
    act()
    return outcome(
        target,
        arg["id"],
        lambda timeout: target.wait_for_function(
            "id => window.__cstoBench.result(id)", arg=arg["id"], polling="raf", timeout=timeout
        ).json_value(),
        timeout_ms,
    )


def external_urls(tally: Tally) -> list[str]:
    """Responses from anywhere but the local server (the app must work offline)."""
    local = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:", "about:")
    return [url for url in tally.urls if not url.startswith(local)]


def cold_open(browser: Browser, url: str, expected: dict[str, Fills]) -> tuple[Visit, dict]:
    """Navigate a fresh context to the app; until the map shows its year's colours, painted."""
    visit = Visit(browser)
    tally = visit.meter.window("cold")
    visit.page.goto(f"{url}/", wait_until="commit")
    arg = {"id": "cold", "kind": "map", "frame": MAP_FRAME, "expected": expected, "year": None}
    done = poll(visit.page, arg, COLD_TIMEOUT_MS)
    visit.meter.window("after-cold")
    start = done["navigationStart"]
    replies = done["received"]
    return visit, {
        "ms": done["paintedAt"] - start,
        "phases": {
            "first_reply": replies[0] - start if replies else None,
            "last_reply": replies[-1] - start if replies else None,
            "painted": done["paintedAt"] - start,
        },
        "year": done["detail"]["year"],
        "bytes": tally.as_dict(),
        "external": external_urls(tally),
    }


def press_step(
    visit: Visit, app: App, step: Step, index: int, expected: dict[str, Fills], first_visit: bool
) -> dict[str, Any]:
    """One key press on the slider, until the map shows the new year's colours, painted."""
    page = visit.page
    target: Page | Frame = map_frame(page) if app.slider_in_map else page
    slider = target.locator(MAP_SLIDER if app.slider_in_map else PAGE_SLIDER)
    page.evaluate("() => window.__cstoBench.arm()")
    tally = visit.meter.window(f"step-{index}")
    wait_id = f"step-{index}"
    arg = {
        "id": wait_id,
        "kind": "map",
        "frame": MAP_FRAME,
        "expected": {str(step.end): expected[str(step.end)]},
        "year": step.end,
        # The dashboard's open panel must show the new year in the same frame as the map.
        "panelYear": app.has_panel,
    }
    done = watch(target, arg, lambda: slider.press(step.key), STEP_TIMEOUT_MS)
    if done["keyAt"] is None:
        raise BenchError(f"{wait_id}: the key press never reached the page")
    wait_until_idle(page)
    return {
        **asdict(step),
        "first_visit": first_visit,
        "ms": done["paintedAt"] - done["keyAt"],
        "phases": phases(done["keyAt"], done),
        "changed": changed_regions(expected[str(step.start)], expected[str(step.end)]),
        "tally": tally,
    }


def open_panel(visit: Visit, iso3: str) -> None:
    """Open a country's panel with the map's Country box (the slider steps then update it)."""
    frame = map_frame(visit.page)
    frame.locator(PICKER).select_option(iso3)
    frame.wait_for_selector(PANEL.format(iso3=iso3), timeout=STEP_TIMEOUT_MS)


def slider_steps(
    visit: Visit, app: App, plan: list[Step], expected: dict[str, Fills]
) -> list[dict[str, Any]]:
    """Every step of the plan, in order (bytes counted until the next press)."""
    wait_until_idle(visit.page)
    seen = {plan[0].start}
    steps = []
    for index, step in enumerate(plan):
        steps.append(press_step(visit, app, step, index, expected, step.end not in seen))
        seen.add(step.end)
    visit.meter.window("after-steps")
    return [{**step, "bytes": step.pop("tally").as_dict()} for step in steps]


def mark_map_iframe(page: Page) -> None:
    """Tag the map's current iframe element, to tell later whether it was replaced (remounted)."""
    page.evaluate(
        """frame => { for (const f of document.querySelectorAll(frame)) {
            try { if (f.contentDocument.querySelector('.leaflet-container')) f.dataset.benchMark = '1'; }
            catch (e) {} } }""",
        MAP_FRAME,
    )


def map_iframe_kept(page: Page) -> bool:
    """Whether the tagged map iframe is still the one showing the map."""
    return bool(
        page.evaluate(
            """() => [...document.querySelectorAll('iframe[data-bench-mark]')].some(f => {
                try { return !!f.contentDocument.querySelector('.leaflet-container'); }
                catch (e) { return false; } })"""
        )
    )


def click_notes(visit: Visit, regions: list[str], clicks: int) -> list[dict[str, Any]]:
    """Click countries in turn; each time until its notes panel is shown, painted."""
    page = visit.page
    wait_until_idle(page)
    results = []
    for iso3 in regions:
        if len(results) == clicks:
            break
        frame = map_frame(page)
        if frame.locator(PANEL.format(iso3=iso3)).is_visible():
            # Its panel is open already (open_panel): the check would pass before the click
            # arrives, racing it; a click that changes nothing measures nothing.
            continue
        point = frame.evaluate("s => window.__cstoBench.pointInside(s)", f"path.csto-iso-{iso3}")
        if point is None:
            continue  # not on screen at the opening zoom, or covered by a control
        box = frame.frame_element().bounding_box()
        mark_map_iframe(page)
        page.evaluate("() => window.__cstoBench.arm()")
        index = len(results)
        tally = visit.meter.window(f"click-{index}")
        arg = {"id": f"click-{index}", "kind": "panel", "selector": PANEL.format(iso3=iso3)}
        x, y = box["x"] + point["x"], box["y"] + point["y"]
        done = watch(frame, arg, partial(page.mouse.click, x, y), STEP_TIMEOUT_MS)
        if done["pointerAt"] is None:
            raise BenchError(f"click-{index}: the click never reached the page")
        wait_until_idle(page)
        results.append(
            {
                "iso3": iso3,
                "ms": done["paintedAt"] - done["pointerAt"],
                "phases": phases(done["pointerAt"], done),
                "map_kept": map_iframe_kept(page),
                "tally": tally,
            }
        )
    visit.meter.window("after-clicks")
    if len(results) < clicks:
        raise BenchError(f"only {len(results)} of {clicks} countries could be clicked on screen")
    return [{**click, "bytes": click.pop("tally").as_dict()} for click in results]


# --- one app, start to finish ---------------------------------------------------------------


def measure_app(
    browser: Browser,
    server: AppServer | Deployment,
    app: App,
    atlas: Atlas,
    expected: dict[int, Fills],
    args,
) -> dict[str, Any]:
    """Cold opens, slider steps, clicks and memory of one running app."""
    table = {str(year): fills for year, fills in expected.items()}
    log = progress(app.label)
    runs, extensions = [], set()
    for attempt in range(1 + args.cold_opens):
        visit, run = cold_open(browser, server.url, table)
        run["warmup"] = attempt == 0
        runs.append(run)
        extensions.update(visit.meter.websocket_extensions)
        log(f"cold open {attempt}{' (warm-up)' if attempt == 0 else ''}: {run['ms']:.0f} ms")
        if attempt < args.cold_opens:
            run["session"] = visit.session_cookie()  # its websocket closes now: nginx logs it
            visit.close()
    server.check_alive()
    counted = [run for run in runs if not run["warmup"]]
    start = counted[-1]["year"]
    plan = plan_steps(expected, start, args.steps, args.bounces)
    log(f"{len(plan)} key presses from {start}, {sum(s.changes for s in plan)} change colours")
    if app.has_panel:
        open_panel(visit, click_order(atlas)[0])
    steps = slider_steps(visit, app, plan, table)
    log(f"slider step median {median([s['ms'] for s in steps if s['changes']]):.0f} ms")
    clicks: list[dict[str, Any]] = []
    if app.has_panel:
        clicks = click_notes(visit, click_order(atlas), args.clicks)
        log(f"click to notes median {median([c['ms'] for c in clicks]):.0f} ms")
    visit.close()
    server.check_alive()
    results = app_results(runs, counted, steps, clicks, server.rss_kib())
    results["websocket_extensions"] = sorted(extensions)
    if isinstance(server, Deployment):
        results.update(wire_figures(counted, server.websocket_bytes_sent()))
        results["figures"]["first_map_wire_kb"] = results["first_map_wire_bytes"]["median"] / KB
    return results


def wire_figures(counted: list[dict[str, Any]], sent: dict[str, int]) -> dict[str, Any]:
    """First map on the wire through the proxy: HTTP as received + the websocket as nginx sent it.

    The browser reports websocket payloads decompressed; nginx logs the compressed bytes of a
    websocket when it closes, i.e. for every counted cold open but the last (which goes on with
    the slider steps and clicks).
    """
    closed = [run for run in counted if run.get("session") in sent]
    if not closed:
        raise BenchError("nginx logged no closed websocket of a counted cold open")
    wire = [run["bytes"]["http_bytes"] + sent[run["session"]] for run in closed]
    websocket = [sent[run["session"]] for run in closed]
    return {
        "first_map_wire_bytes": summarise(wire),
        "first_map_websocket_wire_bytes": summarise(websocket),
    }


def click_order(atlas: Atlas) -> list[str]:
    """The states of countries.csv, then its breakaways: the regions a user clicks for notes."""
    listed = atlas.countries.sort_values("kind", key=lambda kind: kind != "state", kind="stable")
    return [iso3 for iso3 in listed["iso3"] if iso3 in set(atlas.regions["iso3"])]


def phase_medians(samples: list[dict[str, Any]]) -> dict[str, float | None]:
    """The median of each phase (see stats.phases) over some samples."""
    names = ("input_to_send", "send_to_last_reply", "last_reply_to_paint")
    return {name: median_or_none([sample["phases"][name] for sample in samples]) for name in names}


def source_medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Median bytes received per source over the cold opens."""
    sources = sorted({source for run in runs for source in run["bytes"]["by_source"]})
    return {
        source: median([run["bytes"]["by_source"].get(source, 0) for run in runs])
        for source in sources
    }


def app_results(runs, counted, steps, clicks, rss_kib) -> dict[str, Any]:
    """The figures of one app (see bench/README.md), and the raw samples behind them."""
    timed = [step for step in steps if step["changes"]]
    first_visits = [step for step in timed if step["first_visit"]]
    step_bytes = [step["bytes"]["received"] for step in timed]
    all_step_bytes = [step["bytes"]["received"] for step in steps]
    cold_ms = summarise([run["ms"] for run in counted])
    step_ms = summarise([step["ms"] for step in timed])
    first_map = summarise([run["bytes"]["received"] for run in counted])
    by_source = source_medians(counted)
    figures = {
        "cold_open_median_ms": cold_ms["median"],
        "slider_step_median_ms": step_ms["median"],
        "slider_step_p95_ms": step_ms["p95"],
        "slider_step_first_visit_median_ms": median([step["ms"] for step in first_visits]),
        "first_map_kb": first_map["median"] / KB,
        "first_map_without_streamlit_kb": (
            first_map["median"] - sum(by_source.get(part, 0) for part in STREAMLIT_PARTS)
        )
        / KB,
        "slider_step_median_kb": median(step_bytes) / KB,
        "slider_step_first_visit_median_kb": median(
            [step["bytes"]["received"] for step in first_visits]
        )
        / KB,
        "slider_step_max_kb": max(all_step_bytes) / KB,
        "server_rss_mib": rss_kib / 1024,
    }
    if clicks:
        figures["click_median_ms"] = median([click["ms"] for click in clicks])
    return {
        "figures": figures,
        "cold_open_ms": cold_ms,
        "slider_step_ms": step_ms,
        "slider_step_ms_all_presses": summarise([step["ms"] for step in steps]),
        "slider_step_phases_ms": phase_medians(timed),
        "cold_open_phases_ms": {
            name: median_or_none([run["phases"][name] for run in counted])
            for name in ("first_reply", "last_reply", "painted")
        },
        "first_map_bytes": first_map,
        "first_map_bytes_by_source": by_source,
        "slider_step_bytes": summarise(step_bytes),
        "slider_all_steps_bytes_total": sum(all_step_bytes),
        "click_ms": summarise([click["ms"] for click in clicks]) if clicks else None,
        "click_phases_ms": phase_medians(clicks) if clicks else None,
        "click_map_kept": all(click["map_kept"] for click in clicks) if clicks else None,
        "server_rss_kib": rss_kib,
        "external_requests": sorted({url for run in runs for url in run["external"]}),
        "cold_opens": runs,
        "steps": steps,
        "clicks": clicks,
    }


def python_build_ms(atlas: Atlas, years: range, repeats: int) -> dict[str, float]:
    """Median time, in this process, of the map work each app's Python does on one rerun.

    The dashboard builds its map with `mapbuild.build_map` on every run of the page (opening
    it; no map interaction reruns it any more), the baseline with `naive_map` on every slider
    step; both hand it to `st_folium`, whose Python
    side renders it, walks its bounds and hashes its script (run here without a Streamlit
    server, so nothing is sent).
    """
    logging.disable(logging.WARNING)  # "missing ScriptRunContext": expected outside a server
    try:
        return {name: median_ms(rerun, repeats) for name, rerun in reruns(atlas, years).items()}
    finally:
        logging.disable(logging.NOTSET)


def reruns(atlas: Atlas, years: range) -> dict[str, Callable[[], object]]:
    """The map work of one rerun of each app, as st_folium is called there."""
    from streamlit_folium import st_folium

    from csto_atlas.app import ui

    payload = payloads.map_payload(atlas, years)
    map_file = mapfile.map_file(payload)  # made once per data version, as the app keeps it
    shapes = unsimplified_regions(atlas)
    year = years.stop - 1
    return {
        "atlas": lambda: ui.show_folium(mapbuild.build_map(payload, map_file=map_file)),
        "naive": lambda: st_folium(
            naive_map(atlas, shapes, year),
            key="map",
            height=style.MAP_HEIGHT_PX,
            use_container_width=True,
            returned_objects=[],
        ),
    }


def median_ms(function: Callable[[], object], repeats: int) -> float:
    """Median wall time of `repeats` calls, in milliseconds."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return median(samples)


def progress(label: str):
    """A logger of progress lines on stderr (the table goes to stdout)."""
    started = time.monotonic()

    def log(message: str) -> None:
        print(
            f"[{time.monotonic() - started:6.1f}s] {label}: {message}", file=sys.stderr, flush=True
        )

    return log


# --- report -----------------------------------------------------------------------------------

ROWS = (
    # (label, figure key, format); the last column is baseline ÷ ours
    ("cold open, median (ms)", "cold_open_median_ms", "{:.0f}"),
    ("slider step, median (ms)", "slider_step_median_ms", "{:.1f}"),
    ("slider step, p95 (ms)", "slider_step_p95_ms", "{:.1f}"),
    ("slider step, new years only, median (ms)", "slider_step_first_visit_median_ms", "{:.1f}"),
    ("click to notes, median (ms)", "click_median_ms", "{:.0f}"),
    ("first map received (kB)", "first_map_kb", "{:.1f}"),
    ("  of which not Streamlit's shell (kB)", "first_map_without_streamlit_kb", "{:.1f}"),
    ("first map on the wire, via nginx (kB)", "first_map_wire_kb", "{:.1f}"),
    ("slider step received, median (kB)", "slider_step_median_kb", "{:.2f}"),
    ("  new years only, median (kB)", "slider_step_first_visit_median_kb", "{:.2f}"),
    ("slider step received, max (kB)", "slider_step_max_kb", "{:.2f}"),
    ("server RSS after the run (MiB)", "server_rss_mib", "{:.0f}"),
    ("Python map rebuild per rerun (ms)", "python_build_ms", "{:.0f}"),
)


def ratio(ours: float | None, baseline: float | None) -> float | None:
    """baseline ÷ ours (how many times faster, smaller, lighter); inf when ours is 0."""
    if ours is None or baseline is None:
        return None
    if ours == 0:
        return float("inf") if baseline > 0 else 1.0
    return baseline / ours


def evaluate_targets(apps: dict[str, dict]) -> list[dict[str, Any]]:
    """Each target with the measured value and whether it is met."""
    checks = []
    for label, app, key, limit, unit in TARGETS:
        value = apps.get(app, {}).get("figures", {}).get(key)
        checks.append(
            {
                "target": f"{label} ≤ {limit} {unit}",
                "value": value,
                "unit": unit,
                "met": value is not None and value <= limit,
            }
        )
    if "naive" in apps:
        speedup = ratio(
            apps["atlas"]["figures"]["slider_step_median_ms"],
            apps["naive"]["figures"]["slider_step_median_ms"],
        )
        checks.append(
            {
                "target": f"slider step median ≥ {SPEEDUP_TARGET:g}× faster than the baseline",
                "value": speedup,
                "unit": "×",
                "met": speedup is not None and speedup >= SPEEDUP_TARGET,
            }
        )
    return checks


def fmt_ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def format_table(apps: dict[str, dict], targets: list[dict[str, Any]]) -> str:
    """The figures side by side with the baseline ÷ ours ratio, then where time goes, then targets."""
    ours = apps["atlas"]["figures"]
    base = apps.get("naive", {}).get("figures", {})
    header = f"{'figure':<42}{'CSTO Atlas':>12}{'baseline':>12}{'baseline/ours':>15}"
    lines = [header, "-" * len(header)]
    for label, key, fmt in ROWS:
        mine, theirs = ours.get(key), base.get(key)
        times = ratio(mine, theirs)
        lines.append(
            f"{label:<42}"
            f"{fmt.format(mine) if mine is not None else 'n/a':>12}"
            f"{fmt.format(theirs) if theirs is not None else 'n/a':>12}"
            f"{(f'{times:.1f}×' if times is not None else 'n/a'):>15}"
        )
    lines += [
        "",
        "where the time goes (medians, ms): input->send | send->last reply | last reply->paint",
    ]
    for name, app in apps.items():
        for what, key in (
            ("slider step", "slider_step_phases_ms"),
            ("click to notes", "click_phases_ms"),
        ):
            split = app.get(key)
            if split and all(value is None for value in split.values()):
                lines.append(f"  {name} {what}: no websocket message at all (no server round trip)")
            elif split:
                parts = " | ".join(
                    fmt_ms(split[p])
                    for p in ("input_to_send", "send_to_last_reply", "last_reply_to_paint")
                )
                lines.append(f"  {name} {what}: {parts}")
    for name, app in apps.items():
        split = app["cold_open_phases_ms"]
        lines.append(
            f"  {name} cold open: navigation->first message {fmt_ms(split['first_reply'])}"
            f" | ->last message {fmt_ms(split['last_reply'])} | ->painted {fmt_ms(split['painted'])}"
        )
    lines += ["", "first map received, by source (median kB):"]
    for name, app in apps.items():
        parts = ", ".join(
            f"{source} {size / KB:.0f}" for source, size in app["first_map_bytes_by_source"].items()
        )
        lines.append(f"  {name}: {parts}")
    lines += ["", "targets:"]
    for check in targets:
        value = check["value"]
        shown = "n/a" if value is None else f"{value:.1f} {check['unit']}"
        lines.append(f"  [{'met' if check['met'] else 'MISSED':>6}] {check['target']}: {shown}")
    return "\n".join(lines)


def environment() -> dict[str, Any]:
    """What the figures were measured on."""
    packages = ("streamlit", "streamlit-folium", "folium", "playwright", "xstatic-leaflet")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "packages": {name: metadata.version(name) for name in packages},
        "chromium": str(chromium_path()),
    }


def write_results(results: dict[str, Any], out: Path | None) -> Path:
    """bench/results/<UTC date and time>.json unless `out` is given."""
    if out is None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
        out = RESULTS_DIR / f"{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    return out


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--cold-opens",
        type=int,
        default=5,
        help="fresh contexts timed per app (default 5; one more warms up)",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=30,
        help="colour-changing slider steps timed per app (default 30)",
    )
    parser.add_argument(
        "--bounces",
        type=int,
        default=2,
        help="extra back-and-forth crossings of each boundary (default 2)",
    )
    parser.add_argument("--clicks", type=int, default=7, help="country clicks timed (default 7)")
    parser.add_argument("--no-baseline", action="store_true", help="measure the dashboard only")
    parser.add_argument(
        "--via-proxy",
        action="store_true",
        help="serve each app as a deployment: --replicas replicas behind nginx (tooling/proxy.py)",
    )
    parser.add_argument(
        "--replicas", type=int, default=2, help="replicas behind nginx with --via-proxy (default 2)"
    )
    parser.add_argument(
        "--websocket-compression",
        choices=("config", "on", "off"),
        default="config",
        help="server.enableWebsocketCompression: as .streamlit/config.toml says (default), or on/off",
    )
    parser.add_argument(
        "--only",
        choices=("anywhere",),
        help="'anywhere': only the static atlas against the app, the repeat visit and the API "
        "(issue 19; bench/anywhere.py), a few minutes",
    )
    parser.add_argument(
        "--out", type=Path, help="JSON file to write (default bench/results/<time>.json)"
    )
    args = parser.parse_args(argv)
    if args.cold_opens < 1 or args.steps < 1 or args.clicks < 1 or args.replicas < 1:
        parser.error("--cold-opens, --steps, --clicks and --replicas must be at least 1")
    if args.via_proxy and args.cold_opens < 2:
        parser.error(
            "--via-proxy needs --cold-opens 2 or more (the last one's websocket stays open)"
        )
    return args


def server_env(args: argparse.Namespace) -> dict[str, str]:
    """Environment overrides of the servers (the websocket compression, when forced)."""
    if args.websocket_compression == "config":
        return {}
    return {
        WEBSOCKET_COMPRESSION_ENV_VAR: "true" if args.websocket_compression == "on" else "false"
    }


def serve(app: App, args: argparse.Namespace) -> AppServer | Deployment:
    """One server for `app`, or with --via-proxy its replicas behind nginx (a context manager)."""
    if args.via_proxy:
        return Deployment(
            replicas=args.replicas,
            extra_env=server_env(args),
            name=app.name,
            script=app.script,
            cwd=app.cwd,
        )
    return AppServer(app.name, app.script, app.cwd, server_env(args) or None)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    atlas = load_atlas()
    years = year_range(atlas.membership)
    expected = {
        ATLAS.name: expected_fills(atlas, years),
        NAIVE.name: baseline_fills(atlas, years, set(unsimplified_regions(atlas)["iso3"])),
    }
    only_anywhere = args.only == "anywhere"
    if not only_anywhere:
        assets.publish_leaflet(STATIC_DIR)  # the baseline's own static/ (bench/static/leaflet)
        builds = python_build_ms(atlas, years, repeats=5)
    apps_to_run = [] if only_anywhere else [ATLAS] if args.no_baseline else [ATLAS, NAIVE]
    results: dict[str, Any] = {"environment": environment(), "settings": vars(args), "apps": {}}
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                for app in apps_to_run:
                    with serve(app, args) as server:
                        measured = measure_app(
                            browser, server, app, atlas, expected[app.name], args
                        )
                    measured["figures"]["python_build_ms"] = builds[app.name]
                    results["apps"][app.name] = measured
                table = {str(year): fills for year, fills in expected[ATLAS.name].items()}
                results["anywhere"] = anywhere.measure_anywhere(
                    browser, atlas, table, args.cold_opens, progress("anywhere")
                )
            finally:
                browser.close()
    except (BenchError, ServerError, anywhere.AnywhereError) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    apps = results["apps"]
    results["environment"]["load_average_after"] = os.getloadavg()
    if apps:
        results["targets"] = evaluate_targets(apps)
        if "naive" in apps:
            results["ratios"] = {
                key: ratio(apps["atlas"]["figures"].get(key), apps["naive"]["figures"].get(key))
                for _, key, _ in ROWS
            }
        print(format_table(apps, results["targets"]))
        print()
    print(anywhere.format_anywhere(results["anywhere"]))
    before, after = results["environment"]["load_average"], os.getloadavg()
    print(
        "\nload average (1, 5, 15 min): before "
        + " ".join(f"{value:.2f}" for value in before)
        + ", after "
        + " ".join(f"{value:.2f}" for value in after)
    )
    print(f"results: {write_results(results, args.out)}")
    return 0
