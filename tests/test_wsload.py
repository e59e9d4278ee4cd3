"""The websocket load command's protocol and figures (bench/wsload.py), against a stand-in server.

The stand-in is a websockets server on loopback that speaks the ForwardMsg side of Streamlit's
protocol as the test scripts it: no Streamlit server, no browser. The real server's run is in
tests/e2e/test_wsload_server.py.
"""

import argparse
import asyncio
import concurrent.futures
from collections.abc import Callable

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.server import serve

from bench import wsload
from bench.wsload import LoadError, Visit
from tooling.server import free_port


def element(component: str | None) -> ForwardMsg:
    """A delta with a new element: a component instance named `component`, or markdown."""
    message = ForwardMsg()
    if component is None:
        message.delta.new_element.markdown.body = "text"
    else:
        message.delta.new_element.component_instance.component_name = component
        message.delta.new_element.component_instance.json_args = "{}" * 1000
    return message


def finished(status: int = ForwardMsg.FINISHED_SUCCESSFULLY) -> ForwardMsg:
    message = ForwardMsg()
    message.script_finished = status
    return message


def new_session() -> ForwardMsg:
    message = ForwardMsg()
    message.new_session.name = "atlas"
    return message


def options(**changes) -> argparse.Namespace:
    settings = {"timeout": 10.0, "page": False, "sources": 1, "hold": 0.0}
    return argparse.Namespace(**{**settings, **changes})


def stand_in(replies: list[ForwardMsg], seen: list[BackMsg]) -> Callable:
    """A websocket handler: record the client's first message, then send `replies`."""

    async def handler(connection) -> None:
        request = BackMsg()
        request.ParseFromString(await connection.recv())
        seen.append(request)
        for reply in replies:
            await connection.send(reply.SerializeToString())
        await connection.wait_closed()

    return handler


def visit_stand_in(replies: list[ForwardMsg], sessions: int = 1) -> tuple[list[Visit], list]:
    """Open `sessions` at once against a stand-in sending `replies`; the visits and requests."""
    seen: list[BackMsg] = []

    async def scenario() -> list[Visit]:
        port = free_port()
        async with serve(stand_in(replies, seen), "127.0.0.1", port):
            return await wsload.at_once(f"http://127.0.0.1:{port}", sessions, options())

    return wsload.run(scenario()), seen


def test_a_run_from_a_thread_whose_event_loop_is_running_gets_its_result():
    # Playwright's sync API keeps a loop running in the test process; asyncio.run refuses there.
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    async def inside_a_running_loop() -> int:
        return wsload.run(answer())

    # On a thread of its own, as this process may hold Playwright's running loop on this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, inside_a_running_loop()).result() == 42
    assert wsload.run(answer()) == 42


def test_the_rerun_message_asks_for_the_main_page_as_a_fresh_tab_does():
    sent = BackMsg()
    sent.ParseFromString(wsload.rerun_message("http://127.0.0.1:8501").SerializeToString())
    assert sent.WhichOneof("type") == "rerun_script"
    assert sent.rerun_script.page_script_hash == ""
    assert sent.rerun_script.query_string == ""
    assert not sent.rerun_script.cached_message_hashes  # a fresh tab holds no cached message
    assert sent.rerun_script.context_info.url == "http://127.0.0.1:8501/"


def test_only_the_streamlit_folium_element_is_the_map():
    assert wsload.is_map(element(wsload.MAP_COMPONENT))
    assert not wsload.is_map(element("another.component"))
    assert not wsload.is_map(element(None))
    assert not wsload.is_map(finished())


def test_a_run_that_ends_without_success_is_an_error():
    assert wsload.run_end(finished())
    assert not wsload.run_end(element(None))
    with pytest.raises(LoadError, match="FINISHED_WITH_COMPILE_ERROR"):
        wsload.run_end(finished(ForwardMsg.FINISHED_WITH_COMPILE_ERROR))


def test_the_websocket_is_the_apps_stream_and_cookies_are_kept():
    assert wsload.stream_url("http://127.0.0.1:8080/") == "ws://127.0.0.1:8080/_stcore/stream"
    jar: dict[str, str] = {}
    head = "HTTP/1.1 200 OK\r\nSet-Cookie: csto_replica=abc; Path=/; HttpOnly\r\nX: y"
    wsload.read_cookies(head, jar)
    assert jar == {"csto_replica": "abc"}
    assert wsload.cookie_header({"a": "1", "b": "2"}) == "a=1; b=2"


def test_a_session_gets_its_first_map_from_the_component_element():
    replies = [new_session(), element(None), element(wsload.MAP_COMPONENT), finished()]
    visits, seen = visit_stand_in(replies, sessions=3)
    assert [visit.error for visit in visits] == [None, None, None]
    assert all(visit.first_map_ms is not None for visit in visits)
    assert all(visit.first_map_ms <= visit.finished_ms for visit in visits)
    assert visits[0].map_bytes == len(element(wsload.MAP_COMPONENT).SerializeToString())
    assert [request.WhichOneof("type") for request in seen] == ["rerun_script"] * 3


