"""Shared fixtures: the tiny data folder, and the shared material beside the repo."""

import os
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from csto_atlas.data import paths
from csto_atlas.data.load import Atlas, load_atlas
from tests.tiny import write_dataset

# Tests write nothing into the source tree: hypothesis keeps its examples and caches in .cache/
# (ignored, beside the npm caches), as pytest keeps its own cache there (pyproject.toml).
HYPOTHESIS_DIR = paths.REPO_DIR / ".cache" / "hypothesis"
set_hypothesis_home_dir(HYPOTHESIS_DIR)


def require_shared(path: Path) -> Path:
    """The shared folder, or a skip with the reason — a failure under CI, where it must exist."""
    if path.exists():
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{path} is missing; CI runs with ../shared beside the repo")
    pytest.skip(f"{path} is missing (the shared material lives beside the repo)")


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(datasets, geodata, sources) folders of a tiny valid dataset, written once: read them only.

    A test that changes a file writes a dataset of its own with tests.tiny.write_dataset.
    """
    return write_dataset(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="session")
def tiny_atlas(tiny: tuple[Path, Path, Path]) -> Atlas:
    """The tiny dataset, loaded once: read it only."""
    data_dir, geodata_dir, _ = tiny
    return load_atlas(data_dir, geodata_dir)


@pytest.fixture(scope="session")
def shared_sources() -> Path:
    return require_shared(paths.sources_dir())


@pytest.fixture(scope="session")
def bundled_atlas() -> Atlas:
    return load_atlas(paths.BUNDLED_DATA_DIR, paths.GEODATA_DIR)
