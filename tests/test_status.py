from datetime import date

import pandas as pd
import pytest

from csto_atlas.data.events import ordered_events
from csto_atlas.domain.status import status_table, year_range


def status(atlas, iso3: str, when: date) -> str:
    """The status on any day: the latest primary event taking effect by then."""
    events = ordered_events(atlas.membership)
    events = events[(events["iso3"] == iso3) & (events["ends"] <= pd.Timestamp(when))]
    return events["status"].iloc[-1] if len(events) else "non-member"


def test_a_country_with_no_event_yet_is_a_non_member(tiny_atlas):
    assert status(tiny_atlas, "UZB", date(1992, 5, 14)) == "non-member"


def test_an_event_counts_from_its_own_day(tiny_atlas):
    assert status(tiny_atlas, "UZB", date(1992, 5, 15)) == "member"


def test_an_event_on_31_december_counts_for_that_year(tiny_atlas):
    table = status_table(tiny_atlas.membership, ["UZB"], range(2011, 2014))
    assert table.loc["UZB"].tolist() == ["member", "suspended", "suspended"]


def test_a_month_precise_event_takes_effect_at_the_end_of_its_month(tiny_atlas):
    assert status(tiny_atlas, "UZB", date(2006, 8, 30)) == "former"
    assert status(tiny_atlas, "UZB", date(2006, 8, 31)) == "member"


def test_a_year_precise_event_counts_only_by_31_december(tiny_atlas):
    assert status(tiny_atlas, "UZB", date(1999, 12, 30)) == "member"
    assert status(tiny_atlas, "UZB", date(1999, 12, 31)) == "former"


def test_another_sources_account_does_not_move_the_status(tiny_atlas):
    # uzb-suspends-alt (June 2012) is another account of the December 2012 suspension.
    assert status(tiny_atlas, "UZB", date(2012, 7, 1)) == "member"


def test_the_status_table_covers_every_code_and_year(tiny_atlas):
    table = status_table(tiny_atlas.membership, ["ARM", "UZB", "XAB"], range(1992, 2001))
    assert table.shape == (3, 9)
    assert table.loc["XAB"].eq("non-member").all()
    assert table.loc["ARM"].eq("member").all()
    assert table.at["UZB", 1998] == "member" and table.at["UZB", 1999] == "former"


@pytest.mark.parametrize(("today", "last"), [(date(2026, 11, 22), 2026), (date(2030, 1, 1), 2030)])
def test_the_years_run_from_the_first_event_to_today(tiny_atlas, today, last):
    years = year_range(tiny_atlas.membership, today)
    assert (years.start, years[-1]) == (1992, last)


def test_checked_until_is_the_data_versions_date_one_rule(tiny, tiny_atlas):
    from csto_atlas.data.version import data_version
    from csto_atlas.domain.sources import checked_until

    data_dir, geodata_dir, _ = tiny
    assert checked_until(tiny_atlas.sources) == data_version(data_dir, geodata_dir).checked_text
    assert checked_until(tiny_atlas.sources) == "2007-03-15"  # the 2017 gazetteer left out