def test_sessions_at_a_rate_arrive_on_schedule_and_each_gets_the_map():
    replies = [new_session(), element(wsload.MAP_COMPONENT), finished()]
    seen: list[BackMsg] = []

    async def scenario() -> list[Visit]:
        port = free_port()
        async with serve(stand_in(replies, seen), "127.0.0.1", port):
            return await wsload.at_rate(f"http://127.0.0.1:{port}", 10.0, 0.4, options())

    visits = wsload.run(scenario())
    assert len(visits) == 4 and len(seen) == 4
    assert [visit.error for visit in visits] == [None] * 4
    starts = [visit.started_s for visit in visits]
    assert starts == sorted(starts)
    assert starts[-1] >= 0.3  # the fourth arrives 3 intervals of 0.1 s after the first


def test_a_run_without_the_map_is_an_error():
    visits, _ = visit_stand_in([new_session(), element("another.component"), finished()])
    assert visits[0].error == "the run ended without the map"
    assert visits[0].first_map_ms is None


def test_a_reference_to_a_cached_message_is_an_error_for_a_fresh_tab():
    reference = ForwardMsg()
    reference.ref_hash = "abc"
    visits, _ = visit_stand_in([reference, finished()])
    assert "reference" in visits[0].error


def test_every_session_against_a_server_that_is_down_is_an_error():
    url = f"http://127.0.0.1:{free_port()}"
    visits = wsload.run(wsload.at_once(url, 3, options(page=True)))
    assert len(visits) == 3
    assert all(visit.error and "ConnectionRefusedError" in visit.error for visit in visits)


def test_sessions_per_second_count_maps_over_the_time_to_the_last_one():
    visits = [
        Visit(started_s=0.0, first_map_ms=500.0, finished_ms=600.0),
        Visit(started_s=1.0, first_map_ms=1000.0, finished_ms=1100.0),
        Visit(started_s=1.5, error="timeout"),
    ]
    result = wsload.figures(visits)
    assert result["sessions"] == 3 and result["errors"] == 1
    assert result["sessions_per_s"] == 1.0  # two maps, the last at 2.0 s
    assert result["first_map_ms"]["median"] == 750.0
    assert result["first_map_ms"]["p95"] == 1000.0


def test_memory_is_back_within_ten_percent_of_warm_or_not():
    assert wsload.memory_back(100.0, 110.0) is True
    assert wsload.memory_back(100.0, 110.5) is False
    assert wsload.memory_back(None, 110.0) is None


def run_at_once_of(sessions: int, p95: float, errors: int = 0) -> dict:
    return {"mode": "at once", "sessions": sessions, "errors": errors, "first_map_ms": {"p95": p95}}


def test_the_p95_target_applies_to_100_at_once_without_errors_and_memory_to_expiry():
    results = {
        "runs": [run_at_once_of(50, 9000.0), run_at_once_of(100, 2900.0)],
        "memory_back_within_10_percent": False,
        "expiry": {"rss_expired_mib": 351.0},
    }
    found = wsload.targets(results)
    assert [(target["value"], target["met"]) for target in found] == [
        (2900.0, True),
        (351.0, False),
    ]
    assert not wsload.targets({"runs": [run_at_once_of(100, 2900.0, errors=1)]})[0]["met"]
    assert not wsload.targets({"runs": [run_at_once_of(100, 3001.0)]})[0]["met"]
    lines = wsload.target_lines(found)
    assert lines[0].startswith("  [   met] first map p95") and "[MISSED] memory" in lines[1]


def test_memory_and_cpu_per_session_come_from_the_runs_growth():
    result = wsload.with_per_session(
        {"sessions": 4, "rss_mib": {"start": 100.0, "peak": 140.0}, "server_cpu_s": 2.0}
    )
    assert result["rss_per_session_mib"] == 10.0
    assert result["server_cpu_ms_per_session"] == 500.0


def test_sources_spread_sessions_over_loopback_addresses():
    assert wsload.source_address(0, 1) is None
    assert [wsload.source_address(n, 3) for n in range(4)] == [
        "127.0.0.2",
        "127.0.0.3",
        "127.0.0.4",
        "127.0.0.2",
    ]


@pytest.mark.parametrize(
    "argv",
    [
        [],  # no run asked for
        ["--at-once", "0"],
        ["--at-once", str(wsload.MAX_SESSIONS + 1)],
        ["--rate", "0"],
        ["--rate", "5", "--seconds", str(wsload.MAX_SECONDS + 1)],
        ["--at-once", "5", "--url", "https://example.org"],
        ["--at-once", "5", "--pid", "1"],  # a pid without --url
    ],
)
def test_bad_arguments_are_refused_with_exit_2(argv):
    with pytest.raises(SystemExit) as stopped:
        wsload.parse_args(argv)
    assert stopped.value.code == 2


def test_one_started_server_is_pinned_by_default_and_replicas_are_not():
    assert wsload.parse_args(["--at-once", "5"]).pin is True
    assert wsload.parse_args(["--at-once", "5", "--replicas", "2"]).pin is False
    assert wsload.parse_args(["--at-once", "5", "--url", "http://127.0.0.1:1"]).pin is False


def test_the_command_says_in_one_line_that_the_server_is_down(tmp_path, capsys):
    url = f"http://127.0.0.1:{free_port()}"
    out = tmp_path / "result.json"
    status = wsload.main(["--url", url, "--at-once", "2", "--no-expire", "--out", str(out)])
    assert status == 1
    errors = capsys.readouterr().err
    assert "wsload: the warm-up session" in errors and "ConnectionRefusedError" in errors
    assert "Traceback" not in errors
    assert "error" in out.read_text()
