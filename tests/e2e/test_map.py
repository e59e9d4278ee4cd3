"""The app in a real browser: offline drawing, the slider, clicks, permalinks, Play, pages."""

import re
from datetime import date

import pytest

from csto_atlas.data import paths
from csto_atlas.data.load import load_atlas
from csto_atlas.domain.status import status_table, year_range
from csto_atlas.render import style
from tests.e2e.conftest import open_map
from tooling.browser import (
    MAP_FRAME,
    PANEL,
    REVEALED_CLASS,
    TEST_HOOK,
    map_frame,
    reveal_marker,
    wait_until_idle,
)
from tooling.server import AppServer

pytestmark = pytest.mark.e2e

SLIDER = "input.csto-slider"
YEAR_BOX = ".csto-year"


@pytest.fixture(scope="module")
def atlas():
    """The atlas the app shows."""
    return load_atlas(paths.data_dir(), paths.GEODATA_DIR)


@pytest.fixture(scope="module")
def statuses(atlas):
    """Status of every region in every year (what the map must show)."""
    return status_table(atlas.membership, list(atlas.regions["iso3"]), year_range(atlas.membership))


def colour(statuses, iso3: str, year: int) -> str:
    """The fill colour the map must give `iso3` in `year`."""
    return style.STATUS_COLOURS[statuses.at[iso3, year]]


def centre_on(page, lat: float, lon: float, zoom: float = 6) -> tuple[float, float]:
    """Centre the map on a point (no animation); return where that point is on the page."""
    window = map_frame(page)
    x, y = window.evaluate(
        f"([lat, lon, zoom]) => {TEST_HOOK}.centreOn(lat, lon, zoom)", [lat, lon, zoom]
    )
    frame_box = page.locator(MAP_FRAME).bounding_box()
    return frame_box["x"] + x, frame_box["y"] + y


def inside(atlas, iso3: str) -> tuple[float, float]:
    """(lat, lon) of a point inside a region's polygon."""
    point = atlas.regions.set_index("iso3").geometry[iso3].representative_point()
    return point.y, point.x


def click_region(page, atlas, iso3: str) -> None:
    """Click a region's polygon where a user would."""
    page.mouse.click(*centre_on(page, *inside(atlas, iso3)))


def test_the_map_draws_its_polygons_with_no_request_leaving_the_app(recorded, sync_api):
    frame = open_map(recorded.page, recorded.origin, sync_api)
    sync_api.expect(frame.locator("path.csto-region").first).to_be_visible()
    assert frame.locator("path.csto-region").count() > 20
    sync_api.expect(frame.locator(".csto-legend")).to_contain_text("Member")
    sync_api.expect(frame.locator(".leaflet-control-layers")).to_contain_text("Russian bases")
    assert recorded.foreign_requests() == []
    # Leaflet is inlined in the map's script; only its images come from the app's static copy.
    assert not any(url.endswith("/leaflet.js") for url in recorded.requests)


def test_stepping_the_slider_from_2008_to_2013_recolours_uzbekistan_and_keeps_the_zoom(
    recorded, sync_api, statuses
):
    assert colour(statuses, "UZB", 2008) != colour(statuses, "UZB", 2013)
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=2008")
    uzbekistan = frame.locator("path.csto-iso-UZB")
    sync_api.expect(uzbekistan).to_have_attribute("fill", colour(statuses, "UZB", 2008))
    window = map_frame(recorded.page)
    zoom_before = window.evaluate(f"{TEST_HOOK}.view().zoom")
    frame.locator(".leaflet-control-zoom-in").click()
    window.wait_for_function(f"{TEST_HOOK}.view().zoom > {zoom_before}")
    window.evaluate("window.mountedOnce = true")
    view = window.evaluate(f"{TEST_HOOK}.view()")

    frame.locator(SLIDER).focus()
    for _ in range(5):
        recorded.page.keyboard.press("ArrowRight")

    sync_api.expect(frame.locator(YEAR_BOX)).to_have_attribute("data-year", "2013")
    sync_api.expect(uzbekistan).to_have_attribute("fill", colour(statuses, "UZB", 2013))
    assert window.evaluate(f"{TEST_HOOK}.view()") == view
    assert window.evaluate("window.mountedOnce") is True
    sync_api.expect(recorded.page).to_have_url(re.compile(r"[?&]year=2013(&|$)"))


