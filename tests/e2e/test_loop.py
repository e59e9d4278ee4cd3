"""The map page as one loop in the browser (issue 9), on a desktop and on a phone viewport.

The panel follows the slider; a date in the panel moves it; co-located markers open; popups
and the year box are clear of the controls; Tab, the Country box, Back and Forward; the text
alternative; axe-core on every page; an open tab across a server restart. Every test fails on a
JavaScript error logged by the page.
"""

import re
from collections.abc import Iterator

import pytest

from csto_atlas.data import paths
from csto_atlas.data.load import load_atlas
from csto_atlas.render import style
from tests.e2e.axe import axe_path, serious_violations
from tests.e2e.conftest import VIEWPORTS, Visit, unavailable
from tooling.browser import MAP_FRAME, PANEL, REVEALED_CLASS, TEST_HOOK, open_sheet, reveal_marker
from tooling.server import AppServer

pytestmark = pytest.mark.e2e

SLIDER = "input.csto-slider"
YEAR_BOX = ".csto-year"
PICKER = "select.csto-country"
PAGES = ("/", "/data", "/sources", "/about")


@pytest.fixture(scope="module")
def atlas():
    return load_atlas(paths.data_dir(), paths.GEODATA_DIR)


def test_the_panel_follows_the_slider_in_the_same_step(visit):
    frame = visit.open("?year=2011&country=UZB")
    open_sheet(frame)
    panel = frame.locator(PANEL)
    visit.expect(panel.locator("h2")).to_have_text("Uzbekistan in 2011")
    visit.expect(panel.locator(".csto-status:visible")).to_contain_text(
        "Member on 31 December 2011"
    )
    frame.locator(SLIDER).focus()
    visit.page.keyboard.press("ArrowRight")
    visit.expect(panel.locator("h2")).to_have_text("Uzbekistan in 2012")
    status = panel.locator(".csto-status:visible")
    visit.expect(status).to_have_count(1)
    visit.expect(status).to_contain_text("Suspended on 31 December 2012, since 19 Dec 2012")
    # What is shown is what holds in the slider's year: the 2012 suspension is not there in 2011.
    visit.page.keyboard.press("ArrowLeft")
    visit.expect(panel.locator("li:visible", has_text="2012-12-19")).to_have_count(0)
    visit.expect(visit.page).to_have_url(re.compile(r"year=2011"))


def test_play_moves_the_panel_with_the_map(visit):
    frame = visit.open("?year=2010&country=UZB")
    open_sheet(frame)
    frame.locator("button.csto-play").click()
    visit.expect(frame.locator(f"{PANEL} h2")).to_have_text("Uzbekistan in 2012")
    frame.locator("button.csto-play").click()
    year = frame.locator(YEAR_BOX).get_attribute("data-year")
    visit.expect(frame.locator(f"{PANEL} .csto-panel")).to_have_attribute("data-year", year)


def test_a_date_in_the_panel_moves_the_slider_there(visit):
    frame = visit.open("?year=2019&country=UZB")
    open_sheet(frame)
    frame.locator(f"{PANEL} .csto-status:visible button.csto-goto").first.click()
    visit.expect(frame.locator(YEAR_BOX)).to_have_attribute("data-year", "2012")
    visit.expect(frame.locator(SLIDER)).to_have_value("2012")
    visit.expect(frame.locator(f"{PANEL} h2")).to_have_text("Uzbekistan in 2012")
    visit.expect(visit.page).to_have_url(re.compile(r"year=2012&country=UZB"))


def test_the_panel_leads_with_the_country_and_folds_the_treaty_wide_events(visit):
    frame = visit.open("?year=2019&country=TJK")
    open_sheet(frame)
    panel = frame.locator(f"{PANEL} .csto-panel")
    first = panel.locator(".csto-status:visible")
    visit.expect(first).to_contain_text("Member on 31 December 2019, since 15 May 1992")
    treaty = panel.locator("details.csto-treaty")
    visit.expect(treaty).not_to_have_attribute("open", "")
    visit.expect(treaty.locator("li", has_text="Charter").first).to_be_hidden()


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def open_marker_popup(visit: Visit, frame, marker_id: str) -> None:
    """Click the cluster of markers sharing the marker's point, as a user would, then the marker."""
    target = frame.locator(f".{REVEALED_CLASS}")
    assert reveal_marker(visit.page, marker_id, spread=False) == "cluster"
    target.click(force=True)  # the cluster spreads its markers round the point
    assert reveal_marker(visit.page, marker_id, spread=False) == "marker"
    target.click(force=True)


