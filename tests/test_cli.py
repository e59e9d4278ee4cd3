import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from csto_atlas import cli
from csto_atlas.cli import current_umask, main
from csto_atlas.data import paths
from csto_atlas.domain import export
from tests.tiny import tables, write_dataset

# The CLI draws on the repo's geodata/: the tiny data's points are real places, so they fall in
# the same regions there as in the tiny squares.


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_exits_0_on_clean_data(capsys, tiny):
    data_dir, _, sources_dir = tiny
    code, out, _ = run(capsys, "validate", "--data", str(data_dir), "--sources", str(sources_dir))
    assert code == 0
    assert (
        "valid (3 sources, 6 membership, 1 territories, 3 places, 2 bases, 1 incidents, 1 meetings, 3 notes"
        in out
    )


def test_validate_lists_every_problem_and_exits_1(capsys, tmp_path):
    data = tables()
    data["bases"][0]["lat"] = "243.1"
    data["notes"][0]["year"] = "19x9"
    data_dir, _, _ = write_dataset(tmp_path, data)
    code, _, err = run(capsys, "validate", "--data", str(data_dir))
    assert (code, err.splitlines()) == (
        1,
        [
            "2 problem(s) in the data:",
            "  datasets/bases.csv line 2, column lat: 243.1 is not a latitude (-90..90)",
            "  datasets/notes.csv line 2, column year: '19x9' is not a whole number",
        ],
    )


def test_validate_with_sources_checks_the_quotes(capsys, tmp_path):
    data = tables()
    data["notes"][0]["quote"] = "Uzbekistan never left"
    data_dir, _, sources_dir = write_dataset(tmp_path, data)
    code, _, err = run(capsys, "validate", "--data", str(data_dir), "--sources", str(sources_dir))
    assert (code, err.splitlines()) == (
        1,
        [
            "1 problem(s) in the data:",
            "  datasets/notes.csv line 2, column quote: 'Uzbekistan never left' is not verbatim "
            "in ¶3 of the source",
        ],
    )


def test_the_data_folder_comes_from_the_environment(capsys, tiny, monkeypatch):
    data_dir, _, _ = tiny
    monkeypatch.setenv("CSTO_ATLAS_DATA", str(data_dir))
    code, out, _ = run(capsys, "export", "sources", "--year", "2000")
    assert code == 0
    assert [row["id"] for row in csv.DictReader(io.StringIO(out))] == [
        "tiny-article",
        "tiny-treaty",
        "tiny-places",
    ]


@pytest.mark.parametrize(
    ("layer", "year", "columns", "ids"),
    [
        ("bases", 2009, ["id", "name", "lat", "lon", "host_iso3"], ["gyumri", "gudauta"]),
        ("bases", 2021, ["id", "name", "lat", "lon", "host_iso3"], ["gyumri"]),
        (
            "incidents",
            2018,
            ["id", "name", "date", "lat", "lon", "iso3", "killed"],
            ["border-clash"],
        ),
        ("incidents", 2017, ["id", "name", "date", "lat", "lon", "iso3", "killed"], []),
        (
            "notes",
            1999,
            ["id", "iso3", "year", "text", "source_id", "quote"],
            ["uzb-withdrew", "uzb-signed"],
        ),
        ("meetings", 1992, ["id", "name", "date"], ["tashkent-1992"]),
        (
            "sources",
            1992,
            ["id", "author", "title", "publisher", "date"],
            ["tiny-article", "tiny-treaty", "tiny-places"],
        ),
    ],
)
def test_export_writes_the_layer_for_the_year_as_csv(capsys, tiny, layer, year, columns, ids):
    data_dir, _, _ = tiny
    code, out, _ = run(capsys, "export", layer, "--year", str(year), "--data", str(data_dir))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert out.splitlines()[0].split(",")[: len(columns)] == columns
    assert [row["id"] for row in rows] == ids


