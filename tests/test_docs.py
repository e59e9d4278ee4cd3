"""The docs keep up with the code: design.md names every module, the README every page."""

import re

import pytest

from csto_atlas.app import ui
from csto_atlas.data import paths

PACKAGE_DIR = paths.REPO_DIR / "csto_atlas"
PAGE_FILES = [
    "dashboard.py",
    *sorted(f"pages/{p.name}" for p in (paths.REPO_DIR / "pages").glob("*.py")),
]
MODULES = sorted(
    path.relative_to(PACKAGE_DIR).as_posix()
    for path in PACKAGE_DIR.rglob("*.py")
    if path.name != "__init__.py"
)


def layout_block() -> str:
    """The code block under "## Layout" in docs/design.md."""
    design = (paths.REPO_DIR / "docs" / "design.md").read_text(encoding="utf-8")
    found = re.search(r"^## Layout\n.*?^```\n(.*?)^```", design, re.DOTALL | re.MULTILINE)
    assert found, "docs/design.md has no code block under ## Layout"
    return found.group(1)


def listed_paths(block: str) -> set[str]:
    """Every path the layout tree names: its first column (`name`, `a.py, b.py` or `folder/`),
    joined to the folders it is indented under."""
    listed, folders = set(), []  # folders: (indent, path) of the enclosing folders
    for line in block.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        folders = [(depth, path) for depth, path in folders if depth < indent]
        parent = folders[-1][1] if folders else ""
        for name in re.split(r",\s*", re.split(r"\s{2,}", line.strip())[0]):
            listed.add(parent + name)
            if name.endswith("/"):
                folders.append((indent, parent + name))
    return listed


@pytest.mark.parametrize("module", MODULES)
def test_design_md_lists_every_module_of_the_package_in_its_folder(module):
    assert f"csto_atlas/{module}" in listed_paths(layout_block()), (
        f"docs/design.md's layout does not list csto_atlas/{module}"
    )


@pytest.mark.parametrize("page_file", PAGE_FILES)
def test_the_readme_names_every_page(page_file):
    readme = (paths.REPO_DIR / "README.md").read_text(encoding="utf-8")
    assert f"`{page_file}`" in readme


def test_every_page_file_is_in_the_apps_navigation():
    assert sorted(path for path, _ in ui.NAV_PAGES) == sorted(PAGE_FILES)
