"""The load script's pure parts (bench/load.py): bounds, figures, core split; no browser here."""

import os

import pytest

from bench import load
from bench.load import SessionLog
from tooling import server


def test_sessions_and_seconds_are_bounded():
    with pytest.raises(SystemExit):
        load.parse_args(["--sessions", str(load.MAX_SESSIONS + 1)])
    with pytest.raises(SystemExit):
        load.parse_args(["--sessions", "2", "--seconds", str(load.MAX_SECONDS + 1)])
    assert load.parse_args(["--sessions", "1", "4", "--seconds", "5"]).sessions == [1, 4]


def rss(before: int, during: list[int], after: int) -> dict:
    return {"before_kib": before, "during_kib": during, "after_kib": after}


def test_a_run_holds_with_no_error_and_a_p95_cold_open_within_the_limit():
    logs = [SessionLog(cold_open_ms=1000.0 + n, panel_ms=[300.0]) for n in range(4)]
    result = load.report(4, logs, rss(100 * 1024, [140 * 1024], 120 * 1024), {}, 30.0)
    assert result["holds"] is True
    assert result["rss_per_session_mib"] == 10.0
    assert result["cold_open_ms"]["p95"] == 1003.0
    assert result["country_to_panel_ms"]["median"] == 300.0


def test_one_error_or_a_slow_cold_open_or_a_session_never_opened_breaks_the_run():
    fast = [SessionLog(cold_open_ms=1000.0) for _ in range(3)]
    memory = rss(1024, [1024], 1024)
    failed = [*fast[:2], SessionLog(cold_open_ms=900.0, errors=["timeout: x"])]
    assert load.report(3, failed, memory, {}, 1.0)["holds"] is False
    slow = [*fast[:2], SessionLog(cold_open_ms=load.COLD_OPEN_LIMIT_MS + 1.0)]
    assert load.report(3, slow, memory, {}, 1.0)["holds"] is False
    assert load.report(4, fast, memory, {}, 1.0)["holds"] is False


def test_the_servers_get_the_first_core_and_the_browsers_the_others():
    cores = sorted(os.sched_getaffinity(0))
    servers, browsers = load.split_cores(pin=True)
    if len(cores) < 2:
        assert (servers, browsers) == (None, None)
    else:
        assert servers == {cores[0]}
        assert browsers == set(cores[1:])
    assert load.split_cores(pin=False) == (None, None)


def test_pinning_applies_inside_the_block_only():
    before = os.sched_getaffinity(0)
    first = {min(before)}
    with load.pinned(first):
        assert os.sched_getaffinity(0) == first
    assert os.sched_getaffinity(0) == before


def test_cpu_time_is_read_from_proc_stat_after_the_command_name():
    ticks = os.sysconf("SC_CLK_TCK")
    stat = f"42 (a (strange) name) S 1 42 42 0 -1 0 0 0 0 0 {3 * ticks} {ticks} 0 0 20 0 1 0"
    assert server.cpu_seconds(stat) == 4.0
    assert server.tree_cpu_seconds(os.getpid()) >= 0


def test_the_warm_up_opens_every_replica_directly():
    class Replica:
        def __init__(self, url):
            self.url = url

    deployment = load.Deployment.__new__(load.Deployment)
    deployment.servers = [Replica("http://127.0.0.1:1"), Replica("http://127.0.0.1:2")]
    assert load.warm_up_urls(deployment) == ["http://127.0.0.1:1", "http://127.0.0.1:2"]
