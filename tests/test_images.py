"""Map images and the time-lapse: colours where the countries are, one frame per year, the CLI."""

import io
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from csto_atlas.cli import main
from csto_atlas.data import paths
from csto_atlas.domain.status import year_range
from csto_atlas.domain.yearmodel import LOOK_KEYS
from csto_atlas.render import images
from csto_atlas.render import payload as payloads
from csto_atlas.render.style import (
    ANNEXED_LOOK,
    STATUS_COLOURS,
    region_look,
    status_labels,
)

SVG = "{http://www.w3.org/2000/svg}"

WIDTH = 800


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def inside(atlas, iso3: str) -> tuple[float, float]:
    """(lon, lat) of a point well inside a region."""
    point = atlas.regions[atlas.regions["iso3"] == iso3].geometry.union_all().representative_point()
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


def test_the_svg_has_title_year_legend_and_source_line_as_live_text(tiny_atlas):
    version = images.DataVersion("0123456789ab", __import__("datetime").date(2017, 1, 1), "2017")
    svg = images.render_map(tiny_atlas, 2013, "svg", width_px=600, version=version).decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    root = ET.fromstring(svg)
    texts = " ".join("".join(node.itertext()) for node in root.iter(f"{SVG}text"))
    for text in ("CSTO Atlas · 2013", "Suspended", "Breakaway region", "data 0123456789ab"):
        assert text in texts, text
    # Live text in a font with fallbacks, not glyph outlines.
    fonts = {node.get("style", "") for node in root.iter(f"{SVG}text")}
    assert all("font-family: 'DejaVu Sans'" in font and "sans-serif" in font for font in fonts)
    assert not re.search(r'<path id="DejaVuSans', svg)


def test_in_the_svg_each_region_is_one_path_named_by_its_code_with_a_title(tiny_atlas):
    svg = images.render_map(tiny_atlas, 2013, "svg", width_px=600)
    root = ET.fromstring(svg)
    groups = {node.get("id"): node for node in root.iter(f"{SVG}g")}
    assert {"regions", "bases", "incidents", "meetings", "legend", "title", "credit"} <= set(groups)
    regions = list(groups["regions"])
    assert [node.tag for node in regions] == [f"{SVG}path"] * len(tiny_atlas.regions)
    titles = {node.get("id"): node.find(f"{SVG}title").text for node in regions}
    assert {node.get("data-iso3") for node in regions} == set(titles)
    assert titles["UZB"] == f"Uzbekistan: {status_labels(None)['suspended']} in 2013"
    assert (
        titles["XAB"]
        == f"Abkhazia: Breakaway region of Georgia; {status_labels(None)['non-member']} in 2013"
    )
    title_texts = ["".join(node.itertext()) for node in groups["title"].iter(f"{SVG}text")]
    assert title_texts[0] == "CSTO Atlas · 2013"
    assert root.find(f"{SVG}title").text == "CSTO Atlas · 2013"


# --- the images agree with the map: one look per region and year -----------------------------


def svg_looks(svg: bytes) -> dict[str, list[tuple]]:
    """Each region's looks as the SVG draws them, one per piece: (ground, stripe or None,
    stroke, dashed)."""
    root = ET.fromstring(svg)
    patterns = {node.get("id"): node for node in root.iter(f"{SVG}pattern")}
    looks: dict[str, list[tuple]] = {}
    for path in root.iter(f"{SVG}path"):
        code = path.get("data-iso3")
        if not code:
            continue
        style = dict(
            part.strip().split(": ", 1) for part in path.get("style", "").split(";") if part.strip()
        )
        fill, stripe = style["fill"], None
        if fill.startswith("url(#"):
            pattern = patterns[fill[5:-1]]
            fill = pattern.find(f"{SVG}rect").get("fill")
            stripe = re.search(r"stroke: (#[0-9a-f]{6})", pattern.find(f"{SVG}path").get("style"))[
                1
            ]
        looks.setdefault(code, []).append(
            (fill, stripe, style["stroke"], "stroke-dasharray" in style)
        )
    return looks


def web_look(index: int) -> tuple:
    """The same four of the look the map payload gives (its look table entry)."""
    look = region_look(LOOK_KEYS[index])
    pattern = look["pattern"]
    ground = pattern["ground"] if pattern else look["fillColor"]
    stripe = pattern["stripe"] if pattern else None
    return (
        ground.lower(),
        stripe and stripe.lower(),
        look["color"].lower(),
        bool(look["dashArray"]),
    )


