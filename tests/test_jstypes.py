"""atlas.js's JSDoc types: checked by TypeScript (tsc --noEmit --checkJs), and in step with the
TypedDicts of render/contract.py.

tests/run installs the pinned TypeScript (tests/ts/package.json) into .cache/ts; $CSTO_ATLAS_TSC may
point at another tsc. Without it the type check skips, and fails under CI (CI=true), like the
browser tests.
"""

import os
import re
import shutil
import subprocess
import typing
from pathlib import Path

import pytest

from csto_atlas.data.paths import REPO_DIR
from csto_atlas.render import contract, web

TSC_ENV_VAR = "CSTO_ATLAS_TSC"
TSC = REPO_DIR / ".cache" / "ts" / "node_modules" / "typescript" / "bin" / "tsc"
TS_DIR = REPO_DIR / "tests" / "ts"
PARTS_DIR = Path(web.__file__).parent / web.ATLAS_FOLDER
TYPES_PART = "05-types.js"
# Typedefs of the page's own state, not of the contract.
STATE_TYPEDEFS = {"Atlas", "AtlasLayers"}
TYPEDEF = re.compile(r"/\*\*(?:(?!\*/).)*?@typedef \{Object\} (\w+)(.*?)\*/", re.DOTALL)
PROPERTY = re.compile(r"@property \{[^}]*\} \[?(\w+)\]?")


def tsc_command() -> list[str]:
    """node and TypeScript's tsc, or a skip (a failure under CI) saying what is missing."""
    tsc = Path(os.environ.get(TSC_ENV_VAR, TSC))
    node = shutil.which("node")
    missing = [] if node else ["node (apt-get install nodejs)"]
    if not tsc.is_file():
        missing.append(f"TypeScript at {tsc} (tests/run installs it)")
    if missing:
        reason = "no " + " and no ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(f"the type check cannot run under CI: {reason}")
        pytest.skip(reason)
    return [str(node), str(tsc)]


def run_tsc(project: Path) -> subprocess.CompletedProcess:
    """tsc -p `project` (its tsconfig.json), its output as text."""
    return subprocess.run(
        [*tsc_command(), "-p", str(project), "--pretty", "false"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def typedefs(text: str) -> dict[str, set[str]]:
    """{typedef name: its property names} of the `@typedef {Object}` blocks of a JSDoc text."""
    return {name: set(PROPERTY.findall(body)) for name, body in TYPEDEF.findall(text)}


def contract_typeddicts() -> dict[str, set[str]]:
    """{name: keys} of every TypedDict render/contract.py defines."""
    return {
        name: set(typing.get_type_hints(value))
        for name, value in vars(contract).items()
        if typing.is_typeddict(value) and value.__module__ == contract.__name__
    }


def test_the_jsdoc_typedefs_have_the_keys_of_the_contract_typeddicts():
    declared = typedefs(web.atlas_part(TYPES_PART))
    expected = contract_typeddicts()
    assert {"ClientConfig", "MarkerData", "StatusEntry"} <= expected.keys()
    assert {name: declared.get(name) for name in expected} == expected
    assert declared.keys() - expected.keys() == STATE_TYPEDEFS


def test_the_typedef_reader_sees_a_missing_key():
    text = "/**\n * @typedef {Object} ChangeEntry\n * @property {string} iso3\n */"
    assert typedefs(text) == {"ChangeEntry": {"iso3"}}


def test_atlas_js_passes_the_type_check():
    result = run_tsc(TS_DIR)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_type_check_fails_on_a_config_key_the_contract_does_not_have(tmp_path):
    parts = tmp_path / "csto_atlas" / "render" / "web" / web.ATLAS_FOLDER
    shutil.copytree(PARTS_DIR, parts)
    shutil.copytree(TS_DIR, tmp_path / "tests" / "ts", ignore=shutil.ignore_patterns("node_*"))
    regions = parts / "10-regions.js"
    text = regions.read_text("utf-8")
    assert "atlas.config.look;" in text
    regions.write_text(text.replace("atlas.config.look;", "atlas.config.lok;", 1), "utf-8")
    result = run_tsc(tmp_path / "tests" / "ts")
    assert result.returncode != 0
    assert "Property 'lok' does not exist on type 'ClientConfig'" in result.stdout
