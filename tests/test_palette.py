"""The status colours the app draws, as every reader sees them.

Each pair of statuses drawn as plain fills differs by at least 12 ΔE2000 under normal vision and
under protanopia, deuteranopia and tritanopia (Machado et al. 2009, full severity); statuses that
share a hue carry a pattern as well; no colour means two things across the map and the charts.
The colour science (tests/colour_vision.py) is checked first against Sharma's published pairs.
"""

import itertools
import math

import pytest

from csto_atlas.render import style
from csto_atlas.render.style import STATUS_COLOURS, STATUS_PATTERNS
from tests.colour_vision import (
    MACHADO_2009,
    VISIONS,
    ciede2000,
    hex_rgb,
    rgb_lab,
    seen_difference,
    simulate,
)

MIN_DELTA_E = 12
SAME_HUE_DEG = 20
# Sharma, Wu and Dalal (2005), Table 1: L1, a1, b1, L2, a2, b2, ΔE2000 (four decimals).
SHARMA_PAIRS = [
    (50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425),
    (50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615),
    (50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412),
    (50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669),
    (50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461),
    (50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065),
    (50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492),
    (50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977),
    (50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030),
    (50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000),
    (60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644),
    (63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630),
    (61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731),
    (35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645),
    (22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373),
    (36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146),
    (90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441),
    (90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381),
    (6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377),
    (2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082),
]


@pytest.mark.parametrize("pair", SHARMA_PAIRS, ids=[f"pair{i + 1}" for i in range(34)])
def test_ciede2000_gives_sharmas_published_difference(pair):
    *labs, expected = pair
    assert ciede2000(tuple(labs[:3]), tuple(labs[3:])) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(tuple(labs[3:]), tuple(labs[:3])) == pytest.approx(expected, abs=1e-4)


def test_white_is_lab_100_and_greys_stay_grey_for_every_vision():
    assert rgb_lab((1.0, 1.0, 1.0)) == pytest.approx((100.0, 0.0, 0.0), abs=0.05)
    for vision in VISIONS:
        # Machado's rows sum to 1: a grey is seen as the same grey.
        assert [sum(row) for row in MACHADO_2009[vision]] == pytest.approx([1, 1, 1], abs=1e-4)
        assert simulate("#808080", vision) == pytest.approx(hex_rgb("#808080"), abs=1e-3)


def test_protanopes_see_red_and_green_alike():
    # The point of the simulation: pure red and green stay apart for normal vision only.
    assert seen_difference("#d62728", "#2ca02c", "normal") > 50
    assert seen_difference("#d62728", "#2ca02c", "protan") < 25


def status_pairs():
    return [
        (vision, first, second)
        for vision in VISIONS
        for first, second in itertools.combinations(STATUS_COLOURS, 2)
    ]


@pytest.mark.parametrize(("vision", "first", "second"), status_pairs())
def test_every_pair_of_statuses_differs_by_12_delta_e_for_every_vision(vision, first, second):
    difference = seen_difference(STATUS_COLOURS[first], STATUS_COLOURS[second], vision)
    assert difference >= MIN_DELTA_E, (
        f"{first} {STATUS_COLOURS[first]} and {second} {STATUS_COLOURS[second]} differ by "
        f"{difference:.1f} ΔE2000 under {vision} vision (at least {MIN_DELTA_E} wanted)"
    )


def hue_of(colour: str) -> float:
    """The CIELAB hue angle (degrees) of a colour."""
    _, a, b = rgb_lab(hex_rgb(colour))
    return math.degrees(math.atan2(b, a)) % 360


def chroma_of(colour: str) -> float:
    _, a, b = rgb_lab(hex_rgb(colour))
    return math.hypot(a, b)


def test_statuses_that_share_a_hue_are_told_apart_by_a_pattern_too():
    shared = [
        (first, second)
        for first, second in itertools.combinations(STATUS_COLOURS, 2)
        if min(chroma_of(STATUS_COLOURS[first]), chroma_of(STATUS_COLOURS[second])) > 10
        and abs((hue_of(STATUS_COLOURS[first]) - hue_of(STATUS_COLOURS[second]) + 180) % 360 - 180)
        < SAME_HUE_DEG
    ]
    assert ("member", "frozen") in shared  # a frozen member is drawn in a member's hue, on purpose
    for pair in shared:
        assert set(pair) & set(STATUS_PATTERNS), f"{pair} share a hue and neither has a pattern"


def test_a_frozen_members_stripes_stand_out_from_its_fill():
    pattern = STATUS_PATTERNS["frozen"]
    for vision in VISIONS:
        assert seen_difference(pattern["stripe"], STATUS_COLOURS["frozen"], vision) >= MIN_DELTA_E


def meanings() -> dict[str, str]:
    """Every colour the map and the charts give a meaning, by that meaning."""
    colours = {f"status {status}": colour for status, colour in STATUS_COLOURS.items()}
    for kind, look in style.MARKER_LOOK.items():
        colours[f"{kind} marker"] = look["current"]["fillColor"]
    colours["changed this year (outline)"] = style.REGION_LOOK["changedStroke"]
    colours["annexed territory"] = style.ANNEXED_LOOK["fill"]
    return colours


def test_no_colour_means_two_things_on_the_map_and_in_the_charts():
    colours = meanings()
    for first, second in itertools.combinations(colours, 2):
        difference = seen_difference(colours[first], colours[second], "normal")
        assert difference >= MIN_DELTA_E, f"{first} and {second} look alike ({difference:.1f})"
