"""The data folder's alliance.toml: its wording reaches every view, its errors name file, line
and column, its folders are found; GUAM's folder speaks of GUAM alone."""

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from csto_atlas.cli import main
from csto_atlas.data import paths
from csto_atlas.data.alliance import ALLIANCE_FILE, bundled_alliance, load_alliance
from csto_atlas.data.errors import DataError
from csto_atlas.data.load import load_atlas
from csto_atlas.render import images, mapbuild
from csto_atlas.render.contract import client_config
from csto_atlas.render.payload import map_payload
from tests.test_pages import run_app

GUAM_DIR = paths.REPO_DIR / "examples" / "guam"
BUNDLED = (paths.BUNDLED_DATA_DIR / ALLIANCE_FILE).read_text(encoding="utf-8")


def write_alliance(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ALLIANCE_FILE).write_text(text, encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(DataError) as raised:
        load_alliance(folder)
    return [str(problem) for problem in raised.value.problems]


def line_of(text: str, start: str) -> int:
    """The 1-based line of `text` that starts with `start`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


# --- the file ---------------------------------------------------------------------------------


def test_the_bundled_folder_speaks_of_the_csto():
    alliance = load_alliance(paths.BUNDLED_DATA_DIR)
    assert (alliance.short_name, alliance.title) == ("CSTO", "CSTO Atlas")
    assert alliance.layers["bases"]["name"] == "Russian bases"
    assert alliance.geodata_dir == paths.GEODATA_DIR
    assert alliance.sources_dir == paths.sources_dir()


def test_the_guam_folder_speaks_of_guam_and_is_drawn_on_the_bundled_geodata():
    alliance = load_alliance(GUAM_DIR)
    assert (alliance.short_name, alliance.title) == ("GUAM", "GUAM Atlas")
    assert alliance.legend_title == "GUAM status on 31 December"
    assert alliance.geodata_dir == paths.GEODATA_DIR
    every_word = " ".join(str(value) for value in vars(alliance).values())
    assert "CSTO" not in every_word and "Russian" not in every_word


def test_a_folder_without_the_file_speaks_as_the_bundled_one(tmp_path):
    assert load_alliance(tmp_path).title == bundled_alliance().title


def test_a_toml_syntax_error_names_file_line_and_column(tmp_path):
    text = BUNDLED.replace('short_name = "CSTO"', 'short_name = "CSTO')
    line = line_of(text, "short_name")
    [problem] = problems_of(write_alliance(tmp_path / "mine", text))
    assert re.fullmatch(rf"mine/alliance\.toml line {line}, column \d+: is not TOML: .+", problem)


def test_an_unknown_key_is_reported_at_its_line(tmp_path):
    text = BUNDLED.replace("[legend]\n", "[legend]\ncolour = 'red'\n")
    line = line_of(text, "colour")
    assert problems_of(write_alliance(tmp_path / "mine", text)) == [
        f"mine/alliance.toml line {line}, column 1: 'colour' is not a key of [legend]; "
        "expected one of title, map_label"
    ]


def test_a_missing_label_and_a_number_are_reported(tmp_path):
    text = BUNDLED.replace(
        'observer = "Observer in the Parliamentary Assembly (not a member)"\n', ""
    )
    text = text.replace('title = "CSTO Atlas"', "title = 7")
    problems = problems_of(write_alliance(tmp_path / "mine", text))
    assert f"mine/alliance.toml line {line_of(text, 'title = 7')}, column 1: title must be a " in (
        "\n".join(problems)
    )
    statuses = line_of(text, "[statuses]")
    assert (
        f"mine/alliance.toml line {statuses}, column 1: [statuses] has no 'observer'; "
        "it is required"
    ) in problems


def test_a_status_the_engine_does_not_know_is_refused(tmp_path):
    text = BUNDLED.replace("[statuses]\n", "[statuses]\npartner = 'Partner'\n")
    [problem] = problems_of(write_alliance(tmp_path / "mine", text))
    assert problem.startswith(f"mine/alliance.toml line {line_of(text, 'partner')}, column 1: ")
    assert "'partner' is not a key of [statuses]" in problem


def test_a_missing_folder_is_named_and_a_present_one_is_used(tmp_path):
    mine = tmp_path / "mine"
    text = BUNDLED.replace("[alliance]\n", "[folders]\ngeodata = 'maps'\n\n[alliance]\n", 1)
    [problem] = problems_of(write_alliance(mine, text))
    assert problem.startswith(f"mine/alliance.toml line {line_of(text, 'geodata')}, column 1: ")
    assert "'maps' is not a folder" in problem
    (mine / "maps").mkdir()
    assert load_alliance(mine).geodata_dir == (mine / "maps").resolve()


def test_geodata_and_sources_inside_the_data_folder_are_found_without_saying_so(tmp_path):
    (tmp_path / "geodata").mkdir()
    (tmp_path / "sources").mkdir()
    alliance = load_alliance(tmp_path)
    assert (alliance.geodata_dir, alliance.sources_dir) == (
        tmp_path / "geodata",
        tmp_path / "sources",
    )


def test_the_atlas_is_drawn_on_the_folder_its_file_names(tiny, tmp_path):
    data_dir, geodata_dir, _ = tiny
    mine = tmp_path / "mine"
    shutil.copytree(data_dir, mine)
    text = BUNDLED.replace("[alliance]\n", f"[folders]\ngeodata = '{geodata_dir}'\n\n[alliance]\n")
    write_alliance(mine, text)
    assert set(load_atlas(mine).regions["iso3"]) == set(
        load_atlas(data_dir, geodata_dir).regions["iso3"]
    )


def test_validate_reports_a_bad_alliance_file_with_its_line_and_no_traceback(
    tiny, tmp_path, capsys
):
    mine = tmp_path / "mine"
    shutil.copytree(tiny[0], mine)
    write_alliance(mine, BUNDLED.replace("[legend]\n", "[legend]\ncolour = 'red'\n"))
    assert main(["validate", "--data", str(mine)]) == 1
    _, err = capsys.readouterr()
    assert "Traceback" not in err
    assert f"mine/alliance.toml line {line_of(BUNDLED, '[legend]') + 1}, column 1: 'colour'" in err


# --- the views --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guam_atlas():
    return load_atlas(GUAM_DIR)


def visible(page: str) -> str:
    """A page without its CSS and JavaScript comments (the engine's own, never shown)."""
    return re.sub(r"/\*.*?\*/", "", page, flags=re.DOTALL)


def test_the_guam_map_its_panels_and_popups_never_say_csto(guam_atlas):
    payload = map_payload(guam_atlas, range(1997, 2009))
    page = visible(mapbuild.build_map(payload).get_root().render())
    for text in (page, *payload.panels().values(), *payload.markers_json.values()):
        assert "CSTO" not in text and "Russian base" not in text and "Treaty-wide" not in text
    assert "GUAM status on 31 December" in page
    assert "Organisation-wide events, the same for every member state" in payload.panels()["AZE"]
    assert '"meetings":"Summits"' in page


def test_the_guam_legend_and_layers_are_in_the_files_words(guam_atlas):
    config = client_config(1997, 2008, [[0, 0], [1, 1]], {}, alliance=guam_atlas.alliance)
    assert config["text"]["legendTitle"] == "GUAM status on 31 December"
    assert [entry["label"] for entry in config["statuses"]][1] == (
        "Member, own participation suspended"
    )
    assert config["layerNames"]["bases"] == "GUAM bases"


def test_the_guam_image_is_titled_and_credited_guam(guam_atlas):
    svg = images.render_map(guam_atlas, 2003, "svg", width_px=800).decode("utf-8")
    assert "GUAM Atlas · 2003" in svg
    assert "Uzbekistan: Member, own participation suspended in 2003" in svg
    assert "CSTO" not in svg and "Russian" not in svg


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["export", "status", "--format", "geojson"], '"title": "GUAM Atlas: status on 31'),
        (["export", "countries", "--year", "2003", "--format", "geojson"], "GUAM Atlas: countries"),
    ],
)
def test_the_cli_exports_guam_without_a_csto_word(capsys, argv, expected):
    assert main([*argv, "--data", str(GUAM_DIR)]) == 0
    out, _ = capsys.readouterr()
    assert expected in out
    assert "CSTO" not in out


