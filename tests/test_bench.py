"""The benchmark's pure helpers (bench/): statistics, byte accounting, expected colours, the plan.

No browser and no server here: the benchmark itself is run with `python -m bench`.
"""

import base64
import os

import pytest

from bench import against, naive, run, stats
from bench.expected import (
    changed_regions,
    expected_fills,
    fills_of_year,
    plan_steps,
)
from csto_atlas.render import contract, style
from csto_atlas.render import payload as payloads
from tooling import server as server


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        (list(range(1, 31)), 0.95, 29),  # ceil(0.95 * 30) = 29th smallest
        (list(range(1, 21)), 0.95, 19),
        (list(range(1, 101)), 0.95, 95),
        ([5.0], 0.95, 5.0),
        ([3, 1, 2], 1.0, 3),
        ([10, 20, 30, 40], 0.5, 20),
    ],
)
def test_percentile_is_the_nearest_rank(values, share, expected):
    assert stats.percentile(values, share) == expected


def test_percentile_never_interpolates_below_an_observed_value():
    assert stats.percentile([1, 1000], 0.95) == 1000


@pytest.mark.parametrize("share", [0, -0.1, 1.5])
def test_a_percentile_share_outside_0_1_is_refused(share):
    with pytest.raises(ValueError, match="not in"):
        stats.percentile([1, 2], share)


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert stats.median([4, 1, 3, 2]) == 2.5
    assert stats.median([7, 1, 3]) == 3


def test_empty_samples_are_refused():
    with pytest.raises(ValueError):
        stats.median([])
    with pytest.raises(ValueError):
        stats.percentile([], 0.5)


def test_summary_gives_median_p95_and_extremes():
    summary = stats.summarise([float(v) for v in range(1, 31)])
    assert summary == {"n": 30, "median": 15.5, "p95": 29.0, "min": 1.0, "max": 30.0}


def test_a_text_websocket_frame_counts_its_utf8_bytes():
    assert stats.websocket_payload_bytes({"opcode": 1, "payloadData": "héllo"}) == 6


def test_a_binary_websocket_frame_counts_its_decoded_bytes():
    payload = base64.b64encode(bytes(range(7))).decode()
    assert stats.websocket_payload_bytes({"opcode": 2, "payloadData": payload}) == 7


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("http://127.0.0.1:1/app/static/leaflet/leaflet.js", "app static files (Leaflet)"),
        (
            "http://127.0.0.1:1/component/streamlit_folium.st_folium/index.html",
            "map component (streamlit-folium)",
        ),
        ("http://127.0.0.1:1/static/js/index.js", stats.STREAMLIT_SHELL),
        ("http://127.0.0.1:1/static/media/MaterialSymbols-Rounded.x.woff2", stats.STREAMLIT_FONTS),
        ("http://127.0.0.1:1/static/media/SourceSansVF-Upright.ttf.x.woff2", stats.STREAMLIT_FONTS),
        ("http://127.0.0.1:1/", stats.STREAMLIT_SHELL),
        ("http://127.0.0.1:1/_stcore/host-config", stats.STREAMLIT_SHELL),
    ],
)
def test_responses_are_attributed_to_their_part_of_the_app(url, source):
    assert stats.byte_source(url) == source


def test_the_byte_meter_adds_each_event_to_the_current_window():
    meter = stats.ByteMeter()
    cold = meter.window("cold")
    meter.on_request({"requestId": "1", "request": {"url": "http://h/app/static/leaflet.js"}})
    meter.on_loading_finished({"requestId": "1", "encodedDataLength": 1000})
    meter.on_frame_received({"response": {"opcode": 1, "payloadData": "abc"}})
    step = meter.window("step-0")
    meter.on_frame_received({"response": {"opcode": 2, "payloadData": "AAAA"}})
    meter.on_frame_sent({"response": {"opcode": 2, "payloadData": "AA=="}})
    assert (cold.received, cold.http_responses, cold.ws_frames) == (1003, 1, 1)
    assert cold.as_dict()["by_source"] == {
        "websocket (app messages)": 3,
        "app static files (Leaflet)": 1000,
    }
    assert (step.received, step.ws_sent_bytes, step.ws_sent_frames) == (3, 1, 1)
    assert meter.window("cold") is cold


