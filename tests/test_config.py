"""The hardened Streamlit configuration (.streamlit/config.toml) and the README's run command."""

import json
import re
import subprocess
import sys
import tomllib

import pytest

from csto_atlas.data.paths import REPO_DIR

CONFIG = REPO_DIR / ".streamlit" / "config.toml"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="module")
def config() -> dict:
    """The file as TOML."""
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def effective() -> dict:
    """The options as Streamlit itself reads them from the repository root (a fresh process)."""
    names = [
        "client.showErrorDetails",
        "server.enableXsrfProtection",
        "server.enableCORS",
        "server.corsAllowedOrigins",
        "server.fileWatcherType",
        "server.maxUploadSize",
        "server.address",
        "server.enableStaticServing",
        "server.enableWebsocketCompression",
        "runner.postScriptGC",
    ]
    script = (
        "import json, sys; from streamlit import config; "
        "print(json.dumps({name: config.get_option(name) for name in sys.argv[1:]}))"
    )
    env_free = {"PATH": "/usr/bin:/bin", "HOME": str(REPO_DIR)}  # no STREAMLIT_* overrides
    answer = subprocess.run(
        [sys.executable, "-c", script, *names],
        cwd=REPO_DIR,
        env=env_free,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(answer.stdout)


def test_visitors_never_see_error_details(config, effective):
    assert config["client"]["showErrorDetails"] == "none"
    assert effective["client.showErrorDetails"] == "none"


def test_xsrf_protection_is_on(effective):
    assert effective["server.enableXsrfProtection"] is True


def test_cors_protection_is_on_with_no_wildcard_origin(effective):
    assert effective["server.enableCORS"] is True
    assert not any("*" in origin for origin in effective["server.corsAllowedOrigins"])


def test_the_file_watcher_is_off(effective):
    assert effective["server.fileWatcherType"] == "none"


def test_uploads_are_limited_to_the_minimum(effective):
    assert effective["server.maxUploadSize"] <= 1


def test_the_server_binds_to_loopback(effective):
    assert effective["server.address"] in LOOPBACK


def test_static_serving_stays_on_for_leaflet(effective):
    assert effective["server.enableStaticServing"] is True


def test_websocket_hosts_are_named_not_wildcarded(config):
    hosts = config["server"]["allowedHosts"]
    assert hosts
    assert "*" not in hosts


def test_the_readme_run_command_does_not_override_the_loopback_address():
    readme = (REPO_DIR / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", readme, re.S)
    assert first_block is not None
    command = first_block.group(1)
    assert "streamlit run dashboard.py" in command
    overridden = re.search(r"--server\.address[ =](\S+)", command)
    assert overridden is None or overridden.group(1) in LOOPBACK


def test_no_full_garbage_collection_after_every_run(effective):
    # It held the interpreter lock ~75 ms per run, while the browser fetched the map's scripts.
    assert effective["runner.postScriptGC"] is False


def test_the_websocket_is_not_compressed_on_loopback(effective):
    # The deployment compresses it (tests/test_deploy_config.py, tests/e2e/test_deploy.py).
    assert effective["server.enableWebsocketCompression"] is False
