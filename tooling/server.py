"""The dashboard on a free local port, for the browser tests, the README screenshot and the
benchmark: readiness, the server's log, its memory (from /proc), always stopped.

Chromium and what the browser looks for in the page live in tooling/browser.py."""

import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import ClientConnection, connect

from csto_atlas.data.paths import REPO_DIR

READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 10.0
LOG_TAIL_LINES = 60
# A first run of a page on a cold server loads and validates the atlas: seconds alone, tens of
# seconds on a loaded machine.
RUN_TIMEOUT_S = 180.0
# Open files wanted by nginx and each replica: one per browser tab's websocket (two in nginx:
# the tab's and the replica's), more than the usual soft limit of 1,024.
WANTED_OPEN_FILES = 65536


def raise_open_files_limit(wanted: int = WANTED_OPEN_FILES) -> int:
    """Raise this process's soft limit of open files towards `wanted` (at most the hard limit).

    Processes started afterwards inherit it. Returns the soft limit now in force.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def streamlit_command(script: Path, port: int) -> list[str]:
    """`streamlit run` of `script` on localhost:`port`, headless, without file watching."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--browser.gatherUsageStats",
        "false",
    ]


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc/<pid>/task/*/children)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def vm_rss_kib(status_text: str) -> int:
    """The VmRSS line of a /proc/<pid>/status text, in KiB (0 when absent: a zombie)."""
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and its descendants, in KiB."""
    total = 0
    for member in process_tree(pid):
        try:
            total += vm_rss_kib(Path(f"/proc/{member}/status").read_text())
        except OSError:
            continue
    return total


def stop_group(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM to a process group we started, SIGKILL if it lingers; nothing if it is gone."""
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, STOP_TIMEOUT_S)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def cpu_seconds(stat_text: str) -> float:
    """User plus system CPU time of a /proc/<pid>/stat text, in seconds."""
    fields = stat_text.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int, skip: set[int] | None = None) -> float:
    """CPU time used so far by a process and its living descendants (except `skip`'s trees)."""
    excluded = {member for root in skip or () for member in process_tree(root)}
    total = 0.0
    for member in process_tree(pid):
        if member in excluded:
            continue
        try:
            total += cpu_seconds(Path(f"/proc/{member}/stat").read_text())
        except OSError:
            continue
    return total


class ServerError(RuntimeError):
    """The server did not start, or died; the message carries the end of its log."""


class ScriptSession:
    """One Streamlit session over the app's websocket, without a browser; a context manager.

    It speaks the frontend's protocol (binary BackMsg / ForwardMsg protobufs on
    /_stcore/stream): `run` asks for a run of a page as a browser's page load does and waits
    for its end, `send` passes any other message (e.g. clear_cache). Used to warm a replica's
    caches before it takes traffic, and by the tests.
    """

    def __init__(self, url: str, timeout: float = RUN_TIMEOUT_S, source: str | None = None):
        stream = url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self.timeout = timeout
        self.connection = connect(
            stream,
            subprotocols=["streamlit"],  # type: ignore[list-item]
            max_size=None,
            proxy=None,  # loopback or the compose network: never an HTTP proxy of the environment
            open_timeout=min(timeout, 30.0),
            source_address=(source, 0) if source else None,
        )
        self.socket: ClientConnection = self.connection.__enter__()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.connection.__exit__(None, None, None)

    def send(self, message: BackMsg) -> None:
        self.socket.send(message.SerializeToString())

    def run(self, query_string: str = "", page_name: str = "") -> list[ForwardMsg]:
        """Run a page (the main page by default) and return every message up to its end.

        Raises ServerError if the run does not end within the timeout or ends without success.
        """
        request = BackMsg()
        request.rerun_script.query_string = query_string
        request.rerun_script.page_name = page_name
        self.send(request)
        received: list[ForwardMsg] = []
        deadline = time.monotonic() + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServerError(f"no end of the run within {self.timeout:.0f} s")
            message = ForwardMsg()
            message.ParseFromString(self.socket.recv(timeout=remaining))
            received.append(message)
            if message.WhichOneof("type") == "script_finished":
                if message.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise ServerError(f"the run ended with status {message.script_finished}")
                return received


def warm_up(url: str, timeout: float = RUN_TIMEOUT_S) -> float:
    """Run the map page once on the server at `url` (what its first visitor would wait for:
    loading the atlas, the map's payload, the imports); the seconds it took."""
    started = time.monotonic()
    with ScriptSession(url, timeout) as session:
        session.run()
    return time.monotonic() - started


class Service:
    """Local processes used as a context manager: started on entry and always stopped on exit.

    After a failure the log's tail goes to stderr and the files stay for a look; otherwise (or
    on Ctrl-C) they are removed (`cleanup`).
    """

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def log_tail(self) -> str:
        raise NotImplementedError

    def cleanup(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        failed = error is not None and not isinstance(error, KeyboardInterrupt)
        if failed:
            print(self.log_tail(), file=sys.stderr)
        self.stop()
        if not failed:
            self.cleanup()


@dataclass
class AppServer(Service):
    """`streamlit run script` in `cwd` (whose .streamlit/config.toml applies); a context manager."""

    name: str = "atlas"
    script: Path = REPO_DIR / "dashboard.py"
    cwd: Path = REPO_DIR
    extra_env: dict[str, str] | None = None

    def __post_init__(self) -> None:
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = Path(tempfile.mkstemp(prefix=f"csto-{self.name}-", suffix=".log")[1])

    @property
    def url(self) -> str:
        """The app's root, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, port: int | None = None, abort: threading.Event | None = None) -> "AppServer":
        """Start on `port`, or a free port (another one if taken meanwhile); wait until ready.

        `abort`, once set, ends the wait (the server is then stopped and ServerError raised).
        """
        env = {**os.environ, "PYTHONPATH": str(REPO_DIR), **(self.extra_env or {})}
        for _attempt in range(1 if port else 3):
            self.port = port or free_port()
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    streamlit_command(self.script, self.port),
                    cwd=self.cwd,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            if self.wait_until_ready(abort):
                return self
            if abort is not None and abort.is_set():
                break
            if "already in use" not in self.log_path.read_text(errors="replace"):
                break
        self.stop()
        raise ServerError(f"{self.name}: the server did not become ready\n{self.log_tail()}")

    def restart(self) -> "AppServer":
        """Stop the server and start a new one on the same port (an open tab reconnects)."""
        port = self.port
        self.stop()
        return self.start(port)

    def wait_until_ready(self, abort: threading.Event | None = None) -> bool:
        """Poll /_stcore/health until it answers ok; False if the process exits first."""
        process = self.process
        assert process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        health = f"{self.url}/_stcore/health"
        while time.monotonic() < deadline:
            if process.poll() is not None or (abort is not None and abort.is_set()):
                return False
            try:
                with urllib.request.urlopen(health, timeout=2) as answer:
                    if answer.status == 200 and answer.read().strip() == b"ok":
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)  # a polling interval, not a measurement
        return False

    def rss_kib(self) -> int:
        """Resident memory of the server and its children now, in KiB."""
        if self.process is None or self.process.poll() is not None:
            raise ServerError(f"{self.name}: the server is not running\n{self.log_tail()}")
        return tree_rss_kib(self.process.pid)

    def check_alive(self) -> None:
        """Raise ServerError (with the log) if the server has exited."""
        if not self.alive():
            raise ServerError(f"{self.name}: the server exited\n{self.log_tail()}")

    def alive(self) -> bool:
        """Whether the server's process is running."""
        process = self.process
        return process is not None and process.poll() is None

    def healthy(self, timeout: float = 5.0) -> bool:
        """Whether /_stcore/health answers ok within `timeout` seconds."""
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=timeout) as answer:
                return answer.status == 200 and answer.read().strip() == b"ok"
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    def stop(self) -> None:
        """SIGTERM to the server's process group, SIGKILL if it lingers; idempotent."""
        process, self.process = self.process, None
        stop_group(process)

    def log(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(errors="replace")

    def cleanup(self) -> None:
        """Remove the server's log (after stop)."""
        self.log_path.unlink(missing_ok=True)

    def log_tail(self) -> str:
        """The last lines of the server's log, framed for an error message."""
        lines = self.log_path.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
        body = "\n".join(lines) or "(empty)"
        return f"--- {self.name} server log ({self.log_path}) ---\n{body}\n--- end of log ---"
