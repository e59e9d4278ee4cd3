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
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from csto_atlas.data.paths import REPO_DIR
from csto_atlas.render import assets
from tooling.server import (
    LOG_TAIL_LINES,
    READY_TIMEOUT_S,
    STOP_TIMEOUT_S,
    WANTED_OPEN_FILES,
    AppServer,
    ServerError,
    Service,
    free_port,
    raise_open_files_limit,
    stop_group,
    tree_rss_kib,
    warm_up,
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


def content_security_policy(frame_ancestors: Sequence[str] = ()) -> str:
    """The Content-Security-Policy header's value; `frame_ancestors`: origins that may frame the
    app besides itself (none by default)."""
    extra = " ".join(check_origin(origin) for origin in frame_ancestors)
    return "; ".join(
        f"{name} {sources} {extra}" if name == "frame-ancestors" and extra else f"{name} {sources}"
        for name, sources in CONTENT_SECURITY_POLICY
    )


ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def check_origin(origin: str) -> str:
    """An origin (scheme://host[:port]) allowed to frame the app; anything else is refused."""
    if not ORIGIN.match(origin):
        raise ValueError(
            f"frame ancestor {origin!r} is not an origin such as https://example.org "
            "(scheme, host, optional port; no path, wildcard or quote)"
        )
    return origin


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
class Limits:
    """What one client address may hold and ask (nginx's limit_conn and limit_req).

    A browser tab holds one websocket for as long as it is open and loads a page with a burst
    of requests (a first visit of the map page: 79 through nginx, README "Deployment"); an
    office behind one address is many browsers: the burst lets ten open the map at once. Idle sockets with no request are bounded by worker_connections and
    client_header_timeout instead (nginx counts a connection only once a request is read).
    """

    requests_open: int = 64  # HTTP requests in flight at once
    request_rate: int = 100  # requests per second, sustained
    request_burst: int = 800  # requests beyond the rate, served at once
    sockets_open: int = 200  # websockets (open tabs) at once
    socket_rate: int = 120  # new websockets per minute, sustained
    socket_burst: int = 100  # new websockets beyond the rate (every tab reconnecting at once)

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"limit {name} must be a whole number >= 1, not {value!r}")


@dataclass(frozen=True)
class Tls:
    """A certificate and its key, both PEM files, for nginx to serve HTTPS itself."""

    certificate: str
    key: str


# nginx's workers: each may hold this many connections (a websocket tab takes two) and open files.
WORKER_CONNECTIONS = 16384


@dataclass(frozen=True)
class ProxySettings:
    """What one rendering of deploy/nginx.conf.j2 needs."""

    upstreams: Sequence[str]  # host:port of each replica
    listen: str  # nginx's listen argument, e.g. 127.0.0.1:8080
    run_dir: str  # pid, error log and temp paths
    access_log: str = "off"
    error_log: str = ""  # default: error.log in run_dir
    server_name: str = "_"
    workers: int | str = "auto"  # one per core
    worker_connections: int = WORKER_CONNECTIONS
    open_files: int = WANTED_OPEN_FILES  # per worker (worker_rlimit_nofile)
    user: str | None = None  # only when nginx starts as root: its workers keep this user
    expose_upstream: bool = False  # an X-Upstream header naming the replica (tests only)
    down: frozenset[str] = frozenset()  # upstreams out of rotation (restarting, warming up)
    limits: Limits = Limits()
    frame_ancestors: Sequence[str] = ()  # origins that may frame the app besides itself
    tls: Tls | None = None
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
    if settings.workers != "auto" and (
        not isinstance(settings.workers, int) or settings.workers < 1
    ):
        raise ValueError(f"workers must be 'auto' or a whole number >= 1, not {settings.workers!r}")
    if not 16 <= settings.worker_connections <= settings.open_files:
        raise ValueError(
            f"worker_connections {settings.worker_connections} must be between 16 and the open "
            f"files allowed ({settings.open_files})"
        )
    unknown = set(settings.down) - set(settings.upstreams)
    if unknown:
        raise ValueError(f"down names no upstream: {sorted(unknown)}")
    tls = (
        Tls(
            check_setting("certificate", settings.tls.certificate),
            check_setting("key", settings.tls.key),
        )
        if settings.tls
        else None
    )
    return environment.get_template(TEMPLATE_NAME).render(
        upstreams=[check_setting("upstream", upstream) for upstream in settings.upstreams],
        down=settings.down,
        worker_connections=int(settings.worker_connections),
        open_files=int(settings.open_files),
        limits=settings.limits,
        same_origin_frames_only=not settings.frame_ancestors,
        tls=tls,
        listen=check_setting("listen", settings.listen),
        run_dir=check_setting("run_dir", settings.run_dir),
        access_log=check_setting("access_log", settings.access_log),
        error_log=check_setting("error_log", settings.error_log or f"{settings.run_dir}/error.log"),
        server_name=check_setting("server_name", settings.server_name),
        workers=settings.workers,
        user=check_setting("user", settings.user) if settings.user else None,
        expose_upstream=settings.expose_upstream,
        cookie=COOKIE,
        csp=content_security_policy(settings.frame_ancestors),
        note=settings.note,
    )