def test_a_mouse_click_on_the_slider_track_moves_the_year(recorded, sync_api):
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=2000")
    slider = frame.locator(SLIDER)
    box = slider.bounding_box()
    recorded.page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    sync_api.expect(frame.locator(YEAR_BOX)).to_have_attribute("data-year", str(date.today().year))


def test_clicking_a_country_opens_its_panel_with_a_citation_and_keeps_the_map(
    recorded, sync_api, atlas
):
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=2019")
    window = map_frame(recorded.page)
    window.evaluate("window.mountedOnce = true")
    click_region(recorded.page, atlas, "TJK")
    panel = frame.locator(PANEL)
    sync_api.expect(panel.locator("h2")).to_have_text("Tajikistan in 2019")
    sync_api.expect(panel.locator(".csto-cite").first).to_be_visible()
    sync_api.expect(recorded.page).to_have_url(re.compile(r"country=TJK"))
    sync_api.expect(frame.locator("select.csto-country")).to_have_value("TJK")
    assert window.evaluate(f"[window.mountedOnce, {TEST_HOOK}.view().zoom]") == [True, 6]


def test_the_select_box_opens_the_panel_for_the_year_on_the_slider(recorded, sync_api):
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=2019")
    frame.locator(SLIDER).focus()
    recorded.page.keyboard.press("ArrowLeft")
    sync_api.expect(frame.locator(YEAR_BOX)).to_have_attribute("data-year", "2018")
    frame.locator("select.csto-country").select_option("ARM")
    sync_api.expect(frame.locator(f"{PANEL} h2")).to_have_text("Armenia in 2018")
    sync_api.expect(recorded.page).to_have_url(re.compile(r"year=2018&country=ARM"))


def test_clicking_a_base_shows_its_citation_in_a_popup_without_a_rerun(recorded, sync_api, atlas):
    base = atlas.bases.iloc[0]
    frame = open_map(recorded.page, recorded.origin, sync_api, f"?year={int(base['start_year'])}")
    map_frame(recorded.page).evaluate("window.mountedOnce = true")
    reveal_marker(recorded.page, base["id"])  # spread from its cluster if markers share its point
    frame.locator(f".{REVEALED_CLASS}").click(force=True)
    popup = frame.locator(".leaflet-popup-content")
    sync_api.expect(popup.locator("h4")).to_have_text(base["name"])
    sync_api.expect(popup.locator(".csto-cite").first).to_be_visible()
    sync_api.expect(frame.locator(PANEL)).to_contain_text("Click a country")
    assert map_frame(recorded.page).evaluate("window.mountedOnce") is True


def test_hovering_a_country_shows_its_name_and_status(recorded, sync_api, atlas, statuses):
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=2013")
    recorded.page.mouse.move(*centre_on(recorded.page, *inside(atlas, "UZB")))
    tooltip = frame.locator(".csto-tip")
    sync_api.expect(tooltip).to_contain_text("Uzbekistan")
    sync_api.expect(tooltip).to_contain_text(f"{statuses.at['UZB', 2013].capitalize()} in 2013")


def test_breakaway_regions_are_hatched_with_a_dashed_border(recorded, sync_api):
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=2013")
    abkhazia = frame.locator("path.csto-iso-XAB")
    sync_api.expect(abkhazia).to_have_attribute("fill", re.compile(r"^url\(#csto-hatch-"))
    sync_api.expect(abkhazia).to_have_attribute("stroke-dasharray", re.compile(r"\d"))


def test_the_meetings_layer_is_off_until_switched_on(recorded, sync_api, atlas):
    frame = open_map(recorded.page, recorded.origin, sync_api)
    window = map_frame(recorded.page)
    shown = f"{TEST_HOOK}.markerIds().length"
    before = window.evaluate(shown)
    assert before > 0
    frame.locator(".leaflet-control-layers label", has_text="Meetings").click()
    window.wait_for_function(f"{shown} === {before + len(atlas.meetings)}")