def test_the_byte_meter_notes_a_compressed_websocket():
    meter = stats.ByteMeter()
    meter.on_handshake(
        {"response": {"headers": {"Sec-WebSocket-Extensions": "permessage-deflate"}}}
    )
    meter.on_handshake({"response": {"headers": {}}})
    assert meter.websocket_extensions == ["permessage-deflate"]


def test_phases_split_an_interaction_at_the_websocket_messages():
    done = {"sent": [90.0, 300.0, 320.0], "received": [100.0, 500.0, 700.0], "paintedAt": 760.0}
    assert stats.phases(250.0, done) == {
        "input_to_send": 50.0,
        "send_to_last_reply": 400.0,
        "last_reply_to_paint": 60.0,
    }


def test_phases_of_an_interaction_without_messages_are_none():
    done = {"sent": [], "received": [], "paintedAt": 40.0}
    assert set(stats.phases(0.0, done).values()) == {None}
    assert stats.median_or_none([None, 3.0, 1.0]) == 2.0
    assert stats.median_or_none([None]) is None


# --- expected colours and the plan of key presses --------------------------------------------


def test_expected_fills_give_every_region_its_status_colour(tiny_atlas):
    fills = fills_of_year(tiny_atlas, 1999)
    assert set(fills) == set(tiny_atlas.regions["iso3"])
    assert fills["UZB"] == style.STATUS_COLOURS["former"].lower()
    assert fills["ARM"] == style.STATUS_COLOURS["member"].lower()
    assert fills["XAB"] == style.STATUS_COLOURS["non-member"].lower()
    assert fills_of_year(tiny_atlas, 2013)["UZB"] == style.STATUS_COLOURS["suspended"].lower()


def fills_of_status_letters(atlas, years: range) -> dict[int, dict[str, str]]:
    """Per year, every region's fills as the status letters of its features in the map's
    payload give them (each piece's, sorted and joined), to set beside expected_fills."""
    payload = payloads.map_payload(atlas, years)
    statuses = {code: status for status, code in contract.status_codes().items()}
    drawn = {}
    for year in years:
        pieces: dict[str, list[str]] = {}
        for feature in payload.regions["features"]:
            code = feature["properties"]["codes"][year - payload.first]
            colour = style.STATUS_COLOURS[statuses[code]].lower()
            pieces.setdefault(feature["properties"]["iso3"], []).append(colour)
        drawn[year] = {iso3: ",".join(sorted(colours)) for iso3, colours in pieces.items()}
    return drawn


def test_expected_fills_agree_with_the_status_letters_the_map_is_built_from(tiny_atlas):
    years = range(1992, 2027)
    assert fills_of_status_letters(tiny_atlas, years) == expected_fills(tiny_atlas, years)


def test_a_region_drawn_in_pieces_expects_each_pieces_fill(bundled_atlas):
    # Nagorno-Karabakh in 2022: the core still held by the breakaway authorities, the districts
    # Azerbaijan's again (geodata/periods.csv); the map draws each piece in its own colour.
    fills = fills_of_year(bundled_atlas, 2022)["XNK"].split(",")
    assert len(fills) == (bundled_atlas.regions["iso3"] == "XNK").sum() > 1
    assert set(fills) == {
        style.STATUS_COLOURS["non-member"].lower(),
        style.STATUS_COLOURS["former"].lower(),
    }
    years = range(1992, 2027)
    drawn, expected = (
        fills_of_status_letters(bundled_atlas, years),
        expected_fills(bundled_atlas, years),
    )
    assert [drawn[year]["XNK"] for year in years] == [expected[year]["XNK"] for year in years]


def test_changed_regions_lists_the_codes_whose_colour_differs():
    assert changed_regions({"A": "#1", "B": "#2"}, {"A": "#1", "B": "#3", "C": "#4"}) == ["B", "C"]