# deploy/compose.yaml's network: service appN has the address DOCKER_SUBNET.(10 + N).
DOCKER_SUBNET = "172.28.80"


def docker_address(replica: int) -> str:
    """The fixed address of compose service app<replica>."""
    return f"{DOCKER_SUBNET}.{10 + replica}"


def docker_settings(replicas: int = 2, frame_ancestors: Sequence[str] = ()) -> ProxySettings:
    """The configuration deploy/compose.yaml's proxy uses (services app1, app2, ... at their
    fixed addresses: nginx starts, and keeps them in its upstream, even while one is down, when
    its name would not resolve; compose sets the open-files limit this assumes)."""
    return ProxySettings(
        upstreams=[f"{docker_address(number)}:8501" for number in range(1, replicas + 1)],
        listen="8080",
        run_dir="/tmp/nginx",
        access_log="/dev/stdout",
        error_log="stderr",
        frame_ancestors=tuple(frame_ancestors),
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
    workers: int | str = "auto"
    limits: Limits = Limits()
    frame_ancestors: Sequence[str] = ()
    tls: Tls | None = None
    host: str = "127.0.0.1"

    def __post_init__(self) -> None:
        self.run_dir = Path(tempfile.mkdtemp(prefix="csto-nginx-"))
        self.config_path = self.run_dir / "nginx.conf"
        self.process: subprocess.Popen[bytes] | None = None
        self.chosen_port = 0
        self.down: frozenset[str] = frozenset()
        self.lock = threading.Lock()  # one rendering and reload at a time

    @property
    def url(self) -> str:
        """The proxied app's root, without a trailing slash."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.chosen_port}"

    @property
    def error_log(self) -> Path:
        return self.run_dir / "error.log"

    @property
    def access_log(self) -> Path:
        return self.run_dir / "access.log"

    def settings(self) -> ProxySettings:
        open_files = raise_open_files_limit()
        return ProxySettings(
            upstreams=self.upstreams,
            listen=f"127.0.0.1:{self.chosen_port}",
            run_dir=str(self.run_dir),
            access_log=str(self.access_log),
            workers=self.workers,
            worker_connections=min(WORKER_CONNECTIONS, open_files),
            open_files=open_files,
            user=current_user(),
            expose_upstream=self.expose_upstream,
            down=self.down,
            limits=self.limits,
            frame_ancestors=tuple(self.frame_ancestors),
            tls=self.tls,
        )

    def write_config(self) -> None:
        """Render the configuration for the current settings and have nginx check it."""
        self.config_path.write_text(render_config(self.settings()), encoding="utf-8")
        checked = nginx_check(self.config_path)
        if checked.returncode != 0:
            raise ServerError(f"nginx -t refused {self.config_path}:\n{checked.stderr}")

    def start(self) -> "ProxyServer":
        """Render the configuration, check it, start nginx; wait until it answers for the app."""
        for _attempt in range(3):
            self.chosen_port = self.port or self.chosen_port or free_port()
            self.write_config()
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
            self.chosen_port = 0
        self.stop()
        raise ServerError(f"nginx did not become ready\n{self.log_tail()}")

    def set_down(self, upstream: str, down: bool) -> None:
        """Take a replica out of rotation (or put it back): rewrite the configuration and have
        nginx reload it. New workers take new connections; open websockets stay where they are."""
        with self.lock:
            self.down = self.down | {upstream} if down else self.down - {upstream}
            if not self.alive():
                return
            self.write_config()
            assert self.process is not None
            os.kill(self.process.pid, signal.SIGHUP)

    def alive(self) -> bool:
        process = self.process
        return process is not None and process.poll() is None

    def wait_until_ready(self) -> bool:
        """Poll the app's health through nginx; False if nginx exits first."""
        assert self.process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        context = ssl._create_unverified_context() if self.tls else None  # a test's own certificate
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                health = f"{self.url}/_stcore/health"
                with urllib.request.urlopen(health, timeout=2, context=context) as answer:
                    if answer.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)  # a polling interval, not a measurement
        return False

    def stop(self) -> None:
        """Stop nginx (SIGTERM to its process group, then SIGKILL); idempotent."""
        with self.lock:
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


