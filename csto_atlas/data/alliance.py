"""The alliance a data folder maps: its names and every word the atlas uses for it.

`alliance.toml` beside the CSVs holds them (`datasets/alliance.toml` for the CSTO,
`examples/guam/alliance.toml` for GUAM). The engine keeps its status *keys*, colours and
patterns; the file gives their labels, the legend's and the layers' wording, the citation's
author and the framing sentences. A data folder without the file speaks as the bundled one does.
Where geodata/ and the source texts are: the folders the file names (relative to the data
folder), else `geodata/` and `sources/` inside the data folder when they exist, else the
bundled ones.
"""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from csto_atlas.data import paths
from csto_atlas.data.errors import FILE, DataError, Problem
from csto_atlas.data.read import display_path
from csto_atlas.data.schema import BIDI_CHARS, STATUSES, char_name

ALLIANCE_FILE = "alliance.toml"
MARKER_KINDS = ("bases", "incidents", "meetings")
# Every section, its keys, and whether each is required (False: optional).
LAYER_KEYS = {"name": True, "legend": True, "legend_past": False, "one": False, "table": False}
SECTIONS: dict[str, dict[str, bool]] = {
    "alliance": {"name": True, "short_name": True, "title": True, "citation_author": True},
    "folders": {"geodata": False, "sources": False},
    "statuses": dict.fromkeys(STATUSES, True),
    "status_examples": dict.fromkeys(STATUSES, True),
    "legend": {"title": True, "map_label": True},
    **{f"layers.{kind}": LAYER_KEYS for kind in MARKER_KINDS},
    "framing": {
        "shared_events": True,
        "outer_border": True,
        "member_of": True,
        "articles": True,
        "about": True,
    },
}
MAX_TEXT = 2000


@dataclass(frozen=True)
class Alliance:
    """The wording of one alliance, and the folders its data is drawn with."""

    name: str
    short_name: str
    title: str
    citation_author: str
    status_labels: dict[str, str]
    status_examples: dict[str, str]
    legend_title: str
    map_label: str
    layers: dict[str, dict[str, str]]
    shared_events: str
    outer_border: str
    member_of: str
    articles: str
    about: str
    geodata_dir: Path
    sources_dir: Path


def load_alliance(data_dir: Path | None = None) -> Alliance:
    """The alliance of a data folder; raise DataError naming file, line and column."""
    data_dir = data_dir or paths.data_dir()
    path = data_dir / ALLIANCE_FILE
    if not path.is_file():
        path = paths.BUNDLED_DATA_DIR / ALLIANCE_FILE
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DataError([Problem(shown, None, None, f"cannot be read ({error})", FILE)]) from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DataError([toml_problem(shown, str(error))]) from None
    locate = KeyLocator(text)
    problems = check_sections(table, shown, locate)
    folders = table.get("folders", {}) if isinstance(table.get("folders"), dict) else {}
    geodata_dir, found = folder(data_dir, folders, "geodata", paths.GEODATA_DIR, shown, locate)
    problems += found
    sources_dir, found = folder(data_dir, folders, "sources", paths.sources_dir(), shown, locate)
    problems += found
    if problems:
        raise DataError(problems)
    return Alliance(
        name=table["alliance"]["name"],
        short_name=table["alliance"]["short_name"],
        title=table["alliance"]["title"],
        citation_author=table["alliance"]["citation_author"],
        status_labels={status: table["statuses"][status] for status in STATUSES},
        status_examples={status: table["status_examples"][status] for status in STATUSES},
        legend_title=table["legend"]["title"],
        map_label=table["legend"]["map_label"],
        layers={kind: dict(table["layers"][kind]) for kind in MARKER_KINDS},
        **{key: table["framing"][key] for key in SECTIONS["framing"]},
        geodata_dir=geodata_dir,
        sources_dir=sources_dir,
    )


def toml_problem(shown: str, message: str) -> Problem:
    """tomllib's `Unterminated string (at line 10, column 23)` as a Problem at that place
    (Python 3.11's TOMLDecodeError has no lineno or colno attributes: they came in 3.14)."""
    place = re.search(r" \(at line (\d+), column (\d+)\)$", message)
    if place is None:
        return Problem(shown, None, None, f"is not TOML: {message}", FILE)
    reason = message[: place.start()]
    return Problem(shown, int(place.group(1)), place.group(2), f"is not TOML: {reason}")