def fills_with_changes(first: int, last: int, changes: set[int]) -> dict[int, dict[str, str]]:
    """Fake fills: the colour of region AAA changes at each year in `changes`."""
    colour, fills = 0, {}
    for year in range(first, last + 1):
        colour += year in changes
        fills[year] = {"AAA": f"#{colour}"}
    return fills


def test_the_plan_walks_one_year_at_a_time_and_flags_colour_changes():
    fills = fills_with_changes(1992, 2026, {1999, 2012, 2024})
    plan = plan_steps(fills, start=2026, changing_steps=30)
    assert sum(step.changes for step in plan) >= 30
    for step in plan:
        assert abs(step.end - step.start) == 1
        assert step.key == ("ArrowRight" if step.end > step.start else "ArrowLeft")
        assert step.changes == (fills[step.end] != fills[step.start])
        assert 1992 <= step.end <= 2026
    assert [step.start for step in plan[1:]] == [step.end for step in plan[:-1]]
    assert plan[0].start == 2026


def test_the_plan_bounces_across_each_boundary_it_reaches():
    fills = fills_with_changes(2000, 2010, {2005})
    plan = plan_steps(fills, start=2010, changing_steps=5, bounces=2)
    walked = [step.end for step in plan]
    assert walked == [2009, 2008, 2007, 2006, 2005, 2004, 2005, 2004, 2005, 2004]


def test_the_plan_turns_at_the_end_of_the_range():
    fills = fills_with_changes(2000, 2003, {2003})
    plan = plan_steps(fills, start=2000, changing_steps=10, bounces=0)
    assert sum(step.changes for step in plan) == 10
    assert {step.end for step in plan} <= set(range(2000, 2004))


def test_a_plan_without_any_colour_change_is_refused():
    with pytest.raises(ValueError, match="no year"):
        plan_steps(fills_with_changes(2000, 2005, set()), start=2005, changing_steps=3)


def test_a_plan_from_a_year_outside_the_range_is_refused():
    with pytest.raises(ValueError, match="not in"):
        plan_steps(fills_with_changes(2000, 2005, {2003}), start=1999, changing_steps=3)


# --- the naive baseline's map, the server helpers, the report ----------------------------------


def test_the_naive_map_marks_each_polygon_with_its_region_and_year(tiny_atlas):
    shapes = tiny_atlas.regions[["iso3", "geometry"]]
    html = naive.naive_map(tiny_atlas, shapes, 1999).get_root().render()
    assert "csto-iso-UZB bench-year-1999" in html
    assert style.STATUS_COLOURS["former"] in html
    assert "/app/static/leaflet/leaflet.js" in html
    assert "cdn.jsdelivr.net/npm/leaflet" not in html


def test_vm_rss_is_read_from_proc_status():
    text = "Name:\tpython\nVmPeak:\t  999 kB\nVmRSS:\t  12345 kB\nThreads:\t3\n"
    assert server.vm_rss_kib(text) == 12345
    assert server.vm_rss_kib("Name:\tzombie\n") == 0


def test_the_memory_of_this_process_tree_includes_this_process():
    assert os.getpid() in server.process_tree(os.getpid())
    assert server.tree_rss_kib(os.getpid()) > 0


def test_ratio_is_baseline_over_ours():
    assert run.ratio(100.0, 800.0) == 8.0
    assert run.ratio(0.0, 50.0) == float("inf")
    assert run.ratio(0.0, 0.0) == 1.0
    assert run.ratio(None, 5.0) is None


def figures(**values: float) -> dict:
    base = {
        "slider_step_median_ms": 50.0,
        "slider_step_p95_ms": 90.0,
        "cold_open_median_ms": 2000.0,
        "first_map_kb": 400.0,
        "slider_step_max_kb": 0.0,
        "click_median_ms": 300.0,
    }
    return {"figures": base | values}