# The supervisor's pace: how often it looks at the processes and asks each replica's health, how
# many failed health checks in a row mean a hung replica, and the pause before a restart (doubled
# after each restart that fails, up to the maximum).
CHECK_INTERVAL_S = 0.5
HEALTH_INTERVAL_S = 5.0
HEALTH_TIMEOUT_S = 5.0
HEALTH_FAILURES_BEFORE_RESTART = 3
RESTART_PAUSE_S = 1.0
RESTART_PAUSE_MAX_S = 30.0


class Supervisor:
    """Keeps a deployment running: a replica that exits (or stops answering its health check) is
    taken out of nginx's rotation, restarted on its port, warmed by a first run of the map page,
    and only then put back; nginx is restarted if it exits. Runs in threads of its own."""

    def __init__(self, deployment: "Deployment", report: Callable[[str], None] | None = None):
        self.deployment = deployment
        self.report = report or (lambda _line: None)
        self.stopping = threading.Event()
        self.events: list[str] = []
        self.restarts: dict[str, int] = {}
        self.healing: dict[str, threading.Thread] = {}
        self.failed_checks: dict[str, int] = {}
        self.last_health = 0.0
        self.thread = threading.Thread(target=self.watch, name="csto-supervisor", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Stop watching; a restart under way ends when the deployment stops its processes."""
        self.stopping.set()

    def join(self, timeout: float = STOP_TIMEOUT_S) -> None:
        for thread in [self.thread, *self.healing.values()]:
            if thread is not threading.current_thread():
                thread.join(timeout)

    def note(self, text: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {text}"
        self.events.append(line)
        self.report(line)

    def watch(self) -> None:
        while not self.stopping.wait(CHECK_INTERVAL_S):
            try:
                self.check()
            except Exception as error:  # the supervisor must outlive any one fault
                self.note(f"supervisor: {type(error).__name__}: {error}")

    def check(self) -> None:
        deployment = self.deployment
        proxy = deployment.proxy
        if proxy is not None and not proxy.alive() and not self.stopping.is_set():
            self.note(f"nginx exited; restarting it\n{proxy.log_tail()}")
            proxy.start()
            self.note(f"nginx back at {proxy.url}")
        ask_health = time.monotonic() - self.last_health >= HEALTH_INTERVAL_S
        if ask_health:
            self.last_health = time.monotonic()
        for server in deployment.servers:
            if server.name in self.healing and self.healing[server.name].is_alive():
                continue
            if not server.alive():
                code = server.process.poll() if server.process is not None else None
                self.heal(server, f"{server.name} exited (code {code})")
            elif ask_health:
                failures = (
                    0
                    if server.healthy(HEALTH_TIMEOUT_S)
                    else self.failed_checks.get(server.name, 0) + 1
                )
                self.failed_checks[server.name] = failures
                if failures >= HEALTH_FAILURES_BEFORE_RESTART:
                    self.heal(server, f"{server.name} failed {failures} health checks in a row")

    def heal(self, server: AppServer, reason: str) -> None:
        self.failed_checks[server.name] = 0
        thread = threading.Thread(
            target=self.restart, args=(server, reason), name=f"csto-heal-{server.name}", daemon=True
        )
        self.healing[server.name] = thread
        thread.start()

    def restart(self, server: AppServer, reason: str) -> None:
        """Out of rotation, restarted (retrying with growing pauses), warmed, back in rotation."""
        upstream = f"127.0.0.1:{server.port}"
        proxy = self.deployment.proxy
        self.note(f"{reason}; {upstream} out of rotation, restarting")
        if proxy is not None:
            proxy.set_down(upstream, True)
        pause = RESTART_PAUSE_S
        while not self.stopping.is_set():
            server.stop()  # what is left of it (a hung process, its children)
            try:
                server.start(server.port, abort=self.stopping)
                break
            except ServerError as error:
                self.note(f"{server.name} did not start again; next try in {pause:.0f} s\n{error}")
            if self.stopping.wait(pause):
                return
            pause = min(pause * 2, RESTART_PAUSE_MAX_S)
        if self.stopping.is_set():
            return
        try:
            seconds = warm_up(server.url)
            self.note(f"{server.name} restarted and warmed up ({seconds:.1f} s for its first run)")
        except Exception as error:  # a failed warm-up (timeout, protocol) must not keep it out
            self.note(
                f"{server.name} restarted; its warm-up failed ({error!r}), in rotation anyway"
            )
        if self.stopping.is_set():
            return
        if proxy is not None:
            proxy.set_down(upstream, False)
        self.restarts[server.name] = self.restarts.get(server.name, 0) + 1
        self.note(f"{upstream} back in rotation")


@dataclass
class Deployment(Service):
    """`replicas` app servers and nginx in front of them, all on 127.0.0.1; a context manager.

    The replicas share one cookie secret (generated per run), so a session moved to another
    replica after a failure still passes Streamlit's XSRF check. Each replica is warmed up (a
    first run of the map page) before nginx sends it visitors, and with `supervise` (the
    default) a Supervisor restarts whatever exits.
    """

    replicas: int = 2
    expose_upstream: bool = False
    port: int = 0
    extra_env: dict[str, str] | None = None
    name: str = "replica"
    script: Path = REPO_DIR / "dashboard.py"
    cwd: Path = REPO_DIR
    servers: list[AppServer] = field(default_factory=list)
    supervise: bool = True
    warm: bool = True
    limits: Limits = Limits()
    frame_ancestors: Sequence[str] = ()
    tls: Tls | None = None
    host: str = "127.0.0.1"
    report: Callable[[str], None] | None = None

    def __post_init__(self) -> None:
        if self.replicas < 1:
            raise ValueError("a deployment needs at least one replica")
        self.proxy: ProxyServer | None = None
        self.supervisor: Supervisor | None = None

    @property
    def url(self) -> str:
        assert self.proxy is not None
        return self.proxy.url

    def start_replica(self, server: AppServer) -> None:
        server.start()
        if self.warm:
            warm_up(server.url)

    def start(self) -> "Deployment":
        """Publish Leaflet once, start and warm the replicas together, then nginx in front."""
        assets.publish_leaflet()
        raise_open_files_limit()  # inherited by the replicas and nginx
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
                list(pool.map(self.start_replica, self.servers))
            upstreams = [f"127.0.0.1:{server.port}" for server in self.servers]
            self.proxy = ProxyServer(
                upstreams,
                self.expose_upstream,
                self.port,
                limits=self.limits,
                frame_ancestors=self.frame_ancestors,
                tls=self.tls,
                host=self.host,
            )
            self.proxy.start()
            if self.supervise:
                self.supervisor = Supervisor(self, self.report)
                self.supervisor.start()
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
        if self.proxy is None or not self.proxy.alive():
            raise ServerError(f"nginx exited\n{self.proxy.log_tail() if self.proxy else ''}")

    def stop(self) -> None:
        """Stop the supervisor, nginx, then every replica; idempotent."""
        if self.supervisor is not None:
            self.supervisor.stop()
        if self.proxy is not None:
            self.proxy.stop()
        for server in self.servers:
            server.stop()
        if self.supervisor is not None:
            self.supervisor.join()
            for server in self.servers:  # one a restart started while we were stopping
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
        if self.supervisor is not None and self.supervisor.events:
            parts.append("--- supervisor ---\n" + "\n".join(self.supervisor.events))
        return "\n".join(parts)


def serve(
    replicas: int, port: int, expose_upstream: bool, frame_ancestors: Sequence[str] = ()
) -> int:
    """Run a deployment until Ctrl-C or SIGTERM; its supervisor restarts whatever exits."""
    for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # each one stops all, cleanly
        signal.signal(stop, signal.default_int_handler)

    def report(line: str) -> None:
        print(line, flush=True)

    try:
        with Deployment(
            replicas=replicas,
            expose_upstream=expose_upstream,
            port=port,
            frame_ancestors=frame_ancestors,
            report=report,
        ) as deployment:
            names = ", ".join(
                f"{name} on {addr}" for addr, name in deployment.upstream_names().items()
            )
            print(f"CSTO Atlas at {deployment.url}/ (nginx in front of {names}); Ctrl-C stops all")
            assert deployment.proxy is not None
            print(f"nginx configuration: {deployment.proxy.config_path}", flush=True)
            while True:
                time.sleep(1)  # the supervisor's threads do the work
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
    for command in (run, docker):
        command.add_argument(
            "--frame-ancestors",
            nargs="*",
            default=[],
            metavar="ORIGIN",
            help="origins (https://example.org) that may show the atlas in a frame besides "
            "itself (default: none)",
        )
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    for origin in args.frame_ancestors:
        try:
            check_origin(origin)
        except ValueError as error:
            parser.error(str(error))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "docker-config":
        sys.stdout.write(render_config(docker_settings(args.replicas, args.frame_ancestors)))
        return 0
    return serve(args.replicas, args.port, args.expose_upstream, args.frame_ancestors)


if __name__ == "__main__":
    sys.exit(main())
