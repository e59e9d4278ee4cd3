"""The model of a year (domain/yearmodel.py) and the one rule for the event in effect."""

import pandas as pd
import pytest

from csto_atlas.data.events import in_effect_by_year
from csto_atlas.domain import yearmodel
from csto_atlas.domain.status import status_table, year_range
from csto_atlas.render import payload as payloads
from csto_atlas.render import style


def region(model: list[yearmodel.RegionYear], iso3: str) -> yearmodel.RegionYear:
    return next(row for row in model if row.iso3 == iso3)


def test_crimea_is_drawn_as_ukraine_until_2013_then_annexed_by_russia(bundled_atlas):
    in_2013 = region(yearmodel.year_model(bundled_atlas, 2013), "XCR")
    in_2014 = region(yearmodel.year_model(bundled_atlas, 2014), "XCR")
    ukraine = region(yearmodel.year_model(bundled_atlas, 2013), "UKR")
    assert (in_2013.territory, in_2013.status, in_2013.event_id) == (
        "part of parent",
        ukraine.status,
        ukraine.event_id,
    )
    assert in_2013.look == f"part of parent:{ukraine.status}"
    assert (in_2014.territory, in_2014.look, in_2014.annexed_by, in_2014.annexed_by_name) == (
        "annexed",
        "annexed",
        "RUS",
        "Russia",
    )
    assert in_2014.territory_event_id == "xcr-annexed-2014"


def test_nagorno_karabakh_is_hatched_to_2023_and_azerbaijan_from_2024(bundled_atlas):
    in_2023 = region(yearmodel.year_model(bundled_atlas, 2023), "XNK")
    in_2024 = region(yearmodel.year_model(bundled_atlas, 2024), "XNK")
    azerbaijan = region(yearmodel.year_model(bundled_atlas, 2024), "AZE")
    assert in_2023.look.startswith("breakaway:")
    assert (in_2024.territory, in_2024.status, in_2024.look) == (
        "part of parent",
        azerbaijan.status,
        f"part of parent:{azerbaijan.status}",
    )
    assert in_2024.own_status == "non-member"


def test_every_region_and_year_has_a_name_a_status_and_a_known_look(bundled_atlas):
    years = year_range(bundled_atlas.membership)
    model = yearmodel.years_model(bundled_atlas, years)
    assert len(model) == len(bundled_atlas.regions) * len(years)
    assert model["look"].isin(yearmodel.LOOK_KEYS).all()
    assert model["name"].ne("").all()
    own = status_table(bundled_atlas.membership, list(bundled_atlas.regions["iso3"]), years)
    assert (yearmodel.model_table(model, "own_status") == own).all().all()


def test_a_states_status_comes_with_the_event_behind_it(tiny_atlas):
    uzbekistan = region(yearmodel.year_model(tiny_atlas, 2013), "UZB")
    assert (uzbekistan.status, uzbekistan.event_id, uzbekistan.detail) == (
        "suspended",
        "uzb-suspends",
        "membership suspended",
    )
    abkhazia = region(yearmodel.year_model(tiny_atlas, 2013), "XAB")
    assert (abkhazia.event_id, abkhazia.look, abkhazia.parent_name) == (
        None,
        "breakaway:non-member",
        "Georgia",
    )


def test_two_events_on_one_day_the_later_row_of_the_file_wins():
    events = pd.DataFrame(
        {
            "id": ["a", "b", "c", "alt"],
            "iso3": ["UZB", "UZB", "UZB", "UZB"],
            "status": ["member", "suspended", "former", "member"],
            "ends": pd.to_datetime(["2012-12-01", "2012-12-01", "2014-01-01", "2013-06-01"]),
            "same_as": [None, None, None, "b"],
        }
    )
    found = in_effect_by_year(events, ["UZB"], range(2011, 2015), ["id", "status"])
    assert found["id"].fillna("-").tolist() == ["-", "b", "b", "c"]


def test_every_look_key_has_a_look_and_hatched_looks_have_their_pattern():
    for entry in style.region_looks(yearmodel.LOOK_KEYS):
        if entry["pattern"]:
            assert entry["fillColor"] == f"url(#{entry['pattern']['id']})"
        else:
            assert entry["fillColor"].startswith("#")
    ids = [e["pattern"]["id"] for e in style.region_looks(yearmodel.LOOK_KEYS) if e["pattern"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("year", [1992, 2013, 2014, 2024])
def test_the_map_payload_carries_the_models_look_per_region_and_year(bundled_atlas, year):
    years = range(1992, 2027)
    features = payloads.region_features(bundled_atlas, years)["features"]
    looks = {
        f["properties"]["iso3"]: yearmodel.LOOK_KEYS[f["properties"]["looks"][year - 1992]]
        for f in features
    }
    model = {row.iso3: row.look for row in yearmodel.year_model(bundled_atlas, year)}
    assert looks == model
