from csto_atlas.domain import geo


def test_each_polygon_carries_its_status_on_31_december(tiny_atlas):
    countries = geo.countries_for_year(tiny_atlas, 2013).set_index("iso3")
    assert countries.at["UZB", "status"] == "suspended"
    assert countries.at["UZB", "detail"] == "membership suspended"
    assert countries.at["ARM", "status"] == "member"
    assert countries.at["XAB", "status"] == "non-member"
    assert len(countries) == len(tiny_atlas.regions)


def test_uzbekistan_is_a_member_in_2008_and_suspended_in_2013(tiny_atlas):
    statuses = {
        year: geo.countries_for_year(tiny_atlas, year).set_index("iso3").at["UZB", "status"]
        for year in (2008, 2013)
    }
    assert statuses == {2008: "member", 2013: "suspended"}


def test_a_base_is_shown_only_in_the_years_it_was_active(tiny_atlas):
    assert list(geo.bases_active(tiny_atlas, 2000)["id"]) == ["gyumri"]
    assert list(geo.bases_active(tiny_atlas, 2009)["id"]) == ["gyumri", "gudauta"]
    assert list(geo.bases_active(tiny_atlas, 2020)["id"]) == ["gyumri", "gudauta"]
    assert list(geo.bases_active(tiny_atlas, 2021)["id"]) == ["gyumri"]


def test_incidents_meetings_and_notes_accumulate_up_to_the_year(tiny_atlas):
    assert geo.incidents_until(tiny_atlas, 2017).empty
    assert list(geo.incidents_until(tiny_atlas, 2018)["id"]) == ["border-clash"]
    assert list(geo.meetings_until(tiny_atlas, 1992)["id"]) == ["tashkent-1992"]
    assert list(geo.notes_until(tiny_atlas, 1999, "UZB")["id"]) == ["uzb-withdrew", "uzb-signed"]
    assert list(geo.notes_until(tiny_atlas, 1998)["id"]) == ["uzb-signed"]


def test_points_are_joined_to_the_polygon_that_contains_them(tiny_atlas):
    located = tiny_atlas.bases.set_index("id")["located_iso3"]
    assert located.to_dict() == {"gyumri": "ARM", "gudauta": "XAB"}