def test_targets_are_met_at_their_limit_and_missed_above_it():
    apps = {
        "atlas": figures(slider_step_median_ms=50.0, click_median_ms=101.0),
        "naive": figures(slider_step_median_ms=225.0),
    }
    checks = {check["target"]: check["met"] for check in run.evaluate_targets(apps)}
    assert checks["slider step median ≤ 50 ms"] is True
    assert checks["click to notes median ≤ 100 ms"] is False
    assert checks["slider step median ≥ 5× faster than the baseline"] is False


def test_the_speedup_target_is_met_at_five_times():
    apps = {"atlas": figures(), "naive": figures(slider_step_median_ms=250.0)}
    speedup = run.evaluate_targets(apps)[-1]
    assert (speedup["value"], speedup["met"]) == (5.0, True)


def test_the_first_map_on_the_wire_adds_nginxs_websocket_bytes_to_the_http_bytes():
    counted = [
        {"session": "a", "bytes": {"http_bytes": 1000}},
        {"session": "b", "bytes": {"http_bytes": 1200}},
        {"session": None, "bytes": {"http_bytes": 9999}},  # the last: its websocket stays open
    ]
    wire = run.wire_figures(counted, {"a": 100, "b": 300, "other": 5})
    assert wire["first_map_wire_bytes"]["median"] == 1300.0
    assert wire["first_map_websocket_wire_bytes"]["n"] == 2


def test_no_closed_websocket_means_no_wire_figure():
    with pytest.raises(run.BenchError, match="no closed websocket"):
        run.wire_figures([{"session": "a", "bytes": {"http_bytes": 1}}], {})


def test_the_proxy_option_serves_each_app_as_a_deployment_of_replicas():
    args = run.parse_args(["--via-proxy", "--replicas", "3", "--websocket-compression", "off"])
    served = run.serve(run.ATLAS, args)
    assert (type(served).__name__, served.replicas, served.script) == (
        "Deployment",
        3,
        run.ATLAS.script,
    )
    assert served.extra_env == {run.WEBSOCKET_COMPRESSION_ENV_VAR: "false"}
    assert type(run.serve(run.ATLAS, run.parse_args([]))).__name__ == "AppServer"


# --- bench.against: the cold open against an earlier commit ---------------------------------


def test_against_unpacks_a_commit_with_its_app_and_data(tmp_path):
    then = against.unpack("HEAD", tmp_path)
    assert (then / "dashboard.py").is_file()
    assert (then / "datasets" / "countries.csv").is_file()
    assert not (then / ".git").exists()


def test_against_summarises_median_and_quartiles():
    figures = against.summary([100.0, 200.0, 300.0, 400.0, 500.0])
    assert figures["n"] == 5 and figures["median"] == 300.0
    assert figures["q1"] < figures["median"] < figures["q3"]


@pytest.mark.parametrize("count", ["1", "201"])
def test_against_refuses_a_number_of_cold_opens_out_of_range(count):
    with pytest.raises(SystemExit) as stopped:
        against.parse_args(["HEAD", "--cold-opens", count])
    assert stopped.value.code == 2


def test_against_refuses_a_revision_that_is_not_a_commit(capsys):
    assert against.main(["no-such-revision-anywhere"]) == 2
    assert "is not a commit of this repository" in capsys.readouterr().err


# --- tooling.server.Service: the context manager of the app servers and the deployment -----


class Recorded(server.Service):
    """A service that only records what was done to it."""

    def __init__(self) -> None:
        self.done: list[str] = []

    def start(self) -> "Recorded":
        self.done.append("start")
        return self

    def stop(self) -> None:
        self.done.append("stop")

    def log_tail(self) -> str:
        self.done.append("log")
        return "the log's tail"

    def cleanup(self) -> None:
        self.done.append("cleanup")


def test_a_service_is_stopped_and_cleaned_up_after_a_clean_run():
    with Recorded() as service:
        assert service.done == ["start"]
    assert service.done == ["start", "stop", "cleanup"]