# The markers of one layer drawn at a point: what the user sees of each (its SVG path's fill
# opacity and its radius). A marker hidden for the year is not on the map at all.
# The markers of `kind` at a point that the map shows this year (in the cluster group, whether
# drawn alone or inside a cluster at this zoom), each as [fill opacity, radius] of its style.
MARKERS_AT = f"""([kind, lat, lon]) => {TEST_HOOK}.markerIds(kind)
    .map((id) => {TEST_HOOK}.markerLook(id))
    .filter((look) => Math.abs(look.lat - lat) < 1e-9 && Math.abs(look.lon - lon) < 1e-9)
    .map((look) => [look.fillOpacity, look.radius])"""


def markers_at(page, kind: str, row) -> list[list[float]]:
    """[fill opacity, radius] of each `kind` marker shown at `row`'s point this year."""
    return map_frame(page).evaluate(MARKERS_AT, [kind, float(row["lat"]), float(row["lon"])])


def look_of(kind: str, past: bool) -> list[float]:
    """[fill opacity, radius] that render.style gives a `kind` marker of this year or of the past."""
    look = style.MARKER_LOOK[kind]
    if past:
        return [look["past"]["fillOpacity"], look["past_radius"]]
    return [look["current"]["fillOpacity"], look["radius"]]


def step_year(recorded, sync_api, frame, key: str, year: int) -> None:
    """Press an arrow key on the map's slider and wait until the map shows `year`."""
    frame.locator(SLIDER).focus()
    recorded.page.keyboard.press(key)
    sync_api.expect(frame.locator(YEAR_BOX)).to_have_attribute("data-year", str(year))


def lone_point(frame_of_points, row) -> bool:
    """Whether no other row of the frame sits at `row`'s point."""
    same = (frame_of_points["lat"] == row["lat"]) & (frame_of_points["lon"] == row["lon"])
    return int(same.sum()) == 1


def markers_through_years(recorded, sync_api, kind: str, row, steps: list[tuple[str, int]]):
    """Open the map the year before the first step, then press each (key, year) step: the
    markers of `kind` at `row`'s point (markers_at) before the first press and after each."""
    frame = open_map(recorded.page, recorded.origin, sync_api, f"?year={steps[0][1] - 1}")
    seen = [markers_at(recorded.page, kind, row)]
    for key, year in steps:
        step_year(recorded, sync_api, frame, key, year)
        seen.append(markers_at(recorded.page, kind, row))
    return seen


def test_an_incident_appears_in_its_year_and_fades_in_the_years_after(recorded, sync_api, atlas):
    incidents = atlas.incidents[atlas.incidents["same_as"].isna()]
    incident = next(row for _, row in incidents.iterrows() if lone_point(incidents, row))
    year = int(incident["year"])
    steps = [("ArrowRight", year), ("ArrowRight", year + 1), ("ArrowLeft", year)]
    current, past = look_of("incidents", past=False), look_of("incidents", past=True)
    seen = markers_through_years(recorded, sync_api, "incidents", incident, steps)
    assert seen == [[], [current], [past], [current]]


def test_a_base_is_on_the_map_only_in_its_active_years(recorded, sync_api, atlas):
    bases = atlas.bases
    base = next(
        row
        for _, row in bases.sort_values("start_year").iterrows()
        if lone_point(bases, row) and row["start_year"] > 1992
    )
    start = int(base["start_year"])
    steps = [("ArrowRight", start), ("ArrowRight", start + 1)]
    active = look_of("bases", past=False)
    seen = markers_through_years(recorded, sync_api, "bases", base, steps)
    assert seen == [[], [active], [active]]


def test_going_to_another_page_and_back_keeps_the_panel_and_its_year(recorded, sync_api, atlas):
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=2015")
    click_region(recorded.page, atlas, "KGZ")
    sync_api.expect(frame.locator(f"{PANEL} h2")).to_have_text("Kyrgyzstan in 2015")
    recorded.page.get_by_role("link", name="Data").click()
    heading = recorded.page.get_by_role("heading", name="Data", exact=True)
    sync_api.expect(heading).to_be_visible()
    recorded.page.get_by_role("link", name="Map").click()
    sync_api.expect(frame.locator(f"{PANEL} h2")).to_have_text("Kyrgyzstan in 2015")
    sync_api.expect(frame.locator(YEAR_BOX)).to_have_attribute("data-year", "2015")
    sync_api.expect(frame.locator("select.csto-country")).to_have_value("KGZ")


