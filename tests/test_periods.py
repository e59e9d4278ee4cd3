"""geodata/periods.csv: the periods of one piece follow one another (no overlap, no gap), each
error naming file, line and column; the bundled file is clean."""

from pathlib import Path

import pandas as pd
import pytest

from csto_atlas.data.errors import DataError
from csto_atlas.data.load import load_atlas
from csto_atlas.data.periods import piece_years, read_periods, uncertain_years

HEADER = "iso3,piece,admin1,from_event,to_event,extent,note\n"
TERRITORIES = pd.DataFrame(
    {
        "id": ["xab-a-1993", "xab-b-2008", "xab-c-2010", "xso-d-2008"],
        "iso3": ["XAB", "XAB", "XAB", "XSO"],
        "date": ["1993-09-27", "2008-08-12", "2010-01", "2008-08"],
    }
)


def periods_of(tmp_path: Path, rows: str) -> pd.DataFrame:
    (tmp_path / "periods.csv").write_text(HEADER + rows, encoding="utf-8")
    return read_periods(tmp_path, TERRITORIES)


def test_periods_that_follow_one_another_are_read_with_their_years(tmp_path: Path) -> None:
    periods = periods_of(
        tmp_path,
        "XAB,Abkhazia,,,xab-b-2008,uncertain,\nXAB,Abkhazia,,xab-b-2008,,,\n"
        "XSO,South Ossetia,,,xso-d-2008,uncertain,\n",
    )
    assert list(periods["extent"]) == ["uncertain", "known", "uncertain"]
    assert periods["to_year"].tolist()[:1] == [2007]
    pieces = piece_years(periods)
    assert list(pieces["iso3"]) == ["XAB", "XSO"]
    assert pieces["from_year"].isna().all()
    assert pieces["to_year"].tolist() == [pd.NA, 2007]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            "XAB,Abkhazia,,,xab-b-2008,uncertain,\nXAB,Abkhazia,,xab-a-1993,,,\n",
            r"periods\.csv line 3, column from_event: XAB 'Abkhazia': 1993 on overlaps "
            r"line 2 \(the start to 2007\)",
            id="overlap",
        ),
        pytest.param(
            "XAB,Abkhazia,,,xab-a-1993,uncertain,\nXAB,Abkhazia,,xab-b-2008,,,\n",
            r"periods\.csv line 3, column from_event: XAB 'Abkhazia': 2008 on leaves "
            r"1993 to 2007 without a period after line 2",
            id="gap",
        ),
        pytest.param(
            "XAB,Abkhazia,,,,uncertain,\nXAB,Abkhazia,,xab-b-2008,,,\n",
            r"line 3, column from_event: XAB 'Abkhazia': 2008 on overlaps line 2 \(the start on\)",
            id="an open period and another",
        ),
        pytest.param(
            "XAB,Abkhazia,,xab-b-2008,xab-c-2010,,\nXAB,Abkhazia,AZE-1;AZE-2,xab-c-2010,,,\n",
            r"line 3, column admin1: 'AZE-1;AZE-2': a period of XAB 'Abkhazia' must name the "
            r"districts of line 2",
            id="other districts",
        ),
        pytest.param(
            "XAB,Abkhazia,,,,unsure,\n",
            r"line 2, column extent: 'unsure' is not an extent \(expected one of known, uncertain\)",
            id="unknown extent",
        ),
        pytest.param(
            "XAB,Abkhazia,,xso-d-2008,,,\n",
            r"line 2, column from_event: 'xso-d-2008' is not an event of XAB",
            id="event of another region",
        ),
    ],
)
def test_broken_periods_fail_with_file_line_and_column(
    tmp_path: Path, rows: str, expected: str
) -> None:
    with pytest.raises(DataError, match=expected):
        periods_of(tmp_path, rows)


def test_pieces_of_one_region_may_share_years(tmp_path: Path) -> None:
    """Periods of different pieces are different places: their years may overlap."""
    periods = periods_of(tmp_path, "XAB,north,,,,,\nXAB,south,,xab-a-1993,,,\n")
    assert len(periods) == 2


def test_validate_reports_broken_periods_with_their_line(tmp_path: Path) -> None:
    geodata = tmp_path / "geodata"
    geodata.mkdir()
    bundled = Path(__file__).parents[1] / "geodata"
    (geodata / "regions.geojson").write_bytes((bundled / "regions.geojson").read_bytes())
    lines = (bundled / "periods.csv").read_text(encoding="utf-8").splitlines()
    known = next(i for i, line in enumerate(lines) if line.startswith("XAB,Abkhazia,,xab-kodori"))
    lines[known] = lines[known].replace("xab-kodori-2008", "", 1)  # now open: from the start
    (geodata / "periods.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = rf"periods\.csv line {known + 1}, column from_event: XAB 'Abkhazia'.* overlaps"
    with pytest.raises(DataError, match=expected):
        load_atlas(geodata_dir=geodata)


def test_the_bundled_periods_are_clean_and_mark_the_uncertain_years() -> None:
    atlas = load_atlas()
    uncertain = uncertain_years(atlas.periods, ["XAB", "XSO", "XNK"], range(1992, 2026))
    assert ("XAB", 1993) in uncertain and ("XAB", 2007) in uncertain
    assert ("XAB", 2008) not in uncertain and ("XSO", 2010) not in uncertain
    assert ("XNK", 2021) in uncertain and ("XNK", 2019) not in uncertain
