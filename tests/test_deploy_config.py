"""deploy/: the nginx configuration rendered for N replicas, checked by nginx itself."""

import os
import re
from pathlib import Path

import pytest

from tooling import proxy
from tooling.proxy import ProxySettings, render_config

PORTS = (41001, 41002, 41003)


def settings(folder: Path, **changes) -> ProxySettings:
    """Three replicas on loopback, nginx on 127.0.0.1:41000, everything in `folder`."""
    values = {
        "upstreams": [f"127.0.0.1:{port}" for port in PORTS],
        "listen": "127.0.0.1:41000",
        "run_dir": str(folder),
        "user": proxy.current_user(),
    } | changes
    return ProxySettings(**values)


@pytest.fixture
def rendered(tmp_path: Path) -> str:
    return render_config(settings(tmp_path))


def directive(config: str, name: str) -> list[str]:
    """The arguments of every `name ...;` directive in the configuration."""
    return [match.strip() for match in re.findall(rf"^\s*{name}\s+([^;{{}}]*);", config, re.M)]


def location(config: str, path: str) -> str:
    """The body of the `location ... path {` block."""
    match = re.search(rf"location [=~ ]*{re.escape(path)} \{{(.*?)\n        \}}", config, re.S)
    assert match is not None, path
    return match.group(1)


def test_every_replica_is_an_upstream_server(rendered):
    servers = directive(rendered, "server")
    assert [server.split()[0] for server in servers] == [f"127.0.0.1:{port}" for port in PORTS]


def test_nginx_listens_on_loopback_only(rendered):
    assert directive(rendered, "listen") == ["127.0.0.1:41000"]


def test_everything_streamlit_leaves_uncompressed_is_gzipped(rendered):
    assert directive(rendered, "gzip") == ["on"]
    assert directive(rendered, "gzip_proxied") == ["any"]
    types = directive(rendered, "gzip_types")[0].split()
    for kind in ("text/css", "text/javascript", "application/javascript", "application/json"):
        assert kind in types


def test_the_websocket_is_upgraded_and_kept_open(rendered):
    stream = location(rendered, "/_stcore/stream")
    assert "proxy_set_header Upgrade $http_upgrade;" in stream
    assert "proxy_set_header Connection $connection_upgrade;" in stream
    assert "proxy_read_timeout 1h;" in stream
    assert "proxy_http_version 1.1;" in rendered


def test_both_locations_pass_the_host_the_websocket_origin_check_compares(rendered):
    for path in ("/_stcore/stream", "/"):
        assert "proxy_set_header Host $http_host;" in location(rendered, path)


def test_sessions_stick_to_a_replica_by_a_cookie_nginx_sets(rendered):
    assert directive(rendered, "hash") == ["$csto_replica_key consistent"]
    assert directive(rendered, "ip_hash") == []
    assert "add_header Set-Cookie $csto_replica_cookie;" in rendered
    assert f"$cookie_{proxy.COOKIE}" in rendered


@pytest.mark.parametrize(
    "header",
    [
        "Content-Security-Policy",
        "X-Frame-Options SAMEORIGIN",
        "X-Content-Type-Options nosniff",
        "Referrer-Policy",
        "Permissions-Policy",
    ],
)
def test_security_headers_are_added_to_every_response(rendered, header):
    lines = [line.strip() for line in rendered.splitlines()]
    assert any(
        line.startswith(f"add_header {header}") and line.endswith(" always;") for line in lines
    )


def test_no_location_drops_the_servers_headers(rendered):
    """A location with an add_header of its own would inherit none of the server's."""
    for path in ("/_stcore/stream", "/"):
        assert "add_header" not in location(rendered, path)


