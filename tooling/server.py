"""The dashboard on a free local port, for the browser tests, the README screenshot and the
benchmark: readiness, the server's log, its memory (from /proc), always stopped.

Chromium and what the browser looks for in the page live in tooling/browser.py."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from csto_atlas.data.paths import REPO_DIR

READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 10.0
LOG_TAIL_LINES = 60


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

    def start(self, port: int | None = None) -> "AppServer":
        """Start on `port`, or a free port (another one if taken meanwhile); wait until ready."""
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
            if self.wait_until_ready():
                return self
            if "already in use" not in self.log_path.read_text(errors="replace"):
                break
        self.stop()
        raise ServerError(f"{self.name}: the server did not become ready\n{self.log_tail()}")

    def restart(self) -> "AppServer":
        """Stop the server and start a new one on the same port (an open tab reconnects)."""
        port = self.port
        self.stop()
        return self.start(port)

    def wait_until_ready(self) -> bool:
        """Poll /_stcore/health until it answers ok; False if the process exits first."""
        assert self.process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        health = f"{self.url}/_stcore/health"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
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
        if self.process is None or self.process.poll() is not None:
            raise ServerError(f"{self.name}: the server exited\n{self.log_tail()}")

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