def test_the_cli_names_guam_files_after_guam(tmp_path, capsys):
    assert (
        main(["export", "all", "--year", "2003", "--out", str(tmp_path), "--data", str(GUAM_DIR)])
        == 0
    )
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names and all(name.startswith("guam-atlas-") for name in names)
    assert main(["export", "site", "--out", str(tmp_path / "site"), "--data", str(GUAM_DIR)]) == 0
    page = visible((tmp_path / "site" / "index.html").read_text("utf-8"))
    assert "<title>GUAM Atlas</title>" in page
    assert "CSTO" not in page


# --- the app ------------------------------------------------------------------------------


def app_texts(node: object) -> Iterator[str]:
    """Every element's content in an AppTest tree (its protobuf as text), depth first."""
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from app_texts(child)
    elif getattr(node, "proto", None) is not None:
        yield str(node.proto)


@pytest.mark.parametrize(
    "page",
    [
        None,
        "pages/timeline.py",
        "pages/changes.py",
        "pages/borders.py",
        "pages/data.py",
        "pages/sources.py",
        "pages/about.py",
    ],
)
def test_every_page_of_the_guam_folder_speaks_of_guam_alone(page, monkeypatch):
    monkeypatch.setenv(paths.DATA_ENV_VAR, str(GUAM_DIR))
    app = run_app(page=page)
    shown = visible("\n".join(app_texts(app._tree)))
    assert "CSTO" not in shown
    assert "Treaty-wide" not in shown and "Russian base" not in shown
    assert "GUAM" in shown


def test_a_bidi_override_in_a_label_is_refused(tmp_path):
    text = BUNDLED.replace('member = "Member"', 'member = "Mem\u202eber"')
    [problem] = problems_of(write_alliance(tmp_path / "mine", text))
    assert problem.startswith(f"mine/alliance.toml line {line_of(text, 'member =')}, column 1: ")
    assert "bidirectional control" in problem
