"""Run the app on a free local port for browser tests and the README screenshot."""

import os
import socket
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
READY_LINE = "You can now view your Streamlit app"
START_TIMEOUT_S = 90
CHROMIUM_ENV_VAR = "CSTO_ATLAS_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def chromium_path() -> Path:
    """Debian's Chromium (or $CSTO_ATLAS_CHROMIUM): Playwright's own download is not used."""
    return Path(os.environ.get(CHROMIUM_ENV_VAR, DEFAULT_CHROMIUM))


@dataclass
class AppServer:
    """`streamlit run dashboard.py` on a free port, its output kept for failure reports."""

    port: int = field(default_factory=free_port)
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """Everything the server printed so far."""
        return "".join(self.lines)

    def start(self, env: dict[str, str] | None = None) -> "AppServer":
        """Start the server and wait until it says it is ready and answers its health check."""
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard.py",
                "--server.address=127.0.0.1",
                f"--server.port={self.port}",
                "--server.headless=true",
                "--server.fileWatcherType=none",
                "--browser.gatherUsageStats=false",
            ],
            cwd=REPO_DIR,
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._drain, daemon=True).start()
        if not self.ready.wait(START_TIMEOUT_S) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError(f"the app did not start:\n{self.log()}")
        with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=10) as answer:
            if answer.status != 200:
                raise RuntimeError(f"the app is not healthy ({answer.status}):\n{self.log()}")
        return self

    def _drain(self) -> None:
        """Keep reading the server's output (so it never blocks) and notice when it is ready."""
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if READY_LINE in line:
                self.ready.set()
        self.ready.set()  # the process ended: stop waiting, start() reports it

    def stop(self) -> None:
        """Stop the server (terminate, then kill if it lingers)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
