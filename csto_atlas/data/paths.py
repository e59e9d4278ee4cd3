"""Where the project's data lives: paths relative to the code, never to the working directory."""

import os
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
BUNDLED_DATA_DIR = REPO_DIR / "datasets"
GEODATA_DIR = REPO_DIR / "geodata"
SHARED_DIR = REPO_DIR.parent / "shared"
DATA_ENV_VAR = "CSTO_ATLAS_DATA"


def data_dir() -> Path:
    """The data folder: $CSTO_ATLAS_DATA when set, the bundled datasets/ otherwise."""
    override = os.environ.get(DATA_ENV_VAR, "").strip()
    return Path(override) if override else BUNDLED_DATA_DIR


def sources_dir() -> Path:
    """The folder holding the five source articles (../shared/sources beside the repo)."""
    return SHARED_DIR / "sources"
