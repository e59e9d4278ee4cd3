"""nginx in front of several replicas of the app, on loopback: deploy/run, the browser test of the
deployment, the benchmark through the proxy and the load script.

The nginx configuration is rendered from deploy/nginx.conf.j2 into a run directory of its own
(pid, logs and temp paths there: no root path needed); nginx runs as the current user in the
foreground, in its own process group, and is always stopped with the replicas.
"""

import argparse
import getpass
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from csto_atlas.data.paths import REPO_DIR
from csto_atlas.render import assets
from tooling.server import (
    LOG_TAIL_LINES,
    READY_TIMEOUT_S,
    AppServer,
    ServerError,
    Service,
    free_port,
    stop_group,
    tree_rss_kib,
)

DEPLOY_DIR = REPO_DIR / "deploy"
TEMPLATE_NAME = "nginx.conf.j2"
DOCKER_CONFIG = DEPLOY_DIR / "nginx.docker.conf"
NGINX_ENV_VAR = "CSTO_ATLAS_NGINX"
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/bin/nginx")
COOKIE = "csto_replica"
COOKIE_SECRET_ENV_VAR = "STREAMLIT_SERVER_COOKIE_SECRET"
# Behind nginx the replicas compress the websocket (nginx passes its frames on as they are);
# .streamlit/config.toml leaves it off for `streamlit run`, which answers this machine only.
REPLICA_ENV = {"STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION": "true"}

