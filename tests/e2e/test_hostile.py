"""Hostile text stays text in a real browser; an edited data folder is seen on reload.

The app runs on the tiny dataset with markup, script, event handlers, javascript: links,
Markdown, right-to-left text and very long words in every text field a user can see. Every
page is visited; no dialog may open, no injected element may exist, the text is shown
literally and long words wrap inside the panel and the popup.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from csto_atlas.data import paths
from csto_atlas.data.schema import max_chars
from tests.tiny import tables, write_csv, write_dataset
from tooling.browser import MAP_FRAME, PANEL, REVEALED_CLASS, reveal_marker
from tooling.server import AppServer

pytestmark = pytest.mark.e2e

SCRIPT = "<script>window.top.__xss = 'script'</script>"
IMG = "<img src=x onerror=\"window.top.__xss = 'img'; alert('img')\">"
SVG = '"><svg onload="window.top.__xss = \'svg\'">'
LINK = "[click me](javascript:alert('md'))"
MARKDOWN = "**bold** _em_ `code`"
RTL = "مرحبا שלום"
LONG_WORD = "Unbreakable" * 30  # 330 characters, no space
HOSTILE_URL = "https://example.org/\"><img/src=x/onerror=alert('url')>"
# What a payload would leave behind if the markup were interpreted (Streamlit's own icons are
# svg elements too, so svg and img are matched by the payloads' attributes).
INJECTED = "script:not([src]), img[src='x'], [onerror], [onload], a[href^='javascript']"
TEXT_COLUMNS = {
    "sources": ("author", "title", "publisher", "note"),
    "countries": ("name",),
    "membership": ("detail", "quote"),
    "bases": ("name", "unit", "note", "quote"),
    "incidents": ("name", "summary", "note", "quote"),
    "meetings": ("name", "place", "note", "quote"),
    "notes": ("text", "quote"),
}


def hostile(column: str, original: str) -> str:
    """The cell's own text followed by as many attacks as its length limit allows."""
    text = original or column
    for piece in (IMG, SCRIPT, SVG, LINK, MARKDOWN, RTL, LONG_WORD):
        if len(text) + 1 + len(piece) <= max_chars(column):
            text = f"{text} {piece}"
    return text


def hostile_tables() -> dict[str, list[dict[str, str]]]:
    data = tables()
    for table, columns in TEXT_COLUMNS.items():
        for row in data[table]:
            row.update({column: hostile(column, row[column]) for column in columns})
    data["sources"][1]["url"] = HOSTILE_URL
    return data


def served(data_dir: Path) -> Iterator[AppServer]:
    server = AppServer(name="hostile", extra_env={paths.DATA_ENV_VAR: str(data_dir)})
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory) -> Iterator[AppServer]:
    """The app on the tiny dataset with hostile text in every text field."""
    data_dir, _, _ = write_dataset(tmp_path_factory.mktemp("hostile"), hostile_tables())
    yield from served(data_dir)


@pytest.fixture
def watched(new_context, hostile_server):
    """A fresh page on the hostile app that records every dialog (and dismisses it)."""
    page = new_context().new_page()
    dialogs: list[str] = []

    def dismiss(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return page, hostile_server.url, dialogs


def wait_until_idle(page, sync_api) -> None:
    sync_api.expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning"
    )


def assert_inert(page, dialogs: list[str]) -> None:
    """No dialog opened, no payload ran, in the page or in any of its frames."""
    assert dialogs == []
    for frame in page.frames:
        assert frame.evaluate("() => window.__xss === undefined"), frame.url


def fits(locator) -> bool:
    """The element's content does not overflow it sideways."""
    return locator.evaluate("el => el.scrollWidth <= el.clientWidth + 1")


