"""The test suite's own footprint: what a run writes goes to ignored folders, not the tree."""

import subprocess

from hypothesis import settings

from csto_atlas.data import paths
from tests.conftest import HYPOTHESIS_DIR


def ignored_by_git(path) -> bool:
    found = subprocess.run(
        ["git", "check-ignore", "-q", str(path)], cwd=paths.REPO_DIR, check=False
    )
    return found.returncode == 0


def test_hypothesis_keeps_its_examples_in_an_ignored_folder():
    assert settings().database.path.is_relative_to(HYPOTHESIS_DIR)
    assert ignored_by_git(HYPOTHESIS_DIR)
    assert not ignored_by_git(paths.REPO_DIR / "tests" / "test_harness.py")


def test_pytest_keeps_its_cache_in_an_ignored_folder(pytestconfig):
    cache_dir = paths.REPO_DIR / pytestconfig.getini("cache_dir")
    assert cache_dir.is_relative_to(paths.REPO_DIR / ".cache")
    assert ignored_by_git(cache_dir)
