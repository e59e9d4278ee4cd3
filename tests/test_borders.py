"""Border geometry against shapes with known answers, and the per-year border views."""

import dataclasses

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from csto_atlas.data import border_lines
from csto_atlas.domain import borders

GEOD = border_lines.GEOD


def frame(rows, crs="EPSG:4326", **columns) -> gpd.GeoDataFrame:
    """A regions frame of (iso3, shape) rows, with extra columns."""
    codes, shapes = zip(*rows, strict=True)
    data = {"iso3": list(codes), "name": list(codes), "kind": "state", "parent_iso3": ""}
    return gpd.GeoDataFrame({**data, **columns}, geometry=list(shapes), crs=crs)


def geodesic_km(lon1, lat1, lon2, lat2) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def test_two_100_km_squares_in_utm_share_a_100_km_edge():
    # Two squares side by side in UTM zone 33N; the shared edge lies on the central meridian
    # (easting 500 km), where the UTM scale factor is 0.9996: 100 grid km are 100/0.9996 true km.
    left = box(400_000, 5_000_000, 500_000, 5_100_000)
    right = box(500_000, 5_000_000, 600_000, 5_100_000)
    lines = borders.shared_lines(frame([("AAA", left), ("BBB", right)], crs="EPSG:32633"))
    assert len(lines) == 1
    assert lines.at[0, "km"] == pytest.approx(100 / 0.9996, rel=1e-5)


def test_one_degree_of_the_equator_and_of_a_meridian_have_their_ellipsoidal_lengths():
    regions = frame(
        [
            ("AAA", box(0, 0, 1, 1)),
            ("BBB", box(1, 0, 2, 1)),  # shares the meridian 1°E from 0° to 1°N with AAA
            ("CCC", box(0, -1, 1, 0)),  # shares the equator from 0° to 1°E with AAA
        ]
    )
    lines = borders.shared_lines(regions).set_index(["left_iso3", "right_iso3"])["km"]
    assert lines["AAA", "BBB"] == pytest.approx(110.574, abs=0.001)  # WGS84 meridian arc
    assert lines["AAA", "CCC"] == pytest.approx(111.319, abs=0.001)  # WGS84 equator
    assert ("BBB", "CCC") not in lines.index, "a corner contact is not a border"


def test_a_shared_line_is_the_whole_common_edge_and_nothing_else():
    regions = frame([("AAA", box(0, 0, 2, 2)), ("BBB", box(2, 1, 3, 5))])
    (line,) = borders.shared_lines(regions).geometry
    assert line.equals(gpd.GeoSeries.from_wkt(["LINESTRING (2 1, 2 2)"]).iloc[0])


def test_regions_in_year_keeps_features_whose_years_include_it():
    regions = frame(
        [("AAA", box(0, 0, 1, 1)), ("BBB", box(1, 0, 2, 1)), ("CCC", box(1, 0, 2, 1))],
        from_year=pd.array([None, None, 2014], dtype="Int64"),
        to_year=pd.array([None, 2013, None], dtype="Int64"),
    )
    assert list(borders.regions_in_year(regions, 2013)["iso3"]) == ["AAA", "BBB"]
    assert list(borders.regions_in_year(regions, 2014)["iso3"]) == ["AAA", "CCC"]


def test_regions_without_year_columns_are_all_valid_every_year():
    regions = frame([("AAA", box(0, 0, 1, 1))])
    assert len(borders.regions_in_year(regions, 1900)) == 1


def test_the_tiny_members_borders_follow_their_status(tiny_atlas):
    # 1995: Armenia and Uzbekistan are members; Georgia and Russia (no events) are not.
    in_1995 = borders.member_borders(tiny_atlas, 1995).set_index(["member_iso3", "neighbour_iso3"])
    assert set(in_1995.index) == {("ARM", "GEO"), ("UZB", "RUS")}
    assert in_1995.at[("ARM", "GEO"), "km"] == pytest.approx(geodesic_km(43, 41, 46, 41))
    assert in_1995.at[("UZB", "RUS"), "km"] == pytest.approx(geodesic_km(56, 46, 73, 46))
    assert in_1995.crs.to_epsg() == 4326
    # 2013: Uzbekistan is suspended, so only Armenia's border is an outer border.
    in_2013 = borders.member_borders(tiny_atlas, 2013)
    assert list(in_2013["member_iso3"]) == ["ARM"]
    assert borders.outer_border_km(tiny_atlas, 2013) == pytest.approx(geodesic_km(43, 41, 46, 41))


def test_a_member_next_to_a_member_has_no_outer_border_between_them(tiny_atlas):
    membership = tiny_atlas.membership.copy()
    russia = membership.loc[membership["id"] == "arm-signs"].assign(id="rus-signs", iso3="RUS")
    atlas = dataclasses.replace(tiny_atlas, membership=pd.concat([membership, russia]))
    assert list(borders.member_borders(atlas, 1995)["member_iso3"]) == ["ARM"]