def test_the_content_security_policy_forbids_framing_elsewhere_and_plugins():
    policy = dict(proxy.CONTENT_SECURITY_POLICY)
    assert policy["frame-ancestors"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert not any(source == "*" for sources in policy.values() for source in sources.split())


def test_the_upstream_header_is_only_there_when_asked_for(tmp_path, rendered):
    assert "X-Upstream" not in rendered
    assert "X-Upstream $upstream_addr" in render_config(settings(tmp_path, expose_upstream=True))


@pytest.mark.parametrize(
    "change",
    [
        {"listen": "127.0.0.1:1; include /etc/passwd"},
        {"run_dir": "/tmp/a b"},
        {"upstreams": ["127.0.0.1:1}"]},
        {"upstreams": []},
    ],
)
def test_a_setting_that_would_break_the_configuration_is_refused(tmp_path, change):
    with pytest.raises(ValueError):
        render_config(settings(tmp_path, **change))


def test_nginx_accepts_the_rendered_configuration(tmp_path, rendered):
    nginx = proxy.nginx_path()
    if not nginx.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no nginx at {nginx}; CI installs it (bash tests/run)")
        pytest.skip(f"no nginx at {nginx} (apt-get install nginx)")
    config = tmp_path / "nginx.conf"
    config.write_text(rendered, encoding="utf-8")
    checked = proxy.nginx_check(config)
    assert checked.returncode == 0, checked.stderr


def test_the_docker_configuration_is_the_template_rendered_for_compose():
    committed = proxy.DOCKER_CONFIG.read_text(encoding="utf-8")
    assert committed == render_config(proxy.docker_settings()), (
        "deploy/nginx.docker.conf is stale: deploy/run docker-config > deploy/nginx.docker.conf"
    )


def test_every_upstream_of_the_docker_configuration_is_a_compose_service():
    compose = (proxy.DEPLOY_DIR / "compose.yaml").read_text(encoding="utf-8")
    services = set(re.findall(r"^  ([a-z0-9]+):", compose, re.M))
    upstreams = {
        server.split(":")[0] for server in directive(proxy.DOCKER_CONFIG.read_text(), "server")
    }
    assert upstreams and upstreams <= services


@pytest.mark.parametrize(
    "needed",
    [
        "requirements.txt",
        ".streamlit/",
        "csto_atlas/",
        "pages/",
        "datasets/",
        "geodata/",
        "dashboard.py",
        "deploy/nginx.docker.conf",
    ],
)
def test_the_images_copy_everything_the_app_and_the_proxy_read(needed):
    dockerfile = (proxy.DEPLOY_DIR / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(rf"^COPY {re.escape(needed)} ", dockerfile, re.M)


def test_websocket_wire_bytes_are_read_per_session_from_the_access_log():
    log = (
        '127.0.0.1 [30/Nov/2026:12:00:00 +0000] "GET / HTTP/1.1" 200 bytes=3400 '
        "upstream=127.0.0.1:1 session=csto_replica:- 0.010\n"
        '127.0.0.1 [30/Nov/2026:12:00:05 +0000] "GET /_stcore/stream HTTP/1.1" 101 bytes=97283 '
        "upstream=127.0.0.1:1 session=csto_replica:abc 4.200\n"
        '127.0.0.1 [30/Nov/2026:12:00:09 +0000] "GET /_stcore/stream HTTP/1.1" 101 bytes=500 '
        "upstream=127.0.0.1:2 session=csto_replica:def 1.000\n"
    )
    assert proxy.websocket_bytes_sent(log) == {"abc": 97283, "def": 500}


def test_the_access_log_records_wire_bytes_and_the_session(rendered):
    log_format = re.search(r"^\s*log_format csto ([^;]*);", rendered, re.M).group(1)
    assert "bytes=$bytes_sent" in log_format
    assert f"session={proxy.COOKIE}:$cookie_{proxy.COOKIE}" in log_format


def test_the_replicas_compress_the_websocket_in_both_deployments():
    # .streamlit/config.toml leaves it off for `streamlit run` on loopback (tests/test_config.py).
    assert proxy.REPLICA_ENV["STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION"] == "true"
    dockerfile = (proxy.DEPLOY_DIR / "Dockerfile").read_text(encoding="utf-8")
    assert "STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION=true" in dockerfile