def test_export_countries_gives_each_status_that_year(capsys, tiny):
    data_dir, _, _ = tiny
    _, out, _ = run(capsys, "export", "countries", "--year", "2013", "--data", str(data_dir))
    statuses = {row["iso3"]: row["status"] for row in csv.DictReader(io.StringIO(out))}
    assert out.startswith("iso3,name,status")
    assert (statuses["UZB"], statuses["ARM"], statuses["XAB"], statuses["CHN"]) == (
        "suspended",
        "member",
        "non-member",
        "non-member",
    )


def test_export_as_geojson_gives_polygons_and_points(capsys, tiny):
    data_dir, _, _ = tiny
    _, out, _ = run(
        capsys,
        "export",
        "countries",
        "--year",
        "2013",
        "--format",
        "geojson",
        "--data",
        str(data_dir),
    )
    countries = json.loads(out)
    uzbekistan = next(f for f in countries["features"] if f["properties"]["iso3"] == "UZB")
    assert uzbekistan["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert uzbekistan["properties"]["status"] == "suspended"
    _, out, _ = run(
        capsys, "export", "bases", "--year", "2009", "--format", "geojson", "--data", str(data_dir)
    )
    gyumri = json.loads(out)["features"][0]
    assert gyumri["geometry"] == {"type": "Point", "coordinates": [43.85, 40.79]}
    assert gyumri["properties"]["end_year"] is None


@pytest.mark.parametrize("layer", export.LAYERS)
def test_every_layer_exports_as_geojson_with_the_rows_and_columns_of_its_csv(capsys, tiny, layer):
    data_dir, _, _ = tiny
    args = ("export", layer, "--year", "2019", "--data", str(data_dir))
    code, out, _ = run(capsys, *args)
    rows = list(csv.DictReader(io.StringIO(out)))
    geojson_code, out, err = run(capsys, *args, "--format", "geojson")
    collection = json.loads(out)
    assert (code, geojson_code, err, collection["type"]) == (0, 0, "", "FeatureCollection")
    features = collection["features"]
    key = {"countries": "iso3", "borders": "member_iso3"}.get(layer, "id")
    assert rows and [f["properties"][key] for f in features] == [row[key] for row in rows]
    for feature in features:
        properties, geometry = feature["properties"], feature["geometry"]
        assert list(properties)[: len(export.LAYER_COLUMNS[layer])] == export.LAYER_COLUMNS[layer]
        if layer == "countries":
            assert geometry["type"] in {"Polygon", "MultiPolygon"}
        elif layer == "borders":
            assert geometry["type"] in {"LineString", "MultiLineString"}
        elif "lat" in properties:
            assert geometry == {
                "type": "Point",
                "coordinates": [properties["lon"], properties["lat"]],
            }
        else:
            assert geometry is None


def test_export_of_invalid_data_fails_with_the_problems(capsys, tmp_path):
    data = tables()
    data["bases"][0]["lon"] = "east"
    data_dir, _, _ = write_dataset(tmp_path, data)
    code, out, err = run(capsys, "export", "bases", "--year", "2000", "--data", str(data_dir))
    assert (code, out, err.splitlines()) == (
        1,
        "",
        [
            "1 problem(s) in the data:",
            "  datasets/bases.csv line 2, column lon: 'east' is not a number",
        ],
    )


def run_module(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "csto_atlas", *argv],
        capture_output=True,
        text=True,
        cwd=paths.REPO_DIR,
        check=False,
    )


def test_python_dash_m_validates_and_exits_0(tiny):
    data_dir, _, _ = tiny
    done = run_module("validate", "--data", str(data_dir))
    assert (done.returncode, done.stderr) == (0, "")
    assert "valid" in done.stdout