class KeyLocator:
    """Where a key of a table stands in the file (tomllib keeps no positions): line and column."""

    def __init__(self, text: str) -> None:
        self.where: dict[tuple[str, str], tuple[int, int]] = {}
        section = ""
        for number, line in enumerate(text.splitlines(), start=1):
            header = re.match(r"\s*\[\s*([^\]]+?)\s*\]", line)
            if header:
                section = re.sub(r"\s*\.\s*", ".", header.group(1)).replace('"', "")
                self.where[(section, "")] = (number, len(line) - len(line.lstrip()) + 1)
                continue
            key = re.match(r"(\s*)([A-Za-z0-9_-]+|\"[^\"]*\")\s*=", line)
            if key:
                self.where[(section, key.group(2).strip('"'))] = (number, len(key.group(1)) + 1)

    def problem(self, shown: str, section: str, key: str, message: str) -> Problem:
        """A problem at the key's place, else at its table's header, else the file's."""
        line, column = self.where.get((section, key)) or self.where.get((section, "")) or (0, 0)
        return Problem(shown, line or None, str(column) if line else None, message)


def check_sections(table: dict[str, Any], shown: str, locate: KeyLocator) -> list[Problem]:
    """Every section and key known, every required key present, every value a short text."""
    problems = []
    known_tops = {name.split(".")[0] for name in SECTIONS}
    for top in table:
        if top not in known_tops:
            problems.append(
                locate.problem(
                    shown, top, "", f"[{top}] is not a section; expected {', '.join(known_tops)}"
                )
            )
    for section, keys in SECTIONS.items():
        values = table
        for part in section.split("."):
            values = values.get(part, {}) if isinstance(values, dict) else {}
        if not isinstance(values, dict):
            problems.append(locate.problem(shown, section, "", f"[{section}] must be a table"))
            continue
        if not values and any(keys.values()):
            problems.append(Problem(shown, None, None, f"section [{section}] is missing", FILE))
            continue
        for key, value in values.items():
            if key not in keys:
                expected = ", ".join(keys)
                problems.append(
                    locate.problem(
                        shown,
                        section,
                        key,
                        f"{key!r} is not a key of [{section}]; expected one of {expected}",
                    )
                )
            elif not isinstance(value, str) or not value.strip():
                problems.append(
                    locate.problem(shown, section, key, f"{key} must be a non-empty text")
                )
            elif bidi := next((char for char in value if char in BIDI_CHARS), None):
                message = f"{key} holds the bidirectional control {char_name(bidi)}"
                problems.append(locate.problem(shown, section, key, message))
            elif len(value) > MAX_TEXT:
                problems.append(
                    locate.problem(shown, section, key, f"{key} is over {MAX_TEXT} characters")
                )
        for key, required in keys.items():
            if required and key not in values:
                problems.append(
                    locate.problem(
                        shown, section, "", f"[{section}] has no {key!r}; it is required"
                    )
                )
    layers = table.get("layers", {})
    if isinstance(layers, dict):
        for kind in layers:
            if kind not in MARKER_KINDS:
                problems.append(
                    locate.problem(
                        shown,
                        f"layers.{kind}",
                        "",
                        f"[layers.{kind}] is not a layer; expected {', '.join(MARKER_KINDS)}",
                    )
                )
    return problems


def folder(
    data_dir: Path,
    folders: dict[str, Any],
    key: str,
    bundled: Path,
    shown: str,
    locate: KeyLocator,
) -> tuple[Path, list[Problem]]:
    """The folder `key` names (relative to the data folder), else the data folder's own, else
    the bundled one."""
    named = folders.get(key)
    if isinstance(named, str) and named.strip():
        path = (data_dir / named).resolve()
        if not path.is_dir():
            message = f"{named!r} is not a folder (looked for {path})"
            return bundled, [locate.problem(shown, "folders", key, message)]
        return path, []
    own = data_dir / key
    return (own if own.is_dir() else bundled), []


def geodata_dir_of(data_dir: Path | None = None) -> Path:
    """The geodata folder a data folder is drawn on (the bundled one while its file is bad:
    loading the atlas reports the file's problems)."""
    try:
        return load_alliance(data_dir).geodata_dir
    except DataError:
        return paths.GEODATA_DIR


@cache
def bundled_alliance() -> Alliance:
    """The bundled data folder's alliance (the CSTO): the wording of a view given no alliance."""
    return load_alliance(paths.BUNDLED_DATA_DIR)
