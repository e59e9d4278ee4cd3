"""True borders and places in a real browser: Crimea before and after 2014, Nagorno-Karabakh
in 2024 and by period (Kalbajar, Shusha, Stepanakert in 2010, 2021, 2023), a marker's
uncertainty circle, the checked-until line of the current year (in the year box)."""

import re
from datetime import date

import pytest

from csto_atlas.data import paths
from csto_atlas.data.load import load_atlas
from csto_atlas.domain.status import year_range
from csto_atlas.domain.yearmodel import model_table, years_model
from csto_atlas.render import style
from tests.e2e.conftest import open_map
from tooling.browser import TEST_HOOK

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def atlas():
    """The atlas the app shows."""
    return load_atlas(paths.data_dir(), paths.GEODATA_DIR)


@pytest.fixture(scope="module")
def drawn(atlas):
    """The status every region is drawn with in every year (its parent's while part of it)."""
    return model_table(years_model(atlas, year_range(atlas.membership)), "status")


def test_before_2014_crimea_is_drawn_in_ukraines_colour_not_as_a_member(recorded, sync_api, drawn):
    ukraine_colour = style.STATUS_COLOURS[drawn.at["UKR", 2013]]
    assert ukraine_colour != style.STATUS_COLOURS["member"]
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=2013")
    crimea = frame.locator("path.csto-iso-XCR")
    sync_api.expect(crimea).to_have_attribute("fill", ukraine_colour)
    sync_api.expect(frame.locator("path.csto-iso-UKR")).to_have_attribute("fill", ukraine_colour)
    # No outline of its own: the stroke takes Ukraine's fill colour, undashed.
    sync_api.expect(crimea).to_have_attribute("stroke", ukraine_colour)
    assert crimea.get_attribute("stroke-dasharray") is None


def test_from_2014_crimea_is_grey_hatched_as_annexed_never_a_member_colour(recorded, sync_api):
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=2015")
    crimea = frame.locator("path.csto-iso-XCR")
    sync_api.expect(crimea).to_have_attribute("fill", "url(#csto-hatch-annexed)")
    sync_api.expect(frame.locator(".csto-legend")).to_contain_text("Annexed territory")


def test_in_2024_nagorno_karabakh_has_no_outline_and_azerbaijans_colour(recorded, sync_api, drawn):
    azerbaijan_colour = style.STATUS_COLOURS[drawn.at["AZE", 2024]]
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=2024")
    pieces = frame.locator("path.csto-iso-XNK")
    sync_api.expect(pieces).to_have_count(4)  # drawn in pieces by period (geodata/periods.csv)
    for index in range(4):
        karabakh = pieces.nth(index)
        sync_api.expect(karabakh).to_have_attribute("fill", azerbaijan_colour)
        sync_api.expect(karabakh).to_have_attribute("stroke", azerbaijan_colour)
        assert karabakh.get_attribute("stroke-dasharray") is None


def test_a_markers_uncertainty_circle_is_drawn_in_its_years(recorded, sync_api, atlas):
    incident = atlas.incidents.set_index("id").loc["tagtabazar-2018"]
    assert incident["radius_km"] > style.UNCERTAINTY_MIN_KM
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=2018")
    circle = frame.locator("path.csto-uncertainty-tagtabazar-2018")
    sync_api.expect(circle).to_have_count(1)
    sync_api.expect(circle).to_have_attribute(
        "stroke-dasharray", style.UNCERTAINTY_LOOK["dashArray"]
    )
    frame.locator("input.csto-slider").focus()
    recorded.page.keyboard.press("Home")
    sync_api.expect(circle).to_have_count(0)


def test_the_year_box_says_up_to_when_the_statuses_were_checked_only_in_the_current_year(
    recorded, sync_api
):
    frame = open_map(recorded.page, recorded.origin, sync_api, f"?year={date.today().year}")
    checked = frame.locator(".csto-checked")
    sync_api.expect(checked).to_be_visible()
    sync_api.expect(checked).to_contain_text(re.compile(r"checked (against sources )?up to"))
    frame.locator("input.csto-slider").focus()
    recorded.page.keyboard.press("ArrowLeft")
    sync_api.expect(checked).to_be_hidden()


# Natural Earth populated places (../shared/naturalearth), longitude and latitude.
KARABAKH_PLACES = {
    "Kalbajar": (46.038, 40.105),
    "Shusha": (46.749, 39.758),
    "Stepanakert": (46.752, 39.815),
}


def region_at(frame, lon: float, lat: float) -> tuple[str, str]:
    """(class, fill) of the region path drawn at a place: the topmost csto-region path there."""
    return frame.locator("body").evaluate(
        f"""(body, at) => {{
            const [x, y] = {TEST_HOOK}.centreOn(at[1], at[0], 8);
            const hits = document.elementsFromPoint(x, y);
            const path = hits.find((el) => el.classList && el.classList.contains("csto-region"));
            return path ? [path.getAttribute("class"), path.getAttribute("fill")] : ["", ""];
        }}""",
        [lon, lat],
    )


@pytest.mark.parametrize(
    ("year", "breakaway_held"),
    [
        (2010, {"Kalbajar", "Shusha", "Stepanakert"}),
        (2021, {"Stepanakert"}),
        (2023, set()),
    ],
)
def test_karabakh_is_drawn_by_period(recorded, sync_api, drawn, year, breakaway_held):
    azerbaijan_colour = style.STATUS_COLOURS[drawn.at["AZE", year]]
    frame = open_map(recorded.page, recorded.origin, sync_api, f"?year={year}")
    window = frame.locator("body")
    window.evaluate(
        f"(body, at) => {TEST_HOOK}.centreOn(at[1], at[0], 8)",
        list(KARABAKH_PLACES["Stepanakert"]),
    )
    for place, (lon, lat) in KARABAKH_PLACES.items():
        classes, fill = region_at(frame, lon, lat)
        assert "csto-iso-XNK" in classes, (place, year, classes)
        if place in breakaway_held:
            assert fill.startswith("url(#csto-hatch-"), (place, year, fill)
        else:
            assert fill == azerbaijan_colour, (place, year, fill)


def test_abkhazia_and_south_ossetia_are_dotted_while_their_extent_is_uncertain(recorded, sync_api):
    """Before 2008 the 2017 outline is not the area held (geodata/periods.csv): the breakaway
    hatch with the orange dotted outline, a legend row, a panel caption; from 2008 the plain
    breakaway look. One page, the years walked with the test hook."""
    look = style.REGION_LOOK
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=1995")
    sync_api.expect(frame.locator(".csto-legend")).to_contain_text("extent uncertain")
    window = frame.locator("body")
    for year, uncertain in ((1995, True), (2007, True), (2008, False), (2010, False)):
        window.evaluate(f"(body, year) => {TEST_HOOK}.showYear(year)", year)
        for iso3 in ("XAB", "XSO"):
            region = frame.locator(f"path.csto-iso-{iso3}")
            stroke = look["uncertainStroke"] if uncertain else look["breakawayStroke"]
            dash = look["uncertainDash"] if uncertain else look["breakawayDash"]
            sync_api.expect(region).to_have_attribute("stroke", stroke)
            sync_api.expect(region).to_have_attribute("stroke-dasharray", dash)
            assert region.get_attribute("fill").startswith("url(#csto-hatch-"), (iso3, year)
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=1993&country=XAB")
    caption = frame.locator(".csto-extent-uncertain")
    sync_api.expect(caption).to_be_visible()
    sync_api.expect(caption).to_contain_text("Extent uncertain")
