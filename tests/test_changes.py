"""What changed between two years: status changes, their words and the other accounts."""

import dataclasses

import pandas as pd
import pytest

from csto_atlas.domain import changes


def test_every_status_change_of_the_tiny_data_is_listed_in_date_order(tiny_atlas):
    listed = changes.changes_between(tiny_atlas, 1991, 2026)
    assert list(zip(listed["id"], listed["kind"], strict=True)) == [
        ("uzb-signs", "joined"),
        ("arm-signs", "joined"),
        ("uzb-leaves", "left"),
        ("uzb-rejoins", "returned"),
        ("uzb-suspends", "suspended"),
    ]
    assert listed.loc[2, ["old_status", "new_status"]].tolist() == ["member", "former"]
    assert listed.loc[2, "quote"] == "Uzbekistan withdrew from the pact in 1999"


def test_the_window_runs_from_after_31_december_of_the_first_year_to_the_last(tiny_atlas):
    assert changes.changes_between(tiny_atlas, 1999, 2006)["id"].tolist() == ["uzb-rejoins"]
    # A year-precision event takes effect on 31 December: "1999" is a change of 1999.
    assert changes.changes_in_year(tiny_atlas, 1999)["id"].tolist() == ["uzb-leaves"]
    assert changes.changes_in_year(tiny_atlas, 2000).empty


def test_another_sources_account_rides_with_the_event_it_disputes(tiny_atlas):
    (row,) = changes.changes_in_year(tiny_atlas, 2012).to_dict("records")
    assert row["id"] == "uzb-suspends"
    assert [account["id"] for account in row["other_accounts"]] == ["uzb-suspends-alt"]
    assert row["other_accounts"][0]["date"] == "2012-06"
    assert row["other_dates"] == "2012-06 (tiny-treaty)"


def test_an_event_that_keeps_the_status_is_no_change(tiny_atlas):
    membership = tiny_atlas.membership.copy()
    again = membership.loc[membership["id"] == "arm-signs"].assign(
        id="arm-protocol", date="1999-04-02", ends=pd.Timestamp(1999, 4, 2)
    )
    atlas = dataclasses.replace(tiny_atlas, membership=pd.concat([membership, again]))
    assert "arm-protocol" not in set(changes.changes_between(atlas, 1991, 2026)["id"])


def test_a_reversed_pair_of_years_is_refused(tiny_atlas):
    with pytest.raises(ValueError, match="comes after"):
        changes.changes_between(tiny_atlas, 2013, 2006)


@pytest.mark.parametrize(
    ("old", "new", "word"),
    [
        ("non-member", "member", "joined"),
        ("member", "former", "left"),
        ("former", "member", "returned"),
        ("suspended", "member", "returned"),
        ("member", "suspended", "suspended"),
        ("member", "frozen", "froze participation"),
        ("frozen", "member", "resumed participation"),
        ("non-member", "observer", "became observer"),
        ("observer", "non-member", "lost observer status"),
    ],
)
def test_each_move_has_a_readable_word(old, new, word):
    assert changes.kind_of(old, new) == word


def test_the_bundled_changes_of_2006_to_2013_are_the_return_suspension_and_observers(
    bundled_atlas,
):
    listed = changes.changes_between(bundled_atlas, 2005, 2013)
    assert list(zip(listed["iso3"], listed["kind"], strict=True)) == [
        ("UZB", "returned"),
        ("UZB", "suspended"),
        ("SRB", "became observer"),
        ("AFG", "became observer"),
    ]
    assert changes.changed_countries(listed) == ["UZB", "SRB", "AFG"]
    assert "2006-06-23 (panarmenian-2006-06-24)" in listed.loc[0, "other_dates"]


def test_the_bundled_georgian_accession_shows_both_dates(bundled_atlas):
    georgia = changes.changes_in_year(bundled_atlas, 1993).set_index("iso3").loc["GEO"]
    assert georgia["date"] == "1993-12-09"
    assert georgia["other_dates"] == "1993-09-09 (alliansfriheten-csto)"