# What the app loads, and from where (tests/e2e/test_deploy.py logs every violation): Streamlit's
# frontend and the map's component need inline scripts and styles and compile WebAssembly (but
# never eval JavaScript: no 'unsafe-eval'), Streamlit's data grid and icons use blob: and data:
# URLs, the map is a same-origin component iframe, and the optional OpenStreetMap layer (off by
# default) loads tiles from its own host.
CONTENT_SECURITY_POLICY = (
    ("default-src", "'self'"),
    ("script-src", "'self' 'unsafe-inline' 'wasm-unsafe-eval'"),
    ("style-src", "'self' 'unsafe-inline'"),
    ("img-src", "'self' data: blob: https://tile.openstreetmap.org"),
    ("font-src", "'self' data:"),
    ("connect-src", "'self'"),
    ("worker-src", "'self' blob:"),
    ("frame-src", "'self'"),
    ("frame-ancestors", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
)
SECURITY_HEADERS = (
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "permissions-policy",
)


STREAM_LOG_LINE = re.compile(
    rf'"GET /_stcore/stream HTTP/[0-9.]+" 101 bytes=(\d+) .* session={COOKIE}:(\S*) '
)


def websocket_bytes_sent(access_log: str) -> dict[str, int]:
    """Bytes nginx sent on the websocket (compressed, as on the wire) per sticky-cookie value.

    nginx writes a websocket's line when it closes, so only closed sessions are counted.
    """
    sent: dict[str, int] = {}
    for match in STREAM_LOG_LINE.finditer(access_log):
        size, session = int(match.group(1)), match.group(2)
        if session and session != "-":
            sent[session] = sent.get(session, 0) + size
    return sent


def content_security_policy() -> str:
    """The Content-Security-Policy header's value."""
    return "; ".join(f"{name} {sources}" for name, sources in CONTENT_SECURITY_POLICY)


def nginx_path() -> Path:
    """$CSTO_ATLAS_NGINX, or nginx on the PATH, or Debian's /usr/sbin/nginx (not on a user's PATH)."""
    if os.environ.get(NGINX_ENV_VAR):
        return Path(os.environ[NGINX_ENV_VAR])
    found = shutil.which("nginx")
    if found:
        return Path(found)
    for candidate in NGINX_CANDIDATES:
        if Path(candidate).exists():
            return Path(candidate)
    return Path(NGINX_CANDIDATES[0])


@dataclass(frozen=True)
class ProxySettings:
    """What one rendering of deploy/nginx.conf.j2 needs."""

    upstreams: Sequence[str]  # host:port of each replica
    listen: str  # nginx's listen argument, e.g. 127.0.0.1:8080
    run_dir: str  # pid, error log and temp paths
    access_log: str = "off"
    error_log: str = ""  # default: error.log in run_dir
    server_name: str = "_"
    workers: int = 1
    user: str | None = None  # only when nginx starts as root: its workers keep this user
    expose_upstream: bool = False  # an X-Upstream header naming the replica (tests only)
    note: str = "Rendered for deploy/run."


def check_setting(name: str, value: str) -> str:
    """A value safe to write into the configuration: no characters that end a directive."""
    if not value or any(char in value for char in ";{}\"'\n\r\t ") or value.startswith("$"):
        raise ValueError(f"{name} {value!r} cannot be written into an nginx configuration")
    return value


def render_config(settings: ProxySettings) -> str:
    """The nginx configuration for these settings (deploy/nginx.conf.j2)."""
    if not settings.upstreams:
        raise ValueError("nginx needs at least one upstream replica")
    environment = jinja2.Environment(  # a configuration file, not HTML: values are checked instead
        loader=jinja2.FileSystemLoader(DEPLOY_DIR),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    return environment.get_template(TEMPLATE_NAME).render(
        upstreams=[check_setting("upstream", upstream) for upstream in settings.upstreams],
        listen=check_setting("listen", settings.listen),
        run_dir=check_setting("run_dir", settings.run_dir),
        access_log=check_setting("access_log", settings.access_log),
        error_log=check_setting("error_log", settings.error_log or f"{settings.run_dir}/error.log"),
        server_name=check_setting("server_name", settings.server_name),
        workers=int(settings.workers),
        user=check_setting("user", settings.user) if settings.user else None,
        expose_upstream=settings.expose_upstream,
        cookie=COOKIE,
        csp=content_security_policy(),
        note=settings.note,
    )


def docker_settings(replicas: int = 2) -> ProxySettings:
    """The configuration deploy/compose.yaml's proxy uses (services app1, app2, ...)."""
    return ProxySettings(
        upstreams=[f"app{number}:8501" for number in range(1, replicas + 1)],
        listen="8080",
        run_dir="/tmp/nginx",
        access_log="/dev/stdout",
        error_log="stderr",
        workers=2,
        note="For deploy/compose.yaml: deploy/run docker-config > deploy/nginx.docker.conf",
    )


def nginx_check(config_path: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` of a rendered configuration (its run directory must exist)."""
    return subprocess.run(
        [str(nginx_path()), "-t", "-q", "-c", str(config_path), "-e", "stderr"],
        capture_output=True,
        text=True,
        check=False,
    )


def current_user() -> str | None:
    """The user nginx's workers keep when nginx starts as root (None otherwise: no switch)."""
    return getpass.getuser() if os.geteuid() == 0 else None


@dataclass
class ProxyServer:
    """nginx on a free loopback port in front of `upstreams`; a context manager."""

    upstreams: Sequence[str]
    expose_upstream: bool = False
    port: int = 0  # 0: a free port
    workers: int = 1

    def __post_init__(self) -> None:
        self.run_dir = Path(tempfile.mkdtemp(prefix="csto-nginx-"))
        self.config_path = self.run_dir / "nginx.conf"
        self.process: subprocess.Popen[bytes] | None = None
        self.chosen_port = 0

    @property
    def url(self) -> str:
        """The proxied app's root, without a trailing slash."""
        return f"http://127.0.0.1:{self.chosen_port}"

    @property
    def error_log(self) -> Path:
        return self.run_dir / "error.log"

    @property
    def access_log(self) -> Path:
        return self.run_dir / "access.log"

    def settings(self) -> ProxySettings:
        return ProxySettings(
            upstreams=self.upstreams,
            listen=f"127.0.0.1:{self.chosen_port}",
            run_dir=str(self.run_dir),
            access_log=str(self.access_log),
            workers=self.workers,
            user=current_user(),
            expose_upstream=self.expose_upstream,
        )

    def start(self) -> "ProxyServer":
        """Render the configuration, check it, start nginx; wait until it answers for the app."""
        for _attempt in range(3):
            self.chosen_port = self.port or free_port()
            self.config_path.write_text(render_config(self.settings()), encoding="utf-8")
            checked = nginx_check(self.config_path)
            if checked.returncode != 0:
                raise ServerError(f"nginx -t refused {self.config_path}:\n{checked.stderr}")
            with (self.run_dir / "nginx.out").open("ab") as out:
                self.process = subprocess.Popen(
                    [str(nginx_path()), "-c", str(self.config_path), "-e", str(self.error_log)],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            if self.wait_until_ready():
                return self
            stop_group(self.process)
            if self.port or "Address already in use" not in self.log():
                break
        self.stop()
        raise ServerError(f"nginx did not become ready\n{self.log_tail()}")

    def wait_until_ready(self) -> bool:
        """Poll the app's health through nginx; False if nginx exits first."""
        assert self.process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)  # a polling interval, not a measurement
        return False

    def stop(self) -> None:
        """Stop nginx (SIGTERM to its process group, then SIGKILL); idempotent."""
        process, self.process = self.process, None
        stop_group(process)

    def rss_kib(self) -> int:
        """Resident memory of nginx (master and workers), in KiB."""
        return tree_rss_kib(self.process.pid) if self.process else 0

    def log(self) -> str:
        """nginx's error log and anything it printed."""
        texts = [
            path.read_text(errors="replace")
            for path in (self.run_dir / "nginx.out", self.error_log)
            if path.exists()
        ]
        return "\n".join(texts)

    def log_tail(self) -> str:
        lines = self.log().splitlines()[-LOG_TAIL_LINES:]
        body = "\n".join(lines) or "(empty)"
        return f"--- nginx log ({self.run_dir}) ---\n{body}\n--- end of log ---"

    def cleanup(self) -> None:
        """Remove the run directory (after stop)."""
        shutil.rmtree(self.run_dir, ignore_errors=True)


@dataclass
class Deployment(Service):
    """`replicas` app servers and nginx in front of them, all on 127.0.0.1; a context manager.

    The replicas share one cookie secret (generated per run), so a session moved to another
    replica after a failure still passes Streamlit's XSRF check.
    """

    replicas: int = 2
    expose_upstream: bool = False
    port: int = 0
    extra_env: dict[str, str] | None = None
    name: str = "replica"
    script: Path = REPO_DIR / "dashboard.py"
    cwd: Path = REPO_DIR
    servers: list[AppServer] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.replicas < 1:
            raise ValueError("a deployment needs at least one replica")
        self.proxy: ProxyServer | None = None

    @property
    def url(self) -> str:
        assert self.proxy is not None
        return self.proxy.url

    def start(self) -> "Deployment":
        """Publish Leaflet once, start the replicas together, then nginx in front of them."""
        assets.publish_leaflet()
        env = {
            COOKIE_SECRET_ENV_VAR: secrets.token_hex(32),
            **REPLICA_ENV,
            **(self.extra_env or {}),
        }
        self.servers = [
            AppServer(f"{self.name}{number}", self.script, self.cwd, env)
            for number in range(1, self.replicas + 1)
        ]
        try:
            with ThreadPoolExecutor(max_workers=self.replicas) as pool:
                list(pool.map(AppServer.start, self.servers))
            upstreams = [f"127.0.0.1:{server.port}" for server in self.servers]
            self.proxy = ProxyServer(upstreams, self.expose_upstream, self.port)
            self.proxy.start()
        except BaseException:
            self.stop()
            raise
        return self

    def websocket_bytes_sent(self) -> dict[str, int]:
        """Wire bytes of each closed websocket so far, by sticky-cookie value (nginx's log)."""
        assert self.proxy is not None
        log = self.proxy.access_log
        return websocket_bytes_sent(log.read_text(errors="replace")) if log.exists() else {}

    def upstream_names(self) -> dict[str, str]:
        """host:port of each replica -> its name."""
        return {f"127.0.0.1:{server.port}": server.name for server in self.servers}

    def rss_kib(self) -> int:
        """Resident memory of all replicas (not nginx), in KiB."""
        return sum(server.rss_kib() for server in self.servers)

    def check_alive(self) -> None:
        for server in self.servers:
            server.check_alive()
        if (
            self.proxy is None
            or self.proxy.process is None
            or self.proxy.process.poll() is not None
        ):
            raise ServerError(f"nginx exited\n{self.proxy.log_tail() if self.proxy else ''}")

    def stop(self) -> None:
        """Stop nginx, then every replica; idempotent."""
        if self.proxy is not None:
            self.proxy.stop()
        for server in self.servers:
            server.stop()

    def cleanup(self) -> None:
        """Remove the logs and nginx's run directory (after stop)."""
        for server in self.servers:
            server.cleanup()
        if self.proxy is not None:
            self.proxy.cleanup()

    def log_tail(self) -> str:
        parts = [server.log_tail() for server in self.servers]
        if self.proxy is not None:
            parts.append(self.proxy.log_tail())
        return "\n".join(parts)


def serve(replicas: int, port: int, expose_upstream: bool) -> int:
    """Run a deployment until Ctrl-C or SIGTERM, or until a process of it dies (then exit 1)."""
    for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # each one stops all, cleanly
        signal.signal(stop, signal.default_int_handler)
    with Deployment(replicas=replicas, expose_upstream=expose_upstream, port=port) as deployment:
        names = ", ".join(f"{name} on {addr}" for addr, name in deployment.upstream_names().items())
        print(f"CSTO Atlas at {deployment.url}/ (nginx in front of {names}); Ctrl-C stops all")
        assert deployment.proxy is not None
        print(f"nginx configuration: {deployment.proxy.config_path}", flush=True)
        try:
            while True:
                deployment.check_alive()
                time.sleep(1)  # a supervision interval, not a measurement
        except KeyboardInterrupt:
            return 0
        except ServerError as error:
            print(error, file=sys.stderr)
            return 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="deploy/run", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="N replicas and nginx on 127.0.0.1 until Ctrl-C")
    run.add_argument("--replicas", type=int, default=2, help="app processes (default 2)")
    run.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080; 0: any)")
    run.add_argument(
        "--expose-upstream",
        action="store_true",
        help="add an X-Upstream header naming the replica (debugging; off by default)",
    )
    docker = commands.add_parser("docker-config", help="print deploy/nginx.docker.conf")
    docker.add_argument("--replicas", type=int, default=2, help="app services (default 2)")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "docker-config":
        sys.stdout.write(render_config(docker_settings(args.replicas)))
        return 0
    return serve(args.replicas, args.port, args.expose_upstream)


if __name__ == "__main__":
    sys.exit(main())
