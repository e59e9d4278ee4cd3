"""Every page through Streamlit's AppTest (no browser), and the permalink and click parsing."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from csto_atlas.app import ui
from csto_atlas.data import paths
from csto_atlas.domain import permalink
from tests.tiny import tables, write_dataset

DASHBOARD = str(paths.REPO_DIR / "dashboard.py")
YEARS = range(1992, 2027)
KNOWN = frozenset({"ARM", "GEO", "RUS", "TJK", "UZB", "XAB"})
EVIL = '<script>alert("x")</script> **bold** [link](javascript:alert(1))'


@pytest.fixture(scope="module")
def tiny_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny dataset with markup in strings a user sees, written once: read it only."""
    data = tables()
    data["notes"][0]["text"] = f"Uzbekistan left. {EVIL}"
    data["sources"][1]["title"] = f"Tiny Treaty {EVIL}"
    data["bases"][0]["name"] = f"Gyumri base {EVIL}"
    data_dir, _, _ = write_dataset(tmp_path_factory.mktemp("pages"), data)
    return data_dir


@pytest.fixture
def tiny_data(tiny_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app reads the tiny dataset with markup."""
    monkeypatch.setenv(paths.DATA_ENV_VAR, str(tiny_data_dir))
    return tiny_data_dir


def run_app(query: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    """Run the dashboard (optionally with query parameters, or switched to a page)."""
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.query_params.update(query or {})
    app.run()
    if page is not None:
        app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_map_page_shows_the_map_and_no_notice_by_default(tiny_data):
    app = run_app()
    assert app.title[0].value == "CSTO Atlas"
    assert not app.warning
    assert "31 December" in app.caption[0].value


def test_a_good_permalink_shows_no_notice(tiny_data):
    # The map itself (atlas.js) opens the permalink's year and panel: tests/e2e.
    assert not run_app({"year": "2013", "country": "uzb"}).warning


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc"},
        {"year": "1800"},
        {"year": "２０１３"},
        {"country": "<script>alert(1)</script>"},
        {"country": "ZZZ"},
        {"year": "20133", "country": "U"},
    ],
)
def test_bad_permalink_values_show_a_notice_and_fall_back_to_defaults(tiny_data, query):
    app = run_app(query)
    assert app.warning, "a notice is shown"
    assert all("<script" not in warning.value for warning in app.warning)


def test_the_data_page_shows_every_dataset_with_its_sources(tiny_data):
    app = run_app(page="pages/data.py")
    notes = next(frame.value for frame in app.dataframe if "text" in frame.value.columns)
    assert "A. Writer, “Tiny Article”, Test Press, 2007-03-15" in set(notes["citation"])
    # st.dataframe shows cells as text: the markup is displayed, never interpreted.
    assert any(EVIL in text for text in notes["text"])


def test_a_first_run_straight_to_a_page_runs_that_page_with_the_apps_navigation(tiny_data):
    # AppTest runs like a fresh server: no other session has run before this one.
    app = AppTest.from_file(DASHBOARD, default_timeout=60).switch_page("pages/data.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Data"
    links = [(link.label, link.proto.page) for link in app.get("page_link")]
    assert [label for label, _ in links] == [label for _, label in ui.NAV_PAGES]


def test_the_sources_page_lists_every_source_escaped(tiny_data):
    app = run_app(page="pages/sources.py")
    # the page header adds its own style block: pick the sources' blocks
    blocks = [block.value for block in app.html if "csto-source" in block.value]
    assert len(blocks) == len(app.expander) == len(tables()["sources"])
    html = " ".join(blocks)
    assert "Gyumri base &lt;script&gt;" in html and "<script>" not in html
    labels = [expander.proto.label for expander in app.expander]
    # expander labels are Markdown: every special character arrives escaped
    assert "Signatory states, “Tiny Treaty \\<script\\>alert\\(" in " ".join(labels)


def test_the_about_page_explains_the_map(tiny_data):
    app = run_app(page="pages/about.py")
    text = " ".join(block.value for block in app.markdown)
    assert "31 December" in text and "?year=2019&country=TJK" in text


def test_the_map_page_runs_on_the_bundled_data():
    app = run_app({"year": "2019", "country": "TJK"})
    assert not app.warning


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, permalink.Permalink(2026, None)),
        ({"year": "2019", "country": "TJK"}, permalink.Permalink(2019, "TJK")),
        ({"year": " 1992 ", "country": "tjk"}, permalink.Permalink(1992, "TJK")),
    ],
)
def test_a_good_permalink_is_read_without_notices(params, expected):
    assert permalink.parse_permalink(params, YEARS, KNOWN) == expected


def test_invalid_data_shows_every_problem_instead_of_a_traceback(tmp_path, monkeypatch):
    data = tables()
    data["bases"][0]["lat"] = "243.1"
    data["notes"][0]["year"] = "nineteen"
    data_dir, _, _ = write_dataset(tmp_path, data)
    monkeypatch.setenv(paths.DATA_ENV_VAR, str(data_dir))
    app = run_app()
    assert "did not validate" in app.error[0].value
    assert "243.1" in app.code[0].value and "nineteen" in app.code[0].value


def test_the_about_page_explains_each_status_in_the_maps_words_with_an_example(tiny_data):
    from csto_atlas.render.style import status_examples, status_labels

    app = run_app(page="pages/about.py")
    key = next(block.proto.body for block in app.get("html") if "csto-key" in block.proto.body)
    for status, label in status_labels(None).items():
        assert f"<strong>{label}</strong>: {status_examples(None)[status]}." in key


def test_the_status_examples_are_true_in_the_bundled_data(bundled_atlas):
    from csto_atlas.domain import export

    table = export.status_table(bundled_atlas).set_index("iso3")
    years = [column for column in table.columns if column.isdigit()]
    assert set(table.loc["KAZ", years]) == {"member"}  # every year since 1992
    assert (table.at["ARM", "2023"], table.at["ARM", "2024"]) == ("member", "frozen")
    assert (table.at["UZB", "2011"], table.at["UZB", "2012"]) == ("member", "suspended")
    assert {table.at["AZE", "1999"], table.at["GEO", "1999"]} == {"former"}
    assert (table.at["SRB", "2012"], table.at["SRB", "2013"]) == ("non-member", "observer")
    assert set(table.loc["CHN", years]) == {"non-member"}