def test_hostile_text_is_shown_literally_in_the_panel_tooltip_and_popup(watched, sync_api):
    page, url, dialogs = watched
    page.goto(f"{url}/?year=2013&country=UZB")
    frame = page.frame_locator(MAP_FRAME)
    panel = frame.locator(PANEL)
    sync_api.expect(panel.locator("h2")).to_contain_text("Uzbekistan in 2013")
    wait_until_idle(page, sync_api)
    note = hostile("text", tables()["notes"][0]["text"])
    sync_api.expect(panel).to_contain_text(note[:200])
    sync_api.expect(panel).to_contain_text(SCRIPT)
    assert panel.locator(INJECTED).count() == 0
    assert fits(panel.locator(".csto-panel"))

    sync_api.expect(frame.locator("path.csto-iso-UZB")).to_be_visible()
    base = tables()["bases"][0]
    reveal_marker(page, base["id"])
    marker = frame.locator(f".{REVEALED_CLASS}")
    marker.hover(force=True)
    tooltip = frame.locator(".csto-tip")
    sync_api.expect(tooltip).to_contain_text(hostile("name", base["name"]))
    marker.click(force=True)
    popup = frame.locator(".leaflet-popup-content")
    sync_api.expect(popup.locator("h4")).to_have_text(hostile("name", base["name"]))
    sync_api.expect(popup).to_contain_text(LONG_WORD)
    assert popup.locator(INJECTED).count() == 0
    assert fits(popup)
    assert_inert(page, dialogs)


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/data", "Data"), ("/sources", "Sources"), ("/about", "About CSTO Atlas")],
)
def test_hostile_text_stays_inert_on_every_other_page(watched, sync_api, path, heading):
    page, url, dialogs = watched
    page.goto(f"{url}{path}")
    sync_api.expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    wait_until_idle(page, sync_api)
    main = page.locator('[data-testid="stMain"]')
    if path == "/sources":
        for summary in main.locator('[data-testid="stExpander"] summary').all():
            summary.click()
        sources = main.locator(".csto-source")
        sync_api.expect(sources.filter(has_text=SCRIPT).first).to_be_visible()
        assert sources.locator(INJECTED).count() == 0
        links = [link.get_attribute("href") for link in sources.locator("a").all()]
        assert HOSTILE_URL in links
    if path == "/data":
        # the first tables (the data-quality summary) sit in a closed expander
        sync_api.expect(main.locator('[data-testid="stDataFrame"]:visible').first).to_be_visible()
    assert main.locator(INJECTED).count() == 0
    assert_inert(page, dialogs)


@pytest.fixture
def editable(tmp_path) -> Iterator[tuple[AppServer, Path]]:
    """The app on a tiny data folder the test may edit."""
    data_dir, _, _ = write_dataset(tmp_path)
    for server in served(data_dir):
        yield server, data_dir


def test_a_data_file_edited_under_the_running_app_is_seen_on_reload(
    new_context, sync_api, editable
):
    server, data_dir = editable
    page = new_context().new_page()
    page.goto(f"{server.url}/?year=2013&country=UZB")
    panel = page.frame_locator(MAP_FRAME).locator(PANEL)
    sync_api.expect(panel).to_contain_text("Uzbekistan left.")
    rows = tables()["notes"]
    rows[0]["text"] = "Uzbekistan walked out, says the edited file."
    write_csv(data_dir / "notes.csv", rows)
    page.reload()
    sync_api.expect(panel).to_contain_text("Uzbekistan walked out, says the edited file.")
    rows[0]["year"] = "nineteen"
    write_csv(data_dir / "notes.csv", rows)
    page.reload()
    error = page.locator('[data-testid="stAlert"]').filter(has_text="did not validate")
    sync_api.expect(error).to_be_visible()
    sync_api.expect(page.locator('[data-testid="stCode"]')).to_contain_text(
        "datasets/notes.csv line 2, column year: 'nineteen' is not a whole number"
    )
    assert page.locator('[data-testid="stException"]').count() == 0
    # Closed before the fixture stops its server, which the open page would try to reach again.
    page.context.close()