def test_a_permalink_opens_its_year_and_panel(recorded, sync_api, statuses):
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=2019&country=TJK")
    sync_api.expect(frame.locator(YEAR_BOX)).to_have_attribute("data-year", "2019")
    sync_api.expect(frame.locator("path.csto-iso-UZB")).to_have_attribute(
        "fill", colour(statuses, "UZB", 2019)
    )
    sync_api.expect(frame.locator(f"{PANEL} h2")).to_have_text("Tajikistan in 2019")


def test_bad_permalink_values_show_a_notice_and_fall_back_to_defaults(recorded, sync_api):
    frame = open_map(
        recorded.page,
        recorded.origin,
        sync_api,
        "?year=abc&country=%3Cscript%3Ealert(1)%3C/script%3E",
    )
    alerts = recorded.page.locator('[data-testid="stAlert"]')
    sync_api.expect(alerts.filter(has_text="is not a year between")).to_be_visible()
    sync_api.expect(alerts.filter(has_text="not a code this map knows")).to_be_visible()
    sync_api.expect(frame.locator(YEAR_BOX)).to_have_attribute("data-year", str(date.today().year))
    assert recorded.page.locator('[data-testid="stException"]').count() == 0
    sync_api.expect(frame.locator(PANEL)).to_contain_text("Click a country")


def test_play_advances_the_year_and_pause_stops_it(recorded, sync_api):
    frame = open_map(recorded.page, recorded.origin, sync_api, "?year=1995")
    year_box = frame.locator(YEAR_BOX)
    frame.locator("button.csto-play").click()
    sync_api.expect(year_box).to_have_attribute("data-playing", "true")
    sync_api.expect(year_box).to_have_attribute("data-year", "1997")
    frame.locator("button.csto-play").click()
    sync_api.expect(year_box).to_have_attribute("data-playing", "false")
    stopped_at = int(year_box.get_attribute("data-year"))
    assert 1997 <= stopped_at < date.today().year


@pytest.fixture
def fresh_server():
    """A server no session has visited yet."""
    server = AppServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def fresh_page(fresh_server, page):
    """A page of its own on a server no session has visited yet (closed before the server)."""
    return page, fresh_server.url


# Records, from before the first paint, whether Streamlit ever drew its own sidebar list of pages.
WATCH_SIDEBAR_NAV = """
window.__sawSidebarNav = false;
new MutationObserver(() => {
  if (document.querySelector('[data-testid="stSidebarNav"], [data-testid="stSidebar"]')) {
    window.__sawSidebarNav = true;
  }
}).observe(document, {childList: true, subtree: true});
"""


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/data", "Data"), ("/sources", "Sources"), ("/about", "About CSTO Atlas")],
)
def test_a_first_visit_straight_to_a_page_shows_it_with_the_apps_navigation(
    sync_api, fresh_page, path, heading
):
    page, url = fresh_page
    page.add_init_script(WATCH_SIDEBAR_NAV)
    page.goto(f"{url}{path}")
    sync_api.expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    sync_api.expect(page.get_by_role("link", name="Map").first).to_be_visible()
    wait_until_idle(page)
    assert page.evaluate("window.__sawSidebarNav") is False
    assert page.get_by_role("link", name="dashboard").count() == 0


def test_a_first_visit_straight_to_a_permalink_opens_its_year_and_panel(sync_api, fresh_page):
    page, url = fresh_page
    page.add_init_script(WATCH_SIDEBAR_NAV)
    page.goto(f"{url}/?year=2019&country=TJK")
    frame = page.frame_locator(MAP_FRAME)
    sync_api.expect(frame.locator(f"{PANEL} h2")).to_have_text("Tajikistan in 2019")
    sync_api.expect(frame.locator(YEAR_BOX)).to_have_attribute("data-year", "2019")
    sync_api.expect(page.get_by_role("link", name="Data").first).to_be_visible()
    assert page.get_by_role("link", name="dashboard").count() == 0
    assert page.evaluate("window.__sawSidebarNav") is False