def test_a_region_drawn_as_part_of_a_member_counts_as_that_member(tiny_atlas):
    # Borders read the model of a year: once Abkhazia is drawn as part of Georgia (June 2025),
    # a member Georgia has no outer border with it; while it is a breakaway it has.
    membership = tiny_atlas.membership.copy()
    georgia = membership.loc[membership["id"] == "arm-signs"].assign(id="geo-signs", iso3="GEO")
    atlas = dataclasses.replace(tiny_atlas, membership=pd.concat([membership, georgia]))
    pairs = {
        year: set(
            borders.member_borders(atlas, year)[["member_iso3", "neighbour_iso3"]].itertuples(
                index=False, name=None
            )
        )
        for year in (2024, 2025)
    }
    assert ("GEO", "XAB") in pairs[2024]
    assert not any("XAB" in pair for pair in pairs[2025])
    assert borders.statuses_by_year(atlas, [2025]).at["XAB", 2025] == "member"


def test_a_frozen_member_counts_and_a_suspended_one_does_not(tiny_atlas):
    membership = tiny_atlas.membership.copy()
    membership.loc[membership["id"] == "uzb-suspends", "status"] = "frozen"
    atlas = dataclasses.replace(tiny_atlas, membership=membership)
    assert "UZB" in set(borders.member_borders(atlas, 2013)["member_iso3"])


def test_a_time_aware_feature_borders_only_in_its_years(tiny_atlas):
    kyrgyz = gpd.GeoDataFrame(
        {"iso3": ["KGZ"], "name": ["Kyrgyzstan"], "kind": ["state"], "parent_iso3": [""]},
        geometry=[box(73, 37, 75, 46)],
        crs="EPSG:4326",
    )
    regions = pd.concat([tiny_atlas.regions, kyrgyz], ignore_index=True)
    regions["from_year"] = pd.array([None] * (len(regions) - 1) + [2010], dtype="Int64")
    atlas = dataclasses.replace(tiny_atlas, regions=regions)
    assert "KGZ" not in set(borders.member_borders(atlas, 2007)["neighbour_iso3"])
    in_2010 = borders.member_borders(atlas, 2010).set_index("neighbour_iso3")
    assert in_2010.at["KGZ", "km"] == pytest.approx(geodesic_km(73, 37, 73, 46))
    series = borders.border_series(atlas, [2007, 2010])
    assert set(series.loc[series["year"] == 2010, "neighbour_iso3"]) == {"GEO", "RUS", "KGZ"}


def test_the_border_series_has_every_year_with_its_total(tiny_atlas):
    series = borders.border_series(tiny_atlas, range(1992, 2014))
    assert sorted(set(series["year"])) == list(range(1992, 2014))
    totals = series.groupby("year")["total_km"].first()
    assert totals[1995] == pytest.approx(borders.outer_border_km(tiny_atlas, 1995))
    assert totals[2000] == pytest.approx(geodesic_km(43, 41, 46, 41))
    sums = series.groupby("year")["km"].sum()
    assert (sums - totals).abs().max() < 1e-9


def test_the_series_sums_per_neighbour_what_the_years_borders_measure(bundled_atlas):
    # The chart's series skips merging the lines' geometry: its km per neighbour are still the
    # year's borders summed, in every year and for every neighbour of the bundled data.
    years = range(1992, 2027)
    series = borders.border_series(bundled_atlas, years).set_index(["year", "neighbour_iso3"])
    lines = borders.shared_lines(bundled_atlas.regions)
    statuses = borders.statuses_by_year(bundled_atlas, years)
    for year in years:
        drawn = borders.borders_of_year(bundled_atlas, lines, statuses, year)
        expected = drawn.groupby("neighbour_iso3")["km"].sum()
        got = series.loc[year]["km"]
        got = got[got.index != ""]
        assert sorted(got.index) == sorted(expected.index), year
        assert (got - expected.reindex(got.index)).abs().max() < 1e-6, year


def test_no_members_means_no_borders_and_a_zero_total(tiny_atlas):
    atlas = dataclasses.replace(tiny_atlas, membership=tiny_atlas.membership.iloc[0:0])
    assert borders.member_borders(atlas, 1995).empty
    assert borders.outer_border_km(atlas, 1995) == 0.0
    assert list(borders.border_series(atlas, [1995])["total_km"]) == [0.0]


def test_an_incident_is_as_far_as_the_nearest_member_land_border(tiny_atlas):
    regions = frame([("UZB", box(50, 40, 60, 50)), ("RUS", box(60, 40, 70, 50))])
    incidents = tiny_atlas.incidents.assign(lat=45.0, lon=59.0, year=1995)
    atlas = dataclasses.replace(tiny_atlas, regions=regions, incidents=incidents)
    distances = borders.incident_border_distance(atlas)
    # The nearest point of the meridian 60°E seen from (45°N, 59°E) is within a hair of 45°N.
    assert distances["border-clash"] == pytest.approx(geodesic_km(59, 45, 60, 45), rel=2e-3)