@pytest.mark.parametrize(
    ("table", "marker_id", "query", "layer"),
    [
        ("meetings", "moscow-2012-12", "?year=2014", "Meetings"),
        ("meetings", "stpetersburg-2016", "?year=2016", "Meetings"),
        ("meetings", "bishkek-2019-11", "?year=2019", "Meetings"),
    ],
)
def test_co_located_markers_spread_out_and_each_popup_opens_clear_of_the_controls(
    visit, atlas, table, marker_id, query, layer
):
    row = getattr(atlas, table).set_index("id").loc[marker_id]
    frame = visit.open(query)
    if layer:
        control = frame.locator(".leaflet-control-layers")
        control.hover()
        frame.locator(".leaflet-control-layers label", has_text=layer).click()
    open_marker_popup(visit, frame, marker_id)
    title = frame.locator(".leaflet-popup-content h4")
    visit.expect(title).to_have_text(row["name"])
    visit.window().wait_for_function(f"{TEST_HOOK}.isSettled()")
    title_box = title.bounding_box()
    frame_box = visit.page.locator(MAP_FRAME).bounding_box()
    map_box = frame.locator(".leaflet-container").bounding_box()
    assert title_box["y"] >= map_box["y"] and title_box["x"] >= map_box["x"]
    assert title_box["x"] + title_box["width"] <= map_box["x"] + map_box["width"]
    assert title_box["y"] >= frame_box["y"]
    controls = frame.locator(".leaflet-control")
    for index in range(controls.count()):
        control_box = controls.nth(index).bounding_box()
        if control_box and control_box["width"]:
            assert not overlaps(title_box, control_box), controls.nth(index).get_attribute("class")
    # The popup names the marker; its hover tooltip no longer peeks out under the popup's edge.
    visit.expect(frame.locator(".csto-marker-tip")).to_have_count(0)


def test_on_a_phone_the_year_box_and_country_box_are_visible_and_unobstructed(visit):
    if visit.kind != "phone":
        pytest.skip("a phone viewport only")
    frame = visit.open("?year=2019")
    window = visit.window()
    frame_box = visit.page.locator(MAP_FRAME).bounding_box()
    for selector in (SLIDER, PICKER, "button.csto-play"):
        box = frame.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844
        hit = window.evaluate(
            "s => { const e = document.querySelector(s); const r = e.getBoundingClientRect();"
            " return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === e; }",
            selector,
        )
        assert hit, f"{selector} is covered"
    assert frame_box["width"] <= 390
    # The layer control and the legend start collapsed; the sheet's handle says it is there.
    visit.expect(frame.locator(".leaflet-control-layers-list")).to_be_hidden()
    visit.expect(frame.locator("details.csto-legend")).not_to_have_attribute("open", "")
    visit.page.locator(MAP_FRAME).scroll_into_view_if_needed()
    toggle = frame.locator(".csto-sheet-toggle")
    visit.expect(toggle).to_be_in_viewport()
    visit.expect(toggle).to_contain_text("Show the notes")
    # The page scrolls past the map.
    caption = visit.page.locator('[data-testid="stCaptionContainer"]').first
    caption.scroll_into_view_if_needed()
    visit.expect(caption).to_be_in_viewport()


def test_on_a_phone_a_country_opens_the_bottom_sheet(visit, atlas):
    if visit.kind != "phone":
        pytest.skip("a phone viewport only")
    frame = visit.open("?year=2019")
    frame.locator(PICKER).select_option("KGZ")
    visit.expect(frame.locator(".csto-sheet-toggle")).to_have_attribute("aria-expanded", "true")
    visit.expect(frame.locator(f"{PANEL} h2")).to_be_in_viewport()


def test_the_map_frames_the_member_states_and_the_legend_covers_none(visit, atlas):
    frame = visit.open("?year=2019")
    members = {"m", "z", "s"}
    statuses = visit.window().evaluate(f"{TEST_HOOK}.regionStatuses()")
    member_codes = {iso3 for iso3, code in statuses.items() if code in members}
    west, south, east, north = visit.window().evaluate(f"{TEST_HOOK}.view().bounds")
    assert west < 30 and east > 75 and south < 40 and north > 50  # Belarus to Kyrgyzstan
    legend = frame.locator("details.csto-legend")
    if legend.get_attribute("open") is None:
        return  # collapsed (a phone): it covers nothing
    covered = visit.window().evaluate(
        """() => { const legend = document.querySelector('.csto-legend');
        const r = legend.getBoundingClientRect(); legend.style.visibility = 'hidden';
        const hits = new Set();
        for (let x = r.left + 2; x < r.right; x += 6) for (let y = r.top + 2; y < r.bottom; y += 6) {
          const e = document.elementFromPoint(x, y);
          const m = e && (e.getAttribute('class') || '').match(/csto-iso-(\\w+)/);
          if (m) hits.add(m[1]); }
        legend.style.visibility = ''; return [...hits]; }"""
    )
    assert not set(covered) & member_codes


