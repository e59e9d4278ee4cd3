"""`python -m bench.wsload` against a real server it starts: no browser, a few sessions.

A real server with sessions speaking Streamlit's protocol, as tests/e2e/test_clear_cache.py; the
protocol's parts and the figures are tested without a server in tests/test_wsload.py.
"""

import json

import pytest

from bench import wsload

pytestmark = pytest.mark.e2e


def test_sessions_opened_at_once_and_at_a_rate_all_get_the_map(tmp_path, capsys):
    out = tmp_path / "wsload.json"
    argv = ["--at-once", "3", "--rate", "4", "--seconds", "1", "--session-ttl", "1"]
    assert wsload.main([*argv, "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    at_once, rate = result["runs"]
    assert (at_once["sessions"], at_once["errors"], at_once["first_map_ms"]["n"]) == (3, 0, 3)
    assert (rate["sessions"], rate["errors"], rate["first_map_ms"]["n"]) == (4, 0, 4)
    # The map's message is the component's element: the frame's texts and the map file's address
    # (the geometry is in the map file since issue 19), about 20 kB, more than a page's text.
    assert at_once["map_message_bytes"] > 10_000
    assert at_once["received_bytes_per_session"] > at_once["map_message_bytes"]
    assert at_once["sessions_per_s"] > 0 and rate["sessions_per_s"] > 0
    assert at_once["rss_mib"]["all_open"] > 0 and result["rss_warm_mib"] > 0
    assert result["expiry"]["reaper_errors"] == []
    assert result["expiry"]["rss_expired_mib"] > 0
    assert result["memory_back_within_10_percent"] in (True, False)
    table = capsys.readouterr().out
    assert "at once" in table and "4/s x 1s" in table and "back within 10 % of warm" in table