def test_an_incident_in_a_year_without_members_has_no_distance(tiny_atlas):
    incidents = tiny_atlas.incidents.assign(year=1991)
    atlas = dataclasses.replace(tiny_atlas, incidents=incidents)
    assert borders.incident_border_distance(atlas).isna().all()


def test_the_published_comparison_puts_our_length_beside_the_published_one(tiny_atlas):
    published = pd.DataFrame(
        {
            "iso3_a": ["GEO", "UZB"],
            "iso3_b": ["ARM", "ARM"],
            "published_km": [300.0, 10.0],
            "publisher": "P",
            "title": "T",
            "date": "2020",
            "url": "",
            "quote": "q",
        }
    )
    compared = borders.published_comparison(tiny_atlas, published).set_index("border")
    expected = geodesic_km(43, 41, 46, 41)
    assert compared.at["Georgia–Armenia", "ne_km"] == pytest.approx(expected)
    assert compared.at["Georgia–Armenia", "difference_pct"] == pytest.approx(
        100 * (expected - 300) / 300
    )
    assert pd.isna(compared.at["Uzbekistan–Armenia", "ne_km"]), "they do not touch"


def test_the_bundled_comparison_cites_every_published_length(bundled_atlas):
    compared = borders.published_comparison(bundled_atlas)
    assert compared["ne_km"].notna().all()
    assert compared[["publisher", "title", "date", "url", "quote"]].notna().all().all()
    tajik = compared.set_index("border").loc["Afghanistan–Tajikistan"]
    # Natural Earth 1:50m, simplified, misses the bends of the Panj: about a quarter shorter.
    assert tajik["published_km"] == 1344.15
    assert 900 < tajik["ne_km"] < tajik["published_km"]


def test_the_bundled_tajik_afghan_border_is_outer_while_afghanistan_is_no_member(bundled_atlas):
    in_2019 = borders.member_borders(bundled_atlas, 2019).set_index(
        ["member_iso3", "neighbour_iso3"]
    )
    assert in_2019.at[("TJK", "AFG"), "neighbour_status"] == "observer"
    assert ("KAZ", "RUS") not in in_2019.index


def test_a_region_outside_its_years_counts_as_its_parents_territory():
    # CCC lies inside BBB's outline and is drawn as its own region only until 2013 (as
    # Nagorno-Karabakh within Azerbaijan); its edge with AAA is BBB's border from 2014.
    regions = frame(
        [("AAA", box(0, 0, 1, 2)), ("BBB", box(1, 1, 2, 2)), ("CCC", box(1, 0, 2, 1))],
        to_year=pd.array([None, None, 2013], dtype="Int64"),
    )
    regions.loc[2, ["kind", "parent_iso3"]] = ["breakaway", "BBB"]
    lines = borders.shared_lines(regions)
    pairs_2013 = set(
        zip(
            *borders.lines_in_year(lines, regions, 2013)[["left_iso3", "right_iso3"]].T.values,
            strict=True,
        )
    )
    pairs_2014 = borders.lines_in_year(lines, regions, 2014)
    assert ("AAA", "CCC") in pairs_2013 and ("BBB", "CCC") in pairs_2013
    assert set(pairs_2014["right_iso3"]) == {"BBB"} and set(pairs_2014["left_iso3"]) == {"AAA"}
    assert pairs_2014["km"].sum() == pytest.approx(2 * 110.574, rel=1e-3)


def test_a_line_the_build_measured_at_1_10m_takes_that_length() -> None:
    regions = frame([("AAA", box(0, 0, 1, 1)), ("BBB", box(1, 0, 2, 1))])
    map_km = borders.shared_lines(regions, pd.DataFrame()).loc[0, "km"]
    measured = pd.DataFrame(
        {"a": ["AAA"], "b": ["BBB"], "km_10m": [150.0], "km_map": [round(map_km, 2)]}
    ).set_index(["a", "b"])
    line = borders.shared_lines(regions, measured).iloc[0]
    assert (line["km"], line["measured_on"]) == (150.0, "1:10m")


def test_a_line_that_is_not_the_one_measured_keeps_its_own_length() -> None:
    # Same codes, another line (its map length differs): the 1:10m figure is not for it.
    regions = frame([("AAA", box(0, 0, 1, 1)), ("BBB", box(1, 0, 2, 1))])
    measured = pd.DataFrame(
        {"a": ["AAA"], "b": ["BBB"], "km_10m": [150.0], "km_map": [999.0]}
    ).set_index(["a", "b"])
    line = borders.shared_lines(regions, measured).iloc[0]
    assert line["km"] == pytest.approx(110.6, abs=0.1) and line["measured_on"] == "1:50m"


def test_the_bundled_lines_are_all_measured_at_1_10m(bundled_atlas) -> None:
    lines = borders.shared_lines(bundled_atlas.regions)
    assert (lines["measured_on"] == "1:10m").all()
