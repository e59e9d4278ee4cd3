"""True borders in each year: territory statuses, the status a region is drawn with, the
letters the browser reads, the panel's words and the export's checked-until date."""

import re
from datetime import date

import pandas as pd
import pytest

from csto_atlas.data.territories import drawn_years, territory_table
from csto_atlas.domain import export
from csto_atlas.domain.panel import panel_contents
from csto_atlas.domain.sources import checked_until, citations_by_id
from csto_atlas.domain.yearmodel import feature_model, feature_table, model_table, years_model
from csto_atlas.render import html
from csto_atlas.render.payload import region_features

YEARS = range(2012, 2026)


def events(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """Territory events (iso3, date YYYY-MM-DD, status), primary accounts."""
    frame = pd.DataFrame(rows, columns=["iso3", "date", "status"])
    return frame.assign(ends=pd.to_datetime(frame["date"]), same_as=pd.NA)


def test_an_annexed_territory_is_part_of_its_parent_until_its_annexation():
    kinds = pd.Series({"XCR": "annexed territory"})
    table = territory_table(events(("XCR", "2014-03-18", "annexed")), kinds, YEARS)
    assert table.loc["XCR", 2013] == "part of parent"
    assert table.loc["XCR", 2014] == "annexed"


def test_a_breakaway_is_its_own_region_until_it_becomes_part_of_its_parent():
    kinds = pd.Series({"XNK": "breakaway", "AZE": "state"})
    table = territory_table(events(("XNK", "2024-01-01", "part of parent")), kinds, YEARS)
    assert table.loc["XNK", [2023, 2024]].tolist() == ["breakaway", "part of parent"]
    assert set(table.loc["AZE"]) == {"state"}


def test_drawn_years_give_from_and_to_year_and_refuse_broken_spans():
    table = pd.DataFrame(
        {2013: ["part of parent", "breakaway"], 2014: ["annexed", "part of parent"]},
        index=["XCR", "XNK"],
    )
    spans = drawn_years(table)
    assert spans.loc["XCR"].tolist() == [2014, pd.NA]
    assert spans.loc["XNK"].tolist() == [pd.NA, 2013]
    broken = pd.DataFrame({2013: ["breakaway"], 2014: ["part of parent"], 2015: ["breakaway"]})
    with pytest.raises(ValueError, match="broken spans"):
        drawn_years(broken)


def tables(atlas, years):
    """The model's territory and drawn-status tables (rows iso3, columns years)."""
    model = years_model(atlas, years)
    return model_table(model, "territory"), model_table(model, "status")


def test_crimea_is_drawn_as_ukraine_before_2014_and_annexed_from_2014(bundled_atlas):
    territory, drawn = tables(bundled_atlas, YEARS)
    assert territory.loc["XCR", 2013] == "part of parent"
    assert drawn.loc["XCR", 2013] == drawn.loc["UKR", 2013] == "non-member"
    assert territory.loc["XCR", 2014] == "annexed"
    assert (drawn.loc["XCR"] != "member").all()


def test_nagorno_karabakh_is_drawn_as_azerbaijan_from_2023_when_its_forces_disarmed(
    bundled_atlas,
):
    territory, drawn = tables(bundled_atlas, YEARS)
    assert territory.loc["XNK", 2022] == "breakaway"
    assert territory.loc["XNK", 2023] == "part of parent"
    assert territory.loc["XNK", 2024] == "part of parent"
    assert drawn.loc["XNK", 2023] == drawn.loc["AZE", 2023]


def test_each_karabakh_piece_is_part_of_azerbaijan_outside_its_years(bundled_atlas):
    years = range(1992, 2026)
    features = feature_model(bundled_atlas, years_model(bundled_atlas, years))
    drawn, territory = feature_table(features, "status"), feature_table(features, "territory")
    regions = bundled_atlas.regions
    pieces = regions.index[regions["iso3"] == "XNK"]
    letters = {
        (regions.at[i, "from_year"], regions.at[i, "to_year"]): territory.loc[i, [1992, 2010, 2021]]
        for i in pieces
    }
    by_end = {int(end): row.tolist() for (start, end), row in letters.items() if pd.isna(start)}
    assert by_end[2022] == ["breakaway", "breakaway", "breakaway"]  # the rest of the oblast
    assert by_end[2019] == ["breakaway", "breakaway", "part of parent"]  # Shusha
    districts = [
        row.tolist() for (start, _), row in letters.items() if start is not pd.NA and start == 1993
    ]
    assert districts == [["part of parent", "breakaway", "part of parent"]]
    # Outside its years a piece takes Azerbaijan's status, as the whole region does from 2023.
    (i,) = [
        i
        for i in pieces
        if regions.at[i, "from_year"] is not pd.NA and regions.at[i, "from_year"] == 1993
    ]
    assert drawn.at[i, 2021] == tables(bundled_atlas, years)[1].at["AZE", 2021]


def test_the_browser_reads_territory_letters_and_the_annexing_state(bundled_atlas):
    features = {
        f["properties"]["iso3"]: f["properties"]
        for f in region_features(bundled_atlas, YEARS)["features"]
    }
    crimea = features["XCR"]
    assert crimea["terr"][2013 - YEARS.start] == "p" and crimea["terr"][2014 - YEARS.start] == "a"
    assert crimea["by"] == "Russia" and crimea["parent"] == "Ukraine"
    assert crimea["codes"][2013 - YEARS.start] == features["UKR"]["codes"][2013 - YEARS.start]
    assert features["XNK"]["terr"][2024 - YEARS.start] == "p"
    assert set(features["RUS"]["terr"]) == {"s"}


def runs_in(content: dict, year: int) -> list[dict]:
    """The territory runs of a panel's content that hold in `year`."""
    return [run for run in content["territories"] if run["from"] <= year <= run["to"]]


def test_the_panel_says_what_the_map_does_not_show_and_cites_the_dissolution(bundled_atlas):
    content = panel_contents(bundled_atlas, YEARS)["XNK"]
    assert [run["territory"] for run in runs_in(content, 2024)] == ["part of parent"]
    assert [run["territory"] for run in runs_in(content, 2022)] == ["breakaway"]
    assert "December 2020" in content["map_limits"]
    (event,) = [e for e in content["territory_events"] if e["id"] == "xnk-dissolved-2024"]
    assert event["source_id"] == "today-reuters-2023-09-28"
    assert [other["source_id"] for other in event["others"]] == ["massispost-2023-12-22"]


def test_while_part_of_azerbaijan_karabakh_states_azerbaijans_status(bundled_atlas):
    content = panel_contents(bundled_atlas, YEARS)["XNK"]
    (period,) = [p for p in content["periods"] if p["from"] <= 2024 <= p["to"]]
    assert period["of_parent"] and period["from"] == 2023
    assert period["status"] == tables(bundled_atlas, YEARS)[1].at["AZE", 2024]


def test_the_panel_of_crimea_after_2014_says_annexed_by_russia(bundled_atlas):
    content = panel_contents(bundled_atlas, YEARS)["XCR"]
    (run,) = runs_in(content, 2015)
    assert (run["territory"], run["annexed_by"], content["parent"]) == (
        "annexed",
        "Russia",
        "Ukraine",
    )
    # Annexed: no CSTO status is stated; before, Ukraine's (part of its parent).
    assert not [p for p in content["periods"] if p["to"] >= 2014]
    assert all(p["of_parent"] for p in content["periods"])


def test_checked_until_is_the_newest_report_not_the_gazetteer(bundled_atlas):
    newest = bundled_atlas.sources[bundled_atlas.sources["kind"] != "dataset"]["starts"].max()
    assert pd.Timestamp(checked_until(bundled_atlas.sources)) == newest


def test_the_countries_export_says_up_to_when_the_current_year_was_checked(bundled_atlas):
    this_year = export.layer_frame(bundled_atlas, "countries", date.today().year)
    assert set(this_year["checked_until"]) == {checked_until(bundled_atlas.sources)}
    earlier = export.layer_frame(bundled_atlas, "countries", 2013)
    assert earlier["checked_until"].isna().all()
    assert earlier.set_index("iso3").at["XCR", "territory"] == "part of parent"


def test_crimeas_prepared_panel_is_part_of_ukraine_to_2013_then_annexed(bundled_atlas):
    content = panel_contents(bundled_atlas, YEARS)["XCR"]
    page = html.panel(content, citations_by_id(bundled_atlas.sources))
    annexed = re.search(
        r'<p class="csto-territory" data-from="(\d+)" data-to="(\d+)"><strong>Annexed', page
    )
    assert annexed and annexed.groups() == ("2014", str(YEARS.stop - 1))
    part = re.search(
        r'<p class="csto-territory" data-from="(\d+)" data-to="(\d+)"><em>Part of Ukraine', page
    )
    assert part and part.groups() == (str(YEARS.start), "2013")
    assert "(Ukraine) on 31 December" in page
    assert "What the map does not show:" in page