def test_tab_reaches_the_slider_in_at_most_five_presses(visit):
    frame = visit.open("?year=2019")
    visit.page.locator(MAP_FRAME).focus()
    window = visit.window()
    presses = 0
    while not window.evaluate("document.activeElement.classList.contains('csto-slider')"):
        presses += 1
        assert presses <= 5, "the slider was not reached in 5 presses of Tab"
        visit.page.keyboard.press("Tab")
    visit.page.keyboard.press("ArrowLeft")
    visit.expect(frame.locator(YEAR_BOX)).to_have_attribute("data-year", "2018")


def test_polygons_are_not_tab_stops_and_a_click_leaves_no_focus_ring(visit, atlas):
    frame = visit.open("?year=2019")
    window = visit.window()
    assert window.evaluate(
        "() => [...document.querySelectorAll('path.csto-region')].every(p => p.tabIndex < 0)"
    )
    frame.locator(PICKER).select_option("KAZ")
    frame.locator(PICKER).select_option("")
    path = frame.locator("path.csto-iso-KAZ")
    path.click(force=True)
    visit.expect(frame.locator(PICKER)).to_have_value("KAZ")
    outline = window.evaluate(
        "() => { const e = document.activeElement; return e.tagName.toLowerCase() === 'path'"
        " ? getComputedStyle(e).outlineStyle : 'none'; }"
    )
    assert outline == "none"


def test_choosing_no_country_clears_the_selection_and_leaves_no_tooltip(visit):
    frame = visit.open("?year=2019&country=UZB")
    frame.locator(PICKER).select_option("")
    open_sheet(frame)
    visit.expect(frame.locator(PANEL)).to_contain_text("Click a country")
    visit.expect(frame.locator(".leaflet-tooltip")).to_have_count(0)
    visit.expect(visit.page).not_to_have_url(re.compile(r"country="))
    visit.expect(frame.locator("path.csto-iso-UZB")).to_have_attribute(
        "stroke", style.REGION_LOOK["stroke"]
    )


def test_hover_and_selection_look_different_and_the_selection_stays_on_top(visit, atlas):
    if visit.kind == "phone":
        pytest.skip("no hover on a phone")
    frame = visit.open("?year=2019&country=UZB")
    look = style.REGION_LOOK
    window = visit.window()
    window.evaluate(f"{TEST_HOOK}.hoverRegion('KAZ')")
    visit.expect(frame.locator("path.csto-iso-KAZ")).to_have_attribute(
        "stroke", look["hoverStroke"]
    )
    visit.expect(frame.locator("path.csto-iso-KAZ")).to_have_attribute(
        "stroke-dasharray", look["hoverDash"]
    )
    visit.expect(frame.locator("path.csto-iso-UZB")).to_have_attribute(
        "stroke", look["selectedStroke"]
    )
    assert window.evaluate(
        "() => { const paths = [...document.querySelectorAll('path.csto-region')];"
        " return paths[paths.length - 1].classList.contains('csto-iso-UZB'); }"
    )


def test_the_year_box_lists_the_changes_of_the_year_and_opens_their_country(visit):
    frame = visit.open("?year=2012")
    change = frame.locator("button.csto-change", has_text="Uzbekistan suspended")
    visit.expect(change).to_be_visible()
    visit.expect(frame.locator("path.csto-iso-UZB")).to_have_attribute(
        "stroke", style.REGION_LOOK["changedStroke"]
    )
    change.click()
    open_sheet(frame)
    visit.expect(frame.locator(f"{PANEL} h2")).to_have_text("Uzbekistan in 2012")
    visit.expect(frame.locator(PICKER)).to_have_value("UZB")


def test_the_map_has_a_text_alternative_for_the_year_shown(visit):
    frame = visit.open("?year=2013")
    summary = frame.locator("#csto-summary")
    visit.expect(summary).to_contain_text("Status on 31 December 2013")
    visit.expect(summary).to_contain_text("Suspended: Uzbekistan.")
    visit.expect(summary).to_contain_text("Observer in the Parliamentary Assembly (not a member): ")
    visit.expect(frame.locator(".leaflet-container")).to_have_attribute(
        "aria-describedby", "csto-summary"
    )
    frame.locator(SLIDER).focus()
    visit.page.keyboard.press("Home")
    visit.expect(summary).not_to_contain_text("Suspended")