def test_every_regions_look_in_the_svg_is_its_look_in_the_map_payload_in_every_year(
    bundled_atlas,
):
    years = year_range(bundled_atlas.membership)
    features = payloads.region_features(bundled_atlas, years)["features"]
    frame = images.map_frame(bundled_atlas, 400)
    drawing = images.MapDrawing(bundled_atlas, frame, years)
    # Every feature (every piece of a region drawn in pieces) is one path, in the geodata's
    # order; a region is left out only when it lies wholly outside the frame's window.
    drawn = set(images.projected_regions(bundled_atlas, frame)["iso3"])
    assert drawn >= {"ARM", "KAZ", "XCR", "XNK"}
    for year in years:
        drawing.show(year)
        looks = svg_looks(drawing.image("svg"))
        expected: dict[str, list] = {}
        for f in features:
            if f["id"] in drawn:
                look = web_look(f["properties"]["looks"][year - years.start])
                expected.setdefault(f["id"], []).append(look)
        assert looks == expected, year


def pixels_round(
    png: bytes, frame: images.MapFrame, lon: float, lat: float, radius: int = 6
) -> set[tuple]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    column, row = frame.pixel(lon, lat)
    return {
        image.getpixel((c, r))
        for c in range(column - radius, column + radius + 1)
        for r in range(row - radius, row + radius + 1)
    }


def near(pixels: set[tuple], hex_colour: str, tolerance: int = 6) -> bool:
    return any(
        max(abs(a - b) for a, b in zip(p, rgb(hex_colour), strict=True)) <= tolerance
        for p in pixels
    )


def test_crimea_is_grey_hatched_from_2014_and_nagorno_karabakh_azerbaijans_from_2024(
    bundled_atlas,
):
    frame = images.map_frame(bundled_atlas, 1600)
    crimea = inside(bundled_atlas, "XCR")
    karabakh = inside(bundled_atlas, "XNK")
    png_2013 = images.render_map(bundled_atlas, 2013, "png")
    png_2024 = images.render_map(bundled_atlas, 2024, "png")
    in_2024 = pixels_round(png_2024, frame, *crimea)
    assert near(in_2024, ANNEXED_LOOK["fill"]) and near(in_2024, ANNEXED_LOOK["hatch"])
    assert not near(pixels_round(png_2013, frame, *crimea), ANNEXED_LOOK["fill"])
    assert pixels_round(png_2024, frame, *karabakh, radius=2) == {rgb(STATUS_COLOURS["former"])}
    assert len(pixels_round(png_2013, frame, *karabakh, radius=2)) > 1  # hatched in 2013


def test_the_legend_covers_no_member_in_any_year(bundled_atlas):
    years = year_range(bundled_atlas.membership)
    drawing = images.MapDrawing(bundled_atlas, images.map_frame(bundled_atlas, 800), years)
    drawing.pixels()
    renderer = drawing.canvas.get_renderer()
    legend = drawing.legend.get_window_extent(renderer)
    map_box = drawing.axes.get_window_extent(renderer)
    assert legend.x0 >= map_box.x1 - 1  # beside the map, not over it
    for year in years:
        drawing.show(year)
        rows = drawing.model[year]
        codes = bundled_atlas.regions["iso3"]
        members = [
            feature
            for feature in drawing.regions
            if rows[codes[feature]].status in ("member", "frozen")
        ]
        assert members, year
        for feature in members:
            code = codes[feature]
            box = drawing.regions[feature].get_window_extent(renderer)
            visible = box.intersection(box, map_box)
            assert visible is None or not visible.overlaps(legend), (year, code)


def test_the_same_data_gives_the_same_image_bytes(tiny_atlas):
    assert images.render_map(tiny_atlas, 2013, width_px=400) == images.render_map(
        tiny_atlas, 2013, width_px=400
    )


def test_an_unknown_image_format_is_refused(tiny_atlas):
    with pytest.raises(ValueError, match="'bmp' is not an image format"):
        images.render_map(tiny_atlas, 2013, "bmp")


def test_the_gif_is_written_without_imageio(tiny_atlas, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio", None)
    monkeypatch.setitem(sys.modules, "imageio.v3", None)
    gif = images.animate(tiny_atlas, range(2011, 2013), "gif", width_px=300)
    with Image.open(io.BytesIO(gif)) as image:
        assert (image.format, image.n_frames, image.info["loop"]) == ("GIF", 2, 0)


def test_without_the_mp4_extra_animate_says_what_to_install(tiny, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    data_dir, _, _ = tiny
    code = main(["animate", "--format", "mp4", "--first", "2011", "--data", str(data_dir)])
    assert code == 1
    assert "requirements-mp4.lock" in capsys.readouterr().err


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
