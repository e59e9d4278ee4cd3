"""python -m csto_atlas validate | export | build-geodata."""

import argparse
import sys
from pathlib import Path

from csto_atlas.data import paths
from csto_atlas.data.coverage import uncovered_mentions
from csto_atlas.data.errors import DataError, Problem
from csto_atlas.data.load import load_atlas
from csto_atlas.data.quotes import check_quotes
from csto_atlas.domain import export
from csto_atlas.domain.status import year_range

MAX_YEAR = 9999


class UsageError(Exception):
    """An argument the parser accepted but the data cannot serve: reported argparse-style, exit 2."""


def year_arg(text: str) -> int:
    """A calendar year, 1..9999 (which years the data covers is checked once it is loaded)."""
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year") from None
    if not 1 <= year <= MAX_YEAR:
        raise argparse.ArgumentTypeError(f"{year} is not a year (1..{MAX_YEAR})")
    return year


def folder_arg(text: str) -> Path:
    """An existing folder."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder")
    return path


def build_parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per task."""
    parser = argparse.ArgumentParser(prog="python -m csto_atlas", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="validate a data folder; exit 0 when clean")
    validate.add_argument(
        "--data", type=folder_arg, help="data folder (default: $CSTO_ATLAS_DATA or datasets/)"
    )
    validate.add_argument(
        "--sources",
        type=folder_arg,
        help="folder of the source articles: also check every quote against them",
    )

    exporter = commands.add_parser("export", help="write one layer for a year to stdout")
    exporter.add_argument("layer", choices=export.LAYERS)
    exporter.add_argument("--year", type=year_arg, required=True)
    exporter.add_argument("--format", choices=("csv", "geojson"), default="csv")
    exporter.add_argument(
        "--data", type=folder_arg, help="data folder (default: $CSTO_ATLAS_DATA or datasets/)"
    )

    geodata = commands.add_parser("build-geodata", help="rebuild geodata/ from Natural Earth")
    geodata.add_argument("--naturalearth", type=Path, default=paths.SHARED_DIR / "naturalearth")
    geodata.add_argument("--out", type=Path, default=paths.GEODATA_DIR)
    return parser


def run_validate(data: Path | None, sources: Path | None) -> int:
    """Print every problem (or a one-line summary when clean); 1 when there are problems."""
    data = data or paths.data_dir()
    try:
        atlas = load_atlas(data)
    except DataError as error:
        return report(error.problems)
    problems: list[Problem] = []
    if sources is not None:
        problems = check_quotes(atlas, data, sources) + uncovered_mentions(atlas, data, sources)
    if problems:
        return report(problems)
    counts = ", ".join(
        f"{len(getattr(atlas, table))} {table}"
        for table in ("sources", "membership", "bases", "incidents", "meetings", "notes")
    )
    checked = f"; quotes checked against {sources}" if sources else ""
    print(f"{data}: valid ({counts}{checked})")
    return 0


def report(problems: list[Problem]) -> int:
    """Every problem on its own line on stderr."""
    print(str(DataError(problems)), file=sys.stderr)
    return 1


def run_export(layer: str, year: int, fmt: str, data: Path | None) -> int:
    """Write the layer to stdout."""
    try:
        atlas = load_atlas(data)
    except DataError as error:
        return report(error.problems)
    years = year_range(atlas.membership)
    if year not in years:
        raise UsageError(
            f"argument --year: {year} is outside the data's years ({years.start}..{years.stop - 1})"
        )
    frame = export.layer_frame(atlas, layer, year)
    text = export.to_csv(frame) if fmt == "csv" else export.to_geojson(atlas, layer, frame) + "\n"
    sys.stdout.write(text)
    return 0


def run_build_geodata(naturalearth: Path, out: Path) -> int:
    """Rebuild geodata/regions.geojson from Natural Earth and the bundled countries list."""
    from csto_atlas.data.geodata_build import build_geodata  # only this command needs the builder

    written = build_geodata(naturalearth, paths.BUNDLED_DATA_DIR / "countries.csv", out)
    print(f"wrote {written}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "validate":
            return run_validate(args.data, args.sources)
        if args.command == "export":
            return run_export(args.layer, args.year, args.format, args.data)
        return run_build_geodata(args.naturalearth, args.out)
    except UsageError as error:
        parser.error(str(error))  # one line and exit 2, as argparse reports its own errors
        raise  # parser.error exits; this keeps readers and type checkers sure of it
