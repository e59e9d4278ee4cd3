"""The package's layers are a checked fact: import-linter's contracts in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

from csto_atlas.data import paths


def test_the_import_contracts_are_kept():
    # Layers point down (app | cli > render > domain > data), only csto_atlas.app imports
    # streamlit and streamlit_folium, and the product imports no test or benchmark tooling.
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--no-logo"],
        cwd=paths.REPO_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout, done.stdout
