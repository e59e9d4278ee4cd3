"""deploy/: the nginx configuration rendered for N replicas, checked by nginx itself."""

import os
import re
from pathlib import Path

import pytest

from csto_atlas.render import mapfile
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
    addresses = dict(
        re.findall(
            r"^  (app[0-9]+):\n(?:    .*\n)*?        ipv4_address: ([0-9.]+)$", compose, re.M
        )
    )
    upstreams = [
        server.split()[0] for server in directive(proxy.DOCKER_CONFIG.read_text(), "server")
    ]
    assert upstreams == [f"{addresses[f'app{n}']}:8501" for n in range(1, len(addresses) + 1)]
    assert len(upstreams) == 2
    assert all(address.startswith(f"{proxy.DOCKER_SUBNET}.") for address in addresses.values())


@pytest.mark.parametrize(
    "needed",
    [
        "requirements.lock",
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


# --- a deployment that heals -----------------------------------------------------------------


def test_a_replica_that_fails_is_left_out_for_a_while(rendered):
    for server in directive(rendered, "server"):
        assert "max_fails=1" in server and "fail_timeout=5s" in server
    assert directive(rendered, "proxy_next_upstream") == ["error timeout"]
    assert directive(rendered, "proxy_connect_timeout") == ["3s"]


def test_a_replica_marked_down_is_out_of_rotation(tmp_path):
    down = f"127.0.0.1:{PORTS[1]}"
    config = render_config(settings(tmp_path, down=frozenset({down})))
    marked = [server for server in directive(config, "server") if server.endswith(" down")]
    assert marked == [f"{down} max_fails=1 fail_timeout=5s down"]
    with pytest.raises(ValueError, match="down names no upstream"):
        render_config(settings(tmp_path, down=frozenset({"127.0.0.1:1"})))


def test_compose_restarts_and_health_checks_every_service():
    compose = (proxy.DEPLOY_DIR / "compose.yaml").read_text(encoding="utf-8")
    anchor = compose.split("services:", 1)[0]
    assert "restart: unless-stopped" in anchor and "healthcheck:" in anchor  # every app
    proxy_service = compose.split("  proxy:", 1)[1]
    assert "restart: unless-stopped" in proxy_service and "healthcheck:" in proxy_service
    for service in ("app1", "app2"):
        assert re.search(rf"^  {service}:\n    <<: \*app\n", compose, re.M), service
    # nginx resolves the replicas once: each keeps a fixed address across restarts.
    assert len(re.findall(r"ipv4_address: 172\.28\.80\.\d+", compose)) == 3
    assert compose.count("nofile: 65536") == 2


def test_the_image_installs_the_hashed_lock_only():
    dockerfile = (proxy.DEPLOY_DIR / "Dockerfile").read_text(encoding="utf-8")
    installs = re.findall(r"^RUN pip install (.*)$", dockerfile, re.M)
    assert installs == ["--require-hashes --no-deps -r requirements.lock"]


# --- limits against one client ---------------------------------------------------------------


def test_workers_may_hold_thousands_of_connections(rendered):
    assert directive(rendered, "worker_processes") == ["auto"]
    connections = int(directive(rendered, "worker_connections")[0])
    open_files = int(directive(rendered, "worker_rlimit_nofile")[0])
    assert 4096 <= connections <= open_files


def test_the_docker_configuration_may_hold_thousands_of_tabs():
    config = proxy.DOCKER_CONFIG.read_text(encoding="utf-8")
    assert directive(config, "worker_connections") == [str(proxy.WORKER_CONNECTIONS)]
    assert directive(config, "worker_rlimit_nofile") == ["65536"]


def test_slow_clients_time_out(rendered):
    for name, value in (
        ("client_header_timeout", "10s"),
        ("client_body_timeout", "10s"),
        ("send_timeout", "30s"),
        ("keepalive_timeout", "20s"),
        ("reset_timedout_connection", "on"),
        ("client_max_body_size", "1m"),
    ):
        assert directive(rendered, name) == [value], name


def test_each_address_is_limited_and_websockets_are_counted_apart(rendered):
    limits = proxy.Limits()
    assert directive(rendered, "limit_conn_zone") == [
        "$binary_remote_addr zone=csto_requests_open:10m",
        "$binary_remote_addr zone=csto_sockets_open:10m",
    ]
    assert directive(rendered, "limit_conn_status") == ["429"]
    assert directive(rendered, "limit_req_status") == ["429"]
    stream = location(rendered, "/_stcore/stream")
    assert f"limit_conn csto_sockets_open {limits.sockets_open};" in stream
    assert f"limit_req zone=csto_sockets burst={limits.socket_burst} nodelay;" in stream
    # The page's requests are limited at the server level, which the websocket's location
    # replaces (nginx inherits limit_conn and limit_req only into a location without its own).
    assert f"csto_requests_open {limits.requests_open}" in directive(rendered, "limit_conn")
    assert "csto_requests_open" not in stream


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_a_limit_must_be_a_positive_whole_number(bad):
    with pytest.raises(ValueError):
        proxy.Limits(sockets_open=bad)


# --- Streamlit's internals -------------------------------------------------------------------


def test_only_the_stcore_routes_a_browser_uses_are_passed_on(rendered):
    passed = re.findall(r"location = (/_stcore/[a-z-]+) \{", rendered)
    assert sorted(passed) == ["/_stcore/health", "/_stcore/host-config", "/_stcore/stream"]
    assert "return 404;" in location(rendered, "/_stcore/")


def test_the_frontend_asks_no_other_stcore_route_than_those_and_the_refused():
    """Every /_stcore/ path in Streamlit's frontend is either passed on or one this app does
    not use (uploads, components v2, the agent API)."""
    import streamlit

    static = Path(streamlit.__file__).parent / "static"
    named = set()
    for script in static.rglob("*.js"):
        named |= set(re.findall(r"_stcore/[a-z_/.-]+", script.read_text(errors="replace")))
    unused = {
        "_stcore/upload_file",
        "_stcore/bidi-components",
        "_stcore/agent/interact",
        "_stcore/agent/mcp",
        "_stcore/agent/openapi.json",
    }
    assert named - unused == {"_stcore/health", "_stcore/host-config", "_stcore/stream"}


# --- framing, the cookie, caching ------------------------------------------------------------


def test_by_default_only_the_app_itself_may_frame_it(rendered):
    assert "add_header X-Frame-Options SAMEORIGIN always;" in rendered
    assert "frame-ancestors 'self';" in rendered


def test_allowed_framing_origins_are_added_to_the_policy(tmp_path):
    config = render_config(settings(tmp_path, frame_ancestors=("https://example.org",)))
    assert "frame-ancestors 'self' https://example.org;" in config
    assert "X-Frame-Options" not in config  # it cannot name another origin


@pytest.mark.parametrize(
    "origin", ["*", "https://example.org/path", "example.org", "https://a.org;", "'self'"]
)
def test_a_framing_origin_that_is_not_an_origin_is_refused(tmp_path, origin):
    with pytest.raises(ValueError, match="not an origin"):
        render_config(settings(tmp_path, frame_ancestors=(origin,)))


def test_a_bad_framing_origin_on_the_command_line_exits_2(capsys):
    with pytest.raises(SystemExit) as exited:
        proxy.parse_args(["docker-config", "--frame-ancestors", "https://x.org/a"])
    assert exited.value.code == 2
    assert "not an origin" in capsys.readouterr().err


def test_the_cookie_survives_a_cross_site_frame_over_https_only(rendered):
    block = re.search(r"map \$scheme \$csto_cookie_site \{(.*?)\}", rendered, re.S).group(1)
    assert '"SameSite=None; Secure; Partitioned"' in block.split("https", 1)[1].split("\n")[0]
    assert 'default "SameSite=Lax";' in block


def test_tls_is_served_when_a_certificate_is_given(tmp_path):
    tls = proxy.Tls(str(tmp_path / "cert.pem"), str(tmp_path / "key.pem"))
    config = render_config(settings(tmp_path, tls=tls))
    assert directive(config, "listen") == ["127.0.0.1:41000 ssl"]
    assert directive(config, "ssl_certificate") == [tls.certificate]
    assert directive(config, "ssl_certificate_key") == [tls.key]


def cache_patterns(config: str) -> list[re.Pattern[str]]:
    block = re.search(r"map \$uri \$csto_cache_control \{(.*?)\n    \}", config, re.S).group(1)
    return [re.compile(pattern) for pattern in re.findall(r'"~([^"]+)"', block)]


def hashed_names() -> list[str]:
    """URL paths of Streamlit's hashed frontend files, the map component's script and a map
    file (csto_atlas/render/mapfile.py)."""
    import streamlit
    import streamlit_folium

    static = Path(streamlit.__file__).parent / "static"
    names = [f"/{path.relative_to(static)}" for path in (static / "static" / "js").glob("*.js")]
    build = Path(streamlit_folium.__file__).parent / "frontend" / "build"
    names += [
        f"/component/streamlit_folium.st_folium/{path.relative_to(build)}"
        for path in (build / "static" / "js").glob("*.js")
    ]
    names.append(f"{mapfile.URL_PREFIX}/{'0123456789abcdef'[: mapfile.DIGEST_CHARS]}.js")
    return names


def test_every_hashed_file_is_cached_for_a_year_and_nothing_else(rendered):
    patterns = cache_patterns(rendered)
    names = hashed_names()
    assert len(names) > 50
    assert [name for name in names if not any(p.match(name) for p in patterns)] == []
    for unhashed in (
        "/",
        "/data",
        "/static/index.html",
        "/component/streamlit_folium.st_folium/index.html",
        "/app/static/leaflet/leaflet.js",
        "/media/abc.png",
        "/atlas/index.html",
        "/atlas/0123.js",
    ):
        assert not any(p.match(unhashed) for p in patterns), unhashed
    assert '"public, max-age=31536000, immutable"' in rendered
    assert "proxy_hide_header Cache-Control;" in rendered
    assert "add_header Cache-Control $csto_cache_control always;" in rendered


def test_nginx_keeps_the_map_files_gzipped_under_their_names_in_its_run_directory(
    tmp_path, rendered
):
    block = location(rendered, '"^/atlas/[0-9a-f]{16}\\.js$"')
    assert "proxy_cache csto_map_files;" in block
    assert "proxy_cache_key $uri;" in block
    assert "proxy_set_header Accept-Encoding gzip;" in block and "gunzip on;" in block
    assert "proxy_ignore_headers Vary;" in block  # one copy, whatever the client accepts
    assert directive(block, "proxy_cache_valid") == ["200 30d"]  # a 404 is not kept
    assert "add_header" not in block
    (cache_path,) = directive(rendered, "proxy_cache_path")
    assert cache_path.startswith(f"{tmp_path}/map_files ")
    assert "keys_zone=csto_map_files:" in cache_path
