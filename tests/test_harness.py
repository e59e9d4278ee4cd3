"""The test suite's own footprint: what a run writes goes to ignored folders, not the tree."""

import subprocess
import tomllib
from pathlib import Path

from hypothesis import settings
from hypothesis.configuration import storage_directory

from csto_atlas.data import paths
from tests.conftest import HYPOTHESIS_DIR

CACHE_DIR = paths.REPO_DIR / ".cache"


def ignored_by_git(path: Path) -> bool:
    found = subprocess.run(
        ["git", "check-ignore", "-q", str(path)], cwd=paths.REPO_DIR, check=False
    )
    return found.returncode == 0


def test_the_cache_folder_is_ignored_and_the_code_is_not():
    # .cache/ itself (a folder, or a link to one in a worktree): git asks nothing beyond a link.
    assert ignored_by_git(CACHE_DIR)
    assert not ignored_by_git(paths.REPO_DIR / "tests" / "test_harness.py")


def test_hypothesis_keeps_its_examples_in_the_ignored_cache_folder():
    assert HYPOTHESIS_DIR.is_relative_to(CACHE_DIR)
    # Where hypothesis writes anything (its home), whatever the profile: under CI=true its "ci"
    # profile keeps no example database at all.
    assert storage_directory("examples").path.is_relative_to(HYPOTHESIS_DIR)
    database = settings().database
    assert database is None or database.path.is_relative_to(HYPOTHESIS_DIR)


def test_pytest_keeps_its_cache_in_the_ignored_cache_folder():
    settings_ = tomllib.loads((paths.REPO_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    cache_dir = settings_["tool"]["pytest"]["ini_options"]["cache_dir"]
    assert (paths.REPO_DIR / cache_dir).is_relative_to(CACHE_DIR)