def test_python_dash_m_rejects_an_unknown_layer_with_exit_2():
    done = run_module("export", "bogus", "--year", "2000")
    assert done.returncode == 2
    assert "invalid choice: 'bogus'" in done.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "bases", "--year", "-1"], "argument --year: -1 is not a year (1..9999)"),
        (["export", "bases", "--year", "99999"], "argument --year: 99999 is not a year (1..9999)"),
        (["export", "bases", "--year", "soon"], "argument --year: 'soon' is not a year"),
        (
            ["export", "bases", "--year", "1800"],
            "argument --year: 1800 is outside the data's years",
        ),
        (["export", "bogus", "--year", "2000"], "invalid choice: 'bogus'"),
        (["validate", "--data", "/no/such/folder"], "argument --data: '/no/such/folder' is not"),
    ],
)
def test_arguments_out_of_range_get_one_line_and_exit_2(capsys, tiny, argv, message):
    data_dir, _, _ = tiny
    argv = argv if "--data" in argv else [*argv, "--data", str(data_dir)]
    with pytest.raises(SystemExit) as exited:
        main(argv)
    _, err = capsys.readouterr()
    assert exited.value.code == 2
    assert message in err.splitlines()[-1] and "Traceback" not in err


def test_python_dash_m_rejects_a_negative_year_with_exit_2_and_no_traceback():
    done = run_module("export", "bases", "--year", "-1")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].endswith("argument --year: -1 is not a year (1..9999)")
    assert "Traceback" not in done.stderr


def test_export_status_writes_every_country_in_every_year(capsys, tiny):
    data_dir, _, _ = tiny
    code, out, err = run(capsys, "export", "status", "--data", str(data_dir))
    rows = {row["iso3"]: row for row in csv.DictReader(io.StringIO(out))}
    assert (code, err) == (0, "")
    assert out.startswith("iso3,name,kind,parent_iso3,1992,")
    assert (rows["UZB"]["2011"], rows["UZB"]["2013"]) == ("member", "suspended")


def test_export_status_as_geojson_into_a_folder_names_the_file_with_the_version(
    capsys, tiny, tmp_path
):
    data_dir, _, _ = tiny
    args = ("export", "status", "--format", "geojson", "--data", str(data_dir), "--out")
    code, out, _ = run(capsys, *args, str(tmp_path))
    (written,) = tmp_path.iterdir()
    assert code == 0 and out == f"wrote {written}\n"
    assert written.name.startswith("csto-atlas-status-1992-") and written.suffix == ".geojson"
    assert json.loads(written.read_text())["metadata"]["layer"] == "status"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("export", "status", "--year", "2000"), "export status covers every year"),
        (("export", "bases"), "export bases needs --year YEAR"),
    ],
)
def test_export_says_when_the_year_is_missing_or_not_wanted(capsys, tiny, argv, message):
    data_dir, _, _ = tiny
    with pytest.raises(SystemExit) as stop:
        main([*argv, "--data", str(data_dir)])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_render_refuses_unknown_highlight_codes_with_one_line_and_exit_2(capsys, tiny):
    data_dir, _, _ = tiny
    with pytest.raises(SystemExit) as exited:
        main(["render", "--year", "2000", "--highlight", "arm", "ZZZ", "--data", str(data_dir)])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and "Traceback" not in err
    assert err.splitlines()[-1].endswith(
        "argument --highlight: ZZZ: not the ISO3 code of a region the map draws "
        "(geodata/regions.geojson)"
    )