def test_a_failed_service_prints_its_log_and_keeps_its_files(capsys):
    service = Recorded()
    with pytest.raises(ValueError), service:
        raise ValueError("boom")
    assert service.done == ["start", "log", "stop"]
    assert "the log's tail" in capsys.readouterr().err


def test_ctrl_c_stops_a_service_quietly_and_cleans_up(capsys):
    service = Recorded()
    with pytest.raises(KeyboardInterrupt), service:
        raise KeyboardInterrupt
    assert service.done == ["start", "stop", "cleanup"]
    assert capsys.readouterr().err == ""


# --- the atlas anywhere (issue 19, item 6: bench/anywhere.py) ---------------------------------


def test_responses_from_the_browsers_cache_are_not_counted_as_received():
    meter = stats.ByteMeter()
    repeat = meter.window("repeat")
    for request_id, url in (("1", "http://h/static/js/a.js"), ("2", "http://h/"), ("3", "x")):
        meter.on_request({"requestId": request_id, "request": {"url": url}})
    meter.on_served_from_cache({"requestId": "1"})
    meter.on_response({"requestId": "3", "response": {"fromDiskCache": True}})
    meter.on_response({"requestId": "2", "response": {"fromDiskCache": False}})
    for request_id, size in (("1", 50_000), ("2", 900), ("3", 40_000)):
        meter.on_loading_finished({"requestId": request_id, "encodedDataLength": size})
    assert (repeat.http_bytes, repeat.http_responses, repeat.cache_hits) == (900, 1, 2)
    assert repeat.as_dict()["cache_hits"] == 2


def test_the_rate_summary_counts_answers_per_second_and_their_latency():
    summary = stats.rate_summary([0.010, 0.020, 0.030, 0.040], elapsed_s=0.5, errors=1)
    assert summary["answers"] == 4 and summary["errors"] == 1
    assert summary["answers_per_s"] == pytest.approx(8.0)
    assert summary["median_ms"] == pytest.approx(25.0)
    assert summary["p95_ms"] == pytest.approx(40.0)


def test_a_rate_summary_without_answers_has_no_latency():
    summary = stats.rate_summary([], elapsed_s=2.0, errors=3)
    assert (summary["answers_per_s"], summary["median_ms"], summary["p95_ms"]) == (0.0, None, None)
    with pytest.raises(ValueError, match="not positive"):
        stats.rate_summary([0.01], elapsed_s=0.0, errors=0)


def test_the_static_host_sends_the_atlas_gzipped_when_the_browser_accepts_it(tmp_path):
    import gzip
    import urllib.request

    from bench import anywhere

    page = b"<!DOCTYPE html><title>CSTO Atlas</title>" + b"<p>map</p>" * 1000
    (tmp_path / "index.html").write_bytes(page)
    with anywhere.StaticHost(tmp_path) as host:
        asked = urllib.request.Request(f"{host.url}/", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(asked, timeout=30) as answer:
            body = answer.read()
            assert answer.headers["Content-Encoding"] == "gzip"
            assert int(answer.headers["Content-Length"]) == len(body) < len(page) // 10
        assert gzip.decompress(body) == page
        with urllib.request.urlopen(f"{host.url}/index.html", timeout=30) as plain:
            assert plain.headers["Content-Encoding"] is None and plain.read() == page
    assert host.process is not None and host.process.poll() is not None  # stopped


def test_the_anywhere_targets_are_met_at_their_limits_and_missed_above():
    from bench import anywhere

    at_limit = {
        "static_http_over_app": 0.4,
        "static_first_visit_wire_kb": 450.0,
        "app_repeat_visit_kb": 150.0,
        "api_sequential_median_ms": 20.0,
    }
    assert all(check["met"] for check in anywhere.targets(at_limit))
    above = {key: value * 1.01 for key, value in at_limit.items()}
    assert not any(check["met"] for check in anywhere.targets(above))
    assert not any(check["met"] for check in anywhere.targets({}))


def test_the_only_option_selects_the_anywhere_measurements():
    assert run.parse_args(["--only", "anywhere"]).only == "anywhere"
    assert run.parse_args([]).only is None
