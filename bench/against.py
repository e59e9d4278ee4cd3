"""Cold open of the dashboard against the dashboard as it was at an earlier commit, in one run.

    python -m bench.against REF [--cold-opens N]

Both apps run side by side on this machine, each on its own server: the current working tree
and `git archive REF` unpacked into a temporary folder (its own datasets/ and geodata/, this
virtualenv). Each round opens both in fresh Chromium contexts, one after the other, alternating
which goes first. A cold open is timed in the page, from the navigation to the first animation
frame after every region of the map has its colour (`path[class*=csto-iso-]` with a fill): a
criterion both versions meet, so it holds across changes to what else the map shows. One
warm-up open each is not counted. Results go to stdout and bench/results/against-<time>.json.
"""

import argparse
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

from csto_atlas.data.paths import REPO_DIR
from tooling.browser import MAP_FRAME, launch_chromium
from tooling.server import AppServer

RESULTS_DIR = REPO_DIR / "bench" / "results"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 60_000
MIN_REGIONS = 10
# Resolves to the time (ms since the navigation) of the frame after the one in which every
# region path of the map had a fill; polled by Playwright every animation frame.
COLOURED = """([frameSelector, minRegions]) => {
    const state = window.__cstoAgainst || (window.__cstoAgainst = {});
    if (state.paintedAt) return state.paintedAt;
    if (state.colouredAt) {
        if (performance.now() > state.colouredAt) state.paintedAt = performance.now();
        return state.paintedAt || false;
    }
    const frame = document.querySelector(frameSelector);
    let doc = null;
    try { doc = frame && frame.contentDocument; } catch (error) { return false; }
    if (!doc) return false;
    const regions = doc.querySelectorAll('path[class*="csto-iso-"]');
    if (regions.length < minRegions) return false;
    for (const path of regions) {
        const fill = path.getAttribute("fill");
        if (!fill || fill === "none") return false;
    }
    state.colouredAt = performance.now();
    return false;
}"""


def unpack(ref: str, into: Path) -> Path:
    """The repository's tree at `ref`, written into `into` (with `git archive`)."""
    archive = subprocess.run(
        ["git", "-C", str(REPO_DIR), "archive", "--format=tar", ref],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def cold_open(browser: Browser, url: str) -> float:
    """One cold open in a fresh context: ms from the navigation to the coloured map, painted."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{url}/", wait_until="commit")
        handle = page.wait_for_function(
            COLOURED, arg=[MAP_FRAME, MIN_REGIONS], polling="raf", timeout=TIMEOUT_MS
        )
        return float(handle.json_value())
    finally:
        context.close()


def compare(browser: Browser, servers: dict[str, AppServer], rounds: int) -> dict[str, list]:
    """Warm each app up once, then `rounds` cold opens of each, alternating the order."""
    for server in servers.values():
        cold_open(browser, server.url)
    times: dict[str, list[float]] = {name: [] for name in servers}
    names = list(servers)
    for round_index in range(rounds):
        for name in names if round_index % 2 == 0 else reversed(names):
            times[name].append(cold_open(browser, servers[name].url))
            print(f"round {round_index + 1}: {name} {times[name][-1]:.0f} ms", file=sys.stderr)
    return times


def summary(times: list[float]) -> dict[str, float]:
    """Median and quartiles of a list of times."""
    quartiles = statistics.quantiles(times, n=4)
    return {
        "n": len(times),
        "median": statistics.median(times),
        "q1": quartiles[0],
        "q3": quartiles[2],
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.against", description=__doc__)
    parser.add_argument("ref", help="the earlier commit (any git revision)")
    parser.add_argument("--cold-opens", type=int, default=15, help="rounds (default 15)")
    parser.add_argument("--out", type=Path, help="JSON file (default bench/results/against-…)")
    args = parser.parse_args(argv)
    if not 2 <= args.cold_opens <= 200:
        parser.error("--cold-opens must be between 2 and 200")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    commit = subprocess.run(
        ["git", "-C", str(REPO_DIR), "rev-parse", "--verify", f"{args.ref}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if commit.returncode != 0:
        print(f"bench.against: {args.ref!r} is not a commit of this repository", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="csto-against-") as folder:
        then = unpack(commit.stdout.strip(), Path(folder))
        servers = {
            "now": AppServer(name="now"),
            "then": AppServer(
                name="then",
                script=then / "dashboard.py",
                cwd=then,
                extra_env={"PYTHONPATH": str(then)},
            ),
        }
        with servers["now"], servers["then"], sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                times = compare(browser, servers, args.cold_opens)
            finally:
                browser.close()
    result: dict[str, Any] = {
        "ref": args.ref,
        "commit": commit.stdout.strip(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cold_open_ms": {name: summary(values) for name, values in times.items()},
        "runs_ms": times,
    }
    now, then_ = (result["cold_open_ms"][name]["median"] for name in ("now", "then"))
    result["ratio"] = now / then_
    out = args.out or RESULTS_DIR / f"against-{datetime.now(UTC):%Y-%m-%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    for name in ("now", "then"):
        figures = result["cold_open_ms"][name]
        print(
            f"cold open, {name:4s}: median {figures['median']:.0f} ms "
            f"(quartiles {figures['q1']:.0f}-{figures['q3']:.0f}, n={figures['n']})"
        )
    verdict = "no slower" if now <= then_ else "slower"
    print(f"now / then = {result['ratio']:.3f}: {verdict} than {args.ref}; results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