@pytest.fixture
def fake_render(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """render draws these bytes at once (the writing is under test, not the drawing)."""
    from csto_atlas.render import images

    image = b"\x89PNG fake image"
    monkeypatch.setattr(images, "render_map", lambda *args, **kwargs: image)
    return image


OUT_PATHS = {
    "missing folder": (
        lambda tmp: tmp / "no-such-folder" / "map.png",
        " (No such file or directory)",
    ),
    "path under a regular file": (lambda tmp: tmp / "notes.txt" / "map.png", " (Not a directory)"),
    "a device": (lambda tmp: Path("/dev/full"), ": it is not a regular file"),
    "a folder": (lambda tmp: tmp, ": it is a folder; give a file name"),
}


@pytest.mark.parametrize("kind", OUT_PATHS)
def test_an_output_path_that_cannot_be_written_gets_one_line_and_exit_2(
    capsys, tiny, tmp_path, fake_render, kind
):
    data_dir, _, _ = tiny
    (tmp_path / "notes.txt").write_text("a regular file")
    make, reason = OUT_PATHS[kind]
    out = make(tmp_path)
    code, _, err = run(
        capsys, "render", "--year", "2000", "--out", str(out), "--data", str(data_dir)
    )
    assert code == 2
    assert err == f"python -m csto_atlas: error: cannot write {out}{reason}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_an_export_folder_that_cannot_be_made_gets_one_line_and_exit_2(capsys, tiny, tmp_path):
    data_dir, _, _ = tiny
    (tmp_path / "notes.txt").write_text("a regular file")
    out = tmp_path / "notes.txt" / "exports"
    code, _, err = run(capsys, "export", "status", "--out", str(out), "--data", str(data_dir))
    assert (code, err) == (
        2,
        f"python -m csto_atlas: error: cannot make the folder {out} (Not a directory)\n",
    )


@pytest.mark.parametrize(
    ("failure", "code", "message"),
    [
        (OSError(28, "No space left on device"), 2, "error: cannot write {out} (No space left"),
        (KeyboardInterrupt(), 130, "interrupted"),
    ],
    ids=["disk full", "Ctrl-C"],
)
def test_a_failed_write_leaves_the_old_file_and_no_partial_one(
    capsys, tiny, tmp_path, monkeypatch, fake_render, failure, code, message
):
    data_dir, _, _ = tiny
    out = tmp_path / "map.png"
    out.write_bytes(b"the old image")

    def fail(descriptor: int) -> None:
        raise failure

    monkeypatch.setattr(os, "fsync", fail)
    argv = ("render", "--year", "2000", "--out", str(out), "--data", str(data_dir))
    exit_code, _, err = run(capsys, *argv)
    assert exit_code == code and len(err.splitlines()) == 1
    assert err.startswith("python -m csto_atlas: " + message.format(out=out))
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]
    assert out.read_bytes() == b"the old image"


def test_a_written_file_replaces_the_old_one_with_the_usual_permissions(
    capsys, tiny, tmp_path, fake_render
):
    data_dir, _, _ = tiny
    out = tmp_path / "map.png"
    out.write_bytes(b"the old image")
    code, stdout, _ = run(
        capsys, "render", "--year", "2000", "--out", str(out), "--data", str(data_dir)
    )
    assert (code, stdout, out.read_bytes()) == (0, f"wrote {out}\n", fake_render)
    assert out.stat().st_mode & 0o777 == 0o666 & ~current_umask()
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]


def test_ctrl_c_while_loading_prints_one_line_and_exits_130(capsys, tiny, monkeypatch):
    data_dir, _, _ = tiny

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load_atlas", interrupted)
    assert run(capsys, "validate", "--data", str(data_dir)) == (
        130,
        "",
        "python -m csto_atlas: interrupted\n",
    )


def test_python_dash_m_stopped_by_ctrl_c_exits_130_without_a_traceback(tiny, tmp_path):
    data_dir, _, _ = tiny
    out = tmp_path / "years.gif"
    argv = ["animate", "--out", str(out), "--width", "200", "--data", str(data_dir)]
    process = subprocess.Popen(
        [sys.executable, "-m", "csto_atlas", *argv],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        cwd=paths.REPO_DIR,
        # Ctrl-C as in a terminal: a suite started in the background (`cmd &`) has SIGINT
        # ignored, which a child inherits, and Python then installs no handler for it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stderr is not None
    started = process.stderr.read(len(b"\rframe"))  # the first frame is being drawn
    process.send_signal(signal.SIGINT)
    rest = process.stderr.read().decode()
    assert process.wait(timeout=60) == 130, started + rest.encode()
    assert rest.splitlines()[-1] == "python -m csto_atlas: interrupted"
    assert "Traceback" not in rest and list(tmp_path.iterdir()) == []


def test_export_countries_says_where_the_extent_is_uncertain(capsys):
    """The export reads the year model's extent (geodata/periods.csv): Abkhazia's 2017 outline
    is not the area held in 1995."""
    assert main(["export", "countries", "--year", "1995"]) == 0
    rows = {row["iso3"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert (rows["XAB"]["extent"], rows["GEO"]["extent"]) == ("uncertain", "known")
    assert main(["export", "countries", "--year", "2010"]) == 0
    rows = {row["iso3"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows["XAB"]["extent"] == "known"
