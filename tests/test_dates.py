from datetime import date

import pytest

from csto_atlas.data.dates import parse_partial_date


@pytest.mark.parametrize(
    ("text", "precision", "start", "end"),
    [
        ("1993", "year", date(1993, 1, 1), date(1993, 12, 31)),
        ("1993-12", "month", date(1993, 12, 1), date(1993, 12, 31)),
        ("2012-02", "month", date(2012, 2, 1), date(2012, 2, 29)),
        ("1993-12-31", "day", date(1993, 12, 31), date(1993, 12, 31)),
    ],
)
def test_the_form_of_a_date_is_its_precision(text, precision, start, end):
    parsed = parse_partial_date(text)
    assert (parsed.precision, parsed.start, parsed.end) == (precision, start, end)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("93", "is not a date of the form"),
        ("1993/12", "is not a date of the form"),
        ("1993-13", "has no month 13"),
        ("2013-02-29", "has no day 29"),
        ("December 1993", "is not a date of the form"),
    ],
)
def test_a_malformed_date_says_what_was_expected(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_partial_date(text)
