"""The second alliance, GUAM, from its own folder: it validates and the CLI exports it."""

import csv
import io

import pytest

from csto_atlas.cli import main
from csto_atlas.data import paths

GUAM_DIR = paths.REPO_DIR / "examples" / "guam"
FOUNDERS = ["AZE", "GEO", "MDA", "UKR"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_guam_folder_validates(capsys):
    code, out, err = run(capsys, "validate", "--data", str(GUAM_DIR))
    assert (code, err) == (0, "")
    assert "valid (30 sources, 16 membership, 3 territories, 5 places, 0 bases" in out


def test_the_cli_exports_the_guam_countries_of_2000(capsys):
    code, out, _ = run(capsys, "export", "countries", "--year", "2000", "--data", str(GUAM_DIR))
    assert code == 0
    rows = {row["iso3"]: row for row in csv.DictReader(io.StringIO(out))}
    members = sorted(iso3 for iso3, row in rows.items() if row["status"] == "member")
    # Crimea is drawn as part of Ukraine in 2000, so it takes Ukraine's status.
    assert members == sorted([*FOUNDERS, "UZB", "XCR"])
    assert rows["UZB"]["event_id"] == "uzb-join-1999"
    assert rows["XTR"]["status"] == "non-member"


@pytest.fixture(scope="module")
def status_table() -> dict[str, dict[str, str]]:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", out)
        assert main(["export", "status", "--data", str(GUAM_DIR)]) == 0
    return {row["iso3"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}


def test_uzbekistan_is_guuam_from_1999_frozen_from_2002_and_gone_by_2005(status_table):
    uzbekistan = status_table["UZB"]
    years = {year: uzbekistan[str(year)] for year in range(1997, 2007)}
    assert years == {
        1997: "non-member",
        1998: "non-member",
        1999: "member",
        2000: "member",
        2001: "member",
        2002: "frozen",
        2003: "frozen",
        2004: "frozen",
        2005: "former",
        2006: "former",
    }


@pytest.mark.parametrize("iso3", FOUNDERS)
def test_the_four_founders_are_members_from_1997(status_table, iso3):
    row = status_table[iso3]
    years = [column for column in row if column.isdigit()]
    assert years[0] == "1997"
    assert {row[year] for year in years} == {"member"}


def test_no_guam_row_cites_an_article_file_outside_the_folder():
    with (GUAM_DIR / "sources.csv").open(newline="", encoding="utf-8") as handle:
        sources = list(csv.DictReader(handle))
    assert [row["id"] for row in sources if row["file"] or row["body"]] == []
    assert [row["id"] for row in sources if not row["url"]] == []


def test_the_cli_exports_the_guam_summits_of_2008_with_their_places(capsys):
    code, out, _ = run(capsys, "export", "meetings", "--year", "2008", "--data", str(GUAM_DIR))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["id"]: row["place_id"] for row in rows}["batumi-2008"] == "batumi"
    # Yalta lies in Crimea, drawn as its own region: its meetings are placed there.
    assert {row["id"] for row in rows if row["iso3"] == "XCR"} == {"yalta-2001", "yalta-2002"}