def test_openstreetmap_says_so_when_its_tiles_fail_offline(visit):
    visit.page.route(re.compile(r"openstreetmap"), lambda route: route.abort())
    visit.errors.allow(r"Failed to load resource", "the test aborts OpenStreetMap's tiles")
    frame = visit.open("?year=2019")
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers label", has_text="OpenStreetMap").click()
    visit.expect(frame.locator(".csto-notice")).to_contain_text("could not be loaded")
    frame.locator(".leaflet-control-layers label", has_text="Plain background").click()
    visit.expect(frame.locator(".csto-notice")).to_be_hidden()


def test_back_and_forward_step_through_the_countries_opened(visit, atlas):
    frame = visit.open("?year=2019")
    heading = frame.locator(f"{PANEL} h2")
    open_sheet(frame)
    frame.locator(PICKER).select_option("TJK")
    visit.expect(heading).to_have_text("Tajikistan in 2019")
    frame.locator(
        f"{PANEL} .csto-status:visible button.csto-goto"
    ).first.click()  # a year: no new entry
    visit.expect(heading).to_have_text("Tajikistan in 1992")
    frame.locator(PICKER).select_option("ARM")
    visit.expect(heading).to_have_text("Armenia in 1992")
    visit.page.go_back()
    visit.expect(heading).to_have_text("Tajikistan in 1992")
    visit.expect(frame.locator(PICKER)).to_have_value("TJK")
    visit.page.go_back()
    visit.expect(frame.locator(PICKER)).to_have_value("")
    visit.page.go_forward()
    visit.expect(frame.locator(PICKER)).to_have_value("TJK")
    visit.expect(visit.page).to_have_url(re.compile(r"country=TJK"))


@pytest.fixture(scope="module")
def axe_source() -> str:
    path = axe_path()
    if not path.is_file():
        unavailable(f"axe-core is not installed at {path} (bash tests/run installs it)")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", PAGES)
def test_axe_core_finds_no_serious_or_critical_violation(visit, axe_source, path):
    if path == "/":
        frame = visit.open("?year=2019&country=TJK")
        open_sheet(frame)
    else:
        visit.page.goto(f"{visit.origin}{path}")
        visit.expect(visit.page.get_by_role("link", name="Map").first).to_be_visible()
        visit.page.wait_for_load_state("networkidle")
    visit.expect(visit.page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning"
    )
    assert serious_violations(visit.page, axe_source) == []


@pytest.fixture
def own_server() -> Iterator[AppServer]:
    server = AppServer(name="restart")
    try:
        yield server.start()
    finally:
        server.stop()


def click_inside(visit: Visit, atlas, iso3: str) -> None:
    """Click a point inside a region's polygon, as a user would."""
    point = atlas.regions.set_index("iso3").geometry[iso3].representative_point()
    window = visit.window()
    x, y = window.evaluate(f"([lat, lon]) => {TEST_HOOK}.centreOn(lat, lon, 6)", [point.y, point.x])
    box = visit.page.locator(MAP_FRAME).bounding_box()
    visit.page.mouse.click(box["x"] + x, box["y"] + y)


def test_an_open_tab_keeps_working_across_a_server_restart(
    new_context, own_server, sync_api, atlas, page_errors
):
    page = new_context(**VIEWPORTS["desktop"]).new_page()
    visit = Visit(page, own_server.url, sync_api, page_errors, "desktop")
    visit.errors.allow(
        r"Failed to load resource|WebSocket|websocket|ERR_CONNECTION",
        "while the server is away Streamlit's page logs its failed reconnections",
    )
    frame = visit.open("?year=2019")
    visit.window().evaluate("window.mountedOnce = true")
    own_server.restart()
    visit.expect(visit.page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-connection-state", "CONNECTED"
    )
    visit.expect(visit.page.locator('[role="dialog"]')).to_have_count(0)
    frame.locator(PICKER).select_option("KGZ")
    visit.expect(frame.locator(f"{PANEL} h2")).to_have_text("Kyrgyzstan in 2019")
    click_inside(visit, atlas, "TJK")
    visit.expect(frame.locator(f"{PANEL} h2")).to_have_text("Tajikistan in 2019")
    assert visit.window().evaluate("window.mountedOnce") is True
