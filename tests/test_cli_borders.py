"""python -m csto_atlas export borders: members' land borders with non-members for a year."""

import csv
import io
import json

import pytest

from csto_atlas.cli import main
from csto_atlas.data.load import load_atlas
from csto_atlas.domain import borders
from csto_atlas.domain import export as export_layers
from tests.test_cli import run_module

# The CLI draws on the repo's geodata/, so the tiny data's members (Armenia always, Uzbekistan
# 1992-1998 and 2006-2011) border their real neighbours.


def export(capsys, *argv: str) -> tuple[int, str]:
    code = main(["export", "borders", *argv])
    out, err = capsys.readouterr()
    assert err == ""
    return code, out


def test_the_csv_lists_each_members_border_with_each_non_member(capsys, tiny):
    data_dir, _, _ = tiny
    code, out = export(capsys, "--year", "1995", "--data", str(data_dir))
    assert code == 0
    assert out.splitlines()[0].startswith("member_iso3,neighbour_iso3,km,")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["member_iso3"] for row in rows} == {"ARM", "UZB"}
    assert {"AZE", "GEO", "TUR"} <= {
        row["neighbour_iso3"] for row in rows if row["member_iso3"] == "ARM"
    }
    assert all(float(row["km"]) > 0 for row in rows)
    assert "geometry" not in rows[0]


def test_the_csv_total_is_the_outer_border_of_the_year(capsys, tiny):
    data_dir, _, _ = tiny
    _, out = export(capsys, "--year", "2007", "--data", str(data_dir))
    total = sum(float(row["km"]) for row in csv.DictReader(io.StringIO(out)))
    expected = borders.outer_border_km(load_atlas(data_dir), 2007)
    assert total == pytest.approx(expected, abs=0.1 * len(out.splitlines()))


def test_the_geojson_gives_the_shared_lines_with_their_codes(capsys, tiny):
    data_dir, _, _ = tiny
    code, out = export(capsys, "--year", "1995", "--format", "geojson", "--data", str(data_dir))
    assert code == 0
    collection = json.loads(out)
    assert collection["type"] == "FeatureCollection"
    kinds = {feature["geometry"]["type"] for feature in collection["features"]}
    assert kinds <= {"LineString", "MultiLineString"} and kinds
    first = collection["features"][0]["properties"]
    assert {"member_iso3", "neighbour_iso3", "km"} <= set(first)
    assert "geometry" not in first


def test_a_year_without_members_gives_the_header_only(tiny_atlas):
    out = export_layers.to_csv(export_layers.layer_frame(tiny_atlas, "borders", 1991))
    assert out.splitlines() == [",".join([*borders.BORDER_COLUMNS, "year"])]


def test_a_year_outside_the_data_is_a_usage_error(capsys, tiny):
    data_dir, _, _ = tiny
    with pytest.raises(SystemExit) as exit_:
        main(["export", "borders", "--year", "1991", "--data", str(data_dir)])
    assert exit_.value.code == 2
    assert "outside the data's years" in capsys.readouterr().err


def test_python_dash_m_exports_the_bundled_borders_of_2019():
    result = run_module("export", "borders", "--year", "2019")
    assert result.returncode == 0, result.stderr
    rows = {
        (row["member_iso3"], row["neighbour_iso3"]): row
        for row in csv.DictReader(io.StringIO(result.stdout))
    }
    assert rows["TJK", "AFG"]["neighbour_status"] == "observer"
    assert rows["RUS", "CHN"]["neighbour_name"] == "China"
    assert ("KAZ", "RUS") not in rows, "two members' common border is not an outer border"
