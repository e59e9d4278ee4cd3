"""The data version: a digest of the data files themselves, and the date the data was checked up to.

The digest is the first 12 hex digits of a SHA-256 over every CSV of the data folder and every
file of the geodata folder, taken in order of their names, each as its name, a NUL byte, its
length and its bytes: any change to any row or boundary gives another version, and the same
files give the same version on any machine. The checked date is the newest `date` in
sources.csv among the sources that report events, datasets left out (partial dates count from their start: a source dated `2026` says the data was
checked into 2026).
"""

import csv
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from csto_atlas.data import paths
from csto_atlas.data.alliance import geodata_dir_of
from csto_atlas.data.dates import PartialDate, parse_partial_date

DIGEST_LENGTH = 12


@dataclass(frozen=True)
class DataVersion:
    """Which data a view, an export or an image was made from."""

    digest: str
    checked: date
    checked_text: str  # the newest source date as written: `2026`, `2025-11`, `2025-11-25`


def data_files(data_dir: Path, geodata_dir: Path) -> list[Path]:
    """The files the version covers: the data folder's CSVs and the geodata files."""
    csvs = sorted(p for p in data_dir.glob("*.csv") if p.is_file())  # no named pipe or device
    geodata = sorted(p for p in geodata_dir.iterdir() if p.is_file() and p.suffix != ".md")
    return csvs + geodata


def data_digest(files: list[Path]) -> str:
    """SHA-256 over each file's folder/name, length and bytes, in the order given; 12 hex digits."""
    digest = hashlib.sha256()
    for path in files:
        body = path.read_bytes()
        digest.update(f"{path.parent.name}/{path.name}\0{len(body)}\0".encode())
        digest.update(body)
    return digest.hexdigest()[:DIGEST_LENGTH]


def newest_report_date(sources: Iterable[Mapping[str, object]]) -> PartialDate | None:
    """The newest parseable `date` (by its start; the first of equals) among sources that report
    events: the date the data is checked up to. A dataset (the gazetteer) is dated by when it
    was taken, so it is left out. The one rule for "checked until" (the version, the map, the
    panel and the countries export read it)."""
    dates = []
    for source in sources:
        if source.get("kind") == "dataset":
            continue
        try:
            dates.append(parse_partial_date(str(source.get("date") or "")))
        except ValueError:
            continue  # the loader reports bad dates; the version only needs the good ones
    return max(dates, key=lambda d: d.start, default=None)


def newest_source_date(sources_csv: Path) -> PartialDate | None:
    """The newest date of sources.csv that says up to when the data was checked, or None."""
    if not sources_csv.is_file():
        return None
    with sources_csv.open(newline="", encoding="utf-8") as handle:
        return newest_report_date(csv.DictReader(handle))


def data_version(data_dir: Path | None = None, geodata_dir: Path | None = None) -> DataVersion:
    """The version of a data folder (default: the one the app reads) and its geodata."""
    data_dir = data_dir or paths.data_dir()
    geodata_dir = geodata_dir or geodata_dir_of(data_dir)
    newest = newest_source_date(data_dir / "sources.csv")
    return DataVersion(
        digest=data_digest(data_files(data_dir, geodata_dir)),
        checked=newest.start if newest else date.min,
        checked_text=newest.text.strip() if newest else "",
    )
