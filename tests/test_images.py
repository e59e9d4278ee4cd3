"""Map images and the time-lapse: colours where the countries are, one frame per year, the CLI."""

import io
import subprocess
import sys

import pytest
from PIL import Image

from csto_atlas.cli import main
from csto_atlas.data import paths
from csto_atlas.render import images
from csto_atlas.render.style import STATUS_COLOURS

WIDTH = 800


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def inside(atlas, iso3: str) -> tuple[float, float]:
    """(lon, lat) of a point well inside a region."""
    point = atlas.regions.set_index("iso3").geometry[iso3].representative_point()
    return point.x, point.y


def colour_at(png: bytes, frame: images.MapFrame, lon: float, lat: float) -> tuple[int, ...]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (frame.width_px, frame.height_px)
    return image.getpixel(frame.pixel(lon, lat))


@pytest.fixture(scope="module")
def png_2013(bundled_atlas) -> bytes:
    return images.render_map(bundled_atlas, 2013, "png", width_px=WIDTH)


@pytest.mark.parametrize(
    ("iso3", "status"),
    [("KAZ", "member"), ("UZB", "suspended"), ("AZE", "former"), ("AFG", "observer")],
)
def test_the_2013_png_colours_each_country_by_its_status(bundled_atlas, png_2013, iso3, status):
    frame = images.map_frame(bundled_atlas, WIDTH)
    pixel = colour_at(png_2013, frame, *inside(bundled_atlas, iso3))
    assert max(abs(a - b) for a, b in zip(pixel, rgb(STATUS_COLOURS[status]), strict=True)) <= 3


def test_uzbekistan_is_former_in_the_2000_png(bundled_atlas):
    png = images.render_map(bundled_atlas, 2000, "png", width_px=WIDTH)
    frame = images.map_frame(bundled_atlas, WIDTH)
    pixel = colour_at(png, frame, *inside(bundled_atlas, "UZB"))
    assert max(abs(a - b) for a, b in zip(pixel, rgb(STATUS_COLOURS["former"]), strict=True)) <= 3


def test_the_frame_holds_the_members_but_not_russia_to_the_pacific(bundled_atlas):
    west, _south, east, _north = images.map_frame(bundled_atlas, WIDTH).lonlat_box
    assert west < 24 and east > 87  # Belarus to the east of Kazakhstan
    assert east < 120  # not Chukotka


def test_a_highlighted_country_is_outlined(bundled_atlas, png_2013):
    highlighted = images.render_map(bundled_atlas, 2013, "png", ["UZB"], WIDTH)
    assert highlighted != png_2013


def test_the_svg_has_title_year_legend_and_source_line(tiny_atlas):
    version = images.DataVersion("0123456789ab", __import__("datetime").date(2017, 1, 1), "2017")
    svg = images.render_map(tiny_atlas, 2013, "svg", width_px=600, version=version).decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    # matplotlib writes text as glyph paths with the text itself in comments
    for text in ("CSTO Atlas · 2013", "Suspended", "Breakaway region", "data 0123456789ab"):
        assert text in svg, text


def test_the_same_data_gives_the_same_image_bytes(tiny_atlas):
    assert images.render_map(tiny_atlas, 2013, width_px=400) == images.render_map(
        tiny_atlas, 2013, width_px=400
    )


def test_an_unknown_image_format_is_refused(tiny_atlas):
    with pytest.raises(ValueError, match="'bmp' is not an image format"):
        images.render_map(tiny_atlas, 2013, "bmp")


def test_the_gif_has_one_frame_per_year_and_reports_progress(tiny_atlas):
    seen = []
    gif = images.animate(
        tiny_atlas, range(1998, 2002), "gif", lambda done, total: seen.append((done, total)), 300
    )
    with Image.open(io.BytesIO(gif)) as image:
        assert (image.format, image.n_frames) == ("GIF", 4)
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


# --- the command line ----------------------------------------------------------------------


def test_render_writes_a_png_of_the_year(capsys, tiny, tmp_path):
    data_dir, _, _ = tiny
    out = tmp_path / "map.png"
    code = main(
        ["render", "--year", "2013", "--out", str(out), "--width", "400", "--data", str(data_dir)]
    )
    assert (code, capsys.readouterr().out) == (0, f"wrote {out}\n")
    with Image.open(out) as image:
        assert image.format == "PNG" and image.width == 400


def test_render_svg_by_default_names_the_file_by_year_and_version(tiny, tmp_path, monkeypatch):
    data_dir, _, _ = tiny
    monkeypatch.chdir(tmp_path)
    code = main(
        ["render", "--year", "2013", "--format", "svg", "--width", "400", "--data", str(data_dir)]
    )
    (written,) = tmp_path.glob("csto-atlas-2013-*.svg")
    assert code == 0 and b"<svg" in written.read_bytes()


def test_animate_writes_a_gif_with_progress_on_stderr(tiny, tmp_path):
    data_dir, _, _ = tiny
    out = tmp_path / "years.gif"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "csto_atlas",
            "animate",
            "--first",
            "2010",
            "--last",
            "2012",
            "--width",
            "300",
            "--out",
            str(out),
            "--data",
            str(data_dir),
        ],
        capture_output=True,
        text=True,
        cwd=paths.REPO_DIR,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "frame 3/3" in done.stderr and done.stdout == f"wrote {out}\n"
    with Image.open(out) as image:
        assert image.n_frames == 3


def test_animate_as_mp4_writes_an_mp4(tiny, tmp_path, capsys):
    pytest.importorskip("imageio_ffmpeg")
    data_dir, _, _ = tiny
    out = tmp_path / "years.mp4"
    code = main(
        [
            "animate",
            "--format",
            "mp4",
            "--first",
            "2010",
            "--last",
            "2011",
            "--width",
            "300",
            "--out",
            str(out),
            "--data",
            str(data_dir),
        ]
    )
    assert code == 0 and out.read_bytes()[4:8] == b"ftyp"


def test_render_of_invalid_data_lists_the_problems(capsys, tmp_path):
    from tests.tiny import tables, write_dataset

    data = tables()
    data["bases"][0]["lat"] = "243.1"
    data_dir, _, _ = write_dataset(tmp_path, data)
    code = main(["render", "--year", "2013", "--data", str(data_dir)])
    assert code == 1 and "243.1 is not a latitude" in capsys.readouterr().err
