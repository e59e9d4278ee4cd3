"""The bundled datasets: they validate, their quotes are verbatim, and the required facts are there."""

import pytest
from pyproj import Geod
from shapely.geometry import Point
from shapely.ops import nearest_points

from csto_atlas.data import paths
from csto_atlas.data.coverage import uncovered_mentions
from csto_atlas.data.quotes import check_quotes
from csto_atlas.domain import geo, sources

TREATY_PARTIES = ["ARM", "AZE", "BLR", "GEO", "KAZ", "KGZ", "RUS", "TJK", "UZB"]


def test_every_quote_is_verbatim_in_the_cited_article(bundled_atlas, shared_sources):
    problems = check_quotes(bundled_atlas, paths.BUNDLED_DATA_DIR, shared_sources)
    assert [str(p) for p in problems] == []


def test_every_paragraph_naming_a_country_has_a_note_about_it(bundled_atlas, shared_sources):
    problems = uncovered_mentions(bundled_atlas, paths.BUNDLED_DATA_DIR, shared_sources)
    assert [str(p) for p in problems] == []


def test_the_five_articles_are_sources_with_their_files(bundled_atlas, shared_sources):
    files = set(bundled_atlas.sources["file"].dropna())
    on_disk = {path.name for path in shared_sources.glob("0*.txt")}
    assert files == on_disk and len(files) == 5


@pytest.mark.parametrize("iso3", TREATY_PARTIES)
def test_every_party_to_the_1992_treaty_has_a_membership_history(bundled_atlas, iso3):
    events = bundled_atlas.membership[bundled_atlas.membership["iso3"] == iso3]
    assert not events.empty
    assert events["status"].isin(["member"]).any()


def test_uzbekistan_is_a_member_in_2008_and_suspended_in_2013(bundled_atlas):
    status = {
        year: geo.countries_for_year(bundled_atlas, year).set_index("iso3").at["UZB", "status"]
        for year in (2008, 2013)
    }
    assert status == {2008: "member", 2013: "suspended"}


@pytest.mark.parametrize(("region", "year"), [("ARM", 2007), ("XSO", 2019), ("XAB", 2019)])
def test_the_required_russian_bases_are_mapped(bundled_atlas, region, year):
    active = geo.bases_active(bundled_atlas, year)
    assert (active["located_iso3"] == region).any()


@pytest.mark.parametrize(
    ("country", "date", "killed"),
    [("TKM", "2018-06", 8), ("TJK", "2019-11", 2)],
)
def test_tagtabazar_and_ishkobod_are_mapped_with_the_articles_casualties(
    bundled_atlas, country, date, killed
):
    incidents = bundled_atlas.incidents
    found = incidents[
        (incidents["located_iso3"] == country) & incidents["date"].str.startswith(date)
    ]
    assert killed in set(found["killed"].dropna())


def test_the_statuses_are_checked_to_the_newest_dated_event_of_february_2026(bundled_atlas):
    assert sources.checked_until(bundled_atlas.sources) == "2026-02-13"


def test_tagtabazars_uncertainty_circle_reaches_the_afghan_border(bundled_atlas):
    """The attacked crossing is on the border; the circle must reach it (issue 18)."""
    incident = bundled_atlas.incidents.set_index("id").loc["tagtabazar-2018"]
    regions = bundled_atlas.regions.set_index("iso3")
    border = regions.at["TKM", "geometry"].boundary.intersection(
        regions.at["AFG", "geometry"].boundary
    )
    nearest = nearest_points(border, Point(incident["lon"], incident["lat"]))[0]
    _, _, metres = Geod(ellps="WGS84").inv(incident["lon"], incident["lat"], nearest.x, nearest.y)
    assert metres / 1000 <= incident["radius_km"]


def test_the_figure_of_164_is_not_called_the_health_ministrys_official_toll(bundled_atlas):
    """The ministry denied the figure; every row giving 164 must say so and cite the denial."""
    incidents = bundled_atlas.incidents
    rows = incidents[incidents["killed"] == 164]
    assert not rows.empty
    for _, row in rows.iterrows():
        assert "official toll" not in row["summary"].replace("Not an official toll", "")
        assert "tass-ru-2022-01-10" in row["note"] and "slovoidilo-2022-01-09" in row["note"]


def test_uzbekistans_2012_suspension_starts_with_the_councils_decision(bundled_atlas):
    """The June 2012 note was a request; the Collective Security Council decided on 19 December."""
    membership = bundled_atlas.membership.set_index("id")
    primary = membership[membership["same_as"].isna() & (membership["iso3"] == "UZB")]
    suspended = primary[primary["status"] == "suspended"]
    assert list(suspended["date"]) == ["2012-12-19"]
    assert membership.at["uzb-suspend-note-2012", "same_as"] == "uzb-suspend-2012"


def test_every_account_of_mazar_e_sharif_2011_gives_the_protesters_or_the_uns_count(bundled_atlas):
    accounts = bundled_atlas.incidents[bundled_atlas.incidents["id"].str.startswith("mazar-un")]
    assert set(accounts["killed"].dropna()) == {7, 11}


@pytest.mark.parametrize("year", [1995, 1998, 2000, 2007])
def test_russian_bases_in_georgia_proper_are_mapped_until_2007(bundled_atlas, year):
    active = geo.bases_active(bundled_atlas, year)
    assert (active["located_iso3"] == "GEO").any()


def test_no_russian_base_in_georgia_proper_is_mapped_after_batumis_handover(bundled_atlas):
    assert not (geo.bases_active(bundled_atlas, 2008)["located_iso3"] == "GEO").any()


@pytest.mark.parametrize("date", ["2021-04", "2022-09"])
def test_the_fighting_between_kyrgyzstan_and_tajikistan_is_mapped(bundled_atlas, date):
    incidents = bundled_atlas.incidents
    found = incidents[(incidents["located_iso3"] == "KGZ") & incidents["date"].str.startswith(date)]
    assert not found.empty


def test_the_meeting_that_decided_to_create_the_organisation_is_mapped(bundled_atlas):
    meetings = bundled_atlas.meetings.set_index("id")
    assert meetings.at["moscow-2002-05-14", "date"] == "2002-05-14"


def test_tagtabazar_keeps_azatlyks_denied_account_of_about_25_killed(bundled_atlas):
    incidents = bundled_atlas.incidents.set_index("id")
    account = incidents.loc["tagtabazar-2018-azatlyk"]
    assert account["same_as"] == "tagtabazar-2018"
    assert "около 25" in account["quote"] and "denied" in account["summary"]
